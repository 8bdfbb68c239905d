//! JOSE: base64url, the JWK and JWK Set of `jwks` with RFC 7638
//! thumbprints, and the signed-JWT self-test.

pub mod b64;
pub mod jwk;
pub mod jwks;
pub mod jwt;
