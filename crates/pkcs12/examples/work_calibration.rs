//! Measures what one unit of the work budget ([`pfxgen_pkcs12::Limits::max_work`],
//! one SHA-256 compression) costs on this machine, and what each hash's
//! compression function costs relative to it. SECURITY.md quotes its output.
//!
//! ```text
//! cargo run --release -p pfxgen-pkcs12 --example work_calibration
//! ```
//!
//! Times are CPU time of this process (from `/proc/self/stat` on Linux, so a
//! busy machine does not inflate them; wall-clock time elsewhere).

use std::time::Instant;

use pfxgen_pkcs12::kdf::{Hash, pbkdf2};

/// CPU seconds used by this process so far, if the OS tells us.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses): state is
    // field 3, utime 14 and stime 15, in clock ticks (100 per second).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn main() {
    let iterations = 2_000_000u32;
    let mut sha256_ns = 0.0;
    for hash in [Hash::Sha1, Hash::Sha256, Hash::Sha384, Hash::Sha512] {
        // One PBKDF2 output block costs two compressions per iteration.
        let len = hash.output_len();
        let (cpu0, wall0) = (cpu_seconds(), Instant::now());
        let out = pbkdf2(hash, b"password", b"saltsaltsaltsalt", iterations, len);
        std::hint::black_box(out);
        let seconds = match (cpu0, cpu_seconds()) {
            (Some(a), Some(b)) => b - a,
            _ => wall0.elapsed().as_secs_f64(),
        };
        let ns = seconds * 1e9 / (2.0 * f64::from(iterations));
        if hash == Hash::Sha256 {
            sha256_ns = ns;
        }
        println!(
            "{:>7}: {:6.1} ns per compression ({:.2} s for PBKDF2 at {iterations} iterations)",
            hash.name(),
            ns,
            seconds
        );
    }
    println!(
        "one SHA-256 compression: {sha256_ns:.1} ns; one second of CPU: {:.1} million",
        1e3 / sha256_ns
    );
}
