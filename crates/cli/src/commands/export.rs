//! `pfxgen export`: the certificate, the chain, the public key or (only
//! when asked explicitly) the private key of a PFX, as PEM or DER.

use std::{ffi::OsString, path::PathBuf};

use pfxgen_keygen::{PrivateKey, PublicKey};
use pfxgen_pkcs12::{
    DEFAULT_ITERATIONS, KeyFile, Limits, Password, encrypt_pkcs8, pem::to_pem, pkcs7_certs_only,
    read_certificate_file,
};
use pfxgen_x509::{Certificate, hex_upper};
use zeroize::Zeroizing;

use crate::{
    args::{self, Arg, value_path},
    convert::{OutPasswordArgs, Output, install_with_password, set_once},
    error::{Exit, Failure, from_pkcs12},
    generate::check_password_file_target,
    loader,
    password::{Origin, PasswordArgs},
};

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    Cert,
    Chain,
    PublicKey,
    Key,
}

#[derive(Debug, Default)]
struct ExportArgs {
    input: Option<PathBuf>,
    out: Option<PathBuf>,
    what: Vec<What>,
    der: bool,
    unencrypted: bool,
    force: bool,
    password: PasswordArgs,
    out_password: OutPasswordArgs,
}

fn parse_args(args: Vec<OsString>) -> Result<Option<ExportArgs>, Failure> {
    let mut a = ExportArgs::default();
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        if a.password.parse(&arg, &mut parser)? || a.out_password.parse(&arg, &mut parser)? {
            continue;
        }
        match &arg {
            Arg::Long(n) if n == "out" => {
                set_once(&mut a.out, value_path(&mut parser, "--out")?, "--out")?;
            }
            Arg::Short('o') => set_once(&mut a.out, value_path(&mut parser, "--out")?, "--out")?,
            Arg::Long(n) if n == "cert" => a.what.push(What::Cert),
            Arg::Long(n) if n == "chain" => a.what.push(What::Chain),
            Arg::Long(n) if n == "public-key" => a.what.push(What::PublicKey),
            Arg::Long(n) if n == "key" => a.what.push(What::Key),
            Arg::Long(n) if n == "unencrypted-key" => a.unencrypted = true,
            Arg::Long(n) if n == "der" => a.der = true,
            Arg::Long(n) if n == "force" => a.force = true,
            x if x.is_help() => {
                out!("{}\n{}", crate::help::EXPORT, crate::help::EXIT_CODES);
                return Ok(None);
            }
            Arg::Value(v) if a.input.is_none() => a.input = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Some(a))
}

/// Decides what to export from the flags.
fn choose(a: &ExportArgs) -> Result<What, Failure> {
    let mut what = a.what.clone();
    what.dedup();
    if a.unencrypted && !what.contains(&What::Key) {
        what.push(What::Key);
    }
    match what.as_slice() {
        [one] => Ok(*one),
        [] => Err(Failure::usage(
            "say what to export: --cert, --chain, --public-key, or --key",
        )),
        _ => Err(Failure::usage(
            "export one thing at a time: --cert, --chain, --public-key or --key",
        )),
    }
}

/// Runs `pfxgen export`.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing is left behind.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let Some(a) = parse_args(args)? else {
        return Ok(());
    };
    let what = choose(&a)?;
    let input = a.input.clone().ok_or_else(|| {
        Failure::usage("export needs the PFX: pfxgen export IN --cert --out FILE")
    })?;
    let out = a
        .out
        .clone()
        .ok_or_else(|| Failure::usage("export needs --out FILE"))?;
    if what != What::Key && (a.out_password.given() || a.unencrypted) {
        return Err(Failure::usage(
            "--out-password-*, --out-generate-password and --unencrypted-key apply to --key only",
        ));
    }
    if what == What::Key {
        check_key_protection(&a)?;
    }
    if let Some(pw) = &a.out_password.generate {
        check_password_file_target(
            pw,
            &[(&out, "the exported file"), (&input, "the input PFX")],
        )?;
    }
    let output = Output::prepare(&out, a.force)?;
    let limits = Limits::default();
    let loaded = loader::load(&input, &a.password, true, &limits)?;
    let shown = input.display().to_string();
    let opened = loaded
        .opened
        .as_ref()
        .ok_or_else(|| Failure::new(Exit::Password, format!("{shown} could not be opened")))?;
    let ee = opened
        .end_entity()
        .ok_or_else(|| Failure::new(Exit::Input, format!("{shown} holds no certificate")))?;
    let cert_at = |i: usize| {
        opened
            .certificates
            .get(i)
            .and_then(|c| c.certificate.as_ref().ok())
            .cloned()
    };
    let cert = cert_at(ee).ok_or_else(|| {
        Failure::new(
            Exit::Input,
            format!("{shown}: the certificate is unreadable"),
        )
    })?;
    let key = || -> Result<&PrivateKey, Failure> {
        let index = opened
            .key_certificates()
            .iter()
            .position(|c| *c == Some(ee))
            .ok_or_else(|| {
                Failure::new(
                    Exit::Input,
                    format!("{shown} holds no key for its certificate"),
                )
            })?;
        opened
            .keys
            .get(index)
            .and_then(|k| k.key.as_ref().ok())
            .ok_or_else(|| Failure::new(Exit::Input, format!("{shown}: the key is unreadable")))
    };

    let (bytes, password): (Zeroizing<Vec<u8>>, Option<(Password, Origin)>) = match what {
        What::Cert => (encode(a.der, "CERTIFICATE", cert.der())?, None),
        What::Chain => {
            let chain = opened.chain(ee);
            let certs: Vec<Certificate> = chain
                .certificates
                .iter()
                .filter_map(|&i| cert_at(i))
                .collect();
            let bytes = if a.der {
                Zeroizing::new(pkcs7_certs_only(&certs))
            } else {
                let mut text = String::new();
                for c in &certs {
                    text.push_str(&to_pem("CERTIFICATE", c.der()).map_err(internal)?);
                }
                Zeroizing::new(text.into_bytes())
            };
            (bytes, None)
        }
        What::PublicKey => {
            let public = cert.public_key().map_err(|e| {
                Failure::new(
                    Exit::Unsupported,
                    format!("{shown}: the certificate's key: {e}"),
                )
            })?;
            (encode(a.der, "PUBLIC KEY", public.to_spki_der())?, None)
        }
        What::Key => {
            let key = key()?;
            if a.unencrypted {
                let der = key.to_pkcs8_der().map_err(|e| internal(e.into()))?;
                (encode(a.der, "PRIVATE KEY", &der)?, None)
            } else {
                let (pw, origin) = a
                    .out_password
                    .read()?
                    .ok_or_else(|| Failure::usage("--key needs an output password"))?;
                let der = encrypt_pkcs8(key, &pw, DEFAULT_ITERATIONS).map_err(internal)?;
                (
                    encode(a.der, "ENCRYPTED PRIVATE KEY", &der)?,
                    Some((pw, origin)),
                )
            }
        }
    };
    let installed = output.write(&bytes, "export", |back| {
        check_export(back, what, &cert, password.as_ref().map(|(p, _)| p))
    })?;
    let generated = a
        .out_password
        .generate
        .as_deref()
        .zip(password.as_ref().map(|(p, _)| p));
    let (path, password_file) = install_with_password(installed, generated)?;
    if what == What::Key && a.unencrypted {
        eprintln!(
            "warning: {} holds the private key UNENCRYPTED (mode 0600); anyone who can read it can \
             sign tokens as the identity server. Delete it as soon as it has served its purpose.",
            path.display()
        );
    }
    let label = match what {
        What::Cert => "certificate",
        What::Chain => "certificate chain",
        What::PublicKey => "public key",
        What::Key if a.unencrypted => "private key (unencrypted PKCS#8)",
        What::Key => "private key (encrypted PKCS#8: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC)",
    };
    let format = if what == What::Chain && a.der {
        "DER PKCS#7"
    } else if a.der {
        "DER"
    } else {
        "PEM"
    };
    outln!(
        "Exported the {label} of {shown} to {} ({format})",
        path.display()
    );
    outln!("  Subject:             {}", cert.subject());
    outln!(
        "  SHA-1 thumbprint:    {}",
        hex_upper(&cert.sha1_thumbprint())
    );
    outln!(
        "  SHA-256 fingerprint: {}",
        hex_upper(&cert.sha256_fingerprint())
    );
    if let Some(p) = password_file {
        outln!(
            "  Password:            generated, written to {} (mode 0600)",
            p.display()
        );
    }
    Ok(())
}

/// `--key` needs an output password, or `--unencrypted-key`.
fn check_key_protection(a: &ExportArgs) -> Result<(), Failure> {
    if a.unencrypted && a.out_password.given() {
        return Err(Failure::usage(
            "--unencrypted-key and an output password exclude each other",
        ));
    }
    if a.out_password.none {
        return Err(Failure::usage(
            "--key with --out-no-password is refused; use --unencrypted-key to write the key \
             without encryption deliberately",
        ));
    }
    if !a.unencrypted && !a.out_password.given() {
        return Err(Failure::new(
            Exit::Password,
            "--key writes an encrypted key and needs its password",
        )
        .with_hint(
            "use --out-password-file FILE, --out-password-env VAR or --out-generate-password FILE \
             (or --unencrypted-key)",
        ));
    }
    Ok(())
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

/// Reads the written bytes back as their reader would.
fn check_export(
    back: &[u8],
    what: What,
    cert: &Certificate,
    password: Option<&Password>,
) -> Result<(), Failure> {
    let limits = Limits::default();
    let bad = || {
        Failure::new(
            Exit::Internal,
            "the file just written does not read back as what it should hold",
        )
    };
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
    if ok { Ok(()) } else { Err(bad()) }
}
