//! Fuzz target: `pfxgen_x509::fuzzing::certificate`.
#![no_main]
#![forbid(unsafe_code)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pfxgen_x509::fuzzing::certificate(data));
