//! Fuzz target: `pfxgen_pkcs12::fuzzing::pem_bundle`.
#![no_main]
#![forbid(unsafe_code)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| pfxgen_pkcs12::fuzzing::pem_bundle(data));
