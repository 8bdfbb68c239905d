//! `inspect`'s report as JSON (the documented format) and as text.

use core::fmt::Write as _;

use pfxgen_core::inspect::{
    CertificateDetails, CertificateReport, ChainReport, ContentReport, InspectReport, KeyReport,
    MacReport, Verdicts,
};
use pfxgen_pkcs12::{Attributes, BagReport, EncryptionScheme};
use pfxgen_x509::{ExtensionsReport, hex_upper};

use crate::{
    json::{Json, Obj},
    loader::PasswordUse,
    verdict::{self, Verdict},
};

fn password_text(p: &PasswordUse) -> &'static str {
    match p {
        PasswordUse::Given(_) => "given",
        PasswordUse::EmptyWorked => "empty (no password needed)",
        PasswordUse::NotGiven => "not given",
    }
}

/// The documented JSON report.
#[must_use]
pub fn json(r: &InspectReport) -> Json {
    let bags: Json = r.bags.as_ref().map_or(Json::Null, |bags| {
        Json::Array(bags.iter().map(bag_json).collect())
    });
    Obj::new()
        .field("file", r.file.as_str())
        .field("size", r.size)
        .field("encoding", if r.ber { "BER" } else { "DER" })
        .field("password", password_text(&r.password))
        .field("opened", r.opened)
        .field("mac", mac_json(r.mac.as_ref()))
        .field(
            "contents",
            Json::Array(r.contents.iter().map(content_json).collect()),
        )
        .field("bags", bags)
        .field(
            "certificates",
            Json::Array(r.certificates.iter().map(certificate_json).collect()),
        )
        .field("keys", Json::Array(r.keys.iter().map(key_json).collect()))
        .field("chain", r.chain.as_ref().map_or(Json::Null, chain_json))
        .field("verdicts", verdicts_json(&r.verdicts))
        .into()
}

fn scheme_json(s: &EncryptionScheme) -> Json {
    Obj::new()
        .field("description", s.to_string())
        .field("pbes2", s.is_pbes2())
        .field("cipher", s.cipher().name())
        .field("iterations", s.iterations())
        .into()
}

fn mac_json(mac: Option<&MacReport>) -> Json {
    let Some(mac) = mac else {
        return Obj::new().field("present", false).into();
    };
    Obj::new()
        .field("present", true)
        .field("algorithm", mac.algorithm)
        .field("hash", mac.hash.as_str())
        .field("iterations", mac.iterations)
        .field("salt_length", mac.salt_length)
        .field("description", mac.description.as_str())
        .field("verified", mac.verified.map(|_| true))
        .field("password_form", mac.verified)
        .into()
}

fn content_json(c: &ContentReport) -> Json {
    Obj::new()
        .field("index", c.index)
        .field("type", c.kind)
        .field(
            "encryption",
            c.encryption.as_ref().map_or(Json::Null, scheme_json),
        )
        .field("note", c.note.clone())
        .into()
}

fn attributes_json(a: &Attributes) -> Json {
    Obj::new()
        .field("friendly_name", a.friendly_name.clone())
        .field("local_key_id", a.local_key_id.as_deref().map(hex_upper))
        .field("other", other_attributes(a))
        .field("anomalies", a.anomalies.clone())
        .into()
}

fn other_attributes(a: &Attributes) -> Vec<String> {
    a.other
        .iter()
        .map(|(o, n)| format!("{o} ({})", verdict::count(*n as u64, "value")))
        .collect()
}

/// `bag` or `contents`: what encrypts a bag; `none`.
fn encrypted_by(b: &BagReport) -> &'static str {
    if b.bag_encryption.is_some() {
        "bag"
    } else if b.content_encryption.is_some() {
        "contents"
    } else {
        "none"
    }
}

fn bag_json(b: &BagReport) -> Json {
    let encryption = b.bag_encryption.as_ref().or(b.content_encryption.as_ref());
    Obj::new()
        .field("index", b.index)
        .field("type", b.kind.name())
        .field("content_index", b.content_index)
        .field("nested", b.nested)
        .field("encrypted_by", encrypted_by(b))
        .field("encryption", encryption.map_or(Json::Null, scheme_json))
        .field("attributes", attributes_json(&b.attributes))
        .into()
}

fn usage_json(u: Option<&(bool, Vec<String>)>) -> Json {
    u.map_or(Json::Null, |(critical, list)| {
        Obj::new()
            .field("critical", *critical)
            .field("usages", list.clone())
            .into()
    })
}

fn other_extensions(e: &ExtensionsReport) -> Vec<String> {
    e.other
        .iter()
        .map(|(o, c)| {
            if *c {
                format!("{o} (critical)")
            } else {
                o.clone()
            }
        })
        .collect()
}

fn malformed_extensions(e: &ExtensionsReport) -> Vec<String> {
    e.malformed
        .iter()
        .map(|(o, p)| format!("{o}: {p}"))
        .collect()
}

fn extensions_json(e: &ExtensionsReport) -> Json {
    let bc: Json = e
        .basic_constraints
        .map_or(Json::Null, |(critical, ca, path_len)| {
            Obj::new()
                .field("critical", critical)
                .field("ca", ca)
                .field("path_len", path_len.map(u32::from))
                .into()
        });
    Obj::new()
        .field("basic_constraints", bc)
        .field("key_usage", usage_json(e.key_usage.as_ref()))
        .field(
            "extended_key_usage",
            usage_json(e.extended_key_usage.as_ref()),
        )
        .field("subject_alt_names", e.subject_alt_names.clone())
        .field("subject_key_id", e.subject_key_id.clone())
        .field("authority_key_id", e.authority_key_id.clone())
        .field("other", other_extensions(e))
        .field("malformed", malformed_extensions(e))
        .into()
}

fn details_json(d: &CertificateDetails) -> Obj {
    Obj::new()
        .field("subject", d.subject.as_str())
        .field("issuer", d.issuer.as_str())
        .field("serial", d.serial.as_str())
        .field("version", u32::from(d.version))
        .field("not_before", d.not_before.as_str())
        .field("not_after", d.not_after.as_str())
        .field("days_left", d.days_left)
        .field("expired", d.expired)
        .field("signature_algorithm", d.signature_algorithm.as_str())
        .field("public_key", d.public_key.as_str())
        .field("sha1_thumbprint", d.sha1_thumbprint.as_str())
        .field("sha256_fingerprint", d.sha256_fingerprint.as_str())
        .field("self_signed", d.self_signed)
        .field("ca", d.ca)
        .field("extensions", extensions_json(&d.extensions))
}

fn certificate_json(c: &CertificateReport) -> Json {
    let obj = match &c.details {
        Ok(d) => details_json(d),
        Err(e) => Obj::new().field("error", e.as_str()),
    };
    obj.field("index", c.index)
        .field("bag", c.bag)
        .field("end_entity", c.end_entity)
        .into()
}

fn key_json(k: &KeyReport) -> Json {
    Obj::new()
        .field("index", k.index)
        .field("bag", k.bag)
        .field("type", k.kind.as_ref().ok().cloned())
        .field("error", k.kind.as_ref().err().cloned())
        .field(
            "encryption",
            k.encryption.as_ref().map_or(Json::Null, scheme_json),
        )
        .field("matches_certificate", k.matches_certificate)
        .field("local_key_id", k.local_key_id.clone())
        .into()
}

fn chain_json(c: &ChainReport) -> Json {
    Obj::new()
        .field("certificates", c.certificates.clone())
        .field("signatures_verify", c.signatures_verify)
        .field("complete", c.complete)
        .field("cycle", c.cycle)
        .into()
}

fn verdict_json(v: &Verdict) -> Obj {
    Obj::new()
        .field("ok", v.ok)
        .field("reasons", v.reasons.clone())
}

fn verdicts_json(v: &Verdicts) -> Json {
    let identity = Obj::new()
        .field("ok", v.identity_server)
        .field("reasons", v.identity_reasons.clone())
        .field("jws_alg", v.jws_alg);
    Obj::new()
        .field("identity_server", identity)
        .field(
            "legacy_windows_import",
            verdict_json(&v.legacy_windows_import),
        )
        .field(
            "dotnet_loader_limits",
            verdict_json(&v.dotnet_loader_limits).field("total_iterations", v.total_iterations),
        )
        .field("warnings", v.warnings.clone())
        .into()
}

/// Renders the report for a terminal.
#[must_use]
pub fn text(r: &InspectReport) -> String {
    let mut o = String::new();
    header_text(&mut o, r);
    if let Some(bags) = &r.bags {
        bags_text(&mut o, bags);
    }
    for c in &r.certificates {
        certificate_text(&mut o, c);
    }
    for k in &r.keys {
        key_text(&mut o, k);
    }
    if let Some(chain) = &r.chain {
        chain_text(&mut o, chain);
    }
    verdicts_text(&mut o, &r.verdicts);
    o
}

fn header_text(o: &mut String, r: &InspectReport) {
    let encoding = if r.ber { "BER" } else { "DER" };
    let _ = writeln!(o, "File:      {} ({} bytes, {encoding})", r.file, r.size);
    let _ = writeln!(o, "Password:  {}", password_text(&r.password));
    match &r.mac {
        Some(mac) => {
            let verified = match mac.verified {
                Some(form) => format!("verified ({form})"),
                None => "not verified".to_owned(),
            };
            let _ = writeln!(
                o,
                "MAC:       {} {}, {}, salt {} bytes: {verified}",
                mac.algorithm,
                mac.hash.to_ascii_uppercase(),
                verdict::count(u64::from(mac.iterations), "iteration"),
                mac.salt_length
            );
        }
        None => {
            let _ = writeln!(o, "MAC:       none (integrity not protected)");
        }
    }
    contents_text(o, &r.contents);
}

fn contents_text(o: &mut String, contents: &[ContentReport]) {
    let _ = writeln!(o, "Contents:");
    for c in contents {
        let note = c
            .note
            .as_ref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let encryption = match (&c.encryption, c.kind) {
            (Some(e), _) => e.to_string(),
            (None, "data" | "other") => "not encrypted".to_owned(),
            // encryptedData with a scheme pfxgen does not know, envelopedData.
            (None, _) => "encrypted".to_owned(),
        };
        let _ = writeln!(o, "  #{} {}: {encryption}{note}", c.index, c.kind);
    }
}

fn bags_text(o: &mut String, bags: &[BagReport]) {
    let _ = writeln!(o, "Bags:");
    for b in bags {
        let a = &b.attributes;
        let mut attrs = Vec::new();
        if let Some(n) = &a.friendly_name {
            attrs.push(format!("friendlyName {n:?}"));
        }
        if let Some(id) = &a.local_key_id {
            attrs.push(format!("localKeyId {}", hex_upper(id)));
        }
        attrs.extend(other_attributes(a));
        attrs.extend(a.anomalies.iter().map(|x| format!("WARNING: {x}")));
        let protection = match b.bag_encryption.as_ref().or(b.content_encryption.as_ref()) {
            None => "not encrypted".to_owned(),
            Some(e) => format!("{e} by {}", encrypted_by(b)),
        };
        let _ = writeln!(
            o,
            "  bag {} {} in #{} ({protection}){}{}",
            b.index,
            b.kind.name(),
            b.content_index,
            if attrs.is_empty() { "" } else { "; " },
            attrs.join("; ")
        );
    }
}

fn certificate_text(o: &mut String, c: &CertificateReport) {
    let ee = c.end_entity == Some(true);
    let role = if ee { " (end entity)" } else { "" };
    let _ = writeln!(o, "Certificate {}{role}:", c.index);
    let d = match &c.details {
        Ok(d) => d,
        Err(e) => {
            let _ = writeln!(o, "  cannot be read: {e}");
            return;
        }
    };
    let days = match d.days_left {
        n if n < 0 => "EXPIRED".to_owned(),
        0 => "less than a day left".to_owned(),
        1 => "1 day left".to_owned(),
        n => format!("{n} days left"),
    };
    let _ = writeln!(o, "  Subject:     {}", d.subject);
    let _ = writeln!(o, "  Issuer:      {}", d.issuer);
    let _ = writeln!(o, "  Serial:      {}", d.serial);
    let _ = writeln!(
        o,
        "  Validity:    {} to {} ({days})",
        d.not_before, d.not_after
    );
    let _ = writeln!(o, "  Signature:   {}", d.signature_algorithm);
    let _ = writeln!(o, "  Public key:  {}", d.public_key);
    // Only the end-entity certificate's thumbprint becomes the kid.
    let kid = if ee { "  (kid)" } else { "" };
    let _ = writeln!(o, "  SHA-1:       {}{kid}", d.sha1_thumbprint);
    let _ = writeln!(o, "  SHA-256:     {}", d.sha256_fingerprint);
    extensions_text(o, &d.extensions);
}

fn critical(c: bool) -> &'static str {
    if c { "critical, " } else { "" }
}

fn extensions_text(o: &mut String, e: &ExtensionsReport) {
    if let Some((crit, ca, path_len)) = e.basic_constraints {
        let ca = if ca { "CA:TRUE" } else { "CA:FALSE" };
        let path_len = path_len
            .map(|n| format!(", pathlen:{n}"))
            .unwrap_or_default();
        let _ = writeln!(o, "  Basic constraints: {}{ca}{path_len}", critical(crit));
    }
    for (label, usage) in [
        ("Key usage", &e.key_usage),
        ("Extended key usage", &e.extended_key_usage),
    ] {
        if let Some((crit, list)) = usage {
            let _ = writeln!(o, "  {label}: {}{}", critical(*crit), list.join(", "));
        }
    }
    if !e.subject_alt_names.is_empty() {
        let _ = writeln!(o, "  Subject alt names: {}", e.subject_alt_names.join(", "));
    }
    for (label, id) in [
        ("Subject key id", &e.subject_key_id),
        ("Authority key id", &e.authority_key_id),
    ] {
        if let Some(v) = id {
            let _ = writeln!(o, "  {label}: {v}");
        }
    }
    for other in other_extensions(e) {
        let _ = writeln!(o, "  Other extension: {other}");
    }
    for m in malformed_extensions(e) {
        let _ = writeln!(o, "  WARNING: extension {m}");
    }
}

fn key_text(o: &mut String, k: &KeyReport) {
    let what = match &k.kind {
        Err(e) => format!("cannot be used: {e}"),
        Ok(kind) => kind.clone(),
    };
    let matches = match k.matches_certificate {
        Some(i) => format!("matches certificate {i}"),
        None => "matches no certificate".to_owned(),
    };
    let _ = writeln!(o, "Key {} (bag {}): {what}; {matches}", k.index, k.bag);
}

fn chain_text(o: &mut String, chain: &ChainReport) {
    let path = chain
        .certificates
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" -> ");
    let end = if chain.cycle {
        "issuer cycle detected"
    } else if chain.complete {
        "ends at a self-signed certificate"
    } else {
        "issuer not in the file"
    };
    let sigs = if chain.signatures_verify {
        "signatures verify"
    } else {
        "a signature does not verify or could not be checked"
    };
    let _ = writeln!(o, "Chain:     certificate {path} ({end}; {sigs})");
}

fn verdicts_text(o: &mut String, v: &Verdicts) {
    let _ = writeln!(o, "Verdicts:");
    let id_text = match v.identity_server {
        Some(true) => format!("supported ({})", v.jws_alg.unwrap_or("-")),
        Some(false) => format!("NOT supported: {}", v.identity_reasons.join("; ")),
        None => "unknown (not opened)".to_owned(),
    };
    let _ = writeln!(o, "  Identity server:                 {id_text}");
    let legacy = &v.legacy_windows_import;
    let legacy_text = if legacy.ok {
        "can import".to_owned()
    } else {
        format!("cannot import: {}", legacy.reasons.join("; "))
    };
    let _ = writeln!(o, "  Windows Server 2016 / 10 < 1709: {legacy_text}");
    let dn = &v.dotnet_loader_limits;
    let dn_text = if dn.ok {
        format!("within ({} iterations in total)", v.total_iterations)
    } else {
        format!("EXCEEDED: {}", dn.reasons.join("; "))
    };
    let _ = writeln!(o, "  .NET 9 default loader limits:    {dn_text}");
    if !v.warnings.is_empty() {
        let _ = writeln!(o, "Warnings:");
        for w in &v.warnings {
            let _ = writeln!(o, "  - {w}");
        }
    }
}
