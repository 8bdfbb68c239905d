//! `pfxgen csr`: a new key (encrypted PKCS#8 PEM) and a PKCS#10 request
//! signed with it, for an organisation's CA to issue the token-signing
//! certificate.

use std::{ffi::OsString, path::PathBuf};

use pfxgen_keygen::{KeyAlgorithm, PrivateKey};
use pfxgen_pkcs12::{DEFAULT_ITERATIONS, KeyFile, Limits, encrypt_pkcs8, pem::to_pem};
use pfxgen_x509::{DistinguishedName, ExtendedKeyUsage, RequestParams, SanEntry};

use crate::{
    args::{self, Arg, value_parsed, value_path, value_string},
    convert::{Output, set_once, write_password_file},
    error::{Exit, Failure, from_pkcs12},
    generate::{check_file_name, check_password_file_target, parse_san_list},
    password::{Origin, PasswordArgs, enforce_policy},
    policy,
};

/// Default base name of the two files.
pub const DEFAULT_NAME: &str = "token-signing";

#[derive(Debug)]
struct CsrArgs {
    out: Option<PathBuf>,
    name: String,
    algorithm: KeyAlgorithm,
    subject: Option<DistinguishedName>,
    sans: Vec<SanEntry>,
    ekus: Vec<ExtendedKeyUsage>,
    password: PasswordArgs,
    generate_password: Option<PathBuf>,
    allow_weak: bool,
    force: bool,
}

fn parse_args(args: Vec<OsString>) -> Result<Option<CsrArgs>, Failure> {
    let mut a = CsrArgs {
        out: None,
        name: DEFAULT_NAME.to_owned(),
        algorithm: KeyAlgorithm::Rsa2048,
        subject: None,
        sans: Vec::new(),
        ekus: Vec::new(),
        password: PasswordArgs::default(),
        generate_password: None,
        allow_weak: false,
        force: false,
    };
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        if a.password.parse(&arg, &mut parser)? {
            continue;
        }
        match &arg {
            Arg::Long(n) if n == "out" => {
                set_once(&mut a.out, value_path(&mut parser, "--out")?, "--out")?;
            }
            Arg::Short('o') => set_once(&mut a.out, value_path(&mut parser, "--out")?, "--out")?,
            Arg::Long(n) if n == "name" => {
                a.name = value_string(&mut parser, "--name")?.to_string();
                check_file_name(&a.name)?;
            }
            Arg::Long(n) if n == "algorithm" => {
                a.algorithm = value_parsed(&mut parser, "--algorithm")?;
            }
            Arg::Long(n) if n == "subject" => {
                let text = value_string(&mut parser, "--subject")?;
                a.subject = Some(
                    text.parse()
                        .map_err(|e| Failure::usage(format!("--subject: {e}")))?,
                );
            }
            Arg::Long(n) if n == "san" => {
                let text = value_string(&mut parser, "--san")?;
                for entry in parse_san_list(&text)? {
                    if !a.sans.contains(&entry) {
                        a.sans.push(entry);
                    }
                }
            }
            Arg::Long(n) if n == "eku" => {
                let text = value_string(&mut parser, "--eku")?;
                for item in text.split(',').filter(|s| !s.trim().is_empty()) {
                    let eku = item
                        .parse()
                        .map_err(|e| Failure::usage(format!("--eku: {e}")))?;
                    if !a.ekus.contains(&eku) {
                        a.ekus.push(eku);
                    }
                }
            }
            Arg::Long(n) if n == "generate-password" => {
                a.generate_password = Some(value_path(&mut parser, "--generate-password")?);
            }
            Arg::Long(n) if n == "allow-weak-password" => a.allow_weak = true,
            Arg::Long(n) if n == "force" => a.force = true,
            x if x.is_help() => {
                out!("{}\n{}", crate::help::CSR, crate::help::EXIT_CODES);
                return Ok(None);
            }
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Some(a))
}

/// The key's password: generated, or from its source (a password is
/// required: the key file travels on its own).
fn key_password(a: &CsrArgs) -> Result<(pfxgen_pkcs12::Password, Origin), Failure> {
    if a.password.none {
        return Err(Failure::new(
            Exit::Password,
            "csr writes an encrypted key and needs a password; --no-password is refused",
        ));
    }
    if a.generate_password.is_some() {
        if a.password.given() {
            return Err(Failure::usage(
                "--generate-password cannot be combined with another password source",
            ));
        }
        let pw = policy::generate().map_err(|e| {
            Failure::new(Exit::Internal, format!("cannot generate a password: {e}"))
        })?;
        return Ok((pfxgen_pkcs12::Password::new(pw), Origin::Generated));
    }
    let (password, origin) = a.password.read("the new key", true)?.ok_or_else(|| {
        Failure::new(Exit::Password, "no password given and no terminal to ask for one").with_hint(
            "use --password-file FILE, --password-env VAR, --password-stdin or --generate-password FILE",
        )
    })?;
    enforce_policy(&password, &origin, a.allow_weak)?;
    Ok((password, origin))
}

/// Runs `pfxgen csr`.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing is left behind.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let Some(a) = parse_args(args)? else {
        return Ok(());
    };
    let dir = a
        .out
        .clone()
        .ok_or_else(|| Failure::usage("csr needs --out DIR"))?;
    let subject = a.subject.clone().ok_or_else(|| {
        Failure::usage(
            "csr needs --subject DN (for example --subject \"CN=id.example.com,O=Example\")",
        )
    })?;
    let key_path = dir.join(format!("{}.key", a.name));
    let csr_path = dir.join(format!("{}.csr", a.name));
    if let Some(pw) = &a.generate_password {
        check_password_file_target(
            pw,
            &[(&key_path, "the key file"), (&csr_path, "the request")],
        )?;
    }
    let key_out = Output::prepare(&key_path, a.force)?;
    let csr_out = Output::prepare(&csr_path, a.force)?;
    let (password, _origin) = key_password(&a)?;

    let key = PrivateKey::generate(a.algorithm)
        .map_err(|e| Failure::new(Exit::Internal, format!("cannot generate the key: {e}")))?;
    let params = RequestParams {
        subject,
        subject_alt_names: a.sans.clone(),
        extended_key_usages: a.ekus.clone(),
    };
    let request = params
        .sign(&key)
        .map_err(|e| Failure::new(Exit::Internal, format!("cannot make the request: {e}")))?;
    let encrypted = encrypt_pkcs8(&key, &password, DEFAULT_ITERATIONS)
        .map_err(|e| from_pkcs12("cannot encrypt the key", &e))?;
    let key_pem = to_pem("ENCRYPTED PRIVATE KEY", &encrypted)
        .map_err(|e| from_pkcs12("cannot encode the key", &e))?;
    let csr_pem = to_pem("CERTIFICATE REQUEST", &request)
        .map_err(|e| from_pkcs12("cannot encode the request", &e))?;

    let limits = Limits::default();
    let key_file = key_out.write(key_pem.as_bytes(), "key", |back| {
        KeyFile::parse(back, &limits)
            .and_then(|f| f.load(Some(&password), &limits))
            .ok()
            .filter(|k| k.matches(&key.public_key()))
            .map(|_| ())
            .ok_or_else(|| Failure::new(Exit::Internal, "the key file just written does not load"))
    })?;
    let csr_file = csr_out.write(csr_pem.as_bytes(), "csr", |back| {
        let blocks = pfxgen_pkcs12::pem::pem_blocks(back, &limits)
            .map_err(|e| from_pkcs12("the request just written", &e))?;
        match blocks.first() {
            Some(b) if *b.der == request => Ok(()),
            _ => Err(Failure::new(
                Exit::Internal,
                "the request just written does not read back",
            )),
        }
    })?;

    let password_file = match &a.generate_password {
        Some(p) => Some(write_password_file(p, &password)?),
        None => None,
    };
    let undo_password = |pf: &Option<(PathBuf, crate::safefs::Dir, OsString)>| {
        if let Some((_, d, n)) = pf {
            let _ = d.remove_file(n);
        }
    };
    let key_installed = key_file
        .commit()
        .inspect_err(|_| undo_password(&password_file))?;
    let csr_installed = match csr_file.commit() {
        Ok(p) => p,
        Err(f) => {
            // Leave nothing half done: the key without its request is useless.
            let (kd, kn) = (key_out_dir(&key_path), key_path.file_name());
            if let (Ok((d, _)), Some(n)) = (kd, kn) {
                let _ = d.remove_file(n);
            }
            undo_password(&password_file);
            return Err(f);
        }
    };
    outln!("Created {}", key_installed.display());
    outln!(
        "  Private key:  {} ({}), encrypted PKCS#8 (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC)",
        key.kind(),
        a.algorithm
    );
    outln!("Created {}", csr_installed.display());
    outln!("  Subject:      {}", params.subject);
    outln!("  Signature:    {}", key.signature_algorithm());
    if let Some((p, _, _)) = &password_file {
        outln!(
            "  Password:     generated, written to {} (mode 0600)",
            p.display()
        );
    }
    outln!(
        "Next: have your CA sign {}, then `pfxgen pack --key {} --cert ISSUED --out OUT.pfx`",
        csr_installed.display(),
        key_installed.display()
    );
    Ok(())
}

fn key_out_dir(path: &std::path::Path) -> Result<(crate::safefs::Dir, OsString), Failure> {
    crate::fsutil::open_parent(path, false)
}
