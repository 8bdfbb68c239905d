//! Fuzz entry point (see `fuzz/`): certificate decoding.

use crate::Certificate;

/// Decodes a certificate and exercises every accessor; a certificate that
/// decodes re-encodes its TBSCertificate to bytes found in the input.
pub fn certificate(data: &[u8]) {
    let Ok(cert) = Certificate::from_der(data) else {
        return;
    };
    let _ = (
        cert.subject(),
        cert.issuer(),
        cert.serial_hex(),
        cert.common_name(),
        cert.version(),
    );
    let _ = (cert.not_before().to_string(), cert.not_after().to_string());
    let _ = (
        cert.signature_algorithm_name(),
        cert.signature_algorithm(),
        cert.extensions(),
        cert.is_ca(),
    );
    let _ = (
        cert.sha1_thumbprint(),
        cert.sha256_fingerprint(),
        cert.is_self_issued(),
    );
    assert!(
        data.windows(cert.tbs_der().len())
            .any(|w| w == cert.tbs_der()),
        "TBSCertificate not taken from the input"
    );
    if let Ok(key) = cert.public_key() {
        let _ = cert.verify_signature(&key);
        let _ = key.jwk_params();
    }
}
