//! Fuzz target: pfxgen's PBKDF2 and PKCS#12 KDF (driven through the hash
//! crates' compression functions) against independent implementations: the
//! `pbkdf2` crate over the `hmac` crate, and RFC 7292 Appendix B.2 written
//! out over `Digest`. Any difference is a crash. The target and its oracles
//! are `crates/pkcs12/tests/common/kdf_oracles.rs` (input layout there),
//! which `crates/pkcs12/tests/kdf.rs` also uses, replaying this corpus.
#![no_main]
#![forbid(unsafe_code)]

#[path = "../../crates/pkcs12/tests/common/kdf_oracles.rs"]
mod kdf_oracles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| kdf_oracles::differential(data));
