//! `jwks`' report: the JWK Set as JSON on standard output, the notes on
//! standard error.

use pfxgen_core::jose::{
    jwk::{Jwk, Jwks},
    jwks::{JwksNote, JwksReport},
};

use crate::json::{Json, Obj};

/// One key, members in the documented order.
#[must_use]
pub fn jwk(key: &Jwk) -> Json {
    let mut obj = Obj::new()
        .field("kty", key.kty)
        .field("use", "sig")
        .field("alg", key.alg)
        .field("kid", key.kid.as_str())
        .field("x5t", key.x5t.as_str())
        .field("x5t#S256", key.x5t_s256.as_str())
        .field("x5c", key.x5c.clone());
    for (k, v) in &key.members {
        obj.push(k, v.as_str());
    }
    if let Some(t) = &key.thumbprint {
        obj.push("jwk_thumbprint", t.as_str());
    }
    obj.into()
}

/// The JWK Set: `{"keys": [...]}`.
#[must_use]
pub fn json(jwks: &Jwks) -> Json {
    Obj::new()
        .field("keys", Json::Array(jwks.keys.iter().map(jwk).collect()))
        .into()
}

/// A note as the line printed on standard error.
#[must_use]
pub fn note(n: &JwksNote) -> String {
    match n {
        JwksNote::EmptyPasswordMac { file } => format!(
            "warning: {file}: its MAC is keyed with the empty password, which anyone can \
             recompute after changing the file: make sure this is the certificate you mean \
             to publish"
        ),
        JwksNote::IssuerNotPublished {
            file,
            index,
            subject,
        } => format!(
            "note: {file}: certificate {index} ({subject}) issued another certificate in the \
             file; as a CA it is not published"
        ),
        JwksNote::Repeated { file, kid } => {
            format!("note: {file}: kid {kid} is already in the set, not repeated")
        }
        _ => format!("note: {n:?}"),
    }
}

/// Prints the notes, then the set.
pub fn print(report: &JwksReport) {
    for n in &report.notes {
        eprintln!("{}", note(n));
    }
    outln!("{}", json(&report.jwks).pretty());
}
