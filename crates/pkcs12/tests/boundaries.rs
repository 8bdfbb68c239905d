//! Every limit pinned at its boundary: the value at the limit is accepted,
//! one more is refused with the typed error naming the limit. Each test
//! would fail if its check were deleted or off by one (`>` for `>=`), which
//! is what mutation testing (`scripts/mutants.sh`) asks of them.
//!
//! The nesting tests also feed inputs of 100,000 levels: without the depth
//! checks they overflow the stack instead of returning `TooDeep`.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::borrow::Cow;

use pfxgen_asn1::writer as d;
use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
use pfxgen_pkcs12::{
    DerProblem, Error, IterationProblem, Limits, Password, Pfx, ber, decrypt_pkcs8, testing,
};

mod common {
    pub mod fixtures;
}
use common::fixtures::{
    AES256_CBC, CERT_BAG, DATA, ENCRYPTED_DATA, PBE_3DES, SAFE_CONTENTS_BAG, SHA256, X509, oid,
    pbes2_alg, pbmac1_with_key_length, too_deep_error,
};

const PW: &str = "pw";

/// An unknown bag type: the cheapest bag the parser still counts.
const OTHER_BAG: &str = "1.2.3.4";

fn limits(f: impl FnOnce(&mut Limits)) -> Limits {
    let mut l = Limits::default();
    f(&mut l);
    l
}

#[track_caller]
fn limit_exceeded<T: std::fmt::Debug>(
    result: Result<T, Error>,
    needle: &str,
    value: u64,
    max: u64,
) {
    match result {
        Err(Error::LimitExceeded {
            limit,
            value: v,
            max: m,
        }) if limit.contains(needle) && v == value && m == max => {}
        other => panic!("expected LimitExceeded {{ {needle}, {value} > {max} }}, got {other:?}"),
    }
}

#[track_caller]
fn too_deep<T: std::fmt::Debug>(result: Result<T, ber::BerError>, limit: usize) {
    match result {
        Err(ber::BerError {
            problem: DerProblem::TooDeep { limit: l },
            ..
        }) if l == limit => {}
        other => panic!("expected TooDeep {{ limit: {limit} }}, got {other:?}"),
    }
}

// --- BER nesting depth --------------------------------------------------------

/// `levels` nested definite-length constructed values of tag `tag` around
/// `inner`, built inside out in linear time (the lengths are known only from
/// the inside).
fn definite_nest(tag: u8, levels: usize, inner: &[u8]) -> Vec<u8> {
    let mut headers: Vec<Vec<u8>> = Vec::with_capacity(levels);
    let mut size = inner.len();
    for _ in 0..levels {
        let mut header = vec![tag];
        d::push_length(&mut header, size);
        size += header.len();
        headers.push(header);
    }
    let mut out = Vec::with_capacity(size);
    for header in headers.iter().rev() {
        out.extend_from_slice(header);
    }
    out.extend_from_slice(inner);
    out
}

/// `levels` nested indefinite-length values of tag `tag` around `inner`.
fn indefinite_nest(tag: u8, levels: usize, inner: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(levels * 4 + inner.len());
    for _ in 0..levels {
        out.extend_from_slice(&[tag, 0x80]);
    }
    out.extend_from_slice(inner);
    for _ in 0..levels {
        out.extend_from_slice(&[0, 0]);
    }
    out
}

/// The top element is at depth 0, so `n` nested SEQUENCEs around an INTEGER
/// put the INTEGER at depth `n`: accepted when `n <= max_depth`.
#[test]
fn definite_length_nesting_at_max_depth_is_accepted_and_one_more_refused() {
    for max_depth in [1, 5, 32] {
        let at_limit = definite_nest(0x30, max_depth, &[0x02, 0x01, 0x07]);
        let normalised = ber::normalize(&at_limit, max_depth).unwrap();
        assert!(matches!(normalised, Cow::Borrowed(_)), "already DER");
        let over = definite_nest(0x30, max_depth + 1, &[0x02, 0x01, 0x07]);
        too_deep(ber::normalize(&over, max_depth), max_depth);
    }
}

#[test]
fn definite_length_nesting_of_100000_levels_is_refused_not_a_stack_overflow() {
    let deep = definite_nest(0x30, 100_000, &[0x05, 0x00]);
    assert!(deep.len() > 400_000);
    let err = ber::normalize(&deep, 32).unwrap_err();
    assert_eq!(err.problem, DerProblem::TooDeep { limit: 32 });
    // The element at depth 33 is refused where it starts: after 33 headers.
    let rest = definite_nest(0x30, 100_000 - 33, &[0x05, 0x00]);
    assert_eq!(err.offset, deep.len() - rest.len());
    // Through the public entry points too.
    too_deep_error(Pfx::parse(&deep, &Limits::default()), 32);
    too_deep_error(
        decrypt_pkcs8(&deep, &Password::from_str_copy(PW), &Limits::default()),
        32,
    );
}

#[test]
fn indefinite_length_nesting_at_max_depth_is_accepted_and_one_more_refused() {
    for max_depth in [1, 5, 32] {
        let at_limit = indefinite_nest(0x30, max_depth, &[0x02, 0x01, 0x07]);
        let normalised = ber::normalize(&at_limit, max_depth).unwrap();
        assert_eq!(
            normalised,
            definite_nest(0x30, max_depth, &[0x02, 0x01, 0x07])
        );
        let over = indefinite_nest(0x30, max_depth + 1, &[0x02, 0x01, 0x07]);
        too_deep(ber::normalize(&over, max_depth), max_depth);
    }
}

/// A constructed OCTET STRING is flattened rather than copied, by its own
/// recursion with its own depth check: `n` nested constructed strings put
/// their primitive piece at depth `n`, as for SEQUENCEs.
#[test]
fn constructed_string_nesting_at_max_depth_is_accepted_and_one_more_refused() {
    let piece = [0x04, 0x02, 0xAA, 0xBB];
    for max_depth in [1, 5, 32] {
        for nest in [definite_nest, indefinite_nest] {
            let at_limit = nest(0x24, max_depth, &piece);
            assert_eq!(
                ber::normalize(&at_limit, max_depth).unwrap().as_ref(),
                [0x04, 0x02, 0xAA, 0xBB]
            );
            let over = nest(0x24, max_depth + 1, &piece);
            too_deep(ber::normalize(&over, max_depth), max_depth);
        }
        // A BIT STRING takes the same path.
        let bits = [0x03, 0x02, 0x00, 0xAA];
        assert_eq!(
            ber::normalize(&definite_nest(0x23, max_depth, &bits), max_depth)
                .unwrap()
                .as_ref(),
            bits
        );
        too_deep(
            ber::normalize(&definite_nest(0x23, max_depth + 1, &bits), max_depth),
            max_depth,
        );
    }
}

#[test]
fn constructed_string_nesting_of_100000_levels_is_refused_not_a_stack_overflow() {
    let piece = [0x04, 0x01, 0xAA];
    for deep in [
        definite_nest(0x24, 100_000, &piece),
        indefinite_nest(0x24, 100_000, &piece),
    ] {
        assert!(deep.len() >= 400_000);
        too_deep(ber::normalize(&deep, 32), 32);
        // Inside a SEQUENCE, the string starts one level down.
        let wrapped = definite_nest(0x30, 1, &deep);
        too_deep(ber::normalize(&wrapped, 32), 32);
    }
}

/// The secret variant (decrypted keys and contents) enforces the same limit.
#[test]
fn normalize_secret_has_the_same_depth_limit() {
    let at_limit = indefinite_nest(0x30, 7, &[0x05, 0x00]);
    assert_eq!(
        *ber::normalize_secret(&at_limit, 7).unwrap(),
        definite_nest(0x30, 7, &[0x05, 0x00])
    );
    let over = indefinite_nest(0x30, 8, &[0x05, 0x00]);
    assert_eq!(
        ber::normalize_secret(&over, 7).unwrap_err().problem,
        DerProblem::TooDeep { limit: 7 }
    );
}

/// `Pfx::parse` passes `Limits::max_depth` to the normaliser.
#[test]
fn pfx_parse_uses_limits_max_depth() {
    let pfx = testing::pfx(
        &[testing::data_content(&testing::safe_contents(&[]))],
        &Password::from_str_copy(PW),
        1,
    );
    // PFX > MacData > DigestInfo > AlgorithmIdentifier > OID: depth 4.
    assert!(Pfx::parse(&pfx, &limits(|l| l.max_depth = 4)).is_ok());
    too_deep_error(Pfx::parse(&pfx, &limits(|l| l.max_depth = 3)), 3);
}

// --- Input size ---------------------------------------------------------------

fn minimal_pfx() -> Vec<u8> {
    testing::pfx(
        &[testing::data_content(&testing::safe_contents(&[]))],
        &Password::from_str_copy(PW),
        1,
    )
}

#[test]
fn default_limits_are_as_documented() {
    let l = Limits::default();
    assert_eq!(l.max_input_size, 8 * 1024 * 1024);
    assert_eq!(l.max_depth, 32);
    assert_eq!(l.max_bags, 1000);
    assert_eq!(l.max_contents, 64);
    assert_eq!(l.max_attributes, 64);
    assert_eq!(l.max_iterations, 2_000_000);
}

#[test]
fn pfx_parse_input_size_at_the_limit_is_accepted_and_one_more_refused() {
    let pfx = minimal_pfx();
    assert!(Pfx::parse(&pfx, &limits(|l| l.max_input_size = pfx.len())).is_ok());
    match Pfx::parse(&pfx, &limits(|l| l.max_input_size = pfx.len() - 1)) {
        Err(Error::InputTooLarge { size, limit }) => {
            assert_eq!((size, limit), (pfx.len(), pfx.len() - 1));
        }
        other => panic!("{other:?}"),
    }
    // The default: 8 MiB + 1 byte is refused for its size, before decoding
    // (a buffer of zeros would otherwise be a BER error).
    let big = vec![0u8; 8 * 1024 * 1024 + 1];
    assert!(matches!(
        Pfx::parse(&big, &Limits::default()),
        Err(Error::InputTooLarge {
            size: 8_388_609,
            limit: 8_388_608
        })
    ));
    assert!(matches!(
        Pfx::parse(&big[1..], &Limits::default()),
        Err(Error::Malformed { .. })
    ));
}

/// AES-256-CBC with PKCS#7 padding, by the `aes`/`cbc` crates directly.
fn aes256_cbc(key: &[u8], iv: &[u8], plain: &[u8]) -> Vec<u8> {
    use aes::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
    let mut buf = plain.to_vec();
    buf.resize(plain.len() + 16, 0);
    cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv)
        .unwrap()
        .encrypt_padded::<Pkcs7>(&mut buf, plain.len())
        .unwrap()
        .to_vec()
}

/// An `EncryptedPrivateKeyInfo` (PBES2, `iterations`) holding a fresh key.
fn encrypted_pkcs8(iterations: u32) -> (PrivateKey, Vec<u8>) {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let epki = encrypt_as_pkcs8(&key.to_pkcs8_der().unwrap(), iterations);
    (key, epki)
}

/// `plain` encrypted as an `EncryptedPrivateKeyInfo` under password `pw`.
fn encrypt_as_pkcs8(plain: &[u8], iterations: u32) -> Vec<u8> {
    let salt = [3u8; 16];
    let iv = [4u8; 16];
    let aes_key = pfxgen_pkcs12::kdf::pbkdf2(
        pfxgen_pkcs12::Hash::Sha256,
        PW.as_bytes(),
        &salt,
        iterations,
        32,
    );
    let ct = aes256_cbc(&aes_key, &iv, plain);
    let alg = pbes2_alg(
        AES256_CBC,
        &iv,
        None,
        &d::integer_u64(u64::from(iterations)),
        &d::octet_string(&salt),
    );
    d::sequence(&[&alg, &d::octet_string(&ct)])
}

/// A plaintext is taken as the key only if it is a SEQUENCE that
/// normalises: valid BER of another type (an OCTET STRING), or a SEQUENCE
/// that does not normalise, means a wrong password, not a bad key.
#[test]
fn decrypt_pkcs8_plaintext_must_be_a_sequence_that_normalises() {
    let pw = Password::from_str_copy(PW);
    for plain in [&[0x04, 0x00][..], &[0x30, 0x05, 0x02]] {
        match decrypt_pkcs8(&encrypt_as_pkcs8(plain, 1), &pw, &Limits::default()) {
            Err(Error::DecryptionFailed { .. }) => {}
            other => panic!("{plain:02X?}: {other:?}"),
        }
    }
    // A SEQUENCE that normalises but is no key: the key is at fault.
    assert!(matches!(
        decrypt_pkcs8(&encrypt_as_pkcs8(&[0x30, 0x00], 1), &pw, &Limits::default()),
        Err(Error::Key { .. })
    ));
}

#[test]
fn decrypt_pkcs8_input_size_at_the_limit_is_accepted_and_one_more_refused() {
    let (key, epki) = encrypted_pkcs8(2048);
    let pw = Password::from_str_copy(PW);
    let opened = decrypt_pkcs8(&epki, &pw, &limits(|l| l.max_input_size = epki.len())).unwrap();
    assert_eq!(
        opened.to_pkcs8_der().unwrap().as_slice(),
        key.to_pkcs8_der().unwrap().as_slice()
    );
    match decrypt_pkcs8(&epki, &pw, &limits(|l| l.max_input_size = epki.len() - 1)) {
        Err(Error::InputTooLarge { size, limit }) => {
            assert_eq!((size, limit), (epki.len(), epki.len() - 1));
        }
        other => panic!("{other:?}"),
    }
    let big = vec![0u8; 8 * 1024 * 1024 + 1];
    assert!(matches!(
        decrypt_pkcs8(&big, &pw, &Limits::default()),
        Err(Error::InputTooLarge {
            size: 8_388_609,
            limit: 8_388_608
        })
    ));
}

// --- Counts -------------------------------------------------------------------

fn pfx_of(contents: &[Vec<u8>]) -> Vec<u8> {
    testing::pfx(contents, &Password::from_str_copy(PW), 1)
}

fn other_bag(attrs: &[Vec<u8>]) -> Vec<u8> {
    testing::safe_bag(
        &der::asn1::ObjectIdentifier::new_unwrap(OTHER_BAG),
        &d::null(),
        attrs,
    )
}

#[test]
fn content_info_count_at_the_limit_is_accepted_and_one_more_refused() {
    for max in [1usize, 3, 64] {
        let empty = testing::data_content(&testing::safe_contents(&[]));
        let l = limits(|l| l.max_contents = max);
        let at_limit = pfx_of(&vec![empty.clone(); max]);
        assert_eq!(Pfx::parse(&at_limit, &l).unwrap().contents().len(), max);
        let over = pfx_of(&vec![empty; max + 1]);
        limit_exceeded(
            Pfx::parse(&over, &l),
            "ContentInfos",
            max as u64 + 1,
            max as u64,
        );
    }
}

#[test]
fn bag_count_at_the_limit_is_accepted_and_one_more_refused() {
    for max in [1usize, 10, 1000] {
        let l = limits(|l| l.max_bags = max);
        let bags = vec![other_bag(&[]); max];
        let at_limit = pfx_of(&[testing::data_content(&testing::safe_contents(&bags))]);
        assert!(Pfx::parse(&at_limit, &l).is_ok());
        // One more, in a second ContentInfo: the count is for the whole file.
        let over = pfx_of(&[
            testing::data_content(&testing::safe_contents(&bags)),
            testing::data_content(&testing::safe_contents(&[other_bag(&[])])),
        ]);
        limit_exceeded(
            Pfx::parse(&over, &l),
            "SafeBags",
            max as u64 + 1,
            max as u64,
        );
    }
}

/// Nested bags count too: a safeContentsBag and the bag inside are two.
#[test]
fn nested_bags_count_against_the_bag_limit() {
    let inner = testing::safe_contents(&[other_bag(&[])]);
    let nested = testing::safe_bag(
        &der::asn1::ObjectIdentifier::new_unwrap(SAFE_CONTENTS_BAG),
        &inner,
        &[],
    );
    let pfx = pfx_of(&[testing::data_content(&testing::safe_contents(&[nested]))]);
    let parsed = Pfx::parse(&pfx, &limits(|l| l.max_bags = 2)).unwrap();
    match parsed.contents() {
        [pfxgen_pkcs12::Content::Data { bags }] => {
            assert_eq!(bags[0].nested().len(), 1);
            assert!(bags[0].nested()[0].nested().is_empty());
        }
        other => panic!("{other:?}"),
    }
    limit_exceeded(
        Pfx::parse(&pfx, &limits(|l| l.max_bags = 1)),
        "SafeBags",
        2,
        1,
    );
}

/// safeContentsBags may nest 4 deep (a fixed limit, not in `Limits`).
#[test]
fn safe_contents_bag_nesting_of_4_is_accepted_and_5_refused() {
    let nest = |levels: usize| {
        let mut contents = testing::safe_contents(&[other_bag(&[])]);
        for _ in 0..levels {
            let bag = testing::safe_bag(
                &der::asn1::ObjectIdentifier::new_unwrap(SAFE_CONTENTS_BAG),
                &contents,
                &[],
            );
            contents = testing::safe_contents(&[bag]);
        }
        pfx_of(&[testing::data_content(&contents)])
    };
    assert!(Pfx::parse(&nest(4), &Limits::default()).is_ok());
    limit_exceeded(
        Pfx::parse(&nest(5), &Limits::default()),
        "nesting of safeContentsBags",
        5,
        4,
    );
}

/// `n` distinct attributes (unknown OIDs, one value each).
fn attributes(n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            testing::attribute(
                &der::asn1::ObjectIdentifier::new_unwrap(&format!("1.2.3.{}", i + 1)),
                &d::null(),
            )
        })
        .collect()
}

#[test]
fn attribute_count_at_the_limit_is_accepted_and_one_more_refused() {
    for max in [1usize, 5, 64] {
        let l = limits(|l| l.max_attributes = max);
        let at_limit = pfx_of(&[testing::data_content(&testing::safe_contents(&[
            other_bag(&attributes(max)),
        ]))]);
        let parsed = Pfx::parse(&at_limit, &l).unwrap();
        match parsed.contents() {
            [pfxgen_pkcs12::Content::Data { bags }] => {
                assert_eq!(bags[0].attributes.other.len(), max);
                assert!(bags[0].attributes.anomalies.is_empty());
            }
            other => panic!("{other:?}"),
        }
        let over = pfx_of(&[testing::data_content(&testing::safe_contents(&[
            other_bag(&attributes(max + 1)),
        ]))]);
        limit_exceeded(
            Pfx::parse(&over, &l),
            "attributes on a bag",
            max as u64 + 1,
            max as u64,
        );
    }
}

#[test]
fn attribute_value_count_at_the_limit_is_accepted_and_one_more_refused() {
    let with_values = |n: usize| {
        let values = vec![d::null(); n];
        let parts: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
        let attr = d::sequence(&[&oid("1.2.3.9"), &d::constructed(0x31, &parts)]);
        pfx_of(&[testing::data_content(&testing::safe_contents(&[
            other_bag(&[attr]),
        ]))])
    };
    for max in [1usize, 5, 64] {
        let l = limits(|l| l.max_attributes = max);
        let parsed = Pfx::parse(&with_values(max), &l).unwrap();
        match parsed.contents() {
            [pfxgen_pkcs12::Content::Data { bags }] => {
                assert_eq!(bags[0].attributes.other, [("1.2.3.9".to_owned(), max)]);
            }
            other => panic!("{other:?}"),
        }
        limit_exceeded(
            Pfx::parse(&with_values(max + 1), &l),
            "values of one attribute",
            max as u64 + 1,
            max as u64,
        );
    }
}

// --- Iteration count of one derivation ------------------------------------------

fn mac_with_iterations(iterations: u64) -> Vec<u8> {
    let auth_safe = testing::safe_contents(&[]);
    // Parsing never computes the MAC: its value is irrelevant here.
    let alg = d::sequence(&[&oid(SHA256), &d::null()]);
    let mac = d::sequence(&[
        &d::sequence(&[&alg, &d::octet_string(&[0; 32])]),
        &d::octet_string(&[1; 8]),
        &d::integer_u64(iterations),
    ]);
    testing::pfx_with(
        &d::integer_u64(3),
        &testing::data_content(&auth_safe),
        Some(&mac),
    )
}

fn encrypted_content(alg: &[u8]) -> Vec<u8> {
    let eci = d::sequence(&[&oid(DATA), alg, &d::context_primitive(0, &[0; 16])]);
    let ed = d::sequence(&[&d::integer_u64(0), &eci]);
    d::sequence(&[&oid(ENCRYPTED_DATA), &d::context_constructed(0, &[&ed])])
}

#[test]
fn iterations_at_the_limit_are_accepted_and_one_more_refused() {
    for max in [1u32, 5000, 2_000_000] {
        let l = limits(|l| l.max_iterations = max);
        let at = u64::from(max);
        let pbe = |n: u64| {
            d::sequence(&[
                &oid(PBE_3DES),
                &d::sequence(&[&d::octet_string(&[1; 8]), &d::integer_u64(n)]),
            ])
        };
        let pbes2 = |n: u64| {
            let salt = d::octet_string(&[2; 16]);
            pbes2_alg(AES256_CBC, &[1; 16], None, &d::integer_u64(n), &salt)
        };
        for (what, make) in [
            (
                "MacData",
                &(|n| mac_with_iterations(n)) as &dyn Fn(u64) -> Vec<u8>,
            ),
            ("PBKDF2", &|n| pfx_of(&[encrypted_content(&pbes2(n))])),
            ("PKCS#12 PBE", &|n| pfx_of(&[encrypted_content(&pbe(n))])),
        ] {
            assert!(Pfx::parse(&make(at), &l).is_ok(), "{what} at {max}");
            match Pfx::parse(&make(at + 1), &l) {
                Err(Error::IterationCount {
                    problem: IterationProblem::AboveLimit { value, limit },
                    ..
                }) if value == Some(at + 1) && limit == max => {}
                other => panic!("{what} at {max} + 1: {other:?}"),
            }
        }
    }
}

// --- PBMAC1 key length ------------------------------------------------------------

/// RFC 9579 advises at least 160 bits; the longest HMAC output is 64 bytes.
#[test]
fn pbmac1_key_lengths_20_and_64_are_accepted_19_and_65_refused() {
    for ok in [20, 32, 64] {
        let pfx = Pfx::parse(&pbmac1_with_key_length(ok), &Limits::default()).unwrap();
        assert!(!pfx.mac().unwrap().dotnet_supported());
    }
    for bad in [19, 65] {
        match Pfx::parse(&pbmac1_with_key_length(bad), &Limits::default()) {
            Err(Error::InvalidValue { what, problem, .. })
                if what.contains("keyLength") && problem.contains("outside 20..=64") => {}
            other => panic!("keyLength {bad}: {other:?}"),
        }
    }
}

/// A shrouded key under a scheme pfxgen does not know is read and described
/// (for `inspect`), not refused at parse time; other bags have no such note.
#[test]
fn shrouded_key_with_an_unsupported_scheme_is_described_not_refused() {
    let epki = d::sequence(&[
        &d::sequence(&[&oid("1.2.3.4"), &d::null()]),
        &d::octet_string(&[0; 16]),
    ]);
    let shrouded = testing::safe_bag(
        &der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2"),
        &epki,
        &[],
    );
    let pfx = pfx_of(&[testing::data_content(&testing::safe_contents(&[
        shrouded,
        other_bag(&[]),
    ]))]);
    let parsed = Pfx::parse(&pfx, &Limits::default()).unwrap();
    match parsed.contents() {
        [pfxgen_pkcs12::Content::Data { bags }] => {
            assert_eq!(bags[0].unsupported_encryption(), Some("1.2.3.4"));
            assert!(bags[0].encryption().is_none());
            assert_eq!(bags[1].unsupported_encryption(), None);
        }
        other => panic!("{other:?}"),
    }
}

// --- What a parsed file reports about itself --------------------------------

/// A BER error inside an embedded encoding (the AuthenticatedSafe inside its
/// OCTET STRING) is reported at its offset in the file: the offset within the
/// embedded encoding plus where that encoding starts.
#[test]
fn ber_error_inside_the_auth_safe_is_located_in_the_file() {
    // An indefinite-length SEQUENCE holding one INTEGER and no end marker:
    // the error is past the start of the embedded encoding.
    let inner = [0x30, 0x80, 0x02, 0x01, 0x05];
    let inner_offset = match ber::normalize(&inner, 32) {
        Err(e) => e.offset,
        Ok(_) => panic!("the embedded encoding must be refused"),
    };
    assert!(inner_offset > 0);
    let file = testing::pfx_with(&d::integer_u64(3), &testing::data_content(&inner), None);
    let start = file
        .windows(inner.len())
        .position(|w| w == inner)
        .expect("embedded encoding in the file");
    match Pfx::parse(&file, &Limits::default()) {
        Err(Error::Malformed { at, .. }) => assert_eq!(at.offset, start + inner_offset),
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn a_parsed_file_reports_version_3() {
    let pw = Password::from_str_copy(PW);
    let bytes = testing::pfx(&[testing::data_content(&d::sequence(&[]))], &pw, 2048);
    assert_eq!(Pfx::parse(&bytes, &Limits::default()).unwrap().version(), 3);
}

/// Certificates in an unencrypted content are readable without a password
/// (what `inspect` shows of a file it cannot open); those in an encrypted
/// content are not.
/// A certificate bag (RFC 7292, 4.2.3) holding `cert`.
fn cert_bag(cert: &[u8]) -> Vec<u8> {
    let value = d::sequence(&[
        &oid(X509),
        &d::context_constructed(0, &[&d::octet_string(cert)]),
    ]);
    testing::safe_bag(
        &der::asn1::ObjectIdentifier::new_unwrap(CERT_BAG),
        &value,
        &[],
    )
}

fn a_certificate() -> pfxgen_x509::Certificate {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    pfxgen_x509::CertificateParams::default()
        .self_signed(&key)
        .unwrap()
}

#[test]
fn unencrypted_certificates_are_read_without_a_password() {
    let cert = a_certificate();
    let bag = cert_bag(cert.der());
    let pw = Password::from_str_copy(PW);
    let bytes = testing::pfx(&[testing::data_content(&d::sequence(&[&bag]))], &pw, 2048);
    let pfx = Pfx::parse(&bytes, &Limits::default()).unwrap();
    let certs = pfx.unencrypted_certificates();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].as_ref().unwrap().der(), cert.der());
}

/// Each certificate read without the keys names its own bag's index (the
/// index `open` gives the same bag), counted across contents.
#[test]
fn certificate_entries_name_their_bags() {
    let (a, b) = (a_certificate(), a_certificate());
    let other = testing::safe_bag(
        &der::asn1::ObjectIdentifier::new_unwrap(OTHER_BAG),
        &d::sequence(&[]),
        &[],
    );
    let pw = Password::from_str_copy(PW);
    let bytes = testing::pfx(
        &[
            testing::data_content(&d::sequence(&[&other, &cert_bag(a.der())])),
            testing::data_content(&d::sequence(&[&cert_bag(b.der())])),
        ],
        &pw,
        2048,
    );
    let pfx = Pfx::parse(&bytes, &Limits::default()).unwrap();
    let mut spent = 0;
    let (_, entries) = pfx
        .open_certificates_metered(&pw, &Limits::default(), &mut spent)
        .unwrap();
    let found: Vec<(usize, Vec<u8>)> = entries
        .iter()
        .map(|e| (e.bag, e.certificate.as_ref().unwrap().der().to_vec()))
        .collect();
    assert_eq!(found, [(1, a.der().to_vec()), (2, b.der().to_vec())]);
}
