//! `inspect`: everything about a PFX (its structure, bags, certificates,
//! keys, chain) and the consumer verdicts of `docs/consumers.md`, as a typed
//! [`InspectReport`]. A file whose contents cannot be decrypted is reported
//! from what is readable without decrypting.

use pfxgen_pkcs12::{BagReport, Content, EncryptionScheme, MacAlgorithm, MacStatus, Opened, Pfx};
use pfxgen_x509::{Certificate, Error as X509Error, ExtensionsReport, UtcTime, hex_upper};

use crate::{
    files::open::{Loaded, PasswordUse},
    policy::verdict::{self, Verdict},
    verify::{DEFAULT_MIN_DAYS, is_passwordless},
};

/// Everything `inspect` reports about a file.
#[derive(Clone, Debug)]
pub struct InspectReport {
    /// The file as named by the operator.
    pub file: String,
    /// Its size in bytes.
    pub size: usize,
    /// Whether it was BER (not DER) encoded.
    pub ber: bool,
    /// How the password was obtained.
    pub password: PasswordUse,
    /// Whether the contents were decrypted.
    pub opened: bool,
    /// The MAC, when there is one.
    pub mac: Option<MacReport>,
    /// Each ContentInfo of the AuthenticatedSafe.
    pub contents: Vec<ContentReport>,
    /// Every bag, once opened.
    pub bags: Option<Vec<BagReport>>,
    /// The certificates: all of them once opened, else the unencrypted ones.
    pub certificates: Vec<CertificateReport>,
    /// The private keys (once opened).
    pub keys: Vec<KeyReport>,
    /// The end-entity certificate's chain (once opened).
    pub chain: Option<ChainReport>,
    /// The consumer verdicts and warnings.
    pub verdicts: Verdicts,
}

/// The MAC (`MacData`, or PBMAC1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacReport {
    /// `HMAC (PKCS#12 KDF)`, `PBMAC1` or `unknown`.
    pub algorithm: &'static str,
    /// The HMAC's hash (empty when unknown).
    pub hash: String,
    /// Iteration count.
    pub iterations: u32,
    /// Salt length in bytes.
    pub salt_length: usize,
    /// The full description.
    pub description: String,
    /// When it verified: the password form that keyed it.
    pub verified: Option<&'static str>,
}

/// One ContentInfo.
#[derive(Clone, Debug)]
pub struct ContentReport {
    /// Position in the AuthenticatedSafe.
    pub index: usize,
    /// `data`, `encryptedData`, `envelopedData` or `other`.
    pub kind: &'static str,
    /// The encryption scheme, when encrypted with one pfxgen knows.
    pub encryption: Option<EncryptionScheme>,
    /// A note (bags readable, unsupported encryption, content type).
    pub note: Option<String>,
}

/// One certificate.
#[derive(Clone, Debug)]
pub struct CertificateReport {
    /// Position among the certificates.
    pub index: usize,
    /// Its bag, once opened.
    pub bag: Option<usize>,
    /// Whether it is the end-entity certificate (unknown until opened).
    pub end_entity: Option<bool>,
    /// What it says, or why it cannot be read.
    pub details: Result<CertificateDetails, String>,
}

/// What a readable certificate says.
#[derive(Clone, Debug)]
pub struct CertificateDetails {
    /// Subject, RFC 4514.
    pub subject: String,
    /// Issuer, RFC 4514.
    pub issuer: String,
    /// Serial number, upper-case hex.
    pub serial: String,
    /// X.509 version (1 to 3).
    pub version: u8,
    /// notBefore.
    pub not_before: String,
    /// notAfter.
    pub not_after: String,
    /// Whole days left (negative once expired).
    pub days_left: i64,
    /// Whether it has expired.
    pub expired: bool,
    /// The signature algorithm's name.
    pub signature_algorithm: String,
    /// The public key type, or why it is unsupported.
    pub public_key: String,
    /// SHA-1 thumbprint, upper-case hex (the `kid` of an end entity).
    pub sha1_thumbprint: String,
    /// SHA-256 fingerprint, upper-case hex.
    pub sha256_fingerprint: String,
    /// Whether subject and issuer are the same.
    pub self_signed: bool,
    /// Whether it is a CA certificate.
    pub ca: bool,
    /// Its extensions.
    pub extensions: ExtensionsReport,
}

/// One private key.
#[derive(Clone, Debug)]
pub struct KeyReport {
    /// Position among the keys.
    pub index: usize,
    /// Its bag.
    pub bag: usize,
    /// The key type, or why it cannot be used.
    pub kind: Result<String, String>,
    /// Its own (shrouded key bag) encryption.
    pub encryption: Option<EncryptionScheme>,
    /// The certificate it belongs to.
    pub matches_certificate: Option<usize>,
    /// Its localKeyId, upper-case hex.
    pub local_key_id: Option<String>,
}

/// The end-entity certificate's chain within the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainReport {
    /// Certificate indexes, end entity first.
    pub certificates: Vec<usize>,
    /// Whether every signature along it verifies.
    pub signatures_verify: bool,
    /// Whether it ends at a self-signed certificate.
    pub complete: bool,
    /// Whether an issuer cycle was found.
    pub cycle: bool,
}

/// The consumer verdicts (docs/consumers.md) and warnings.
#[derive(Clone, Debug)]
pub struct Verdicts {
    /// Can the identity server sign with it (`None` when not opened).
    pub identity_server: Option<bool>,
    /// Why not (or why it is unknown).
    pub identity_reasons: Vec<String>,
    /// The JWS `alg` it would sign with.
    pub jws_alg: Option<&'static str>,
    /// Can Windows Server 2016 / Windows 10 before 1709 import it.
    pub legacy_windows_import: Verdict,
    /// Is it inside .NET's default loader limits.
    pub dotnet_loader_limits: Verdict,
    /// The iterations of the whole file.
    pub total_iterations: u64,
    /// Weaknesses and notes.
    pub warnings: Vec<String>,
}

/// Builds the report. `unreadable` is why the contents could not be
/// decrypted (an unsupported scheme), when that is why `loaded` is not
/// opened.
#[must_use]
pub fn build(file: &str, loaded: &Loaded, unreadable: Option<&str>, now: UtcTime) -> InspectReport {
    let pfx = &loaded.pfx;
    let opened = loaded.opened.as_ref();
    let (certificates, keys, chain) = match opened {
        Some(o) => (opened_certificates(o, now), keys(o), chain(o)),
        None => (visible_certificates(pfx, now), Vec::new(), None),
    };
    InspectReport {
        file: file.to_owned(),
        size: loaded.bytes.len(),
        ber: pfx.was_ber(),
        password: loaded.password_use.clone(),
        opened: opened.is_some(),
        mac: mac(pfx, opened.map(|o| o.mac)),
        contents: contents(pfx),
        bags: opened.map(|o| o.bags.clone()),
        certificates,
        keys,
        chain,
        verdicts: verdicts(loaded, unreadable, now),
    }
}

fn mac(pfx: &Pfx, status: Option<MacStatus>) -> Option<MacReport> {
    let mac = pfx.mac()?;
    let (algorithm, hash, salt_length) = match &mac.algorithm {
        MacAlgorithm::Pkcs12Hmac { hash, salt, .. } => {
            ("HMAC (PKCS#12 KDF)", hash.name().to_owned(), salt.len())
        }
        MacAlgorithm::Pbmac1 { hmac, kdf } => ("PBMAC1", hmac.name().to_owned(), kdf.salt.len()),
        MacAlgorithm::Unsupported { digest, .. } => {
            ("unsupported", digest.clone(), mac.mac_salt_len)
        }
        _ => ("unknown", String::new(), 0),
    };
    Some(MacReport {
        algorithm,
        hash,
        iterations: mac.iterations(),
        salt_length,
        description: mac.algorithm.to_string(),
        verified: match status {
            Some(MacStatus::Verified(form)) => Some(form.describe()),
            _ => None,
        },
    })
}

fn contents(pfx: &Pfx) -> Vec<ContentReport> {
    pfx.contents()
        .iter()
        .enumerate()
        .map(|(index, c)| {
            let (kind, encryption, note) = match c {
                Content::Data { bags } => (
                    "data",
                    None,
                    Some(format!(
                        "{} bag{} readable without a password",
                        bags.len(),
                        if bags.len() == 1 { "" } else { "s" }
                    )),
                ),
                Content::Encrypted { scheme: Ok(s), .. } => {
                    ("encryptedData", Some(s.clone()), None)
                }
                Content::Encrypted { scheme: Err(d), .. } => (
                    "encryptedData",
                    None,
                    Some(format!("unsupported encryption: {d}")),
                ),
                Content::Enveloped => (
                    "envelopedData",
                    None,
                    Some("public-key encrypted: not supported".to_owned()),
                ),
                Content::Other { content_type } => ("other", None, Some(content_type.clone())),
                _ => ("other", None, None),
            };
            ContentReport {
                index,
                kind,
                encryption,
                note,
            }
        })
        .collect()
}

fn public_key_description(cert: &Certificate) -> String {
    match cert.public_key() {
        Ok(k) => k.kind().to_string(),
        Err(e) => format!("unsupported: {e}"),
    }
}

fn details(cert: &Certificate, now: UtcTime) -> CertificateDetails {
    CertificateDetails {
        subject: cert.subject(),
        issuer: cert.issuer(),
        serial: cert.serial_hex(),
        version: cert.version(),
        not_before: cert.not_before().to_string(),
        not_after: cert.not_after().to_string(),
        days_left: verdict::days_left(cert, now),
        expired: now > cert.not_after(),
        signature_algorithm: cert.signature_algorithm_name(),
        public_key: public_key_description(cert),
        sha1_thumbprint: hex_upper(&cert.sha1_thumbprint()),
        sha256_fingerprint: hex_upper(&cert.sha256_fingerprint()),
        self_signed: cert.is_self_issued(),
        ca: cert.is_ca(),
        extensions: cert.extensions().clone(),
    }
}

/// The report on the certificate at `index` (or why it cannot be read).
fn certificate_report(
    index: usize,
    bag: Option<usize>,
    end_entity: Option<bool>,
    certificate: &Result<Certificate, X509Error>,
    now: UtcTime,
) -> CertificateReport {
    CertificateReport {
        index,
        bag,
        end_entity,
        details: certificate
            .as_ref()
            .map(|cert| details(cert, now))
            .map_err(ToString::to_string),
    }
}

fn opened_certificates(o: &Opened, now: UtcTime) -> Vec<CertificateReport> {
    let end_entity = o.end_entity();
    o.certificates
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let is_end_entity = Some(end_entity == Some(index));
            certificate_report(
                index,
                Some(entry.bag),
                is_end_entity,
                &entry.certificate,
                now,
            )
        })
        .collect()
}

fn visible_certificates(pfx: &Pfx, now: UtcTime) -> Vec<CertificateReport> {
    pfx.unencrypted_certificates()
        .iter()
        .enumerate()
        .map(|(index, cert)| certificate_report(index, None, None, cert, now))
        .collect()
}

fn keys(o: &Opened) -> Vec<KeyReport> {
    let pairs = o.key_certificates();
    o.keys
        .iter()
        .enumerate()
        .map(|(index, entry)| KeyReport {
            index,
            bag: entry.bag,
            kind: match &entry.key {
                Ok(k) => Ok(k.kind().to_string()),
                Err(e) => Err(e.to_string()),
            },
            encryption: o.bags.get(entry.bag).and_then(|b| b.bag_encryption.clone()),
            matches_certificate: pairs.get(index).copied().flatten(),
            local_key_id: entry.attributes.local_key_id.as_deref().map(hex_upper),
        })
        .collect()
}

fn chain(o: &Opened) -> Option<ChainReport> {
    let chain = o.chain(o.end_entity()?);
    Some(ChainReport {
        signatures_verify: chain.signatures.iter().all(|s| *s == Some(true)),
        certificates: chain.certificates,
        complete: chain.complete,
        cycle: chain.cycle,
    })
}

fn verdicts(loaded: &Loaded, unreadable: Option<&str>, now: UtcTime) -> Verdicts {
    let pfx = &loaded.pfx;
    let opened = loaded.opened.as_ref();
    let passwordless = is_passwordless(loaded);
    let (identity_server, identity_reasons, jws_alg) = match opened {
        Some(o) => {
            let (v, alg) = verdict::identity_server(o);
            (Some(v.ok), v.reasons, alg)
        }
        None => {
            let why = match unreadable {
                Some(e) => format!("not opened: {e}"),
                None => "not opened: the password is needed".to_owned(),
            };
            (None, vec![why], None)
        }
    };
    let (dotnet_loader_limits, total_iterations) =
        verdict::dotnet_limits(pfx, opened, passwordless);
    Verdicts {
        identity_server,
        identity_reasons,
        jws_alg,
        legacy_windows_import: verdict::legacy_windows(pfx, opened),
        dotnet_loader_limits,
        total_iterations,
        warnings: warnings(loaded, passwordless, unreadable, now),
    }
}

fn warnings(
    loaded: &Loaded,
    passwordless: bool,
    unreadable: Option<&str>,
    now: UtcTime,
) -> Vec<String> {
    let opened = loaded.opened.as_ref();
    let mut warnings = verdict::weaknesses(&loaded.pfx, opened, passwordless);
    let end_entity = opened.and_then(|o| {
        o.certificates
            .get(o.end_entity()?)
            .and_then(|c| c.certificate.as_ref().ok())
    });
    if let Some(cert) = end_entity {
        if let Some(p) = verdict::validity_problem(cert, now, i64::from(DEFAULT_MIN_DAYS)) {
            warnings.push(format!("end-entity certificate {p}"));
        }
    }
    if opened.is_none() {
        warnings
            .push("not opened: encrypted contents, keys and the MAC were not checked".to_owned());
    }
    if let Some(e) = unreadable {
        warnings.push(format!("cannot decrypt: {e}"));
    }
    warnings
}
