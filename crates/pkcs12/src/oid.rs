//! Object identifiers of PKCS#12 and the algorithms inside it.
//!
//! The decoder compares OIDs by their DER content bytes (`.as_bytes()`), so
//! no OID from a file is ever parsed into numbers; an arc larger than 2^64
//! is just bytes that match nothing.

use der::asn1::ObjectIdentifier as Oid;

macro_rules! oids {
    ($($(#[$doc:meta])* $name:ident = $dotted:literal, $label:literal;)*) => {
        $($(#[$doc])* pub const $name: Oid = Oid::new_unwrap($dotted);)*

        /// The conventional name of an OID this module lists, by its content bytes.
        #[must_use]
        pub fn name_of(bytes: &[u8]) -> Option<&'static str> {
            $(if bytes == $name.as_bytes() { return Some($label); })*
            None
        }
    };
}

oids! {
    /// `id-data` (PKCS#7).
    DATA = "1.2.840.113549.1.7.1", "data";
    /// `id-signedData` (PKCS#7): public-key integrity mode.
    SIGNED_DATA = "1.2.840.113549.1.7.2", "signedData";
    /// `id-envelopedData` (PKCS#7): public-key privacy mode.
    ENVELOPED_DATA = "1.2.840.113549.1.7.3", "envelopedData";
    /// `id-encryptedData` (PKCS#7): password privacy mode.
    ENCRYPTED_DATA = "1.2.840.113549.1.7.6", "encryptedData";

    /// `keyBag`.
    KEY_BAG = "1.2.840.113549.1.12.10.1.1", "keyBag";
    /// `pkcs8ShroudedKeyBag`.
    SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2", "pkcs8ShroudedKeyBag";
    /// `certBag`.
    CERT_BAG = "1.2.840.113549.1.12.10.1.3", "certBag";
    /// `crlBag`.
    CRL_BAG = "1.2.840.113549.1.12.10.1.4", "crlBag";
    /// `secretBag`.
    SECRET_BAG = "1.2.840.113549.1.12.10.1.5", "secretBag";
    /// `safeContentsBag` (nested SafeContents).
    SAFE_CONTENTS_BAG = "1.2.840.113549.1.12.10.1.6", "safeContentsBag";

    /// `x509Certificate` cert type.
    X509_CERTIFICATE = "1.2.840.113549.1.9.22.1", "x509Certificate";
    /// `sdsiCertificate` cert type.
    SDSI_CERTIFICATE = "1.2.840.113549.1.9.22.2", "sdsiCertificate";

    /// `friendlyName` attribute (BMPString).
    FRIENDLY_NAME = "1.2.840.113549.1.9.20", "friendlyName";
    /// `localKeyId` attribute (OCTET STRING).
    LOCAL_KEY_ID = "1.2.840.113549.1.9.21", "localKeyId";
    /// Microsoft CSP name attribute.
    MS_CSP_NAME = "1.3.6.1.4.1.311.17.1", "msCspName";
    /// Microsoft local-machine key set attribute.
    MS_LOCAL_MACHINE_KEYSET = "1.3.6.1.4.1.311.17.2", "msLocalMachineKeyset";
    /// Oracle/Java trusted-certificate key usage attribute.
    ORACLE_TRUSTED_KEY_USAGE = "2.16.840.1.113894.746875.1.1", "oracleTrustedKeyUsage";

    /// `pbeWithSHAAnd128BitRC4`.
    PBE_SHA1_RC4_128 = "1.2.840.113549.1.12.1.1", "pbeWithSHAAnd128BitRC4";
    /// `pbeWithSHAAnd40BitRC4`.
    PBE_SHA1_RC4_40 = "1.2.840.113549.1.12.1.2", "pbeWithSHAAnd40BitRC4";
    /// `pbeWithSHAAnd3-KeyTripleDES-CBC`.
    PBE_SHA1_3DES = "1.2.840.113549.1.12.1.3", "pbeWithSHAAnd3-KeyTripleDES-CBC";
    /// `pbeWithSHAAnd2-KeyTripleDES-CBC`.
    PBE_SHA1_2DES = "1.2.840.113549.1.12.1.4", "pbeWithSHAAnd2-KeyTripleDES-CBC";
    /// `pbeWithSHAAnd128BitRC2-CBC`.
    PBE_SHA1_RC2_128 = "1.2.840.113549.1.12.1.5", "pbeWithSHAAnd128BitRC2-CBC";
    /// `pbewithSHAAnd40BitRC2-CBC`.
    PBE_SHA1_RC2_40 = "1.2.840.113549.1.12.1.6", "pbeWithSHAAnd40BitRC2-CBC";

    /// `pbeWithMD5AndDES-CBC` (PKCS#5 PBES1).
    PBES1_MD5_DES = "1.2.840.113549.1.5.3", "pbeWithMD5AndDES-CBC";
    /// `pbeWithSHA1AndDES-CBC` (PKCS#5 PBES1).
    PBES1_SHA1_DES = "1.2.840.113549.1.5.10", "pbeWithSHA1AndDES-CBC";
    /// `id-PBKDF2`.
    PBKDF2 = "1.2.840.113549.1.5.12", "PBKDF2";
    /// `id-PBES2`.
    PBES2 = "1.2.840.113549.1.5.13", "PBES2";
    /// `id-PBMAC1`.
    PBMAC1 = "1.2.840.113549.1.5.14", "PBMAC1";
    /// `id-scrypt` (RFC 7914).
    SCRYPT = "1.3.6.1.4.1.11591.4.11", "scrypt";

    /// `hmacWithSHA1`.
    HMAC_SHA1 = "1.2.840.113549.2.7", "hmacWithSHA1";
    /// `hmacWithSHA224`.
    HMAC_SHA224 = "1.2.840.113549.2.8", "hmacWithSHA224";
    /// `hmacWithSHA256`.
    HMAC_SHA256 = "1.2.840.113549.2.9", "hmacWithSHA256";
    /// `hmacWithSHA384`.
    HMAC_SHA384 = "1.2.840.113549.2.10", "hmacWithSHA384";
    /// `hmacWithSHA512`.
    HMAC_SHA512 = "1.2.840.113549.2.11", "hmacWithSHA512";

    /// `aes128-CBC`.
    AES128_CBC = "2.16.840.1.101.3.4.1.2", "aes-128-cbc";
    /// `aes192-CBC`.
    AES192_CBC = "2.16.840.1.101.3.4.1.22", "aes-192-cbc";
    /// `aes256-CBC`.
    AES256_CBC = "2.16.840.1.101.3.4.1.42", "aes-256-cbc";
    /// `des-ede3-cbc`.
    DES_EDE3_CBC = "1.2.840.113549.3.7", "des-ede3-cbc";
    /// `desCBC`.
    DES_CBC = "1.3.14.3.2.7", "des-cbc";
    /// `rc2-cbc`.
    RC2_CBC = "1.2.840.113549.3.2", "rc2-cbc";

    /// `md5`.
    MD5 = "1.2.840.113549.2.5", "md5";
    /// `sha1`.
    SHA1 = "1.3.14.3.2.26", "sha1";
    /// `sha224`.
    SHA224 = "2.16.840.1.101.3.4.2.4", "sha224";
    /// `sha256`.
    SHA256 = "2.16.840.1.101.3.4.2.1", "sha256";
    /// `sha384`.
    SHA384 = "2.16.840.1.101.3.4.2.2", "sha384";
    /// `sha512`.
    SHA512 = "2.16.840.1.101.3.4.2.3", "sha512";
    /// GOST R 34.11-94 (Russian hash; named so refusals say what it is).
    GOST_R3411_94 = "1.2.643.2.2.9", "GOST R 34.11-94";
    /// GOST R 34.11-2012 with a 256-bit output (Streebog-256).
    GOST_R3411_2012_256 = "1.2.643.7.1.1.2.2", "GOST R 34.11-2012-256";
    /// GOST R 34.11-2012 with a 512-bit output (Streebog-512).
    GOST_R3411_2012_512 = "1.2.643.7.1.1.2.3", "GOST R 34.11-2012-512";
}

/// `name (dotted)` for a known OID, the dotted form for an unknown but
/// well-formed one, and `#hex` for bytes that are not a valid OID.
#[must_use]
pub fn describe(bytes: &[u8]) -> String {
    let dotted = Oid::from_bytes(bytes).map(|o| o.to_string());
    match (name_of(bytes), dotted) {
        (Some(name), Ok(dotted)) => format!("{name} ({dotted})"),
        (None, Ok(dotted)) => dotted,
        (_, Err(_)) => format!("#{}", pfxgen_x509::hex_upper(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_known_unknown_and_invalid() {
        assert_eq!(describe(PBES2.as_bytes()), "PBES2 (1.2.840.113549.1.5.13)");
        assert_eq!(describe(Oid::new_unwrap("1.2.3.4").as_bytes()), "1.2.3.4");
        // An arc over 2^64: nine 0xFF continuation bytes.
        let huge = [
            0x2A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,
        ];
        assert!(describe(&huge).starts_with('#') || describe(&huge).starts_with("1.2."));
    }
}
