//! Key files and certificate files: every form round-trips, and hostile or
//! mislabelled input is refused with a precise error, never a panic.

#![allow(clippy::indexing_slicing)]

use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
use pfxgen_pkcs12::{
    Error, KeyFile, KeyForm, Limits, Password, encrypt_pkcs8, pem::to_pem, pkcs7_certs_only,
    read_certificate_file,
};
use pfxgen_x509::CertificateParams;

fn limits() -> Limits {
    Limits::default()
}

#[test]
fn plain_pkcs8_der_and_pem() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let der = key.to_pkcs8_der().unwrap();
    let file = KeyFile::parse(&der, &limits()).unwrap();
    assert_eq!(file.form(), KeyForm::Pkcs8);
    assert!(!file.is_pem() && !file.is_encrypted());
    assert!(
        file.load(None, &limits())
            .unwrap()
            .matches(&key.public_key())
    );
    let pem = to_pem("PRIVATE KEY", &der).unwrap();
    let file = KeyFile::parse(pem.as_bytes(), &limits()).unwrap();
    assert!(file.is_pem());
    assert!(
        file.load(None, &limits())
            .unwrap()
            .matches(&key.public_key())
    );
}

#[test]
fn encrypted_pkcs8_needs_the_right_password() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP384).unwrap();
    let pw = Password::from_str_copy("Key-File-Test-7!");
    let der = encrypt_pkcs8(&key, &pw, 1000).unwrap();
    let pem = to_pem("ENCRYPTED PRIVATE KEY", &der).unwrap();
    let file = KeyFile::parse(pem.as_bytes(), &limits()).unwrap();
    assert!(file.is_encrypted());
    assert!(matches!(
        file.load(None, &limits()),
        Err(Error::PasswordRequired)
    ));
    assert!(matches!(
        file.load(Some(&Password::from_str_copy("wrong")), &limits()),
        Err(Error::DecryptionFailed { .. })
    ));
    let loaded = file.load(Some(&pw), &limits()).unwrap();
    assert!(loaded.matches(&key.public_key()));
    assert!(encrypt_pkcs8(&key, &Password::empty(), 1000).is_err());
    assert!(encrypt_pkcs8(&key, &pw, 10).is_err());
}

/// The PKCS#1 `RSAPrivateKey` inside an RSA PKCS#8 key (2048-bit layout:
/// 4-byte header, version, 15-byte AlgorithmIdentifier, 4-byte OCTET STRING header).
fn pkcs1_of(pkcs8: &[u8]) -> Vec<u8> {
    assert_eq!(&pkcs8[22..24], &[0x04, 0x82]);
    pkcs8[26..].to_vec()
}

#[test]
fn pkcs1_rsa_key_loads_and_label_must_match() {
    let key = PrivateKey::generate(KeyAlgorithm::Rsa2048).unwrap();
    let pkcs1 = pkcs1_of(&key.to_pkcs8_der().unwrap());
    let file = KeyFile::parse(&pkcs1, &limits()).unwrap();
    assert_eq!(file.form(), KeyForm::Pkcs1);
    assert!(
        file.load(None, &limits())
            .unwrap()
            .matches(&key.public_key())
    );
    let pem = to_pem("RSA PRIVATE KEY", &pkcs1).unwrap();
    let loaded = KeyFile::parse(pem.as_bytes(), &limits())
        .unwrap()
        .load(None, &limits())
        .unwrap();
    assert!(loaded.matches(&key.public_key()));
    // A PKCS#1 body under the PKCS#8 label (or the reverse) is refused.
    let wrong = to_pem("PRIVATE KEY", &pkcs1).unwrap();
    assert!(matches!(
        KeyFile::parse(wrong.as_bytes(), &limits()),
        Err(Error::File { .. })
    ));
}

#[test]
fn sec1_without_curve_is_refused() {
    // ECPrivateKey { 1, OCTET STRING(32) } with no [0] parameters.
    let mut sec1 = vec![0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20];
    sec1.extend([7u8; 32]);
    let file = KeyFile::parse(&sec1, &limits()).unwrap();
    assert_eq!(file.form(), KeyForm::Sec1);
    let err = file.load(None, &limits()).unwrap_err();
    assert!(err.to_string().contains("curve"), "{err}");
}

#[test]
fn hostile_key_files() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let der = key.to_pkcs8_der().unwrap();
    let pem = to_pem("PRIVATE KEY", &der).unwrap();
    let two = format!("{}{}", *pem, *pem);
    let nested: Vec<u8> = std::iter::repeat_n([0x30u8, 0x80], 200).flatten().collect();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("garbage", b"not a key at all".to_vec()),
        ("truncated DER", der[..der.len() - 5].to_vec()),
        ("trailing data", [der.as_slice(), &[0]].concat()),
        ("two keys", two.into_bytes()),
        (
            "certificate only",
            to_pem("CERTIFICATE", b"x").unwrap().as_bytes().to_vec(),
        ),
        ("deep BER nesting", nested),
        ("integer then nothing", vec![0x30, 0x03, 0x02, 0x01, 0x00]),
    ];
    cases.push(("too large", vec![0x30; limits().max_input_size + 1]));
    for (name, bytes) in cases {
        let result = KeyFile::parse(&bytes, &limits());
        assert!(result.is_err(), "{name} was accepted");
    }
}

#[test]
fn certificate_files_in_every_form() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let a = CertificateParams::default().self_signed(&key).unwrap();
    let b = CertificateParams::default().self_signed(&key).unwrap();
    let certs = vec![a.clone(), b.clone()];
    let p7 = pkcs7_certs_only(&certs);
    let pem_p7 = to_pem("PKCS7", &p7).unwrap();
    let bundle = format!(
        "{}{}",
        *to_pem("CERTIFICATE", a.der()).unwrap(),
        *to_pem("CERTIFICATE", b.der()).unwrap()
    );
    for bytes in [p7.clone(), pem_p7.as_bytes().to_vec(), bundle.into_bytes()] {
        let file = read_certificate_file(&bytes, &limits()).unwrap();
        assert_eq!(file.certificates, certs);
    }
    let one = read_certificate_file(a.der(), &limits()).unwrap();
    assert_eq!(one.certificates, vec![a]);
}

#[test]
fn hostile_certificate_files() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let a = CertificateParams::default().self_signed(&key).unwrap();
    let p7 = pkcs7_certs_only(std::slice::from_ref(&a));
    let mut wrong_type = p7.clone();
    // signedData (…07 02) becomes data (…07 01).
    let pos = wrong_type
        .windows(3)
        .position(|w| w == [0x01, 0x07, 0x02])
        .unwrap();
    wrong_type[pos + 2] = 0x01;
    let many = pkcs7_certs_only(&vec![a.clone(); pfxgen_pkcs12::MAX_FILE_CERTIFICATES + 1]);
    let empty = pkcs7_certs_only(&[]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("truncated PKCS#7", p7[..p7.len() - 3].to_vec()),
        ("not signedData", wrong_type),
        ("too many certificates", many),
        ("no certificate", empty),
        (
            "key instead",
            to_pem("PRIVATE KEY", b"k").unwrap().as_bytes().to_vec(),
        ),
        (
            "damaged certificate",
            to_pem("CERTIFICATE", &a.der()[..50])
                .unwrap()
                .as_bytes()
                .to_vec(),
        ),
    ];
    for (name, bytes) in cases {
        assert!(
            read_certificate_file(&bytes, &limits()).is_err(),
            "{name} was accepted"
        );
    }
}
