//! `audit` and `jwks` on certificates made with the `openssl` CLI: a key
//! re-used under two certificates is found, and the JWK numbers are the ones
//! OpenSSL prints for the key.

use pfxgen_interop::{
    concat_files, openssl_ok, openssl_ok_with, openssl_scratch, openssl_sha1_thumbprint,
};
use pfxgen_test_support::{argv, pfxgen};

const PW: &str = "Interop-Audit-7!";

#[test]
fn audit_finds_an_openssl_key_reused_under_two_certificates() {
    let dir = openssl_scratch("audit-openssl");
    let d = dir.path();
    openssl_ok(
        d,
        "genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out shared.key",
    );
    for env in ["blue", "green"] {
        std::fs::create_dir(d.join(env)).unwrap();
        std::fs::write(
            d.join(env).join("appsettings.json"),
            "{ \"X509CertificatePath\": \"openssl.pfx\" }",
        )
        .unwrap();
        let crt = format!("{env}.crt");
        let subj = format!("/CN={env}");
        openssl_ok(
            d,
            &format!("req -x509 -key shared.key -out {crt} -days 400 -subj {subj}"),
        );
        let out = format!("{env}/openssl.pfx");
        openssl_ok_with(
            d,
            &format!(
                "pkcs12 -export -inkey shared.key -in {crt} -out {out} -passout \
                env:PFXGEN_TEST_PW"
            ),
            Some(PW),
        );
    }
    std::fs::write(d.join("map"), "* env:PFXGEN_TEST_PW\n").unwrap();
    let run = pfxgen(d, &argv("audit blue green --passwords map"), Some(PW)).fails_with(1);
    let out = run.stdout();
    assert!(
        out.contains("REUSE       the same public key is in 2 different certificates"),
        "{}",
        run.describe()
    );
    assert!(!out.contains("the same certificate"), "{}", run.describe());
}

#[test]
fn jwks_numbers_match_openssl() {
    let dir = openssl_scratch("jwks-openssl");
    let d = dir.path();
    openssl_ok(
        d,
        "req -x509 -nodes -newkey rsa:2048 -keyout k.pem -out c.pem -days 400 -subj \
            /CN=jwks",
    );
    let run = pfxgen(d, &["jwks", "c.pem"], None).success();
    let jwk = run.stdout();
    // OpenSSL's modulus, hex, against the JWK's n (base64url).
    let modulus = openssl_ok(d, "x509 -in c.pem -noout -modulus").stdout();
    let hex = modulus
        .trim()
        .trim_start_matches("Modulus=")
        .to_ascii_lowercase();
    let n_start = jwk.find("\"n\": \"").unwrap() + 6;
    let n = &jwk[n_start..n_start + jwk[n_start..].find('"').unwrap()];
    let bytes = pfxgen::b64::decode_url(n).unwrap();
    let ours: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(ours, hex);
    // kid is OpenSSL's SHA-1 fingerprint.
    let kid = openssl_sha1_thumbprint(d, "c.pem");
    assert!(jwk.contains(&format!("\"kid\": \"{kid}\"")), "{jwk}");
    assert!(jwk.contains("\"e\": \"AQAB\""));

    // A bundle of the current and the next certificate (both self-signed,
    // and CA:TRUE as `openssl req -x509` makes them) publishes both; the
    // same certificate named twice is published once.
    openssl_ok(
        d,
        "req -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout k2.pem \
            -out c2.pem -days 400 -subj /CN=next",
    );
    concat_files(d, &["c.pem", "c2.pem"], "bundle.pem");
    let run = pfxgen(d, &["jwks", "bundle.pem", "c.pem"], None).success();
    let out = run.stdout();
    assert_eq!(out.matches("\"kid\"").count(), 2, "{}", run.describe());
    assert!(out.contains("\"alg\": \"RS256\"") && out.contains("\"alg\": \"ES256\""));
    run.stderr_has("already in the set");
    // A damaged block fails the whole file rather than publishing part.
    let text = std::fs::read_to_string(d.join("bundle.pem")).unwrap();
    let cut = text.len() - 100;
    std::fs::write(d.join("cut.pem"), &text[..cut]).unwrap();
    let run = pfxgen(d, &["jwks", "cut.pem"], None).fails_with(4);
    run.stderr_has("PEM certificate block 2 is damaged");
}
