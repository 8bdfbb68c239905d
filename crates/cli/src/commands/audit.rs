//! `pfxgen audit PATH...`: one certificate per instance, proven across
//! environments, and what expires when.
//!
//! Reads PFX files, service folders (their `X509CertificatePath`, as
//! `rotate` finds it) and folders to search, decrypting only certificates
//! (never keys) with passwords from a password map, and reports a table of
//! instances and findings: REUSE (same certificate, same key under different
//! certificates, same issuer and serial), EXPIRY (expired, expiring within
//! `--warn-days`), UNSUPPORTED (the identity server cannot sign with it),
//! UNREADABLE (wrong password, damaged file) and UNVERIFIED (no MAC, or
//! read without a password). Exit 0 clean, 1 findings, 2 could not run.
//!
//! Files are streamed: each worker (one per core) reads, hashes and analyses
//! one file at a time and drops its bytes, so memory does not grow with the
//! number of files; identical files (same SHA-256, same passwords) are
//! decrypted once. Each file may cost at most `--max-work` and the whole
//! run `--max-run-work` (BUDGET findings beyond).

use std::{
    collections::{BTreeMap, HashMap},
    ffi::OsString,
    path::{Path, PathBuf},
};

use pfxgen_pkcs12::{Limits, Password};
use pfxgen_x509::{Certificate, UtcTime, hex_upper};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::{
    appsettings,
    args::{self, Arg, parse_days, value_path, value_string},
    error::{Exit, Failure},
    json::{Json, Obj},
    loader::{self, CertificateProblem},
    rotate, verdict,
};

/// Default `--warn-days`.
pub const DEFAULT_WARN_DAYS: u32 = 30;
/// Deepest folder level searched.
const MAX_SEARCH_DEPTH: usize = 12;

/// Largest password map read (a map is a few lines per environment).
const MAX_MAP_SIZE: u64 = 1024 * 1024;

/// Where one audited certificate lives.
#[derive(Clone, Debug)]
struct Instance {
    /// Environment name (service folder name) or the file path.
    label: String,
    /// The PFX (or certificate) file.
    path: PathBuf,
    /// The service folder, when found through one.
    service_dir: Option<PathBuf>,
}

/// How to get a password, from the password map.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Source {
    Env(String),
    File(PathBuf),
    Empty,
    Unknown,
}

#[derive(Clone, Debug)]
struct Rule {
    selector: String,
    source: Source,
}

/// Parses the password map: one rule per line, `SELECTOR SOURCE`, first
/// match wins; `#` starts a comment.
fn parse_password_map(text: &str, origin: &Path) -> Result<Vec<Rule>, Failure> {
    let mut rules = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: &str| {
            Failure::new(
                Exit::Usage,
                format!("{} line {}: {why}", origin.display(), n + 1),
            )
        };
        let (selector, source) = line
            .rsplit_once(char::is_whitespace)
            .ok_or_else(|| bad("expected SELECTOR SOURCE"))?;
        let selector = selector.trim();
        let selector = match (selector.starts_with('"'), selector.ends_with('"')) {
            (false, false) => selector,
            (true, true) if selector.len() >= 2 => selector
                .get(1..selector.len() - 1)
                .ok_or_else(|| bad("unbalanced quotes in the selector"))?,
            _ => return Err(bad("unbalanced quotes in the selector")),
        }
        .to_owned();
        if selector.contains('"') {
            return Err(bad(
                "a quote inside the selector (quote the whole selector, once)",
            ));
        }
        let source = match source {
            "empty" | "none" => Source::Empty,
            "unknown" => Source::Unknown,
            s if s.starts_with("env:") => Source::Env(s.trim_start_matches("env:").to_owned()),
            s if s.starts_with("file:") => {
                Source::File(PathBuf::from(s.trim_start_matches("file:")))
            }
            _ => {
                return Err(bad(
                    "SOURCE must be env:VARIABLE, file:PATH, empty or unknown (passwords are never written in the map)",
                ));
            }
        };
        if selector.is_empty() {
            return Err(bad("empty selector"));
        }
        rules.push(Rule { selector, source });
    }
    Ok(rules)
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

impl Rule {
    fn matches(&self, instance: &Instance) -> bool {
        if self.selector == "*" || self.selector == instance.label {
            return true;
        }
        let sel = absolute(Path::new(&self.selector));
        let path = absolute(&instance.path);
        path.starts_with(&sel)
            || instance
                .service_dir
                .as_ref()
                .is_some_and(|d| absolute(d).starts_with(&sel))
    }
}

/// The passwords to try for an instance, and whether they are *known* (from
/// a rule) rather than guessed (the empty password tried by default).
fn passwords_for(instance: &Instance, rules: &[Rule]) -> Result<(Vec<Password>, bool), String> {
    let Some(source) = rules
        .iter()
        .find(|r| r.matches(instance))
        .map(|r| r.source.clone())
    else {
        return Ok((vec![Password::empty()], false));
    };
    let known = |p: Password| Ok((vec![p], true));
    match source {
        Source::Empty => known(Password::empty()),
        Source::Unknown => Ok((Vec::new(), false)),
        Source::Env(var) => {
            let value = std::env::var(&var).map_err(|_| {
                format!("the environment variable {var} (from the password map) is not set")
            })?;
            let mut value = Zeroizing::new(value);
            crate::password::strip_newline(&mut value);
            known(Password::new(value))
        }
        Source::File(path) => {
            let value = crate::password::read_password_file(&path).map_err(|f| f.message)?;
            known(Password::new(value))
        }
    }
}

/// Whether `dir` looks like a service folder.
fn is_service_dir(dir: &Path) -> bool {
    dir.join(appsettings::FILE_NAME).is_file()
}

fn is_certificate_file(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["pfx", "p12", "crt", "cer", "der", "pem"].contains(&e.to_ascii_lowercase().as_str())
    })
}

fn label_of(dir: &Path) -> String {
    dir.file_name().map_or_else(
        || dir.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Expands the command-line paths into instances; problems are reported,
/// not fatal, and nothing is skipped silently: a folder too deep to search,
/// a broken link or a certificate-named entry that is not a regular file is
/// a problem (an UNREADABLE finding). Symbolic links are followed (secret
/// volumes such as Kubernetes' are made of them), each real folder is
/// searched once, so link loops end; folders whose names start with a dot
/// are not searched, but links to files in them are.
fn collect(paths: &[PathBuf], problems: &mut Vec<(String, String)>) -> Vec<Instance> {
    let mut out: Vec<Instance> = Vec::new();
    // Raw list first; duplicates are resolved at the end.
    let add = |inst: Instance, out: &mut Vec<Instance>| out.push(inst);
    let mut searched = std::collections::HashSet::new();
    for p in paths {
        let Ok(meta) = std::fs::metadata(p) else {
            let why = if std::fs::symlink_metadata(p).is_ok() {
                "is a broken link"
            } else {
                "does not exist"
            };
            problems.push((p.display().to_string(), why.to_owned()));
            continue;
        };
        if !meta.is_dir() {
            // Named explicitly: read whatever it is (a FIFO or process
            // substitution too); the reader bounds its size.
            add(
                Instance {
                    label: p.display().to_string(),
                    path: p.clone(),
                    service_dir: None,
                },
                &mut out,
            );
            continue;
        }
        let mut stack = vec![(p.clone(), 0usize)];
        while let Some((dir, depth)) = stack.pop() {
            if !searched.insert(absolute(&dir)) {
                continue;
            }
            if is_service_dir(&dir) {
                match rotate::locate(&dir) {
                    Ok(service) => add(
                        Instance {
                            label: label_of(&dir),
                            path: service.current.clone(),
                            service_dir: Some(dir.clone()),
                        },
                        &mut out,
                    ),
                    Err(f) => problems.push((dir.display().to_string(), f.message)),
                }
            }
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) => {
                    problems.push((
                        dir.display().to_string(),
                        format!("cannot read the folder: {e}"),
                    ));
                    continue;
                }
            };
            let mut entries: Vec<PathBuf> =
                entries.filter_map(Result::ok).map(|e| e.path()).collect();
            entries.sort();
            for entry in entries {
                let Ok(link_meta) = std::fs::symlink_metadata(&entry) else {
                    continue;
                };
                let is_link = link_meta.file_type().is_symlink();
                let meta = if is_link {
                    match std::fs::metadata(&entry) {
                        Ok(m) => m,
                        Err(_) => {
                            if is_certificate_file(&entry) {
                                problems.push((
                                    entry.display().to_string(),
                                    "is a broken link".to_owned(),
                                ));
                            }
                            continue;
                        }
                    }
                } else {
                    link_meta
                };
                if meta.is_dir() {
                    let name = label_of(&entry);
                    if name == rotate::BACKUP_DIR || name.starts_with('.') {
                        continue;
                    }
                    if depth >= MAX_SEARCH_DEPTH {
                        problems.push((
                            entry.display().to_string(),
                            format!(
                                "not searched: more than {MAX_SEARCH_DEPTH} folder levels below {}",
                                p.display()
                            ),
                        ));
                        continue;
                    }
                    stack.push((entry, depth + 1));
                } else if is_certificate_file(&entry) {
                    if meta.is_file() {
                        add(
                            Instance {
                                label: entry.display().to_string(),
                                path: entry,
                                service_dir: None,
                            },
                            &mut out,
                        );
                    } else {
                        problems.push((
                            entry.display().to_string(),
                            "not a regular file (a pipe or device?); not read".to_owned(),
                        ));
                    }
                }
            }
        }
    }
    dedupe(out)
}

/// Every service folder is its own instance, even when two of them point at
/// the same certificate file (that is the REUSE finding audit exists for);
/// a bare file found again as some service's certificate, or twice, counts
/// once.
fn dedupe(all: Vec<Instance>) -> Vec<Instance> {
    let mut services: Vec<Instance> = Vec::new();
    let mut service_dirs = std::collections::HashSet::new();
    let mut service_files = std::collections::HashSet::new();
    for inst in all.iter().filter(|i| i.service_dir.is_some()) {
        if let Some(dir) = &inst.service_dir {
            if service_dirs.insert(absolute(dir)) {
                service_files.insert(absolute(&inst.path));
                services.push(inst.clone());
            }
        }
    }
    let mut files_seen = std::collections::HashSet::new();
    let files = all.into_iter().filter(|i| {
        i.service_dir.is_none()
            && !service_files.contains(&absolute(&i.path))
            && files_seen.insert(absolute(&i.path))
    });
    services.into_iter().chain(files).collect()
}

/// What was read for one instance.
#[derive(Clone, Debug)]
struct Facts {
    cert: Certificate,
    spki: Vec<u8>,
    key: String,
    integrity: loader::Integrity,
}

fn analyse(
    bytes: Vec<u8>,
    passwords: &[Password],
    known: bool,
    read: &mut loader::CertificateRead<'_>,
) -> Result<Facts, Problem> {
    let read = loader::read_certificates(bytes, passwords, known, read).map_err(|p| match p {
        CertificateProblem::Work(m) => Problem::Budget(m),
        other => Problem::Unreadable(other.to_string()),
    })?;
    let cert = read
        .end_entity
        .and_then(|i| read.certificates.get(i))
        .and_then(|c| c.certificate.as_ref().ok())
        .ok_or_else(|| Problem::Unreadable("no readable certificate".to_owned()))?
        .clone();
    let (spki, key) = match cert.public_key() {
        Ok(k) => (k.to_spki_der().to_vec(), k.kind().to_string()),
        Err(e) => (cert.spki_der(), format!("unsupported ({e})")),
    };
    Ok(Facts {
        cert,
        spki,
        key,
        integrity: read.integrity,
    })
}

/// Why an instance has no facts: its finding kind and message.
#[derive(Clone, Debug)]
enum Problem {
    /// UNREADABLE: missing, damaged, wrong password, not a regular file.
    Unreadable(String),
    /// BUDGET: the file (`--max-work`) or the run (`--max-run-work`) would
    /// cost more work than allowed.
    Budget(String),
}

impl Problem {
    fn kind(&self) -> &'static str {
        match self {
            Self::Unreadable(_) => "UNREADABLE",
            Self::Budget(_) => "BUDGET",
        }
    }

    fn message(&self) -> &str {
        match self {
            Self::Unreadable(m) | Self::Budget(m) => m,
        }
    }
}

/// The work budget of a whole run, shared by the worker threads: each file
/// reserves what it may cost before it is opened and gives back what it
/// did not use, so the run never does more than the budget.
struct RunBudget {
    left: std::sync::atomic::AtomicU64,
    max: u64,
}

impl RunBudget {
    /// Reserves up to `want` (less when less is left); 0 when spent.
    fn reserve(&self, want: u64) -> u64 {
        use std::sync::atomic::Ordering;
        let mut got = 0;
        let _ = self
            .left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                got = left.min(want);
                Some(left - got)
            });
        got
    }

    fn give_back(&self, unused: u64) {
        self.left
            .fetch_add(unused, std::sync::atomic::Ordering::SeqCst);
    }
}

/// What one worker needs to audit one file.
struct Job<'a> {
    rules: &'a [Rule],
    limits: &'a Limits,
    run: &'a RunBudget,
}

impl Job<'_> {
    /// Reads, hashes and analyses one instance; identical inputs (same
    /// bytes, same passwords) are analysed once, by whichever worker comes
    /// first, while the others wait for its answer. Only the bytes of the
    /// files being worked on are in memory.
    fn run(&self, inst: &Instance, seen: &Seen) -> Result<Facts, Problem> {
        let bytes = loader::read_file(&inst.path, self.limits)
            .map_err(|f| Problem::Unreadable(f.message))?;
        let (passwords, known) = passwords_for(inst, self.rules).map_err(Problem::Unreadable)?;
        let mut pw_id: Vec<u8> = passwords
            .iter()
            .flat_map(|p| Sha256::digest(p.utf8()).to_vec())
            .collect();
        pw_id.push(u8::from(known));
        let key = (Sha256::digest(&bytes).to_vec(), pw_id);
        let cell = match seen.lock() {
            Ok(mut map) => std::sync::Arc::clone(map.entry(key).or_default()),
            Err(_) => return Err(Problem::Unreadable("internal error".to_owned())),
        };
        cell.get_or_init(|| self.analyse(bytes, &passwords, known))
            .clone()
    }

    fn analyse(
        &self,
        bytes: Vec<u8>,
        passwords: &[Password],
        known: bool,
    ) -> Result<Facts, Problem> {
        let allowed = self.run.reserve(self.limits.max_work);
        if allowed == 0 {
            return Err(Problem::Budget(format!(
                "not read: the audit's work budget of {} (--max-run-work) is spent",
                self.run.max
            )));
        }
        let limits = Limits {
            max_work: allowed,
            ..self.limits.clone()
        };
        let mut read = loader::CertificateRead {
            limits: &limits,
            max_certificates: MAX_CERTIFICATES,
            spent: 0,
        };
        let result = analyse(bytes, passwords, known, &mut read);
        self.run.give_back(allowed.saturating_sub(read.spent));
        match result {
            Err(Problem::Budget(m)) if allowed < self.limits.max_work => {
                Err(Problem::Budget(format!(
                    "{m}; the audit's work budget of {} (--max-run-work) is nearly spent",
                    self.run.max
                )))
            }
            other => other,
        }
    }
}

/// Answers shared between workers, by (SHA-256 of the bytes, of the
/// passwords): a file found in several places is analysed once.
type Seen =
    std::sync::Mutex<HashMap<WorkKey, std::sync::Arc<std::sync::OnceLock<Result<Facts, Problem>>>>>;

/// Most certificates read from one file (a PFX holds at most 1,000 bags).
const MAX_CERTIFICATES: usize = 1000;

/// Identifies one unit of work: SHA-256 of the file and of its passwords.
type WorkKey = (Vec<u8>, Vec<u8>);
/// Certificates grouped by issuer name and serial: `(instance, kid)`.
type SerialGroups<'a> = BTreeMap<(Vec<u8>, String), Vec<(&'a Instance, String)>>;

/// A finding.
#[derive(Clone, Debug)]
struct Finding {
    kind: &'static str,
    message: String,
    instances: Vec<String>,
}

/// Runs `pfxgen audit`; returns 0 (clean) or 1 (findings).
///
/// # Errors
/// Exit 2 when it cannot run at all.
pub fn run(args: Vec<OsString>) -> Result<Exit, Failure> {
    run_inner(args).map_err(|mut f| {
        f.exit = Exit::Usage;
        f
    })
}

fn run_inner(args: Vec<OsString>) -> Result<Exit, Failure> {
    let mut paths = Vec::new();
    let mut map: Option<PathBuf> = None;
    let mut warn_days = DEFAULT_WARN_DAYS;
    let mut json = false;
    let mut limits = Limits::default();
    let mut max_run_work = args::DEFAULT_MAX_RUN_WORK;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        match &arg {
            Arg::Long(n) if n == "passwords" => map = Some(value_path(&mut parser, "--passwords")?),
            Arg::Long(n) if n == "warn-days" => {
                let t = value_string(&mut parser, "--warn-days")?;
                warn_days = if t.trim() == "0" {
                    0
                } else {
                    parse_days(&t, "--warn-days", 36_500)?
                };
            }
            Arg::Long(n) if n == "json" => json = true,
            Arg::Long(n) if n == "max-work" => {
                limits.max_work =
                    args::parse_work(&value_string(&mut parser, "--max-work")?, "--max-work")?;
            }
            Arg::Long(n) if n == "max-run-work" => {
                max_run_work = args::parse_work(
                    &value_string(&mut parser, "--max-run-work")?,
                    "--max-run-work",
                )?;
            }
            a if a.is_help() => {
                out!("{}\n{}", crate::help::AUDIT, crate::help::EXIT_CODES);
                return Ok(Exit::Success);
            }
            Arg::Value(v) => paths.push(PathBuf::from(v)),
            _ => return Err(arg.unexpected()),
        }
    }
    if paths.is_empty() {
        return Err(Failure::usage(
            "audit needs at least one PATH (PFX file, service folder or folder to search)",
        ));
    }
    let rules = match &map {
        Some(path) => {
            let text = crate::readfile::read_regular(path, MAX_MAP_SIZE)
                .map_err(|e| e.to_string())
                .and_then(|b| String::from_utf8(b).map_err(|_| "it is not UTF-8".to_owned()))
                .map_err(|e| {
                    Failure::new(
                        Exit::Usage,
                        format!("cannot read the password map {}: {e}", path.display()),
                    )
                })?;
            parse_password_map(&text, path)?
        }
        None => Vec::new(),
    };
    let now = UtcTime::now()
        .ok_or_else(|| Failure::new(Exit::Internal, "the system clock is unusable"))?;

    let mut problems = Vec::new();
    let mut instances = collect(&paths, &mut problems);
    if instances.is_empty() && problems.is_empty() {
        // An empty result is not a clean audit.
        return Err(Failure::new(
            Exit::Usage,
            "nothing to audit: no service folder (appsettings.json) and no \
             .pfx/.p12/.crt/.cer/.der/.pem file was found",
        )
        .with_hint("name the service folders, the files, or a folder above them"));
    }
    instances.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.path.cmp(&b.path)));

    // Stream: each worker takes the next instance, reads, hashes and
    // analyses it, and drops its bytes before taking another, so memory
    // holds at most one file per worker whatever the number of files.
    let run = RunBudget {
        left: std::sync::atomic::AtomicU64::new(max_run_work),
        max: max_run_work,
    };
    let job = Job {
        rules: &rules,
        limits: &limits,
        run: &run,
    };
    let seen: Seen = std::sync::Mutex::new(HashMap::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(instances.len().max(1));
    let analysed: Vec<(usize, Result<Facts, Problem>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (job, seen, next, instances) = (&job, &seen, &next, &instances);
                s.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some(inst) = instances.get(i) else { break };
                        done.push((i, job.run(inst, seen)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut results: Vec<Option<Result<Facts, Problem>>> = vec![None; instances.len()];
    for (i, result) in analysed {
        if let Some(slot) = results.get_mut(i) {
            *slot = Some(result);
        }
    }

    // Findings.
    let mut findings = Vec::new();
    let ok: Vec<(&Instance, &Facts)> = instances
        .iter()
        .zip(&results)
        .filter_map(|(inst, r)| match r {
            Some(Ok(f)) => Some((inst, f)),
            _ => None,
        })
        .collect();
    let mut by_cert: BTreeMap<String, Vec<&Instance>> = BTreeMap::new();
    let mut by_key: BTreeMap<Vec<u8>, Vec<(&Instance, String)>> = BTreeMap::new();
    let mut by_serial: SerialGroups<'_> = BTreeMap::new();
    for (inst, f) in &ok {
        let kid = hex_upper(&f.cert.sha1_thumbprint());
        by_cert.entry(kid.clone()).or_default().push(inst);
        by_key
            .entry(f.spki.clone())
            .or_default()
            .push((inst, kid.clone()));
        by_serial
            .entry((f.cert.issuer_der(), f.cert.serial_hex()))
            .or_default()
            .push((inst, kid));
    }
    for (kid, insts) in &by_cert {
        if insts.len() > 1 {
            findings.push(Finding {
                kind: "REUSE",
                message: format!(
                    "the same certificate (kid {kid}) is used by {} instances",
                    insts.len()
                ),
                instances: insts.iter().map(|i| i.label.clone()).collect(),
            });
        }
    }
    for group in by_key.values() {
        let mut kids: Vec<&String> = group.iter().map(|(_, k)| k).collect();
        kids.sort();
        kids.dedup();
        if kids.len() > 1 {
            findings.push(Finding {
                kind: "REUSE",
                message: format!("the same public key is in {} different certificates (a re-issued certificate on an old key)", kids.len()),
                instances: group.iter().map(|(i, k)| format!("{} (kid {k})", i.label)).collect(),
            });
        }
    }
    for ((_, serial), group) in &by_serial {
        let mut kids: Vec<&String> = group.iter().map(|(_, k)| k).collect();
        kids.sort();
        kids.dedup();
        if kids.len() > 1 {
            findings.push(Finding {
                kind: "REUSE",
                message: format!(
                    "serial {serial} from the same issuer is in {} different certificates",
                    kids.len()
                ),
                instances: group
                    .iter()
                    .map(|(i, k)| format!("{} (kid {k})", i.label))
                    .collect(),
            });
        }
    }
    for (inst, f) in &ok {
        let left = verdict::days_left(&f.cert, now);
        if now > f.cert.not_after() || left < i64::from(warn_days) {
            findings.push(Finding {
                kind: "EXPIRY",
                message: format!(
                    "{} ({})",
                    verdict::expiry_phrase(&f.cert, now),
                    f.cert.not_after()
                ),
                instances: vec![inst.label.clone()],
            });
        }
        match f.integrity {
            loader::Integrity::NotChecked => findings.push(Finding {
                kind: "UNVERIFIED",
                message: "read without the password: the MAC was not checked, so the certificate may not be the producer's".to_owned(),
                instances: vec![inst.label.clone()],
            }),
            loader::Integrity::NoMac => findings.push(Finding {
                kind: "UNVERIFIED",
                message: "the file has no MAC: its contents could have been changed by anyone".to_owned(),
                instances: vec![inst.label.clone()],
            }),
            loader::Integrity::EmptyPasswordMac => findings.push(Finding {
                kind: "UNVERIFIED",
                message: "the MAC is keyed with the empty password: anyone can recompute it after changing the file, so the certificate may not be the producer's".to_owned(),
                instances: vec![inst.label.clone()],
            }),
            loader::Integrity::MacVerified | loader::Integrity::CertificateFile => {}
        }
        let support = verdict::certificate_support(&f.cert);
        if !support.ok {
            findings.push(Finding {
                kind: "UNSUPPORTED",
                message: support.reasons.join("; "),
                instances: vec![inst.label.clone()],
            });
        }
    }
    for (inst, r) in instances.iter().zip(&results) {
        if let Some(Err(e)) = r {
            findings.push(Finding {
                kind: e.kind(),
                message: e.message().to_owned(),
                instances: vec![inst.label.clone()],
            });
        }
    }
    for (what, why) in &problems {
        findings.push(Finding {
            kind: "UNREADABLE",
            message: why.clone(),
            instances: vec![what.clone()],
        });
    }

    report(&instances, &results, &findings, now, json);
    Ok(if findings.is_empty() {
        Exit::Success
    } else {
        Exit::CheckFailed
    })
}

fn report(
    instances: &[Instance],
    results: &[Option<Result<Facts, Problem>>],
    findings: &[Finding],
    now: UtcTime,
    json: bool,
) {
    if json {
        let rows: Vec<Json> = instances
            .iter()
            .zip(results)
            .map(|(inst, r)| {
                let mut o = Obj::new()
                    .field("instance", inst.label.as_str())
                    .field("path", inst.path.display().to_string())
                    .field(
                        "service_dir",
                        inst.service_dir.as_ref().map(|d| d.display().to_string()),
                    );
                match r {
                    Some(Ok(f)) => {
                        let support = verdict::certificate_support(&f.cert);
                        o = o
                            .field("kid", hex_upper(&f.cert.sha1_thumbprint()))
                            .field(
                                "sha256_fingerprint",
                                hex_upper(&f.cert.sha256_fingerprint()),
                            )
                            .field("key", f.key.as_str())
                            .field("subject", f.cert.subject())
                            .field("serial", f.cert.serial_hex())
                            .field("not_after", f.cert.not_after().to_string())
                            .field("days_left", verdict::days_left(&f.cert, now))
                            .field(
                                "identity_server",
                                Obj::new()
                                    .field("ok", support.ok)
                                    .field("reasons", support.reasons),
                            )
                            .field("error", Json::Null);
                    }
                    Some(Err(e)) => o = o.field("error", e.message()),
                    None => o = o.field("error", "not read"),
                }
                o.into()
            })
            .collect();
        let f: Vec<Json> = findings
            .iter()
            .map(|f| {
                Obj::new()
                    .field("kind", f.kind)
                    .field("message", f.message.as_str())
                    .field("instances", f.instances.clone())
                    .into()
            })
            .collect();
        let obj = Obj::new()
            .field("instances", Json::Array(rows))
            .field("findings", Json::Array(f))
            .field("clean", findings.is_empty());
        outln!("{}", Json::from(obj).pretty());
        return;
    }
    outln!("INSTANCES");
    for (inst, r) in instances.iter().zip(results) {
        outln!("  {}  ({})", inst.label, inst.path.display());
        match r {
            Some(Ok(f)) => {
                let support = verdict::certificate_support(&f.cert);
                let days = verdict::days_left_phrase(&f.cert, now);
                outln!("      kid      {}", hex_upper(&f.cert.sha1_thumbprint()));
                outln!("      sha256   {}", hex_upper(&f.cert.sha256_fingerprint()));
                outln!("      key      {}    subject {}", f.key, f.cert.subject());
                outln!("      expires  {} ({days})", f.cert.not_after());
                outln!(
                    "      identity server: {}",
                    if support.ok {
                        "supported".to_owned()
                    } else {
                        format!("NOT supported: {}", support.reasons.join("; "))
                    }
                );
            }
            Some(Err(e)) => outln!("      could not be read: {}", e.message()),
            None => outln!("      not read"),
        }
    }
    if findings.is_empty() {
        outln!(
            "FINDINGS\n  none: every instance has its own certificate and key, none expires within the warning period"
        );
    } else {
        outln!("FINDINGS");
        for f in findings {
            outln!("  {:<11} {}", f.kind, f.message);
            for i in &f.instances {
                outln!("              - {i}");
            }
        }
    }
    outln!(
        "{}, {}",
        verdict::count(instances.len() as u64, "instance"),
        verdict::count(findings.len() as u64, "finding")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_map_syntax() {
        let rules = parse_password_map(
            "# comment\n/srv/prod env:PROD_PW\n\"/srv/my test\" file:/run/secrets/test\n* empty\nlegacy unknown\n",
            Path::new("map"),
        )
        .unwrap();
        assert_eq!(rules.len(), 4);
        assert_eq!(rules[0].source, Source::Env("PROD_PW".into()));
        assert_eq!(rules[1].selector, "/srv/my test");
        assert!(
            parse_password_map("/srv pass:hunter2\n", Path::new("map")).is_err(),
            "inline passwords refused"
        );
        assert!(parse_password_map("justone\n", Path::new("map")).is_err());
        for unbalanced in [
            "\"/srv/a env:X\n",
            "/srv/a\" env:X\n",
            "\" env:X\n",
            "sp\" ace env:X\n",
        ] {
            assert!(
                parse_password_map(unbalanced, Path::new("map")).is_err(),
                "{unbalanced}"
            );
        }
    }

    #[test]
    fn counts_are_singular_for_one() {
        use crate::verdict::count;
        assert_eq!(count(0, "finding"), "0 findings");
        assert_eq!(count(1, "finding"), "1 finding");
        assert_eq!(count(2, "instance"), "2 instances");
    }
}
