//! `csr`: a new key (encrypted PKCS#8 PEM) and a PKCS#10 request signed
//! with it, for an organisation's CA to issue the token-signing
//! certificate. Both files are installed, or neither.

use std::path::{Path, PathBuf};

use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
use pfxgen_pkcs12::{DEFAULT_ITERATIONS, KeyFile, Limits, Password, encrypt_pkcs8, pem::to_pem};
use pfxgen_x509::RequestParams;
use zeroize::Zeroizing;

use crate::{
    error::{Exit, Failure, from_pkcs12},
    lifecycle::output::{Output, write_password_file},
    secret::{Origin, PasswordSource},
};

/// The request to make.
pub struct CsrRequest<'a> {
    /// The key file to write.
    pub key_path: &'a Path,
    /// The request file to write.
    pub csr_path: &'a Path,
    /// Replace existing files.
    pub force: bool,
    /// The key's algorithm.
    pub algorithm: KeyAlgorithm,
    /// The subject, names and usages to ask for.
    pub params: RequestParams,
    /// The key's password (a password is required).
    pub password: &'a dyn PasswordSource,
    /// Where to write a generated key password.
    pub generated_password_file: Option<&'a Path>,
}

/// What `csr` wrote.
#[derive(Debug)]
#[non_exhaustive]
pub struct CsrOutcome {
    /// The key file.
    pub key_path: PathBuf,
    /// The request file.
    pub csr_path: PathBuf,
    /// The key's kind (`RSA 2048`, ...).
    pub key_kind: String,
    /// The algorithm asked for.
    pub algorithm: KeyAlgorithm,
    /// The request's subject.
    pub subject: String,
    /// The request's signature algorithm.
    pub signature_algorithm: String,
    /// The generated password file, if any.
    pub password_file: Option<PathBuf>,
}

/// The two files' contents.
struct Made {
    key: PrivateKey,
    request: Vec<u8>,
    key_pem: Zeroizing<String>,
    csr_pem: Zeroizing<String>,
}

/// Makes the key and the request and installs both files.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing is left behind.
pub fn make(request: &CsrRequest<'_>) -> Result<CsrOutcome, Failure> {
    let key_out = Output::prepare(request.key_path, request.force)?;
    let csr_out = Output::prepare(request.csr_path, request.force)?;
    let (password, origin) = request
        .password
        .read("the new key", true)?
        .ok_or_else(|| Failure::new(Exit::Password, "no password given"))?;
    let made = make_files(request, &password)?;
    let limits = Limits::default();
    let key_file = key_out.write(made.key_pem.as_bytes(), "key", |back| {
        KeyFile::parse(back, &limits)
            .and_then(|f| f.load(Some(&password), &limits))
            .ok()
            .filter(|k| k.matches(&made.key.public_key()))
            .map(|_| ())
            .ok_or_else(|| Failure::new(Exit::Internal, "the key file just written does not load"))
    })?;
    let csr_file = csr_out.write(made.csr_pem.as_bytes(), "csr", |back| {
        let blocks = pfxgen_pkcs12::pem::pem_blocks(back, &limits)
            .map_err(|e| from_pkcs12("the request just written", &e))?;
        match blocks.first() {
            Some(b) if *b.der == made.request => Ok(()),
            _ => Err(Failure::new(
                Exit::Internal,
                "the request just written does not read back",
            )),
        }
    })?;
    let password_file = match (origin, request.generated_password_file) {
        (Origin::Generated, Some(p)) => Some(write_password_file(p, &password)?),
        _ => None,
    };
    let undo_password = || {
        if let Some(w) = &password_file {
            w.undo();
        }
    };
    let key_path = key_file.commit().inspect_err(|_| undo_password())?;
    let csr_path = csr_file.commit().inspect_err(|_| {
        // Leave nothing half done: the key without its request is useless.
        key_out.undo();
        undo_password();
    })?;
    Ok(CsrOutcome {
        key_path,
        csr_path,
        key_kind: made.key.kind().to_string(),
        algorithm: request.algorithm,
        subject: request.params.subject.to_string(),
        signature_algorithm: made.key.signature_algorithm().to_string(),
        password_file: password_file.map(|w| w.path),
    })
}

/// Generates the key, signs the request, encrypts the key.
fn make_files(request: &CsrRequest<'_>, password: &Password) -> Result<Made, Failure> {
    let key = PrivateKey::generate(request.algorithm)
        .map_err(|e| Failure::new(Exit::Internal, format!("cannot generate the key: {e}")))?;
    let signed = request
        .params
        .sign(&key)
        .map_err(|e| Failure::new(Exit::Internal, format!("cannot make the request: {e}")))?;
    let encrypted = encrypt_pkcs8(&key, password, DEFAULT_ITERATIONS)
        .map_err(|e| from_pkcs12("cannot encrypt the key", &e))?;
    let key_pem = to_pem("ENCRYPTED PRIVATE KEY", &encrypted)
        .map_err(|e| from_pkcs12("cannot encode the key", &e))?;
    let csr_pem = to_pem("CERTIFICATE REQUEST", &signed)
        .map_err(|e| from_pkcs12("cannot encode the request", &e))?;
    Ok(Made {
        key,
        request: signed,
        key_pem,
        csr_pem,
    })
}
