#!/usr/bin/env python3
"""Regenerate the tables of AUDIT.md: our crates, every third-party crate the
`pfxgen` binary is built from, and a fingerprint of that graph.

    scripts/audit-map.py           rewrite AUDIT.md between the markers
    scripts/audit-map.py --check   exit 1 if AUDIT.md or the exemption notes are stale (CI)
    scripts/audit-map.py --stdout  print the generated section only

Only the text between `<!-- BEGIN GENERATED -->` and `<!-- END GENERATED -->`
is written; everything else in AUDIT.md is hand-written and kept. The output
is deterministic: no dates, no absolute paths, stable sort orders.

Sources (python3 standard library only, no network if the crates are fetched):

* `cargo metadata --format-version 1 --locked --filter-platform
  x86_64-unknown-linux-gnu`: each package's version, license, repository,
  description, source folder and targets (build script? proc-macro?). The
  script walks `resolve.nodes` from `pfxgen` along normal edges (dep_kinds
  with kind null) to get the candidate graph.
* `cargo tree` (the same feature resolver `cargo build` uses): the resolve in
  `cargo metadata` also holds optional crates that are only named through a
  weak feature (`dep?/feature`) and are therefore never compiled (for example
  `tls_codec`, reached through x509-cert's `std` feature). The crates that
  `cargo tree -e normal,no-proc-macro -p pfxgen` lists are the ones linked
  into the binary; those only reached through proc-macros or build scripts
  (`-e normal,build`) run at build time and get their own table. Everything
  else in Cargo.lock is accounted for in a last table.
* the crates' sources under ~/.cargo/registry/src/*/NAME-VERSION/ (`cargo
  fetch --locked` is run first if one is missing): lines of Rust (non-blank,
  not comments; tests/, benches/, examples/ excluded) and `unsafe` tokens.

* supply-chain/ (cargo-vet): audits.toml, imports.lock and the exemptions of
  config.toml, for the "reviewed by" column: how `cargo vet` vets each crate
  (a full audit of the version, or a full audit of an earlier one and a chain
  of delta audits, or an exemption). The script also writes the one-line
  `notes` of each exemption in config.toml; `--check` fails if they are stale.

The purpose of each third-party crate and what each of our crates parses and
holds secret are written by hand in the dictionaries below: a crate missing
from WHY makes the script fail, so a new dependency cannot slip in unexplained.
"""

import argparse
import hashlib
import json
import os
import re
import sys
import tomllib
import uuid
from pathlib import Path

import cargo_graph
from cargo_graph import REPO, run

AUDIT_MD = REPO / "AUDIT.md"
SUPPLY_CHAIN = REPO / "supply-chain"
VET_CONFIG = SUPPLY_CHAIN / "config.toml"
BEGIN = "<!-- BEGIN GENERATED -->"
END = "<!-- END GENERATED -->"

BINARY = "pfxgen"
TARGET = "x86_64-unknown-linux-gnu"
SHIPPED_TARGETS = ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "x86_64-pc-windows-msvc"]
# Workspace members that only tests use (never in the binary's graph).
TEST_ONLY_MEMBERS = {"pfxgen-interop", "pfxgen-test-support"}
# Order of the "rest of Cargo.lock" table (status prefixes).
REST_ORDER = ["linked into the binary", "build time only", "also linked", "tests only (dev-dependency)",
              "only", "never compiled"]
# Dependency order: read them in this order.
OUR_ORDER = ["pfxgen-keygen", "pfxgen-asn1", "pfxgen-x509", "pfxgen-pkcs12", "pfxgen"]

# What each of our crates parses that an attacker may control, and which
# secrets it handles.
OURS = {
    "pfxgen-keygen": {
        "parses": "PKCS#8 PrivateKeyInfo and SubjectPublicKeyInfo (DER) taken from decrypted PFX contents and from certificates",
        "secrets": "private keys (generation, PKCS#8 encoding, signing)",
    },
    "pfxgen-asn1": {
        "parses": "every PKCS#12 and PKCS#7 structure, BER or DER, from any PFX, key or certificate file (BER normalisation, then the strict DER reader)",
        "secrets": "decrypted keys and SafeContents pass through BER normalisation (zeroizing buffers)",
    },
    "pfxgen-x509": {
        "parses": "X.509 certificates (DER) from any PFX given to inspect/verify/rotate/audit/jwks; builds chains among them",
        "secrets": "none (certificates are public; it signs through keygen)",
    },
    "pfxgen-pkcs12": {
        "parses": "whole PFX files from anyone (BER, normalised to DER under limits), then decrypts them",
        "secrets": "passwords, derived keys and IVs, MAC keys, decrypted key bags",
    },
    "pfxgen-core": {
        "parses": "files another user may write (PFX, certificates, password files and maps), appsettings.json and its environment overrides, rotation manifests, the lock file",
        "secrets": "passwords handed to it by the binary, generated passwords, private keys during rotation",
    },
    "pfxgen": {
        "parses": "argv, password files / environment / stdin, appsettings.json, rotation manifests",
        "secrets": "passwords (prompt, file, environment, stdin, generated)",
    },
    "pfxgen-interop": {
        "parses": "output of the system `openssl`, `keytool` and `pk12util` commands (test only)",
        "secrets": "test passwords only",
    },
    "pfxgen-test-support": {
        "parses": "output of the `pfxgen` binary and of `script`/`stty` under test (test only)",
        "secrets": "test passwords only",
    },
}

# Why each third-party crate is in the graph. "direct" means one of our
# crates names it in its Cargo.toml; otherwise the reason says which of our
# direct dependencies pulls it in.
WHY = {
    # --- linked into the binary: our direct dependencies ---
    "aes": "direct (pkcs12): AES-128/192/256 for PBES2; the default `modern` profile encrypts with AES-256-CBC",
    "base16ct": "direct (x509; also via p256/p384/p521, elliptic-curve and sec1): constant-time hex for thumbprints, serials and key identifiers (`hex_upper`/`hex_lower`)",
    "base64ct": "direct (core): constant-time Base64 for JWK/JWS members and `x5c` (jose/b64.rs), replacing a hand-written codec; already in the graph through pem-rfc7468 and rsa's `pem`, same version and features",
    "cbc": "direct (pkcs12): CBC mode for AES, 3DES, DES and RC2, as PKCS#12 uses it",
    "const-oid": "direct (x509): OID constants for extensions and name attributes; also under der",
    "crypto-bigint": "direct (keygen; also via rsa and p256/p384/p521): constant-time big-integer arithmetic; keygen draws RSA prime candidates with it",
    "crypto-primes": "direct (keygen; also via rsa): the sieve and Baillie-PSW test of rsa's prime generation, which keygen drives on all cores",
    "der": "direct (keygen, x509, pkcs12): DER types and encoding for keys, SPKI and certificates",
    "des": "direct (pkcs12): 3DES for legacy PKCS#12 PBE (read) and the `compat` profile (write); DES for reading old PBES2 files",
    "getrandom": "direct (keygen): the operating system's RNG (getrandom(2) on Linux) for keys, serials, salts, IVs, passwords",
    "hmac": "direct (pkcs12): HMAC for the PKCS#12 MAC and PBMAC1 (PBKDF2 keys its own HMAC from sha1/sha2's compression functions); also under rsa and rfc6979",
    "lexopt": "direct (cli): command-line argument parsing; small, no dependencies, no unsafe",
    "p256": "direct (keygen): ECDSA P-256 with SHA-256 (ES256)",
    "p384": "direct (keygen): ECDSA P-384 with SHA-384 (ES384)",
    "p521": "direct (keygen): ECDSA P-521 with SHA-512 (ES512)",
    "pkcs8": "direct (keygen): PKCS#8 PrivateKeyInfo, the key format inside a PFX key bag",
    "rc2": "direct (pkcs12): RC2 for reading legacy PKCS#12 PBE files (old Windows/OpenSSL); never written",
    "rpassword": "direct (cli): no-echo terminal password prompt (termios / Windows console calls, i.e. unsafe kept out of our code)",
    "rsa": "direct (keygen): RSA 2048/3072/4096 key generation and PKCS#1 v1.5 signatures (RS256)",
    "sha1": "direct (keygen, x509, pkcs12, core, cli): SHA-1 thumbprints (`kid`, `x5t`), legacy MAC/KDF, verifying legacy signatures",
    "sha2": "direct (all): SHA-224/256/384/512 for signatures, MACs, KDFs and fingerprints",
    "spki": "direct (keygen, x509): SubjectPublicKeyInfo and AlgorithmIdentifier",
    "x509-cert": "direct (x509): X.509 Certificate/TBSCertificate and extension types (RFC 5280)",
    "zeroize": "direct (all): wipes passwords, keys and decrypted plaintext from memory",
    # --- linked into the binary: transitive ---
    "block-buffer": "via sha1/sha2 (digest): input buffering for block hash functions",
    "block-padding": "via cbc (cipher/inout): PKCS#7 padding for CBC",
    "cfg-if": "via sha1/sha2 and getrandom: compile-time selection of platform backends",
    "cipher": "via aes/des/rc2/cbc: block-cipher and mode traits",
    "cmov": "via crypto-bigint (ctutils): constant-time conditional moves (asm on x86/aarch64)",
    "cpubits": "via crypto-bigint and aes: chooses 32- or 64-bit limbs at compile time",
    "cpufeatures": "via aes/sha1/sha2: runtime CPU feature detection (AES-NI, SHA extensions)",
    "crypto-common": "via digest/cipher: traits shared by hashes, MACs and ciphers",
    "ctutils": "via crypto-bigint, digest, sec1: constant-time choice/select helpers",
    "digest": "via sha1/sha2/hmac/pbkdf2/rsa/ecdsa: hash function traits",
    "ecdsa": "via p256/p384/p521: ECDSA signing (RFC 6979 nonces, hedged with the RNG) and verification",
    "elliptic-curve": "via p256/p384/p521: curve traits, SEC1 and PKCS#8 key encodings",
    "ff": "via p256/p384/p521 (elliptic-curve, primefield): finite-field traits",
    "flagset": "via x509-cert (der `flagset`): bit-flag sets for KeyUsage",
    "group": "via p256/p384/p521 (elliptic-curve): elliptic-curve group traits",
    "hybrid-array": "via digest/cipher/crypto-bigint: fixed-size arrays sized by typenum",
    "inout": "via cbc/aes (cipher): in-place / out-of-place block buffers",
    "libc": "via getrandom and rpassword/rtoolbox: declarations of C library functions (getrandom(2), termios, isatty); bindings only, no C code is compiled",
    "num-traits": "via crypto-bigint (non-optional): numeric traits",
    "pem-rfc7468": "direct (pkcs12, core): PEM (RFC 7468) for the key, certificate and PKCS#7 files of pack/export/csr, and each certificate block read by jwks and audit (constant-time base64 via base64ct); already in the graph through der",
    "pkcs1": "via rsa (`encoding`): PKCS#1 RSAPrivateKey/RSAPublicKey, the RSA structures inside PKCS#8 and SPKI",
    "primefield": "via p256/p384/p521: prime-field arithmetic",
    "primeorder": "via p256/p384/p521: arithmetic on prime-order curves (complete addition formulas)",
    "rand_core": "via getrandom (`sys_rng`), rsa, elliptic-curve: RNG traits that carry the OS RNG into key generation",
    "rfc6979": "via p256/p384/p521 (ecdsa): deterministic ECDSA nonces (RFC 6979)",
    "rtoolbox": "via rpassword (same author): terminal helpers (echo off, read a line)",
    "sec1": "via p256/p384/p521 (elliptic-curve): SEC1 EC point and private-key encodings",
    "signature": "via rsa and ecdsa: signer and verifier traits",
    "subtle": "via crypto-bigint, hybrid-array, elliptic-curve: constant-time comparisons",
    "typenum": "via hybrid-array: type-level numbers for array sizes",
    "wnaf": "via p256/p384/p521 (primeorder): windowed-NAF scalar multiplication",
    "pbkdf2": "dev-dependency (pkcs12): the oracle of the differential test of pfxgen's own PBKDF2 (tests/kdf.rs)",
    # --- build time only ---
    "der_derive": "via der `derive` (enabled by x509-cert): derive macros for DER SEQUENCE/CHOICE types",
    "proc-macro2": "via der_derive: token streams for the derive macros",
    "quote": "via der_derive: code generation for the derive macros",
    "syn": "via der_derive: Rust parser for the derive macros",
    "unicode-ident": "via syn: Unicode identifier tables",
    "autocfg": "via num-traits (build script): probes the compiler's features",
    # --- other shipped platforms ---
    "windows-sys": "via rpassword/rtoolbox on Windows: console API bindings (echo off)",
    "windows-link": "via windows-sys on Windows: import-library linking helper",
    # --- platforms we do not ship ---
    "r-efi": "via getrandom on UEFI targets only",
    "fiat-crypto": "via p384 on 32-bit targets only (formally verified field arithmetic)",
    "wasip2": "via getrandom on WASI targets only",
    "wasi": "via getrandom on WASI targets only",
}

UNSAFE_RE = re.compile(r"\bunsafe\b")


def die(msg):
    print(f"audit-map: {msg}", file=sys.stderr)
    sys.exit(2)


def cargo(args):
    """Run a cargo command offline; if a crate is missing, fetch and retry."""
    return cargo_graph.cargo(args, "audit-map")


def metadata():
    out = cargo(["metadata", "--format-version", "1", "--locked", "--filter-platform", TARGET])
    return json.loads(out)


def tree(edges, target, package=BINARY):
    """Feature-resolved graph from `cargo tree`: ({(name, ver)}, {(name, ver): {children}})."""
    args = ["--locked", "-e", edges, "--target", target]
    args += ["-p", package] if package else ["--workspace"]
    return cargo_graph.tree(args, "audit-map", die)


def is_comment_or_blank(line, state):
    """Classify one line; state[0] is True inside a /* */ block comment."""
    s = line.strip()
    if state[0]:
        if "*/" in s:
            state[0] = False
            rest = s.split("*/", 1)[1].strip()
            return not rest or rest.startswith("//")
        return True
    if not s or s.startswith("//"):
        return True
    if s.startswith("/*"):
        if "*/" not in s[2:]:
            state[0] = True
            return True
        rest = s[2:].split("*/", 1)[1].strip()
        return not rest or rest.startswith("//")
    return False


def count_rust(root, skip_top=("tests", "benches", "examples"), split_unit_tests=False):
    """Non-blank, non-comment lines of Rust under root and `unsafe` tokens in them.

    With split_unit_tests, lines inside a top-level `#[cfg(test)] mod tests { ... }`
    (closed by a `}` in column 0) are counted apart: returns (lines, unsafe, test_lines).
    """
    lines = unsafe = test_lines = 0
    root = Path(root)
    if not root.is_dir():
        return 0, 0
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        if rel == Path("."):
            dirnames[:] = [d for d in dirnames if d not in skip_top and d != "target" and not d.startswith(".")]
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".rs"):
                continue
            state = [False]
            in_tests = pending_cfg_test = False
            with open(Path(dirpath) / name, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if is_comment_or_blank(line, state):
                        continue
                    if split_unit_tests:
                        if line.startswith("#[cfg(test)]"):
                            pending_cfg_test = True
                        elif pending_cfg_test and not line.startswith("#["):
                            in_tests = line.startswith("mod ") and line.rstrip().endswith("{")
                            pending_cfg_test = False
                    unsafe += len(UNSAFE_RE.findall(line.split("//", 1)[0]))
                    if in_tests or pending_cfg_test:
                        test_lines += 1
                        if in_tests and line.rstrip() == "}":
                            in_tests = False
                    else:
                        lines += 1
    if split_unit_tests:
        return lines, unsafe, test_lines
    return lines, unsafe


def maintainer(repo_url):
    if not repo_url:
        return "(none given)"
    url = repo_url.rstrip("/").removesuffix(".git")
    m = re.search(r"(?:github\.com|gitlab\.com|codeberg\.org)/([^/]+)/([^/]+)", url)
    if not m:
        return url.split("://", 1)[-1]
    org, name = m.group(1), m.group(2)
    if org.lower() == "rustcrypto":
        return f"RustCrypto ({name})"
    return f"{org}/{name}"


def fmt_int(n):
    return f"{n:,}"


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |")
    return "\n".join(out)


def fingerprint(keys):
    text = "".join(f"{n} {v}\n" for n, v in sorted(keys))
    return hashlib.sha256(text.encode()).hexdigest()


# --- cargo-vet: who reviewed each crate (supply-chain/) ---

OUR_SET = "pfxgen"  # the label for supply-chain/audits.toml, the project's own audits


def load_vet():
    """The safe-to-deploy / safe-to-run audits and exemptions cargo-vet uses, per crate.

    Reads supply-chain/audits.toml (our audits, labelled OUR_SET), supply-chain/imports.lock
    (the imported sets' audits of crates in our graph, as cargo-vet recorded them) and the
    exemptions of supply-chain/config.toml. Returns {crate: {"full": [(version, set, criteria)],
    "delta": [(from, to, set, criteria)], "exempt": [(version, criteria)]}}.
    """
    def read(name):
        path = SUPPLY_CHAIN / name
        if not path.is_file():
            die(f"{path.relative_to(REPO)} is missing: see scripts/README.md (vet.sh)")
        with open(path, "rb") as f:
            return tomllib.load(f)

    config, ours, lock = read("config.toml"), read("audits.toml"), read("imports.lock")
    sets = [(OUR_SET, ours.get("audits", {}))]
    sets += [(name, body.get("audits", {})) for name, body in sorted(lock.get("audits", {}).items())]
    data = {}

    def entry(crate):
        return data.setdefault(crate, {"full": [], "delta": [], "exempt": []})

    for label, audits in sets:
        for crate, items in audits.items():
            for a in items:
                crit = vet_criteria(a.get("criteria"))
                if "version" in a:
                    entry(crate)["full"].append((a["version"], label, crit))
                elif "delta" in a:
                    old, new = (v.strip() for v in a["delta"].split("->"))
                    entry(crate)["delta"].append((old, new, label, crit))
    for crate, items in config.get("exemptions", {}).items():
        for e in items:
            entry(crate)["exempt"].append((e["version"], vet_criteria(e.get("criteria"))))
    return data


def vet_criteria(c):
    """cargo-vet criteria as a set, with safe-to-deploy implying safe-to-run."""
    crit = {c} if isinstance(c, str) else set(c or ())
    if "safe-to-deploy" in crit:
        crit.add("safe-to-run")
    return crit


def vet_path(d, version, required, with_exemptions):
    """Shortest chain cargo-vet can use to vet `version`: a list of steps, or None.

    A step is (set, from, to): from None for a full audit (or an exemption, set None)."""
    reached = {}
    for v, label, crit in sorted(d["full"]):
        if required in crit:
            reached.setdefault(v, [(label, None, v)])
    if with_exemptions:
        for v, crit in sorted(d["exempt"]):
            if required in crit:
                reached.setdefault(v, [(None, None, v)])
    frontier = sorted(reached)
    while frontier and version not in reached:
        nxt = []
        for old, new, label, crit in sorted(d["delta"]):
            if old in frontier and new not in reached and required in crit:
                reached[new] = reached[old] + [(label, old, new)]
                nxt.append(new)
        frontier = sorted(set(nxt))
    return reached.get(version)


def vet_status(vet, key, required="safe-to-deploy"):
    """("audited" | "exempted" | "unvetted", label for the "reviewed by" column)."""
    name, version = key
    d = vet.get(name, {"full": [], "delta": [], "exempt": []})
    path = vet_path(d, version, required, with_exemptions=False)
    if path is None:
        path = vet_path(d, version, required, with_exemptions=True)
        if path is None:
            return "unvetted", f"**not vetted**: `cargo vet` fails (no {required} audit or exemption)"
        if len(path) == 1:
            return "exempted", "unaudited — exempted"
        return "exempted", f"unaudited at {path[0][2]} — exempted; then deltas: " + vet_deltas(path[1:])
    if len(path) == 1:
        sets = sorted({label for v, label, crit in d["full"] if v == version and required in crit})
        return "audited", ", ".join(f"**{x}**" if x == OUR_SET else x for x in sets) + " (full)"
    root = path[0]
    return "audited", f"{root[0]} (full {root[2]}), deltas: " + vet_deltas(path[1:])


def vet_deltas(steps):
    """Delta steps by set, in chain order; our own deltas spelled out with their versions."""
    out = []
    for label, old, new in steps:
        item = f"**{OUR_SET} {old} → {new}**" if label == OUR_SET else label
        if not out or out[-1] != item or label == OUR_SET:
            out.append(item)
    return ", ".join(out)


def exemption_note(desc, why, lines, unsafe):
    """The one-line `notes` of an exemption in supply-chain/config.toml."""
    what = " ".join((desc or "no description").split()).rstrip(".")
    note = f"{what}. Why: {why}. {fmt_int(lines)} lines of Rust, {fmt_int(unsafe)} `unsafe`. Unaudited at this version."
    # No double quotes: `cargo vet fmt` would turn the string into a """ string.
    return note.replace('"', "'")


def sync_exemption_notes(text, notes):
    """config.toml with each [[exemptions.NAME]] block's notes set to notes[(NAME, version)]."""
    blocks = re.split(r"(?m)^(?=\[)", text)
    out = []
    for block in blocks:
        m = re.match(r"\[\[exemptions\.([^\]]+)\]\]\n", block)
        if m:
            if re.search(r"(?m)^notes = (\"\"\"|''')(?!.*\1$)", block):
                die(f"multi-line notes in the exemption of {m.group(1)}: use one line (audit-map.py writes them)")
            v = re.search(r'(?m)^version = "([^"]+)"$', block)
            note = notes.get((m.group(1), v.group(1) if v else ""))
            if note is not None:
                body = [ln for ln in block.rstrip("\n").split("\n") if not ln.startswith("notes = ")]
                block = "\n".join(body + ["notes = " + json.dumps(note, ensure_ascii=False)]) + "\n\n"
        out.append(block)
    return "".join(out).rstrip("\n") + "\n"


def vet_total(rows):
    """'N of M crates, L of T lines' reviewed (a full audit or a chain of deltas) for a table's rows."""
    done = [r for r in rows if r["vet"][0] == "audited"]
    lines, done_lines = sum(r["lines"] for r in rows), sum(r["lines"] for r in done)
    pct = f" ({100 * done_lines / lines:.1f}%)" if lines else ""
    return (f"{len(done)} of {len(rows)} crates, {fmt_int(done_lines)} of {fmt_int(lines)} lines{pct};"
            f" {len(rows) - len(done)} exempted (unaudited)")


def vet_ours(rows):
    mine = [r for r in rows if f"**{OUR_SET}" in r["vet"][1]]
    return f"{len(mine)}: " + ", ".join(f"`{r['key'][0]}`" for r in mine) if mine else "0"


def unaudited_section(where, status, sizes):
    """Markdown lines: every crate cargo-vet passes only by exemption, largest first."""
    todo = sorted((k for k in where if status[k][0] != "audited"), key=lambda k: (-sizes[k][0], k))
    rows = [[str(i), f"`{k[0]}`", k[1], fmt_int(sizes[k][0]), fmt_int(sizes[k][1]) if sizes[k][1] else "none",
             where[k]] for i, k in enumerate(todo, 1)]
    out = ["### Unaudited crates, largest first", "",
           "Every crate in Cargo.lock that `cargo vet` passes only because of an exemption in"
           " supply-chain/config.toml: nobody whose audits we import has reviewed this version. This is the"
           " list to start from (see \"Reviewing a crate\" above). Lines and `unsafe` are counted as in the"
           " tables above.", ""]
    out.append(md_table(["#", "crate", "version", "lines of Rust", "`unsafe`", "where"], rows) if rows else "(none)")
    out.append("")
    return out


def generate():
    meta = metadata()
    vet = load_vet()
    meta_all = json.loads(cargo(["metadata", "--format-version", "1", "--locked"]))
    pkgs = {p["id"]: p for p in meta_all["packages"]}
    by_key = {(p["name"], p["version"]): p for p in meta_all["packages"]}
    members = {pkgs[i]["name"] for i in meta["workspace_members"]}
    member_keys = {(pkgs[i]["name"], pkgs[i]["version"]) for i in meta["workspace_members"]}

    # 1. cargo metadata: walk resolve.nodes from pfxgen along normal edges.
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    root = next(i for i in meta["workspace_members"] if pkgs[i]["name"] == BINARY)
    walked, todo = set(), [root]
    while todo:
        i = todo.pop()
        if i in walked:
            continue
        walked.add(i)
        for d in nodes[i]["deps"]:
            if any(k["kind"] in (None, "normal") for k in d["dep_kinds"]):
                todo.append(d["pkg"])
    walked_keys = {(pkgs[i]["name"], pkgs[i]["version"]) for i in walked}
    linked_test_only = sorted(TEST_ONLY_MEMBERS & {k[0] for k in walked_keys})
    if linked_test_only:
        die(f"test-only members in the binary's graph: {linked_test_only}")

    # 2. cargo tree: what is really compiled (feature resolver), per target.
    runtime_all, runtime_edges = tree("normal,no-proc-macro", TARGET)
    build_all, build_edges = tree("normal,build", TARGET)
    runtime = runtime_all - member_keys
    buildtime = build_all - runtime_all - member_keys
    unknown = (runtime | (build_all - member_keys)) - set(by_key)
    if unknown:
        die(f"cargo tree lists crates cargo metadata does not: {sorted(unknown)}")
    missing_from_walk = (runtime_all | {k for k in build_all if k in walked_keys}) - walked_keys
    if missing_from_walk - member_keys:
        die(f"cargo tree lists crates the metadata walk did not reach: {sorted(missing_from_walk)}")
    phantom_walk = walked_keys - runtime_all - build_all

    # Everything else in Cargo.lock, accounted for.
    shipped = {}
    for t in SHIPPED_TARGETS:
        if t == TARGET:
            continue
        nodes_t, _ = tree("normal,build", t)
        shipped[t] = nodes_t - build_all - member_keys
    everywhere, _ = tree("normal,build,dev", "all", package=None)
    lock_keys = set(by_key) - member_keys
    other_shipped = set().union(*shipped.values()) if shipped else set()
    dev_only_shipped = set()
    for t in SHIPPED_TARGETS:
        n_t, _ = tree("normal,build,dev", t, package=None)
        dev_only_shipped |= n_t
    dev_only = dev_only_shipped - build_all - other_shipped - member_keys
    not_shipped = everywhere - dev_only_shipped - member_keys
    never = lock_keys - everywhere

    # Direct third-party dependencies of our crates (for "pulled in by").
    def src_dir(key):
        return Path(by_key[key]["manifest_path"]).parent

    for key in sorted(runtime | buildtime | other_shipped | not_shipped | dev_only):
        if key[0] not in WHY:
            die(f"no reason for crate {key[0]} {key[1]} in WHY: write one in scripts/audit-map.py")
        if not src_dir(key).is_dir():
            print(f"audit-map: running `cargo fetch --locked` ({key[0]} {key[1]} not unpacked)", file=sys.stderr)
            run(["cargo", "fetch", "--locked"])

    def crate_row(key):
        p = by_key[key]
        lines, unsafe = count_rust(src_dir(key))
        build_rs = any("custom-build" in t["kind"] for t in p["targets"])
        proc = any("proc-macro" in t["kind"] for t in p["targets"])
        kind = "proc-macro" if proc else ("lib + build.rs" if build_rs else "lib")
        return {
            "key": key, "license": p.get("license") or "(file)", "repo": maintainer(p.get("repository")),
            "lines": lines, "unsafe": unsafe, "kind": kind, "why": WHY[key[0]],
            "vet": vet_status(vet, key),
        }

    out = []
    out.append("<!-- Generated by scripts/audit-map.py from `cargo metadata`, `cargo tree` and the crate sources."
               " Do not edit by hand: run scripts/audit-map.py. -->")
    out.append("")

    # --- our crates ---
    out.append("### Our crates")
    out.append("")
    out.append("Read them in dependency order. Lines are non-blank, non-comment lines of Rust; unit tests are"
               " the `#[cfg(test)] mod tests` blocks inside src/. `unsafe` counts the keyword in code and says"
               " whether lib.rs has `#![forbid(unsafe_code)]` (the workspace lints forbid it too).")
    out.append("")
    rows = []
    for name in OUR_ORDER + sorted(members - set(OUR_ORDER)):
        if name not in members:
            die(f"workspace member {name} not found")
        p = next(pkgs[i] for i in meta["workspace_members"] if pkgs[i]["name"] == name)
        d = Path(p["manifest_path"]).parent
        src_lines, src_unsafe, unit_lines = count_rust(d / "src", split_unit_tests=True)
        test_lines, test_unsafe = count_rust(d / "tests", skip_top=())
        lib = d / "src" / "lib.rs"
        forbid = lib.is_file() and "#![forbid(unsafe_code)]" in lib.read_text(encoding="utf-8")
        info = OURS.get(name)
        if info is None:
            die(f"no entry for workspace member {name} in OURS")
        label = f"`{name}` ({d.relative_to(REPO).as_posix()})"
        if name in TEST_ONLY_MEMBERS:
            label += " — tests only, not in the binary"
        rows.append([label, p.get("description") or "", fmt_int(src_lines), fmt_int(unit_lines), fmt_int(test_lines),
                     f"{src_unsafe + test_unsafe}" + (", forbidden" if forbid else ", NOT forbidden"),
                     info["parses"], info["secrets"]])
    out.append(md_table(["crate", "purpose", "lines (src/, code)", "lines (src/, unit tests)", "lines (tests/)", "unsafe",
                         "untrusted input it parses", "secrets it touches"], rows))
    out.append("")

    # --- runtime third-party ---
    rrows = [crate_row(k) for k in sorted(runtime)]
    brows = [crate_row(k) for k in sorted(buildtime)]

    def table(rowlist):
        return md_table(["crate", "version", "license", "repository", "kind", "lines of Rust", "`unsafe`", "why we need it",
                         "reviewed by (cargo-vet)"],
                        [[f"`{r['key'][0]}`", r["key"][1], r["license"], r["repo"], r["kind"], fmt_int(r["lines"]),
                          fmt_int(r["unsafe"]) if r["unsafe"] else "none", r["why"], r["vet"][1]] for r in rowlist])

    out.append(f"### Third-party crates linked into `pfxgen` ({TARGET})")
    out.append("")
    out.append("Every crate compiled into the release binary: the normal dependency graph of `pfxgen`"
               f" for {TARGET}, as `cargo tree -e normal,no-proc-macro -p pfxgen --target {TARGET}` lists it."
               " Lines count every `.rs` file of the crate except its tests/, benches/ and examples/"
               " (for libc that is every platform's bindings, of which one is compiled)."
               " `kind` says whether the crate also has a build script, which runs on the build machine."
               " \"Reviewed by\" is how `cargo vet` vets the crate for `safe-to-deploy` (supply-chain/): an audit"
               " set that reviewed this exact version (full), or one that reviewed an earlier version followed"
               " by reviewed diffs up to this one (deltas, in order), or an exemption: nobody we import has"
               " reviewed this version. **pfxgen** marks the project's own audits (supply-chain/audits.toml).")
    out.append("")
    out.append(table(rrows))
    out.append("")

    out.append("### Build-time only")
    out.append("")
    out.append("Procedural macros and build-script dependencies: they run on the build machine while"
               " compiling and are not linked into the binary (`cargo tree -e normal,build` minus the table above).")
    out.append("")
    out.append(table(brows))
    out.append("")

    # --- totals ---
    rt_lines = sum(r["lines"] for r in rrows)
    bt_lines = sum(r["lines"] for r in brows)
    with_unsafe = [r for r in rrows if r["unsafe"]]
    rt_fp = fingerprint(runtime)
    bt_fp = fingerprint(runtime | buildtime)
    out.append("### Totals")
    out.append("")
    out.append(md_table(["", "value"], [
        ["third-party crates linked into the binary", str(len(rrows))],
        ["their lines of Rust (what a reviewer must read)", fmt_int(rt_lines)],
        ["of which crates containing `unsafe`", f"{len(with_unsafe)}: "
         + ", ".join(f"`{r['key'][0]}` ({r['unsafe']})" for r in with_unsafe) if with_unsafe else "0"],
        ["build-time-only crates", str(len(brows))],
        ["their lines of Rust", fmt_int(bt_lines)],
        ["crates from outside crates.io", str(sum(1 for k in runtime | buildtime
                                                  if not (by_key[k].get("source") or "").startswith(
                                                      "registry+https://github.com/rust-lang/crates.io-index")))],
        ["linked crates reviewed (cargo-vet, full or delta chain)", vet_total(rrows)],
        ["build-time crates reviewed", vet_total(brows)],
        ["of these, through an audit of our own (supply-chain/audits.toml)", vet_ours(rrows + brows)],
        ["graph fingerprint (linked crates)", f"`sha256:{rt_fp}`"],
        ["graph fingerprint (linked + build-time)", f"`sha256:{bt_fp}`"],
    ]))
    out.append("")
    out.append("The fingerprint is the SHA-256 of the sorted lines `name version` (one per crate, each ending in"
               " a newline). To recompute it without this script:")
    out.append("")
    out.append(f"    cargo tree --locked -e normal,no-proc-macro -p pfxgen --target {TARGET} --prefix none --format '{{p}}' \\")
    out.append("      | grep -v ' (/' | sed -e 's/ (\\*)$//' -e 's/ v/ /' | LC_ALL=C sort -u | sha256sum")
    out.append("")

    # --- Cargo.lock accounting ---
    out.append("### The rest of Cargo.lock")
    out.append("")
    out.append("Cargo.lock lists more crates than the binary contains. Each of the others is here with the reason"
               " it is never built into the `pfxgen` shipped for Linux x86_64.")
    out.append("")
    where = {k: "linked into the binary" for k in runtime} | {k: "build time only" for k in buildtime}
    why = {k: WHY[k[0]] for k in runtime | buildtime}
    for t in SHIPPED_TARGETS:
        if t == TARGET:
            continue
        for k in shipped[t]:
            where[k], why[k] = f"also linked on {t}", WHY[k[0]]
    for k in dev_only:
        where[k], why[k] = "tests only (dev-dependency)", WHY[k[0]]
    for k in not_shipped:
        where[k], why[k] = "only on platforms we do not ship", WHY[k[0]]
    for k in never:
        where[k], why[k] = "never compiled", "optional dependency, not enabled (see below)"
    # The exemption notes say why in a sentence of their own.
    why_note = why | {k: "in Cargo.lock only, never compiled: an optional dependency that no enabled feature"
                         " turns on (AUDIT.md, The rest of Cargo.lock)" for k in never}
    rest = [k for k in sorted(where, key=lambda k: (REST_ORDER.index(where[k].split(" on ")[0]), where[k], k))
            if k not in runtime and k not in buildtime]
    status = {k: vet_status(vet, k, "safe-to-run" if k in dev_only else "safe-to-deploy") for k in where}
    lrows = [[f"`{k[0]}`", k[1], where[k], why[k], status[k][1]] for k in rest]
    out.append(md_table(["crate", "version", "status", "why it is in Cargo.lock", "reviewed by (cargo-vet)"], lrows)
               if lrows else "(none)")
    out.append("")
    if never:
        out.append("\"Never compiled\": the crate is an optional dependency that some crate's feature names only"
                   " weakly (`dep?/feature`, e.g. crypto-bigint's `alloc = [\"serdect?/alloc\"]`) or through a feature"
                   " nobody enables. Cargo's dependency resolver records such crates in Cargo.lock; its feature"
                   " resolver, which decides what `cargo build` compiles, never enables them for any target.")
        out.append("")
    if phantom_walk:
        out.append("`cargo metadata`'s resolve, walked along normal edges from `pfxgen`, also reaches "
                   + ", ".join(f"`{n} {v}`" for n, v in sorted(phantom_walk))
                   + ". These are such never-compiled crates, which is why the tables above take their crate"
                   " lists from `cargo tree` (the feature resolver) and only the crates' details from"
                   " `cargo metadata`.")
        out.append("")
    sizes = {r["key"]: (r["lines"], r["unsafe"]) for r in rrows + brows}
    for k in rest:
        sizes[k] = count_rust(src_dir(k))
    out.extend(unaudited_section(where, status, sizes))
    notes = {k: exemption_note(by_key[k].get("description"), why_note[k], *sizes[k])
             for k in where if status[k][0] == "exempted"}
    return "\n".join(out), {
        "runtime": len(rrows), "buildtime": len(brows), "runtime_lines": rt_lines,
        "unsafe": len(with_unsafe), "fingerprint": rt_fp, "notes": notes,
        "vetted": sum(1 for k in where if status[k][0] == "audited"), "crates": len(where),
    }


def splice(text, generated):
    if BEGIN not in text or END not in text:
        die(f"{AUDIT_MD.name} has no {BEGIN} ... {END} markers")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{generated}\n{END}{tail}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if AUDIT.md or the exemption notes are stale")
    ap.add_argument("--stdout", action="store_true", help="print the generated section only")
    ap.add_argument("--file", type=Path, default=AUDIT_MD, help="the AUDIT.md to update or check")
    args = ap.parse_args()

    generated, stats = generate()
    if args.stdout:
        print(generated)
        return 0
    current = args.file.read_text(encoding="utf-8")
    new = splice(current, generated)
    vet_current = VET_CONFIG.read_text(encoding="utf-8")
    vet_new = sync_exemption_notes(vet_current, stats["notes"])
    if args.check:
        stale = [name for name, a, b in [(args.file.name, current, new), ("supply-chain/config.toml (exemption notes)",
                                                                          vet_current, vet_new)] if a != b]
        if stale:
            print(f"{' and '.join(stale)} {'are' if len(stale) > 1 else 'is'} stale: run scripts/audit-map.py",
                  file=sys.stderr)
            return 1
        print(f"audit-map: {args.file.name} is up to date ({stats['runtime']} linked crates,"
              f" {stats['runtime_lines']:,} lines, fingerprint sha256:{stats['fingerprint']})")
        return 0
    if new != current:
        args.file.write_text(new, encoding="utf-8")
        print(f"audit-map: {args.file.name} updated", file=sys.stderr)
    if vet_new != vet_current:
        VET_CONFIG.write_text(vet_new, encoding="utf-8")
        print("audit-map: supply-chain/config.toml exemption notes updated", file=sys.stderr)
    print(f"audit-map: {stats['runtime']} linked third-party crates, {stats['buildtime']} build-time only,"
          f" {stats['runtime_lines']:,} lines of third-party Rust, {stats['unsafe']} crates with unsafe,"
          f" fingerprint sha256:{stats['fingerprint']}; cargo-vet: {stats['vetted']} of {stats['crates']}"
          " crates in Cargo.lock reviewed, the others exempted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
