//! `pfxgen audit` over folders that simulate environments, and `pfxgen jwks`
//! checked by rebuilding each key from its JWK.

use crate::common;

use std::path::Path;

use crate::common::fixtures::{self, write_self_signed};
#[cfg(target_os = "linux")]
use crate::common::under_terminal;
use crate::common::{TempDir, argv, generate_p256, pfxgen, pfxgen_with};
use pfxgen_asn1::writer;
use pfxgen_keygen::{PrivateKey, PublicKey};
use pfxgen_pkcs12::{Password, WriteOptions, write_pfx};
use pfxgen_x509::{CertificateParams, UtcTime};

const PW: &str = "Audit-Pass-42!x";

fn service(root: &Path, name: &str) -> std::path::PathBuf {
    let d = root.join(name);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(
        d.join("appsettings.json"),
        "{\r\n  \"DbProvider\": \"MsSql\"\r\n}\r\n",
    )
    .unwrap();
    d
}

/// A password-protected, ECDSA P-256 PFX at `path`.
fn protected(path: &Path, password: &str) -> PrivateKey {
    let key = fixtures::p256_key();
    write_self_signed(path, &key, &CertificateParams::default(), password);
    key
}

/// Runs `pfxgen generate` in `root`: an ECDSA P-256 `openssl.pfx` in `dir`
/// under [`PW`], with the `extra` options.
fn generate_into(root: &Path, dir: &Path, extra: &[&str]) {
    let mut args = vec![
        "generate",
        "--algorithm",
        "ecdsa-p256",
        "--out",
        dir.to_str().unwrap(),
        "--password-env",
        "PFXGEN_TEST_PW",
    ];
    args.extend_from_slice(extra);
    pfxgen(root, &args, Some(PW)).success();
}

/// dev and test share a certificate; prod-a and prod-b share a key under
/// different certificates; old is expired; preprod expires in 10 days;
/// legacy has a wrong password in the map; broken is corrupt; qa is fine.
fn environments(root: &Path) {
    let dev = service(root, "dev");
    generate_into(root, &dev, &[]);
    let test = service(root, "test");
    std::fs::copy(dev.join("openssl.pfx"), test.join("openssl.pfx")).unwrap();
    let shared = fixtures::p256_key();
    for env in ["prod-a", "prod-b"] {
        let path = service(root, env).join("openssl.pfx");
        write_self_signed(&path, &shared, &CertificateParams::default(), PW);
    }
    let past = UtcTime::now().unwrap().plus_days(-100).unwrap();
    let expired = CertificateParams {
        not_before: Some(past),
        validity_days: 30,
        ..Default::default()
    };
    write_self_signed(
        &service(root, "old").join("openssl.pfx"),
        &fixtures::p256_key(),
        &expired,
        PW,
    );
    generate_into(root, &service(root, "preprod"), &["--days", "10"]);
    protected(
        &service(root, "legacy").join("openssl.pfx"),
        "Other-Pass-99!z",
    );
    let broken = service(root, "broken");
    let bytes = std::fs::read(dev.join("openssl.pfx")).unwrap();
    std::fs::write(broken.join("openssl.pfx"), &bytes[..bytes.len() / 3]).unwrap();
    generate_into(root, &service(root, "qa"), &[]);
    std::fs::write(
        root.join("map"),
        "legacy env:WRONG_PW\n* env:PFXGEN_TEST_PW\n",
    )
    .unwrap();
}

#[test]
fn audit_reports_every_finding() {
    let dir = TempDir::new("audit");
    let root = dir.path();
    environments(root);
    let envs = [("PFXGEN_TEST_PW", PW), ("WRONG_PW", "Not-This-One-1!")];
    let run = pfxgen_with(root, &["audit", ".", "--passwords", "map"], &envs, None).fails_with(1);
    let out = run.stdout();
    // Findings: a line `  KIND message` followed by `  ... - instance` lines.
    let mut blocks: Vec<String> = Vec::new();
    let findings = out.split("FINDINGS\n").nth(1).unwrap_or_default();
    for line in findings.lines() {
        if line.starts_with("  ") && line.chars().nth(2).is_some_and(|c| c.is_ascii_uppercase()) {
            blocks.push(line.trim().to_owned());
        } else if let Some(last) = blocks.last_mut() {
            last.push('\n');
            last.push_str(line.trim());
        }
    }
    let finding = |kind: &str, needle: &str, who: &[&str]| {
        let block: Vec<&String> = blocks
            .iter()
            .filter(|b| b.starts_with(kind) && b.contains(needle))
            .collect();
        assert_eq!(block.len(), 1, "{kind} {needle}\n{}", run.describe());
        for w in who {
            assert!(
                block[0]
                    .lines()
                    .any(|l| l == format!("- {w}") || l.starts_with(&format!("- {w} "))),
                "{kind} {needle}: {w} missing\n{}",
                run.describe()
            );
        }
    };
    finding("REUSE", "the same certificate", &["dev", "test"]);
    finding("REUSE", "the same public key", &["prod-a", "prod-b"]);
    finding("EXPIRY", "expired", &["old"]);
    finding("EXPIRY", "expires in", &["preprod"]);
    finding("UNREADABLE", "password", &["legacy"]);
    finding("UNREADABLE", "malformed PFX", &["broken"]);
    assert!(!out.contains("- qa"), "qa is clean\n{}", run.describe());
    assert!(out.contains("qa  ("), "qa is listed\n{}", run.describe());

    // JSON: the same, machine-readable.
    let run = pfxgen_with(root, &argv("audit . --passwords map --json"), &envs, None).fails_with(1);
    for needle in [
        "\"clean\": false",
        "\"kind\": \"REUSE\"",
        "\"kind\": \"EXPIRY\"",
        "\"kind\": \"UNREADABLE\"",
        "\"instance\": \"qa\"",
    ] {
        run.stdout_has(needle);
    }
}

#[test]
fn audit_exit_codes() {
    let dir = TempDir::new("audit-clean");
    let root = dir.path();
    for env in ["a", "b"] {
        generate_into(root, &service(root, env), &[]);
    }
    // With the password known: a MAC keyed with the empty password would
    // be UNVERIFIED (see `bounds.rs`), so a clean audit needs a real one.
    std::fs::write(root.join("clean-map"), "* env:PFXGEN_TEST_PW\n").unwrap();
    let run = pfxgen(
        root,
        &argv("audit a b/openssl.pfx --passwords clean-map"),
        Some(PW),
    )
    .success();
    run.stdout_has("FINDINGS\n  none");
    pfxgen(root, &["audit"], None).fails_with(2);
    pfxgen(root, &["audit", ".", "--passwords", "missing-map"], None).fails_with(2);
    std::fs::write(root.join("bad-map"), "a pass:inline\n").unwrap();
    pfxgen(root, &["audit", ".", "--passwords", "bad-map"], None).fails_with(2);
    #[cfg(target_os = "linux")]
    pfxgen(root, &["audit", ".", "--passwords", "/dev/zero"], None)
        .fails_with(2)
        .stderr_contains("a character device, not a regular file");
    std::fs::write(root.join("huge-map"), vec![b'#'; 1024 * 1024 + 1]).unwrap();
    pfxgen(root, &["audit", ".", "--passwords", "huge-map"], None)
        .fails_with(2)
        .stderr_contains("larger than 1048576 bytes");
    // --warn-days widens the window.
    pfxgen(
        root,
        &argv("audit a --passwords clean-map --warn-days 400"),
        Some(PW),
    )
    .fails_with(1);
}

#[test]
fn audit_skips_backups_and_reports_each_of_300_files() {
    let dir = TempDir::new("audit-many");
    let root = dir.path();
    let d = service(root, "svc");
    pfxgen(
        root,
        &[
            "generate",
            "--algorithm",
            "ecdsa-p256",
            "--out",
            d.to_str().unwrap(),
            "--no-password",
        ],
        None,
    )
    .success();
    std::fs::create_dir(d.join("pfx-backups")).unwrap();
    std::fs::copy(d.join("openssl.pfx"), d.join("pfx-backups/old.pfx")).unwrap();
    // 300 distinct password-less files in a search folder.
    let many = root.join("many");
    std::fs::create_dir(&many).unwrap();
    let opts = WriteOptions {
        iterations: 1,
        ..WriteOptions::default()
    };
    for i in 0..300 {
        let (key, cert) = fixtures::p256_identity();
        let bytes = write_pfx(&key, &cert, &[], &Password::empty(), &opts).unwrap();
        std::fs::write(many.join(format!("{i}.pfx")), bytes).unwrap();
    }
    // Password-less files: each is UNVERIFIED (a MAC keyed with the empty
    // password), and nothing else is found. Identical findings are grouped
    // (issue 13): one UNVERIFIED finding names all 301 instances.
    let run = pfxgen(root, &["audit", ".", "--json"], None).fails_with(1);
    assert!(
        !run.stdout().contains("pfx-backups"),
        "backups must not count as instances"
    );
    run.stdout_has_times("\"instance\":", 301);
    run.stdout_has_times("\"kind\": \"UNVERIFIED\"", 1);
    run.stdout_has_times("\"kind\":", 1);
    let findings = run
        .stdout()
        .split("\"findings\"")
        .nth(1)
        .unwrap()
        .to_owned();
    assert_eq!(findings.matches("/many/").count(), 300, "{findings}");
    assert!(findings.contains("\"svc\""), "{findings}");
    let text = pfxgen(root, &["audit", "."], None).fails_with(1).stdout();
    assert!(text.ends_with("301 instances, 1 finding\n"), "{text}");
}

/// Builds an SPKI from JWK members, as an integrator's library would.
fn spki_from_jwk(jwk: &str) -> Vec<u8> {
    let field = |k: &str| {
        let needle = format!("\"{k}\": \"");
        let start = jwk.find(&needle).unwrap() + needle.len();
        let v = &jwk[start..start + jwk[start..].find('"').unwrap()];
        b64url_decode(v)
    };
    if jwk.contains("\"kty\": \"RSA\"") {
        let rsa = writer::sequence(&[
            &writer::unsigned_integer(&field("n")),
            &writer::unsigned_integer(&field("e")),
        ]);
        let alg = writer::sequence(&[
            &writer::oid(&pfxgen_keygen::oid::RSA_ENCRYPTION),
            &writer::null(),
        ]);
        writer::sequence(&[&alg, &writer::bit_string(&rsa)])
    } else {
        let curve = if jwk.contains("P-256") {
            pfxgen_keygen::oid::SECP256R1
        } else if jwk.contains("P-384") {
            pfxgen_keygen::oid::SECP384R1
        } else {
            pfxgen_keygen::oid::SECP521R1
        };
        let mut point = vec![4u8];
        point.extend(field("x"));
        point.extend(field("y"));
        let alg = writer::sequence(&[
            &writer::oid(&pfxgen_keygen::oid::EC_PUBLIC_KEY),
            &writer::oid(&curve),
        ]);
        writer::sequence(&[&alg, &writer::bit_string(&point)])
    }
}

fn b64url_decode(s: &str) -> Vec<u8> {
    pfxgen::b64::decode_url(s).unwrap()
}

#[test]
fn jwks_keys_rebuild_and_verify_signatures_of_the_pfx_key() {
    let dir = TempDir::new("jwks");
    let root = dir.path();
    let mut files = Vec::new();
    for (alg, expected) in [
        ("rsa-2048", "RS256"),
        ("ecdsa-p256", "ES256"),
        ("ecdsa-p384", "ES384"),
        ("ecdsa-p521", "ES512"),
    ] {
        let name = format!("{alg}.pfx");
        pfxgen(
            root,
            &argv(&format!(
                "generate --algorithm {alg} --name {name} --password-env \
                PFXGEN_TEST_PW"
            )),
            Some(PW),
        )
        .success();
        files.push((name, expected));
    }
    let mut args = vec!["jwks", "--password-env", "PFXGEN_TEST_PW", "--thumbprints"];
    args.extend(files.iter().map(|(n, _)| n.as_str()));
    let run = pfxgen(root, &args, Some(PW)).success();
    let out = run.stdout();
    assert!(
        !out.contains("\"d\"") && !out.contains("PRIVATE"),
        "private material in the JWKS"
    );
    let jwks: Vec<&str> = out.split("    {").skip(1).collect();
    assert_eq!(jwks.len(), 4, "{out}");
    for ((name, alg), jwk) in files.iter().zip(jwks) {
        assert!(
            jwk.contains(&format!("\"alg\": \"{alg}\"")),
            "{name}: {jwk}"
        );
        assert!(jwk.contains("\"use\": \"sig\""));
        let opened = common::open(&root.join(name), PW);
        let cert = opened.certificates[0].certificate.as_ref().unwrap();
        assert!(jwk.contains(&format!(
            "\"kid\": \"{}\"",
            pfxgen_x509::hex_upper(&cert.sha1_thumbprint())
        )));
        assert!(
            jwk.contains(&pfxgen::b64::standard(cert.der())),
            "{name}: x5c"
        );
        // Rebuild the key from n/e or x/y and verify a token signed with the PFX key.
        let rebuilt = PublicKey::from_spki_der(&spki_from_jwk(jwk)).unwrap();
        let key = opened.keys[0].key.as_ref().unwrap();
        let sig = key.sign_jws(b"header.payload").unwrap();
        rebuilt
            .verify_jws(key.jws_algorithm(), b"header.payload", &sig)
            .unwrap();
        assert!(
            rebuilt
                .verify_jws(key.jws_algorithm(), b"header.payloae", &sig)
                .is_err()
        );
        assert!(jwk.contains("\"jwk_thumbprint\""));
    }
    // A wrong password: exit 3; a certificate file works without one.
    pfxgen(
        root,
        &["jwks", "rsa-2048.pfx", "--password-env", "PFXGEN_TEST_PW"],
        Some("nope"),
    )
    .fails_with(3);
    let opened = common::open(&root.join("ecdsa-p256.pfx"), PW);
    std::fs::write(
        root.join("c.der"),
        opened.certificates[0].certificate.as_ref().unwrap().der(),
    )
    .unwrap();
    pfxgen(root, &["jwks", "c.der"], None).success();
}

#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    let dir = TempDir::new("pipe");
    let root = dir.path();
    pfxgen(
        root,
        &["generate", "--algorithm", "rsa-2048", "--no-password"],
        None,
    )
    .success();
    // 200 copies of a JWK with x5c: far more than a pipe buffer holds, so
    // pfxgen is still writing when the reader goes away.
    let mut args = vec!["jwks"];
    args.extend(std::iter::repeat_n("openssl.pfx", 200));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pfxgen"))
        .args(&args)
        .current_dir(root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

/// A PFX made with pfxgen, plus an attacker's certificate injected into an
/// unencrypted part (the MAC left as it was).
fn injected(root: &Path) -> (std::path::PathBuf, String) {
    generate_p256(
        root,
        "--name good.pfx --password-env PFXGEN_TEST_PW",
        Some(PW),
    );
    let attacker = fixtures::p256_identity().1;
    use pfxgen_pkcs12::testing;
    let content = testing::data_content(&testing::safe_contents(&[testing::cert_bag(
        attacker.der(),
        &[testing::local_key_id(&[0x99])],
    )]));
    let good = std::fs::read(root.join("good.pfx")).unwrap();
    let bad = testing::inject_content(&good, &content).unwrap();
    let path = root.join("tampered.pfx");
    std::fs::write(&path, bad).unwrap();
    (path, pfxgen_x509::hex_upper(&attacker.sha1_thumbprint()))
}

#[test]
fn jwks_and_audit_never_report_injected_certificates() {
    let dir = TempDir::new("inject");
    let root = dir.path();
    let (_, attacker_kid) = injected(root);
    let run = pfxgen(
        root,
        &["jwks", "tampered.pfx", "--password-env", "PFXGEN_TEST_PW"],
        Some(PW),
    )
    .fails_with(4);
    run.stderr_has("altered or damaged");
    assert!(!run.stdout().contains(&attacker_kid));
    // Without the password jwks cannot vouch for anything.
    let run = pfxgen(root, &["jwks", "tampered.pfx"], None).fails_with(3);
    run.stdout_lacks(&attacker_kid);
    // audit: with the password the file fails its check; without, the
    // certificate is flagged as unverified.
    std::fs::write(root.join("map"), "* env:PFXGEN_TEST_PW\n").unwrap();
    let run = pfxgen(
        root,
        &["audit", "tampered.pfx", "--passwords", "map"],
        Some(PW),
    )
    .fails_with(1);
    run.stdout_has("UNREADABLE");
    run.stdout_has("altered");
    run.stdout_lacks(&attacker_kid);
    let run = pfxgen(root, &["audit", "tampered.pfx"], None).fails_with(1);
    run.stdout_has("UNVERIFIED");
}

#[test]
fn audit_finds_two_services_sharing_one_file() {
    let dir = TempDir::new("audit-shared-file");
    let root = dir.path();
    generate_p256(root, "--name shared.pfx --no-password", None);
    let shared = root.join("shared.pfx");
    for env in ["prod", "test"] {
        let d = root.join(env);
        std::fs::create_dir(&d).unwrap();
        let json = format!(
            "{{ \"X509CertificatePath\": {} }}",
            pfxgen::jsonc::quote(&shared.display().to_string())
        );
        std::fs::write(d.join("appsettings.json"), json).unwrap();
    }
    let run = pfxgen(root, &["audit", "prod", "test"], None).fails_with(1);
    run.stdout_has("REUSE       the same certificate");
    run.stdout_has("- prod");
    run.stdout_has("- test");
}

#[cfg(unix)]
#[test]
fn audit_follows_links_and_never_skips_silently() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("audit-links");
    let root = dir.path();
    // A Kubernetes secret volume: the file is a link into a dot folder
    // reached through another link; the real file must count once.
    let vol = root.join("k8s/svc");
    std::fs::create_dir_all(vol.join("..2026_11_29")).unwrap();
    generate_p256(root, "--out k8s/svc/..2026_11_29 --no-password", None);
    symlink("..2026_11_29", vol.join("..data")).unwrap();
    symlink("..data/openssl.pfx", vol.join("openssl.pfx")).unwrap();
    // A link loop must end.
    symlink("..", vol.join("up")).unwrap();
    let run = pfxgen(root, &["audit", "k8s", "--json"], None);
    // Exit 1 only for the password-less file's UNVERIFIED finding.
    assert_eq!(run.code(), 1, "{}", run.describe());
    run.stdout_has_times("\"kind\":", 1);
    run.stdout_has("keyed with the empty password");
    run.stdout_has_times("\"kid\"", 1);

    // A folder too deep to search, a broken link and a pipe are findings.
    let mut deep = root.join("deep");
    for i in 0..14 {
        deep = deep.join(format!("d{i}"));
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::copy(
        root.join("k8s/svc/..2026_11_29/openssl.pfx"),
        deep.join("x.pfx"),
    )
    .unwrap();
    let run = pfxgen(root, &["audit", "deep"], None).fails_with(1);
    run.stdout_has("not searched: more than 12 folder levels");
    std::fs::create_dir(root.join("odd")).unwrap();
    symlink("nowhere.pfx", root.join("odd/gone.pfx")).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(root.join("odd/pipe.pfx"))
        .status()
        .unwrap();
    assert!(status.success());
    let run = pfxgen(root, &["audit", "odd"], None).fails_with(1);
    run.stdout_has("is a broken link");
    run.stdout_has("not a regular file");

    // Nothing found is not a clean audit.
    std::fs::create_dir(root.join("empty")).unwrap();
    pfxgen(root, &["audit", "empty"], None)
        .fails_with(2)
        .stderr_contains("nothing to audit");
}

/// The current and the next certificate share pfxgen's default subject:
/// a name match alone must not make one the other's CA.
#[test]
fn jwks_publishes_both_certificates_of_a_bundle_with_one_subject() {
    let dir = TempDir::new("jwks-bundle");
    let root = dir.path();
    let pem = |cert: &pfxgen_x509::Certificate| {
        fixtures::pem("CERTIFICATE", &pfxgen::b64::standard(cert.der()), 64, "\n")
    };
    let params = CertificateParams::default();
    let mut bundle = String::new();
    for _ in 0..2 {
        let key = fixtures::p256_key();
        bundle.push_str(&pem(&params.self_signed(&key).unwrap()));
    }
    std::fs::write(root.join("current-and-next.pem"), &bundle).unwrap();
    let run = pfxgen(root, &["jwks", "current-and-next.pem"], None).success();
    run.stdout_has_times("\"kid\"", 2);
    // Finding a bundle's CAs compares every pair: the bundle size is bounded.
    std::fs::write(root.join("huge.pem"), bundle.repeat(33)).unwrap();
    pfxgen(root, &["jwks", "huge.pem"], None)
        .fails_with(4)
        .stderr_contains("holds 66 certificates");
}

/// Issue 13: plain text given to `jwks` was called a "malformed PFX".
#[test]
fn jwks_of_plain_text_says_no_pem_block() {
    let dir = TempDir::new("jwks-text");
    let root = dir.path();
    std::fs::write(root.join("notes.txt"), "my signing certificate\r\n").unwrap();
    let run = pfxgen(root, &["jwks", "notes.txt"], None)
        .fails_with(4)
        .stderr_contains("no PEM block");
    run.stderr_lacks("malformed PFX");
    std::fs::write(root.join("empty.pem"), "").unwrap();
    pfxgen(root, &["jwks", "empty.pem"], None)
        .fails_with(4)
        .stderr_contains("the file is empty");
}

/// PEM blocks are decoded by `pem-rfc7468`: CRLF line endings and any line
/// width read; a damaged block is named, never skipped.
#[test]
fn jwks_reads_crlf_pem_and_names_a_damaged_block() {
    let dir = TempDir::new("jwks-pem");
    let root = dir.path();
    let cert = fixtures::self_signed(&fixtures::p256_key(), &CertificateParams::default());
    let crlf = fixtures::pem(
        "CERTIFICATE",
        &pfxgen::b64::standard(cert.der()),
        76,
        "\r\n",
    );
    std::fs::write(root.join("crlf.pem"), &crlf).unwrap();
    let run = pfxgen(root, &["jwks", "crlf.pem"], None).success();
    run.stdout_has(&pfxgen_x509::hex_upper(&cert.sha1_thumbprint()));
    let damaged = format!("{crlf}{}", crlf.replacen("MI", "M!", 1));
    std::fs::write(root.join("damaged.pem"), damaged).unwrap();
    pfxgen(root, &["jwks", "damaged.pem"], None)
        .fails_with(4)
        .stderr_contains("PEM certificate block 2 is damaged");
}

/// Issue 13: `eu/prod` and `us/prod` sharing a certificate were both
/// reported as "prod".
#[test]
fn audit_names_colliding_environments_by_their_path() {
    let dir = TempDir::new("audit-collide");
    let root = dir.path();
    for region in ["eu", "us"] {
        let d = service(&root.join(region), "prod");
        protected(&d.join("openssl.pfx"), PW);
    }
    std::fs::copy(
        root.join("eu/prod/openssl.pfx"),
        root.join("us/prod/openssl.pfx"),
    )
    .unwrap();
    // A rule written for the short name still selects both.
    std::fs::write(root.join("map"), "prod env:PFXGEN_TEST_PW\n").unwrap();
    let run = pfxgen(root, &["audit", "eu", "us", "--passwords", "map"], Some(PW)).fails_with(1);
    for label in ["eu/prod", "us/prod"] {
        run.stdout_has(&format!("\n  {label}  ("));
        run.stdout_has(&format!("- {label}\n"));
    }
    run.stdout_lacks("- prod\n");
    run.stdout_has("REUSE       the same certificate");
    // A rule may also name the distinguishing path.
    std::fs::write(root.join("map"), "eu/prod env:PFXGEN_TEST_PW\n* unknown\n").unwrap();
    let run = pfxgen(
        root,
        &["audit", "eu", "us", "--passwords", "map", "--json"],
        Some(PW),
    );
    run.stdout_has("\"instance\": \"eu/prod\"");
    run.stdout_has_times("\"kid\"", 1);
}

/// Issue 13: without `--passwords` every instance was UNREADABLE with no
/// hint; a byte-identical copy of an unreadable file was not REUSE.
#[test]
fn audit_hints_at_passwords_and_finds_copies_it_cannot_open() {
    let dir = TempDir::new("audit-unreadable");
    let root = dir.path();
    let a = service(root, "a");
    protected(&a.join("openssl.pfx"), PW);
    let b = service(root, "b");
    std::fs::copy(a.join("openssl.pfx"), b.join("openssl.pfx")).unwrap();
    let run = pfxgen(root, &["audit", "a", "b"], None)
        .fails_with(1)
        .stderr_contains("--passwords MAP");
    run.stdout_has("REUSE       the same file (SHA-256 ");
    run.stdout_has("- a\n");
    run.stdout_has("- b\n");
    // One readable, its copy not (a wrong password in the map): still REUSE.
    std::fs::write(root.join("map"), "a env:PFXGEN_TEST_PW\nb env:WRONG\n").unwrap();
    let envs = [("PFXGEN_TEST_PW", PW), ("WRONG", "Not-This-One-1!")];
    let run = pfxgen_with(
        root,
        &["audit", "a", "b", "--passwords", "map"],
        &envs,
        None,
    )
    .fails_with(1);
    run.stdout_has("the same file (SHA-256 ");
    run.stderr_lacks("hint:");
    // Everything readable: the certificate comparison reports it, once.
    std::fs::write(root.join("map"), "* env:PFXGEN_TEST_PW\n").unwrap();
    let run = pfxgen(root, &["audit", "a", "b", "--passwords", "map"], Some(PW)).fails_with(1);
    run.stdout_lacks("the same file");
    run.stdout_has("the same certificate");
}

/// Issue 13: `audit /nonexistent` exited 1 (a finding) instead of 2.
#[test]
fn audit_of_a_path_that_does_not_exist_exits_2() {
    let dir = TempDir::new("audit-missing");
    let root = dir.path();
    pfxgen(root, &["audit", "/nonexistent"], None)
        .fails_with(2)
        .stderr_contains("/nonexistent does not exist");
    let d = service(root, "a");
    protected(&d.join("openssl.pfx"), PW);
    pfxgen(root, &["audit", "a", "typo"], None)
        .fails_with(2)
        .stderr_contains("typo does not exist");
}

/// Issue 13: `--warn-days` messages disagreed with what is accepted (0 was
/// accepted, "-1" said "at least 1 day").
#[test]
fn audit_warn_days_message_states_the_range_accepted() {
    let dir = TempDir::new("audit-warn-days");
    let root = dir.path();
    let d = service(root, "a");
    protected(&d.join("openssl.pfx"), PW);
    std::fs::write(root.join("map"), "* env:PFXGEN_TEST_PW\n").unwrap();
    for bad in ["-1", "36501", "ten", "1.5"] {
        let run = pfxgen(
            root,
            &["audit", "a", "--passwords", "map", "--warn-days", bad],
            Some(PW),
        )
        .fails_with(2)
        .stderr_contains("--warn-days must be a whole number of days from 0 to 36500");
        run.stderr_has(&format!("{bad:?}"));
    }
    for (good, code) in [("0", 0), ("36500", 1)] {
        let run = pfxgen(
            root,
            &["audit", "a", "--passwords", "map", "--warn-days", good],
            Some(PW),
        );
        assert_eq!(run.code(), code, "{good}\n{}", run.describe());
    }
}

/// Issue 13: `jwks` used one password for every file; `--passwords MAP`
/// (the map `audit` reads) gives one per file.
#[test]
fn jwks_takes_a_password_per_file_from_the_map() {
    let dir = TempDir::new("jwks-map");
    let root = dir.path();
    let current = protected(&root.join("current.pfx"), PW);
    let next = protected(&root.join("next.pfx"), "Next-Pass-77!q");
    std::fs::write(
        root.join("map"),
        "current.pfx env:PFXGEN_TEST_PW\nnext.pfx env:NEXT_PW\n",
    )
    .unwrap();
    let envs = [("PFXGEN_TEST_PW", PW), ("NEXT_PW", "Next-Pass-77!q")];
    let args = ["jwks", "current.pfx", "next.pfx", "--passwords", "map"];
    let run = pfxgen_with(root, &args, &envs, None).success();
    for key in [&current, &next] {
        let spki = key.public_key().to_spki_der().to_vec();
        let jwks = run.stdout();
        let found = jwks
            .split("    {")
            .skip(1)
            .any(|jwk| spki_from_jwk(jwk) == spki);
        assert!(found, "{}", run.describe());
    }
    // A file the map does not select falls back to the password option.
    std::fs::write(root.join("map"), "next.pfx env:NEXT_PW\n").unwrap();
    let args = [
        "jwks",
        "current.pfx",
        "next.pfx",
        "--passwords",
        "map",
        "--password-env",
        "PFXGEN_TEST_PW",
    ];
    let run = pfxgen_with(root, &args, &envs, None).success();
    run.stdout_has_times("\"kid\"", 2);
    // A wrong password in the map is exit 3, naming the file.
    let envs = [("PFXGEN_TEST_PW", PW), ("NEXT_PW", "Not-This-One-1!")];
    pfxgen_with(
        root,
        &["jwks", "next.pfx", "--passwords", "map"],
        &envs,
        None,
    )
    .fails_with(3)
    .stderr_contains("next.pfx: wrong or missing password");
    pfxgen(
        root,
        &["jwks", "next.pfx", "--passwords", "missing-map"],
        None,
    )
    .fails_with(2);
}

/// Issue 13: `jwks` never prompted; at a terminal it asks for each file
/// that needs a password, naming the file.
#[cfg(target_os = "linux")]
#[test]
fn jwks_asks_at_a_terminal_for_each_file_that_needs_a_password() {
    let dir = TempDir::new("jwks-prompt");
    let root = dir.path();
    protected(&root.join("current.pfx"), PW);
    protected(&root.join("next.pfx"), "Next-Pass-77!q");
    let (code, transcript) =
        under_terminal(root, "jwks current.pfx next.pfx", &[PW, "Next-Pass-77!q"]);
    assert_eq!(code, 0, "{transcript}");
    assert!(
        transcript.contains("Password for current.pfx: "),
        "{transcript}"
    );
    assert!(
        transcript.contains("Password for next.pfx: "),
        "{transcript}"
    );
    assert_eq!(transcript.matches("\"kid\"").count(), 2, "{transcript}");
    // A wrong answer is exit 3.
    let (code, transcript) = under_terminal(root, "jwks next.pfx", &["Wrong-Pass-11!x"]);
    assert_eq!(code, 3, "{transcript}");
}
