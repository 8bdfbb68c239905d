//! Password-based encryption schemes: PBES2 (RFC 8018) and the PKCS#12
//! PBE algorithms (RFC 7292, Appendix C).
//!
//! ```text
//! PBES2-params ::= SEQUENCE {
//!     keyDerivationFunc AlgorithmIdentifier {{PBES2-KDFs}},
//!     encryptionScheme  AlgorithmIdentifier {{PBES2-Encs}} }
//! PBKDF2-params ::= SEQUENCE {
//!     salt CHOICE { specified OCTET STRING, otherSource AlgorithmIdentifier },
//!     iterationCount INTEGER (1..MAX),
//!     keyLength INTEGER (1..MAX) OPTIONAL,
//!     prf AlgorithmIdentifier {{PBKDF2-PRFs}} DEFAULT algid-hmacWithSHA1 }
//! pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }
//! ```

use core::fmt;

use pfxgen_asn1::writer;
use zeroize::Zeroizing;

use crate::limits::IterationCount as _;
use crate::{
    Error, Limits, Password, PasswordForm,
    cipher::{self, Cipher, DecryptProblem},
    kdf::{self, Hash, KdfPurpose},
    oid,
    password::kdf_candidates,
};
use pfxgen_asn1::{Reader, Tlv, tag};

/// PBKDF2 parameters as read or written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pbkdf2Params {
    /// The salt.
    pub salt: Vec<u8>,
    /// Iteration count (already checked against the limits).
    pub iterations: u32,
    /// The keyLength field, if present.
    pub key_length: Option<u32>,
    /// The HMAC hash (the PRF; SHA-1 when the field is absent).
    pub prf: Hash,
}

/// How a bag or a SafeContents is encrypted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncryptionScheme {
    /// PBES2 with PBKDF2 and a CBC cipher. Uses the UTF-8 password.
    Pbes2 {
        /// The key derivation.
        kdf: Pbkdf2Params,
        /// The cipher.
        cipher: Cipher,
        /// The IV.
        iv: Vec<u8>,
    },
    /// A PKCS#12 PBE algorithm (PKCS#12 KDF over SHA-1). Uses the BMPString
    /// password.
    ///
    /// ## Security warning
    /// Legacy: weak KDF and ciphers (3DES, RC2, RC4; RC2 and RC4 are read
    /// only). Written only by the
    /// `compat` profile, and then only with 3-key 3DES.
    Pkcs12Pbe {
        /// The cipher.
        cipher: Cipher,
        /// The salt.
        salt: Vec<u8>,
        /// Iteration count (already checked against the limits).
        iterations: u32,
    },
}

impl fmt::Display for EncryptionScheme {
    /// As OpenSSL's `pkcs12 -info` puts it, e.g.
    /// `PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pbes2 { kdf, cipher, .. } => write!(
                f,
                "PBES2, PBKDF2, {}, Iteration {}, PRF hmacWith{}",
                cipher.name(),
                kdf.iterations,
                kdf.prf.name().to_ascii_uppercase()
            ),
            Self::Pkcs12Pbe {
                cipher, iterations, ..
            } => write!(
                f,
                "{}, Iteration {iterations}",
                oid::name_of(pkcs12_pbe_oid(*cipher).as_bytes()).unwrap_or("PKCS#12 PBE")
            ),
        }
    }
}

fn pkcs12_pbe_oid(cipher: Cipher) -> der::asn1::ObjectIdentifier {
    match cipher {
        Cipher::DesEde2 => oid::PBE_SHA1_2DES,
        Cipher::Rc2 { effective_bits: 40 } => oid::PBE_SHA1_RC2_40,
        Cipher::Rc2 { .. } => oid::PBE_SHA1_RC2_128,
        Cipher::Rc4 { key_bits: 40 } => oid::PBE_SHA1_RC4_40,
        Cipher::Rc4 { .. } => oid::PBE_SHA1_RC4_128,
        _ => oid::PBE_SHA1_3DES,
    }
}

/// An unsupported scheme is still described for reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UnsupportedScheme(pub String);

impl EncryptionScheme {
    /// The iteration count.
    #[must_use]
    pub fn iterations(&self) -> u32 {
        match self {
            Self::Pbes2 { kdf, .. } => kdf.iterations,
            Self::Pkcs12Pbe { iterations, .. } => *iterations,
        }
    }

    /// The cipher.
    #[must_use]
    pub fn cipher(&self) -> Cipher {
        match self {
            Self::Pbes2 { cipher, .. } | Self::Pkcs12Pbe { cipher, .. } => *cipher,
        }
    }

    /// For PBES2, a `keyLength` that differs from the cipher's key length
    /// (a producer bug, e.g. NSS 3.29's AES-128-CBC OID with keyLength 32):
    /// `Some((key_length, cipher_key_length))`. Such a file is read with the
    /// cipher the OID names and, if that fails and the keyLength is another
    /// AES size, with that AES ([`EncryptionScheme::key_length_cipher`]).
    #[must_use]
    pub fn key_length_mismatch(&self) -> Option<(u32, usize)> {
        match self {
            Self::Pbes2 { kdf, cipher, .. } => kdf
                .key_length
                .filter(|len| usize::try_from(*len).ok() != Some(cipher.key_len()))
                .map(|len| (len, cipher.key_len())),
            Self::Pkcs12Pbe { .. } => None,
        }
    }

    /// Whether this is a PBES2 scheme.
    #[must_use]
    pub fn is_pbes2(&self) -> bool {
        matches!(self, Self::Pbes2 { .. })
    }

    /// Work one decryption with `password` costs, counted as
    /// [`crate::Limits::max_work`] counts it: PBKDF2 for the key (PBES2), or
    /// the PKCS#12 KDF over SHA-1 for the key and for the IV, for every
    /// password form the scheme tries.
    #[must_use]
    pub fn work(&self, password: &Password) -> u64 {
        match self {
            Self::Pbes2 { kdf, cipher, .. } => kdf::pbkdf2_work(
                kdf.prf,
                password.utf8().len(),
                kdf.salt.len(),
                kdf.iterations,
                pbes2_derived_len(kdf, *cipher),
            ),
            Self::Pkcs12Pbe {
                cipher,
                salt,
                iterations,
            } => kdf_candidates(password)
                .iter()
                .map(|(_, bmp)| {
                    let run = |len| {
                        kdf::pkcs12_kdf_work(Hash::Sha1, bmp.len(), salt.len(), *iterations, len)
                    };
                    run(cipher.key_len()).saturating_add(run(cipher.block_len()))
                })
                .fold(0u64, u64::saturating_add),
        }
    }

    /// Parses an encryption AlgorithmIdentifier. Iteration counts are checked
    /// against `limits` here, before anything is derived.
    pub(crate) fn parse(
        alg: &Tlv<'_>,
        limits: &Limits,
    ) -> Result<Result<Self, UnsupportedScheme>, Error> {
        let (id, params) = algorithm_identifier(
            alg,
            "encryption AlgorithmIdentifier.algorithm",
            "encryption AlgorithmIdentifier.parameters",
            "encryption AlgorithmIdentifier",
        )?;
        let pkcs12_cipher = match id.value {
            v if v == oid::PBE_SHA1_3DES.as_bytes() => Some(Cipher::DesEde3),
            v if v == oid::PBE_SHA1_2DES.as_bytes() => Some(Cipher::DesEde2),
            v if v == oid::PBE_SHA1_RC2_128.as_bytes() => Some(Cipher::Rc2 {
                effective_bits: 128,
            }),
            v if v == oid::PBE_SHA1_RC2_40.as_bytes() => Some(Cipher::Rc2 { effective_bits: 40 }),
            v if v == oid::PBE_SHA1_RC4_128.as_bytes() => Some(Cipher::Rc4 { key_bits: 128 }),
            v if v == oid::PBE_SHA1_RC4_40.as_bytes() => Some(Cipher::Rc4 { key_bits: 40 }),
            _ => None,
        };
        if let Some(cipher) = pkcs12_cipher {
            return Self::parse_pkcs12_pbe(&id, params, cipher, limits).map(Ok);
        }
        if id.value != oid::PBES2.as_bytes() {
            return Ok(Err(UnsupportedScheme(oid::describe(id.value))));
        }
        Self::parse_pbes2(&id, params, limits)
    }

    /// PKCS#12's own PBE schemes (RFC 7292, Appendix C): pkcs-12PbeParams.
    fn parse_pkcs12_pbe(
        id: &Tlv<'_>,
        params: Option<Tlv<'_>>,
        cipher: Cipher,
        limits: &Limits,
    ) -> Result<Self, Error> {
        let mut p = sequence_params(id, params, "pkcs-12PbeParams")?.reader();
        let salt = p.octet_string("pkcs-12PbeParams.salt")?;
        let iterations = p
            .integer("pkcs-12PbeParams.iterations")?
            .iterations("pkcs-12PbeParams.iterations", limits)?;
        p.finish("pkcs-12PbeParams")?;
        Ok(Self::Pkcs12Pbe {
            cipher,
            salt: salt.value.to_vec(),
            iterations,
        })
    }

    /// PBES2 (RFC 8018, Section 6.2) with PBKDF2 and a CBC cipher.
    fn parse_pbes2(
        id: &Tlv<'_>,
        params: Option<Tlv<'_>>,
        limits: &Limits,
    ) -> Result<Result<Self, UnsupportedScheme>, Error> {
        let mut p = sequence_params(id, params, "PBES2-params")?.reader();
        let kdf_alg = p.sequence("PBES2-params.keyDerivationFunc")?;
        let enc_alg = p.sequence("PBES2-params.encryptionScheme")?;
        p.finish("PBES2-params")?;

        let kdf = match parse_kdf(
            &kdf_alg,
            "PBES2 keyDerivationFunc.algorithm",
            "PBKDF2-params",
            "PBES2 keyDerivationFunc",
            limits,
        )? {
            Ok((kdf, _)) => kdf,
            Err(other) => {
                return Ok(Err(UnsupportedScheme(format!(
                    "PBES2 with key derivation {other}"
                ))));
            }
        };
        Ok(Self::parse_pbes2_cipher(&enc_alg)?.map(|(cipher, iv)| Self::Pbes2 { kdf, cipher, iv }))
    }

    /// PBES2's encryptionScheme: the cipher and its IV.
    fn parse_pbes2_cipher(
        enc_alg: &Tlv<'_>,
    ) -> Result<Result<(Cipher, Vec<u8>), UnsupportedScheme>, Error> {
        let mut e = enc_alg.reader();
        let enc_id = e.oid("PBES2 encryptionScheme.algorithm")?;
        let cipher = match enc_id.value {
            v if v == oid::AES128_CBC.as_bytes() => Cipher::Aes128,
            v if v == oid::AES192_CBC.as_bytes() => Cipher::Aes192,
            v if v == oid::AES256_CBC.as_bytes() => Cipher::Aes256,
            v if v == oid::DES_EDE3_CBC.as_bytes() => Cipher::DesEde3,
            v if v == oid::DES_CBC.as_bytes() => Cipher::Des,
            other => {
                return Ok(Err(UnsupportedScheme(format!(
                    "PBES2 with cipher {}",
                    oid::describe(other)
                ))));
            }
        };
        let iv = e.octet_string("PBES2 encryptionScheme IV")?;
        e.finish("PBES2 encryptionScheme")?;
        if iv.value.len() != cipher.block_len() {
            return Err(iv
                .invalid(
                    "PBES2 encryptionScheme IV",
                    format!(
                        "{} needs a {}-byte IV, found {} bytes",
                        cipher.name(),
                        cipher.block_len(),
                        iv.value.len()
                    ),
                )
                .into());
        }
        // A keyLength that does not match the cipher is not refused (NSS
        // 3.29 wrote AES-256 data under the AES-128 OID with keyLength 32):
        // decryption tries the cipher the OID names, then the AES size the
        // keyLength names, from one derivation (PBKDF2's output for a
        // shorter length is a prefix of the longer one).
        // `key_length_mismatch` reports it as a warning.
        Ok(Ok((cipher, iv.value.to_vec())))
    }

    /// Decrypts, trying the password forms the scheme allows. Returns the
    /// plaintext and the form that worked. A plaintext is accepted only if the
    /// padding is right and `plausible` says it looks like the expected DER.
    pub(crate) fn decrypt(
        &self,
        password: &Password,
        ciphertext: &[u8],
        plausible: impl Fn(&[u8]) -> bool,
    ) -> Result<(Zeroizing<Vec<u8>>, PasswordForm), DecryptProblem> {
        let mut last = DecryptProblem::Padding;
        match self {
            Self::Pbes2 { kdf, cipher, iv } => {
                pbes2_decrypt(kdf, *cipher, iv, password.utf8(), ciphertext, &plausible)
                    .map(|(plain, _)| (plain, PasswordForm::AsGiven))
                    .ok_or(DecryptProblem::Padding)
            }
            Self::Pkcs12Pbe {
                cipher,
                salt,
                iterations,
            } => {
                for (form, bmp) in kdf_candidates(password) {
                    let (key, iv) = pkcs12_key_iv(*cipher, &bmp, salt, *iterations);
                    match cipher::decrypt(*cipher, &key, &iv, ciphertext) {
                        Ok(plain) if plausible(&plain) => return Ok((plain, form)),
                        Ok(_) => last = DecryptProblem::Padding,
                        Err(e) => last = e,
                    }
                }
                Err(last)
            }
        }
    }

    /// Work of one attempt with NSS's BMPString form of the password
    /// ([`EncryptionScheme::decrypt_nss_bmp`]); 0 when there is none to try.
    pub(crate) fn nss_bmp_work(&self, password: &Password) -> u64 {
        match self {
            Self::Pbes2 { kdf, cipher, .. } if password.bmp().as_slice() != password.utf8() => {
                kdf::pbkdf2_work(
                    kdf.prf,
                    password.bmp().len(),
                    kdf.salt.len(),
                    kdf.iterations,
                    pbes2_derived_len(kdf, *cipher),
                )
            }
            _ => 0,
        }
    }

    /// PBES2 keyed with the password's BMPString form (UTF-16BE with the
    /// terminator, as for the PKCS#12 KDF) instead of its UTF-8 bytes: what
    /// NSS before 3.31 wrote. NSS itself still reads such files (nss.h,
    /// `__NSS_PKCS12_DECODE_FORCE_UNICODE`: "Until NSS 3.30, the PKCS#12
    /// implementation used BMPString encoding for all passwords"). `None`
    /// when the scheme is not PBES2 or the two forms are the same bytes; one
    /// attempt costs [`EncryptionScheme::nss_bmp_work`].
    pub(crate) fn decrypt_nss_bmp(
        &self,
        password: &Password,
        ciphertext: &[u8],
        plausible: impl Fn(&[u8]) -> bool,
    ) -> Option<Zeroizing<Vec<u8>>> {
        let Self::Pbes2 { kdf, cipher, iv } = self else {
            return None;
        };
        let bmp = password.bmp();
        if bmp.as_slice() == password.utf8() {
            return None;
        }
        pbes2_decrypt(kdf, *cipher, iv, &bmp, ciphertext, &plausible).map(|(plain, _)| plain)
    }

    /// For PBES2 with AES and a keyLength of another AES size: the cipher
    /// the keyLength names, which decrypting tries when
    /// the one the OID names fails (NSS 3.29 wrote AES-256 data under the
    /// AES-128-CBC OID with keyLength 32; NSS reads it by the keyLength).
    #[must_use]
    pub fn key_length_cipher(&self) -> Option<Cipher> {
        match self {
            Self::Pbes2 { kdf, cipher, .. } => aes_by_key_length(kdf, *cipher),
            Self::Pkcs12Pbe { .. } => None,
        }
    }

    /// Encrypts with this scheme's parameters.
    pub(crate) fn encrypt(&self, password: &Password, plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        let bug = |_| Error::InvalidOptions {
            reason: "internal error: cipher parameters of the wrong size".to_owned(),
        };
        match self {
            Self::Pbes2 { kdf, cipher, iv } => {
                let key = kdf::pbkdf2(
                    kdf.prf,
                    password.utf8(),
                    &kdf.salt,
                    kdf.iterations,
                    cipher.key_len(),
                );
                cipher::encrypt(*cipher, &key, iv, plaintext).map_err(bug)
            }
            Self::Pkcs12Pbe {
                cipher,
                salt,
                iterations,
            } => {
                let (key, iv) = pkcs12_key_iv(*cipher, &password.bmp(), salt, *iterations);
                cipher::encrypt(*cipher, &key, &iv, plaintext).map_err(bug)
            }
        }
    }

    /// The DER AlgorithmIdentifier, in OpenSSL's layout (PRF explicit,
    /// keyLength omitted).
    pub(crate) fn to_der(&self) -> Vec<u8> {
        match self {
            Self::Pbes2 { kdf, cipher, iv } => {
                let prf = writer::sequence(&[&writer::oid(&kdf.prf.hmac_oid()), &writer::null()]);
                let mut kdf_fields = vec![
                    writer::octet_string(&kdf.salt),
                    writer::integer_u64(u64::from(kdf.iterations)),
                ];
                if let Some(len) = kdf.key_length {
                    kdf_fields.push(writer::integer_u64(u64::from(len)));
                }
                kdf_fields.push(prf);
                let kdf_parts: Vec<&[u8]> = kdf_fields.iter().map(Vec::as_slice).collect();
                let kdf_alg =
                    writer::sequence(&[&writer::oid(&oid::PBKDF2), &writer::sequence(&kdf_parts)]);
                let cipher_oid = match cipher {
                    Cipher::Aes128 => oid::AES128_CBC,
                    Cipher::Aes192 => oid::AES192_CBC,
                    Cipher::DesEde3 => oid::DES_EDE3_CBC,
                    _ => oid::AES256_CBC,
                };
                let enc_alg =
                    writer::sequence(&[&writer::oid(&cipher_oid), &writer::octet_string(iv)]);
                writer::sequence(&[
                    &writer::oid(&oid::PBES2),
                    &writer::sequence(&[&kdf_alg, &enc_alg]),
                ])
            }
            Self::Pkcs12Pbe {
                cipher,
                salt,
                iterations,
            } => writer::sequence(&[
                &writer::oid(&pkcs12_pbe_oid(*cipher)),
                &writer::sequence(&[
                    &writer::octet_string(salt),
                    &writer::integer_u64(u64::from(*iterations)),
                ]),
            ]),
        }
    }
}

/// An AlgorithmIdentifier's OID and its parameters, if any (any one
/// element), with nothing after them. The labels name the OID, the
/// parameters and the whole in errors.
pub(crate) fn algorithm_identifier<'a>(
    alg: &Tlv<'a>,
    algorithm: &'static str,
    parameters: &'static str,
    what: &'static str,
) -> Result<(Tlv<'a>, Option<Tlv<'a>>), Error> {
    let mut r = alg.reader();
    let id = r.oid(algorithm)?;
    let params = if r.is_empty() {
        None
    } else {
        Some(r.read_any(parameters)?)
    };
    r.finish(what)?;
    Ok((id, params))
}

/// Ends an HMAC AlgorithmIdentifier after its OID: the parameters, if
/// present, must be NULL (`parameters` names them), and nothing may follow
/// (`what` names the whole).
pub(crate) fn finish_null_parameters(
    r: &mut Reader<'_>,
    parameters: &'static str,
    what: &'static str,
) -> Result<(), Error> {
    if !r.is_empty() {
        r.read_any(parameters)?.expect_null(parameters)?;
    }
    r.finish(what)?;
    Ok(())
}

/// The parameters of the algorithm identified by `id`, which must be
/// present and a SEQUENCE (`what` names them in the error).
pub(crate) fn sequence_params<'a>(
    id: &Tlv<'_>,
    params: Option<Tlv<'a>>,
    what: &'static str,
) -> Result<Tlv<'a>, Error> {
    let params = params.ok_or_else(|| id.invalid(what, "parameters are missing"))?;
    if params.tag != tag::SEQUENCE {
        return Err(params.invalid(what, "parameters are not a SEQUENCE").into());
    }
    Ok(params)
}

/// The AES variant a PBES2 keyLength names when it differs from the
/// cipher's (both AES): NSS chooses the AES key size by the keyLength.
fn aes_by_key_length(kdf: &Pbkdf2Params, cipher: Cipher) -> Option<Cipher> {
    if !matches!(cipher, Cipher::Aes128 | Cipher::Aes192 | Cipher::Aes256) {
        return None;
    }
    let by_length = match kdf.key_length? {
        16 => Cipher::Aes128,
        24 => Cipher::Aes192,
        32 => Cipher::Aes256,
        _ => return None,
    };
    (by_length != cipher).then_some(by_length)
}

/// How many bytes PBKDF2 derives for a PBES2 scheme: enough for the cipher
/// and, when the keyLength names another AES size, for that one too (the
/// shorter key is a prefix of the longer: one derivation serves both).
fn pbes2_derived_len(kdf: &Pbkdf2Params, cipher: Cipher) -> usize {
    aes_by_key_length(kdf, cipher)
        .map_or(cipher.key_len(), |alt| alt.key_len().max(cipher.key_len()))
}

/// Decrypts PBES2 with the password bytes `pass`: with the cipher the OID
/// names, then (same derivation) with the AES size the keyLength names.
/// Returns the plaintext and the cipher that gave it.
fn pbes2_decrypt(
    kdf: &Pbkdf2Params,
    cipher: Cipher,
    iv: &[u8],
    pass: &[u8],
    ciphertext: &[u8],
    plausible: &impl Fn(&[u8]) -> bool,
) -> Option<(Zeroizing<Vec<u8>>, Cipher)> {
    let len = pbes2_derived_len(kdf, cipher);
    let key = kdf::pbkdf2(kdf.prf, pass, &kdf.salt, kdf.iterations, len);
    [Some(cipher), aes_by_key_length(kdf, cipher)]
        .into_iter()
        .flatten()
        .find_map(|c| {
            let plain = cipher::decrypt(c, key.get(..c.key_len())?, iv, ciphertext).ok()?;
            plausible(&plain).then_some((plain, c))
        })
}

/// Key and IV of a PKCS#12 PBE algorithm: two runs of the PKCS#12 KDF over
/// SHA-1 (RFC 7292, Appendix C).
fn pkcs12_key_iv(
    cipher: Cipher,
    bmp: &[u8],
    salt: &[u8],
    iterations: u32,
) -> (Zeroizing<Vec<u8>>, Zeroizing<Vec<u8>>) {
    let key = kdf::pkcs12_kdf(
        Hash::Sha1,
        bmp,
        salt,
        KdfPurpose::Key,
        iterations,
        cipher.key_len(),
    );
    // A stream cipher (RC4) has no IV: nothing to derive.
    let iv = if cipher.block_len() == 0 {
        Zeroizing::new(Vec::new())
    } else {
        kdf::pkcs12_kdf(
            Hash::Sha1,
            bmp,
            salt,
            KdfPurpose::Iv,
            iterations,
            cipher.block_len(),
        )
    };
    (key, iv)
}

/// A keyDerivationFunc AlgorithmIdentifier (PBES2's or PBMAC1's) that must
/// name PBKDF2: its parameters, parsed, and their TLV. `Ok(Err(..))`
/// describes the OID of any other KDF, refused before its parameters are
/// read. The labels name the OID, the PBKDF2-params and the whole in errors.
pub(crate) fn parse_kdf<'a>(
    alg: &Tlv<'a>,
    algorithm: &'static str,
    parameters: &'static str,
    what: &'static str,
    limits: &Limits,
) -> Result<Result<(Pbkdf2Params, Tlv<'a>), String>, Error> {
    let mut r = alg.reader();
    let id = r.oid(algorithm)?;
    if id.value != oid::PBKDF2.as_bytes() {
        return Ok(Err(oid::describe(id.value)));
    }
    let params = r.sequence(parameters)?;
    r.finish(what)?;
    let kdf = parse_pbkdf2(&params, limits)?;
    Ok(Ok((kdf, params)))
}

/// Parses PBKDF2-params.
fn parse_pbkdf2(params: &Tlv<'_>, limits: &Limits) -> Result<Pbkdf2Params, Error> {
    let mut p = params.reader();
    let salt = match p.peek_tag() {
        Some(tag::OCTET_STRING) => p.octet_string("PBKDF2-params.salt")?.value.to_vec(),
        Some(tag::SEQUENCE) => {
            let other = p.sequence("PBKDF2-params.salt")?;
            return Err(other.invalid(
                "PBKDF2-params.salt",
                "the salt is 'otherSource', which RFC 8018 reserves and no implementation defines",
            ).into());
        }
        _ => p.octet_string("PBKDF2-params.salt")?.value.to_vec(),
    };
    let iterations = p
        .integer("PBKDF2-params.iterationCount")?
        .iterations("PBKDF2 iterationCount", limits)?;
    let mut key_length = None;
    if p.peek_tag() == Some(tag::INTEGER) {
        let kl = p.integer("PBKDF2-params.keyLength")?;
        let value = kl.small_uint("PBKDF2-params.keyLength")?;
        if value == 0 || value > 1024 {
            return Err(kl
                .invalid(
                    "PBKDF2-params.keyLength",
                    format!("{value} bytes is not a usable key length"),
                )
                .into());
        }
        key_length = Some(u32::try_from(value).unwrap_or(u32::MAX));
    }
    let mut prf = Hash::Sha1;
    if let Some(prf_alg) = p.read_optional(tag::SEQUENCE, "PBKDF2-params.prf")? {
        let mut a = prf_alg.reader();
        let prf_id = a.oid("PBKDF2-params.prf.algorithm")?;
        prf = Hash::from_hmac_oid(prf_id.value).ok_or_else(|| Error::Unsupported {
            what: "PBKDF2-params.prf",
            detail: format!("pseudo-random function {}", oid::describe(prf_id.value)),
        })?;
        finish_null_parameters(&mut a, "PBKDF2-params.prf.parameters", "PBKDF2-params.prf")?;
    }
    p.finish("PBKDF2-params")?;
    Ok(Pbkdf2Params {
        salt,
        iterations,
        key_length,
        prf,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(der: &[u8]) -> Result<Result<EncryptionScheme, UnsupportedScheme>, Error> {
        let mut r = Reader::top(der, "test");
        let alg = r.sequence("alg").unwrap();
        EncryptionScheme::parse(&alg, &Limits::default())
    }

    /// PBES2 with PBKDF2-HMAC-SHA256 and AES-256, with the keyLength and
    /// IV length given.
    fn pbes2_with(key_length: Option<u32>, iv_len: usize) -> EncryptionScheme {
        EncryptionScheme::Pbes2 {
            kdf: Pbkdf2Params {
                salt: vec![1; 16],
                iterations: 2048,
                key_length,
                prf: Hash::Sha256,
            },
            cipher: Cipher::Aes256,
            iv: vec![2; iv_len],
        }
    }

    fn pbes2() -> EncryptionScheme {
        pbes2_with(None, 16)
    }

    #[test]
    fn encode_parse_round_trip() {
        let schemes = [
            pbes2(),
            EncryptionScheme::Pkcs12Pbe {
                cipher: Cipher::DesEde3,
                salt: vec![3; 8],
                iterations: 2048,
            },
        ];
        for s in schemes {
            let der = s.to_der();
            assert_eq!(parse(&der).unwrap().unwrap(), s);
        }
        assert_eq!(
            pbes2().to_string(),
            "PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256"
        );
    }

    #[test]
    fn encrypt_decrypt_with_each_password_form() {
        let pbe = EncryptionScheme::Pkcs12Pbe {
            cipher: Cipher::DesEde3,
            salt: vec![3; 8],
            iterations: 10,
        };
        let ct = pbe.encrypt(&Password::absent(), b"\x30\x00").unwrap();
        let (plain, form) = pbe
            .decrypt(&Password::empty(), &ct, |p| p == b"\x30\x00")
            .unwrap();
        assert_eq!(
            (plain.as_slice(), form),
            (&b"\x30\x00"[..], PasswordForm::Absent)
        );
        let ct = pbes2()
            .encrypt(&Password::from_str_copy("pässword"), b"data")
            .unwrap();
        assert!(
            pbes2()
                .decrypt(&Password::from_str_copy("password"), &ct, |_| true)
                .is_err()
        );
        let (plain, _) = pbes2()
            .decrypt(&Password::from_str_copy("pässword"), &ct, |_| true)
            .unwrap();
        assert_eq!(plain.as_slice(), b"data");
    }

    #[test]
    fn hostile_parameters() {
        // IV of 15 and 17 bytes.
        for len in [15usize, 17] {
            let err = parse(&pbes2_with(None, len).to_der())
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("needs a 16-byte IV, found {len} bytes")),
                "{err}"
            );
        }
        // keyLength that does not match AES-256: read, and reported.
        let parsed = parse(&pbes2_with(Some(16), 16).to_der()).unwrap().unwrap();
        assert_eq!(parsed.key_length_mismatch(), Some((16, 32)));
        assert_eq!(pbes2().key_length_mismatch(), None);
    }

    #[test]
    fn pbes2_key_derivation_must_be_pbkdf2_alone() {
        let pbkdf2_params =
            writer::sequence(&[&writer::octet_string(&[1; 8]), &writer::integer_u64(1)]);
        let cipher = writer::sequence(&[
            &writer::oid(&oid::AES256_CBC),
            &writer::octet_string(&[0; 16]),
        ]);
        let pbes2 = |kdf: &[&[u8]]| {
            let params = writer::sequence(&[&writer::sequence(kdf), &cipher]);
            writer::sequence(&[&writer::oid(&oid::PBES2), &params])
        };
        let pbkdf2 = writer::oid(&oid::PBKDF2);
        assert!(matches!(
            parse(&pbes2(&[&pbkdf2, &pbkdf2_params])),
            Ok(Ok(_))
        ));
        let other = writer::oid(&der::asn1::ObjectIdentifier::new_unwrap("1.2.3.4"));
        match parse(&pbes2(&[&other, &pbkdf2_params])) {
            Ok(Err(UnsupportedScheme(detail))) => {
                assert_eq!(detail, "PBES2 with key derivation 1.2.3.4");
            }
            other => panic!("another KDF: {other:?}"),
        }
        let null = writer::null();
        match parse(&pbes2(&[&pbkdf2, &pbkdf2_params, &null])) {
            Err(Error::Malformed {
                what: "PBES2 keyDerivationFunc",
                ..
            }) => {}
            other => panic!("trailing data: {other:?}"),
        }
    }

    #[test]
    fn hmac_parameters_are_absent_or_null_and_last() {
        let hmac = writer::oid(&oid::HMAC_SHA256);
        let null = writer::null();
        let octets = writer::octet_string(&[0]);
        // The AlgorithmIdentifier, and the field an error must name.
        let cases = [
            ("absent", writer::sequence(&[&hmac]), None),
            ("NULL", writer::sequence(&[&hmac, &null]), None),
            (
                "OCTET STRING",
                writer::sequence(&[&hmac, &octets]),
                Some("params"),
            ),
            (
                "NULL, NULL",
                writer::sequence(&[&hmac, &null, &null]),
                Some("alg"),
            ),
        ];
        for (name, der, refused) in cases {
            let mut top = Reader::top(&der, "test");
            let mut r = top.sequence("alg").unwrap().reader();
            r.oid("alg.algorithm").unwrap();
            match (finish_null_parameters(&mut r, "params", "alg"), refused) {
                (Ok(()), None) => {}
                (Err(Error::Malformed { what, .. }), Some(field)) if what == field => {}
                (other, _) => panic!("{name}: {other:?}"),
            }
        }
    }
}
