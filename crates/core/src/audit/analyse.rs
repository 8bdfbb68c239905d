//! Reading the instances: each worker (one per core) reads, hashes and
//! analyses one file at a time and drops its bytes, so memory does not grow
//! with the number of files; identical files (same SHA-256, same passwords)
//! are decrypted once. Each file may cost at most `--max-work` and the
//! whole run `--max-run-work` (BUDGET findings beyond). Only certificates
//! are decrypted, never keys.

use std::{
    collections::HashMap,
    num::NonZero,
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
};

use pfxgen_pkcs12::{Limits, Password};
use pfxgen_x509::Certificate;
use sha2::{Digest as _, Sha256};

use crate::{
    audit::{
        collect::Instance,
        map::{MapSecrets, PasswordMap, Target},
    },
    files::open::{self, CertificateProblem, CertificateRead, Integrity},
};

/// Most certificates read from one file (a PFX holds at most 1,000 bags).
const MAX_CERTIFICATES: usize = 1000;

/// What was read for one instance.
#[derive(Clone, Debug)]
pub struct Facts {
    /// The end-entity certificate.
    pub cert: Certificate,
    /// Its SubjectPublicKeyInfo (DER).
    pub spki: Vec<u8>,
    /// The key, described (`ECDSA P-256`, `unsupported (...)`).
    pub key: String,
    /// How far the certificate can be trusted to be the producer's.
    pub integrity: Integrity,
}

/// Why an instance has no facts.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotRead {
    /// UNREADABLE: missing, damaged, wrong password, not a regular file.
    Unreadable(String),
    /// BUDGET: the file (`--max-work`) or the run (`--max-run-work`) would
    /// cost more work than allowed.
    Budget(String),
}

impl NotRead {
    /// The finding kind it becomes.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Unreadable(_) => "UNREADABLE",
            Self::Budget(_) => "BUDGET",
        }
    }

    /// Why.
    #[must_use]
    pub fn message(&self) -> &str {
        match self {
            Self::Unreadable(m) | Self::Budget(m) => m,
        }
    }
}

/// What reading one instance gave.
#[derive(Clone, Debug)]
pub struct Analysed {
    /// SHA-256 of the file, when its bytes could be read.
    pub sha256: Option<Vec<u8>>,
    /// Its facts, or why there are none; `None` if no worker got to it.
    pub read: Option<Result<Facts, NotRead>>,
}

/// The work budget of a whole run, shared by the worker threads: each file
/// reserves what it may cost before it is opened and gives back what it
/// did not use, so the run never does more than the budget.
struct RunBudget {
    left: AtomicU64,
    max: u64,
}

impl RunBudget {
    /// Reserves up to `want` (less when less is left); 0 when spent.
    fn reserve(&self, want: u64) -> u64 {
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
        self.left.fetch_add(unused, Ordering::SeqCst);
    }
}

/// Identifies one unit of work: SHA-256 of the file and of its passwords.
type WorkKey = (Vec<u8>, Vec<u8>);
/// Answers shared between workers: a file found in several places (with
/// the same passwords) is analysed once.
type Seen = Mutex<HashMap<WorkKey, Arc<OnceLock<Result<Facts, NotRead>>>>>;

/// What the workers share.
struct Job<'a> {
    map: &'a PasswordMap,
    secrets: &'a dyn MapSecrets,
    limits: &'a Limits,
    run: RunBudget,
    seen: Seen,
}

/// Reads every instance on all cores, each file costing at most
/// `limits.max_work` and all of them `max_run_work`; results are in the
/// order of `instances`.
#[must_use]
pub fn analyse_all(
    instances: &[Instance],
    map: &PasswordMap,
    secrets: &dyn MapSecrets,
    limits: &Limits,
    max_run_work: u64,
) -> Vec<Analysed> {
    let job = Job {
        map,
        secrets,
        limits,
        run: RunBudget {
            left: AtomicU64::new(max_run_work),
            max: max_run_work,
        },
        seen: Mutex::new(HashMap::new()),
    };
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, NonZero::get)
        .min(instances.len().max(1));
    let done: Vec<(usize, Analysed)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| s.spawn(|| job.worker(instances, &next)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut results = vec![
        Analysed {
            sha256: None,
            read: None
        };
        instances.len()
    ];
    for (i, result) in done {
        if let Some(slot) = results.get_mut(i) {
            *slot = result;
        }
    }
    results
}

impl Job<'_> {
    /// Takes the next instance until none is left.
    fn worker(&self, instances: &[Instance], next: &AtomicUsize) -> Vec<(usize, Analysed)> {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            let Some(inst) = instances.get(i) else { break };
            done.push((i, self.one(inst)));
        }
        done
    }

    /// Reads, hashes and analyses one instance; identical inputs (same
    /// bytes, same passwords) are analysed once, by whichever worker comes
    /// first, while the others wait for its answer. Only the bytes of the
    /// files being worked on are in memory.
    fn one(&self, inst: &Instance) -> Analysed {
        let bytes = match open::read_file(&inst.path, self.limits) {
            Ok(b) => b,
            Err(f) => return failed(None, NotRead::Unreadable(f.message)),
        };
        let sha256 = Sha256::digest(&bytes).to_vec();
        let names = [inst.name.as_str(), inst.label.as_str()];
        let target = Target {
            names: &names,
            path: &inst.path,
            service_dir: inst.service_dir.as_deref(),
        };
        let candidates = match self.map.candidates(&target, self.secrets) {
            Ok(c) => c,
            Err(m) => return failed(Some(sha256), NotRead::Unreadable(m)),
        };
        let mut pw_id: Vec<u8> = candidates
            .passwords
            .iter()
            .flat_map(|p| Sha256::digest(p.utf8()).to_vec())
            .collect();
        pw_id.push(u8::from(candidates.known));
        let key = (sha256.clone(), pw_id);
        let cell = match self.seen.lock() {
            Ok(mut map) => Arc::clone(map.entry(key).or_default()),
            Err(_) => {
                let internal = NotRead::Unreadable("internal error".to_owned());
                return failed(Some(sha256), internal);
            }
        };
        let read = cell
            .get_or_init(|| self.analyse(bytes, &candidates.passwords, candidates.known))
            .clone();
        Analysed {
            sha256: Some(sha256),
            read: Some(read),
        }
    }

    /// One file within what is left of the run's budget.
    fn analyse(
        &self,
        bytes: Vec<u8>,
        passwords: &[Password],
        known: bool,
    ) -> Result<Facts, NotRead> {
        let allowed = self.run.reserve(self.limits.max_work);
        if allowed == 0 {
            return Err(NotRead::Budget(format!(
                "not read: the audit's work budget of {} (--max-run-work) is spent",
                self.run.max
            )));
        }
        let limits = Limits {
            max_work: allowed,
            ..self.limits.clone()
        };
        let mut read = CertificateRead {
            limits: &limits,
            max_certificates: MAX_CERTIFICATES,
            spent: 0,
        };
        let result = facts(bytes, passwords, known, &mut read);
        self.run.give_back(allowed.saturating_sub(read.spent));
        match result {
            Err(NotRead::Budget(m)) if allowed < self.limits.max_work => {
                Err(NotRead::Budget(format!(
                    "{m}; the audit's work budget of {} (--max-run-work) is nearly spent",
                    self.run.max
                )))
            }
            other => other,
        }
    }
}

fn failed(sha256: Option<Vec<u8>>, why: NotRead) -> Analysed {
    Analysed {
        sha256,
        read: Some(Err(why)),
    }
}

/// The end-entity certificate of `bytes` and what it says.
fn facts(
    bytes: Vec<u8>,
    passwords: &[Password],
    known: bool,
    read: &mut CertificateRead<'_>,
) -> Result<Facts, NotRead> {
    let read = open::read_certificates(bytes, passwords, known, read).map_err(|p| match p {
        CertificateProblem::Work(m) => NotRead::Budget(m),
        other => NotRead::Unreadable(other.to_string()),
    })?;
    let cert = read
        .end_entity
        .and_then(|i| read.certificates.get(i))
        .and_then(|c| c.certificate.as_ref().ok())
        .ok_or_else(|| NotRead::Unreadable("no readable certificate".to_owned()))?
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
