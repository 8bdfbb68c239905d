//! Departures from the standard that real producers made, each rebuilt
//! here byte by byte (the real-world files themselves are not in the
//! repository; see `realworld_corpus.rs`), and how opening reports them:
//! bytes after the PFX (.NET's test files), PBES2 keyed with the BMPString
//! password (NSS before 3.31), a keyLength naming another AES size (NSS
//! 3.29), a key under a second password (Java `keytool -keypass`), and
//! passwords that are not UTF-8 (RSA JSafe's ISO-8859-1 bytes).

#![allow(clippy::unwrap_used)]

use aes::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use pfxgen_asn1::writer as d;
use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
use pfxgen_pkcs12::{
    Content, Error, Hash, Limits, MacStatus, Password, Pfx, Profile, Workaround, WriteOptions, kdf,
    testing, write_pfx,
};
use pfxgen_x509::CertificateParams;
use zeroize::Zeroizing;

mod common {
    pub mod fixtures;
}
use common::fixtures::{
    AES128_CBC, AES256_CBC, DATA, ENCRYPTED_DATA, SHROUDED_KEY_BAG, oid, pbes2_alg,
};

const SALT: [u8; 16] = [2; 16];
const IV: [u8; 16] = [1; 16];

/// A PBES2 AlgorithmIdentifier (PBKDF2-HMAC-SHA256, 2048 iterations).
fn pbes2(cipher_oid: &str, key_length: Option<u64>) -> Vec<u8> {
    let (iterations, salt) = (d::integer_u64(2048), d::octet_string(&SALT));
    pbes2_alg(cipher_oid, &IV, key_length, &iterations, &salt)
}

/// AES-CBC with PKCS#7 padding under PBKDF2-HMAC-SHA256(`pass`), with a
/// key of `key_len` bytes (16 or 32), done with the `aes` crate directly.
fn aes_encrypt(pass: &[u8], key_len: usize, plain: &[u8]) -> Vec<u8> {
    let key = kdf::pbkdf2(Hash::Sha256, pass, &SALT, 2048, key_len);
    let mut buf = plain.to_vec();
    buf.resize(plain.len() + 16, 0);
    if key_len == 16 {
        cbc::Encryptor::<aes::Aes128>::new_from_slices(&key, &IV)
            .unwrap()
            .encrypt_padded::<Pkcs7>(&mut buf, plain.len())
            .unwrap()
            .to_vec()
    } else {
        cbc::Encryptor::<aes::Aes256>::new_from_slices(&key, &IV)
            .unwrap()
            .encrypt_padded::<Pkcs7>(&mut buf, plain.len())
            .unwrap()
            .to_vec()
    }
}

fn encrypted_content(alg: &[u8], ciphertext: &[u8]) -> Vec<u8> {
    let eci = d::sequence(&[&oid(DATA), alg, &d::context_primitive(0, ciphertext)]);
    let ed = d::sequence(&[&d::integer_u64(0), &eci]);
    d::sequence(&[&oid(ENCRYPTED_DATA), &d::context_constructed(0, &[&ed])])
}

/// A key and its self-signed certificate (P-256: quick to make).
fn key_and_cert() -> (PrivateKey, Vec<u8>, Zeroizing<Vec<u8>>) {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let cert = CertificateParams::default().self_signed(&key).unwrap();
    let pkcs8 = key.to_pkcs8_der().unwrap();
    (key, cert.der().to_vec(), pkcs8)
}

/// A certificate SafeContents encrypted with AES under `pass`, with the
/// cipher OID and keyLength given, and the AES key length actually used.
fn cert_content(
    cert: &[u8],
    pass: &[u8],
    cipher_oid: &str,
    key_length: Option<u64>,
    aes_key_len: usize,
) -> Vec<u8> {
    let plain = testing::safe_contents(&[testing::cert_bag(cert, &[])]);
    encrypted_content(
        &pbes2(cipher_oid, key_length),
        &aes_encrypt(pass, aes_key_len, &plain),
    )
}

/// A plain content holding the key shrouded with AES-256 under `pass`.
fn shrouded_key_content(pkcs8: &[u8], pass: &[u8]) -> Vec<u8> {
    let epki = d::sequence(&[
        &pbes2(AES256_CBC, None),
        &d::octet_string(&aes_encrypt(pass, 32, pkcs8)),
    ]);
    let bag = testing::safe_bag(
        &der::asn1::ObjectIdentifier::new_unwrap(SHROUDED_KEY_BAG),
        &epki,
        &[],
    );
    testing::data_content(&testing::safe_contents(&[bag]))
}

/// A fresh key shrouded under `key_pass` and its certificate encrypted with
/// AES-256 under `cert_pass` (each password's bytes as given to PBKDF2).
fn key_and_cert_contents(key_pass: &[u8], cert_pass: &[u8]) -> [Vec<u8>; 2] {
    let (_, cert, pkcs8) = key_and_cert();
    [
        shrouded_key_content(&pkcs8, key_pass),
        cert_content(&cert, cert_pass, AES256_CBC, None, 32),
    ]
}

fn open(pfx: &[u8], password: &Password) -> Result<pfxgen_pkcs12::Opened, Error> {
    Pfx::parse(pfx, &Limits::default())?.open(password, &Limits::default())
}

#[test]
fn bytes_after_the_pfx_are_counted_and_ignored() {
    let (key, _, _) = key_and_cert();
    let cert = CertificateParams::default().self_signed(&key).unwrap();
    let pw = Password::from_str_copy("Trailing-Bytes-1");
    let options = WriteOptions {
        iterations: 2048,
        ..WriteOptions::default()
    };
    let clean = write_pfx(&key, &cert, &[], &pw, &options).unwrap();
    assert_eq!(
        Pfx::parse(&clean, &Limits::default())
            .unwrap()
            .trailing_bytes(),
        0
    );
    // .NET's test files carry 8 zero bytes; any bytes are ignored the same
    // way (OpenSSL and .NET read only the first element).
    for tail in [&[0u8; 8][..], b"junk", &[0x30, 0x80]] {
        let mut padded = clean.clone();
        padded.extend_from_slice(tail);
        let pfx = Pfx::parse(&padded, &Limits::default()).unwrap();
        assert_eq!(pfx.trailing_bytes(), tail.len());
        let opened = pfx.open(&pw, &Limits::default()).unwrap();
        assert!(matches!(opened.mac, MacStatus::Verified(_)));
        assert_eq!((opened.keys.len(), opened.certificates.len()), (1, 1));
    }
    // Bytes that are not a complete element are still an error.
    let truncated = &clean[..clean.len() - 1];
    assert!(matches!(
        Pfx::parse(truncated, &Limits::default()),
        Err(Error::Malformed { .. })
    ));
}

#[test]
fn nss_bmpstring_pbes2_password_is_read_once_the_mac_verifies() {
    let pw = Password::from_str_copy("nss");
    let bmp = pw.bmp();
    assert_eq!(bmp.as_slice(), b"\0n\0s\0s\0\0");
    let contents = key_and_cert_contents(&bmp, &bmp);
    let pfx = testing::pfx(&contents, &pw, 2048);
    let opened = open(&pfx, &pw).unwrap();
    assert_eq!((opened.keys.len(), opened.certificates.len()), (1, 1));
    assert!(opened.keys[0].key.is_ok());
    assert_eq!(
        opened.workarounds,
        vec![
            Workaround::NssBmpStringPassword {
                what: "the private key in bag 0".to_owned()
            },
            Workaround::NssBmpStringPassword {
                what: "the encrypted SafeContents (ContentInfo #1)".to_owned()
            },
        ]
    );
    assert!(
        opened.workarounds[0]
            .to_string()
            .contains("NSS before 3.31")
    );
    // Each fallback is charged: the MAC, then for each part PBKDF2 with the
    // UTF-8 password (3 bytes) and with the BMPString one (8 bytes).
    let mac_work = Pfx::parse(&pfx, &Limits::default())
        .unwrap()
        .mac()
        .unwrap()
        .work(&pw, testing::safe_contents(&contents).len());
    let pbkdf2 = |len| kdf::pbkdf2_work(Hash::Sha256, len, SALT.len(), 2048, 32);
    assert_eq!(opened.work_spent, mac_work + 2 * (pbkdf2(3) + pbkdf2(8)));
    // A wrong password fails the MAC: no fallback is tried.
    assert!(matches!(
        open(&pfx, &Password::from_str_copy("NSS")),
        Err(Error::WrongPassword)
    ));
}

#[test]
fn nss_fallback_is_not_tried_without_a_mac() {
    let (_, cert, _) = key_and_cert();
    let pw = Password::from_str_copy("nss");
    let content = cert_content(&cert, &pw.bmp(), AES256_CBC, None, 32);
    let safe = d::sequence(&[&content]);
    let no_mac = testing::pfx_with(&d::integer_u64(3), &testing::data_content(&safe), None);
    match open(&no_mac, &pw) {
        Err(
            e @ Error::DecryptionFailed {
                mac_verified: false,
                ..
            },
        ) => assert!(e.to_string().contains("no MAC to tell which"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn aes_keylength_naming_another_size_is_read_both_ways() {
    let (_, cert, _) = key_and_cert();
    let pw = Password::from_str_copy("Key-Length-32");
    // NSS 3.29: AES-256 data under the AES-128 OID, keyLength 32; and the
    // other reading: AES-128 as the OID says, keyLength 32 wrong.
    for (name, aes_key_len) in [("nss", 32), ("oid", 16)] {
        let contents = [cert_content(
            &cert,
            pw.utf8(),
            AES128_CBC,
            Some(32),
            aes_key_len,
        )];
        let file = testing::pfx(&contents, &pw, 2048);
        let pfx = Pfx::parse(&file, &Limits::default()).unwrap();
        let Content::Encrypted {
            scheme: Ok(scheme), ..
        } = &pfx.contents()[0]
        else {
            panic!("{name}");
        };
        assert_eq!(scheme.key_length_mismatch(), Some((32, 16)), "{name}");
        assert_eq!(
            scheme.key_length_cipher(),
            Some(pfxgen_pkcs12::Cipher::Aes256),
            "{name}"
        );
        let opened = pfx.open(&pw, &Limits::default()).unwrap();
        assert_eq!(opened.certificates.len(), 1, "{name}");
        // One 32-byte derivation serves both readings; plus the MAC.
        let mac_work = pfx
            .mac()
            .unwrap()
            .work(&pw, testing::safe_contents(&contents).len());
        let pbkdf2 = kdf::pbkdf2_work(Hash::Sha256, pw.utf8().len(), SALT.len(), 2048, 32);
        assert_eq!(opened.work_spent, mac_work + pbkdf2, "{name}");
    }
}

#[test]
fn key_under_a_second_password_is_diagnosed() {
    let store = Password::from_str_copy("storepass");
    let keypass = Password::from_str_copy("keypass");
    let contents = key_and_cert_contents(keypass.utf8(), store.utf8());
    let pfx = testing::pfx(&contents, &store, 2048);
    // The store password: the MAC verifies, the key does not decrypt.
    match open(&pfx, &store) {
        Err(
            e @ Error::DecryptionFailed {
                mac_verified: true, ..
            },
        ) => {
            let text = e.to_string();
            assert!(text.contains("the private key in bag 0"), "{text}");
            assert!(text.contains("MAC) verified with this password"), "{text}");
            assert!(text.contains("separate key password"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    // The key password: the MAC fails, the key decrypts, the certificates
    // do not.
    match open(&pfx, &keypass) {
        Err(Error::PartlyDecrypted { decrypts, fails }) => {
            assert_eq!(decrypts, "the private key in ContentInfo #0");
            assert_eq!(fails, "the encrypted SafeContents (ContentInfo #1)");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn iso_8859_1_password_bytes_are_used_as_they_are() {
    // "Mötley Crüe" in ISO-8859-1: not UTF-8.
    let latin1 = b"M\xf6tley Cr\xfce".to_vec();
    let pw = Password::from_bytes(Zeroizing::new(latin1.clone()));
    assert!(pw.as_str().is_none());
    // The PKCS#12 KDF form: one BMP character per byte, as OpenSSL does.
    let utf8 = Password::from_str_copy("Mötley Crüe");
    assert_eq!(pw.bmp().as_slice(), utf8.bmp().as_slice());
    assert!(pw.legacy_bytewise_bmp().is_none());
    // RSA JSafe: MAC over the BMPString, PBES2 over the ISO-8859-1 bytes.
    let contents = key_and_cert_contents(&latin1, &latin1);
    let pfx = testing::pfx(&contents, &utf8, 2048);
    let opened = open(&pfx, &pw).unwrap();
    assert_eq!((opened.keys.len(), opened.certificates.len()), (1, 1));
    // As UTF-8 text, the MAC verifies and the parts do not decrypt.
    match open(&pfx, &utf8) {
        Err(
            e @ Error::DecryptionFailed {
                mac_verified: true, ..
            },
        ) => assert!(e.to_string().contains("ISO-8859-1"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn compat_profile_files_have_no_quirks_to_report() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let cert = CertificateParams::default().self_signed(&key).unwrap();
    let pw = Password::from_str_copy("Compat-Profile-1");
    let options = WriteOptions {
        profile: Profile::Compat,
        iterations: 2048,
        ..WriteOptions::default()
    };
    let der = write_pfx(&key, &cert, &[], &pw, &options).unwrap();
    let pfx = Pfx::parse(&der, &Limits::default()).unwrap();
    let opened = pfx.open(&pw, &Limits::default()).unwrap();
    assert!(opened.workarounds.is_empty());
    assert_eq!(pfx.trailing_bytes(), 0);
}
