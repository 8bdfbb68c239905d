//! Round trip: every file `pfxgen generate` makes (all algorithms, both
//! profiles, empty/ASCII/non-ASCII passwords) inspects and verifies; and the
//! behaviour of `verify` on validity windows and damaged input.

use crate::common::{TempDir, pfxgen};

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
            let mut args = vec![
                "generate",
                "--algorithm",
                algorithm,
                "--profile",
                profile,
                "--name",
                &name,
            ];
            if password.is_empty() {
                args.push("--no-password");
            } else {
                args.extend(["--password-env", "PFXGEN_TEST_PW"]);
            }
            let secret = (!password.is_empty()).then_some(password);
            pfxgen(d, &args, secret).success();

            let mut v = vec!["verify", name.as_str(), "--json"];
            if secret.is_some() {
                v.extend(["--password-env", "PFXGEN_TEST_PW"]);
            }
            let run = pfxgen(d, &v, secret).success();
            assert!(run.stdout().contains("\"ok\": true"), "{}", run.describe());
            assert!(
                run.stdout().contains(&format!("\"jws_alg\": \"{jws}\"")),
                "{}",
                run.describe()
            );

            let mut i = vec!["inspect", name.as_str()];
            if secret.is_some() {
                i.extend(["--password-env", "PFXGEN_TEST_PW"]);
            }
            let run = pfxgen(d, &i, secret).success();
            let out = run.stdout();
            assert!(
                out.contains(&format!(
                    "Identity server:                 supported ({jws})"
                )),
                "{}",
                run.describe()
            );
            assert!(
                out.contains(".NET 9 default loader limits:    within"),
                "{}",
                run.describe()
            );
            let legacy_ok = out.contains("Windows Server 2016 / 10 < 1709: can import");
            assert_eq!(legacy_ok, profile == "compat", "{}", run.describe());
            assert!(
                out.contains("ends at a self-signed certificate; signatures verify"),
                "{}",
                run.describe()
            );
            assert!(
                !out.contains(password) || password.is_empty(),
                "password printed"
            );
        }
    }
}

#[test]
fn round_trip_rsa_2048() {
    round_trip(ALGORITHMS[0].0, ALGORITHMS[0].1);
}
#[test]
fn round_trip_rsa_3072() {
    round_trip(ALGORITHMS[1].0, ALGORITHMS[1].1);
}
#[test]
fn round_trip_rsa_4096() {
    round_trip(ALGORITHMS[2].0, ALGORITHMS[2].1);
}
#[test]
fn round_trip_ecdsa_p256() {
    round_trip(ALGORITHMS[3].0, ALGORITHMS[3].1);
}
#[test]
fn round_trip_ecdsa_p384() {
    round_trip(ALGORITHMS[4].0, ALGORITHMS[4].1);
}
#[test]
fn round_trip_ecdsa_p521() {
    round_trip(ALGORITHMS[5].0, ALGORITHMS[5].1);
}

#[test]
fn min_days_is_enforced() {
    let dir = TempDir::new("mindays");
    let d = dir.path();
    pfxgen(
        d,
        &[
            "generate",
            "--algorithm",
            "ecdsa-p256",
            "--days",
            "10",
            "--no-password",
        ],
        None,
    )
    .success();
    let run = pfxgen(d, &["verify", "openssl.pfx"], None).fails_with(1);
    assert!(
        run.stdout().contains("FAIL  validity"),
        "{}",
        run.describe()
    );
    assert!(
        run.stdout().contains("expires in ")
            && run.stdout().contains("fewer than the 30 days required"),
        "{}",
        run.describe()
    );
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
    std::fs::write(d.join("empty.pfx"), b"").unwrap();
    pfxgen(d, &["inspect", "empty.pfx"], None).fails_with(4);
    pfxgen(d, &["inspect", "."], None)
        .fails_with(4)
        .stderr_contains("is a folder");
    pfxgen(d, &["inspect"], None).fails_with(2);
}

#[test]
fn wrong_password_is_exit_3_for_both() {
    let dir = TempDir::new("wrongpw");
    let d = dir.path();
    pfxgen(
        d,
        &[
            "generate",
            "--algorithm",
            "ecdsa-p256",
            "--password-env",
            "PFXGEN_TEST_PW",
        ],
        Some("Correct-Horse-Battery-9!"),
    )
    .success();
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
    assert!(
        run.stdout().contains("Password:  not given"),
        "{}",
        run.describe()
    );
    assert!(
        run.stdout().contains("#0 encryptedData: PBES2"),
        "{}",
        run.describe()
    );
}

/// Review finding: files .NET refuses or loads differently must fail verify.
/// (The same certificate stored twice is not one of them: .NET's loader
/// binds the key to each copy; only `EphemeralKeySet` refuses that, so it
/// is a warning.)
#[test]
fn verify_fails_layouts_dotnet_refuses() {
    use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
    use pfxgen_pkcs12::{Password, oid, testing};
    use pfxgen_x509::CertificateParams;
    let dir = TempDir::new("dotnet-layouts");
    let d = dir.path();
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let cert = CertificateParams::default().self_signed(&key).unwrap();
    let other = CertificateParams::default()
        .self_signed(&PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap())
        .unwrap();
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
                assert!(
                    run.stdout().contains(needle),
                    "{needle}\n{}",
                    run.describe()
                );
            }
            continue;
        }
        let run = run.fails_with(1);
        assert!(
            run.stdout().contains("FAIL  dotnet-loader-limits"),
            "{name}\n{}",
            run.describe()
        );
    }
}
