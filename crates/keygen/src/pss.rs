//! RSASSA-PSS parameters, for *verifying* certificates that a CA signed
//! with PSS (Windows AD CS with `AlternateSignatureAlgorithm`, some
//! enterprise PKIs). pfxgen never writes PSS: its own certificates use
//! PKCS#1 v1.5, which every reader accepts.
//!
//! ```text
//! RSASSA-PSS-params ::= SEQUENCE {
//!     hashAlgorithm      [0] HashAlgorithm    DEFAULT sha1,
//!     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
//!     saltLength         [2] INTEGER          DEFAULT 20,
//!     trailerField       [3] TrailerField     DEFAULT trailerFieldBC }
//! ```
//! ([RFC 4055, Section 3.1](https://www.rfc-editor.org/rfc/rfc4055#section-3.1);
//! RFC 8017, Appendix A.2.3)
//!
//! Accepted: SHA-256, SHA-384 or SHA-512, MGF1 with the same hash (the only
//! combination RFC 4055 recommends and CAs use), any salt length up to
//! [`MAX_SALT_LEN`], trailer field 1. Defaults written out explicitly are
//! read too (be liberal in what you read). SHA-1, which the defaults name,
//! is refused: pfxgen does not verify new SHA-1 signatures.

use der::{
    Reader as _, SliceReader, TagNumber,
    asn1::{AnyRef, ContextSpecific},
};
use spki::AlgorithmIdentifierRef;

use crate::{Error, HashAlgorithm, oid};

/// The largest salt length accepted, in bytes. Real salts are the hash
/// length (32 to 64 bytes); a salt cannot be longer than the RSA modulus
/// (at most 2,048 bytes for a 16,384-bit key) minus the hash, so anything
/// above this is refused before any arithmetic on it.
pub const MAX_SALT_LEN: u16 = 1024;

fn problem(detail: impl Into<String>) -> Error {
    Error::PssParameters {
        detail: detail.into(),
    }
}

/// The hash an AlgorithmIdentifier names; its parameters must be absent or
/// NULL (RFC 4055 allows both).
fn hash_of(id: &AlgorithmIdentifierRef<'_>, what: &str) -> Result<HashAlgorithm, Error> {
    if id.parameters.is_some_and(|p| !p.is_null()) {
        return Err(problem(format!("{what} has parameters other than NULL")));
    }
    match id.oid {
        oid::SHA256 => Ok(HashAlgorithm::Sha256),
        oid::SHA384 => Ok(HashAlgorithm::Sha384),
        oid::SHA512 => Ok(HashAlgorithm::Sha512),
        oid::SHA1 => Err(problem(format!("{what} is SHA-1"))),
        other => Err(problem(format!(
            "{what} is {}",
            crate::error::describe_oid(&other)
        ))),
    }
}

/// Reads the DER of `RSASSA-PSS-params` (the whole TLV): the hash and the
/// salt length.
///
/// # Errors
/// [`Error::PssParameters`] when the DER is malformed, a field is of the
/// wrong type, or the parameters are not ones pfxgen verifies.
pub(crate) fn parse(params: &[u8]) -> Result<(HashAlgorithm, u16), Error> {
    let malformed = |e: der::Error| problem(format!("malformed DER: {e}"));
    let mut reader = SliceReader::new(params).map_err(malformed)?;
    type Field<T> = Option<ContextSpecific<T>>;
    let (hash, mgf, salt, trailer) = reader
        .sequence(|r| {
            let hash: Field<AlgorithmIdentifierRef<'_>> =
                ContextSpecific::decode_explicit(r, TagNumber(0))?;
            let mgf: Field<AlgorithmIdentifierRef<'_>> =
                ContextSpecific::decode_explicit(r, TagNumber(1))?;
            let salt: Field<u32> = ContextSpecific::decode_explicit(r, TagNumber(2))?;
            let trailer: Field<u32> = ContextSpecific::decode_explicit(r, TagNumber(3))?;
            Ok::<_, der::Error>((hash, mgf, salt, trailer))
        })
        .map_err(malformed)?;
    reader.finish().map_err(malformed)?;

    let hash = match hash {
        Some(h) => hash_of(&h.value, "the hash")?,
        None => return Err(problem("the hash is SHA-1 (the default)")),
    };
    let Some(mgf) = mgf else {
        return Err(problem(
            "the mask generation function is MGF1 with SHA-1 (the default)",
        ));
    };
    if mgf.value.oid != oid::MGF1 {
        return Err(problem(format!(
            "the mask generation function is {}, not MGF1",
            crate::error::describe_oid(&mgf.value.oid)
        )));
    }
    let mgf_hash: AnyRef<'_> = mgf
        .value
        .parameters
        .ok_or_else(|| problem("MGF1 has no hash"))?;
    let mgf_hash: AlgorithmIdentifierRef<'_> = mgf_hash
        .decode_as()
        .map_err(|e: der::Error| problem(format!("the MGF1 hash: {e}")))?;
    if hash_of(&mgf_hash, "the MGF1 hash")? != hash {
        return Err(problem("MGF1 uses a different hash than the signature"));
    }
    let salt = salt.map_or(20, |s| s.value);
    let salt = u16::try_from(salt)
        .ok()
        .filter(|s| *s <= MAX_SALT_LEN)
        .ok_or_else(|| problem(format!("salt length {salt} is over {MAX_SALT_LEN}")))?;
    if let Some(t) = trailer {
        if t.value != 1 {
            return Err(problem(format!(
                "trailer field {} (only 1 is defined)",
                t.value
            )));
        }
    }
    Ok((hash, salt))
}

/// The OID of a hash, for encoding parameters in tests.
#[cfg(test)]
const fn hash_oid(hash: HashAlgorithm) -> der::asn1::ObjectIdentifier {
    match hash {
        HashAlgorithm::Sha1 => oid::SHA1,
        HashAlgorithm::Sha256 => oid::SHA256,
        HashAlgorithm::Sha384 => oid::SHA384,
        HashAlgorithm::Sha512 => oid::SHA512,
    }
}

#[cfg(test)]
mod tests {
    use pfxgen_asn1::writer as d;

    use super::*;

    /// What OpenSSL writes for `-sigopt rsa_padding_mode:pss -sha256
    /// -sigopt rsa_pss_saltlen:32` (hash and MGF1 hash with NULL params).
    const OPENSSL_SHA256_SALT32: &str = "3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Builds RSASSA-PSS-params from parts, with the DER writer pfxgen
    /// assembles its own structures with.
    fn params(
        hash: Option<HashAlgorithm>,
        mgf_hash: Option<HashAlgorithm>,
        salt: Option<u32>,
        trailer: Option<u32>,
    ) -> Vec<u8> {
        let alg =
            |oid: der::asn1::ObjectIdentifier, params: &[u8]| d::sequence(&[&d::oid(&oid), params]);
        let mut fields = Vec::new();
        if let Some(h) = hash {
            fields.push(d::context_constructed(0, &[&alg(hash_oid(h), &d::null())]));
        }
        if let Some(h) = mgf_hash {
            let mgf = alg(oid::MGF1, &alg(hash_oid(h), &d::null()));
            fields.push(d::context_constructed(1, &[&mgf]));
        }
        if let Some(s) = salt {
            fields.push(d::context_constructed(2, &[&d::integer_u64(s.into())]));
        }
        if let Some(t) = trailer {
            fields.push(d::context_constructed(3, &[&d::integer_u64(t.into())]));
        }
        d::sequence(&fields.iter().map(Vec::as_slice).collect::<Vec<_>>())
    }

    #[test]
    fn reads_what_openssl_writes() {
        use HashAlgorithm::*;
        assert_eq!(parse(&hex(OPENSSL_SHA256_SALT32)).unwrap(), (Sha256, 32));
        assert_eq!(
            params(Some(Sha256), Some(Sha256), Some(32), None),
            hex(OPENSSL_SHA256_SALT32)
        );
        for (h, salt) in [(Sha384, 48), (Sha512, 64), (Sha256, 0), (Sha512, 1024)] {
            assert_eq!(
                parse(&params(Some(h), Some(h), Some(salt), None)).unwrap(),
                (h, u16::try_from(salt).unwrap())
            );
        }
        // An explicit trailer field of 1 and an omitted salt (20) are read.
        assert_eq!(
            parse(&params(Some(Sha256), Some(Sha256), None, Some(1))).unwrap(),
            (Sha256, 20)
        );
    }

    #[test]
    fn refuses_sha1_mismatches_and_odd_values() {
        use HashAlgorithm::*;
        let cases = [
            (params(None, None, None, None), "SHA-1 (the default)"),
            (
                params(Some(Sha1), Some(Sha1), Some(20), None),
                "the hash is SHA-1",
            ),
            (
                params(Some(Sha256), None, Some(32), None),
                "MGF1 with SHA-1",
            ),
            (
                params(Some(Sha256), Some(Sha384), Some(32), None),
                "different hash",
            ),
            (
                params(Some(Sha256), Some(Sha256), Some(1025), None),
                "salt length 1025",
            ),
            (
                params(Some(Sha256), Some(Sha256), Some(u32::MAX), None),
                "salt length 4294967295",
            ),
            (
                params(Some(Sha256), Some(Sha256), Some(32), Some(2)),
                "trailer field 2",
            ),
        ];
        for (der, needle) in cases {
            let err = parse(&der).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn refuses_malformed_der() {
        let good = hex(OPENSSL_SHA256_SALT32);
        for len in 0..good.len() {
            assert!(parse(&good[..len]).is_err(), "truncated at {len}");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(parse(&trailing).is_err());
        // Fields out of order ([2] before [0]) are not a valid SEQUENCE.
        let mut body = vec![0xa2, 0x03, 0x02, 0x01, 0x20];
        body.extend_from_slice(&good[2..2 + 0x11]);
        let mut swapped = vec![0x30, u8::try_from(body.len()).unwrap()];
        swapped.extend(body);
        assert!(parse(&swapped).is_err());
        // A salt that is not an INTEGER.
        let wrong_type = params(
            Some(HashAlgorithm::Sha256),
            Some(HashAlgorithm::Sha256),
            None,
            None,
        );
        let mut wrong_type = wrong_type[..wrong_type.len()].to_vec();
        wrong_type[1] += 5;
        wrong_type.extend_from_slice(&[0xa2, 0x03, 0x04, 0x01, 0x20]);
        assert!(parse(&wrong_type).is_err());
    }
}
