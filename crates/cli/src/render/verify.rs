//! `verify`'s report as text (one PASS/FAIL line per check) or JSON.

use std::path::Path;

use pfxgen_core::verify::VerifyReport;

use crate::json::{Json, Obj};

/// The documented JSON report.
#[must_use]
pub fn json(file: &Path, report: &VerifyReport) -> Json {
    let checks: Vec<Json> = report
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
    Obj::new()
        .field("file", file.display().to_string())
        .field("ok", report.ok())
        .field("checks", Json::Array(checks))
        .field("kid", report.kid.clone())
        .field("x5t", report.x5t.clone())
        .field("jws_alg", report.jws_alg)
        .field("sha256_fingerprint", report.sha256.clone())
        .field("not_after", report.not_after.clone())
        .field("warnings", report.warnings.clone())
        .into()
}

/// The text report for a terminal.
#[must_use]
pub fn text(file: &Path, report: &VerifyReport) -> String {
    use core::fmt::Write as _;
    let mut o = format!("{}\n", file.display());
    for c in report.checks.iter() {
        let mark = if c.ok { "PASS" } else { "FAIL" };
        let _ = writeln!(o, "  {mark}  {:<24} {}", c.name, c.detail);
    }
    for w in &report.warnings {
        let _ = writeln!(o, "  warning: {w}");
    }
    let failed = report.failed().count();
    if failed == 0 {
        let _ = writeln!(
            o,
            "OK: the identity server can sign with this file (kid {})",
            report.kid.as_deref().unwrap_or("-")
        );
    } else {
        let _ = writeln!(o, "FAILED: {failed} of {} checks", report.checks.len());
    }
    o
}

/// Prints a report as text or JSON.
pub fn print(file: &Path, report: &VerifyReport, as_json: bool) {
    if as_json {
        outln!("{}", json(file, report).pretty());
    } else {
        out!("{}", text(file, report));
    }
}
