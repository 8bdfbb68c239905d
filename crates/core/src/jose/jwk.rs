//! The JWK (RFC 7517) of a token-signing certificate, as the identity
//! server publishes it, and the JWK Set.
//!
//! Each key: `kty`, `use: "sig"`, `alg` (RS256 / ES256 / ES384 / ES512 from
//! the key), `kid` (SHA-1 thumbprint, upper-case hex, as IdentityServer
//! uses), `x5t` (base64url SHA-1 of the DER), `x5t#S256`, `x5c` (standard
//! base64 DER), and `e`/`n` or `crv`/`x`/`y`; optionally the RFC 7638 JWK
//! thumbprint (as the extra member `jwk_thumbprint`, which JWKS readers
//! ignore). Only public material: there is no place for a private member.

use pfxgen_keygen::{JwkParams, KeyKind, PublicKey};
use pfxgen_x509::Certificate;
use sha2::{Digest as _, Sha256};

use crate::{
    jose::{b64, jwt},
    service::jsonc,
};

/// One published key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jwk {
    /// `kty`: `RSA` or `EC`.
    pub kty: &'static str,
    /// `alg`: the JWS algorithm of the key.
    pub alg: &'static str,
    /// `kid`: SHA-1 thumbprint, upper-case hex.
    pub kid: String,
    /// `x5t`: base64url SHA-1 of the certificate.
    pub x5t: String,
    /// `x5t#S256`: base64url SHA-256 of the certificate.
    pub x5t_s256: String,
    /// `x5c`: the certificate, standard base64 DER.
    pub x5c: Vec<String>,
    /// The key's own members, in RFC 7638 order without `kty` (`e`, `n`;
    /// or `crv`, `x`, `y`).
    pub members: Vec<(&'static str, String)>,
    /// The RFC 7638 thumbprint, when asked for.
    pub thumbprint: Option<String>,
}

/// A JWK Set: `{"keys": [...]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Jwks {
    /// The keys, in the order published.
    pub keys: Vec<Jwk>,
}

/// The members of a JWK that RFC 7638 hashes, in order.
fn required_members(public: &PublicKey) -> Vec<(&'static str, String)> {
    match public.jwk_params() {
        JwkParams::Rsa { n, e } => vec![
            ("e", b64::url(&e)),
            ("kty", "RSA".to_owned()),
            ("n", b64::url(&n)),
        ],
        JwkParams::Ec { curve, x, y } => vec![
            ("crv", curve.name().to_owned()),
            ("kty", "EC".to_owned()),
            ("x", b64::url(&x)),
            ("y", b64::url(&y)),
        ],
        _ => Vec::new(),
    }
}

/// The RFC 7638 thumbprint: base64url(SHA-256) of the required members in
/// lexicographic order, as compact JSON.
#[must_use]
pub fn rfc7638_thumbprint(members: &[(&str, String)]) -> String {
    let json: String = members
        .iter()
        .map(|(k, v)| format!("{}:{}", jsonc::quote(k), jsonc::quote(v)))
        .collect::<Vec<_>>()
        .join(",");
    b64::url(&Sha256::digest(format!("{{{json}}}").as_bytes()))
}

impl Jwk {
    /// The JWK of a certificate.
    ///
    /// # Errors
    /// A description when the key type is not one the identity server uses.
    pub fn of(cert: &Certificate, with_thumbprint: bool) -> Result<Self, String> {
        let public = cert.public_key().map_err(|e| e.to_string())?;
        let kind = public.kind();
        if let KeyKind::Rsa { bits } = kind {
            if bits < 2048 {
                return Err(format!(
                    "RSA {bits} keys are refused for signing by the identity server"
                ));
            }
        }
        let ids = jwt::key_ids(cert);
        let required = required_members(&public);
        let thumbprint = with_thumbprint.then(|| rfc7638_thumbprint(&required));
        Ok(Self {
            kty: kind.jwk_kty(),
            alg: kind.jws_algorithm().name(),
            kid: ids.kid,
            x5t: ids.x5t,
            x5t_s256: ids.x5t_s256,
            x5c: vec![b64::standard(cert.der())],
            members: required.into_iter().filter(|(k, _)| *k != "kty").collect(),
            thumbprint,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7638 Section 3.1: the thumbprint of the example RSA key.
    #[test]
    fn rfc7638_example() {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let members = [
            ("e", "AQAB".to_owned()),
            ("kty", "RSA".to_owned()),
            ("n", n.to_owned()),
        ];
        assert_eq!(
            rfc7638_thumbprint(&members),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
