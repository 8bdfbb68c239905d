//! `export`: the certificate, the chain, the public key or (only when asked
//! explicitly) the private key of a PFX, as PEM or DER.

use std::path::PathBuf;

use pfxgen_keygen::{PrivateKey, PublicKey};
use pfxgen_pkcs12::{
    DEFAULT_ITERATIONS, KeyFile, Limits, Opened, Password, encrypt_pkcs8, pem::to_pem,
    pkcs7_certs_only, read_certificate_file,
};
use pfxgen_x509::Certificate;
use zeroize::Zeroizing;

use crate::{
    error::{Exit, Failure, from_pkcs12},
    files::open,
    lifecycle::output::{Files, Output, certificate_at, install_with_password},
    secret::Origin,
};

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum What {
    /// The end-entity certificate.
    Cert,
    /// The end-entity certificate and its chain, leaf first.
    Chain,
    /// The certificate's public key.
    PublicKey,
    /// The private key (encrypted PKCS#8 unless `unencrypted`).
    Key,
}

/// What to export, from where, to where.
pub struct ExportRequest<'a> {
    /// The PFX to read and the file to write (`out_password`: with
    /// [`What::Key`] and not `unencrypted`, the key file's password).
    pub files: Files<'a>,
    /// What to write.
    pub what: What,
    /// DER instead of PEM (a PKCS#7 for the chain).
    pub der: bool,
    /// With [`What::Key`]: plain PKCS#8, no password.
    pub unencrypted: bool,
}

/// What `export` wrote.
#[derive(Debug)]
#[non_exhaustive]
pub struct Exported {
    /// The input, as named.
    pub input: PathBuf,
    /// The file written.
    pub path: PathBuf,
    /// What it holds.
    pub what: What,
    /// Whether it is DER.
    pub der: bool,
    /// Whether it is an unencrypted private key.
    pub unencrypted: bool,
    /// The end-entity certificate.
    pub certificate: Certificate,
    /// The generated password file, if any.
    pub password_file: Option<PathBuf>,
}

/// An opened PFX and its end-entity certificate (with its index).
struct Source<'a> {
    opened: &'a Opened,
    ee: usize,
    cert: Certificate,
    shown: &'a str,
}

/// Exports from `request.files.input` into `request.files.out`.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing is left behind.
pub fn export(request: &ExportRequest<'_>) -> Result<Exported, Failure> {
    let output = Output::prepare(request.files.out, request.files.force)?;
    let limits = Limits::default();
    let loaded = open::load(request.files.input, request.files.password, true, &limits)?;
    let shown = request.files.input.display().to_string();
    let opened = loaded
        .opened
        .as_ref()
        .ok_or_else(|| Failure::new(Exit::Password, format!("{shown} could not be opened")))?;
    let ee = opened
        .end_entity()
        .ok_or_else(|| Failure::new(Exit::Input, format!("{shown} holds no certificate")))?;
    let cert = certificate_at(opened, ee).ok_or_else(|| {
        Failure::new(
            Exit::Input,
            format!("{shown}: the certificate is unreadable"),
        )
    })?;
    let source = Source {
        opened,
        ee,
        cert,
        shown: &shown,
    };
    let (bytes, password) = encode_export(request, &source)?;
    let installed = output.write(&bytes, "export", |back| {
        check_export(
            back,
            request.what,
            &source.cert,
            password.as_ref().map(|(p, _)| p),
        )
    })?;
    let generated = match &password {
        Some((p, Origin::Generated)) => request.files.generated_password_file.map(|f| (f, p)),
        _ => None,
    };
    let (path, password_file) = install_with_password(installed, generated)?;
    Ok(Exported {
        input: request.files.input.to_path_buf(),
        path,
        what: request.what,
        der: request.der,
        unencrypted: request.what == What::Key && request.unencrypted,
        certificate: source.cert,
        password_file,
    })
}

/// The bytes to write, and the key's password when one protects them.
type Encoded = (Zeroizing<Vec<u8>>, Option<(Password, Origin)>);

/// Encodes what the request asks for.
fn encode_export(request: &ExportRequest<'_>, source: &Source<'_>) -> Result<Encoded, Failure> {
    let der = request.der;
    Ok(match request.what {
        What::Cert => (encode(der, "CERTIFICATE", source.cert.der())?, None),
        What::Chain => {
            let chain = source.opened.chain(source.ee);
            let certs: Vec<Certificate> = chain
                .certificates
                .iter()
                .filter_map(|&i| certificate_at(source.opened, i))
                .collect();
            (encode_chain(der, &certs)?, None)
        }
        What::PublicKey => {
            let public = source.cert.public_key().map_err(|e| {
                Failure::new(
                    Exit::Unsupported,
                    format!("{}: the certificate's key: {e}", source.shown),
                )
            })?;
            (encode(der, "PUBLIC KEY", public.to_spki_der())?, None)
        }
        What::Key => {
            let key = key_of(source)?;
            if request.unencrypted {
                let plain = key.to_pkcs8_der().map_err(|e| internal(e.into()))?;
                (encode(der, "PRIVATE KEY", &plain)?, None)
            } else {
                let (pw, origin) = request
                    .files
                    .out_password
                    .read("the exported key", false)?
                    .ok_or_else(|| Failure::usage("--key needs an output password"))?;
                let encrypted = encrypt_pkcs8(key, &pw, DEFAULT_ITERATIONS).map_err(internal)?;
                (
                    encode(der, "ENCRYPTED PRIVATE KEY", &encrypted)?,
                    Some((pw, origin)),
                )
            }
        }
    })
}

/// The key that belongs to the end-entity certificate.
fn key_of<'a>(source: &Source<'a>) -> Result<&'a PrivateKey, Failure> {
    let shown = source.shown;
    let index = source
        .opened
        .key_certificates()
        .iter()
        .position(|c| *c == Some(source.ee))
        .ok_or_else(|| {
            Failure::new(
                Exit::Input,
                format!("{shown} holds no key for its certificate"),
            )
        })?;
    source
        .opened
        .keys
        .get(index)
        .and_then(|k| k.key.as_ref().ok())
        .ok_or_else(|| Failure::new(Exit::Input, format!("{shown}: the key is unreadable")))
}

fn internal(e: pfxgen_pkcs12::Error) -> Failure {
    from_pkcs12("cannot encode the output", &e)
}

fn encode(der: bool, label: &str, bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>, Failure> {
    if der {
        Ok(Zeroizing::new(bytes.to_vec()))
    } else {
        let pem = to_pem(label, bytes).map_err(internal)?;
        Ok(Zeroizing::new(pem.as_bytes().to_vec()))
    }
}

fn encode_chain(der: bool, certs: &[Certificate]) -> Result<Zeroizing<Vec<u8>>, Failure> {
    if der {
        return Ok(Zeroizing::new(pkcs7_certs_only(certs)));
    }
    let mut text = String::new();
    for c in certs {
        text.push_str(&to_pem("CERTIFICATE", c.der()).map_err(internal)?);
    }
    Ok(Zeroizing::new(text.into_bytes()))
}

/// Reads the written bytes back as their reader would.
fn check_export(
    back: &[u8],
    what: What,
    cert: &Certificate,
    password: Option<&Password>,
) -> Result<(), Failure> {
    let limits = Limits::default();
    let ok = match what {
        What::Cert | What::Chain => {
            read_certificate_file(back, &limits).is_ok_and(|f| f.certificates.first() == Some(cert))
        }
        What::PublicKey => {
            let der = if back.first() == Some(&0x30) {
                Some(back.to_vec())
            } else {
                pfxgen_pkcs12::pem::pem_blocks(back, &limits)
                    .ok()
                    .and_then(|mut b| b.pop())
                    .map(|b| b.der.to_vec())
            };
            der.and_then(|d| PublicKey::from_spki_der(&d).ok())
                .is_some_and(|p| p.to_spki_der() == cert.spki_der().as_slice())
        }
        What::Key => KeyFile::parse(back, &limits)
            .and_then(|f| f.load(password, &limits))
            .is_ok_and(|k| cert.public_key().is_ok_and(|p| k.matches(&p))),
    };
    ok.then_some(()).ok_or_else(|| {
        Failure::new(
            Exit::Internal,
            "the file just written does not read back as what it should hold",
        )
    })
}
