//! `pack`: a key file, its certificate (PEM, DER or `.p7b`) and the CA
//! chain joined into a PFX, with the chain ordered by issuer and signature.
//!
//! In two steps, so that the operator sees what was found (a chain that
//! stops early, an expired certificate, files left out) before being asked
//! for the new file's password: [`plan`] reads and orders, [`apply`] writes.

use std::path::{Path, PathBuf};

use pfxgen_keygen::PrivateKey;
use pfxgen_pkcs12::{
    KeyFile, Limits, MAX_FILE_CERTIFICATES, Profile, WriteOptions, read_certificate_file, write_pfx,
};
use pfxgen_x509::{Certificate, Chain, UtcTime, hex_upper};

use crate::{
    error::{Exit, Failure, from_pkcs12},
    files::open::read_file,
    lifecycle::output::{Output, install_with_password, verify_pfx},
    secret::{Origin, PasswordSource},
};

/// The files to join and the file to write.
pub struct PackRequest<'a> {
    /// The key file (PEM or DER; PKCS#8, PKCS#1 or SEC1).
    pub key: &'a Path,
    /// The certificate file (PEM, DER or PKCS#7).
    pub cert: &'a Path,
    /// More CA certificates.
    pub chain: &'a [PathBuf],
    /// The PFX to write.
    pub out: &'a Path,
    /// Replace `out` if it exists.
    pub force: bool,
    /// An encrypted key's password.
    pub key_password: &'a dyn PasswordSource,
}

/// What was found, before anything is written.
#[derive(Debug)]
#[non_exhaustive]
pub struct PackPlan {
    output: Output,
    key: PrivateKey,
    /// The certificate the key belongs to.
    pub leaf: Certificate,
    /// The chain above it, issuer first.
    pub chain: Vec<Certificate>,
    /// Whether the chain ends in a self-signed certificate.
    pub complete: bool,
    /// What the operator should know: ignored parts of the certificate
    /// files, a chain that stops early, expired certificates, certificates
    /// left out.
    pub notes: Vec<PackNote>,
}

/// Something `pack` found worth saying.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PackNote {
    /// A part of a certificate file that is not a certificate.
    Ignored {
        /// The file.
        file: String,
        /// What was ignored.
        what: String,
    },
    /// The chain ends at `subject`, whose issuer was not given.
    Incomplete {
        /// The top of the chain.
        subject: String,
        /// Its issuer.
        issuer: String,
    },
    /// A certificate of the chain has expired.
    Expired {
        /// Its subject.
        subject: String,
        /// Its notAfter.
        not_after: String,
    },
    /// A given certificate that is not in the chain.
    LeftOut {
        /// Its subject.
        subject: String,
        /// Its SHA-1 thumbprint, upper-case hex: tells it apart from a
        /// certificate of the chain with the same subject.
        sha1: String,
    },
}

/// How to protect the new file.
pub struct PackProtection<'a> {
    /// The new file's password.
    pub password: &'a dyn PasswordSource,
    /// Where to write a generated password.
    pub generated_password_file: Option<&'a Path>,
    /// The profile.
    pub profile: Profile,
    /// KDF and MAC iterations instead of the profile's default.
    pub iterations: Option<u32>,
    /// The friendlyName attribute.
    pub friendly_name: Option<String>,
}

/// What `pack` wrote.
#[derive(Debug)]
#[non_exhaustive]
pub struct Packed {
    /// The file written.
    pub path: PathBuf,
    /// The end-entity certificate.
    pub leaf: Certificate,
    /// How many chain certificates it holds.
    pub chain_len: usize,
    /// Whether the chain ends in a self-signed certificate.
    pub complete: bool,
    /// The protection written.
    pub profile: Profile,
    /// Its iteration count.
    pub iterations: u32,
    /// The generated password file, if any.
    pub password_file: Option<PathBuf>,
}

/// Reads the key and the certificates and orders the chain.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing was written.
pub fn plan(request: &PackRequest<'_>) -> Result<PackPlan, Failure> {
    let output = Output::prepare(request.out, request.force)?;
    let limits = Limits::default();
    let mut notes = Vec::new();
    let key = load_key(request.key, request.key_password, &limits)?;
    let given = load_certs(
        std::slice::from_ref(&request.cert.to_path_buf()),
        &limits,
        &mut notes,
    )?;
    let leaf = given
        .iter()
        .find(|c| c.public_key().is_ok_and(|p| key.matches(&p)))
        .cloned()
        .ok_or_else(|| {
            Failure::new(
                Exit::Input,
                format!(
                    "the key in {} does not belong to any certificate in {}; nothing was written",
                    request.key.display(),
                    request.cert.display()
                ),
            )
        })?;
    let mut pool = given;
    for c in load_certs(request.chain, &limits, &mut notes)? {
        if !pool.contains(&c) {
            pool.push(c);
        }
    }
    let (chain, complete) = order_chain(&leaf, &pool);
    note_chain(&leaf, &chain, complete, &pool, &mut notes);
    Ok(PackPlan {
        output,
        key,
        leaf,
        chain,
        complete,
        notes,
    })
}

/// Notes on the chain: where it stops, what expired, what was left out.
fn note_chain(
    leaf: &Certificate,
    chain: &[Certificate],
    complete: bool,
    pool: &[Certificate],
    notes: &mut Vec<PackNote>,
) {
    let top = chain.last().unwrap_or(leaf);
    if !complete {
        notes.push(PackNote::Incomplete {
            subject: top.subject(),
            issuer: top.issuer(),
        });
    }
    let now = UtcTime::now();
    for c in std::iter::once(leaf).chain(chain.iter()) {
        if now.is_some_and(|n| c.not_after() < n) {
            notes.push(PackNote::Expired {
                subject: c.subject(),
                not_after: c.not_after().to_string(),
            });
        }
    }
    for c in pool {
        if c != leaf && !chain.contains(c) {
            notes.push(PackNote::LeftOut {
                subject: c.subject(),
                sha1: hex_upper(&c.sha1_thumbprint()),
            });
        }
    }
}

/// Writes the PFX the plan describes.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing is left behind.
pub fn apply(plan: PackPlan, protection: &PackProtection<'_>) -> Result<Packed, Failure> {
    let (password, origin) = protection
        .password
        .read("the new PFX", true)?
        .ok_or_else(|| Failure::new(Exit::Password, "no password given for the PFX"))?;
    let mut options = WriteOptions::for_password(protection.profile, &password);
    if let Some(n) = protection.iterations {
        options.iterations = n;
    }
    options.friendly_name.clone_from(&protection.friendly_name);
    let pfx = write_pfx(&plan.key, &plan.leaf, &plan.chain, &password, &options)
        .map_err(|e| from_pkcs12("cannot write the PFX", &e))?;
    let installed = plan.output.write(&pfx, "pfx", |b| {
        verify_pfx(b, &password, &plan.key, &plan.leaf, &plan.chain)
    })?;
    let generated = match origin {
        Origin::Generated => protection.generated_password_file.map(|p| (p, &password)),
        _ => None,
    };
    let (path, password_file) = install_with_password(installed, generated)?;
    Ok(Packed {
        path,
        chain_len: plan.chain.len(),
        leaf: plan.leaf,
        complete: plan.complete,
        profile: protection.profile,
        iterations: options.iterations,
        password_file,
    })
}

/// Reads and loads the key file.
fn load_key(path: &Path, pw: &dyn PasswordSource, limits: &Limits) -> Result<PrivateKey, Failure> {
    let shown = path.display().to_string();
    let bytes = zeroize::Zeroizing::new(read_file(path, limits)?);
    let file = KeyFile::parse(&bytes, limits).map_err(|e| from_pkcs12(&shown, &e))?;
    let password = if file.is_encrypted() {
        let (p, origin) = pw.read(&shown, false)?.ok_or_else(|| {
            Failure::new(
                Exit::Password,
                format!("{shown} is encrypted and no password was given"),
            )
            .with_hint(
                "use --key-password-file FILE or --key-password-env VAR, or run at a terminal",
            )
        })?;
        if origin == Origin::None {
            return Err(Failure::new(
                Exit::Password,
                format!("{shown} is encrypted; --key-no-password does not open it"),
            ));
        }
        Some(p)
    } else {
        None
    };
    file.load(password.as_ref(), limits)
        .map_err(|e| from_pkcs12(&shown, &e))
}

/// Reads every certificate of the files, refusing more than the limit.
fn load_certs(
    paths: &[PathBuf],
    limits: &Limits,
    notes: &mut Vec<PackNote>,
) -> Result<Vec<Certificate>, Failure> {
    let mut all = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let bytes = read_file(path, limits)?;
        let file = read_certificate_file(&bytes, limits).map_err(|e| from_pkcs12(&shown, &e))?;
        for ignored in &file.ignored {
            notes.push(PackNote::Ignored {
                file: shown.clone(),
                what: ignored.to_string(),
            });
        }
        for c in file.certificates {
            if !all.contains(&c) {
                all.push(c);
            }
        }
        if all.len() > MAX_FILE_CERTIFICATES {
            return Err(Failure::new(
                Exit::Input,
                format!("more than {MAX_FILE_CERTIFICATES} certificates given"),
            ));
        }
    }
    Ok(all)
}

/// The chain above `leaf`, issuer first, among `pool`, and whether it ends
/// in a self-signed certificate.
///
/// The path is built by [`Chain::build`], the same bounded builder `inspect`
/// and `verify` use (issuer names, then signatures; cycles end); only the
/// links whose signature verifies are kept, so a certificate that merely
/// names the right issuer is never packed as part of the chain.
#[must_use]
pub fn order_chain(leaf: &Certificate, pool: &[Certificate]) -> (Vec<Certificate>, bool) {
    let all: Vec<Option<&Certificate>> = std::iter::once(Some(leaf))
        .chain(pool.iter().map(Some))
        .collect();
    let built = Chain::build(&all, 0);
    let verified = built
        .signatures
        .iter()
        .take_while(|s| **s == Some(true))
        .count();
    let chain = built
        .certificates
        .iter()
        .skip(1)
        .take(verified)
        .filter_map(|&i| i.checked_sub(1).and_then(|k| pool.get(k)).cloned())
        .collect();
    (chain, built.complete && !built.cycle)
}

#[cfg(test)]
mod tests {
    use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
    use pfxgen_x509::testing::issued;

    use super::*;

    fn key() -> PrivateKey {
        PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap()
    }

    fn cert(subject: &str, issuer: &str, key: &PrivateKey, signer: &PrivateKey) -> Certificate {
        Certificate::from_der(&issued(subject, issuer, key, signer, true).unwrap()).unwrap()
    }

    #[test]
    fn the_chain_is_ordered_by_issuer_and_signature_and_decoys_are_left_out() {
        let (root_key, inter_key, leaf_key) = (key(), key(), key());
        let root = cert("CN=Root", "CN=Root", &root_key, &root_key);
        let inter = cert("CN=Inter", "CN=Root", &inter_key, &root_key);
        // Names the leaf's issuer but is not the key that signed the leaf.
        let decoy = cert("CN=Inter", "CN=Root", &key(), &root_key);
        let leaf = cert("CN=Leaf", "CN=Inter", &leaf_key, &inter_key);

        let pool = [root.clone(), decoy.clone(), inter.clone()];
        assert_eq!(order_chain(&leaf, &pool), (vec![inter, root.clone()], true));

        let (chain, complete) = order_chain(&leaf, &[decoy]);
        assert!(
            chain.is_empty() && !complete,
            "a decoy is not a chain: {chain:?}"
        );
        assert_eq!(order_chain(&root, &pool), (vec![], true));

        // The decoy is named by its thumbprint, which its namesake lacks.
        let (chain, complete) = order_chain(&leaf, &pool);
        let mut notes = Vec::new();
        note_chain(&leaf, &chain, complete, &pool, &mut notes);
        let sha1 = hex_upper(&pool[1].sha1_thumbprint());
        assert_eq!(
            notes,
            [PackNote::LeftOut {
                subject: "CN=Inter".to_owned(),
                sha1
            }]
        );
    }
}
