//! The identity server's rules (docs/consumers.md, "The identity server"):
//! one private key matching its certificate, a key and signature the
//! token libraries accept (RSA of at least 2048 bits; ECDSA only with the
//! hash of its curve), and no SHA-1 signature.

use pfxgen_keygen::{Curve, HashAlgorithm, KeyKind, SignatureAlgorithm};
use pfxgen_pkcs12::Opened;
use pfxgen_x509::Certificate;

use super::verdict::Verdict;

/// Whether the identity server can sign with this file, and the JWS `alg`
/// it would use.
#[must_use]
pub fn identity_server(opened: &Opened) -> (Verdict, Option<&'static str>) {
    let mut reasons = Vec::new();
    let mut alg = None;
    match opened.keys.len() {
        0 => reasons.push("the file holds no private key".to_owned()),
        1 => {}
        n => reasons.push(format!(
            "the file holds {n} private keys; the identity server needs exactly one"
        )),
    }
    let pairs = opened.key_certificates();
    if let Some(entry) = opened.keys.first() {
        match &entry.key {
            Err(e) => reasons.push(format!("the private key cannot be used: {e}")),
            Ok(key) => {
                if let Some(r) = key_problem(key.kind()) {
                    reasons.push(r);
                } else {
                    alg = Some(key.jws_algorithm().name());
                }
                match pairs.first().copied().flatten() {
                    None => reasons
                        .push("the private key matches no certificate in the file".to_owned()),
                    Some(i) => {
                        if let Some(Ok(cert)) =
                            opened.certificates.get(i).map(|c| c.certificate.as_ref())
                        {
                            reasons.extend(signature_problems(opened, i, cert, key.kind()));
                        }
                    }
                }
            }
        }
    }
    if reasons.is_empty() {
        (Verdict::from_reasons(reasons), alg)
    } else {
        (Verdict::from_reasons(reasons), None)
    }
}

/// Why a key type cannot sign tokens, if it cannot.
#[must_use]
pub fn key_problem(kind: KeyKind) -> Option<String> {
    match kind {
        KeyKind::Rsa { bits } if bits < 2048 => Some(format!(
            "RSA {bits}: the identity server refuses RSA keys under 2048 bits for signing"
        )),
        _ => None,
    }
}

/// Whether `hash` is the one the identity server pairs with `curve`.
fn curve_hash_ok(curve: Curve, hash: HashAlgorithm) -> bool {
    curve.hash() == hash
}

/// Problems with how certificate `index` is signed: the algorithm must be
/// one the identity server accepts, and an ECDSA signature must use the hash
/// that goes with the signer's curve (P-256/SHA-256, P-384/SHA-384,
/// P-521/SHA-512).
fn signature_problems(
    opened: &Opened,
    index: usize,
    cert: &Certificate,
    own_kind: KeyKind,
) -> Vec<String> {
    let mut out = Vec::new();
    let alg = match cert.signature_algorithm() {
        Ok(a) => a,
        Err(_) => {
            out.push(format!(
                "the certificate is signed with {}, which the identity server does not accept",
                cert.signature_algorithm_name()
            ));
            return out;
        }
    };
    if alg == SignatureAlgorithm::RsaPkcs1Sha1 {
        out.push(
            "the certificate is signed with SHA-1 (sha1WithRSAEncryption), which is not accepted"
                .to_owned(),
        );
    }
    // The signer: the key itself when self-signed, else the issuer in the file.
    let signer = if cert.is_self_issued() {
        Some(own_kind)
    } else {
        let chain = opened.chain(index);
        chain
            .certificates
            .get(1)
            .and_then(|&j| opened.certificates.get(j))
            .and_then(|c| c.certificate.as_ref().ok())
            .and_then(|c| c.public_key().ok())
            .map(|k| k.kind())
    };
    match (signer, alg.is_rsa()) {
        (Some(KeyKind::Ec(curve)), false) if !curve_hash_ok(curve, alg.hash()) => out.push(format!(
            "the certificate is signed by a {curve} key with {}; the identity server accepts {curve} only with {}",
            alg.hash().name(),
            curve.hash().name()
        )),
        (Some(KeyKind::Rsa { bits }), true) if bits < 2048 => {
            out.push(format!("the certificate is signed by an RSA {bits} key; at least 2048 bits are required"));
        }
        (Some(kind), is_rsa) if matches!(kind, KeyKind::Rsa { .. }) != is_rsa => {
            out.push(format!("the signature algorithm {} does not fit the signing {kind} key", alg.name()));
        }
        _ => {}
    }
    out
}

/// Whether the identity server could sign with the key of `cert`, judged
/// from the certificate alone (for `audit`, which decrypts no keys): the key
/// type and size, and the signature algorithm (for a self-signed
/// certificate, the hash that goes with its curve).
#[must_use]
pub fn certificate_support(cert: &Certificate) -> Verdict {
    let mut reasons = Vec::new();
    let kind = match cert.public_key() {
        Ok(k) => Some(k.kind()),
        Err(e) => {
            reasons.push(format!("key: {e}"));
            None
        }
    };
    if let Some(r) = kind.and_then(key_problem) {
        reasons.push(r);
    }
    match cert.signature_algorithm() {
        Err(_) => reasons.push(format!(
            "signed with {}, which the identity server does not accept",
            cert.signature_algorithm_name()
        )),
        Ok(SignatureAlgorithm::RsaPkcs1Sha1) => reasons.push("SHA-1 signature".to_owned()),
        Ok(alg) => {
            if let (true, Some(KeyKind::Ec(curve)), false) =
                (cert.is_self_issued(), kind, alg.is_rsa())
            {
                if !curve_hash_ok(curve, alg.hash()) {
                    reasons.push(format!("{curve} key signed with {}", alg.hash().name()));
                }
            }
        }
    }
    Verdict::from_reasons(reasons)
}
