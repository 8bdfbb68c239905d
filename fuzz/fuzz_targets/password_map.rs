//! Fuzz target: `pfxgen::fuzzing::password_map`.
#![no_main]
#![forbid(unsafe_code)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pfxgen::fuzzing::password_map(data));
