//! Round trip: every file `pfxgen generate` makes (all algorithms, both
//! profiles, empty/ASCII/non-ASCII passwords) inspects and verifies; and the
//! behaviour of `verify` on validity windows and damaged input.

use crate::common::{TempDir, argv, fixtures, generate_p256, pfxgen};

const ALGORITHMS: [(&str, &str); 6] = [
    ("rsa-2048", "RS256"),
    ("rsa-3072", "RS256"),
    ("rsa-4096", "RS256"),
    ("ecdsa-p256", "ES256"),
    ("ecdsa-p384", "ES384"),
    ("ecdsa-p521", "ES512"),
];

fn round_trip(algorithm: &str, jws: &str) {
    let dir = TempDir::new(&format!("rt-{algorithm}"));
    let d = dir.path();
    for profile in ["modern", "compat"] {
        for password in ["Correct-Horse-Battery-9!", "Pässwörd€-2026!x", ""] {
            let name = format!("{profile}-{}.pfx", password.len());
            let line = format!(
                "generate --algorithm {algorithm} --profile {profile} --name \
                {name}"
            );
            let secret = (!password.is_empty()).then_some(password);
            let (password_args, new_password): (&[&str], &[&str]) = match secret {
                Some(_) => (&["--password-env", "PFXGEN_TEST_PW"], &[]),
                None => (&[], &["--no-password"]),
            };
            let generate = [&argv(&line)[..], password_args, new_password].concat();
            pfxgen(d, &generate, secret).success();

            let verify = [&["verify", &name, "--json"][..], password_args].concat();
            let run = pfxgen(d, &verify, secret).success();
            run.stdout_has("\"ok\": true");
            run.stdout_has(&format!("\"jws_alg\": \"{jws}\""));

            let inspect = [&["inspect", &name][..], password_args].concat();
            let run = pfxgen(d, &inspect, secret).success();
            let out = run.stdout();
            run.stdout_has(&format!(
                "Identity server:                 supported ({jws})"
            ));
            run.stdout_has(".NET 9 default loader limits:    within");
            let legacy_ok = out.contains("Windows Server 2016 / 10 < 1709: can import");
            assert_eq!(legacy_ok, profile == "compat", "{}", run.describe());
            run.stdout_has("ends at a self-signed certificate; signatures verify");
            assert!(
                !out.contains(password) || password.is_empty(),
                "password printed"
            );
        }
    }
}

/// One test per algorithm of [`ALGORITHMS`] (they run in parallel).
macro_rules! round_trip_tests {
    ($($name:ident: $index:literal,)*) => {$(
        #[test]
        fn $name() {
            let (algorithm, jws) = ALGORITHMS[$index];
            round_trip(algorithm, jws);
        }
    )*};
}

round_trip_tests! {
    round_trip_rsa_2048: 0,
    round_trip_rsa_3072: 1,
    round_trip_rsa_4096: 2,
    round_trip_ecdsa_p256: 3,
    round_trip_ecdsa_p384: 4,
    round_trip_ecdsa_p521: 5,
}

#[test]
fn min_days_is_enforced() {
    let dir = TempDir::new("mindays");
    let d = dir.path();
    generate_p256(d, "--days 10 --no-password", None);
    let run = pfxgen(d, &["verify", "openssl.pfx"], None).fails_with(1);
    run.stdout_has("FAIL  validity");
    run.stdout_has("expires in ");
    run.stdout_has("fewer than the 30 days required");
    pfxgen(d, &["verify", "openssl.pfx", "--min-days", "5"], None).success();
    pfxgen(d, &["verify", "openssl.pfx", "--min-days", "abc"], None).fails_with(2);
}

#[test]
fn missing_and_non_pfx_files() {
    let dir = TempDir::new("badfiles");
    let d = dir.path();
    pfxgen(d, &["verify", "nope.pfx"], None)
        .fails_with(4)
        .stderr_contains("does not exist");
    std::fs::write(d.join("text.pfx"), b"hello, I am not a PFX").unwrap();
    pfxgen(d, &["inspect", "text.pfx"], None)
        .fails_with(4)
        .stderr_contains("malformed PFX");
    // Issue 13: an empty file is called empty, not truncated ASN.1.
    std::fs::write(d.join("empty.pfx"), b"").unwrap();
    for command in ["inspect", "verify"] {
        let run = pfxgen(d, &[command, "empty.pfx"], None)
            .fails_with(4)
            .stderr_contains("empty.pfx: the file is empty (0 bytes), not a PKCS#12 file");
        run.stderr_lacks("BER");
    }
    pfxgen(d, &["inspect", "."], None)
        .fails_with(4)
        .stderr_contains("is a folder");
    pfxgen(d, &["inspect"], None).fails_with(2);
}

#[test]
fn wrong_password_is_exit_3_for_both() {
    let dir = TempDir::new("wrongpw");
    let d = dir.path();
    generate_p256(
        d,
        "--password-env PFXGEN_TEST_PW",
        Some("Correct-Horse-Battery-9!"),
    );
    for cmd in ["inspect", "verify"] {
        pfxgen(
            d,
            &[cmd, "openssl.pfx", "--password-env", "PFXGEN_TEST_PW"],
            Some("wrong"),
        )
        .fails_with(3)
        .stderr_contains("wrong password");
    }
    // No password and no terminal: verify refuses, inspect shows the structure.
    pfxgen(d, &["verify", "openssl.pfx"], None).fails_with(3);
    let run = pfxgen(d, &["inspect", "openssl.pfx"], None).success();
    run.stdout_has("Password:  not given");
    run.stdout_has("#0 encryptedData: PBES2");
}

/// Review finding: files .NET refuses or loads differently must fail verify.
/// (The same certificate stored twice is not one of them: .NET's loader
/// binds the key to each copy; only `EphemeralKeySet` refuses that, so it
/// is a warning.)
#[test]
fn verify_fails_layouts_dotnet_refuses() {
    use pfxgen_pkcs12::{Password, oid, testing};
    let dir = TempDir::new("dotnet-layouts");
    let d = dir.path();
    let (key, cert) = fixtures::p256_identity();
    let other = fixtures::p256_identity().1;
    let pkcs8 = key.to_pkcs8_der().unwrap();
    let id = [0x01];
    let pw = Password::from_str_copy("Layout-Pass-1!");
    let cases: [(&str, Vec<Vec<u8>>); 3] = [
        // The key's localKeyId names the other certificate.
        (
            "crossed",
            vec![
                testing::key_bag(&pkcs8, &[testing::local_key_id(&id)]),
                testing::cert_bag(other.der(), &[testing::local_key_id(&id)]),
                testing::cert_bag(cert.der(), &[]),
            ],
        ),
        // The same certificate twice.
        (
            "twice",
            vec![
                testing::key_bag(&pkcs8, &[testing::local_key_id(&id)]),
                testing::cert_bag(cert.der(), &[testing::local_key_id(&id)]),
                testing::cert_bag(cert.der(), &[]),
            ],
        ),
        // The certificate only inside a nested safeContentsBag.
        (
            "nested",
            vec![
                testing::key_bag(&pkcs8, &[]),
                testing::safe_bag(
                    &oid::SAFE_CONTENTS_BAG,
                    &testing::safe_contents(&[testing::cert_bag(cert.der(), &[])]),
                    &[],
                ),
            ],
        ),
    ];
    for (name, bags) in cases {
        let file = format!("{name}.pfx");
        let bytes = testing::pfx(
            &[testing::data_content(&testing::safe_contents(&bags))],
            &pw,
            2048,
        );
        std::fs::write(d.join(&file), bytes).unwrap();
        let run = pfxgen(
            d,
            &["verify", &file, "--password-env", "PFXGEN_TEST_PW"],
            Some("Layout-Pass-1!"),
        );
        if name == "twice" {
            let run = run.success();
            for needle in [
                "PASS  dotnet-loader-limits",
                "warning: certificate in bag 1 is stored 2 times (bags 1, 2): .NET loads the \
                 file, but refuses it with X509KeyStorageFlags.EphemeralKeySet",
            ] {
                run.stdout_has(needle);
            }
            continue;
        }
        let run = run.fails_with(1);
        run.stdout_has("FAIL  dotnet-loader-limits");
    }
}

/// Issue 13: `rotate` (the current file) and `audit` name an empty file as
/// such too; both read it through pfxgen-core's `files::open`.
#[test]
fn rotate_and_audit_call_an_empty_file_empty() {
    let dir = TempDir::new("empty-current");
    let d = dir.path();
    std::fs::create_dir(d.join("svc")).unwrap();
    std::fs::write(d.join("svc/appsettings.json"), "{}").unwrap();
    std::fs::write(d.join("svc/openssl.pfx"), b"").unwrap();
    let pw = "Correct-Horse-9!";
    let secret = Some(pw);
    generate_p256(d, "--name new.pfx --password-env PFXGEN_TEST_PW", secret);
    let rotate = argv("rotate --service-dir svc --from new.pfx --password-env PFXGEN_TEST_PW");
    pfxgen(d, &rotate, secret)
        .fails_with(4)
        .stderr_contains("openssl.pfx: the file is empty (0 bytes), not a PKCS#12 file");
    assert!(std::fs::read(d.join("svc/openssl.pfx")).unwrap().is_empty());
    let audit = pfxgen(d, &["audit", "svc"], None).fails_with(1);
    audit.stdout_has("UNREADABLE  the file is empty (0 bytes), not a PKCS#12 file");
}

/// Issue 13: bytes after the end of a PFX are a warning (OpenSSL and .NET
/// ignore them), for `inspect` and `verify` alike, text and JSON.
#[test]
fn trailing_bytes_are_a_warning_not_an_error() {
    let dir = TempDir::new("trailing");
    let d = dir.path();
    let pw = Some("Correct-Horse-9!");
    let args = ["--password-env", "PFXGEN_TEST_PW"];
    generate_p256(d, "--password-env PFXGEN_TEST_PW", pw);
    let mut bytes = std::fs::read(d.join("openssl.pfx")).unwrap();
    bytes.extend_from_slice(b"garbage\n");
    std::fs::write(d.join("tail.pfx"), bytes).unwrap();
    let warning = "8 bytes after the end of the PFX ignored (not covered by the MAC";
    let verify = pfxgen(d, &[&["verify", "tail.pfx"][..], &args].concat(), pw).success();
    verify.stdout_has(&format!("  warning: {warning}"));
    let inspect = pfxgen(d, &[&["inspect", "tail.pfx"][..], &args].concat(), pw).success();
    inspect.stdout_has(&format!("  - {warning}"));
    let json = pfxgen(
        d,
        &[&["verify", "tail.pfx", "--json"][..], &args].concat(),
        pw,
    )
    .success();
    json.stdout_has("\"ok\": true");
    json.stdout_has(warning);
}

/// Issue 13: `--subject "CN=a; O=b"` and `"CN=x+OU=y"` are refused with a
/// message naming the accepted forms, never turned into one CN; escaped,
/// the characters are part of a value.
#[test]
fn generate_refuses_separators_it_would_fold_into_one_cn() {
    let dir = TempDir::new("subject-separators");
    let d = dir.path();
    let pw = Some("Correct-Horse-9!");
    let base = argv("generate --algorithm ecdsa-p256 --password-env PFXGEN_TEST_PW");
    for (subject, needle) in [
        (
            "CN=a; O=b",
            "';' does not separate attributes: use ',' (CN=a,O=b) or OpenSSL's form (/O=b/CN=a)",
        ),
        (
            "CN=x+OU=y",
            "'+' would join attributes into one multi-valued RDN",
        ),
        ("/OU=y+CN=x", "multi-valued RDN"),
    ] {
        pfxgen(d, &[&base[..], &["--subject", subject]].concat(), pw)
            .fails_with(2)
            .stderr_contains(needle);
        assert!(!d.join("openssl.pfx").exists(), "{subject}");
    }
    pfxgen(
        d,
        &[&base[..], &["--subject", r"CN=x\+y\; z,O=b"]].concat(),
        pw,
    )
    .success();
    let run = pfxgen(
        d,
        &["inspect", "openssl.pfx", "--password-env", "PFXGEN_TEST_PW"],
        pw,
    )
    .success();
    run.stdout_has(r"Subject:     CN=x\+y\; z,O=b");
}
