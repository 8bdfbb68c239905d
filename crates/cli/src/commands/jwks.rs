//! `pfxgen jwks FILE...`: the JWK Set the identity server publishes for
//! these certificates, so integrators can pre-load the next key.
//!
//! Each key: `kty`, `use: "sig"`, `alg` (RS256 / ES256 / ES384 / ES512 from
//! the key), `kid` (SHA-1 thumbprint, upper-case hex, as IdentityServer
//! uses), `x5t` (base64url SHA-1 of the DER), `x5t#S256`, `x5c` (standard
//! base64 DER), and `n`/`e` or `crv`/`x`/`y`. With `--thumbprints` it also
//! gives the RFC 7638 JWK thumbprint of each key (as the extra member
//! `jwk_thumbprint`, which JWKS readers ignore). Only certificates are read:
//! no private key is ever decrypted or printed.

use std::{ffi::OsString, path::PathBuf};

use pfxgen_keygen::{JwkParams, KeyKind, PublicKey};
use pfxgen_pkcs12::{Limits, Password};
use pfxgen_x509::Certificate;
use sha2::{Digest as _, Sha256};

use crate::{
    args::{self, Arg},
    b64,
    error::{Exit, Failure},
    json::{Json, Obj},
    jwt,
    loader::{self, CertificateProblem},
    password::PasswordArgs,
};

/// Most certificates `jwks` takes from one certificate file (a bundle of
/// the current and next certificates, perhaps with their chains).
const MAX_BUNDLE: usize = 64;

/// The members of a JWK that RFC 7638 hashes, in order.
fn required_members(public: &PublicKey) -> Vec<(&'static str, String)> {
    match public.jwk_params() {
        JwkParams::Rsa { n, e } => vec![
            ("e", b64::url(&e)),
            ("kty", "RSA".to_owned()),
            ("n", b64::url(&n)),
        ],
        JwkParams::Ec { curve, x, y } => vec![
            ("crv", curve.name().to_owned()),
            ("kty", "EC".to_owned()),
            ("x", b64::url(&x)),
            ("y", b64::url(&y)),
        ],
        _ => Vec::new(),
    }
}

/// The RFC 7638 thumbprint: base64url(SHA-256) of the required members in
/// lexicographic order, as compact JSON.
#[must_use]
pub fn rfc7638_thumbprint(members: &[(&str, String)]) -> String {
    let json: String = members
        .iter()
        .map(|(k, v)| format!("{}:{}", crate::jsonc::quote(k), crate::jsonc::quote(v)))
        .collect::<Vec<_>>()
        .join(",");
    b64::url(&Sha256::digest(format!("{{{json}}}").as_bytes()))
}

/// The JWK of a certificate.
///
/// # Errors
/// A description when the key type is not one the identity server uses.
pub fn jwk(cert: &Certificate, with_thumbprint: bool) -> Result<Json, String> {
    let public = cert.public_key().map_err(|e| e.to_string())?;
    let kind = public.kind();
    if let KeyKind::Rsa { bits } = kind {
        if bits < 2048 {
            return Err(format!(
                "RSA {bits} keys are refused for signing by the identity server"
            ));
        }
    }
    let ids = jwt::key_ids(cert);
    let members = required_members(&public);
    let mut obj = Obj::new()
        .field("kty", kind.jwk_kty())
        .field("use", "sig")
        .field("alg", kind.jws_algorithm().name())
        .field("kid", ids.kid.as_str())
        .field("x5t", ids.x5t.as_str())
        .field("x5t#S256", ids.x5t_s256.as_str())
        .field("x5c", vec![b64::standard(cert.der())]);
    for (k, v) in &members {
        if *k != "kty" {
            obj.push(k, v.as_str());
        }
    }
    if with_thumbprint {
        obj.push("jwk_thumbprint", rfc7638_thumbprint(&members));
    }
    Ok(obj.into())
}

/// Runs `pfxgen jwks`.
///
/// # Errors
/// Exit 3 when a file's certificates cannot be decrypted, 4 when a file is
/// unreadable, 6 for key types the identity server does not use.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let mut password = PasswordArgs::default();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut thumbprints = false;
    let mut limits = Limits::default();
    let mut max_run_work = args::DEFAULT_MAX_RUN_WORK;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        if password.parse(&arg, &mut parser)? {
            continue;
        }
        match &arg {
            Arg::Long(n) if n == "thumbprints" => thumbprints = true,
            Arg::Long(n) if n == "max-work" => {
                let text = args::value_string(&mut parser, "--max-work")?;
                limits.max_work = args::parse_work(&text, "--max-work")?;
            }
            Arg::Long(n) if n == "max-run-work" => {
                let text = args::value_string(&mut parser, "--max-run-work")?;
                max_run_work = args::parse_work(&text, "--max-run-work")?;
            }
            a if a.is_help() => {
                out!("{}\n{}", crate::help::JWKS, crate::help::EXIT_CODES);
                return Ok(());
            }
            Arg::Value(v) => files.push(PathBuf::from(v)),
            _ => return Err(arg.unexpected()),
        }
    }
    if files.is_empty() {
        return Err(Failure::usage("jwks needs at least one FILE"));
    }
    let mut run_spent = 0u64;
    let mut passwords = Vec::new();
    if password.given() {
        if let Some((pw, _)) = password.read("the certificate files", false)? {
            passwords.push(pw);
        }
    } else {
        passwords.push(Password::empty());
    }
    let mut keys = Vec::new();
    let mut published: Vec<String> = Vec::new();
    for file in &files {
        let display = file.display().to_string();
        let bytes = loader::read_file(file, &limits)?;
        // This file may cost --max-work, and no more than the run has left.
        let file_limits = Limits {
            max_work: limits.max_work.min(max_run_work.saturating_sub(run_spent)),
            ..limits.clone()
        };
        let mut budget = loader::CertificateRead {
            limits: &file_limits,
            max_certificates: MAX_BUNDLE,
            spent: 0,
        };
        let result = loader::read_certificates(bytes, &passwords, password.given(), &mut budget);
        run_spent = run_spent.saturating_add(budget.spent);
        let read = result.map_err(|p| match p {
            CertificateProblem::Password(m) => {
                Failure::new(Exit::Password, format!("{display}: {m}")).with_hint(
                    "give the password with --password-file, --password-env or --password-stdin",
                )
            }
            CertificateProblem::Work(m) => Failure::new(Exit::Input, format!("{display}: {m}"))
                .with_hint(format!(
                    "--max-work raises the budget of one file, --max-run-work that of the run \
                     ({run_spent} of {max_run_work} spent)"
                )),
            CertificateProblem::TooMany { found, max } => Failure::new(
                Exit::Input,
                format!(
                    "{display} holds {found} certificates; a bundle to publish holds at most \
                     {max} (counted before any was read)"
                ),
            ),
            CertificateProblem::Input(m) => Failure::new(Exit::Input, format!("{display}: {m}")),
        })?;
        // Integrators will trust these keys: only from files whose integrity
        // was checked.
        match read.integrity {
            loader::Integrity::MacVerified | loader::Integrity::CertificateFile => {}
            loader::Integrity::EmptyPasswordMac => eprintln!(
                "warning: {display}: its MAC is keyed with the empty password, which anyone can \
                 recompute after changing the file: make sure this is the certificate you mean \
                 to publish"
            ),
            loader::Integrity::NoMac => {
                return Err(Failure::new(
                    Exit::Input,
                    format!("{display} has no MAC, so its certificates cannot be vouched for"),
                )
                .with_hint("export the certificate itself (.crt/.pem) and run jwks on that"));
            }
            loader::Integrity::NotChecked => {
                return Err(Failure::new(
                    Exit::Password,
                    format!("{display}: the password is needed to check the file's integrity before publishing its key"),
                )
                .with_hint("give the password with --password-file, --password-env or --password-stdin"));
            }
        }
        // A PFX publishes the certificate of its key. A certificate file may
        // be a bundle (the current and the next certificate): every
        // certificate in it is published except those that issued another
        // one in the file (a chain's CAs). Self-signed signing certificates
        // often say CA:TRUE (`openssl req -x509` does), so that flag alone
        // decides nothing.
        let chosen: Vec<&Certificate> = if read.integrity == loader::Integrity::CertificateFile {
            // Finding the CAs compares every pair: `read_certificates` has
            // refused a bundle of more than MAX_BUNDLE before reading any.
            let mut all = Vec::new();
            for (i, entry) in read.certificates.iter().enumerate() {
                match &entry.certificate {
                    Ok(c) => all.push(c),
                    Err(e) => {
                        return Err(Failure::new(
                            Exit::Input,
                            format!("{display}: certificate {i} cannot be read: {e}"),
                        ));
                    }
                }
            }
            // Names alone prove nothing (two pfxgen certificates share the
            // default subject): `c` issued `o` when `o` is not self-issued,
            // names `c` as issuer, and `c`'s key verifies `o`'s signature
            // (or, for an algorithm pfxgen cannot check, `o`'s authority
            // key id is `c`'s subject key id).
            let issued_another = |c: &Certificate| {
                let key = c.public_key().ok();
                let ski = c.extensions().subject_key_id.as_ref();
                all.iter().any(|o| {
                    o.der() != c.der()
                        && !o.is_self_issued()
                        && o.issuer_der() == c.subject_der()
                        && match key.as_ref().map(|k| o.verify_signature(k)) {
                            Some(Ok(())) => true,
                            _ => ski.is_some() && o.extensions().authority_key_id.as_ref() == ski,
                        }
                })
            };
            let mut chosen = Vec::new();
            for (i, c) in all.iter().enumerate() {
                if issued_another(c) {
                    eprintln!(
                        "note: {display}: certificate {i} ({}) issued another certificate in the \
                         file; as a CA it is not published",
                        c.subject()
                    );
                } else {
                    chosen.push(*c);
                }
            }
            chosen
        } else {
            read.end_entity
                .and_then(|i| read.certificates.get(i))
                .and_then(|c| c.certificate.as_ref().ok())
                .into_iter()
                .collect()
        };
        if chosen.is_empty() {
            return Err(Failure::new(
                Exit::Input,
                format!("{display}: no certificate to publish"),
            ));
        }
        for cert in chosen {
            let kid = jwt::key_ids(cert).kid;
            if published.contains(&kid) {
                eprintln!("note: {display}: kid {kid} is already in the set, not repeated");
                continue;
            }
            let key = jwk(cert, thumbprints)
                .map_err(|e| Failure::new(Exit::Unsupported, format!("{display}: {e}")))?;
            keys.push(key);
            published.push(kid);
        }
    }
    let jwks: Json = Obj::new().field("keys", Json::Array(keys)).into();
    outln!("{}", jwks.pretty());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7638 Section 3.1: the thumbprint of the example RSA key.
    #[test]
    fn rfc7638_example() {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let members = [
            ("e", "AQAB".to_owned()),
            ("kty", "RSA".to_owned()),
            ("n", n.to_owned()),
        ];
        assert_eq!(
            rfc7638_thumbprint(&members),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
