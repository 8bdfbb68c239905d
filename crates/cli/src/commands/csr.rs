//! `pfxgen csr`: a new key (encrypted PKCS#8 PEM) and a PKCS#10 request
//! signed with it, for an organisation's CA to issue the token-signing
//! certificate. The operation is `pfxgen_core::lifecycle::csr`; the report
//! is rendered by `render::csr`.

use std::{ffi::OsString, path::PathBuf};

use pfxgen_core::lifecycle::csr::{CsrRequest, make};
use pfxgen_keygen::KeyAlgorithm;
use pfxgen_x509::{DistinguishedName, ExtendedKeyUsage, RequestParams, SanEntry};

use crate::{
    args::{self, Arg, take_out, value_parsed, value_string},
    error::Failure,
    generate::{check_file_name, check_password_file_target, parse_san_list},
    password::{NewFilePassword, NewPasswordArgs},
    render,
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
    password: NewPasswordArgs,
    force: bool,
}

impl CsrArgs {
    /// The defaults: `token-signing.key`/`.csr`, RSA 2048.
    fn new() -> Self {
        Self {
            out: None,
            name: DEFAULT_NAME.to_owned(),
            algorithm: KeyAlgorithm::Rsa2048,
            subject: None,
            sans: Vec::new(),
            ekus: Vec::new(),
            password: NewPasswordArgs::default(),
            force: false,
        }
    }

    /// Handles one option; returns whether `arg` was one of csr's.
    fn take(&mut self, arg: &Arg, parser: &mut lexopt::Parser) -> Result<bool, Failure> {
        if self.password.parse(arg, parser)? || take_out(arg, parser, &mut self.out)? {
            return Ok(true);
        }
        let Arg::Long(name) = arg else {
            return Ok(false);
        };
        match name.as_str() {
            "name" => {
                self.name = value_string(parser, "--name")?.to_string();
                check_file_name(&self.name)?;
            }
            "algorithm" => self.algorithm = value_parsed(parser, "--algorithm")?,
            "subject" => {
                let text = value_string(parser, "--subject")?;
                let dn = text
                    .parse()
                    .map_err(|e| Failure::usage(format!("--subject: {e}")))?;
                self.subject = Some(dn);
            }
            "san" => {
                for entry in parse_san_list(&value_string(parser, "--san")?)? {
                    if !self.sans.contains(&entry) {
                        self.sans.push(entry);
                    }
                }
            }
            "eku" => self.take_ekus(&value_string(parser, "--eku")?)?,
            "force" => self.force = true,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn take_ekus(&mut self, text: &str) -> Result<(), Failure> {
        for item in text.split(',').filter(|s| !s.trim().is_empty()) {
            let eku = item
                .parse()
                .map_err(|e| Failure::usage(format!("--eku: {e}")))?;
            if !self.ekus.contains(&eku) {
                self.ekus.push(eku);
            }
        }
        Ok(())
    }
}

/// Runs `pfxgen csr`.
///
/// # Errors
/// A [`Failure`] with its exit status; nothing is left behind.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let Some(a) = args::parse_into(args, crate::help::CSR, CsrArgs::new(), CsrArgs::take)? else {
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
    if let Some(pw) = &a.password.generate {
        check_password_file_target(
            pw,
            &[(&key_path, "the key file"), (&csr_path, "the request")],
        )?;
    }
    let password = NewFilePassword {
        args: &a.password,
        refuse_none: Some(
            "csr writes an encrypted key and needs a password; --no-password is refused",
        ),
        missing: "no password given and no terminal to ask for one",
        missing_hint: "use --password-file FILE, --password-env VAR, --password-stdin or \
                       --generate-password FILE",
    };
    let report = make(&CsrRequest {
        key_path: &key_path,
        csr_path: &csr_path,
        force: a.force,
        algorithm: a.algorithm,
        params: RequestParams {
            subject,
            subject_alt_names: a.sans.clone(),
            extended_key_usages: a.ekus.clone(),
        },
        password: &password,
        generated_password_file: a.password.generate.as_deref(),
    })?;
    render::csr::text(&report);
    Ok(())
}
