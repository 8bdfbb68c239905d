//! What pfxgen writes, pfxgen reads back: every algorithm, both profiles,
//! ASCII, non-ASCII and empty passwords; and the writer's refusals.

#![allow(clippy::indexing_slicing)]
#![allow(clippy::unwrap_used, clippy::unreachable)]

use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
use pfxgen_pkcs12::{
    Cipher, Content, EncryptionScheme, Error, Hash, Limits, MacAlgorithm, MacStatus, Opened,
    Password, PasswordForm, Pfx, Profile, WriteOptions, testing, write_pfx,
};
use pfxgen_x509::{Certificate, CertificateParams};

fn make(alg: KeyAlgorithm) -> (PrivateKey, Certificate) {
    let key = PrivateKey::generate(alg).unwrap();
    let cert = CertificateParams::default().self_signed(&key).unwrap();
    (key, cert)
}

/// The password of the single-file tests.
const PW: &str = "pw-Secret-1234";

/// `key` and `cert` (and `chain`) written in the Modern profile at 2048
/// iterations under [`PW`].
fn write_modern(key: &PrivateKey, cert: &Certificate, chain: &[Certificate]) -> Vec<u8> {
    let pw = Password::from_str_copy(PW);
    write_pfx(key, cert, chain, &pw, &options(Profile::Modern, 2048)).unwrap()
}

/// Parses `der` (which must parse) and opens it with [`PW`].
fn open(der: &[u8]) -> Result<Opened, Error> {
    let pfx = Pfx::parse(der, &Limits::default()).unwrap();
    pfx.open(&Password::from_str_copy(PW), &Limits::default())
}

/// Where `needle` first stands in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> usize {
    let found = haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle);
    from + found.unwrap()
}

fn options(profile: Profile, iterations: u32) -> WriteOptions {
    WriteOptions {
        profile,
        iterations,
        friendly_name: Some("token signing €".to_owned()),
    }
}

#[test]
fn every_algorithm_profile_and_password_round_trips() {
    let limits = Limits::default();
    for alg in KeyAlgorithm::ALL {
        let (key, cert) = make(alg);
        for profile in [Profile::Modern, Profile::Compat] {
            for pw in ["Correct-Horse-9!", "Pässwörd€-2026!x", ""] {
                let password = Password::from_str_copy(pw);
                let der = write_pfx(&key, &cert, &[], &password, &options(profile, 2048)).unwrap();
                let pfx = Pfx::parse(&der, &limits).unwrap();
                assert!(!pfx.was_ber());
                let opened = pfx
                    .open(&password, &limits)
                    .unwrap_or_else(|e| panic!("{alg} {profile:?} {pw:?}: {e}"));
                assert_eq!(opened.mac, MacStatus::Verified(PasswordForm::AsGiven));
                assert_eq!(opened.keys.len(), 1);
                assert_eq!(opened.certificates.len(), 1);
                let back_key = opened.keys[0].key.as_ref().unwrap();
                let back_cert = opened.certificates[0].certificate.as_ref().unwrap();
                assert_eq!(back_cert, &cert);
                assert!(back_key.matches(&cert.public_key().unwrap()));
                let k = &opened.keys[0].attributes;
                let c = &opened.certificates[0].attributes;
                assert_eq!(k.local_key_id, c.local_key_id);
                assert_eq!(k.local_key_id.as_deref(), Some(&cert.sha1_thumbprint()[..]));
                assert_eq!(k.friendly_name.as_deref(), Some("token signing €"));
                assert!(k.anomalies.is_empty() && c.anomalies.is_empty());
                if !pw.is_empty() {
                    let wrong = pfx
                        .open(&Password::from_str_copy("wrong password"), &limits)
                        .unwrap_err();
                    assert!(matches!(wrong, Error::WrongPassword), "{wrong}");
                }
            }
        }
    }
}

#[test]
fn modern_profile_uses_the_promised_algorithms() {
    let (key, cert) = make(KeyAlgorithm::EcdsaP256);
    let der = write_pfx(
        &key,
        &cert,
        &[],
        &Password::from_str_copy("x-Secret-1234"),
        &WriteOptions::default(),
    )
    .unwrap();
    let pfx = Pfx::parse(&der, &Limits::default()).unwrap();
    let mac = pfx.mac().unwrap();
    assert_eq!(
        mac.algorithm,
        MacAlgorithm::Pkcs12Hmac {
            hash: Hash::Sha256,
            salt: match &mac.algorithm {
                MacAlgorithm::Pkcs12Hmac { salt, .. } => salt.clone(),
                _ => unreachable!(),
            },
            iterations: 200_000
        }
    );
    assert_eq!(mac.mac_salt_len, 16);
    let [
        Content::Encrypted {
            scheme: Ok(EncryptionScheme::Pbes2 { kdf, cipher, iv }),
            ..
        },
        Content::Data { bags },
    ] = pfx.contents()
    else {
        panic!("layout: {:?}", pfx.contents())
    };
    assert_eq!(
        (*cipher, kdf.prf, kdf.iterations, kdf.salt.len(), iv.len()),
        (Cipher::Aes256, Hash::Sha256, 200_000, 16, 16)
    );
    let key_scheme = bags[0].encryption().unwrap();
    assert!(matches!(
        key_scheme,
        EncryptionScheme::Pbes2 {
            cipher: Cipher::Aes256,
            ..
        }
    ));
    assert_eq!(key_scheme.iterations(), 200_000);
}

#[test]
fn compat_profile_uses_3des_and_sha1() {
    let (key, cert) = make(KeyAlgorithm::Rsa2048);
    let opts = WriteOptions {
        profile: Profile::Compat,
        ..WriteOptions::default()
    };
    let der = write_pfx(
        &key,
        &cert,
        &[],
        &Password::from_str_copy("x-Secret-1234"),
        &opts,
    )
    .unwrap();
    let pfx = Pfx::parse(&der, &Limits::default()).unwrap();
    assert!(matches!(
        pfx.mac().unwrap().algorithm,
        MacAlgorithm::Pkcs12Hmac {
            hash: Hash::Sha1,
            ..
        }
    ));
    let [
        Content::Encrypted {
            scheme: Ok(cert_scheme),
            ..
        },
        Content::Data { bags },
    ] = pfx.contents()
    else {
        panic!()
    };
    for scheme in [cert_scheme, bags[0].encryption().unwrap()] {
        assert!(
            matches!(
                scheme,
                EncryptionScheme::Pkcs12Pbe {
                    cipher: Cipher::DesEde3,
                    ..
                }
            ),
            "{scheme}"
        );
    }
}

#[test]
fn empty_password_file_also_opens_as_absent() {
    let (key, cert) = make(KeyAlgorithm::EcdsaP256);
    let der = write_pfx(
        &key,
        &cert,
        &[],
        &Password::empty(),
        &WriteOptions::for_password(Profile::Modern, &Password::empty()),
    )
    .unwrap();
    let pfx = Pfx::parse(&der, &Limits::default()).unwrap();
    assert_eq!(pfx.mac().unwrap().iterations(), 2048);
    let opened = pfx.open(&Password::absent(), &Limits::default()).unwrap();
    assert_eq!(opened.mac, MacStatus::Verified(PasswordForm::Empty));
}

#[test]
fn writer_refuses_a_key_that_is_not_the_certificates() {
    let (_, cert) = make(KeyAlgorithm::EcdsaP256);
    let (other, _) = make(KeyAlgorithm::EcdsaP256);
    let err = write_pfx(
        &other,
        &cert,
        &[],
        &Password::from_str_copy(PW),
        &WriteOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::KeyCertificateMismatch));
}

#[test]
fn writer_validates_iterations() {
    let (key, cert) = make(KeyAlgorithm::EcdsaP256);
    let pw = Password::from_str_copy(PW);
    for bad in [0, 999, 300_001, u32::MAX] {
        let opts = WriteOptions {
            iterations: bad,
            ..WriteOptions::default()
        };
        assert!(
            matches!(
                write_pfx(&key, &cert, &[], &pw, &opts),
                Err(Error::InvalidOptions { .. })
            ),
            "{bad}"
        );
    }
    let opts = WriteOptions {
        iterations: 300_000,
        ..WriteOptions::default()
    };
    assert!(write_pfx(&key, &cert, &[], &pw, &opts).is_ok());
}

#[test]
fn flipped_mac_byte_is_an_integrity_failure_not_a_wrong_password() {
    let (key, cert) = make(KeyAlgorithm::EcdsaP256);
    let mut der = write_modern(&key, &cert, &[]);
    // The MAC value is the 32 bytes after the last `04 20` before the salt.
    let mac_pos = der.windows(2).rposition(|w| w == [0x04, 0x20]).unwrap() + 2;
    der[mac_pos] ^= 0x01;
    let err = open(&der).unwrap_err();
    assert!(matches!(err, Error::IntegrityCheckFailed), "{err}");
}

#[test]
fn chain_certificates_are_written_after_the_end_entity() {
    let (key, cert) = make(KeyAlgorithm::EcdsaP256);
    let (_, ca) = make(KeyAlgorithm::EcdsaP384);
    let der = write_modern(&key, &cert, std::slice::from_ref(&ca));
    let opened = open(&der).unwrap();
    assert_eq!(opened.certificates.len(), 2);
    assert_eq!(opened.certificates[1].certificate.as_ref().unwrap(), &ca);
    assert!(opened.certificates[1].attributes.local_key_id.is_none());
}

/// Review finding: a damaged certificate ciphertext with the right password
/// used to be reported as a wrong password; every encrypted item is now
/// tried, and the key still decrypts while the certificates do not. That is
/// also what a key password gives in a two-password file, so the error names
/// both causes (damage, or a second password).
#[test]
fn damaged_certificate_ciphertext_with_the_right_password_is_an_integrity_failure() {
    let (key, cert) = make(KeyAlgorithm::EcdsaP256);
    let mut der = write_modern(&key, &cert, &[]);
    let pfx = Pfx::parse(&der, &Limits::default()).unwrap();
    let Content::Encrypted { ciphertext, .. } = &pfx.contents()[0] else {
        panic!()
    };
    let pos = find(&der, ciphertext, 0);
    der[pos + ciphertext.len() - 1] ^= 0x01; // the padding block
    let err = open(&der).unwrap_err();
    assert!(matches!(err, Error::PartlyDecrypted { .. }), "{err}");
    assert!(err.to_string().contains("was damaged"), "{err}");
}

/// The mirror case: the certificates' content decrypts with the password
/// but the key does not. A password that decrypts contents is the MAC's
/// (every producer encrypts contents with it), so this is damage, not a
/// second password.
#[test]
fn damaged_key_ciphertext_with_the_right_password_is_an_integrity_failure() {
    let (key, cert) = make(KeyAlgorithm::EcdsaP256);
    let mut der = write_modern(&key, &cert, &[]);
    // pkcs8ShroudedKeyBag (1.2.840.113549.1.12.10.1.2); its encryptedData is
    // the first OCTET STRING with a long-form length after it (salt and IV
    // are short).
    let bag_oid = [
        0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x02,
    ];
    let octets = find(&der, &[0x04, 0x81], find(&der, &bag_oid, 0));
    let len = usize::from(der[octets + 2]);
    der[octets + 2 + len] ^= 0x01; // the last byte: the padding block
    let err = open(&der).unwrap_err();
    assert!(matches!(err, Error::IntegrityCheckFailed), "{err}");
}

/// Review finding: certificates injected into an unencrypted part of a file
/// must never be reported as the file's: open_certificates checks the MAC.
#[test]
fn injected_certificates_are_refused_by_open_certificates() {
    let (key, cert) = make(KeyAlgorithm::EcdsaP256);
    let (_, attacker) = make(KeyAlgorithm::EcdsaP256);
    let pw = Password::from_str_copy(PW);
    let der = write_modern(&key, &cert, &[]);
    let injected = testing::data_content(&testing::safe_contents(&[testing::cert_bag(
        attacker.der(),
        &[testing::local_key_id(&[0x99])],
    )]));
    let tampered = testing::inject_content(&der, &injected).unwrap();
    let pfx = Pfx::parse(&tampered, &Limits::default()).unwrap();
    let err = pfx.open_certificates(&pw, &Limits::default()).unwrap_err();
    assert!(matches!(err, Error::IntegrityCheckFailed), "{err}");
    // The untouched file opens and reports its own certificate only.
    let (mac, certs) = Pfx::parse(&der, &Limits::default())
        .unwrap()
        .open_certificates(&pw, &Limits::default())
        .unwrap();
    assert!(matches!(mac, MacStatus::Verified(_)));
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].certificate.as_ref().unwrap(), &cert);
}
