//! Object identifiers for the algorithms this crate names.
//!
//! Written out here (rather than taken from a database crate) so that a
//! reviewer can check each against its RFC in one place.

use der::asn1::ObjectIdentifier;

/// `rsaEncryption` (RFC 8017, Appendix A.1).
pub const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-RSASSA-PSS` (RFC 8017, Appendix A.2.3); verified with SHA-256/384/512
/// (RFC 4055 parameters), never written.
pub const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// `sha1WithRSAEncryption` (RFC 8017, Appendix A.2.4).
pub const SHA1_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
/// `sha256WithRSAEncryption` (RFC 8017, Appendix A.2.4).
pub const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// `sha384WithRSAEncryption` (RFC 8017, Appendix A.2.4).
pub const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
/// `sha512WithRSAEncryption` (RFC 8017, Appendix A.2.4).
pub const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
/// `id-mgf1` (RFC 8017, Appendix A.2.1), the mask generation function of
/// RSASSA-PSS.
pub const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
/// `id-sha1` (RFC 3279, Section 2.2.1; RFC 4055's default PSS hash).
pub const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
/// `id-sha256` (RFC 5754, Section 2.2).
pub const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// `id-sha384` (RFC 5754, Section 2.3).
pub const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
/// `id-sha512` (RFC 5754, Section 2.4).
pub const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
/// `id-ecPublicKey` (RFC 5480, Section 2.1.1).
pub const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` / `prime256v1` / NIST P-256 (RFC 5480, Section 2.1.1.1).
pub const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `secp384r1` / NIST P-384 (RFC 5480, Section 2.1.1.1).
pub const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// `secp521r1` / NIST P-521 (RFC 5480, Section 2.1.1.1).
pub const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
/// `ecdsa-with-SHA1` (RFC 3279, Section 2.2.3); recognised, not supported.
pub const ECDSA_WITH_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
/// `ecdsa-with-SHA256` (RFC 5758, Section 3.2).
pub const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// `ecdsa-with-SHA384` (RFC 5758, Section 3.2).
pub const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// `ecdsa-with-SHA512` (RFC 5758, Section 3.2).
pub const ECDSA_WITH_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
/// `id-Ed25519` (RFC 8410, Section 3); recognised, not supported.
pub const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// `id-Ed448` (RFC 8410, Section 3); recognised, not supported.
pub const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
/// `id-dsa` (RFC 3279, Section 2.3.2); recognised, not supported.
pub const DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");

/// A short human name for a key or signature algorithm OID this crate knows,
/// or `None`.
#[must_use]
pub fn name(oid: &ObjectIdentifier) -> Option<&'static str> {
    Some(match *oid {
        RSA_ENCRYPTION => "rsaEncryption",
        RSASSA_PSS => "RSASSA-PSS",
        MGF1 => "MGF1",
        SHA1 => "SHA-1",
        SHA256 => "SHA-256",
        SHA384 => "SHA-384",
        SHA512 => "SHA-512",
        SHA1_WITH_RSA => "sha1WithRSAEncryption",
        SHA256_WITH_RSA => "sha256WithRSAEncryption",
        SHA384_WITH_RSA => "sha384WithRSAEncryption",
        SHA512_WITH_RSA => "sha512WithRSAEncryption",
        EC_PUBLIC_KEY => "id-ecPublicKey",
        SECP256R1 => "P-256",
        SECP384R1 => "P-384",
        SECP521R1 => "P-521",
        ECDSA_WITH_SHA1 => "ecdsa-with-SHA1",
        ECDSA_WITH_SHA256 => "ecdsa-with-SHA256",
        ECDSA_WITH_SHA384 => "ecdsa-with-SHA384",
        ECDSA_WITH_SHA512 => "ecdsa-with-SHA512",
        ED25519 => "Ed25519",
        ED448 => "Ed448",
        DSA => "DSA",
        _ => return None,
    })
}
