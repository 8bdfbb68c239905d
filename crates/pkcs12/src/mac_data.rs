//! The integrity check of a PFX in password integrity mode.
//!
//! ```text
//! MacData ::= SEQUENCE {
//!     mac        DigestInfo,
//!     macSalt    OCTET STRING,
//!     iterations INTEGER DEFAULT 1 }
//! DigestInfo ::= SEQUENCE {
//!     digestAlgorithm DigestAlgorithmIdentifier,
//!     digest          OCTET STRING }
//! ```
//! ([RFC 7292, Section 4](https://www.rfc-editor.org/rfc/rfc7292#section-4)).
//! With PBMAC1 ([RFC 9579](https://www.rfc-editor.org/rfc/rfc9579)) the
//! digestAlgorithm is `id-PBMAC1` carrying PBKDF2 and HMAC parameters.

use core::fmt;

use pfxgen_asn1::writer;
use zeroize::Zeroizing;

use crate::limits::IterationCount as _;
use crate::{
    Error, Limits, Password, PasswordForm,
    encryption::{
        Pbkdf2Params, algorithm_identifier, finish_null_parameters, parse_kdf, sequence_params,
    },
    kdf::{self, Hash, KdfPurpose},
    oid,
    password::kdf_candidates,
};
use pfxgen_asn1::{Reader, Tlv, tag};

/// The MAC algorithm of a PFX.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MacAlgorithm {
    /// HMAC keyed with the PKCS#12 KDF (RFC 7292, Appendix B) over the
    /// BMPString password. What .NET requires.
    Pkcs12Hmac {
        /// The hash of both the KDF and the HMAC.
        hash: Hash,
        /// `macSalt`.
        salt: Vec<u8>,
        /// `iterations` (checked against the limits).
        iterations: u32,
    },
    /// PBMAC1 (RFC 9579): PBKDF2 over the UTF-8 password, then HMAC.
    Pbmac1 {
        /// PBKDF2 parameters (keyLength always present).
        kdf: Pbkdf2Params,
        /// The HMAC hash.
        hmac: Hash,
    },
    /// A MAC whose digest pfxgen does not implement (MD5, an unknown OID).
    /// The file still parses, so that its structure can be shown; opening
    /// it is refused with [`Error::Unsupported`] before any derivation.
    Unsupported {
        /// The digest algorithm, named with its OID.
        digest: String,
        /// `iterations` (checked against the limits).
        iterations: u32,
    },
}

impl fmt::Display for MacAlgorithm {
    /// As OpenSSL's `pkcs12 -info` puts it (`sha256, Iteration 2048`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pkcs12Hmac {
                hash, iterations, ..
            } => write!(f, "{}, Iteration {iterations}", hash.name()),
            Self::Pbmac1 { kdf, hmac } => write!(
                f,
                "PBMAC1 using PBKDF2 (PRF hmacWith{}), HMAC-{}, Iteration {}",
                kdf.prf.name().to_ascii_uppercase(),
                hmac.name().to_ascii_uppercase(),
                kdf.iterations
            ),
            Self::Unsupported { digest, iterations } => {
                write!(f, "{digest}, Iteration {iterations}")
            }
        }
    }
}

/// A decoded `MacData`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacData {
    /// The algorithm and its parameters.
    pub algorithm: MacAlgorithm,
    /// The stored MAC value.
    pub digest: Vec<u8>,
    /// `macSalt` as stored (for PBMAC1 it is ignored, RFC 9579 Section 4).
    pub mac_salt_len: usize,
}

impl MacData {
    /// The iteration count of the key derivation.
    #[must_use]
    pub fn iterations(&self) -> u32 {
        match &self.algorithm {
            MacAlgorithm::Pkcs12Hmac { iterations, .. } => *iterations,
            MacAlgorithm::Pbmac1 { kdf, .. } => kdf.iterations,
            MacAlgorithm::Unsupported { iterations, .. } => *iterations,
        }
    }

    /// Why opening a file with this MAC is refused, when its digest is
    /// one pfxgen does not implement.
    #[must_use]
    pub fn unsupported(&self) -> Option<Error> {
        match &self.algorithm {
            MacAlgorithm::Unsupported { digest, .. } => Some(Error::Unsupported {
                what: "MacData.mac.digestAlgorithm",
                detail: format!("MAC digest {digest}"),
            }),
            _ => None,
        }
    }

    /// Whether .NET can verify this MAC (it does not implement PBMAC1).
    #[must_use]
    pub fn dotnet_supported(&self) -> bool {
        matches!(self.algorithm, MacAlgorithm::Pkcs12Hmac { .. })
    }

    /// Work one verification with `password` over `data_len` bytes costs,
    /// counted as [`Limits::max_work`] counts it: the key derivation and the
    /// HMAC, for every password form tried.
    #[must_use]
    pub fn work(&self, password: &Password, data_len: usize) -> u64 {
        match &self.algorithm {
            MacAlgorithm::Pkcs12Hmac {
                hash,
                salt,
                iterations,
            } => {
                let len = hash.output_len();
                let per_form = |bmp_len| {
                    kdf::pkcs12_kdf_work(*hash, bmp_len, salt.len(), *iterations, len)
                        .saturating_add(kdf::hmac_work(*hash, len, data_len))
                };
                kdf_candidates(password)
                    .iter()
                    .map(|(_, bmp)| per_form(bmp.len()))
                    .fold(0u64, u64::saturating_add)
            }
            MacAlgorithm::Pbmac1 { kdf: params, hmac } => {
                let len = params.key_length.map_or(hmac.output_len(), |l| l as usize);
                kdf::pbkdf2_work(
                    params.prf,
                    password.utf8().len(),
                    params.salt.len(),
                    params.iterations,
                    len,
                )
                .saturating_add(kdf::hmac_work(*hmac, len, data_len))
            }
            // Never derived: opening refuses it first.
            MacAlgorithm::Unsupported { .. } => 0,
        }
    }

    /// Parses MacData. Iteration counts and PBMAC1 key lengths are checked
    /// here, before any derivation.
    pub(crate) fn parse(mac_data: &Tlv<'_>, limits: &Limits) -> Result<Self, Error> {
        let mut r = mac_data.reader();
        let digest_info = r.sequence("MacData.mac")?;
        let salt = r.octet_string("MacData.macSalt")?;
        let iterations_tlv = r.read_optional(tag::INTEGER, "MacData.iterations")?;
        r.finish("MacData")?;

        let mut d = digest_info.reader();
        let alg = d.sequence("MacData.mac.digestAlgorithm")?;
        let digest = d.octet_string("MacData.mac.digest")?;
        d.finish("MacData.mac")?;

        let (alg_id, params) = algorithm_identifier(
            &alg,
            "MacData.mac.digestAlgorithm.algorithm",
            "MacData.mac.digestAlgorithm.parameters",
            "MacData.mac.digestAlgorithm",
        )?;

        let (algorithm, mac_len) = if alg_id.value == oid::PBMAC1.as_bytes() {
            let params = sequence_params(&alg_id, params, "PBMAC1-params")?;
            let (kdf, hmac) = parse_pbmac1(&params, limits)?;
            (MacAlgorithm::Pbmac1 { kdf, hmac }, hmac.output_len())
        } else {
            let Some(hash) = Hash::from_digest_oid(alg_id.value) else {
                let iterations = match &iterations_tlv {
                    Some(t) => t.iterations("MacData.iterations", limits)?,
                    None => 1,
                };
                return Ok(Self {
                    algorithm: MacAlgorithm::Unsupported {
                        digest: oid::describe(alg_id.value),
                        iterations,
                    },
                    digest: digest.value.to_vec(),
                    mac_salt_len: salt.value.len(),
                });
            };
            if let Some(p) = params {
                p.expect_null("MacData.mac.digestAlgorithm.parameters")?;
            }
            // DEFAULT 1 when absent (RFC 7292); 1 is also refused by nobody.
            let iterations = match &iterations_tlv {
                Some(t) => t.iterations("MacData.iterations", limits)?,
                None => 1,
            };
            (
                MacAlgorithm::Pkcs12Hmac {
                    hash,
                    salt: salt.value.to_vec(),
                    iterations,
                },
                hash.output_len(),
            )
        };
        if digest.value.len() != mac_len {
            return Err(digest
                .invalid(
                    "MacData.mac.digest",
                    format!(
                        "the MAC is {} bytes; the algorithm produces {mac_len}",
                        digest.value.len()
                    ),
                )
                .into());
        }
        Ok(Self {
            algorithm,
            digest: digest.value.to_vec(),
            mac_salt_len: salt.value.len(),
        })
    }

    /// Verifies the MAC over `auth_safe` (the content octets of the
    /// authSafe's Data). Returns the password form that matched.
    pub(crate) fn verify(&self, password: &Password, auth_safe: &[u8]) -> Option<PasswordForm> {
        match &self.algorithm {
            MacAlgorithm::Pkcs12Hmac {
                hash,
                salt,
                iterations,
            } => {
                for (form, bmp) in kdf_candidates(password) {
                    let key = kdf::pkcs12_kdf(
                        *hash,
                        &bmp,
                        salt,
                        KdfPurpose::Mac,
                        *iterations,
                        hash.output_len(),
                    );
                    if kdf::mac_matches(*hash, &key, auth_safe, &self.digest) {
                        return Some(form);
                    }
                }
                None
            }
            MacAlgorithm::Pbmac1 { kdf: params, hmac } => {
                let len = params.key_length.map_or(hmac.output_len(), |l| l as usize);
                let key = kdf::pbkdf2(
                    params.prf,
                    password.utf8(),
                    &params.salt,
                    params.iterations,
                    len,
                );
                kdf::mac_matches(*hmac, &key, auth_safe, &self.digest)
                    .then_some(PasswordForm::AsGiven)
            }
            MacAlgorithm::Unsupported { .. } => None,
        }
    }

    /// The MAC key of a classic PKCS#12 MacData (the writer derives it
    /// while the contents are being encrypted).
    pub(crate) fn derive_key(
        hash: Hash,
        password: &Password,
        salt: &[u8],
        iterations: u32,
    ) -> Zeroizing<Vec<u8>> {
        kdf::pkcs12_kdf(
            hash,
            &password.bmp(),
            salt,
            KdfPurpose::Mac,
            iterations,
            hash.output_len(),
        )
    }

    /// Encodes a classic PKCS#12 MacData over `auth_safe` with `key` from
    /// [`MacData::derive_key`] (the writer).
    pub(crate) fn compute(
        hash: Hash,
        key: &[u8],
        salt: &[u8],
        iterations: u32,
        auth_safe: &[u8],
    ) -> Vec<u8> {
        let mac = kdf::hmac(hash, key, auth_safe);
        let alg = writer::sequence(&[&writer::oid(&hash.digest_oid()), &writer::null()]);
        writer::sequence(&[
            &writer::sequence(&[&alg, &writer::octet_string(&mac)]),
            &writer::octet_string(salt),
            &writer::integer_u64(u64::from(iterations)),
        ])
    }
}

/// Smallest PBMAC1 key accepted: 160 bits, the bound go-pkcs12 and Bouncy
/// Castle apply following RFC 9579's advice.
const PBMAC1_MIN_KEY_LEN: u64 = 20;
/// Largest PBMAC1 key accepted: the longest HMAC output (SHA-512).
const PBMAC1_MAX_KEY_LEN: u64 = 64;

/// ```text
/// PBMAC1-params ::= SEQUENCE {
///     keyDerivationFunc AlgorithmIdentifier {{PBMAC1-KDFs}},
///     messageAuthScheme AlgorithmIdentifier {{PBMAC1-MACs}} }
/// ```
///
/// `params` is a SEQUENCE ([`sequence_params`]).
fn parse_pbmac1(params: &Tlv<'_>, limits: &Limits) -> Result<(Pbkdf2Params, Hash), Error> {
    let mut p = params.reader();
    let kdf_alg = p.sequence("PBMAC1-params.keyDerivationFunc")?;
    let mac_alg = p.sequence("PBMAC1-params.messageAuthScheme")?;
    p.finish("PBMAC1-params")?;

    let (kdf, kdf_params) = parse_kdf(
        &kdf_alg,
        "PBMAC1 keyDerivationFunc.algorithm",
        "PBMAC1 PBKDF2-params",
        "PBMAC1 keyDerivationFunc",
        limits,
    )?
    .map_err(|other| Error::Unsupported {
        what: "PBMAC1-params.keyDerivationFunc",
        detail: format!("key derivation {other}"),
    })?;

    let mut m = mac_alg.reader();
    let mac_id = m.oid("PBMAC1 messageAuthScheme.algorithm")?;
    let hmac = Hash::from_hmac_oid(mac_id.value).ok_or_else(|| Error::Unsupported {
        what: "PBMAC1-params.messageAuthScheme",
        detail: format!("MAC {}", oid::describe(mac_id.value)),
    })?;
    finish_null_parameters(
        &mut m,
        "PBMAC1 messageAuthScheme.parameters",
        "PBMAC1 messageAuthScheme",
    )?;

    // RFC 9579 Section 4: keyLength must be present. A length of 0 or 1, or
    // beyond any HMAC's output, is hostile (CVE-2025-11187).
    match kdf.key_length {
        None => Err(kdf_params
            .invalid(
                "PBMAC1 PBKDF2-params.keyLength",
                "missing (RFC 9579 requires it)",
            )
            .into()),
        Some(len) if u64::from(len) < PBMAC1_MIN_KEY_LEN || u64::from(len) > PBMAC1_MAX_KEY_LEN => {
            Err(kdf_params
                .invalid(
                    "PBMAC1 PBKDF2-params.keyLength",
                    format!("{len} bytes is outside {PBMAC1_MIN_KEY_LEN}..={PBMAC1_MAX_KEY_LEN}"),
                )
                .into())
        }
        Some(_) => Ok((kdf, hmac)),
    }
}

/// Parses the MacData that follows the authSafe, if any (used by `pfx`).
pub(crate) fn parse_optional(
    r: &mut Reader<'_>,
    limits: &Limits,
) -> Result<Option<MacData>, Error> {
    match r.read_optional(tag::SEQUENCE, "MacData")? {
        Some(t) => MacData::parse(&t, limits).map(Some),
        None => Ok(None),
    }
}
