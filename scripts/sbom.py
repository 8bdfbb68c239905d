#!/usr/bin/env python3
"""Write a CycloneDX 1.5 JSON SBOM of the `pfxgen` binary (python3 stdlib only).

    scripts/sbom.py                      print the SBOM to standard output
    scripts/sbom.py pfxgen.cdx.json      write it to a file
    scripts/sbom.py --target x86_64-pc-windows-msvc out.json

The SBOM lists every crate linked into the binary for the target (default
x86_64-unknown-linux-gnu): our workspace crates, and every third-party crate
of the normal dependency graph as the feature resolver builds it (`cargo tree
-e normal,no-proc-macro -p pfxgen`, the same list as AUDIT.md's table). For
each third-party crate: name, version, purl `pkg:cargo/NAME@VERSION`, license
(SPDX expression from Cargo.toml), SHA-256 of the .crate file (the checksum
in Cargo.lock, which cargo verifies on download), repository; and the
dependency graph. Build-time-only crates (proc-macros, build-script
dependencies) are not in the binary and are not listed.

The output is deterministic: no timestamp, sorted keys and lists, and the
serialNumber is a UUID derived from a SHA-256 of the component list and the
graph, so the same Cargo.lock and features always give the same file.
"""

import argparse
import hashlib
import json
import re
import sys
import tomllib
import uuid
from pathlib import Path

import cargo_graph
from cargo_graph import REPO

BINARY = "pfxgen"
CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"


def cargo(args):
    return cargo_graph.cargo(args, "sbom")


def tree(target):
    args = ["--locked", "-e", "normal,no-proc-macro", "-p", BINARY, "--target", target]
    return cargo_graph.tree(args, "sbom", lambda msg: sys.exit(f"sbom: {msg}"))


def spdx(expr):
    """Cargo accepts the legacy `MIT/Apache-2.0`; SPDX (and CycloneDX) want `MIT OR Apache-2.0`."""
    if not expr:
        return None
    return re.sub(r"\s*/\s*", " OR ", expr.strip())


def main():
    ap = argparse.ArgumentParser(description="CycloneDX 1.5 SBOM of the pfxgen binary")
    ap.add_argument("output", nargs="?", help="file to write (default: standard output)")
    ap.add_argument("--target", default="x86_64-unknown-linux-gnu")
    args = ap.parse_args()

    meta = json.loads(cargo(["metadata", "--format-version", "1", "--locked"]))
    by_key = {(p["name"], p["version"]): p for p in meta["packages"]}
    members = {(p["name"], p["version"]) for p in meta["packages"] if p["id"] in meta["workspace_members"]}
    with open(REPO / "Cargo.lock", "rb") as f:
        lock = tomllib.load(f)
    checksums = {(p["name"], p["version"]): p.get("checksum") for p in lock["package"]}

    nodes, children = tree(args.target)
    root = next(k for k in nodes if k[0] == BINARY and k in members)

    def ref(key):
        p = by_key[key]
        if key in members:
            return f"{key[0]}@{key[1]}"  # workspace crate: not on crates.io, no purl
        return f"pkg:cargo/{key[0]}@{key[1]}"

    def component(key):
        p = by_key[key]
        c = {"type": "library", "bom-ref": ref(key), "name": key[0], "version": key[1]}
        if p.get("description"):
            c["description"] = " ".join(p["description"].split())
        lic = spdx(p.get("license"))
        if lic:
            c["licenses"] = [{"expression": lic}]
        if key in members:
            c["properties"] = [{"name": "cdx:cargo:source", "value": "workspace (this repository)"}]
        else:
            if p.get("source") != CRATES_IO:
                sys.exit(f"sbom: {key[0]} {key[1]} is not from crates.io: {p.get('source')}")
            c["purl"] = f"pkg:cargo/{key[0]}@{key[1]}"
            sha = checksums.get(key)
            if not sha:
                sys.exit(f"sbom: no checksum in Cargo.lock for {key[0]} {key[1]}")
            c["hashes"] = [{"alg": "SHA-256", "content": sha}]
            refs = []
            if p.get("repository"):
                refs.append({"type": "vcs", "url": p["repository"]})
            refs.append({"type": "distribution", "url": f"https://crates.io/crates/{key[0]}/{key[1]}"})
            c["externalReferences"] = refs
        c["scope"] = "required"
        return c

    others = sorted(nodes - {root}, key=lambda k: (k not in members, k))
    components = [component(k) for k in others]
    dependencies = [{"ref": ref(k), "dependsOn": sorted(ref(c) for c in children.get(k, ()))}
                    for k in sorted(nodes, key=lambda k: (k != root, k not in members, k))]

    # Deterministic serial number: a UUID (version 5 layout) from the SHA-256 of the graph.
    graph_text = "".join(f"{d['ref']} -> {' '.join(d['dependsOn'])}\n" for d in dependencies)
    graph_text += "".join(f"{c['bom-ref']} {c.get('hashes', [{}])[0].get('content', '')}\n" for c in components)
    digest = bytearray(hashlib.sha256(f"{args.target}\n{graph_text}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5 (name-based, SHA)
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    serial = f"urn:uuid:{uuid.UUID(bytes=bytes(digest))}"

    rp = by_key[root]
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": serial,
        "version": 1,
        "metadata": {
            "tools": {"components": [{"type": "application", "name": "pfxgen scripts/sbom.py",
                                      "description": "CycloneDX from cargo metadata, cargo tree and Cargo.lock"}]},
            "component": {
                "type": "application",
                "bom-ref": ref(root),
                "name": root[0],
                "version": root[1],
                "description": " ".join((rp.get("description") or "").split()),
                "licenses": [{"expression": spdx(rp.get("license"))}],
            },
            "properties": [{"name": "cdx:rust:target", "value": args.target}],
        },
        "components": components,
        "dependencies": dependencies,
    }
    text = json.dumps(bom, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"sbom: {len(components)} components ({sum(1 for k in others if k not in members)} third-party)"
              f" written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
