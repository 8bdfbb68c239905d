//! Fuzz target: `pfxgen::fuzzing::appsettings_edit`.
#![no_main]
#![forbid(unsafe_code)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pfxgen::fuzzing::appsettings_edit(data));
