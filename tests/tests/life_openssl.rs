//! The rest of a PFX's life, proved with the real `openssl` CLI in both
//! directions (and Java `keytool`): `convert` (OpenSSL -legacy to modern and
//! back, password change), `csr` (verified by `openssl req -verify`, signed
//! by an OpenSSL CA), `pack` (every key form, the chain in any order, a DER
//! `.p7b` from `openssl crl2pkcs7`), and `export` (fingerprints, keys).

#![allow(clippy::unwrap_used)]

use std::path::Path;

use pfxgen_interop::{CA_EXT, openssl_scratch};
use pfxgen_test_support::{Run, TempDir, argv, run};

const PW: &str = "Life-Interop-Pw-7!";
const NEW_PW: &str = "Changed-Interop-Pw-9?";

/// Both passwords, as every command here gets them: `env:PW`, `env:NEW_PW`.
const ENVS: [(&str, &str); 2] = [("PW", PW), ("NEW_PW", NEW_PW)];

fn pf(d: &Path, args: &[&str], envs: &[(&str, &str)]) -> Run {
    run(&pfxgen_test_support::pfxgen_bin(), args, envs, d)
}

/// `pfxgen` in `d` with the command line `line` (split as [`argv`] splits it).
fn pf_line(d: &Path, line: &str) -> Run {
    pf(d, &argv(line), &ENVS)
}

fn ossl(d: &Path, args: &[&str]) -> Run {
    run(Path::new("openssl"), args, &ENVS, d)
}

/// `openssl` in `d` with the command line `line`; panics unless it succeeds.
#[track_caller]
fn ossl_ok(d: &Path, line: &str) -> Run {
    ossl(d, &argv(line)).success()
}

/// Panics unless `openssl` refuses the command line `line`.
#[track_caller]
fn ossl_fails(d: &Path, line: &str) {
    let out = ossl(d, &argv(line));
    assert!(
        !out.output.status.success(),
        "openssl accepted it\n{}",
        out.describe()
    );
}

/// Panics unless what `openssl pkcs12 -info` prints about `pfx` (password
/// `PW`, options `extra`, e.g. `-legacy`) names each of `wanted`.
#[track_caller]
fn pkcs12_info_names(d: &Path, pfx: &str, extra: &str, wanted: &[&str]) {
    let line = format!("pkcs12 -in {pfx} -passin env:PW -info -noout {extra}");
    let info = ossl_ok(d, &line).stderr();
    for want in wanted {
        assert!(info.contains(want), "{pfx}: {want} missing\n{info}");
    }
}

/// Root CA, intermediate CA signed by it, and an EC leaf key + certificate
/// signed by the intermediate, all made by OpenSSL.
fn openssl_pki(d: &Path) {
    ossl_ok(
        d,
        "req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -subj \
        '/CN=Interop Root' -days 800",
    );
    ossl_ok(
        d,
        "req -newkey rsa:2048 -nodes -keyout inter.key -out inter.csr -subj \
        '/CN=Interop Intermediate'",
    );
    std::fs::write(d.join("ca.ext"), CA_EXT).unwrap();
    ossl_ok(
        d,
        "x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -out \
            inter.pem -days 700 -extfile ca.ext",
    );
}

/// A scratch folder with the CAs of [`openssl_pki`], `leaf.key` made by
/// `openssl req -newkey {newkey}` and `leaf.pem`, its certificate for
/// `/CN={cn}` issued by the intermediate.
fn pki_with_leaf(tag: &str, newkey: &str, cn: &str) -> TempDir {
    let dir = openssl_scratch(tag);
    let d = dir.path();
    openssl_pki(d);
    let line =
        format!("req -newkey {newkey} -nodes -keyout leaf.key -out leaf.csr -subj '/CN={cn}'");
    ossl_ok(d, &line);
    issue(d, "leaf.csr", "leaf.pem");
    dir
}

/// Signs `csr` with the intermediate, copying the requested extensions.
fn issue(d: &Path, csr: &str, out: &str) {
    ossl_ok(
        d,
        &format!(
            "x509 -req -in {csr} -CA inter.pem -CAkey inter.key -CAcreateserial \
            -out {out} -days 400 -copy_extensions copy"
        ),
    );
}

fn sha256_fp(d: &Path, cert: &str, der: bool) -> String {
    let line = format!("x509 -in {cert} -noout -fingerprint -sha256");
    let mut args = argv(&line);
    if der {
        args.extend(["-inform", "DER"]);
    }
    ossl(d, &args).success().stdout().trim().to_owned()
}

/// The public key OpenSSL derives from a private key (PEM SPKI).
fn public_of(d: &Path, key: &str, pass_env: Option<&str>) -> String {
    let pass = pass_env.map(|v| format!("env:{v}"));
    let mut args = vec!["pkey", "-in", key, "-pubout"];
    if let Some(p) = &pass {
        args.extend(["-passin", p]);
    }
    ossl(d, &args).success().stdout()
}

/// The public key of the private key in the PEM text `pem`, saved as `name`.
fn public_in(d: &Path, name: &str, pem: &str) -> String {
    std::fs::write(d.join(name), pem).unwrap();
    public_of(d, name, None)
}

/// The certificates and key OpenSSL reads from a PFX (no -legacy).
fn openssl_reads(d: &Path, pfx: &str, pass_env: &str) -> String {
    let pass = format!("env:{pass_env}");
    ossl_ok(d, &format!("pkcs12 -in {pfx} -passin {pass} -nodes")).stdout()
}

fn subjects(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("subject="))
        .map(str::to_owned)
        .collect()
}

#[test]
fn legacy_openssl_file_converts_to_modern_and_back_to_compat() {
    let dir = pki_with_leaf(
        "life-convert",
        "ec -pkeyopt ec_paramgen_curve:P-256",
        "legacy leaf",
    );
    let d = dir.path();
    ossl_ok(
        d,
        "pkcs12 -export -legacy -inkey leaf.key -in leaf.pem -certfile inter.pem -name \
            tok -out legacy.pfx -passout env:PW",
    );
    // OpenSSL 3 itself refuses it without -legacy (RC2-40).
    ossl_fails(d, "pkcs12 -in legacy.pfx -passin env:PW -nodes");

    pf_line(d, "convert legacy.pfx --out modern.pfx --password-env PW").success();
    let text = openssl_reads(d, "modern.pfx", "PW");
    assert_eq!(
        subjects(&text),
        [
            "subject=CN = legacy leaf",
            "subject=CN = Interop Intermediate"
        ]
    );
    assert!(text.contains("friendlyName: tok"), "{text}");
    assert_eq!(
        public_in(d, "modern.txt", &text),
        public_of(d, "leaf.key", None)
    );
    ossl_ok(d, "x509 -in modern.txt -out modern-leaf.pem");
    assert_eq!(
        sha256_fp(d, "modern-leaf.pem", false),
        sha256_fp(d, "leaf.pem", false)
    );
    pkcs12_info_names(d, "modern.pfx", "", &["AES-256-CBC", "sha256"]);

    pf_line(
        d,
        "convert modern.pfx --out compat.pfx --profile compat --password-env PW",
    )
    .success();
    pkcs12_info_names(
        d,
        "compat.pfx",
        "-legacy",
        &["pbeWithSHA1And3-KeyTripleDES-CBC", "sha1"],
    );
    let text = ossl_ok(d, "pkcs12 -in compat.pfx -passin env:PW -nodes -legacy").stdout();
    assert_eq!(
        public_in(d, "compat.txt", &text),
        public_of(d, "leaf.key", None)
    );
}

#[test]
fn password_change_is_one_command_and_nothing_is_overwritten() {
    let dir = openssl_scratch("life-password");
    let d = dir.path();
    ossl_ok(
        d,
        "req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj \
            '/CN=pw change' -days 400",
    );
    ossl_ok(
        d,
        "pkcs12 -export -inkey k.pem -in c.pem -out old.pfx -passout env:PW",
    );
    pf_line(
        d,
        "convert old.pfx --out new.pfx --password-env PW --out-password-env NEW_PW",
    )
    .success();
    ossl_fails(d, "pkcs12 -in new.pfx -passin env:PW -noout");
    openssl_reads(d, "new.pfx", "NEW_PW");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(d.join("new.pfx"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Never over an existing file without --force; a weak new password is refused.
    let before = std::fs::read(d.join("new.pfx")).unwrap();
    pf_line(d, "convert old.pfx --out new.pfx --password-env PW").fails_with(5);
    assert_eq!(std::fs::read(d.join("new.pfx")).unwrap(), before);
    pf(
        d,
        &argv("convert old.pfx --out weak.pfx --password-env PW --out-password-env WEAK"),
        &[("PW", PW), ("WEAK", "abc")],
    )
    .fails_with(3);
    assert!(!d.join("weak.pfx").exists());
    pf_line(d, "convert old.pfx --out new.pfx --password-env PW --force").success();
    openssl_reads(d, "new.pfx", "PW");
}

#[test]
fn csr_is_verified_signed_by_an_openssl_ca_and_packed_with_its_chain() {
    let dir = openssl_scratch("life-csr");
    let d = dir.path();
    openssl_pki(d);
    std::fs::create_dir(d.join("req")).unwrap();
    pf_line(
        d,
        "csr --algorithm ecdsa-p384 --subject CN=id.example.com,O=Example --san \
            dns:id.example.com --eku serverAuth --out req --password-env PW",
    )
    .success();
    let verified = ossl_ok(d, "req -in req/token-signing.csr -verify -noout -text");
    let text = format!("{}{}", verified.stdout(), verified.stderr());
    for want in [
        "verify OK",
        "CN = id.example.com",
        "DNS:id.example.com",
        "Digital Signature",
        "TLS Web Server Authentication",
        "CA:FALSE",
    ] {
        assert!(text.contains(want), "{want} missing\n{text}");
    }
    let head = std::fs::read_to_string(d.join("req/token-signing.key")).unwrap();
    assert!(head.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    let key_pub = public_of(d, "req/token-signing.key", Some("PW"));

    issue(d, "req/token-signing.csr", "issued.pem");
    // The chain in the wrong order, root first: pack orders it by signature.
    pf_line(
        d,
        "pack --key req/token-signing.key --key-password-env PW --cert issued.pem \
            --chain root.pem --chain inter.pem --out packed.pfx --password-env NEW_PW",
    )
    .success();
    pf_line(d, "verify packed.pfx --password-env NEW_PW").success();
    let text = openssl_reads(d, "packed.pfx", "NEW_PW");
    assert_eq!(
        subjects(&text),
        [
            "subject=O = Example, CN = id.example.com",
            "subject=CN = Interop Intermediate",
            "subject=CN = Interop Root"
        ]
    );
    assert_eq!(public_in(d, "packed.txt", &text), key_pub);

    // AD CS style: one DER .p7b with leaf and chain in any order.
    ossl_ok(
        d,
        "crl2pkcs7 -nocrl -certfile root.pem -certfile issued.pem -certfile inter.pem \
            -outform DER -out issued.p7b",
    );
    pf_line(
        d,
        "pack --key req/token-signing.key --key-password-env PW --cert issued.p7b --out \
            from-p7b.pfx --password-env NEW_PW",
    )
    .success();
    pf_line(d, "verify from-p7b.pfx --password-env NEW_PW").success();
    assert_eq!(
        subjects(&openssl_reads(d, "from-p7b.pfx", "NEW_PW")).len(),
        3
    );

    // A missing intermediate is packed with a warning.
    let warned = pf_line(
        d,
        "pack --key req/token-signing.key --key-password-env PW --cert issued.pem \
            --chain root.pem --out partial.pfx --password-env NEW_PW",
    )
    .success();
    assert!(
        warned.stderr().contains("intermediate may be"),
        "{}",
        warned.stderr()
    );

    // Java reads the packed file.
    let keytool = run(
        Path::new("keytool"),
        &argv("-list -storetype PKCS12 -keystore packed.pfx -storepass:env NEW_PW"),
        &ENVS,
        d,
    );
    assert!(
        keytool.output.status.success(),
        "keytool is needed (.ci/run installs a JRE)\n{}",
        keytool.describe()
    );
    keytool.stdout_has("PrivateKeyEntry");
}

#[test]
fn pack_reads_every_key_form_openssl_writes() {
    let dir = openssl_scratch("life-keyforms");
    let d = dir.path();
    for (alg, trad) in [("rsa:2048", "rsa"), ("ec:P-256", "ec")] {
        let newkey: Vec<&str> = if alg == "rsa:2048" {
            vec!["-newkey", "rsa:2048"]
        } else {
            vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        };
        let mut args = argv("req -x509 -nodes -keyout k.pem -out c.pem -subj /CN=forms -days 400");
        args.extend(newkey);
        ossl(d, &args).success();
        ossl_ok(d, "pkey -in k.pem -outform DER -out k8.der");
        ossl_ok(d, "pkey -in k.pem -traditional -out trad.pem");
        // `openssl rsa -traditional` writes PKCS#1; `openssl ec` always writes SEC1.
        let line = format!("{trad} -in k.pem -outform DER -out trad.der");
        let mut args = argv(&line);
        if trad == "rsa" {
            args.push("-traditional");
        }
        ossl(d, &args).success();
        ossl_ok(
            d,
            "pkcs8 -topk8 -in k.pem -out enc.pem -passout env:PW -v2 aes-256-cbc",
        );
        ossl_ok(
            d,
            "pkcs8 -topk8 -in k.pem -outform DER -out enc.der -passout env:PW -v1 \
                PBE-SHA1-3DES",
        );
        ossl_ok(d, "x509 -in c.pem -outform DER -out c.der");
        let want = public_of(d, "k.pem", None);
        for (key, cert) in [
            ("k.pem", "c.pem"),
            ("k8.der", "c.der"),
            ("trad.pem", "c.pem"),
            ("trad.der", "c.der"),
            ("enc.pem", "c.pem"),
            ("enc.der", "c.der"),
        ] {
            let out = format!("{trad}-{key}.pfx");
            pf_line(
                d,
                &format!(
                    "pack --key {key} --key-password-env PW --cert {cert} --out \
                    {out} --password-env NEW_PW"
                ),
            )
            .success();
            let text = openssl_reads(d, &out, "NEW_PW");
            assert_eq!(public_in(d, "out.txt", &text), want, "{trad} {key}");
        }
        // A key that does not belong to the certificate is refused.
        ossl_ok(
            d,
            "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.pem",
        );
        pf_line(
            d,
            "pack --key other.pem --cert c.pem --out mismatch.pfx --password-env NEW_PW",
        )
        .fails_with(4);
        assert!(!d.join("mismatch.pfx").exists());
    }
}

#[test]
fn export_gives_what_openssl_reads_and_fingerprints_the_same() {
    let dir = pki_with_leaf("life-export", "rsa:2048", "export leaf");
    let d = dir.path();
    ossl_ok(
        d,
        "pkcs12 -export -inkey leaf.key -in leaf.pem -certfile inter.pem -out in.pfx \
            -passout env:PW",
    );
    let want = sha256_fp(d, "leaf.pem", false);
    pf_line(d, "export in.pfx --cert --out c.pem --password-env PW").success();
    assert_eq!(sha256_fp(d, "c.pem", false), want);
    pf_line(
        d,
        "export in.pfx --cert --der --out c.der --password-env PW",
    )
    .success();
    assert_eq!(sha256_fp(d, "c.der", true), want);
    pf_line(d, "export in.pfx --chain --out chain.pem --password-env PW").success();
    let chain = ossl(d, &["crl2pkcs7", "-nocrl", "-certfile", "chain.pem"])
        .success()
        .stdout();
    std::fs::write(d.join("chain.p7"), chain).unwrap();
    let listed = ossl_ok(d, "pkcs7 -in chain.p7 -print_certs -noout").stdout();
    assert_eq!(
        subjects(&listed),
        [
            "subject=CN = export leaf",
            "subject=CN = Interop Intermediate"
        ]
    );
    pf_line(
        d,
        "export in.pfx --chain --der --out chain.p7b --password-env PW",
    )
    .success();
    let listed = ossl_ok(d, "pkcs7 -inform DER -in chain.p7b -print_certs -noout").stdout();
    assert_eq!(subjects(&listed).len(), 2);
    pf_line(
        d,
        "export in.pfx --public-key --out pub.pem --password-env PW",
    )
    .success();
    assert_eq!(
        std::fs::read_to_string(d.join("pub.pem")).unwrap(),
        public_of(d, "leaf.key", None)
    );

    // The key: refused without an output password; encrypted with one.
    pf_line(d, "export in.pfx --key --out k.pem --password-env PW").fails_with(3);
    assert!(!d.join("k.pem").exists());
    pf_line(
        d,
        "export in.pfx --key --out k.pem --password-env PW --out-password-env NEW_PW",
    )
    .success();
    assert!(
        std::fs::read_to_string(d.join("k.pem"))
            .unwrap()
            .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    );
    assert_eq!(
        public_of(d, "k.pem", Some("NEW_PW")),
        public_of(d, "leaf.key", None)
    );
    let plain = pf_line(
        d,
        "export in.pfx --unencrypted-key --out plain.pem --password-env PW",
    )
    .success();
    assert!(plain.stderr().contains("UNENCRYPTED"));
    assert_eq!(
        public_of(d, "plain.pem", None),
        public_of(d, "leaf.key", None)
    );
    // And the exported key packs back into a PFX OpenSSL opens.
    pf_line(
        d,
        "pack --key k.pem --key-password-env NEW_PW --cert c.der --chain chain.p7b \
            --out back.pfx --password-env PW",
    )
    .success();
    assert_eq!(subjects(&openssl_reads(d, "back.pfx", "PW")).len(), 2);
}
