//! One named test per known PKCS#12 parser attack (SECURITY.md, "Known
//! PKCS#12 parser attacks, and the tests that cover them"), each asserting
//! the specific typed error. Bounded work is shown structurally: every
//! refusal of an iteration count comes from `Pfx::parse`, which runs no key
//! derivation at all, and `open` charges every derivation against
//! `Limits::max_work` (hash compressions) before running it.
//!
//! With `PFXGEN_WRITE_HOSTILE_SEEDS=1` each input is also written to
//! `fuzz/corpus/pfx_parse/hostile_<name>` as a fuzzing seed.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
#![allow(clippy::panic)]

use pfxgen_asn1::writer as d;
use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
use pfxgen_pkcs12::{
    Content, DerProblem, Error, Hash, IterationProblem, Limits, MacStatus, Password, PasswordForm,
    Pfx, kdf, testing,
};
use pfxgen_x509::CertificateParams;

mod common {
    pub mod fixtures;
}
use common::fixtures::{
    AES256_CBC, CERT_BAG, DATA, ENCRYPTED_DATA, FRIENDLY, HMAC_SHA256, KEY_BAG, LOCAL_KEY_ID,
    PBE_3DES, PBES2, PBMAC1, SHA256, X509, oid, pbes2_alg, pbmac1_mac_data, too_deep_error,
};

const PW: &str = "pw";

/// A raw INTEGER TLV from content bytes (to write hostile encodings).
fn int_raw(content: &[u8]) -> Vec<u8> {
    d::tlv(0x02, content)
}

fn data_ci(content: &[u8]) -> Vec<u8> {
    testing::data_content(content)
}

fn safe_bag(bag_oid: &str, value: &[u8], attrs: &[Vec<u8>]) -> Vec<u8> {
    testing::safe_bag(
        &der::asn1::ObjectIdentifier::new_unwrap(bag_oid),
        value,
        attrs,
    )
}

fn attr(attr_oid: &str, value: &[u8]) -> Vec<u8> {
    testing::attribute(&der::asn1::ObjectIdentifier::new_unwrap(attr_oid), value)
}

fn mac_data(
    password: &Password,
    auth_safe: &[u8],
    iterations_tlv: &[u8],
    iterations: u32,
) -> Vec<u8> {
    testing::mac_data(password, auth_safe, iterations_tlv, iterations)
}

fn pfx_with(version: &[u8], auth_safe_ci: &[u8], mac: Option<&[u8]>) -> Vec<u8> {
    testing::pfx_with(version, auth_safe_ci, mac)
}

/// A complete PFX whose AuthenticatedSafe holds `contents`, with a valid
/// HMAC-SHA256 MAC for password `pw` and 2048 iterations.
fn pfx_of(contents: &[Vec<u8>]) -> Vec<u8> {
    testing::pfx(contents, &Password::from_str_copy(PW), 2048)
}

fn key_and_cert() -> (Vec<u8>, Vec<u8>) {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let cert = CertificateParams::default().self_signed(&key).unwrap();
    (key.to_pkcs8_der().unwrap().to_vec(), cert.der().to_vec())
}

fn cert_bag(cert: &[u8], attrs: &[Vec<u8>]) -> Vec<u8> {
    let value = d::sequence(&[
        &oid(X509),
        &d::context_constructed(0, &[&d::octet_string(cert)]),
    ]);
    safe_bag(CERT_BAG, &value, attrs)
}

/// A valid baseline: key bag and cert bag in one plain data content.
fn baseline_bags(attrs: &[Vec<u8>]) -> Vec<u8> {
    let (key, cert) = key_and_cert();
    d::sequence(&[&safe_bag(KEY_BAG, &key, attrs), &cert_bag(&cert, attrs)])
}

fn seed(name: &str, bytes: &[u8]) {
    // Seeds over 64 KiB are pointless for libFuzzer (inputs are capped at 4 KiB).
    if std::env::var_os("PFXGEN_WRITE_HOSTILE_SEEDS").is_some() && bytes.len() <= 65_536 {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/pfx_parse");
        std::fs::write(dir.join(format!("hostile_{name}")), bytes).unwrap();
    }
}

fn parse(name: &str, bytes: &[u8]) -> Result<Pfx, Error> {
    seed(name, bytes);
    Pfx::parse(bytes, &Limits::default())
}

fn open(name: &str, bytes: &[u8]) -> Result<pfxgen_pkcs12::Opened, Error> {
    parse(name, bytes)?.open(&Password::from_str_copy(PW), &Limits::default())
}

#[track_caller]
fn invalid(result: Result<impl std::fmt::Debug, Error>, what: &str, needle: &str) {
    match result {
        Err(Error::InvalidValue {
            what: w, problem, ..
        }) if w == what && problem.contains(needle) => {}
        other => panic!("expected InvalidValue {{ {what}: ..{needle}.. }}, got {other:?}"),
    }
}

#[test]
fn baseline_is_valid() {
    let pfx = pfx_of(&[data_ci(&baseline_bags(&[]))]);
    let opened = open("baseline", &pfx).unwrap();
    assert_eq!((opened.keys.len(), opened.certificates.len()), (1, 1));
}

// --- ContentInfo and EncryptedData (CVE-2024-0727, CVE-2025-69421) --------

#[test]
fn reject_auth_safe_content_info_without_content() {
    let ci = d::sequence(&[&oid(DATA)]);
    let pfx = pfx_with(&d::integer_u64(3), &ci, None);
    invalid(
        parse("authsafe_no_content", &pfx),
        "PFX.authSafe",
        "has no [0] content",
    );
}

#[test]
fn reject_inner_content_info_without_content() {
    let pfx = pfx_of(&[d::sequence(&[&oid(DATA)])]);
    invalid(
        parse("inner_no_content", &pfx),
        "AuthenticatedSafe ContentInfo",
        "has no [0] content",
    );
    let pfx = pfx_of(&[d::sequence(&[&oid(ENCRYPTED_DATA)])]);
    invalid(
        parse("encrypted_no_content", &pfx),
        "AuthenticatedSafe ContentInfo",
        "has no [0] content",
    );
}

fn encrypted_ci(alg: &[u8], content: Option<&[u8]>) -> Vec<u8> {
    encrypted_ci_version(0, alg, content)
}

fn encrypted_ci_version(version: u64, alg: &[u8], content: Option<&[u8]>) -> Vec<u8> {
    let eci = match content {
        Some(c) => d::sequence(&[&oid(DATA), alg, &d::context_primitive(0, c)]),
        None => d::sequence(&[&oid(DATA), alg]),
    };
    let ed = d::sequence(&[&d::integer_u64(version), &eci]);
    d::sequence(&[&oid(ENCRYPTED_DATA), &d::context_constructed(0, &[&ed])])
}

/// EncryptedData's version is 0, or 2 with unprotected attributes (RFC 5652,
/// 8); anything else is refused before any decryption.
#[test]
fn encrypted_data_version_is_0_or_2() {
    for v in [0, 2] {
        let pfx = pfx_of(&[encrypted_ci_version(v, &good_pbes2(), Some(&[0; 16]))]);
        assert!(parse("encrypted_data_version", &pfx).is_ok(), "version {v}");
    }
    for v in [1, 3] {
        let pfx = pfx_of(&[encrypted_ci_version(v, &good_pbes2(), Some(&[0; 16]))]);
        invalid(
            parse("encrypted_data_version", &pfx),
            "EncryptedData.version",
            &format!("version {v}; expected 0"),
        );
    }
}

fn good_pbes2() -> Vec<u8> {
    pbes2_alg(
        AES256_CBC,
        &[1; 16],
        None,
        &d::integer_u64(2048),
        &d::octet_string(&[2; 16]),
    )
}

#[test]
fn reject_encrypted_data_without_encrypted_content() {
    let pfx = pfx_of(&[encrypted_ci(&good_pbes2(), None)]);
    invalid(
        parse("no_encrypted_content", &pfx),
        "EncryptedContentInfo",
        "no encryptedContent",
    );
}

// --- Wrong ASN.1 types in attributes and parameters (CVE-2026-22795) -----

#[test]
fn reject_local_key_id_of_the_wrong_type() {
    let bags = baseline_bags(&[attr(LOCAL_KEY_ID, &d::integer_u64(1))]);
    invalid(
        parse("localkeyid_integer", &pfx_of(&[data_ci(&bags)])),
        "localKeyId attribute",
        "OCTET STRING",
    );
}

#[test]
fn reject_friendly_name_of_the_wrong_type() {
    let bags = baseline_bags(&[attr(FRIENDLY, &d::utf8_string("name"))]);
    invalid(
        parse("friendlyname_utf8", &pfx_of(&[data_ci(&bags)])),
        "friendlyName attribute",
        "BMPString",
    );
}

#[test]
fn reject_pbes2_parameters_of_the_wrong_type() {
    let alg = d::sequence(&[&oid(PBES2), &d::null()]);
    invalid(
        parse(
            "pbes2_params_null",
            &pfx_of(&[encrypted_ci(&alg, Some(&[0; 16]))]),
        ),
        "PBES2-params",
        "not a SEQUENCE",
    );
    let alg = d::sequence(&[&oid(PBE_3DES), &d::octet_string(&[1, 2])]);
    invalid(
        parse(
            "pbe_params_octets",
            &pfx_of(&[encrypted_ci(&alg, Some(&[0; 16]))]),
        ),
        "pkcs-12PbeParams",
        "not a SEQUENCE",
    );
    // Iterations given as an OCTET STRING.
    let alg = d::sequence(&[
        &oid(PBE_3DES),
        &d::sequence(&[&d::octet_string(&[1; 8]), &d::octet_string(&[8])]),
    ]);
    match parse(
        "pbe_iterations_octets",
        &pfx_of(&[encrypted_ci(&alg, Some(&[0; 16]))]),
    ) {
        Err(Error::Malformed {
            what: "pkcs-12PbeParams.iterations",
            problem: DerProblem::UnexpectedTag { .. },
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

// --- PBMAC1 key lengths and salts (CVE-2025-11187) -------------------------

/// A PFX holding the baseline bags under a PBMAC1 MAC with the given
/// PBKDF2 salt (a raw TLV) and keyLength.
fn pbmac1_pfx(key_length: u64, salt: &[u8]) -> Vec<u8> {
    let auth_safe = d::sequence(&[&data_ci(&baseline_bags(&[]))]);
    let mac = pbmac1_mac_data(&[salt, &d::integer_u64(2048), &d::integer_u64(key_length)]);
    pfx_with(&d::integer_u64(3), &data_ci(&auth_safe), Some(&mac))
}

#[test]
fn reject_pbmac1_key_lengths_0_1_65_and_huge() {
    for (len, name) in [(0u64, "0"), (1, "1"), (65, "65"), (2_147_483_647, "2pow31")] {
        let result = parse(
            &format!("pbmac1_keylen_{name}"),
            &pbmac1_pfx(len, &d::octet_string(&[1; 16])),
        );
        match result {
            Err(Error::InvalidValue { what, .. }) if what.contains("keyLength") => {}
            other => panic!("keyLength {len}: {other:?}"),
        }
    }
}

/// A PFX holding the baseline bags under a MAC whose AlgorithmIdentifier
/// is `alg` (a raw TLV).
fn mac_alg_pfx(alg: &[u8]) -> Vec<u8> {
    let auth_safe = d::sequence(&[&data_ci(&baseline_bags(&[]))]);
    let mac = d::sequence(&[
        &d::sequence(&[alg, &d::octet_string(&[0; 32])]),
        &d::octet_string(b"NOT USED"),
        &d::integer_u64(1),
    ]);
    pfx_with(&d::integer_u64(3), &data_ci(&auth_safe), Some(&mac))
}

#[test]
fn reject_pbmac1_parameters_missing_or_of_the_wrong_type() {
    let cases = [
        (
            "pbmac1_params_missing",
            d::sequence(&[&oid(PBMAC1)]),
            "parameters are missing",
        ),
        (
            "pbmac1_params_null",
            d::sequence(&[&oid(PBMAC1), &d::null()]),
            "parameters are not a SEQUENCE",
        ),
    ];
    for (name, alg, needle) in cases {
        invalid(parse(name, &mac_alg_pfx(&alg)), "PBMAC1-params", needle);
    }
}

#[test]
fn reject_pbmac1_key_derivation_other_than_pbkdf2() {
    let pbkdf2_params = d::sequence(&[
        &d::octet_string(&[1; 16]),
        &d::integer_u64(1),
        &d::integer_u64(32),
    ]);
    let hmac = d::sequence(&[&oid(HMAC_SHA256), &d::null()]);
    let alg = d::sequence(&[
        &oid(PBMAC1),
        &d::sequence(&[&d::sequence(&[&oid("1.2.3.4"), &pbkdf2_params]), &hmac]),
    ]);
    match parse("pbmac1_kdf_unknown", &mac_alg_pfx(&alg)) {
        Err(Error::Unsupported {
            what: "PBMAC1-params.keyDerivationFunc",
            detail,
        }) if detail == "key derivation 1.2.3.4" => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn reject_pbmac1_salt_that_is_not_an_octet_string() {
    let result = parse("pbmac1_salt_integer", &pbmac1_pfx(32, &d::integer_u64(5)));
    assert!(
        matches!(
            result,
            Err(Error::Malformed {
                what: "PBKDF2-params.salt",
                problem: DerProblem::UnexpectedTag { .. },
                ..
            })
        ),
        "{result:?}"
    );
    let other_source = d::sequence(&[&oid("1.2.3.4")]);
    invalid(
        parse("pbmac1_salt_othersource", &pbmac1_pfx(32, &other_source)),
        "PBKDF2-params.salt",
        "otherSource",
    );
}

// --- friendlyName BMPStrings (CVE-2025-69419) ------------------------------

fn friendly_raw(bytes: &[u8]) -> Result<pfxgen_pkcs12::Opened, Error> {
    let bags = baseline_bags(&[attr(FRIENDLY, &d::tlv(0x1E, bytes))]);
    open("friendly", &pfx_of(&[data_ci(&bags)]))
}

#[test]
fn reject_friendly_name_of_odd_length() {
    invalid(
        friendly_raw(&[0x00, 0x41, 0x00]),
        "friendlyName attribute",
        "odd length",
    );
}

#[test]
fn reject_friendly_name_with_unpaired_surrogates() {
    invalid(
        friendly_raw(&[0xD8, 0x00, 0x00, 0x41]),
        "friendlyName attribute",
        "unpaired surrogate",
    );
    invalid(
        friendly_raw(&[0xDC, 0x00]),
        "friendlyName attribute",
        "unpaired surrogate",
    );
}

#[test]
fn decode_friendly_name_above_u07ff() {
    // U+0800, U+20AC (€), U+FFFD and U+1F600 (a surrogate pair): three- and
    // four-byte UTF-8, where OpenSSL overflowed a buffer.
    let opened =
        friendly_raw(&[0x08, 0x00, 0x20, 0xAC, 0xFF, 0xFD, 0xD8, 0x3D, 0xDE, 0x00]).unwrap();
    assert_eq!(
        opened.keys[0].attributes.friendly_name.as_deref(),
        Some("\u{0800}€\u{FFFD}😀")
    );
}

// --- Iteration counts (Go, Bouncy Castle, RustCrypto) ----------------------

/// The baseline bags under a MacData of `digest` (dotted) with a
/// `mac_len`-byte value, an 8-byte salt and the iterations as a raw TLV.
/// The MAC value is irrelevant: what these files test is refused before it
/// is computed.
fn filler_mac_pfx(digest: &str, mac_len: usize, iterations_tlv: &[u8]) -> Vec<u8> {
    let auth_safe = d::sequence(&[&data_ci(&baseline_bags(&[]))]);
    let alg = d::sequence(&[&oid(digest), &d::null()]);
    let mac = d::sequence(&[
        &d::sequence(&[&alg, &d::octet_string(&vec![0; mac_len])]),
        &d::octet_string(&[1; 8]),
        iterations_tlv,
    ]);
    pfx_with(&d::integer_u64(3), &data_ci(&auth_safe), Some(&mac))
}

fn mac_iterations_pfx(iterations_tlv: &[u8]) -> Vec<u8> {
    filler_mac_pfx(SHA256, 32, iterations_tlv)
}

#[track_caller]
fn iteration_problem(result: Result<Pfx, Error>, expected: &IterationProblem) {
    match result {
        Err(Error::IterationCount { problem, .. }) if &problem == expected => {}
        other => panic!("expected {expected:?}, got {other:?}"),
    }
}

#[test]
fn reject_iteration_counts_before_any_kdf() {
    let limit = Limits::default().max_iterations;
    let cases: [(&str, Vec<u8>, IterationProblem); 6] = [
        ("0", int_raw(&[0]), IterationProblem::Zero),
        ("minus1", int_raw(&[0xFF]), IterationProblem::Negative),
        (
            "2pow31m1",
            int_raw(&[0x7F, 0xFF, 0xFF, 0xFF]),
            IterationProblem::AboveLimit {
                value: Some(2_147_483_647),
                limit,
            },
        ),
        (
            "2pow32",
            int_raw(&[0x01, 0, 0, 0, 0]),
            IterationProblem::AboveLimit {
                value: Some(1 << 32),
                limit,
            },
        ),
        (
            "2pow63m1",
            int_raw(&[0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            IterationProblem::AboveLimit {
                value: Some(i64::MAX as u64),
                limit,
            },
        ),
        (
            "1e9",
            d::integer_u64(1_000_000_000),
            IterationProblem::AboveLimit {
                value: Some(1_000_000_000),
                limit,
            },
        ),
    ];
    for (name, tlv, expected) in cases {
        // MacData, PBKDF2 and PKCS#12 PBE parameters: all checked at parse time.
        iteration_problem(
            parse(&format!("mac_iter_{name}"), &mac_iterations_pfx(&tlv)),
            &expected,
        );
        let pbes2 = pbes2_alg(AES256_CBC, &[1; 16], None, &tlv, &d::octet_string(&[2; 16]));
        iteration_problem(
            parse(
                &format!("pbkdf2_iter_{name}"),
                &pfx_of(&[encrypted_ci(&pbes2, Some(&[0; 16]))]),
            ),
            &expected,
        );
        let pbe = d::sequence(&[
            &oid(PBE_3DES),
            &d::sequence(&[&d::octet_string(&[1; 8]), &tlv]),
        ]);
        iteration_problem(
            parse(
                &format!("pbe_iter_{name}"),
                &pfx_of(&[encrypted_ci(&pbe, Some(&[0; 16]))]),
            ),
            &expected,
        );
    }
}

#[test]
fn reject_iteration_integers_of_nine_bytes_or_non_minimal() {
    let limit = Limits::default().max_iterations;
    let nine = int_raw(&[0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
    iteration_problem(
        parse("mac_iter_9_bytes", &mac_iterations_pfx(&nine)),
        &IterationProblem::AboveLimit {
            value: Some(u64::MAX),
            limit,
        },
    );
    let ten = int_raw(&[0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    iteration_problem(
        parse("mac_iter_10_bytes", &mac_iterations_pfx(&ten)),
        &IterationProblem::AboveLimit { value: None, limit },
    );
    let non_minimal = int_raw(&[0x00, 0x08, 0x00]);
    match parse("mac_iter_non_minimal", &mac_iterations_pfx(&non_minimal)) {
        Err(Error::Malformed {
            what: "MacData.iterations",
            problem: DerProblem::NonMinimalInteger,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn total_work_is_budgeted_before_deriving() {
    // Each count is under the per-derivation cap, but the budget only fits
    // one form of the password: `open` refuses before the first derivation
    // that would cross it.
    let auth_safe = d::sequence(&[&data_ci(&baseline_bags(&[]))]);
    let mac = mac_data(
        &Password::from_str_copy(PW),
        &auth_safe,
        &d::integer_u64(100_000),
        100_000,
    );
    // One form: the PKCS#12 KDF over SHA-256 (16-byte salt, "pw" as 6 BMP
    // bytes, 32-byte key) and the HMAC over the AuthenticatedSafe.
    let one_form = |bmp_len| {
        kdf::pkcs12_kdf_work(Hash::Sha256, bmp_len, 16, 100_000, 32)
            + kdf::hmac_work(Hash::Sha256, 32, auth_safe.len())
    };
    let limits = Limits {
        max_iterations: 100_000,
        max_work: one_form(6) + 1000,
        ..Limits::default()
    };
    let pfx_bytes = pfx_with(&d::integer_u64(3), &data_ci(&auth_safe), Some(&mac));
    let pfx = Pfx::parse(&pfx_bytes, &limits).unwrap();
    // The password "pw" is tried as given only: it fits, and the work
    // counted is exactly the formula's.
    let opened = pfx.open(&Password::from_str_copy(PW), &limits).unwrap();
    assert_eq!(opened.work_spent, one_form(6));
    // The empty password is tried in two forms (2 and 0 BMP bytes): over.
    match pfx.open(&Password::empty(), &limits) {
        Err(Error::WorkLimit {
            spent: 0,
            needed,
            max,
        }) => {
            assert_eq!(needed, one_form(2) + one_form(0));
            assert_eq!(max, limits.max_work);
        }
        other => panic!("{other:?}"),
    }
}

/// Issue 11: 1,007 bytes with a PBMAC1 MAC and four PBES2 contents, all
/// PBKDF2-HMAC-SHA512 at 2,000,000 iterations, cost five derivations (about
/// 5 s of CPU) per open, 11 s for a wrong password. Counted in compressions,
/// one such derivation is over the default budget, so nothing is derived.
#[test]
fn reject_costly_sha512_file_before_any_derivation() {
    let bytes = testing::costly_sha512_pfx(2_000_000, 4);
    assert_eq!(bytes.len(), 1007);
    let limits = Limits::default();
    let pfx = parse("costly_sha512", &bytes).unwrap();
    for password in [Password::from_str_copy(PW), Password::empty()] {
        // PBKDF2 (one 64-byte block) and the HMAC over under 1 KiB.
        let kdf_work = kdf::pbkdf2_work(Hash::Sha512, password.utf8().len(), 16, 2_000_000, 64);
        let mac_work = pfx.mac_work(&password);
        assert!(
            (kdf_work..kdf_work + 6 * 12).contains(&mac_work),
            "{mac_work}"
        );
        assert!(kdf_work > limits.max_work, "{kdf_work}");
        match pfx.open(&password, &limits) {
            Err(Error::WorkLimit {
                spent: 0,
                needed,
                max,
            }) => {
                assert_eq!((needed, max), (mac_work, limits.max_work));
            }
            other => panic!("{other:?}"),
        }
        let mut spent = 0;
        let certs = pfx.open_certificates_metered(&password, &limits, &mut spent);
        assert!(matches!(certs, Err(Error::WorkLimit { .. })), "{certs:?}");
        assert_eq!(spent, 0);
    }
    // With a budget for the MAC but not for a content, the work done is the
    // MAC's and no more (small counts so that the test runs quickly).
    let small = testing::costly_sha512_pfx(1000, 4);
    let pfx = Pfx::parse(&small, &limits).unwrap();
    let mac_work = pfx.mac_work(&Password::from_str_copy(PW));
    let content_work = kdf::pbkdf2_work(Hash::Sha512, 2, 16, 1000, 32);
    let tight = Limits {
        max_work: mac_work + content_work - 1,
        ..Limits::default()
    };
    let mut spent = 0;
    match pfx.open_certificates_metered(&Password::from_str_copy(PW), &tight, &mut spent) {
        // The MAC fails (filler); telling a wrong password from damage
        // would decrypt a content, which the budget does not allow.
        Err(Error::MacMismatch) => assert_eq!(spent, mac_work),
        other => panic!("{other:?}"),
    }
}

// --- Empty versus absent password (Mbed TLS loop) ---------------------------

#[test]
fn empty_and_absent_passwords_are_both_tried_once() {
    let auth_safe = d::sequence(&[&data_ci(&baseline_bags(&[]))]);
    for (writer, reader, form) in [
        (Password::absent(), Password::empty(), PasswordForm::Absent),
        (Password::empty(), Password::absent(), PasswordForm::Empty),
        (Password::empty(), Password::empty(), PasswordForm::AsGiven),
    ] {
        let mac = mac_data(&writer, &auth_safe, &d::integer_u64(2048), 2048);
        let bytes = pfx_with(&d::integer_u64(3), &data_ci(&auth_safe), Some(&mac));
        let opened = Pfx::parse(&bytes, &Limits::default())
            .unwrap()
            .open(&reader, &Limits::default())
            .unwrap();
        assert_eq!(opened.mac, MacStatus::Verified(form));
        // Two forms at most, each 2048 iterations of one compression, plus
        // the HMAC over a few hundred bytes.
        assert!(
            opened.work_spent <= 2 * (2048 + 4 + 2 + 16),
            "{}",
            opened.work_spent
        );
    }
}

// --- Nesting, OIDs, lengths, truncation -------------------------------------

#[test]
fn reject_deep_nesting_of_10000_levels() {
    let mut deep = Vec::new();
    for _ in 0..10_000 {
        deep.extend_from_slice(&[0x30, 0x80]);
    }
    deep.extend(std::iter::repeat_n(0u8, 20_000));
    too_deep_error(parse("deep_nesting", &deep), 32);
}

#[test]
fn oid_arcs_over_2_pow_64_are_just_unknown() {
    let mut huge = vec![0x2A];
    huge.extend_from_slice(&[0xFF; 10]);
    huge.push(0x7F);
    let ci = d::sequence(&[
        &d::tlv(0x06, &huge),
        &d::context_constructed(0, &[&d::octet_string(&[0])]),
    ]);
    let pfx = pfx_with(&d::integer_u64(3), &ci, None);
    invalid(
        parse("oid_over_2pow64", &pfx),
        "PFX.authSafe.contentType",
        "must be data",
    );
    // As a bag type: an unknown bag, kept and reported.
    let weird = d::sequence(&[&d::sequence(&[
        &d::tlv(0x06, &huge),
        &d::context_constructed(0, &[&d::null()]),
    ])]);
    let opened = open("oid_bag_over_2pow64", &pfx_of(&[data_ci(&weird)])).unwrap();
    assert!(
        opened.bags[0].kind.name().starts_with("1.2.")
            || opened.bags[0].kind.name().starts_with('#')
    );
}

#[test]
fn reject_length_field_claiming_2_gib() {
    let mut bytes = vec![0x30, 0x84, 0x80, 0x00, 0x00, 0x00];
    bytes.extend_from_slice(&[0x02, 0x01, 0x03]);
    match parse("length_2gib", &bytes) {
        Err(Error::Malformed {
            problem:
                DerProblem::LengthBeyondInput {
                    claimed: 2_147_483_648,
                    ..
                },
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_truncation_of_a_valid_file_is_an_error_never_a_panic() {
    let (key, cert) = key_and_cert();
    let pfx = pfxgen_pkcs12::write_pfx(
        &PrivateKey::from_pkcs8_der(&key).unwrap(),
        &pfxgen_x509::Certificate::from_der(&cert).unwrap(),
        &[],
        &Password::from_str_copy(PW),
        &pfxgen_pkcs12::WriteOptions {
            iterations: 1000,
            ..Default::default()
        },
    )
    .unwrap();
    seed("truncation_base", &pfx);
    for len in 0..pfx.len() {
        match Pfx::parse(&pfx[..len], &Limits::default()) {
            Err(Error::Malformed { .. }) => {}
            other => panic!("prefix of {len} bytes: {other:?}"),
        }
    }
    // Truncated tags and lengths inside: cut a long-form length short.
    match Pfx::parse(&[0x30, 0x82, 0x01], &Limits::default()) {
        Err(Error::Malformed {
            problem: DerProblem::Truncated,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn reject_100000_tiny_bags() {
    // Each bag is `30 00`-like minimal; the limit stops counting at 1001.
    let bag = safe_bag("1.2.3", &d::null(), &[]);
    let mut body = Vec::with_capacity(bag.len() * 100_000);
    for _ in 0..100_000 {
        body.extend_from_slice(&bag);
    }
    let contents = d::tlv(0x30, &body);
    let start = std::time::Instant::now();
    match parse("tiny_bags", &pfx_of(&[data_ci(&contents)])) {
        Err(Error::LimitExceeded {
            value: 1001,
            max: 1000,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    // Bounded work, shown by the limit; the time is printed for the record.
    eprintln!("100,000 bags refused in {:?}", start.elapsed());
}

// --- MacData ---------------------------------------------------------------

#[test]
fn reject_mac_of_the_wrong_length() {
    let pfx = filler_mac_pfx(SHA256, 31, &d::integer_u64(2048));
    invalid(
        parse("mac_31_bytes", &pfx),
        "MacData.mac.digest",
        "31 bytes",
    );
}

#[test]
fn unknown_mac_digest_parses_but_never_opens() {
    for (name, digest) in [("md5", "1.2.840.113549.2.5"), ("unknown", "1.2.3.4.5")] {
        let pfx = filler_mac_pfx(digest, 16, &d::integer_u64(2048));
        // It parses (so `inspect` can show the rest of the file) ...
        let parsed = parse(&format!("mac_digest_{name}"), &pfx).unwrap();
        let mac = parsed.mac().unwrap();
        assert_eq!(mac.iterations(), 2048, "{name}");
        assert!(mac.algorithm.to_string().contains(digest), "{name}");
        assert_eq!(parsed.mac_work(&Password::from_str_copy(PW)), 0, "{name}");
        // ... and every way of opening it is refused before any derivation.
        let mut spent = 0;
        let pw = Password::from_str_copy(PW);
        let tiny = Limits {
            max_work: 1,
            ..Limits::default()
        };
        for result in [
            parsed.open(&pw, &tiny).map(|_| ()),
            parsed
                .open_certificates_metered(&pw, &tiny, &mut spent)
                .map(|_| ()),
        ] {
            match result {
                Err(Error::Unsupported {
                    what: "MacData.mac.digestAlgorithm",
                    detail,
                }) if detail.contains(digest) => {}
                other => panic!("{name}: {other:?}"),
            }
        }
        assert_eq!(spent, 0, "{name}");
    }
}

#[test]
fn missing_mac_data_opens_and_is_reported_absent() {
    let auth_safe = d::sequence(&[&data_ci(&baseline_bags(&[]))]);
    let pfx = pfx_with(&d::integer_u64(3), &data_ci(&auth_safe), None);
    let opened = open("no_mac", &pfx).unwrap();
    assert_eq!(opened.mac, MacStatus::Absent);
}

// --- authSafe, EnvelopedData, version ----------------------------------------

#[test]
fn reject_auth_safe_that_is_not_data() {
    let ci = d::sequence(&[
        &oid("1.2.840.113549.1.7.2"),
        &d::context_constructed(0, &[&d::sequence(&[])]),
    ]);
    match parse(
        "authsafe_signed_data",
        &pfx_with(&d::integer_u64(3), &ci, None),
    ) {
        Err(Error::Unsupported {
            what: "PFX.authSafe",
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    let ci = d::sequence(&[
        &oid(ENCRYPTED_DATA),
        &d::context_constructed(0, &[&d::sequence(&[])]),
    ]);
    invalid(
        parse(
            "authsafe_encrypted_data",
            &pfx_with(&d::integer_u64(3), &ci, None),
        ),
        "PFX.authSafe.contentType",
        "must be data",
    );
    // Data whose content is not an OCTET STRING.
    let ci = d::sequence(&[&oid(DATA), &d::context_constructed(0, &[&d::sequence(&[])])]);
    invalid(
        parse(
            "authsafe_not_octets",
            &pfx_with(&d::integer_u64(3), &ci, None),
        ),
        "PFX.authSafe.content",
        "OCTET STRING",
    );
}

#[test]
fn reject_enveloped_data_contents_on_open() {
    let env = d::sequence(&[
        &oid("1.2.840.113549.1.7.3"),
        &d::context_constructed(0, &[&d::sequence(&[])]),
    ]);
    match open("enveloped", &pfx_of(&[env])) {
        Err(Error::Unsupported {
            what: "AuthenticatedSafe",
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn reject_pfx_version_other_than_3() {
    let auth_safe = d::sequence(&[&data_ci(&baseline_bags(&[]))]);
    for v in [0u64, 2, 4, 255] {
        invalid(
            parse(
                &format!("version_{v}"),
                &pfx_with(&d::integer_u64(v), &data_ci(&auth_safe), None),
            ),
            "PFX.version",
            "version",
        );
    }
}

// --- PBES2 parameters ---------------------------------------------------------

#[test]
fn reject_pbes2_with_a_non_pbkdf2_kdf() {
    let scrypt = d::sequence(&[
        &oid("1.3.6.1.4.1.11591.4.11"),
        &d::sequence(&[
            &d::octet_string(&[1; 16]),
            &d::integer_u64(16384),
            &d::integer_u64(8),
            &d::integer_u64(1),
        ]),
    ]);
    let enc = d::sequence(&[&oid(AES256_CBC), &d::octet_string(&[1; 16])]);
    let alg = d::sequence(&[&oid(PBES2), &d::sequence(&[&scrypt, &enc])]);
    let parsed = parse(
        "pbes2_scrypt",
        &pfx_of(&[encrypted_ci(&alg, Some(&[0; 16]))]),
    )
    .unwrap();
    match parsed.open(&Password::from_str_copy(PW), &Limits::default()) {
        Err(Error::Unsupported { detail, .. }) if detail.contains("scrypt") => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn reject_pbes2_salt_other_source() {
    let other = d::sequence(&[&oid("1.2.3.4")]);
    let alg = pbes2_alg(AES256_CBC, &[1; 16], None, &d::integer_u64(2048), &other);
    invalid(
        parse(
            "pbes2_othersource",
            &pfx_of(&[encrypted_ci(&alg, Some(&[0; 16]))]),
        ),
        "PBKDF2-params.salt",
        "otherSource",
    );
}

#[test]
fn reject_aes_iv_of_15_or_17_bytes() {
    for len in [15usize, 17] {
        let alg = pbes2_alg(
            AES256_CBC,
            &vec![1; len],
            None,
            &d::integer_u64(2048),
            &d::octet_string(&[2; 16]),
        );
        invalid(
            parse(
                &format!("aes_iv_{len}"),
                &pfx_of(&[encrypted_ci(&alg, Some(&[0; 16]))]),
            ),
            "PBES2 encryptionScheme IV",
            "16-byte IV",
        );
    }
}

/// A keyLength that does not match the cipher is a producer bug (NSS 3.29
/// wrote 32 for AES-128): read, with the mismatch reported; the cipher fixes
/// the key length. Zero is no key length at all: refused.
#[test]
fn key_length_not_matching_the_cipher_is_reported_not_refused() {
    for kl in [16u64, 24, 33] {
        let alg = pbes2_alg(
            AES256_CBC,
            &[1; 16],
            Some(kl),
            &d::integer_u64(2048),
            &d::octet_string(&[2; 16]),
        );
        let pfx = Pfx::parse(
            &pfx_of(&[encrypted_ci(&alg, Some(&[0; 16]))]),
            &Limits::default(),
        )
        .unwrap_or_else(|e| panic!("{kl}: {e}"));
        let Content::Encrypted {
            scheme: Ok(scheme), ..
        } = &pfx.contents()[0]
        else {
            panic!("{kl}: not an encrypted content");
        };
        assert_eq!(
            scheme.key_length_mismatch(),
            Some((u32::try_from(kl).unwrap(), 32)),
            "{kl}"
        );
    }
    let alg = pbes2_alg(
        AES256_CBC,
        &[1; 16],
        Some(0),
        &d::integer_u64(2048),
        &d::octet_string(&[2; 16]),
    );
    match parse(
        "keylength_0",
        &pfx_of(&[encrypted_ci(&alg, Some(&[0; 16]))]),
    ) {
        Err(Error::InvalidValue {
            what: "PBKDF2-params.keyLength",
            ..
        }) => {}
        other => panic!("0: {other:?}"),
    }
}

/// An encrypted SafeContents under the right password whose decryption is an
/// empty SafeContents (`30 00`) followed by `padding`: the padding is the
/// only thing that can make it fail.
fn padded_safe_contents(padding: &[u8]) -> Vec<u8> {
    use aes::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::NoPadding};
    let salt = [2u8; 16];
    let iv = [1u8; 16];
    let key = kdf::pbkdf2(Hash::Sha256, PW.as_bytes(), &salt, 2048, 32);
    let mut plain = d::sequence(&[]).to_vec();
    plain.extend_from_slice(padding);
    let len = plain.len();
    let enc = cbc::Encryptor::<aes::Aes256>::new_from_slices(&key, &iv).unwrap();
    let ct = enc
        .encrypt_padded::<NoPadding>(&mut plain, len)
        .unwrap()
        .to_vec();
    let alg = pbes2_alg(
        AES256_CBC,
        &iv,
        None,
        &d::integer_u64(2048),
        &d::octet_string(&salt),
    );
    pfx_of(&[encrypted_ci(&alg, Some(&ct))])
}

#[test]
fn reject_bad_cbc_padding_with_the_right_password() {
    // Control: with correct padding the same construction opens.
    let opened = open("good_padding", &padded_safe_contents(&[14; 14])).unwrap();
    assert!(opened.bags.is_empty());
    // 30 bytes of 0x1E: self-consistent, but longer than a block (16).
    // One wrong byte among the 14. Either, if accepted, would leave `30 00`.
    let mut inconsistent = [14u8; 14];
    inconsistent[3] = 13;
    for (name, padding) in [
        ("padding_over_a_block", &[0x1E; 30][..]),
        ("padding_inconsistent", &inconsistent[..]),
    ] {
        match open(name, &padded_safe_contents(padding)) {
            Err(Error::DecryptionFailed { .. }) => {}
            other => panic!("{name}: {other:?}"),
        }
    }
}

// --- Certificate issuer cycles (p12-keystore) ----------------------------------

/// A CA certificate for `subject` issued by `issuer`, signed by `signer`.
fn issued(subject: &str, issuer: &str, key: &PrivateKey, signer: &PrivateKey) -> Vec<u8> {
    pfxgen_x509::testing::issued(subject, issuer, key, signer, true).unwrap()
}

#[test]
fn certificate_issuer_cycles_terminate() {
    let ka = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let kb = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    // A is issued by B, B by A: each signature verifies with the other's key.
    let a = issued("CN=A", "CN=B", &ka, &kb);
    let b = issued("CN=B", "CN=A", &kb, &ka);
    let bags = d::sequence(&[&cert_bag(&a, &[]), &cert_bag(&b, &[])]);
    let opened = open("issuer_cycle", &pfx_of(&[data_ci(&bags)])).unwrap();
    let chain = opened.chain(0);
    assert!(chain.cycle, "{chain:?}");
    assert!(!chain.complete);
    assert_eq!(chain.certificates, vec![0, 1]);
    // A self-cycle through one certificate with a foreign signature.
    let c = issued("CN=C", "CN=C", &ka, &kb);
    let opened = open(
        "self_cycle",
        &pfx_of(&[data_ci(&d::sequence(&[&cert_bag(&c, &[])]))]),
    )
    .unwrap();
    let chain = opened.chain(0);
    assert_eq!(chain.signatures, vec![Some(false)]);
    assert!(!chain.complete);
}

/// Review finding: chain building is bounded whatever the file holds: a
/// chain of 24 CA levels is followed for at most 16 certificates.
#[test]
fn chain_building_is_bounded() {
    let keys: Vec<PrivateKey> = (0..24)
        .map(|_| PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap())
        .collect();
    let mut bags = Vec::new();
    for i in 0..24 {
        let subject = format!("CN=L{i}");
        let issuer = if i == 23 {
            subject.clone()
        } else {
            format!("CN=L{}", i + 1)
        };
        let signer = &keys[if i == 23 { 23 } else { i + 1 }];
        bags.push(cert_bag(&issued(&subject, &issuer, &keys[i], signer), &[]));
    }
    let opened = open(
        "long_chain",
        &pfx_of(&[data_ci(&d::sequence(
            &bags.iter().map(Vec::as_slice).collect::<Vec<_>>(),
        ))]),
    )
    .unwrap();
    let chain = opened.chain(0);
    assert_eq!(chain.certificates.len(), pfxgen_pkcs12::MAX_CHAIN_LENGTH);
    assert!(!chain.complete);
    assert!(chain.signatures.iter().take(15).all(|s| *s == Some(true)));
}
