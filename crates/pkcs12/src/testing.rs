//! Builders for hand-made PFX files in tests (hostile inputs, layouts other
//! producers write). Not part of the API: hidden from the documentation.

use pfxgen_asn1::writer as d;

use crate::{Hash, Password, kdf, oid};

/// Bytes from hex digits, two a byte, as test vectors print them: any other
/// character (spaces, line breaks, colons) is skipped. A lone last digit is
/// dropped, so a mistyped vector fails the comparison it feeds.
#[must_use]
pub fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text
        .chars()
        .filter_map(|c| c.to_digit(16))
        .filter_map(|digit| u8::try_from(digit).ok())
        .collect();
    digits
        .chunks_exact(2)
        .map(|pair| pair.iter().fold(0, |byte, digit| byte << 4 | digit))
        .collect()
}

/// A `data` ContentInfo holding `content` (an encoded SafeContents or
/// AuthenticatedSafe).
#[must_use]
pub fn data_content(content: &[u8]) -> Vec<u8> {
    d::sequence(&[
        &d::oid(&oid::DATA),
        &d::context_constructed(0, &[&d::octet_string(content)]),
    ])
}

/// A SafeBag with the given type OID, value and attributes.
#[must_use]
pub fn safe_bag(bag_oid: &der::asn1::ObjectIdentifier, value: &[u8], attrs: &[Vec<u8>]) -> Vec<u8> {
    let wrapped = d::context_constructed(0, &[value]);
    if attrs.is_empty() {
        d::sequence(&[&d::oid(bag_oid), &wrapped])
    } else {
        let parts: Vec<&[u8]> = attrs.iter().map(Vec::as_slice).collect();
        d::sequence(&[&d::oid(bag_oid), &wrapped, &d::constructed(0x31, &parts)])
    }
}

/// A PKCS12Attribute with one value (as written, not re-encoded).
#[must_use]
pub fn attribute(attr_oid: &der::asn1::ObjectIdentifier, value: &[u8]) -> Vec<u8> {
    d::sequence(&[&d::oid(attr_oid), &d::constructed(0x31, &[value])])
}

/// A `localKeyId` attribute.
#[must_use]
pub fn local_key_id(id: &[u8]) -> Vec<u8> {
    attribute(&oid::LOCAL_KEY_ID, &d::octet_string(id))
}

/// A certBag holding an X.509 certificate.
#[must_use]
pub fn cert_bag(cert_der: &[u8], attrs: &[Vec<u8>]) -> Vec<u8> {
    let value = d::sequence(&[
        &d::oid(&oid::X509_CERTIFICATE),
        &d::context_constructed(0, &[&d::octet_string(cert_der)]),
    ]);
    safe_bag(&oid::CERT_BAG, &value, attrs)
}

/// An unencrypted keyBag.
#[must_use]
pub fn key_bag(pkcs8: &[u8], attrs: &[Vec<u8>]) -> Vec<u8> {
    safe_bag(&oid::KEY_BAG, pkcs8, attrs)
}

/// A SafeContents of `bags`.
#[must_use]
pub fn safe_contents(bags: &[Vec<u8>]) -> Vec<u8> {
    let parts: Vec<&[u8]> = bags.iter().map(Vec::as_slice).collect();
    d::sequence(&parts)
}

/// A MacData (HMAC-SHA256, PKCS#12 KDF) over `auth_safe`, with the
/// iteration count written as the given raw INTEGER TLV.
#[must_use]
pub fn mac_data(
    password: &Password,
    auth_safe: &[u8],
    iterations_tlv: &[u8],
    iterations: u32,
) -> Vec<u8> {
    let salt = [7u8; 16];
    let key = kdf::pkcs12_kdf(
        Hash::Sha256,
        &password.bmp(),
        &salt,
        kdf::KdfPurpose::Mac,
        iterations,
        32,
    );
    let mac = kdf::hmac(Hash::Sha256, &key, auth_safe);
    let alg = d::sequence(&[&d::oid(&oid::SHA256), &d::null()]);
    d::sequence(&[
        &d::sequence(&[&alg, &d::octet_string(&mac)]),
        &d::octet_string(&salt),
        iterations_tlv,
    ])
}

/// A PFX from its version, authSafe ContentInfo and optional MacData.
#[must_use]
pub fn pfx_with(version: &[u8], auth_safe_ci: &[u8], mac: Option<&[u8]>) -> Vec<u8> {
    match mac {
        Some(m) => d::sequence(&[version, auth_safe_ci, m]),
        None => d::sequence(&[version, auth_safe_ci]),
    }
}

/// A complete PFX whose AuthenticatedSafe holds `contents`, with a valid
/// MAC for `password` at `iterations`.
#[must_use]
pub fn pfx(contents: &[Vec<u8>], password: &Password, iterations: u32) -> Vec<u8> {
    let auth_safe = safe_contents(contents);
    let mac = mac_data(
        password,
        &auth_safe,
        &d::integer_u64(u64::from(iterations)),
        iterations,
    );
    pfx_with(&d::integer_u64(3), &data_content(&auth_safe), Some(&mac))
}

/// `pfx` with `injected` put in front of its ContentInfos, keeping the old
/// MacData (as an attacker without the password would): for tampering
/// tests. `None` if `pfx` is not the simple DER layout pfxgen writes.
#[must_use]
pub fn inject_content(pfx: &[u8], injected: &[u8]) -> Option<Vec<u8>> {
    use pfxgen_asn1::Reader;
    let mut r = Reader::top(pfx, "test");
    let top = r.sequence("PFX").ok()?;
    let mut t = top.reader();
    let version = t.integer("v").ok()?;
    let ci = t.sequence("ci").ok()?;
    let mac = t.sequence("mac").ok()?;
    let mut c = ci.reader();
    c.oid("oid").ok()?;
    let wrapper = c.read(0xA0, "w", "[0]").ok()?;
    let octets = wrapper.reader().octet_string("o").ok()?;
    let mut a = Reader::top(octets.value, "auth safe");
    let seq = a.sequence("auth safe").ok()?;
    let mut items = vec![injected.to_vec()];
    let mut s = seq.reader();
    while !s.is_empty() {
        items.push(s.read_any("ci").ok()?.raw.to_vec());
    }
    let auth_safe = safe_contents(&items);
    Some(pfx_with(
        version.raw,
        &data_content(&auth_safe),
        Some(mac.raw),
    ))
}

/// PBKDF2-params with HMAC-SHA512 as the PRF (and a 64-byte keyLength when
/// `key_length` is set, as PBMAC1 requires).
fn pbkdf2_sha512_params(salt: &[u8], iterations: u32, key_length: Option<u64>) -> Vec<u8> {
    let prf = d::sequence(&[&d::oid(&oid::HMAC_SHA512), &d::null()]);
    let iterations = d::integer_u64(u64::from(iterations));
    let salt = d::octet_string(salt);
    let params = match key_length {
        Some(len) => d::sequence(&[&salt, &iterations, &d::integer_u64(len), &prf]),
        None => d::sequence(&[&salt, &iterations, &prf]),
    };
    d::sequence(&[&d::oid(&oid::PBKDF2), &params])
}

/// The CPU-amplification file of issue 11: a PBMAC1 MAC and `contents`
/// PBES2 contents, all PBKDF2-HMAC-SHA512 at `iterations`. Nothing in it
/// decrypts or verifies (the MAC and ciphertexts are filler): an attacker
/// needs no password to make one, and every derivation a reader runs on it
/// is wasted. With 2,000,000 iterations and four contents it is 1,007 bytes.
#[must_use]
pub fn costly_sha512_pfx(iterations: u32, contents: usize) -> Vec<u8> {
    let mut cis = Vec::new();
    for i in 0..contents {
        let salt = [u8::try_from(i).unwrap_or(0); 16];
        let enc = d::sequence(&[&d::oid(&oid::AES256_CBC), &d::octet_string(&[9u8; 16])]);
        let alg = d::sequence(&[
            &d::oid(&oid::PBES2),
            &d::sequence(&[&pbkdf2_sha512_params(&salt, iterations, None), &enc]),
        ]);
        let eci = d::sequence(&[&d::oid(&oid::DATA), &alg, &d::tlv(0x80, &[5u8; 64])]);
        let encrypted = d::sequence(&[&d::integer_u64(0), &eci]);
        cis.push(d::sequence(&[
            &d::oid(&oid::ENCRYPTED_DATA),
            &d::context_constructed(0, &[&encrypted]),
        ]));
    }
    let auth_safe = safe_contents(&cis);
    let pbmac1 = d::sequence(&[
        &d::oid(&oid::PBMAC1),
        &d::sequence(&[
            &pbkdf2_sha512_params(&[3u8; 16], iterations, Some(64)),
            &d::sequence(&[&d::oid(&oid::HMAC_SHA512), &d::null()]),
        ]),
    ]);
    let mac = d::sequence(&[
        &d::sequence(&[&pbmac1, &d::octet_string(&[0u8; 64])]),
        &d::octet_string(&[1u8; 8]),
        &d::integer_u64(1),
    ]);
    pfx_with(&d::integer_u64(3), &data_content(&auth_safe), Some(&mac))
}
