//! `convert`, `export`, `csr` and `pack` without OpenSSL: what they keep,
//! drop and refuse, exit statuses, and that nothing is half-written,
//! world-readable or written over an existing file.

use crate::common;

use crate::common::{STRONG, TempDir, argv, fixtures, mode, open, pfxgen_with};
use pfxgen_keygen::PrivateKey;
use pfxgen_pkcs12::Password;
use pfxgen_x509::CertificateParams;

const NEW: &str = "Another-Strong-Pass-5?";

fn run(dir: &TempDir, args: &[&str]) -> common::Run {
    pfxgen_with(
        dir.path(),
        args,
        &[("PW", STRONG), ("NEW", NEW), ("WEAK", "abc")],
        None,
    )
}

/// Runs `line` in `dir`: without `--force` it must refuse to write over
/// `file` (exit 5) and leave its bytes as they were.
fn refuses_to_overwrite(dir: &TempDir, file: &str, line: &str) {
    let before = std::fs::read(dir.join(file)).unwrap();
    run(dir, &argv(line)).fails_with(5);
    assert_eq!(std::fs::read(dir.join(file)).unwrap(), before, "{file}");
}

/// A PFX made by `generate`, in `dir/in.pfx`, password `STRONG`.
fn generated(dir: &TempDir) {
    run(
        dir,
        &argv("generate --algorithm ecdsa-p256 --out . --name in.pfx --password-env PW"),
    )
    .success();
}

/// A PFX built bag by bag: unencrypted key bags and certificate bags.
fn handmade(dir: &TempDir, name: &str, keys: &[&PrivateKey], certs: &[&pfxgen_x509::Certificate]) {
    std::fs::write(dir.join(name), fixtures::loose_bags(keys, certs, STRONG)).unwrap();
}

#[test]
fn convert_refuses_a_key_that_matches_no_certificate() {
    let dir = TempDir::new("life-mismatch");
    let a = fixtures::p256_key();
    let b = fixtures::p256_key();
    let cert_a = CertificateParams::default().self_signed(&a).unwrap();
    handmade(&dir, "bad.pfx", &[&b], &[&cert_a]);
    run(
        &dir,
        &argv("convert bad.pfx --out out.pfx --password-env PW"),
    )
    .fails_with(4)
    .stderr_contains("no private key in it matches");
    assert!(!dir.join("out.pfx").exists());
    assert_eq!(dir.entries(), ["bad.pfx"]);
}

#[test]
fn convert_keeps_key_and_chain_and_reports_what_it_drops() {
    let dir = TempDir::new("life-drops");
    let a = fixtures::p256_key();
    let stray = fixtures::p256_key();
    let cert_a = CertificateParams::default().self_signed(&a).unwrap();
    // The stray key's certificate is absent; `other` is unrelated to `a`.
    let unrelated_cert = fixtures::p256_identity().1;
    handmade(&dir, "in.pfx", &[&a, &stray], &[&unrelated_cert, &cert_a]);
    let r = run(
        &dir,
        &argv("convert in.pfx --out out.pfx --password-env PW"),
    )
    .success();
    r.stderr_has("warning: dropped private key in bag");
    r.stderr_has("(not in the chain)");
    let opened = open(&dir.join("out.pfx"), STRONG);
    assert_eq!(opened.keys.len(), 1);
    assert_eq!(opened.certificates.len(), 1);
    assert_eq!(
        opened.certificates[0].certificate.as_ref().unwrap(),
        &cert_a
    );
    assert!(
        opened.keys[0]
            .key
            .as_ref()
            .unwrap()
            .matches(&a.public_key())
    );
    assert_eq!(mode(&dir.join("out.pfx")) & 0o777, 0o600);
}

#[test]
fn convert_passwords_kept_changed_removed_or_refused() {
    let dir = TempDir::new("life-convert-pw");
    generated(&dir);
    run(
        &dir,
        &argv("convert in.pfx --out same.pfx --password-env PW"),
    )
    .success();
    open(&dir.join("same.pfx"), STRONG);
    run(
        &dir,
        &argv("convert in.pfx --out new.pfx --password-env PW --out-password-env NEW"),
    )
    .success();
    open(&dir.join("new.pfx"), NEW);
    run(
        &dir,
        &argv("convert in.pfx --out none.pfx --password-env PW --out-no-password"),
    )
    .success();
    open(&dir.join("none.pfx"), "");
    run(
        &dir,
        &argv("convert in.pfx --out weak.pfx --password-env PW --out-password-env WEAK"),
    )
    .fails_with(3);
    run(
        &dir,
        &argv("convert in.pfx --out w.pfx --password-env WEAK"),
    )
    .fails_with(3);
    run(
        &dir,
        &argv("convert in.pfx --out g.pfx --password-env PW --out-generate-password g.txt"),
    )
    .success();
    let generated = std::fs::read_to_string(dir.join("g.txt")).unwrap();
    open(&dir.join("g.pfx"), generated.trim_end());
    assert_eq!(mode(&dir.join("g.txt")) & 0o777, 0o600);
    for f in ["weak.pfx", "w.pfx"] {
        assert!(!dir.join(f).exists(), "{f}");
    }
    // Never over a file without --force, and never over the input.
    refuses_to_overwrite(
        &dir,
        "new.pfx",
        "convert in.pfx --out new.pfx --password-env PW",
    );
    run(&dir, &argv("convert in.pfx --out in.pfx --password-env PW")).fails_with(2);
}

#[test]
fn interrupted_writes_leave_nothing_behind() {
    let dir = TempDir::new("life-fault");
    generated(&dir);
    for (args, step) in [
        (
            argv("convert in.pfx --out o.pfx --password-env PW"),
            "pfx-install=enospc",
        ),
        (
            argv("convert in.pfx --out o.pfx --password-env PW"),
            "pfx-write=enospc",
        ),
        (
            argv("export in.pfx --cert --out o.pem --password-env PW"),
            "export-fsync=eio",
        ),
    ] {
        let envs = [("PW", STRONG), ("PFXGEN_FAULT", step)];
        let r = pfxgen_with(dir.path(), &args, &envs, None);
        assert_eq!(r.code(), 5, "{}", r.describe());
        assert_eq!(dir.entries(), ["in.pfx"], "{step}");
    }
}

#[test]
fn export_selections_and_key_protection() {
    let dir = TempDir::new("life-export");
    generated(&dir);
    run(&dir, &argv("export in.pfx --out x.pem --password-env PW")).fails_with(2);
    run(
        &dir,
        &argv("export in.pfx --cert --key --out x.pem --password-env PW"),
    )
    .fails_with(2);
    run(
        &dir,
        &argv("export in.pfx --key --out-no-password --out x.pem --password-env PW"),
    )
    .fails_with(2);
    run(
        &dir,
        &argv("export in.pfx --key --out x.pem --password-env PW"),
    )
    .fails_with(3);
    run(
        &dir,
        &argv("export in.pfx --cert --out-password-env NEW --out x.pem --password-env PW"),
    )
    .fails_with(2);
    assert_eq!(dir.entries(), ["in.pfx"]);
    run(
        &dir,
        &argv("export in.pfx --cert --out c.pem --password-env PW"),
    )
    .success();
    let pem = std::fs::read_to_string(dir.join("c.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    let opened = open(&dir.join("in.pfx"), STRONG);
    let cert = opened.certificates[0].certificate.as_ref().unwrap();
    run(
        &dir,
        &argv("export in.pfx --cert --der --out c.der --password-env PW"),
    )
    .success();
    assert_eq!(std::fs::read(dir.join("c.der")).unwrap(), cert.der());
    run(
        &dir,
        &argv("export in.pfx --key --out k.pem --password-env PW --out-password-env NEW"),
    )
    .success();
    let key_file = pfxgen_pkcs12::KeyFile::parse(
        &std::fs::read(dir.join("k.pem")).unwrap(),
        &Default::default(),
    )
    .unwrap();
    assert!(key_file.is_encrypted());
    let key = key_file
        .load(Some(&Password::from_str_copy(NEW)), &Default::default())
        .unwrap();
    assert!(key.matches(&cert.public_key().unwrap()));
    let r = run(
        &dir,
        &argv("export in.pfx --unencrypted-key --der --out k.der --password-env PW"),
    )
    .success();
    assert!(r.stderr().contains("UNENCRYPTED"));
    for f in ["c.pem", "c.der", "k.pem", "k.der"] {
        assert_eq!(mode(&dir.join(f)) & 0o777, 0o600, "{f}");
    }
    refuses_to_overwrite(
        &dir,
        "c.pem",
        "export in.pfx --public-key --out c.pem --password-env PW",
    );
    run(
        &dir,
        &argv("export in.pfx --public-key --out c.pem --password-env PW --force"),
    )
    .success();
    assert!(
        std::fs::read_to_string(dir.join("c.pem"))
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
}

#[test]
fn csr_then_pack_round_trip_without_openssl() {
    let dir = TempDir::new("life-csr");
    run(&dir, &argv("csr --subject CN=x --out . --no-password")).fails_with(3);
    run(&dir, &argv("csr --out . --password-env PW")).fails_with(2);
    run(
        &dir,
        &argv("csr --subject CN=x --out . --password-env WEAK"),
    )
    .fails_with(3);
    dir.assert_empty("csr with a weak password");
    run(
        &dir,
        &argv("csr --algorithm ecdsa-p256 --subject CN=x --out . --generate-password pw.txt"),
    )
    .success();
    assert_eq!(
        dir.entries(),
        ["pw.txt", "token-signing.csr", "token-signing.key"]
    );
    for f in ["pw.txt", "token-signing.csr", "token-signing.key"] {
        assert_eq!(mode(&dir.join(f)) & 0o777, 0o600, "{f}");
    }
    refuses_to_overwrite(
        &dir,
        "token-signing.key",
        "csr --subject CN=x --out . --password-env PW",
    );

    // A self-signed certificate for the key stands in for the CA's answer.
    let pw = std::fs::read_to_string(dir.join("pw.txt")).unwrap();
    let key_file = std::fs::read(dir.join("token-signing.key")).unwrap();
    let key = pfxgen_pkcs12::KeyFile::parse(&key_file, &Default::default())
        .unwrap()
        .load(
            Some(&Password::from_str_copy(pw.trim_end())),
            &Default::default(),
        )
        .unwrap();
    let cert = CertificateParams::default().self_signed(&key).unwrap();
    std::fs::write(dir.join("c.der"), cert.der()).unwrap();
    let envs = [("KP", pw.trim_end()), ("PW", STRONG)];
    let pack = |extra: &[&str], out: &str| {
        let line = format!(
            "pack --key token-signing.key --cert c.der --out {out} --password-env \
            PW"
        );
        let mut args = argv(&line);
        args.extend_from_slice(extra);
        pfxgen_with(dir.path(), &args, &envs, None)
    };
    pack(&[], "nopw.pfx").fails_with(3);
    pack(&["--key-password-env", "PW"], "wrong.pfx").fails_with(3);
    pack(&["--key-no-password"], "none.pfx").fails_with(3);
    pack(
        &argv("--key-password-env KP --profile compat --friendly-name tok"),
        "ok.pfx",
    )
    .success();
    let opened = open(&dir.join("ok.pfx"), STRONG);
    assert_eq!(opened.certificates[0].certificate.as_ref().unwrap(), &cert);
    assert_eq!(
        opened.keys[0].attributes.friendly_name.as_deref(),
        Some("tok")
    );
    for f in ["nopw.pfx", "wrong.pfx", "none.pfx"] {
        assert!(!dir.join(f).exists(), "{f}");
    }
}

#[test]
fn pack_refuses_hostile_or_wrong_inputs() {
    let dir = TempDir::new("life-pack-hostile");
    let (key, cert) = fixtures::p256_identity();
    std::fs::write(dir.join("k.der"), key.to_pkcs8_der().unwrap().as_slice()).unwrap();
    std::fs::write(dir.join("c.der"), cert.der()).unwrap();
    std::fs::write(
        dir.join("junk"),
        b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    std::fs::write(dir.join("empty"), b"").unwrap();
    std::fs::write(dir.join("deep"), [0x30u8, 0x80].repeat(5000)).unwrap();
    let big = std::fs::File::create(dir.join("big")).unwrap();
    big.set_len(64 * 1024 * 1024).unwrap();
    let cases: [(&str, &str, i32); 8] = [
        ("junk", "c.der", 4),
        ("empty", "c.der", 4),
        ("deep", "c.der", 4),
        ("big", "c.der", 4),
        ("k.der", "junk", 4),
        ("k.der", "deep", 4),
        ("k.der", "k.der", 4),
        ("missing", "c.der", 4),
    ];
    for (k, c, code) in cases {
        let r = run(
            &dir,
            &argv(&format!(
                "pack --key {k} --cert {c} --out o.pfx --password-env PW"
            )),
        );
        assert_eq!(r.code(), code, "{k} {c}\n{}", r.describe());
        r.stderr_lacks("panicked");
        assert!(!dir.join("o.pfx").exists());
    }
    run(
        &dir,
        &argv("pack --key k.der --cert c.der --out o.pfx --password-env PW"),
    )
    .success();
}

#[cfg(target_os = "linux")]
#[test]
fn csr_prompt_asks_again_after_a_mismatch_or_a_weak_password() {
    // Issue 13: the prompt re-asks (three tries), for csr as for generate
    // (pack reads its password through the same NewFilePassword), and never
    // echoes.
    let dir = TempDir::new("life-prompt");
    common::asks_again_at_the_prompt(
        dir.path(),
        "csr --subject CN=x --algorithm ecdsa-p256 --out .",
        STRONG,
    );
    assert!(dir.join("token-signing.key").exists() && dir.join("token-signing.csr").exists());

    let (code, transcript) = common::under_terminal(
        dir.path(),
        "csr --subject CN=y --name b --algorithm ecdsa-p256 --out .",
        &argv("abc abc abc abc abc abc"),
    );
    assert_eq!(code, 3, "{transcript}");
    assert!(!dir.join("b.key").exists() && !dir.join("b.csr").exists());
}
