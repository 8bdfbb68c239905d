//! The shared test support (crates/test-support, package
//! `pfxgen-test-support`), under the name these modules import it by.

#[cfg(target_os = "linux")]
pub use pfxgen_test_support::terminal::{under_terminal, under_terminal_env};
pub use pfxgen_test_support::{
    Run, STRONG, TempDir, assert_same, fixtures, is_root, mode, open, pfxgen, pfxgen_bin,
    pfxgen_with, snapshot,
};

/// The support crate finds the binary next to the test executable; cargo
/// tells the cli's own tests where it is: they must be the same file, or
/// the suite would drive a stale binary.
#[test]
fn the_support_crate_drives_the_binary_cargo_built() {
    let canonical = |p: &std::path::Path| std::fs::canonicalize(p).expect("canonicalize");
    assert_eq!(
        canonical(&pfxgen_bin()),
        canonical(std::path::Path::new(env!("CARGO_BIN_EXE_pfxgen")))
    );
}
