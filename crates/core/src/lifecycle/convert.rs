//! `convert`: re-protect a PFX (new profile, new password, fresh salts and
//! IVs) keeping its key, the certificate that key belongs to and that
//! certificate's chain; everything else is dropped and listed.

use std::path::PathBuf;

use pfxgen_keygen::PrivateKey;
use pfxgen_pkcs12::{BagKind, Limits, Opened, Password, Profile, WriteOptions, write_pfx};
use pfxgen_x509::Certificate;

use crate::{
    error::{Exit, Failure, from_pkcs12},
    files::open,
    lifecycle::output::{
        Files, NewPassword, Output, certificate_at, install_with_password, verify_pfx,
    },
    secret::Origin,
};

/// What to convert, and how.
pub struct ConvertRequest<'a> {
    /// The PFX to read and the PFX to write (`force` replaces it even when
    /// it is the input). When `out_password` names no source, the input's
    /// password is kept.
    pub files: Files<'a>,
    /// The protection of the new file.
    pub profile: Profile,
    /// KDF and MAC iterations instead of the profile's default.
    pub iterations: Option<u32>,
}

/// What `convert` did.
#[derive(Debug)]
#[non_exhaustive]
pub struct Converted {
    /// The input, as named.
    pub input: PathBuf,
    /// The file written.
    pub path: PathBuf,
    /// The end-entity certificate kept.
    pub certificate: Certificate,
    /// How many chain certificates were kept.
    pub chain_len: usize,
    /// The protection written.
    pub profile: Profile,
    /// Its iteration count.
    pub iterations: u32,
    /// The new file's password.
    pub password: NewPassword,
    /// Everything of the input that was not kept, one line each.
    pub dropped: Vec<String>,
}

/// What `convert` keeps from an opened PFX.
struct Kept<'a> {
    key: &'a PrivateKey,
    certificate: Certificate,
    chain: Vec<Certificate>,
    friendly_name: Option<String>,
    dropped: Vec<String>,
}

/// Converts `request.input` into `request.out`.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing is left behind.
pub fn convert(request: &ConvertRequest<'_>) -> Result<Converted, Failure> {
    let files = &request.files;
    let output = Output::prepare(files.out, files.force)?;
    let limits = Limits::default();
    let loaded = open::load(files.input, files.password, true, &limits)?;
    let shown = files.input.display().to_string();
    let opened = loaded
        .opened
        .as_ref()
        .ok_or_else(|| Failure::new(Exit::Password, format!("{shown} could not be opened")))?;
    let kept = keep(opened, &shown)?;
    let kept_password = !files.out_password.given();
    let (password, origin) = if kept_password {
        let input = loaded.password.clone().unwrap_or_else(Password::empty);
        (input, Origin::None)
    } else {
        files
            .out_password
            .read("the output PFX", false)?
            .ok_or_else(|| Failure::new(Exit::Password, "no output password given"))?
    };
    let mut options = WriteOptions::for_password(request.profile, &password);
    if let Some(n) = request.iterations {
        options.iterations = n;
    }
    options.friendly_name.clone_from(&kept.friendly_name);
    let pfx = write_pfx(
        kept.key,
        &kept.certificate,
        &kept.chain,
        &password,
        &options,
    )
    .map_err(|e| from_pkcs12("cannot write the PFX", &e))?;
    let installed = output.write(&pfx, "pfx", |b| {
        verify_pfx(b, &password, kept.key, &kept.certificate, &kept.chain)
    })?;
    let generated = match origin {
        Origin::Generated => files.generated_password_file.map(|p| (p, &password)),
        _ => None,
    };
    let (path, password_file) = install_with_password(installed, generated)?;
    let new_password = match (password_file, kept_password, origin) {
        (Some(p), _, _) => NewPassword::Generated(p),
        (None, true, _) => NewPassword::Kept {
            empty: password.is_empty(),
        },
        (None, false, Origin::None) => NewPassword::None,
        (None, false, _) => NewPassword::Given,
    };
    Ok(Converted {
        input: files.input.to_path_buf(),
        path,
        certificate: kept.certificate,
        chain_len: kept.chain.len(),
        profile: request.profile,
        iterations: options.iterations,
        password: new_password,
        dropped: kept.dropped,
    })
}

/// Picks the key, its certificate and that certificate's chain; lists
/// everything else as dropped.
fn keep<'a>(opened: &'a Opened, shown: &str) -> Result<Kept<'a>, Failure> {
    let mut dropped = Vec::new();
    let (key_index, key, ee) = pick_key(opened, shown, &mut dropped)?;
    let certificate = certificate_at(opened, ee)
        .ok_or_else(|| Failure::new(Exit::Internal, "the end-entity certificate vanished"))?;
    let chain = verified_chain(opened, ee);
    drop_the_rest(opened, ee, &chain, &mut dropped);
    let friendly_name = opened
        .keys
        .get(key_index)
        .and_then(|k| k.attributes.friendly_name.clone())
        .or_else(|| {
            opened
                .certificates
                .get(ee)
                .and_then(|c| c.attributes.friendly_name.clone())
        })
        .filter(|n| !n.is_empty() && n.chars().count() <= 256 && !n.chars().any(char::is_control));
    Ok(Kept {
        key,
        certificate,
        chain,
        friendly_name,
        dropped,
    })
}

/// The first readable key that matches a certificate: its index, the key
/// and the certificate's index. Other keys are listed as dropped.
fn pick_key<'a>(
    opened: &'a Opened,
    shown: &str,
    dropped: &mut Vec<String>,
) -> Result<(usize, &'a PrivateKey, usize), Failure> {
    let pairs = opened.key_certificates();
    let mut chosen = None;
    for (i, entry) in opened.keys.iter().enumerate() {
        match (&entry.key, pairs.get(i).copied().flatten()) {
            (Ok(key), Some(cert)) if chosen.is_none() => chosen = Some((i, key, cert)),
            (Ok(_), _) => dropped.push(format!("private key in bag {}", entry.bag)),
            (Err(e), _) => dropped.push(format!("private key in bag {} ({e})", entry.bag)),
        }
    }
    chosen.ok_or_else(|| {
        let why = if opened.keys.is_empty() {
            "it holds no private key"
        } else {
            "no private key in it matches any of its certificates"
        };
        Failure::new(Exit::Input, format!("{shown}: {why}; nothing was written"))
    })
}

/// The chain above certificate `ee`, as far as each link's signature
/// verified: a certificate that merely names the issuer is not part of it.
fn verified_chain(opened: &Opened, ee: usize) -> Vec<Certificate> {
    let chain = opened.chain(ee);
    let mut kept = Vec::new();
    for (pos, &i) in chain.certificates.iter().enumerate().skip(1) {
        if chain.signatures.get(pos - 1).copied().flatten() != Some(true) {
            break;
        }
        if let Some(c) = certificate_at(opened, i) {
            kept.push(c);
        }
    }
    kept
}

/// Lists the certificates outside the chain, the other bags and the
/// skipped contents.
fn drop_the_rest(opened: &Opened, ee: usize, chain: &[Certificate], dropped: &mut Vec<String>) {
    for (i, c) in opened.certificates.iter().enumerate() {
        let kept = i == ee
            || c.certificate
                .as_ref()
                .is_ok_and(|cert| chain.contains(cert));
        if !kept {
            let name = c
                .certificate
                .as_ref()
                .map_or_else(|e| format!("unreadable ({e})"), Certificate::subject);
            dropped.push(format!(
                "certificate in bag {}: {name} (not in the chain)",
                c.bag
            ));
        }
    }
    for bag in &opened.bags {
        if !matches!(
            bag.kind,
            BagKind::Key | BagKind::ShroudedKey | BagKind::Certificate | BagKind::SafeContents
        ) {
            dropped.push(format!("{} in bag {}", bag.kind.name(), bag.index));
        }
    }
    for content in &opened.skipped_contents {
        dropped.push(format!("content {content}"));
    }
}
