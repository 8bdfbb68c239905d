//! The token-signing self-test: a JWT signed the way the identity server
//! signs access tokens, verified with the certificate's public key.
//!
//! Header: `{"alg":"RS256|ES256|ES384|ES512","kid":"<SHA-1 thumbprint, upper
//! hex>","typ":"at+jwt","x5t":"<base64url SHA-1>"}`; ECDSA signatures in the
//! JWS `r || s` form (RFC 7518 Section 3.4).

use pfxgen_keygen::{PrivateKey, PublicKey};
use pfxgen_x509::{Certificate, UtcTime, hex_upper};

use crate::{
    jose::b64,
    json::{Json, Obj},
};

/// The identifiers the identity server publishes for a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyIds {
    /// `kid`: SHA-1 thumbprint, upper-case hex.
    pub kid: String,
    /// `x5t`: base64url SHA-1 of the DER.
    pub x5t: String,
    /// `x5t#S256`: base64url SHA-256 of the DER.
    pub x5t_s256: String,
}

/// The `kid`, `x5t` and `x5t#S256` of a certificate.
#[must_use]
pub fn key_ids(cert: &Certificate) -> KeyIds {
    KeyIds {
        kid: hex_upper(&cert.sha1_thumbprint()),
        x5t: b64::url(&cert.sha1_thumbprint()),
        x5t_s256: b64::url(&cert.sha256_fingerprint()),
    }
}

/// A signed test token and what verifying it showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelfTest {
    /// The compact JWS.
    pub token: String,
    /// The `alg` used.
    pub alg: &'static str,
}

/// Signs a test JWT with `key` and verifies it with `public` (the
/// certificate's key).
///
/// # Errors
/// A description of what failed: signing, or verification.
pub fn self_test(
    key: &PrivateKey,
    cert: &Certificate,
    public: &PublicKey,
    now: UtcTime,
) -> Result<SelfTest, String> {
    let ids = key_ids(cert);
    let alg = key.jws_algorithm();
    let header: Json = Obj::new()
        .field("alg", alg.name())
        .field("kid", ids.kid.as_str())
        .field("typ", "at+jwt")
        .field("x5t", ids.x5t.as_str())
        .into();
    let payload: Json = Obj::new()
        .field("iss", "urn:pfxgen:self-test")
        .field("sub", "pfxgen")
        .field("iat", now.unix())
        .field("exp", now.unix() + 60)
        .into();
    let compact = |j: &Json| j.pretty().split('\n').map(str::trim).collect::<String>();
    let signing_input = format!(
        "{}.{}",
        b64::url(compact(&header).as_bytes()),
        b64::url(compact(&payload).as_bytes())
    );
    let signature = key
        .sign_jws(signing_input.as_bytes())
        .map_err(|e| format!("signing failed: {e}"))?;
    public
        .verify_jws(alg, signing_input.as_bytes(), &signature)
        .map_err(|e| format!("the certificate's public key does not verify the token: {e}"))?;
    Ok(SelfTest {
        token: format!("{signing_input}.{}", b64::url(&signature)),
        alg: alg.name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pfxgen_keygen::KeyAlgorithm;
    use pfxgen_x509::CertificateParams;

    #[test]
    fn self_test_passes_for_the_right_key_and_fails_for_another() {
        for alg in [
            KeyAlgorithm::Rsa2048,
            KeyAlgorithm::EcdsaP256,
            KeyAlgorithm::EcdsaP384,
            KeyAlgorithm::EcdsaP521,
        ] {
            let key = PrivateKey::generate(alg).unwrap();
            let cert = CertificateParams::default().self_signed(&key).unwrap();
            let now = UtcTime::now().unwrap();
            let t = self_test(&key, &cert, &cert.public_key().unwrap(), now).unwrap();
            assert_eq!(t.token.split('.').count(), 3);
            let other = PrivateKey::generate(alg).unwrap();
            assert!(self_test(&other, &cert, &cert.public_key().unwrap(), now).is_err());
        }
    }
}
