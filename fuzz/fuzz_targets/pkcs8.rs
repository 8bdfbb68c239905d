//! Fuzz target: `pfxgen_keygen::fuzzing::pkcs8` (PKCS#8 and SubjectPublicKeyInfo).
#![no_main]
#![forbid(unsafe_code)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pfxgen_keygen::fuzzing::pkcs8(data));
