//! `Limits::max_work` pinned at its boundary: a budget equal to the work an
//! open needs is enough, one unit less is refused with `Error::WorkLimit`
//! before the derivation that would cross it. The work of files written by
//! the OpenSSL CLI is checked against hand-counted compressions, so the
//! formulas cannot drift unnoticed.

use pfxgen_pkcs12::{Content, Error, Limits, MacStatus, Password, Pfx, decrypt_pkcs8, testing};

mod common {
    pub mod fixtures;
}
use common::fixtures::pbmac1_with_key_length;

const P8_PBES2_AES256_SHA256: &[u8] = include_bytes!("examples/pkcs8/pbes2_aes256_sha256.p8");
const P8_PBES2_3DES_SHA1: &[u8] = include_bytes!("examples/pkcs8/pbes2_3des_sha1.p8");
const P8_PKCS12_PBE_3DES: &[u8] = include_bytes!("examples/pkcs8/pkcs12_pbe_3des.p8");
const RFC9579_A1: &[u8] = include_bytes!("examples/rfc9579/a1_pbmac1_sha256.p12");
const RFC9579_A4: &[u8] = include_bytes!("examples/rfc9579/a4_invalid_iteration_count.p12");

fn budget(max_work: u64) -> Limits {
    Limits {
        max_work,
        ..Limits::default()
    }
}

/// Compressions counted by hand (all three files: 2048 iterations, 8-byte
/// salts, password `pw`).
///
/// * PBKDF2-HMAC: 2 to key the HMAC with the short password; per output
///   block, 2 for the first iteration (the salt and block index fit one
///   block after the ipad block, then the outer hash) and 2 for each of the
///   other 2047.
/// * PKCS#12 KDF over SHA-1: per 20-byte output block, the first hash of
///   D, S and P (64 bytes each, 192 bytes + padding = 4 blocks), then one
///   compression for each of the other 2047 iterations.
const PKCS8_WORK: [(&str, &[u8], u64); 3] = [
    // One 32-byte block of SHA-256.
    (
        "PBES2 AES-256 SHA-256",
        P8_PBES2_AES256_SHA256,
        2 + (2 + 2 * 2047),
    ),
    // A 24-byte 3DES key is two SHA-1 blocks.
    (
        "PBES2 3DES SHA-1",
        P8_PBES2_3DES_SHA1,
        2 + 2 * (2 + 2 * 2047),
    ),
    // Key: two blocks; IV: one block.
    ("PKCS#12 PBE 3DES", P8_PKCS12_PBE_3DES, 3 * (4 + 2047)),
];

#[test]
fn decrypt_pkcs8_work_at_the_budget_is_accepted_and_one_less_refused() {
    let pw = Password::from_str_copy("pw");
    for (name, der, work) in PKCS8_WORK {
        assert!(decrypt_pkcs8(der, &pw, &budget(work)).is_ok(), "{name}");
        match decrypt_pkcs8(der, &pw, &budget(work - 1)) {
            Err(Error::WorkLimit { spent, needed, max }) => {
                assert_eq!((spent, needed, max), (0, work, work - 1), "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

/// RFC 9579 A.1: a PBMAC1 MAC, a PBES2 content and a PBES2 shrouded key.
#[test]
fn open_work_at_the_budget_is_accepted_and_one_less_refused() {
    let pw = Password::from_str_copy("1234");
    let pfx = Pfx::parse(RFC9579_A1, &Limits::default()).unwrap();
    let opened = pfx.open(&pw, &Limits::default()).unwrap();
    let spent = opened.work_spent;
    // What was spent is what each derivation is charged: the MAC, the
    // content and the key.
    let content = match &pfx.contents()[0] {
        Content::Encrypted {
            scheme: Ok(scheme), ..
        } => scheme.work(&pw),
        other => panic!("{other:?}"),
    };
    let key = match &pfx.contents()[1] {
        Content::Data { bags } => bags[0].encryption().unwrap().work(&pw),
        other => panic!("{other:?}"),
    };
    assert_eq!(spent, pfx.mac_work(&pw) + content + key);
    // PBES2-HMAC-SHA256, 2048 iterations, one block, a 4-byte password.
    assert_eq!(key, 2 + (2 + 2 * 2047));

    let at = pfx.open(&pw, &budget(spent)).unwrap();
    assert_eq!(at.work_spent, spent);
    assert_eq!(at.mac, opened.mac);
    // One less: the last derivation (the key) is refused before it runs.
    match pfx.open(&pw, &budget(spent - 1)) {
        Err(Error::WorkLimit {
            spent: done,
            needed,
            max,
        }) => assert_eq!((done, needed, max), (spent - key, key, spent - 1)),
        other => panic!("{other:?}"),
    }
    // Certificates only: the MAC and the content, not the key.
    let certificates_only = pfx.mac_work(&pw) + content;
    let mut metered = 0;
    let (mac, certs) = pfx
        .open_certificates_metered(&pw, &budget(certificates_only), &mut metered)
        .unwrap();
    assert!(matches!(mac, MacStatus::Verified(_)));
    assert_eq!((certs.len(), metered), (1, certificates_only));
    let mut metered = 0;
    assert!(matches!(
        pfx.open_certificates_metered(&pw, &budget(certificates_only - 1), &mut metered),
        Err(Error::WorkLimit { .. })
    ));
    assert_eq!(metered, pfx.mac_work(&pw));
}

/// The MAC alone: the budget is checked before the MAC's derivation too.
#[test]
fn mac_work_at_the_budget_is_accepted_and_one_less_refused() {
    let pw = Password::from_str_copy("pw");
    let bytes = testing::pfx(
        &[testing::data_content(&testing::safe_contents(&[]))],
        &pw,
        2048,
    );
    let pfx = Pfx::parse(&bytes, &Limits::default()).unwrap();
    let work = pfx.mac_work(&pw);
    // PKCS#12 KDF over SHA-256 (one block: 4 + 2047) and the HMAC-SHA256
    // over the short AuthenticatedSafe: 2 to key it, 1 data block, 1 outer.
    let auth_safe_len =
        testing::safe_contents(&[testing::data_content(&testing::safe_contents(&[]))]).len();
    assert!(
        auth_safe_len + 9 <= 64,
        "one data block after the ipad block"
    );
    assert_eq!(work, (4 + 2047) + (2 + 1 + 1));
    assert_eq!(pfx.open(&pw, &budget(work)).unwrap().work_spent, work);
    match pfx.open(&pw, &budget(work - 1)) {
        Err(Error::WorkLimit { spent, needed, max }) => {
            assert_eq!((spent, needed, max), (0, work, work - 1));
        }
        other => panic!("{other:?}"),
    }
}

/// PBKDF2 runs its loop once per output block: a 64-byte PBMAC1 key from
/// SHA-256 costs a second block (2 compressions at one iteration), 20 and
/// 32 bytes one.
#[test]
fn pbmac1_work_counts_each_output_block() {
    let pw = Password::from_str_copy("pw");
    let work = |len| {
        Pfx::parse(&pbmac1_with_key_length(len), &Limits::default())
            .unwrap()
            .mac_work(&pw)
    };
    assert_eq!(work(20), work(32));
    assert_eq!(work(64), work(32) + 2);
    // 2 (HMAC key) + 2 (one block at one iteration) + the HMAC over the
    // data (2 to key it, 1 data block, 1 outer).
    assert_eq!(work(32), 2 + 2 + (2 + 1 + 1));
}

/// RFC 9579 A.4: the MAC fails (wrong PBKDF2 iteration count) though the
/// password is right. Telling "altered" from "wrong password" decrypts the
/// content, then the key, within the same budget: when the budget runs out
/// after the content decrypted, the file is called altered (the password is
/// known to be right); when it runs out before anything decrypted, all that
/// is known is that the MAC does not match.
#[test]
fn mac_failure_diagnosis_says_only_what_its_budget_established() {
    let pw = Password::from_str_copy("1234");
    let pfx = Pfx::parse(RFC9579_A4, &Limits::default()).unwrap();
    let content = match &pfx.contents()[0] {
        Content::Encrypted {
            scheme: Ok(scheme), ..
        } => scheme.work(&pw),
        other => panic!("{other:?}"),
    };
    let mac = pfx.mac_work(&pw);
    for (max_work, diagnosis) in [
        (u64::MAX, "altered"),
        (mac + content, "altered"),
        (mac + content - 1, "MAC mismatch"),
    ] {
        let err = pfx.open(&pw, &budget(max_work)).unwrap_err();
        let got = match err {
            Error::IntegrityCheckFailed => "altered",
            Error::MacMismatch => "MAC mismatch",
            other => panic!("budget {max_work}: {other:?}"),
        };
        assert_eq!(got, diagnosis, "budget {max_work}");
    }
}
