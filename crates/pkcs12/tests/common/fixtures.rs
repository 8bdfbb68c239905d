//! What the hand-built inputs of several test suites share: object
//! identifiers written out in dotted form (not taken from the crate's own
//! table, so a wrong entry there fails these tests) and the PBMAC1 MacData
//! and PBES2 AlgorithmIdentifier builders, and the nesting-depth check. Each
//! suite uses part of it.
#![allow(dead_code)]
#![allow(clippy::panic)]

use pfxgen_asn1::writer as d;
use pfxgen_pkcs12::{DerProblem, Error, testing};

/// The DER of the OBJECT IDENTIFIER `dotted`.
pub fn oid(dotted: &str) -> Vec<u8> {
    d::oid(&der::asn1::ObjectIdentifier::new_unwrap(dotted))
}

pub const DATA: &str = "1.2.840.113549.1.7.1";
pub const ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
pub const KEY_BAG: &str = "1.2.840.113549.1.12.10.1.1";
pub const SHROUDED_KEY_BAG: &str = "1.2.840.113549.1.12.10.1.2";
pub const CERT_BAG: &str = "1.2.840.113549.1.12.10.1.3";
pub const SAFE_CONTENTS_BAG: &str = "1.2.840.113549.1.12.10.1.6";
pub const X509: &str = "1.2.840.113549.1.9.22.1";
pub const FRIENDLY: &str = "1.2.840.113549.1.9.20";
pub const LOCAL_KEY_ID: &str = "1.2.840.113549.1.9.21";
pub const PBES2: &str = "1.2.840.113549.1.5.13";
pub const PBKDF2: &str = "1.2.840.113549.1.5.12";
pub const PBMAC1: &str = "1.2.840.113549.1.5.14";
pub const HMAC_SHA256: &str = "1.2.840.113549.2.9";
pub const AES128_CBC: &str = "2.16.840.1.101.3.4.1.2";
pub const AES256_CBC: &str = "2.16.840.1.101.3.4.1.42";
pub const PBE_3DES: &str = "1.2.840.113549.1.12.1.3";
pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";

/// A PBES2 AlgorithmIdentifier: PBKDF2-HMAC-SHA256 with the salt and
/// iteration count given as raw TLVs and the keyLength if any, then
/// `cipher` (dotted) with `iv`.
pub fn pbes2_alg(
    cipher: &str,
    iv: &[u8],
    key_length: Option<u64>,
    iterations_tlv: &[u8],
    salt_tlv: &[u8],
) -> Vec<u8> {
    let prf = d::sequence(&[&oid(HMAC_SHA256), &d::null()]);
    let key_length = key_length.map(d::integer_u64);
    let mut fields = vec![salt_tlv, iterations_tlv];
    fields.extend(key_length.as_deref());
    fields.push(&prf);
    let kdf = d::sequence(&[&oid(PBKDF2), &d::sequence(&fields)]);
    let enc = d::sequence(&[&oid(cipher), &d::octet_string(iv)]);
    d::sequence(&[&oid(PBES2), &d::sequence(&[&kdf, &enc])])
}

/// A PBMAC1 MacData (RFC 9579) with HMAC-SHA256 over PBKDF2-HMAC-SHA256
/// with the given PBKDF2-params fields (salt, iterations, keyLength, as raw
/// TLVs; the PRF is added). The MAC value (32 zero bytes), the MacData salt
/// and iterations are filler: RFC 9579 ignores the last two.
pub fn pbmac1_mac_data(pbkdf2_fields: &[&[u8]]) -> Vec<u8> {
    let hmac_sha256 = d::sequence(&[&oid(HMAC_SHA256), &d::null()]);
    let mut fields = pbkdf2_fields.to_vec();
    fields.push(&hmac_sha256);
    let kdf = d::sequence(&[&oid(PBKDF2), &d::sequence(&fields)]);
    let alg = d::sequence(&[&oid(PBMAC1), &d::sequence(&[&kdf, &hmac_sha256])]);
    d::sequence(&[
        &d::sequence(&[&alg, &d::octet_string(&[0; 32])]),
        &d::octet_string(b"NOT USED"),
        &d::integer_u64(1),
    ])
}

/// An empty PFX under a PBMAC1 MAC whose `key_length`-byte key comes from
/// PBKDF2-HMAC-SHA256 at one iteration (the MAC value does not verify).
pub fn pbmac1_with_key_length(key_length: u64) -> Vec<u8> {
    let mac = pbmac1_mac_data(&[
        &d::octet_string(&[1; 16]),
        &d::integer_u64(1),
        &d::integer_u64(key_length),
    ]);
    testing::pfx_with(
        &d::integer_u64(3),
        &testing::data_content(&testing::safe_contents(&[])),
        Some(&mac),
    )
}

/// Panics unless `result` is the error of nesting deeper than `limit`.
#[track_caller]
pub fn too_deep_error<T: std::fmt::Debug>(result: Result<T, Error>, limit: usize) {
    match result {
        Err(Error::Malformed {
            problem: DerProblem::TooDeep { limit: l },
            ..
        }) if l == limit => {}
        other => panic!("expected Malformed TooDeep {{ limit: {limit} }}, got {other:?}"),
    }
}
