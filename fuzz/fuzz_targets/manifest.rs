//! Fuzz target: `pfxgen_core::fuzzing::manifest`.
#![no_main]
#![forbid(unsafe_code)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pfxgen_core::fuzzing::manifest(data));
