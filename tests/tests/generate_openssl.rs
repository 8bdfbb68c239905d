//! `pfxgen generate` output, checked with the real `openssl` command line.
//!
//! For every key algorithm x profile x {ASCII, non-ASCII, empty} password:
//! the PFX opens with the right password and not with a wrong one; `openssl
//! pkcs12 -info` shows the promised schemes and iteration counts; the key
//! passes `openssl pkey -check` and matches the certificate; the certificate
//! verifies against itself and has the promised signature algorithm,
//! validity and extensions; data signed with the key verifies with the
//! certificate; and pfxgen's reported thumbprint is OpenSSL's.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
#![allow(clippy::panic)]

use pfxgen_interop::{
    openssl, openssl_ok, openssl_ok_with, openssl_sha1_thumbprint, require_openssl,
};
use pfxgen_test_support::{TempDir, argv, pfxgen};

const ASCII: &str = "Correct-Horse-Battery-9!";
const NON_ASCII: &str = "Pässwörd€-2026!x";
const DAYS: u64 = 30;

struct Case {
    algorithm: &'static str,
    profile: &'static str,
}

impl Case {
    fn signature_algorithm(&self) -> &'static str {
        match self.algorithm {
            "ecdsa-p256" => "ecdsa-with-SHA256",
            "ecdsa-p384" => "ecdsa-with-SHA384",
            "ecdsa-p521" => "ecdsa-with-SHA512",
            _ => "sha256WithRSAEncryption",
        }
    }

    fn digest(&self) -> &'static str {
        match self.algorithm {
            "ecdsa-p384" => "-sha384",
            "ecdsa-p521" => "-sha512",
            _ => "-sha256",
        }
    }

    fn key_description(&self) -> &'static str {
        match self.algorithm {
            "rsa-2048" => "Private-Key: (2048 bit",
            "rsa-3072" => "Private-Key: (3072 bit",
            "rsa-4096" => "Private-Key: (4096 bit",
            "ecdsa-p256" => "ASN1 OID: prime256v1",
            "ecdsa-p384" => "ASN1 OID: secp384r1",
            _ => "ASN1 OID: secp521r1",
        }
    }
}

/// `2026-11-29T19:34:40Z` as OpenSSL prints it: `Nov 29 19:34:40 2026 GMT`.
fn openssl_date(rfc3339: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month: usize = rfc3339[5..7].parse().unwrap();
    let day: u32 = rfc3339[8..10].parse().unwrap();
    format!(
        "{} {:>2} {} {} GMT",
        MONTHS[month - 1],
        day,
        &rfc3339[11..19],
        &rfc3339[0..4]
    )
}

/// Pulls `"key": "value"` out of pfxgen's JSON output.
fn json_field(json: &str, key: &str) -> String {
    let needle = format!("\"{key}\": \"");
    let start = json
        .find(&needle)
        .unwrap_or_else(|| panic!("{key} missing in {json}"))
        + needle.len();
    json[start..].split('"').next().unwrap().to_owned()
}

fn check(case: &Case, password: &str) {
    let dir = TempDir::new("gen-openssl");
    let d = dir.path();
    let secret = (!password.is_empty()).then_some(password);
    let mut args = vec![
        "generate",
        "--algorithm",
        case.algorithm,
        "--profile",
        case.profile,
        "--days",
        "30",
        "--out",
        ".",
        "--name",
        "t.pfx",
        "--json",
    ];
    if secret.is_some() {
        args.extend(["--password-env", "PFXGEN_TEST_PW"]);
    } else {
        args.push("--no-password");
    }
    let made = pfxgen(d, &args, secret).success();
    let json = made.stdout();
    let label = format!("{} {} password={password:?}", case.algorithm, case.profile);
    let has = |text: &str, needle: &str| {
        assert!(text.contains(needle), "{label}: lacks {needle:?}\n{text}");
    };

    // Opens with the right password; shows the promised schemes.
    let passin = if secret.is_some() {
        "env:PFXGEN_TEST_PW"
    } else {
        "pass:"
    };
    let info = openssl_ok_with(
        d,
        &format!("pkcs12 -info -noout -in t.pfx -passin {passin}"),
        secret,
    );
    let info_text = info.stderr() + &info.stdout();
    let iterations = if secret.is_some() { 200_000 } else { 2048 };
    let (mac, scheme) = match case.profile {
        "modern" => (
            format!("MAC: sha256, Iteration {iterations}"),
            format!("PBES2, PBKDF2, AES-256-CBC, Iteration {iterations}, PRF hmacWithSHA256"),
        ),
        _ => (
            format!("MAC: sha1, Iteration {iterations}"),
            format!("pbeWithSHA1And3-KeyTripleDES-CBC, Iteration {iterations}"),
        ),
    };
    has(&info_text, &mac);
    has(&info_text, &format!("PKCS7 Encrypted data: {scheme}"));
    has(&info_text, &format!("Shrouded Keybag: {scheme}"));
    assert!(!info_text.contains("RC2"), "{label}: no RC2 anywhere");
    let salt = if case.profile == "modern" {
        "salt length: 16"
    } else {
        "salt length: 8"
    };
    has(&info_text, salt);

    // A wrong password fails.
    let wrong = openssl(
        d,
        &argv("pkcs12 -info -noout -in t.pfx -passin env:PFXGEN_TEST_PW"),
        Some("Wrong-Password-1!"),
    );
    assert!(
        !wrong.output.status.success(),
        "{label}: a wrong password opened the file\n{}",
        wrong.describe()
    );
    has(&wrong.stderr(), "Mac verify error");

    // Key and certificate out.
    openssl_ok_with(
        d,
        &format!("pkcs12 -in t.pfx -nocerts -nodes -passin {passin} -out key.pem"),
        secret,
    );
    openssl_ok_with(
        d,
        &format!("pkcs12 -in t.pfx -nokeys -clcerts -passin {passin} -out cert.pem"),
        secret,
    );
    let check_key = openssl_ok(d, "pkey -in key.pem -check -noout").stdout();
    has(&check_key, "Key is valid");
    let key_text = openssl_ok(d, "pkey -in key.pem -noout -text").stdout();
    has(&key_text, case.key_description());

    // The key matches the certificate.
    let from_key = openssl_ok(d, "pkey -in key.pem -pubout").stdout();
    let from_cert = openssl_ok(d, "x509 -in cert.pem -noout -pubkey").stdout();
    assert_eq!(from_key, from_cert, "{label}: key and certificate differ");
    std::fs::write(d.join("pub.pem"), &from_cert).unwrap();

    // The self-signature verifies.
    let verify = openssl_ok(d, "verify -check_ss_sig -CAfile cert.pem cert.pem").stdout();
    has(&verify, "cert.pem: OK");

    // Signature algorithm, extensions, no EKU.
    let text = openssl_ok(d, "x509 -in cert.pem -noout -text").stdout();
    has(
        &text,
        &format!("Signature Algorithm: {}", case.signature_algorithm()),
    );
    has(&text, "Version: 3 (0x2)");
    has(
        &text,
        "X509v3 Basic Constraints: critical\n                CA:FALSE",
    );
    has(
        &text,
        "X509v3 Key Usage: critical\n                Digital Signature\n",
    );
    has(&text, "X509v3 Subject Key Identifier");
    has(&text, "X509v3 Authority Key Identifier");
    assert!(
        !text.contains("Extended Key Usage"),
        "{label}: no EKU by default\n{text}"
    );

    // Validity: starts when pfxgen says, ends 30 days later.
    let dates = openssl_ok(d, "x509 -in cert.pem -noout -startdate -enddate").stdout();
    assert!(
        dates.contains(&format!(
            "notBefore={}",
            openssl_date(&json_field(&json, "not_before"))
        )),
        "{label}\n{dates}\n{json}"
    );
    assert!(
        dates.contains(&format!(
            "notAfter={}",
            openssl_date(&json_field(&json, "not_after"))
        )),
        "{label}\n{dates}\n{json}"
    );
    let secs = DAYS * 86_400;
    let checkend = |seconds: u64| {
        let line = format!("x509 -in cert.pem -noout -checkend {seconds}");
        openssl(d, &argv(&line), None)
    };
    checkend(secs - 120).success();
    checkend(secs + 120).fails_with(1);

    // pfxgen's thumbprint is OpenSSL's SHA-1 fingerprint.
    let openssl_thumbprint = openssl_sha1_thumbprint(d, "cert.pem");
    assert_eq!(
        openssl_thumbprint,
        json_field(&json, "sha1_thumbprint"),
        "{label}"
    );

    // Data signed with the extracted key verifies with the certificate.
    std::fs::write(d.join("data.txt"), b"header.payload").unwrap();
    openssl(
        d,
        &[
            "dgst",
            case.digest(),
            "-sign",
            "key.pem",
            "-out",
            "sig.bin",
            "data.txt",
        ],
        None,
    )
    .success();
    let ok = openssl(
        d,
        &[
            "dgst",
            case.digest(),
            "-verify",
            "pub.pem",
            "-signature",
            "sig.bin",
            "data.txt",
        ],
        None,
    )
    .success();
    assert!(
        ok.stdout().contains("Verified OK"),
        "{label}\n{}",
        ok.describe()
    );
}

fn all_passwords(algorithm: &'static str, profile: &'static str) {
    require_openssl();
    let case = Case { algorithm, profile };
    for password in [ASCII, NON_ASCII, ""] {
        check(&case, password);
    }
}

#[test]
fn rsa_2048_modern() {
    all_passwords("rsa-2048", "modern");
}
#[test]
fn rsa_2048_compat() {
    all_passwords("rsa-2048", "compat");
}
#[test]
fn rsa_3072_modern() {
    all_passwords("rsa-3072", "modern");
}
#[test]
fn rsa_3072_compat() {
    all_passwords("rsa-3072", "compat");
}
#[test]
fn rsa_4096_modern() {
    all_passwords("rsa-4096", "modern");
}
#[test]
fn rsa_4096_compat() {
    all_passwords("rsa-4096", "compat");
}
#[test]
fn ecdsa_p256_modern() {
    all_passwords("ecdsa-p256", "modern");
}
#[test]
fn ecdsa_p256_compat() {
    all_passwords("ecdsa-p256", "compat");
}
#[test]
fn ecdsa_p384_modern() {
    all_passwords("ecdsa-p384", "modern");
}
#[test]
fn ecdsa_p384_compat() {
    all_passwords("ecdsa-p384", "compat");
}
#[test]
fn ecdsa_p521_modern() {
    all_passwords("ecdsa-p521", "modern");
}
#[test]
fn ecdsa_p521_compat() {
    all_passwords("ecdsa-p521", "compat");
}

#[test]
fn pfxgen_reads_what_it_wrote_with_a_non_ascii_password_and_openssl_agrees_on_the_key() {
    require_openssl();
    // Cross-check in the other direction: OpenSSL re-exports our key and
    // certificate into its own PFX; our library opens OpenSSL's file.
    let dir = TempDir::new("gen-reexport");
    let d = dir.path();
    pfxgen(
        d,
        &argv("generate --algorithm ecdsa-p256 --out . --password-env PFXGEN_TEST_PW"),
        Some(NON_ASCII),
    )
    .success();
    openssl_ok_with(
        d,
        "pkcs12 -in openssl.pfx -nodes -passin env:PFXGEN_TEST_PW -out all.pem",
        Some(NON_ASCII),
    );
    openssl_ok_with(
        d,
        "pkcs12 -export -in all.pem -out theirs.pfx -passout env:PFXGEN_TEST_PW",
        Some(NON_ASCII),
    );
    let ours = std::fs::read(d.join("openssl.pfx")).unwrap();
    let theirs = std::fs::read(d.join("theirs.pfx")).unwrap();
    let limits = pfxgen_pkcs12::Limits::default();
    let pw = pfxgen_pkcs12::Password::from_str_copy(NON_ASCII);
    let a = pfxgen_pkcs12::Pfx::parse(&ours, &limits)
        .unwrap()
        .open(&pw, &limits)
        .unwrap();
    let b = pfxgen_pkcs12::Pfx::parse(&theirs, &limits)
        .unwrap()
        .open(&pw, &limits)
        .unwrap();
    let cert_a = a.certificates[0].certificate.as_ref().unwrap();
    let cert_b = b.certificates[0].certificate.as_ref().unwrap();
    assert_eq!(cert_a, cert_b);
    let key_b = b.keys[0].key.as_ref().unwrap();
    assert!(key_b.matches(&cert_a.public_key().unwrap()));
}
