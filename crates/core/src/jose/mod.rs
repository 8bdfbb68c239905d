//! JOSE: base64url, JWK thumbprints and the signed-JWT self-test.

pub mod b64;
pub mod jwt;
