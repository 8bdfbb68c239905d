//! PBMAC1 (RFC 9579) through the binary: the RFC's test vectors and files
//! with the shortest (20-byte) and longest (64-byte) MAC keys accepted go
//! through `inspect` and `verify`, which must verify the MAC and say that
//! .NET cannot load such a file (`dotnet-loader-limits` fails, with the
//! reason).

use crate::common;

use crate::common::{TempDir, fixtures, pfxgen};
use pfxgen_asn1::writer as d;
use pfxgen_pkcs12::{Hash, Limits, MacStatus, Password, Pfx, kdf, oid, testing};

const RFC9579: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../pkcs12/tests/examples/rfc9579/"
);
const PW: &str = "1234";

fn rfc_file(name: &str) -> String {
    format!("{RFC9579}{name}.p12")
}

fn with_password(args: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    v.extend(["--password-env".to_owned(), "PFXGEN_TEST_PW".to_owned()]);
    v
}

fn run(dir: &TempDir, args: &[&str], password: &str) -> common::Run {
    let args = with_password(args);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    pfxgen(dir.path(), &args, Some(password))
}

#[test]
fn rfc9579_valid_vectors_verify_their_mac_and_fail_the_dotnet_check() {
    let dir = TempDir::new("pbmac1-rfc");
    for (name, mac_line, check_line) in [
        (
            "a1_pbmac1_sha256",
            "MAC:       PBMAC1 SHA256, 2048 iterations",
            "PBMAC1 using PBKDF2 (PRF hmacWithSHA256), HMAC-SHA256, Iteration 2048",
        ),
        (
            "a2_pbmac1_sha256_sha512",
            "MAC:       PBMAC1 SHA256, 2048 iterations",
            "PBMAC1 using PBKDF2 (PRF hmacWithSHA512), HMAC-SHA256, Iteration 2048",
        ),
        (
            "a3_pbmac1_sha512",
            "MAC:       PBMAC1 SHA512, 2048 iterations",
            "PBMAC1 using PBKDF2 (PRF hmacWithSHA512), HMAC-SHA512, Iteration 2048",
        ),
    ] {
        let file = rfc_file(name);
        let inspect = run(&dir, &["inspect", &file], PW).success();
        inspect.stdout_has(mac_line);
        inspect.stdout_has("verified (as given)");
        inspect.stdout_has(
            ".NET 9 default loader limits:    EXCEEDED: .NET does not implement PBMAC1 MACs",
        );
        inspect.stdout_has("the MAC is PBMAC1, which old Windows does not know");
        // verify: the MAC passes; .NET's check fails with the reason (the
        // RFC's certificate has also expired, which fails `validity`).
        let verify = run(&dir, &["verify", &file], PW).fails_with(1);
        verify.stdout_has(&format!(
            "PASS  mac                      MAC verified ({check_line})"
        ));
        verify.stdout_has("FAIL  dotnet-loader-limits     .NET does not implement PBMAC1 MACs");
        // The wrong password is told apart from an altered file.
        run(&dir, &["verify", &file], "12345")
            .fails_with(3)
            .stderr_contains("wrong password");
    }
}

#[test]
fn rfc9579_invalid_vectors_are_refused_by_inspect_and_verify() {
    let dir = TempDir::new("pbmac1-rfc-bad");
    // A.4: iterationCount 2049 where the MAC used 2048; A.5: the real salt
    // only in MacData.macSalt. Both: the password decrypts, the MAC fails.
    for name in ["a4_invalid_iteration_count", "a5_invalid_salt"] {
        for command in ["inspect", "verify"] {
            run(&dir, &[command, &rfc_file(name)], PW)
                .fails_with(4)
                .stderr_contains("integrity check failed");
        }
    }
    // A.6: no keyLength, refused before any derivation.
    for command in ["inspect", "verify"] {
        run(&dir, &[command, &rfc_file("a6_missing_key_length")], PW)
            .fails_with(4)
            .stderr_contains("keyLength")
            .stderr_contains("missing (RFC 9579 requires it)");
    }
}

/// A PFX with a key, its certificate and a PBMAC1 MacData (PBKDF2 with
/// `prf`, 2048 iterations, a `key_length`-byte key; HMAC with `mac_hash`).
fn pbmac1_pfx(password: &str, key_length: usize, prf: Hash, mac_hash: Hash) -> Vec<u8> {
    let (key, cert) = fixtures::p256_identity();
    let id = testing::local_key_id(&[1]);
    let bags = [
        testing::key_bag(&key.to_pkcs8_der().unwrap(), std::slice::from_ref(&id)),
        testing::cert_bag(cert.der(), std::slice::from_ref(&id)),
    ];
    let auth_safe =
        testing::safe_contents(&[testing::data_content(&testing::safe_contents(&bags))]);
    let salt = [5u8; 16];
    let mac_key = kdf::pbkdf2(prf, password.as_bytes(), &salt, 2048, key_length);
    let mac = kdf::hmac(mac_hash, &mac_key, &auth_safe);
    let kdf_params = d::sequence(&[
        &d::octet_string(&salt),
        &d::integer_u64(2048),
        &d::integer_u64(key_length as u64),
        &d::sequence(&[&d::oid(&prf.hmac_oid()), &d::null()]),
    ]);
    let alg = d::sequence(&[
        &d::oid(&oid::PBMAC1),
        &d::sequence(&[
            &d::sequence(&[&d::oid(&oid::PBKDF2), &kdf_params]),
            &d::sequence(&[&d::oid(&mac_hash.hmac_oid()), &d::null()]),
        ]),
    ]);
    let mac_data = d::sequence(&[
        &d::sequence(&[&alg, &d::octet_string(&mac)]),
        &d::octet_string(b"NOT USED"),
        &d::integer_u64(1),
    ]);
    testing::pfx_with(
        &d::integer_u64(3),
        &testing::data_content(&auth_safe),
        Some(&mac_data),
    )
}

#[test]
fn pbmac1_keys_of_20_and_64_bytes_verify_and_19_is_refused() {
    let dir = TempDir::new("pbmac1-keylen");
    let password = "Pbmac1-Key-Length-1!";
    for (key_length, prf, mac_hash) in [
        (20, Hash::Sha256, Hash::Sha256),
        (64, Hash::Sha256, Hash::Sha256),
        (64, Hash::Sha512, Hash::Sha512),
    ] {
        let name = format!("k{key_length}-{}.pfx", prf.name());
        let bytes = pbmac1_pfx(password, key_length, prf, mac_hash);
        // The library verifies it.
        let opened = Pfx::parse(&bytes, &Limits::default())
            .unwrap()
            .open(&Password::from_str_copy(password), &Limits::default())
            .unwrap();
        assert!(matches!(opened.mac, MacStatus::Verified(_)), "{name}");
        std::fs::write(dir.join(&name), &bytes).unwrap();
        let verify = run(&dir, &["verify", &name], password).fails_with(1);
        verify.stdout_has("PASS  mac ");
        verify.stdout_has("FAIL  dotnet-loader-limits     .NET does not implement PBMAC1 MACs");
        verify.stdout_has("FAILED: 1 of 9 checks");
        run(&dir, &["inspect", &name], password).success();
        // One byte of the authenticated contents changed: the MAC fails.
        // (The middle of the file is inside the certificate's bag.)
        let mut altered = bytes.clone();
        altered[bytes.len() / 2] ^= 0x01;
        std::fs::write(dir.join("altered.pfx"), &altered).unwrap();
        // Nothing is encrypted, so pfxgen cannot tell an altered file from
        // a wrong password, and says so.
        run(&dir, &["verify", "altered.pfx"], password)
            .fails_with(3)
            .stderr_contains("the integrity check (MAC) fails");
    }
    // 19 bytes: below RFC 9579's advice, refused when reading.
    std::fs::write(
        dir.join("k19.pfx"),
        pbmac1_pfx(password, 19, Hash::Sha256, Hash::Sha256),
    )
    .unwrap();
    run(&dir, &["inspect", "k19.pfx"], password)
        .fails_with(4)
        .stderr_contains("19 bytes is outside 20..=64");
}
