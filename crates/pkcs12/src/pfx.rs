//! The PFX: decoding without a password (structure), and opening with one.
//!
//! ```text
//! PFX ::= SEQUENCE {
//!     version  INTEGER {v3(3)}(v3,...),
//!     authSafe ContentInfo,
//!     macData  MacData OPTIONAL }
//! AuthenticatedSafe ::= SEQUENCE OF ContentInfo
//!     -- Data if unencrypted, EncryptedData if password-encrypted,
//!     -- EnvelopedData if public key-encrypted
//! ContentInfo ::= SEQUENCE {
//!     contentType ContentType,
//!     content     [0] EXPLICIT ANY DEFINED BY contentType OPTIONAL }
//! EncryptedData ::= SEQUENCE {
//!     version              CMSVersion,
//!     encryptedContentInfo EncryptedContentInfo,
//!     unprotectedAttrs     [1] IMPLICIT UnprotectedAttributes OPTIONAL }
//! EncryptedContentInfo ::= SEQUENCE {
//!     contentType                ContentType,
//!     contentEncryptionAlgorithm ContentEncryptionAlgorithmIdentifier,
//!     encryptedContent           [0] IMPLICIT EncryptedContent OPTIONAL }
//! ```
//! ([RFC 7292, Sections 4 and 4.1](https://www.rfc-editor.org/rfc/rfc7292#section-4);
//! [RFC 5652, Section 8](https://www.rfc-editor.org/rfc/rfc5652#section-8)).

use std::{borrow::Cow, cmp::Reverse, rc::Rc};

use zeroize::Zeroizing;

use pfxgen_keygen::PrivateKey;
use pfxgen_x509::Certificate;

use crate::{
    Error, Limits, Password, PasswordForm, ber,
    encryption::{EncryptionScheme, UnsupportedScheme},
    error::{ber_error, check_input_size, check_limit},
    mac_data::{self, MacData},
    oid, parallel,
    safe_bag::{Attributes, BagBudget, BagKind, BagValue, SafeBag, parse_safe_contents},
};
use pfxgen_asn1::{Location, Reader, Tlv, tag};

/// One ContentInfo of the AuthenticatedSafe.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Content {
    /// Unencrypted SafeContents (`id-data`).
    Data {
        /// The bags, readable without a password.
        bags: Vec<SafeBag>,
    },
    /// Password-encrypted SafeContents (`id-encryptedData`).
    Encrypted {
        /// The encryption scheme, or a description of an unsupported one.
        scheme: Result<EncryptionScheme, String>,
        /// The ciphertext.
        ciphertext: Vec<u8>,
        /// Where the EncryptedData starts.
        at: Location,
    },
    /// Public-key encrypted SafeContents (`id-envelopedData`): not supported
    /// (.NET rejects it too).
    Enveloped,
    /// Any other content type.
    Other {
        /// Its OID.
        content_type: String,
    },
}

/// A PFX decoded without a password: its structure, MAC parameters and
/// whatever is not encrypted.
#[derive(Clone, Debug)]
pub struct Pfx {
    version: u64,
    was_ber: bool,
    trailing_bytes: usize,
    mac: Option<MacData>,
    auth_safe: Vec<u8>,
    contents: Vec<Content>,
    /// Bags counted while parsing (unencrypted ones); decrypted bags add to it.
    bags_parsed: usize,
}

/// Whether and how the MAC was verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MacStatus {
    /// The file has no MacData: its integrity cannot be checked.
    Absent,
    /// The MAC verified with the password in this form.
    Verified(PasswordForm),
}

/// Where a bag was found and how it was protected.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct BagReport {
    /// Position among all bags, in file order (0-based).
    pub index: usize,
    /// Bag type.
    pub kind: BagKind,
    /// Which ContentInfo of the AuthenticatedSafe holds it (0-based).
    pub content_index: usize,
    /// The encryption of that ContentInfo (None: plain `data`).
    pub content_encryption: Option<EncryptionScheme>,
    /// The encryption of the bag itself (shrouded keys).
    pub bag_encryption: Option<EncryptionScheme>,
    /// Whether it sat inside a safeContentsBag.
    pub nested: bool,
    /// Its attributes.
    pub attributes: Attributes,
}

/// A private key from the PFX.
#[derive(Debug)]
#[non_exhaustive]
pub struct KeyEntry {
    /// Index of its bag in [`Opened::bags`].
    pub bag: usize,
    /// The bag's attributes.
    pub attributes: Attributes,
    /// The key, or why it could not be loaded (e.g. Ed25519).
    pub key: Result<PrivateKey, pfxgen_keygen::Error>,
}

/// A certificate from the PFX.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CertEntry {
    /// Index of its bag in [`Opened::bags`].
    pub bag: usize,
    /// The bag's attributes.
    pub attributes: Attributes,
    /// The certificate, or why it could not be parsed.
    pub certificate: Result<Certificate, pfxgen_x509::Error>,
}

impl CertEntry {
    /// An entry for a certificate that did not come from a bag (a `.crt`
    /// file), with no attributes.
    #[must_use]
    pub fn standalone(certificate: Result<Certificate, pfxgen_x509::Error>) -> Self {
        Self {
            bag: 0,
            attributes: Attributes::default(),
            certificate,
        }
    }
}

/// A PFX opened with its password: every bag decrypted and decoded.
#[derive(Debug)]
#[non_exhaustive]
pub struct Opened {
    /// The MAC verdict.
    pub mac: MacStatus,
    /// All bags in file order (nested ones flattened after their parent).
    pub bags: Vec<BagReport>,
    /// The private keys.
    pub keys: Vec<KeyEntry>,
    /// The certificates.
    pub certificates: Vec<CertEntry>,
    /// Work done opening the file, counted as [`Limits::max_work`] counts
    /// it (units of one SHA-256 compression), every password form tried
    /// included.
    pub work_spent: u64,
    /// Content types that were skipped (neither data nor encryptedData).
    pub skipped_contents: Vec<String>,
    /// Producer quirks that were worked around to open the file.
    pub workarounds: Vec<Workaround>,
}

/// A producer's departure from the standard that [`Pfx::open`] worked
/// around, reported so that tools can warn about it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Workaround {
    /// A PBES2 part keyed with the password's BMPString form (UTF-16BE with
    /// a terminator, as for the PKCS#12 KDF) instead of its UTF-8 bytes, as
    /// NSS before 3.31 wrote; tried only after the MAC verified with the
    /// password and its UTF-8 form failed.
    NssBmpStringPassword {
        /// What was decrypted that way.
        what: String,
    },
}

impl core::fmt::Display for Workaround {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NssBmpStringPassword { what } => write!(
                f,
                "{what} is encrypted with the password's BMPString form instead of its UTF-8 \
                 bytes (a bug of NSS before 3.31); read with that form"
            ),
        }
    }
}

/// Counts work against [`Limits::max_work`] before the work is done, and
/// remembers what opening has learnt so far.
struct WorkBudget {
    spent: u64,
    limit: u64,
    /// Whether the MAC verified with the password: a part that then does
    /// not decrypt is retried in NSS's BMPString form, and a failure says
    /// that the MAC verified.
    mac_verified: bool,
    /// Quirks worked around (for [`Opened::workarounds`]).
    workarounds: Vec<Workaround>,
    /// Results derived ahead, in parallel, and already charged (see
    /// [`Pfx::prefetch`]).
    ready: Ready,
}

/// What [`Pfx::prefetch`] derived: the MAC verdict, and the plaintext (or
/// failure) of each ciphertext, found by the ciphertext's address.
#[derive(Default)]
struct Ready {
    mac: Option<Option<PasswordForm>>,
    plain: Vec<(usize, Option<Zeroizing<Vec<u8>>>)>,
}

impl WorkBudget {
    fn new(limits: &Limits) -> Self {
        Self {
            spent: 0,
            limit: limits.max_work,
            mac_verified: false,
            workarounds: Vec::new(),
            ready: Ready::default(),
        }
    }

    fn charge(&mut self, needed: u64) -> Result<(), Error> {
        let total = self.spent.saturating_add(needed);
        if total > self.limit {
            return Err(Error::WorkLimit {
                spent: self.spent,
                needed,
                max: self.limit,
            });
        }
        self.spent = total;
        Ok(())
    }

    /// Charges every password form `scheme` will try, then decrypts:
    /// `Ok(None)` when no form gives a plausible plaintext, `Err` when the
    /// budget would be exceeded (before any key derivation runs). After a
    /// verified MAC, a PBES2 part that fails is retried (and charged again)
    /// with NSS's BMPString form of the password.
    fn decrypt(
        &mut self,
        scheme: &EncryptionScheme,
        password: &Password,
        ciphertext: &[u8],
        plausible: impl Fn(&[u8]) -> bool,
        what: impl FnOnce() -> String,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        let at = ciphertext.as_ptr().addr();
        let first = match self.ready.plain.iter().position(|(a, _)| *a == at) {
            Some(i) => self.ready.plain.swap_remove(i).1,
            None => {
                self.charge(scheme.work(password))?;
                scheme
                    .decrypt(password, ciphertext, &plausible)
                    .ok()
                    .map(|(plain, _form)| plain)
            }
        };
        if first.is_some() {
            return Ok(first);
        }
        if !(self.mac_verified && scheme.is_pbes2() && !password.is_absent()) {
            return Ok(None);
        }
        self.charge(scheme.nss_bmp_work(password))?;
        let plain = scheme.decrypt_nss_bmp(password, ciphertext, &plausible);
        if plain.is_some() {
            self.workarounds
                .push(Workaround::NssBmpStringPassword { what: what() });
        }
        Ok(plain)
    }

    /// What a failed decryption means: without a password, that one is
    /// needed; with one, that it does not decrypt `what` (and whether the
    /// MAC verified with it).
    fn failure(&self, password: &Password, what: impl FnOnce() -> String) -> Error {
        if password.is_absent() {
            Error::PasswordRequired
        } else {
            Error::DecryptionFailed {
                what: what(),
                mac_verified: self.mac_verified,
            }
        }
    }
}

/// Normalises the file's first complete element (the PFX) and counts the
/// bytes that follow it, which readers ignore: OpenSSL's `d2i` stops after
/// the element, and .NET trims the input to it (`X509CertificateLoader`
/// `ReadCertsAndKeys`: `AsnDecoder.ReadSequence(...)`, then
/// `data.Slice(0, trimLength)`). Any other BER problem is an error.
fn normalize_file<'a>(bytes: &'a [u8], limits: &Limits) -> Result<(Cow<'a, [u8]>, usize), Error> {
    let file_error = |e| ber_error(e, "the file");
    match ber::normalize(bytes, limits.max_depth) {
        Ok(normalised) => Ok((normalised, 0)),
        Err(ber::BerError {
            offset,
            problem: crate::DerProblem::TrailingData { remaining },
        }) => {
            let head = bytes.get(..offset).unwrap_or_default();
            let normalised = ber::normalize(head, limits.max_depth).map_err(file_error)?;
            Ok((normalised, remaining))
        }
        Err(e) => Err(file_error(e)),
    }
}

/// A normalised embedded encoding: bytes, base offset, location label.
type Nested<'a> = (Cow<'a, [u8]>, usize, Rc<str>);

/// Normalises `octets`' value (an embedded encoding) and returns it with the
/// base offset and label for a reader: exact offsets when it was DER already.
fn nested<'a>(octets: &Tlv<'a>, label: &str, limits: &Limits) -> Result<Nested<'a>, Error> {
    let value_offset = octets.value_offset();
    let normalised = ber::normalize(octets.value, limits.max_depth).map_err(|e| {
        let mut err = ber_error(e, octets.within());
        if let Error::Malformed { at, .. } = &mut err {
            at.offset += value_offset;
        }
        err
    })?;
    Ok(match normalised {
        Cow::Borrowed(b) => (Cow::Borrowed(b), value_offset, Rc::clone(octets.within())),
        Cow::Owned(o) => (
            Cow::Owned(o),
            0,
            Rc::from(format!("{label} (after BER normalisation)")),
        ),
    })
}

impl Pfx {
    /// Decodes a PFX (DER or BER) without a password.
    ///
    /// Everything that can be checked without the password is checked here:
    /// structure, versions, algorithm parameters, iteration counts (against
    /// `limits`, before any derivation), bag counts.
    ///
    /// # Errors
    /// [`Error::InputTooLarge`], [`Error::Malformed`], [`Error::InvalidValue`],
    /// [`Error::IterationCount`], [`Error::LimitExceeded`], [`Error::Unsupported`].
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Self, Error> {
        check_input_size(bytes, limits)?;
        let (normalised, trailing_bytes) = normalize_file(bytes, limits)?;
        let was_ber = matches!(normalised, Cow::Owned(_));
        let label = if was_ber {
            "the file (after BER normalisation)"
        } else {
            "the file"
        };
        let mut top = Reader::top(&normalised, label);
        let pfx = top.sequence("PFX")?;
        top.finish("PFX")?;
        let mut r = pfx.reader();
        let version = read_version(
            &mut r,
            "PFX.version",
            &[3],
            "PKCS#12 v1.1 files are version 3",
        )?;
        let auth_safe_ci = r.sequence("PFX.authSafe")?;
        let mac = mac_data::parse_optional(&mut r, limits)?;
        r.finish("PFX")?;

        let (content_type, content) = content_info(&auth_safe_ci, "PFX.authSafe")?;
        if content_type.value == oid::SIGNED_DATA.as_bytes() {
            return Err(Error::Unsupported {
                what: "PFX.authSafe",
                detail:
                    "public-key integrity mode (signedData); only password integrity is supported"
                        .to_owned(),
            });
        }
        expect_data(&content_type, "PFX.authSafe.contentType")?;
        let content = required_content(&auth_safe_ci, content, "PFX.authSafe", "data")?;
        let octets = data_octets(&content, "PFX.authSafe.content")?;
        let auth_safe = octets.value.to_vec();

        let (safe_der, base, within) = nested(&octets, "the AuthenticatedSafe", limits)?;
        let mut ar = Reader::new(&safe_der, base, within);
        let seq = ar.sequence("AuthenticatedSafe")?;
        ar.finish("AuthenticatedSafe")?;
        let mut items = seq.reader();
        let mut contents = Vec::new();
        let mut budget = BagBudget { count: 0 };
        while !items.is_empty() {
            check_limit(
                "the number of ContentInfos in the AuthenticatedSafe",
                contents.len() + 1,
                limits.max_contents,
            )?;
            let ci = items.sequence("AuthenticatedSafe ContentInfo")?;
            contents.push(parse_content(&ci, limits, &mut budget)?);
        }
        Ok(Self {
            version,
            was_ber,
            trailing_bytes,
            mac,
            auth_safe,
            contents,
            bags_parsed: budget.count,
        })
    }

    /// The PFX version (always 3 once parsed).
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Whether the file was BER and had to be normalised.
    #[must_use]
    pub fn was_ber(&self) -> bool {
        self.was_ber
    }

    /// How many bytes follow the end of the PFX in the file (ignored, as
    /// OpenSSL and .NET ignore them: .NET's own test files carry 8 zero
    /// bytes there). Not covered by the MAC; 0 for a clean file.
    #[must_use]
    pub fn trailing_bytes(&self) -> usize {
        self.trailing_bytes
    }

    /// The MAC, if the file has one.
    #[must_use]
    pub fn mac(&self) -> Option<&MacData> {
        self.mac.as_ref()
    }

    /// Work verifying the MAC with `password` costs (every form tried),
    /// counted as [`Limits::max_work`] counts it; 0 without a MAC.
    #[must_use]
    pub fn mac_work(&self, password: &Password) -> u64 {
        self.mac
            .as_ref()
            .map_or(0, |mac| mac.work(password, self.auth_safe.len()))
    }

    /// The ContentInfos of the AuthenticatedSafe.
    #[must_use]
    pub fn contents(&self) -> &[Content] {
        &self.contents
    }

    /// Certificates readable without a password (in unencrypted contents).
    #[must_use]
    pub fn unencrypted_certificates(&self) -> Vec<Result<Certificate, pfxgen_x509::Error>> {
        let mut out = Vec::new();
        for content in &self.contents {
            if let Content::Data { bags } = content {
                collect_certs(bags, &mut out);
            }
        }
        out
    }

    /// Checks the MAC (when there is one) before anything is decrypted,
    /// charging its work to the budget that the caller then spends on the
    /// bags. One place, so every way of opening a file verifies integrity
    /// the same way.
    fn check_mac(
        &self,
        password: &Password,
        limits: &Limits,
        budget: &mut WorkBudget,
    ) -> Result<MacStatus, Error> {
        if let Some(e) = self.mac.as_ref().and_then(MacData::unsupported) {
            return Err(e);
        }
        let mac = match &self.mac {
            None => MacStatus::Absent,
            Some(mac) => {
                let verdict = match budget.ready.mac.take() {
                    Some(verdict) => verdict,
                    None => {
                        budget.charge(mac.work(password, self.auth_safe.len()))?;
                        mac.verify(password, &self.auth_safe)
                    }
                };
                match verdict {
                    Some(form) => {
                        budget.mac_verified = true;
                        MacStatus::Verified(form)
                    }
                    None => return Err(self.diagnose_mac_failure(password, limits, budget)),
                }
            }
        };
        Ok(mac)
    }

    /// Opens the file: verifies the MAC (if any), decrypts every encrypted
    /// content and key, and decodes keys and certificates.
    ///
    /// An empty password is also tried as an absent one (and vice versa),
    /// and a non-ASCII password also in OpenSSL 1.x's byte-wise form, for the
    /// parts protected by the PKCS#12 KDF.
    ///
    /// # Errors
    /// [`Error::WrongPassword`], [`Error::IntegrityCheckFailed`],
    /// [`Error::MacMismatch`], [`Error::PasswordRequired`],
    /// [`Error::DecryptionFailed`], [`Error::LimitExceeded`],
    /// [`Error::WorkLimit`], [`Error::Unsupported`], and decoding errors of
    /// decrypted contents.
    pub fn open(&self, password: &Password, limits: &Limits) -> Result<Opened, Error> {
        let mut budget = WorkBudget::new(limits);
        self.prefetch(password, limits, &mut budget, true);
        let mac = self.check_mac(password, limits, &mut budget)?;
        let mut opened = Opened {
            mac,
            bags: Vec::new(),
            keys: Vec::new(),
            certificates: Vec::new(),
            work_spent: 0,
            skipped_contents: Vec::new(),
            workarounds: Vec::new(),
        };
        let mut bag_budget = BagBudget {
            count: self.bags_parsed,
        };
        for (index, content) in self.contents.iter().enumerate() {
            let (bags, scheme) = match content {
                Content::Data { bags } => (Cow::Borrowed(bags.as_slice()), None),
                Content::Encrypted {
                    scheme, ciphertext, ..
                } => {
                    let (scheme, bags) = decrypt_content(
                        index,
                        scheme,
                        ciphertext,
                        password,
                        limits,
                        &mut budget,
                        &mut bag_budget,
                    )?;
                    (Cow::Owned(bags), Some(scheme))
                }
                Content::Enveloped => {
                    return Err(Error::Unsupported {
                        what: "AuthenticatedSafe",
                        detail: "public-key privacy mode (envelopedData)".to_owned(),
                    });
                }
                Content::Other { content_type } => {
                    opened.skipped_contents.push(content_type.clone());
                    continue;
                }
            };
            self.take_bags(
                &bags,
                index,
                scheme,
                false,
                password,
                limits,
                &mut budget,
                &mut opened,
            )?;
        }
        opened.work_spent = budget.spent;
        opened.workarounds = std::mem::take(&mut budget.workarounds);
        Ok(opened)
    }

    /// Verifies the MAC (if any) and decrypts only what holds certificates,
    /// never keys: the cheap path for auditing many files (two key
    /// derivations instead of three). Returns the MAC verdict with the
    /// certificates; a MAC that does not verify is an error, so certificates
    /// injected into an unencrypted part of a file are never reported as
    /// belonging to it.
    ///
    /// # Errors
    /// As for [`Pfx::open`].
    pub fn open_certificates(
        &self,
        password: &Password,
        limits: &Limits,
    ) -> Result<(MacStatus, Vec<CertEntry>), Error> {
        self.open_certificates_metered(password, limits, &mut 0)
    }

    /// [`Pfx::open_certificates`], adding the work it did (counted as
    /// [`Limits::max_work`] counts it) to `spent` whether it succeeds or
    /// not, so that a caller can share one budget among many files.
    ///
    /// # Errors
    /// As for [`Pfx::open`].
    pub fn open_certificates_metered(
        &self,
        password: &Password,
        limits: &Limits,
        spent: &mut u64,
    ) -> Result<(MacStatus, Vec<CertEntry>), Error> {
        let mut budget = WorkBudget::new(limits);
        let result = self.certificates_within(password, limits, &mut budget);
        *spent = spent.saturating_add(budget.spent);
        result
    }

    fn certificates_within(
        &self,
        password: &Password,
        limits: &Limits,
        budget: &mut WorkBudget,
    ) -> Result<(MacStatus, Vec<CertEntry>), Error> {
        self.prefetch(password, limits, budget, false);
        let mac = self.check_mac(password, limits, budget)?;
        let mut bag_budget = BagBudget {
            count: self.bags_parsed,
        };
        let mut out = Vec::new();
        let mut index = 0usize;
        fn collect(bags: &[SafeBag], out: &mut Vec<CertEntry>, index: &mut usize) {
            for bag in bags {
                if let Some(der) = bag.certificate_der() {
                    out.push(CertEntry {
                        bag: *index,
                        attributes: bag.attributes.clone(),
                        certificate: Certificate::from_der(der),
                    });
                }
                *index += 1;
                collect(bag.nested(), out, index);
            }
        }
        for (i, content) in self.contents.iter().enumerate() {
            match content {
                Content::Data { bags } => collect(bags, &mut out, &mut index),
                Content::Encrypted {
                    scheme, ciphertext, ..
                } => {
                    let (_, bags) = decrypt_content(
                        i,
                        scheme,
                        ciphertext,
                        password,
                        limits,
                        budget,
                        &mut bag_budget,
                    )?;
                    collect(&bags, &mut out, &mut index);
                }
                Content::Enveloped | Content::Other { .. } => {}
            }
        }
        Ok((mac, out))
    }

    #[allow(clippy::too_many_arguments)]
    fn take_bags(
        &self,
        bags: &[SafeBag],
        content_index: usize,
        content_encryption: Option<&EncryptionScheme>,
        nested: bool,
        password: &Password,
        limits: &Limits,
        budget: &mut WorkBudget,
        opened: &mut Opened,
    ) -> Result<(), Error> {
        for bag in bags {
            let index = opened.bags.len();
            opened.bags.push(BagReport {
                index,
                kind: bag.kind.clone(),
                content_index,
                content_encryption: content_encryption.cloned(),
                bag_encryption: bag.encryption().cloned(),
                nested,
                attributes: bag.attributes.clone(),
            });
            match &bag.value {
                BagValue::Key(der) => opened.keys.push(KeyEntry {
                    bag: index,
                    attributes: bag.attributes.clone(),
                    key: load_key(der, limits),
                }),
                BagValue::ShroudedKey { scheme, ciphertext } => {
                    let scheme = scheme.as_ref().map_err(|UnsupportedScheme(detail)| {
                        Error::Unsupported {
                            what: "EncryptedPrivateKeyInfo.encryptionAlgorithm",
                            detail: detail.clone(),
                        }
                    })?;
                    let what = || format!("the private key in bag {index}");
                    let plain = budget
                        .decrypt(scheme, password, ciphertext, plausible_der_sequence, what)?
                        .ok_or_else(|| budget.failure(password, what))?;
                    opened.keys.push(KeyEntry {
                        bag: index,
                        attributes: bag.attributes.clone(),
                        key: load_key(&plain, limits),
                    });
                }
                BagValue::X509(der) => opened.certificates.push(CertEntry {
                    bag: index,
                    attributes: bag.attributes.clone(),
                    certificate: Certificate::from_der(der),
                }),
                BagValue::Nested(inner) => {
                    self.take_bags(
                        inner,
                        content_index,
                        content_encryption,
                        true,
                        password,
                        limits,
                        budget,
                        opened,
                    )?;
                }
                BagValue::OtherCertificate | BagValue::Opaque => {}
            }
        }
        Ok(())
    }

    /// Derives on all cores what opening will need: the MAC verdict, every
    /// encrypted content, and (with `keys`) every shrouded key outside
    /// encrypted contents. All of it is charged first; nothing decrypted is
    /// looked at before the MAC is checked. Does nothing when there is only
    /// one derivation or the budget cannot pay for all of them: the walk
    /// that follows then derives one at a time and stops where the budget
    /// runs out, as it always did.
    fn prefetch(&self, password: &Password, limits: &Limits, budget: &mut WorkBudget, keys: bool) {
        // A MAC pfxgen cannot check refuses the open: decrypt nothing.
        if self.mac.as_ref().is_some_and(|m| m.unsupported().is_some()) {
            return;
        }
        let mut jobs: Vec<(u64, Job<'_>)> = Vec::new();
        if let Some(mac) = &self.mac {
            jobs.push((mac.work(password, self.auth_safe.len()), Job::Mac(mac)));
        }
        for content in &self.contents {
            match content {
                Content::Encrypted {
                    scheme: Ok(scheme),
                    ciphertext,
                    ..
                } => jobs.push((scheme.work(password), Job::Contents(scheme, ciphertext))),
                Content::Data { bags } if keys => shrouded_keys(bags, password, &mut jobs),
                _ => {}
            }
        }
        // Empty ciphertexts share one dangling address; they fail anyway.
        jobs.retain(
            |(_, job)| !matches!(job, Job::Contents(_, c) | Job::Key(_, c) if c.is_empty()),
        );
        let total = jobs
            .iter()
            .fold(0u64, |sum, (work, _)| sum.saturating_add(*work));
        if jobs.len() < 2 || budget.charge(total).is_err() {
            return;
        }
        jobs.sort_by_key(|(work, _)| Reverse(*work));
        let auth_safe = self.auth_safe.as_slice();
        let done = parallel::map(&jobs, |(_, job)| match job {
            Job::Mac(mac) => Done::Mac(mac.verify(password, auth_safe)),
            Job::Contents(scheme, ciphertext) => {
                let plausible = |p: &[u8]| plausible_safe_contents(p, limits);
                Done::plain(ciphertext, scheme.decrypt(password, ciphertext, plausible))
            }
            Job::Key(scheme, ciphertext) => Done::plain(
                ciphertext,
                scheme.decrypt(password, ciphertext, plausible_der_sequence),
            ),
        });
        for done in done {
            match done {
                Done::Mac(verdict) => budget.ready.mac = Some(verdict),
                Done::Plain(at, plain) => budget.ready.plain.push((at, plain)),
            }
        }
    }

    /// Tells a wrong password from an altered file, as far as possible: if
    /// the password decrypts something, the MAC failure means alteration.
    fn diagnose_mac_failure(
        &self,
        password: &Password,
        limits: &Limits,
        budget: &mut WorkBudget,
    ) -> Error {
        if password.is_absent() {
            return Error::PasswordRequired;
        }
        // Everything encrypted: each content, and each shrouded key in plain
        // contents. If the password decrypts all of them, it is right and
        // the MAC failure means the file was altered; if only some, the file
        // has a second password (or the rest was damaged).
        let mut attempts: Vec<(&EncryptionScheme, &[u8], bool, String)> = Vec::new();
        for (i, content) in self.contents.iter().enumerate() {
            match content {
                Content::Encrypted {
                    scheme: Ok(scheme),
                    ciphertext,
                    ..
                } => {
                    let what = format!("the encrypted SafeContents (ContentInfo #{i})");
                    attempts.push((scheme, ciphertext.as_slice(), true, what));
                }
                Content::Data { bags } => {
                    for b in bags {
                        if let BagValue::ShroudedKey {
                            scheme: Ok(s),
                            ciphertext,
                        } = &b.value
                        {
                            let what = format!("the private key in ContentInfo #{i}");
                            attempts.push((s, ciphertext.as_slice(), false, what));
                        }
                    }
                }
                _ => {}
            }
        }
        if attempts.is_empty() {
            return Error::MacMismatch;
        }
        let (mut decrypts, mut fails, mut contents_decrypt) = (None, None, false);
        for (scheme, ciphertext, is_safe_contents, what) in attempts {
            let label = what.clone();
            let decrypted = if is_safe_contents {
                budget.decrypt(
                    scheme,
                    password,
                    ciphertext,
                    |p| plausible_safe_contents(p, limits),
                    || what,
                )
            } else {
                budget.decrypt(scheme, password, ciphertext, plausible_der_sequence, || {
                    what
                })
            };
            match decrypted {
                // Out of budget before a full answer: say only what is known.
                Err(_) if decrypts.is_some() => return Error::IntegrityCheckFailed,
                Err(_) => return Error::MacMismatch,
                Ok(Some(_)) => {
                    contents_decrypt |= is_safe_contents;
                    decrypts = decrypts.or(Some(label));
                }
                Ok(None) => fails = fails.or(Some(label)),
            }
        }
        // Every known producer encrypts the contents with the MAC password
        // (a second password, as keytool allows, protects only keys): a
        // password that decrypts contents is the MAC's, so a MAC failure
        // means alteration. One that decrypts only keys may be a key's own.
        match (decrypts, fails) {
            (Some(decrypts), Some(fails)) if !contents_decrypt => {
                Error::PartlyDecrypted { decrypts, fails }
            }
            (Some(_), _) => Error::IntegrityCheckFailed,
            (None, _) => Error::WrongPassword,
        }
    }
}

/// One derivation [`Pfx::prefetch`] runs.
enum Job<'a> {
    Mac(&'a MacData),
    Contents(&'a EncryptionScheme, &'a [u8]),
    Key(&'a EncryptionScheme, &'a [u8]),
}

/// What a [`Job`] gave.
enum Done {
    Mac(Option<PasswordForm>),
    Plain(usize, Option<Zeroizing<Vec<u8>>>),
}

impl Done {
    fn plain<E>(ciphertext: &[u8], result: Result<(Zeroizing<Vec<u8>>, PasswordForm), E>) -> Self {
        Self::Plain(ciphertext.as_ptr().addr(), result.ok().map(|(p, _form)| p))
    }
}

/// The shrouded keys among `bags` and the bags nested in them.
fn shrouded_keys<'a>(bags: &'a [SafeBag], password: &Password, jobs: &mut Vec<(u64, Job<'a>)>) {
    for bag in bags {
        if let BagValue::ShroudedKey {
            scheme: Ok(scheme),
            ciphertext,
        } = &bag.value
        {
            jobs.push((scheme.work(password), Job::Key(scheme, ciphertext)));
        }
        shrouded_keys(bag.nested(), password, jobs);
    }
}

/// Decrypts the encrypted SafeContents of ContentInfo `index` (after
/// charging the budget) and parses its bags.
fn decrypt_content<'s>(
    index: usize,
    scheme: &'s Result<EncryptionScheme, String>,
    ciphertext: &[u8],
    password: &Password,
    limits: &Limits,
    budget: &mut WorkBudget,
    bag_budget: &mut BagBudget,
) -> Result<(&'s EncryptionScheme, Vec<SafeBag>), Error> {
    let scheme = scheme.as_ref().map_err(|detail| Error::Unsupported {
        what: "EncryptedData.contentEncryptionAlgorithm",
        detail: detail.clone(),
    })?;
    let within = format!("the decrypted SafeContents of ContentInfo #{index}");
    let what = || format!("the encrypted SafeContents (ContentInfo #{index})");
    let plain = budget
        .decrypt(
            scheme,
            password,
            ciphertext,
            |p| plausible_safe_contents(p, limits),
            what,
        )?
        .ok_or_else(|| budget.failure(password, what))?;
    let normalised =
        ber::normalize_secret(&plain, limits.max_depth).map_err(|e| ber_error(e, &within))?;
    let mut r = Reader::top(&normalised, &within);
    let bags = parse_safe_contents(&mut r, limits, bag_budget, 0)?;
    Ok((scheme, bags))
}

fn collect_certs(bags: &[SafeBag], out: &mut Vec<Result<Certificate, pfxgen_x509::Error>>) {
    for bag in bags {
        if let Some(der) = bag.certificate_der() {
            out.push(Certificate::from_der(der));
        }
        collect_certs(bag.nested(), out);
    }
}

/// Loads a PKCS#8 key (BER tolerated).
fn load_key(der: &[u8], limits: &Limits) -> Result<PrivateKey, pfxgen_keygen::Error> {
    match ber::normalize_secret(der, limits.max_depth) {
        Ok(normalised) => PrivateKey::from_pkcs8_der(&normalised),
        Err(e) => Err(pfxgen_keygen::Error::Encoding {
            what: "PKCS#8 private key",
            detail: e.problem.to_string(),
        }),
    }
}

/// A decrypted key must at least be a SEQUENCE that normalises.
fn plausible_der_sequence(plain: &[u8]) -> bool {
    plain.first() == Some(&tag::SEQUENCE) && ber::normalize_secret(plain, 64).is_ok()
}

/// A decrypted SafeContents must be a SEQUENCE of SEQUENCEs.
fn plausible_safe_contents(plain: &[u8], limits: &Limits) -> bool {
    let Ok(normalised) = ber::normalize_secret(plain, limits.max_depth) else {
        return false;
    };
    let mut r = Reader::top(&normalised, "plaintext");
    let Ok(seq) = r.sequence("SafeContents") else {
        return false;
    };
    let mut inner = seq.reader();
    r.is_empty() && (inner.is_empty() || inner.sequence("SafeBag").is_ok())
}

/// Splits a ContentInfo into its type and optional `[0]` content.
fn content_info<'a>(ci: &Tlv<'a>, what: &'static str) -> Result<(Tlv<'a>, Option<Tlv<'a>>), Error> {
    let mut r = ci.reader();
    let content_type = r.oid(what)?;
    let content = match r.read_optional(tag::CONTEXT_0, what)? {
        Some(wrapper) => {
            let mut w = wrapper.reader();
            let inner = w.read_any(what)?;
            w.finish(what)?;
            Some(inner)
        }
        None => None,
    };
    r.finish(what)?;
    Ok((content_type, content))
}

/// Reads a version INTEGER that must be one of `accepted`; otherwise the
/// error says the version and then `expected`.
fn read_version(
    r: &mut Reader<'_>,
    what: &'static str,
    accepted: &[u64],
    expected: &str,
) -> Result<u64, Error> {
    let tlv = r.integer(what)?;
    let version = tlv.small_uint(what)?;
    if !accepted.contains(&version) {
        return Err(tlv
            .invalid(what, format!("version {version}; {expected}"))
            .into());
    }
    Ok(version)
}

/// Checks that a contentType OID is id-data.
fn expect_data(content_type: &Tlv<'_>, what: &'static str) -> Result<(), Error> {
    if content_type.value != oid::DATA.as_bytes() {
        return Err(content_type
            .invalid(
                what,
                format!("must be data, found {}", oid::describe(content_type.value)),
            )
            .into());
    }
    Ok(())
}

/// The `[0]` content that a ContentInfo of type `kind` must carry.
fn required_content<'a>(
    ci: &Tlv<'_>,
    content: Option<Tlv<'a>>,
    what: &'static str,
    kind: &str,
) -> Result<Tlv<'a>, Error> {
    content.ok_or_else(|| {
        ci.invalid(
            what,
            format!("ContentInfo of type {kind} has no [0] content"),
        )
        .into()
    })
}

/// The OCTET STRING of a data ContentInfo's content.
fn data_octets<'a>(content: &Tlv<'a>, what: &'static str) -> Result<Tlv<'a>, Error> {
    if content.tag != tag::OCTET_STRING {
        return Err(content
            .invalid(
                what,
                format!(
                    "data content must be an OCTET STRING, found tag 0x{:02X}",
                    content.tag
                ),
            )
            .into());
    }
    Ok(content.clone())
}

fn parse_content(ci: &Tlv<'_>, limits: &Limits, budget: &mut BagBudget) -> Result<Content, Error> {
    let (content_type, content) = content_info(ci, "AuthenticatedSafe ContentInfo")?;
    let ct = content_type.value;
    if ct == oid::DATA.as_bytes() {
        let content = required_content(ci, content, "AuthenticatedSafe ContentInfo", "data")?;
        let octets = data_octets(&content, "AuthenticatedSafe data content")?;
        let (der, base, within) = nested(&octets, "a SafeContents", limits)?;
        let mut r = Reader::new(&der, base, within);
        let bags = parse_safe_contents(&mut r, limits, budget, 0)?;
        Ok(Content::Data { bags })
    } else if ct == oid::ENCRYPTED_DATA.as_bytes() {
        let content = required_content(
            ci,
            content,
            "AuthenticatedSafe ContentInfo",
            "encryptedData",
        )?;
        if content.tag != tag::SEQUENCE {
            return Err(content.invalid("EncryptedData", "not a SEQUENCE").into());
        }
        let mut r = content.reader();
        read_version(
            &mut r,
            "EncryptedData.version",
            &[0, 2],
            "expected 0 (or 2)",
        )?;
        let eci = r.sequence("EncryptedData.encryptedContentInfo")?;
        let _unprotected = r.read_optional(tag::CONTEXT_1, "EncryptedData.unprotectedAttrs")?;
        r.finish("EncryptedData")?;
        let mut e = eci.reader();
        let inner_type = e.oid("EncryptedContentInfo.contentType")?;
        expect_data(&inner_type, "EncryptedContentInfo.contentType")?;
        let alg = e.sequence("EncryptedContentInfo.contentEncryptionAlgorithm")?;
        let ciphertext = match e.peek_tag() {
            Some(tag::IMPLICIT_0) => e
                .read_any("EncryptedContentInfo.encryptedContent")?
                .value
                .to_vec(),
            Some(tag::CONTEXT_0) => {
                // BER: a constructed [0] IMPLICIT OCTET STRING of pieces.
                let pieces = e.read_any("EncryptedContentInfo.encryptedContent")?;
                let mut p = pieces.reader();
                let mut out = Vec::new();
                while !p.is_empty() {
                    out.extend_from_slice(
                        p.octet_string("EncryptedContentInfo.encryptedContent piece")?
                            .value,
                    );
                }
                out
            }
            _ => {
                return Err(eci
                    .invalid(
                        "EncryptedContentInfo",
                        "EncryptedData has no encryptedContent (nothing to decrypt)",
                    )
                    .into());
            }
        };
        e.finish("EncryptedContentInfo")?;
        let scheme = EncryptionScheme::parse(&alg, limits)?.map_err(|UnsupportedScheme(d)| d);
        Ok(Content::Encrypted {
            scheme,
            ciphertext,
            at: content.location(),
        })
    } else if ct == oid::ENVELOPED_DATA.as_bytes() {
        Ok(Content::Enveloped)
    } else {
        Ok(Content::Other {
            content_type: oid::describe(ct),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a wrong password's plaintext is tested against once its padding
    /// happens to be valid (about one password in 256): a key must be one
    /// well-formed SEQUENCE.
    #[test]
    fn a_decrypted_key_is_plausible_only_as_a_well_formed_sequence() {
        assert!(plausible_der_sequence(&[0x30, 0x03, 0x02, 0x01, 0x00]));
        for plain in [&[0x04, 0x00][..], &[0x30, 0x05, 0x00], &[]] {
            assert!(!plausible_der_sequence(plain), "{plain:02x?}");
        }
    }

    /// The same for an encrypted SafeContents: one SEQUENCE, empty or
    /// starting with a SafeBag (a SEQUENCE), and nothing after it.
    #[test]
    fn decrypted_safe_contents_are_plausible_only_as_one_sequence_of_bags() {
        let limits = Limits::default();
        let cases: [(&[u8], bool); 6] = [
            (&[0x30, 0x00], true),
            (&[0x30, 0x02, 0x30, 0x00], true),
            (&[0x30, 0x02, 0x04, 0x00], false),
            (&[0x04, 0x00], false),
            (&[0x30, 0x00, 0x30, 0x00], false),
            (&[0x30, 0x05, 0x00], false),
        ];
        for (plain, plausible) in cases {
            assert_eq!(
                plausible_safe_contents(plain, &limits),
                plausible,
                "{plain:02x?}"
            );
        }
    }
}
