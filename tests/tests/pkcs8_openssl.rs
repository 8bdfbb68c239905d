//! The decryption schemes of the PFX reader, checked one by one against
//! encrypted PKCS#8 keys made by `openssl pkcs8 -topk8`: PBES2 with every
//! PBKDF2 PRF (HMAC-SHA1/224/256/384/512) and every CBC cipher (AES-128,
//! AES-192, AES-256, 3DES, DES), and the PKCS#12 PBE algorithms (3DES,
//! 2-key 3DES, RC2-128, RC2-40).

use pfxgen_interop::{openssl, openssl_ok, openssl_scratch};
use pfxgen_pkcs12::{Error, Limits, Password, decrypt_pkcs8};

const PW: &str = "Pkcs8-Interop-5!";

#[test]
fn every_pbes2_prf_and_cipher_and_every_pkcs12_pbe() {
    let dir = openssl_scratch("pkcs8");
    let d = dir.path();
    openssl_ok(
        d,
        "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out k.pem",
    );
    openssl_ok(d, "pkey -in k.pem -pubout -outform DER -out pub.der");
    let public =
        pfxgen_keygen::PublicKey::from_spki_der(&std::fs::read(d.join("pub.der")).unwrap())
            .unwrap();

    let mut schemes: Vec<Vec<String>> = Vec::new();
    for cipher in [
        "aes-128-cbc",
        "aes-192-cbc",
        "aes-256-cbc",
        "des3",
        "des-cbc",
    ] {
        for prf in [
            "hmacWithSHA1",
            "hmacWithSHA224",
            "hmacWithSHA256",
            "hmacWithSHA384",
            "hmacWithSHA512",
        ] {
            schemes.push(vec![
                "-v2".into(),
                cipher.into(),
                "-v2prf".into(),
                prf.into(),
            ]);
        }
    }
    for pbe in [
        "PBE-SHA1-3DES",
        "PBE-SHA1-2DES",
        "PBE-SHA1-RC2-128",
        "PBE-SHA1-RC2-40",
    ] {
        schemes.push(vec!["-v1".into(), pbe.into()]);
    }
    for (i, scheme) in schemes.iter().enumerate() {
        let out = format!("k{i}.p8");
        let mut args: Vec<String> = [
            "pkcs8",
            "-topk8",
            "-in",
            "k.pem",
            "-outform",
            "DER",
            "-out",
            &out,
            "-passout",
            "env:PFXGEN_TEST_PW",
            "-iter",
            "1000",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        args.extend(scheme.iter().cloned());
        // DES and RC2 need OpenSSL's legacy provider.
        if scheme
            .iter()
            .any(|s| s == "des-cbc" || s.contains("RC2") || s.contains("2DES"))
        {
            args.extend([
                "-provider".to_owned(),
                "legacy".to_owned(),
                "-provider".to_owned(),
                "default".to_owned(),
            ]);
        }
        openssl(d, &args, Some(PW)).success();
        let der = std::fs::read(d.join(&out)).unwrap();
        let key = decrypt_pkcs8(&der, &Password::from_str_copy(PW), &Limits::default())
            .unwrap_or_else(|e| panic!("{scheme:?}: {e}"));
        assert!(key.matches(&public), "{scheme:?}: a different key");
        let wrong = decrypt_pkcs8(&der, &Password::from_str_copy("wrong"), &Limits::default());
        assert!(
            matches!(wrong, Err(Error::DecryptionFailed { .. })),
            "{scheme:?}: {wrong:?}"
        );
    }
}
