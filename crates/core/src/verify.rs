//! `verify`: the nine checks that decide whether the identity server can
//! sign with a PFX, as a typed [`VerifyReport`].
//!
//! Every check passes only when: the password opens the file and the MAC
//! verifies; there is exactly one private key; it matches the end-entity
//! certificate; the key, curve and hash are ones the identity server
//! supports (and, for a CA-issued certificate, so is the issuer's
//! signature, verified when the issuer is in the file); the certificate is
//! valid now and for at least `min_days` more days; the file is inside
//! .NET's default loader limits; and a token signed with the key verifies
//! with the certificate. The rules are those of `docs/consumers.md`.

use pfxgen_keygen::{PrivateKey, SignatureAlgorithm};
use pfxgen_pkcs12::{MacStatus, Opened, Password};
use pfxgen_x509::{Certificate, UtcTime, hex_upper};

use crate::{
    files::open::{Loaded, PasswordUse, mac_keyed_with_empty_password},
    jose::jwt,
    policy::verdict,
};

/// The default minimum number of days a certificate must stay valid.
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

impl Check {
    fn new(name: &'static str, ok: bool, detail: impl Into<String>) -> Self {
        Self {
            name,
            ok,
            detail: detail.into(),
        }
    }
}

/// The nine checks, one field each, so none can be missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checks {
    /// `password`: the password (or the empty one) opens the file.
    pub password: Check,
    /// `mac`: the MAC is present and verifies.
    pub mac: Check,
    /// `single-key`: exactly one private key.
    pub single_key: Check,
    /// `key-matches-certificate`: the key belongs to the end-entity
    /// certificate.
    pub key_matches_certificate: Check,
    /// `algorithm-supported`: the identity server can sign with the key.
    pub algorithm_supported: Check,
    /// `issuer-signature`: the certificate's signature verifies or is of a
    /// supported type.
    pub issuer_signature: Check,
    /// `validity`: valid now and for the required days.
    pub validity: Check,
    /// `dotnet-loader-limits`: inside .NET's default loader limits.
    pub dotnet_loader_limits: Check,
    /// `token-self-test`: a token signed with the key verifies with the
    /// certificate.
    pub token_self_test: Check,
}

impl Checks {
    /// The checks in their reporting order.
    pub fn iter(&self) -> impl Iterator<Item = &Check> {
        [
            &self.password,
            &self.mac,
            &self.single_key,
            &self.key_matches_certificate,
            &self.algorithm_supported,
            &self.issuer_signature,
            &self.validity,
            &self.dotnet_loader_limits,
            &self.token_self_test,
        ]
        .into_iter()
    }

    /// How many checks there are (always nine).
    #[must_use]
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Never true: there are always nine checks.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// The outcome of `verify` on an opened file.
#[derive(Clone, Debug)]
pub struct VerifyReport {
    /// Every check.
    pub checks: Checks,
    /// The `kid` (SHA-1 thumbprint) of the end-entity certificate.
    pub kid: Option<String>,
    /// Its `x5t`.
    pub x5t: Option<String>,
    /// The JWS `alg` of the token self-test.
    pub jws_alg: Option<&'static str>,
    /// The end-entity certificate's SHA-256 fingerprint, upper-case hex.
    pub sha256: Option<String>,
    /// Its notAfter.
    pub not_after: Option<String>,
    /// Producer quirks read anyway (bytes after the PFX, ...): warnings
    /// that do not fail a check.
    pub warnings: Vec<String>,
}

impl VerifyReport {
    /// Whether all checks passed.
    #[must_use]
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    /// The checks that failed.
    pub fn failed(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.ok)
    }
}

/// What the checks look at in an opened file.
struct Subject<'a> {
    opened: &'a Opened,
    end_entity: Option<usize>,
    key: Option<&'a PrivateKey>,
    cert: Option<&'a Certificate>,
}

impl<'a> Subject<'a> {
    fn of(opened: &'a Opened) -> Self {
        let end_entity = opened.end_entity();
        Self {
            opened,
            end_entity,
            key: opened.keys.first().and_then(|k| k.key.as_ref().ok()),
            cert: end_entity
                .and_then(|i| opened.certificates.get(i))
                .and_then(|c| c.certificate.as_ref().ok()),
        }
    }
}

/// Runs every check on a loaded file (one that `load` opened).
#[must_use]
pub fn evaluate(loaded: &Loaded, min_days: u32, now: UtcTime) -> VerifyReport {
    let Some(opened) = loaded.opened.as_ref() else {
        return not_opened();
    };
    let s = Subject::of(opened);
    let passwordless = is_passwordless(loaded);
    let (token_self_test, jws_alg) = token_check(&s, now);
    let checks = Checks {
        password: password_check(loaded),
        mac: mac_check(loaded, opened),
        single_key: single_key_check(opened),
        key_matches_certificate: key_match_check(&s),
        algorithm_supported: algorithm_check(&s),
        issuer_signature: match s.end_entity {
            Some(ee) => issuer_check(opened, ee),
            None => Check::new("issuer-signature", false, "no certificate to check"),
        },
        validity: validity_check(s.cert, min_days, now),
        dotnet_loader_limits: dotnet_check(loaded, opened, passwordless),
        token_self_test,
    };
    let ids = s.cert.map(jwt::key_ids);
    VerifyReport {
        checks,
        kid: ids.as_ref().map(|i| i.kid.clone()),
        x5t: ids.map(|i| i.x5t),
        jws_alg,
        sha256: s.cert.map(|c| hex_upper(&c.sha256_fingerprint())),
        not_after: s.cert.map(|c| c.not_after().to_string()),
        warnings: verdict::producer_quirks(&loaded.pfx, Some(opened)),
    }
}

/// The report for a file that could not be opened: every check fails.
fn not_opened() -> VerifyReport {
    let skipped = |name| Check::new(name, false, "not checked: the file could not be opened");
    VerifyReport {
        checks: Checks {
            password: Check::new("password", false, "the file could not be opened"),
            mac: skipped("mac"),
            single_key: skipped("single-key"),
            key_matches_certificate: skipped("key-matches-certificate"),
            algorithm_supported: skipped("algorithm-supported"),
            issuer_signature: skipped("issuer-signature"),
            validity: skipped("validity"),
            dotnet_loader_limits: skipped("dotnet-loader-limits"),
            token_self_test: skipped("token-self-test"),
        },
        kid: None,
        x5t: None,
        jws_alg: None,
        sha256: None,
        not_after: None,
        warnings: Vec::new(),
    }
}

/// Whether the file opened without a password (or with the empty one).
#[must_use]
pub fn is_passwordless(loaded: &Loaded) -> bool {
    matches!(loaded.password_use, PasswordUse::EmptyWorked)
        || loaded.password.as_ref().is_some_and(Password::is_empty)
}

fn password_check(loaded: &Loaded) -> Check {
    let how = match &loaded.password_use {
        PasswordUse::EmptyWorked => "the file opens without a password",
        _ => "the password opens the file",
    };
    Check::new("password", true, how)
}

fn mac_check(loaded: &Loaded, opened: &Opened) -> Check {
    let empty = loaded
        .password
        .as_ref()
        .is_some_and(|pw| mac_keyed_with_empty_password(opened.mac, pw));
    match (opened.mac, loaded.pfx.mac()) {
        // It verifies, so the check passes (the identity server does the
        // same), but it proves nothing about who made the file.
        (MacStatus::Verified(_), Some(mac)) if empty => Check::new(
            "mac",
            true,
            format!(
                "MAC verified ({}), but keyed with the empty password: anyone can recompute \
                 it, so it does not show the file is the producer's",
                mac.algorithm
            ),
        ),
        (MacStatus::Verified(_), Some(mac)) => {
            Check::new("mac", true, format!("MAC verified ({})", mac.algorithm))
        }
        _ => Check::new(
            "mac",
            false,
            "the file has no MAC: its integrity cannot be checked",
        ),
    }
}

fn single_key_check(opened: &Opened) -> Check {
    let n = opened.keys.len();
    Check::new(
        "single-key",
        n == 1,
        format!("{n} private key{}", if n == 1 { "" } else { "s" }),
    )
}

fn key_match_check(s: &Subject<'_>) -> Check {
    let key_cert = s.opened.key_certificates().first().copied().flatten();
    // Only a loaded key proves the match: pairing by localKeyId alone (for
    // a key pfxgen cannot load) names the certificate, it proves nothing.
    let matched = s.key.is_some() && key_cert.is_some() && key_cert == s.end_entity;
    let detail = match (&s.opened.keys.first().map(|k| &k.key), key_cert, s.cert) {
        (Some(Err(e)), _, _) => format!("the key cannot be loaded: {e}"),
        (None, _, _) => "no key".to_owned(),
        (_, _, None) => "no certificate".to_owned(),
        (_, None, Some(_)) => "the key matches no certificate in the file".to_owned(),
        (_, Some(_), Some(c)) if matched => format!("the key belongs to {}", c.subject()),
        (_, Some(i), Some(_)) => format!("the key belongs to certificate {i}, not the end entity"),
    };
    Check::new("key-matches-certificate", matched, detail)
}

fn algorithm_check(s: &Subject<'_>) -> Check {
    let (id_verdict, alg) = verdict::identity_server(s.opened);
    let detail = if id_verdict.ok {
        format!(
            "{} ({})",
            s.key.map(|k| k.kind().to_string()).unwrap_or_default(),
            alg.unwrap_or("-")
        )
    } else {
        id_verdict.reasons.join("; ")
    };
    Check::new("algorithm-supported", id_verdict.ok, detail)
}

fn validity_check(cert: Option<&Certificate>, min_days: u32, now: UtcTime) -> Check {
    let Some(c) = cert else {
        return Check::new("validity", false, "no certificate");
    };
    let problem = verdict::validity_problem(c, now, i64::from(min_days));
    let ok = problem.is_none();
    let detail = problem.unwrap_or_else(|| {
        format!(
            "valid until {} ({}, at least {} required)",
            c.not_after(),
            verdict::days_left_phrase(c, now),
            verdict::day_count(u64::from(min_days))
        )
    });
    Check::new("validity", ok, detail)
}

fn dotnet_check(loaded: &Loaded, opened: &Opened, passwordless: bool) -> Check {
    let (dotnet, total) = verdict::dotnet_limits(&loaded.pfx, Some(opened), passwordless);
    let detail = if dotnet.ok {
        format!("{total} iterations in total")
    } else {
        dotnet.reasons.join("; ")
    };
    Check::new("dotnet-loader-limits", dotnet.ok, detail)
}

fn token_check(s: &Subject<'_>, now: UtcTime) -> (Check, Option<&'static str>) {
    const NAME: &str = "token-self-test";
    let (Some(k), Some(c)) = (s.key, s.cert) else {
        return (
            Check::new(NAME, false, "no usable key and certificate to test"),
            None,
        );
    };
    let Ok(public) = c.public_key() else {
        return (
            Check::new(NAME, false, "no usable key and certificate to test"),
            None,
        );
    };
    match jwt::self_test(k, c, &public, now) {
        Ok(t) => (
            Check::new(
                NAME,
                true,
                format!(
                    "an {} token signed with the key verifies with the certificate",
                    t.alg
                ),
            ),
            Some(t.alg),
        ),
        Err(e) => (Check::new(NAME, false, e), None),
    }
}

/// For a certificate not self-issued: is the issuer in the file, does its
/// signature verify, and is the issuer's key/hash pair supported.
fn issuer_check(opened: &Opened, ee: usize) -> Check {
    const NAME: &str = "issuer-signature";
    let Some(Ok(cert)) = opened.certificates.get(ee).map(|c| c.certificate.as_ref()) else {
        return Check::new(NAME, false, "the end-entity certificate cannot be read");
    };
    if cert.is_self_issued() {
        return self_signature_check(cert);
    }
    let chain = opened.chain(ee);
    match (chain.certificates.get(1), chain.signatures.first()) {
        (Some(&i), Some(Some(true))) => verified_issuer_check(opened, cert, i),
        (Some(_), _) if cert.signature_algorithm().is_err() => Check::new(
            NAME,
            false,
            format!(
                "signed with {}, which pfxgen cannot verify (it checks RSA PKCS#1 v1.5, RSASSA-PSS with SHA-2 and ECDSA)",
                cert.signature_algorithm_name()
            ),
        ),
        (Some(_), _) => Check::new(
            NAME,
            false,
            "the issuer certificate in the file does not verify the signature",
        ),
        (None, _) => absent_issuer_check(cert),
    }
}

/// A self-issued certificate: says which, a signature that is wrong or one
/// pfxgen cannot check.
fn self_signature_check(cert: &Certificate) -> Check {
    let result = cert
        .public_key()
        .map_err(|e| format!("its key cannot be used to check it: {e}"))
        .and_then(|k| cert.verify_signature(&k).map_err(|e| e.to_string()));
    let ok = result.is_ok();
    let detail = match result {
        Ok(()) => "self-signed; the signature verifies".to_owned(),
        Err(e) => format!("self-issued; the signature is not verified: {e}"),
    };
    Check::new("issuer-signature", ok, detail)
}

/// The issuer (certificate `issuer` of the file) verified the signature:
/// is its key one the identity server accepts?
fn verified_issuer_check(opened: &Opened, cert: &Certificate, issuer: usize) -> Check {
    let issuer = opened
        .certificates
        .get(issuer)
        .and_then(|c| c.certificate.as_ref().ok());
    let kind = issuer.and_then(|c| c.public_key().ok()).map(|k| k.kind());
    let problem = kind.and_then(verdict::key_problem);
    let ok = problem.is_none();
    let detail = problem.unwrap_or_else(|| {
        format!(
            "signed by {} ({}, {})",
            issuer.map(Certificate::subject).unwrap_or_default(),
            kind.map(|k| k.to_string()).unwrap_or_default(),
            cert.signature_algorithm_name()
        )
    });
    Check::new("issuer-signature", ok, detail)
}

/// The issuer is not in the file: only the signature's type can be judged.
fn absent_issuer_check(cert: &Certificate) -> Check {
    let ok = cert
        .signature_algorithm()
        .is_ok_and(|a| a != SignatureAlgorithm::RsaPkcs1Sha1);
    let detail = if ok {
        format!(
            "issuer not in the file; signed with {} (a supported type)",
            cert.signature_algorithm_name()
        )
    } else {
        format!(
            "issuer not in the file; signed with {}, which is not supported",
            cert.signature_algorithm_name()
        )
    };
    Check::new("issuer-signature", ok, detail)
}
