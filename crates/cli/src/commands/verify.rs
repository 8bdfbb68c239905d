//! `pfxgen verify FILE`: a pass/fail check for scripts and monitoring.
//!
//! Exit 0 only when every check passes: the password opens the file and
//! the MAC verifies; there is exactly one private key; it matches the
//! end-entity certificate; the key, curve and hash are ones the identity
//! server supports (and, for a CA-issued certificate, so is the issuer's
//! signature, verified when the issuer is in the file); the certificate is
//! valid now and for at least `--min-days` more days; the file is inside
//! .NET's default loader limits; and a token signed with the key verifies
//! with the certificate.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
};

use pfxgen_pkcs12::{Limits, MacStatus, Opened};
use pfxgen_x509::UtcTime;

use crate::{
    args::{self, Arg, parse_days, value_string},
    error::{Exit, Failure},
    json::{Json, Obj},
    jwt,
    loader::{self, Loaded, PasswordUse},
    password::PasswordArgs,
    verdict,
};

/// Default `--min-days`.
pub const DEFAULT_MIN_DAYS: u32 = 30;

/// One named check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// Stable name (used in JSON and by scripts).
    pub name: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// What was found.
    pub detail: String,
}

/// The outcome of all checks on an opened file.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Every check, in order.
    pub checks: Vec<Check>,
    /// The `kid` (SHA-1 thumbprint) of the end-entity certificate.
    pub kid: Option<String>,
    /// Its `x5t`.
    pub x5t: Option<String>,
    /// The JWS `alg`.
    pub jws_alg: Option<&'static str>,
    /// Its SHA-256 fingerprint, upper-case hex.
    pub sha256: Option<String>,
    /// Not after.
    pub not_after: Option<String>,
    /// Producer quirks read anyway (bytes after the PFX, ...): warnings
    /// that do not fail a check.
    pub warnings: Vec<String>,
}

impl Outcome {
    /// Whether all checks passed.
    #[must_use]
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }
}

fn check(checks: &mut Vec<Check>, name: &'static str, ok: bool, detail: impl Into<String>) {
    checks.push(Check {
        name,
        ok,
        detail: detail.into(),
    });
}

/// Runs every check on a loaded (opened) file.
#[must_use]
pub fn evaluate(loaded: &Loaded, min_days: u32, now: UtcTime) -> Outcome {
    let mut checks = Vec::new();
    let mut outcome = Outcome {
        checks: Vec::new(),
        kid: None,
        x5t: None,
        jws_alg: None,
        sha256: None,
        not_after: None,
        warnings: Vec::new(),
    };
    let Some(opened) = loaded.opened.as_ref() else {
        check(
            &mut checks,
            "password",
            false,
            "the file could not be opened",
        );
        outcome.checks = checks;
        return outcome;
    };
    let how = match &loaded.password_use {
        PasswordUse::EmptyWorked => "the file opens without a password",
        _ => "the password opens the file",
    };
    check(&mut checks, "password", true, how);
    let empty = loaded
        .password
        .as_ref()
        .is_some_and(|pw| loader::mac_keyed_with_empty_password(opened.mac, pw));
    match (opened.mac, loaded.pfx.mac()) {
        // It verifies, so the check passes (the identity server does the
        // same), but it proves nothing about who made the file.
        (MacStatus::Verified(_), Some(mac)) if empty => check(
            &mut checks,
            "mac",
            true,
            format!(
                "MAC verified ({}), but keyed with the empty password: anyone can recompute \
                 it, so it does not show the file is the producer's",
                mac.algorithm
            ),
        ),
        (MacStatus::Verified(_), Some(mac)) => check(
            &mut checks,
            "mac",
            true,
            format!("MAC verified ({})", mac.algorithm),
        ),
        _ => check(
            &mut checks,
            "mac",
            false,
            "the file has no MAC: its integrity cannot be checked",
        ),
    }
    let n = opened.keys.len();
    check(
        &mut checks,
        "single-key",
        n == 1,
        format!("{n} private key{}", if n == 1 { "" } else { "s" }),
    );

    let pairs = opened.key_certificates();
    let end_entity = opened.end_entity();
    let key = opened.keys.first().and_then(|k| k.key.as_ref().ok());
    let key_cert = pairs.first().copied().flatten();
    let cert = end_entity
        .and_then(|i| opened.certificates.get(i))
        .and_then(|c| c.certificate.as_ref().ok());
    // Only a loaded key proves the match: pairing by localKeyId alone (for
    // a key pfxgen cannot load) names the certificate, it proves nothing.
    let matched = key.is_some() && key_cert.is_some() && key_cert == end_entity;
    let match_detail = match (&opened.keys.first().map(|k| &k.key), key_cert, cert) {
        (Some(Err(e)), _, _) => format!("the key cannot be loaded: {e}"),
        (None, _, _) => "no key".to_owned(),
        (_, _, None) => "no certificate".to_owned(),
        (_, None, Some(_)) => "the key matches no certificate in the file".to_owned(),
        (_, Some(_), Some(c)) if matched => format!("the key belongs to {}", c.subject()),
        (_, Some(i), Some(_)) => format!("the key belongs to certificate {i}, not the end entity"),
    };
    check(
        &mut checks,
        "key-matches-certificate",
        matched,
        match_detail,
    );

    let (id_verdict, alg) = verdict::identity_server(opened);
    let alg_detail = if id_verdict.ok {
        format!(
            "{} ({})",
            key.map(|k| k.kind().to_string()).unwrap_or_default(),
            alg.unwrap_or("-")
        )
    } else {
        id_verdict.reasons.join("; ")
    };
    check(
        &mut checks,
        "algorithm-supported",
        id_verdict.ok,
        alg_detail,
    );

    // Every check is always reported, so scripts can look each one up.
    match end_entity {
        Some(ee) => issuer_check(&mut checks, opened, ee),
        None => check(
            &mut checks,
            "issuer-signature",
            false,
            "no certificate to check",
        ),
    }

    match cert {
        Some(c) => {
            let problem = verdict::validity_problem(c, now, i64::from(min_days));
            let detail = problem.clone().unwrap_or_else(|| {
                format!(
                    "valid until {} ({}, at least {} required)",
                    c.not_after(),
                    verdict::days_left_phrase(c, now),
                    verdict::day_count(u64::from(min_days))
                )
            });
            check(&mut checks, "validity", problem.is_none(), detail);
            let ids = jwt::key_ids(c);
            outcome.kid = Some(ids.kid);
            outcome.x5t = Some(ids.x5t);
            outcome.sha256 = Some(pfxgen_x509::hex_upper(&c.sha256_fingerprint()));
            outcome.not_after = Some(c.not_after().to_string());
        }
        None => check(&mut checks, "validity", false, "no certificate"),
    }

    let passwordless = matches!(loaded.password_use, PasswordUse::EmptyWorked)
        || loaded
            .password
            .as_ref()
            .is_some_and(pfxgen_pkcs12::Password::is_empty);
    let (dotnet, total) = verdict::dotnet_limits(&loaded.pfx, Some(opened), passwordless);
    let dn_detail = if dotnet.ok {
        format!("{total} iterations in total")
    } else {
        dotnet.reasons.join("; ")
    };
    check(&mut checks, "dotnet-loader-limits", dotnet.ok, dn_detail);

    match (key, cert, cert.and_then(|c| c.public_key().ok())) {
        (Some(k), Some(c), Some(public)) => match jwt::self_test(k, c, &public, now) {
            Ok(t) => {
                outcome.jws_alg = Some(t.alg);
                check(
                    &mut checks,
                    "token-self-test",
                    true,
                    format!(
                        "an {} token signed with the key verifies with the certificate",
                        t.alg
                    ),
                );
            }
            Err(e) => check(&mut checks, "token-self-test", false, e),
        },
        _ => check(
            &mut checks,
            "token-self-test",
            false,
            "no usable key and certificate to test",
        ),
    }
    outcome.checks = checks;
    outcome.warnings = verdict::producer_quirks(&loaded.pfx, Some(opened));
    outcome
}

/// For a certificate not self-issued: is the issuer in the file, does its
/// signature verify, and is the issuer's key/hash pair supported.
fn issuer_check(checks: &mut Vec<Check>, opened: &Opened, ee: usize) {
    let Some(Ok(cert)) = opened.certificates.get(ee).map(|c| c.certificate.as_ref()) else {
        check(
            checks,
            "issuer-signature",
            false,
            "the end-entity certificate cannot be read",
        );
        return;
    };
    if cert.is_self_issued() {
        // Says which: a signature that is wrong, or one pfxgen cannot check.
        let result = cert
            .public_key()
            .map_err(|e| format!("its key cannot be used to check it: {e}"))
            .and_then(|k| cert.verify_signature(&k).map_err(|e| e.to_string()));
        check(
            checks,
            "issuer-signature",
            result.is_ok(),
            match result {
                Ok(()) => "self-signed; the signature verifies".to_owned(),
                Err(e) => format!("self-issued; the signature is not verified: {e}"),
            },
        );
        return;
    }
    let chain = opened.chain(ee);
    match (chain.certificates.get(1), chain.signatures.first()) {
        (Some(&i), Some(Some(true))) => {
            let issuer = opened
                .certificates
                .get(i)
                .and_then(|c| c.certificate.as_ref().ok());
            let kind = issuer.and_then(|c| c.public_key().ok()).map(|k| k.kind());
            let problem = kind.and_then(verdict::key_problem);
            check(
                checks,
                "issuer-signature",
                problem.is_none(),
                problem.unwrap_or_else(|| {
                    format!(
                        "signed by {} ({}, {})",
                        issuer.map(|c| c.subject()).unwrap_or_default(),
                        kind.map(|k| k.to_string()).unwrap_or_default(),
                        cert.signature_algorithm_name()
                    )
                }),
            );
        }
        (Some(_), _) if cert.signature_algorithm().is_err() => check(
            checks,
            "issuer-signature",
            false,
            format!(
                "signed with {}, which pfxgen cannot verify (it checks RSA PKCS#1 v1.5, RSASSA-PSS with SHA-2 and ECDSA)",
                cert.signature_algorithm_name()
            ),
        ),
        (Some(_), _) => check(
            checks,
            "issuer-signature",
            false,
            "the issuer certificate in the file does not verify the signature",
        ),
        (None, _) => {
            let ok = cert
                .signature_algorithm()
                .is_ok_and(|a| a != pfxgen_keygen::SignatureAlgorithm::RsaPkcs1Sha1);
            check(
                checks,
                "issuer-signature",
                ok,
                if ok {
                    format!(
                        "issuer not in the file; signed with {} (a supported type)",
                        cert.signature_algorithm_name()
                    )
                } else {
                    format!(
                        "issuer not in the file; signed with {}, which is not supported",
                        cert.signature_algorithm_name()
                    )
                },
            );
        }
    }
}

/// Prints an outcome as text or JSON.
pub fn print(file: &Path, outcome: &Outcome, json: bool) {
    if json {
        let checks: Vec<Json> = outcome
            .checks
            .iter()
            .map(|c| {
                Obj::new()
                    .field("name", c.name)
                    .field("ok", c.ok)
                    .field("detail", c.detail.as_str())
                    .into()
            })
            .collect();
        let obj = Obj::new()
            .field("file", file.display().to_string())
            .field("ok", outcome.ok())
            .field("checks", Json::Array(checks))
            .field("kid", outcome.kid.clone())
            .field("x5t", outcome.x5t.clone())
            .field("jws_alg", outcome.jws_alg)
            .field("sha256_fingerprint", outcome.sha256.clone())
            .field("not_after", outcome.not_after.clone())
            .field("warnings", outcome.warnings.clone());
        outln!("{}", Json::from(obj).pretty());
        return;
    }
    outln!("{}", file.display());
    for c in &outcome.checks {
        outln!(
            "  {}  {:<24} {}",
            if c.ok { "PASS" } else { "FAIL" },
            c.name,
            c.detail
        );
    }
    for w in &outcome.warnings {
        outln!("  warning: {w}");
    }
    let failed = outcome.checks.iter().filter(|c| !c.ok).count();
    if failed == 0 {
        outln!(
            "OK: the identity server can sign with this file (kid {})",
            outcome.kid.as_deref().unwrap_or("-")
        );
    } else {
        outln!("FAILED: {failed} of {} checks", outcome.checks.len());
    }
}

/// Runs `pfxgen verify`.
///
/// # Errors
/// Exit 1 when a check fails, 3 for password problems, 4 for unreadable or
/// damaged files, 6 for unsupported PFX features.
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let mut password = PasswordArgs::default();
    let mut json = false;
    let mut limits = Limits::default();
    let mut min_days = DEFAULT_MIN_DAYS;
    let mut file: Option<PathBuf> = None;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        if password.parse(&arg, &mut parser)? {
            continue;
        }
        match &arg {
            Arg::Long(n) if n == "json" => json = true,
            Arg::Long(n) if n == "max-work" => {
                let text = value_string(&mut parser, "--max-work")?;
                limits.max_work = args::parse_work(&text, "--max-work")?;
            }
            Arg::Long(n) if n == "min-days" => {
                let text = value_string(&mut parser, "--min-days")?;
                min_days = if text.trim() == "0" {
                    0
                } else {
                    parse_days(&text, "--min-days", 36_500).map_err(|_| {
                        Failure::usage(format!(
                            "--min-days must be a whole number of days from 0 to 36500, not {:?}",
                            text.trim()
                        ))
                    })?
                };
            }
            a if a.is_help() => {
                out!("{}\n{}", crate::help::VERIFY, crate::help::EXIT_CODES);
                return Ok(());
            }
            Arg::Value(v) if file.is_none() => file = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected()),
        }
    }
    let file = file.ok_or_else(|| Failure::usage("verify needs a FILE"))?;
    let loaded = loader::load(&file, &password, true, &limits)?;
    let now = UtcTime::now()
        .ok_or_else(|| Failure::new(Exit::Internal, "the system clock is unusable"))?;
    let outcome = evaluate(&loaded, min_days, now);
    print(&file, &outcome, json);
    if outcome.ok() {
        Ok(())
    } else {
        let failed: Vec<&str> = outcome
            .checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.name)
            .collect();
        Err(Failure::new(
            Exit::CheckFailed,
            format!("{} failed: {}", file.display(), failed.join(", ")),
        ))
    }
}
