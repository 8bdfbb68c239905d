//! The real-world corpus: 175 PKCS#12 files from twelve projects' test
//! suites (the JDK, Go, GnuTLS, BoringSSL, Bouncy Castle, node-forge, NSS,
//! .NET, RustCrypto, rust-openssl, p12-keystore), each opened with the
//! password its project uses and checked against what that project's own
//! test expects.
//!
//! The files belong to those projects and are not in this repository. The
//! test reads them from `$PFXGEN_REALWORLD_P12`, or from
//! `../shared/realworld-p12` beside the clone, with their `PASSWORDS.tsv`
//! (`file, password, pw_hex, expect, exp_keys, exp_certs, ...`). When
//! neither exists it says so on stderr and passes.
//!
//! Every file is tried (a panic is caught and reported as a mismatch) and
//! every mismatch is reported at once. The outcome of every row is the table
//! `docs/realworld-p12.md`; the test fails when the table is out of date,
//! and rewrites it when run with `PFXGEN_REALWORLD_UPDATE=1`:
//!
//! ```text
//! PFXGEN_REALWORLD_UPDATE=1 cargo test -p pfxgen-pkcs12 --test realworld_corpus
//! ```

#![allow(clippy::expect_used)]

use std::{
    fmt::Write as _,
    panic::{AssertUnwindSafe, catch_unwind},
    path::{Path, PathBuf},
};

use pfxgen_pkcs12::{Content, EncryptionScheme, Limits, MacStatus, Password, Pfx};
use zeroize::Zeroizing;

/// Must-open files whose refusal is accepted, with a phrase the refusal
/// must contain: algorithms pfxgen does not implement. The GOST files are
/// refused for their GOST PBKDF2 PRF (OID arc 1.2.643, GOST's); their GOST
/// MAC digest alone would only stop `open`, not `parse`.
const ACCEPTED_REFUSALS: &[(&str, &str)] = &[
    ("gnutls-gost01.p12", "1.2.643."),
    ("gnutls-gost12.p12", "1.2.643."),
    ("bc-gost.p12", "1.2.643."),
];

/// The source projects, by file-name prefix (longest first).
const PROJECTS: &[(&str, &str)] = &[
    ("rust-openssl-", "rust-openssl"),
    ("rustcrypto-", "RustCrypto/formats"),
    ("p12keystore-", "p12-keystore"),
    ("go-xcrypto-", "golang.org/x/crypto"),
    ("go-sslmate-", "SSLMate/go-pkcs12"),
    ("boringssl-", "BoringSSL"),
    ("dotnet-", ".NET runtime"),
    ("gnutls-", "GnuTLS"),
    ("forge-", "node-forge"),
    ("jdk-", "OpenJDK"),
    ("nss-", "NSS"),
    ("bc-", "Bouncy Castle"),
];

fn corpus_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PFXGEN_REALWORLD_P12") {
        return Some(PathBuf::from(dir));
    }
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/realworld-p12");
    beside.is_dir().then_some(beside)
}

fn table_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/realworld-p12.md")
}

struct Row {
    file: String,
    pw_hex: String,
    expect: String,
    keys: Option<usize>,
    certs: Option<usize>,
    /// The first clause of the notes: who made the file, what is special.
    about: String,
    /// Several rows for one file differ in how the password is given.
    password_label: String,
}

fn rows(tsv: &str) -> Vec<Row> {
    tsv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let field = |i: usize| f.get(i).copied().unwrap_or("").to_owned();
            let notes = field(8);
            let first = notes.split(';').next().unwrap_or("").trim();
            // Notes that say only where the counts came from say nothing
            // about the file.
            let about = if first.starts_with("expected counts from") || first == "unknown" {
                String::new()
            } else {
                first.to_owned()
            };
            Row {
                file: field(0),
                password_label: field(1),
                pw_hex: field(2),
                expect: field(3),
                keys: field(4).parse().ok(),
                certs: field(5).parse().ok(),
                about,
            }
        })
        .collect()
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("pw_hex is hex"))
        .collect()
}

enum Outcome {
    Opened {
        keys: usize,
        certs: usize,
        notes: Vec<String>,
    },
    Refused(String),
    Panicked(String),
}

/// What a reader of the table needs to know beyond the counts: producer
/// quirks read, weak ciphers, a missing MAC.
fn notes(pfx: &Pfx, opened: &pfxgen_pkcs12::Opened) -> Vec<String> {
    let mut out = Vec::new();
    if pfx.trailing_bytes() > 0 {
        out.push(format!(
            "{} bytes after the PFX ignored",
            pfx.trailing_bytes()
        ));
    }
    if pfx.was_ber() {
        out.push("BER".to_owned());
    }
    if opened.mac == MacStatus::Absent {
        out.push("no MAC".to_owned());
    }
    let mut schemes: Vec<&EncryptionScheme> = Vec::new();
    for c in pfx.contents() {
        if let Content::Encrypted { scheme: Ok(s), .. } = c {
            schemes.push(s);
        }
    }
    for bag in &opened.bags {
        if let Some(s) = &bag.bag_encryption {
            schemes.push(s);
        }
    }
    for s in schemes {
        if let Some((len, cipher_len)) = s.key_length_mismatch() {
            out.push(format!(
                "PBES2 keyLength {len} for {} ({cipher_len} bytes)",
                s.cipher().name()
            ));
        }
        if matches!(s.cipher(), pfxgen_pkcs12::Cipher::Rc4 { .. }) {
            out.push(format!("{} (weak, read only)", s.cipher().name()));
        }
    }
    for w in &opened.workarounds {
        let pfxgen_pkcs12::Workaround::NssBmpStringPassword { what } = w else {
            continue;
        };
        out.push(format!("NSS BMPString PBES2 password ({what})"));
    }
    out.dedup();
    out
}

fn try_file(bytes: &[u8], password: &Password) -> Outcome {
    let limits = Limits::default();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let pfx = Pfx::parse(bytes, &limits)?;
        let opened = pfx.open(password, &limits)?;
        Ok::<_, pfxgen_pkcs12::Error>(Outcome::Opened {
            keys: opened.keys.len(),
            certs: opened.certificates.len(),
            notes: notes(&pfx, &opened),
        })
    }));
    match result {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(e)) => Outcome::Refused(e.to_string()),
        Err(panic) => Outcome::Panicked(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default(),
        ),
    }
}

/// `None` when the outcome meets the expectation, else why not.
fn mismatch(row: &Row, outcome: &Outcome) -> Option<String> {
    let counts_differ = |keys: usize, certs: usize| {
        let want = (row.keys.unwrap_or(keys), row.certs.unwrap_or(certs));
        (want != (keys, certs)).then(|| {
            format!(
                "opened with {keys} keys and {certs} certificates, expected {} and {}",
                want.0, want.1
            )
        })
    };
    let accepted_refusal = ACCEPTED_REFUSALS
        .iter()
        .find(|(file, _)| *file == row.file)
        .map(|(_, phrase)| *phrase);
    match (row.expect.as_str(), outcome) {
        (_, Outcome::Panicked(m)) => Some(format!("PANIC: {m}")),
        ("must-fail", Outcome::Opened { .. }) => Some("opened, but must be refused".to_owned()),
        ("must-fail", Outcome::Refused(_)) => None,
        ("must-open" | "either", Outcome::Opened { keys, certs, .. }) => {
            counts_differ(*keys, *certs)
        }
        ("must-open", Outcome::Refused(reason)) => match accepted_refusal {
            Some(phrase) if reason.contains(phrase) => None,
            _ => Some(format!("refused: {reason}")),
        },
        ("either", Outcome::Refused(_)) => None,
        (other, _) => Some(format!("unknown expectation {other:?}")),
    }
}

fn project(file: &str) -> &'static str {
    PROJECTS
        .iter()
        .find(|(prefix, _)| file.starts_with(prefix))
        .map_or("?", |(_, name)| name)
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn render(rows: &[Row], outcomes: &[Outcome]) -> String {
    let opened = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Opened { .. }))
        .count();
    let mut out = String::new();
    out.push_str(
        "# What pfxgen reads: the real-world PKCS#12 corpus\n\n\
         One row per file and password of the corpus of PKCS#12 files kept in\n\
         other projects' test suites (the files are theirs and are not in this\n\
         repository). *Expected* is what the source project's own test\n\
         requires (`must-open` with key and certificate counts, `must-fail`,\n\
         or `either`); *pfxgen* is what `Pfx::parse` + `Pfx::open` do with the\n\
         project's password and default limits.\n\n\
         Generated by `crates/pkcs12/tests/realworld_corpus.rs`, which fails\n\
         when this table is out of date; to regenerate:\n\n\
         ```text\n\
         PFXGEN_REALWORLD_UPDATE=1 cargo test -p pfxgen-pkcs12 --test realworld_corpus\n\
         ```\n\n",
    );
    let _ = writeln!(
        out,
        "{} rows: {opened} opened, {} refused. Refusals accepted for must-open \
         files: the GOST files (unsupported algorithms).\n",
        outcomes.len(),
        outcomes.len() - opened
    );
    out.push_str("| file | from | about | expected | pfxgen |\n|---|---|---|---|---|\n");
    for (row, outcome) in rows.iter().zip(outcomes) {
        let expected = match (row.expect.as_str(), row.keys, row.certs) {
            ("must-fail", ..) => "must-fail".to_owned(),
            (e, Some(k), Some(c)) => format!("{e} ({k} key, {c} cert)"),
            (e, ..) => e.to_owned(),
        };
        let result = match outcome {
            Outcome::Opened { keys, certs, notes } => {
                let mut s = format!("opened: {keys} key, {certs} cert");
                if !notes.is_empty() {
                    let _ = write!(s, "; {}", notes.join("; "));
                }
                s
            }
            Outcome::Refused(reason) => format!("refused: {reason}"),
            Outcome::Panicked(m) => format!("PANIC: {m}"),
        };
        let mut file = row.file.clone();
        if row.password_label.contains("ISO-8859-1") {
            file.push_str(" (password as ISO-8859-1 bytes)");
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&file),
            project(&row.file),
            cell(&row.about),
            expected,
            cell(&result)
        );
    }
    out
}

#[test]
fn realworld_corpus_meets_each_projects_expectation() {
    let Some(dir) = corpus_dir() else {
        eprintln!(
            "realworld_corpus: no corpus (set PFXGEN_REALWORLD_P12 or put it at \
             ../shared/realworld-p12 beside the clone); nothing checked"
        );
        return;
    };
    let tsv = std::fs::read_to_string(dir.join("PASSWORDS.tsv"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("PASSWORDS.tsv").display()));
    let rows = rows(&tsv);
    assert!(!rows.is_empty(), "PASSWORDS.tsv has no rows");
    let mut outcomes = Vec::new();
    let mut mismatches = Vec::new();
    for row in &rows {
        let outcome = match std::fs::read(dir.join(&row.file)) {
            Ok(bytes) => {
                let password = if row.pw_hex.is_empty() {
                    Password::empty()
                } else {
                    Password::from_bytes(Zeroizing::new(unhex(&row.pw_hex)))
                };
                try_file(&bytes, &password)
            }
            Err(e) => Outcome::Refused(format!("cannot read the file: {e}")),
        };
        if let Some(why) = mismatch(row, &outcome) {
            mismatches.push(format!("{} ({}): {why}", row.file, row.expect));
        }
        outcomes.push(outcome);
    }
    let table = render(&rows, &outcomes);
    let path = table_path();
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if std::env::var_os("PFXGEN_REALWORLD_UPDATE").is_some() {
        std::fs::write(&path, &table).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    } else if committed != table {
        mismatches.push(format!(
            "{} is out of date: rerun with PFXGEN_REALWORLD_UPDATE=1 and commit it",
            path.display()
        ));
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} rows do not meet their expectation:\n  {}",
        mismatches.len(),
        rows.len(),
        mismatches.join("\n  ")
    );
}
