//! `pfxgen inspect FILE`: everything about a PFX, with verdicts.

use std::{ffi::OsString, path::PathBuf};

use pfxgen_pkcs12::{
    Attributes, BagReport, Content, EncryptionScheme, Limits, MacAlgorithm, MacStatus, Opened, Pfx,
};
use pfxgen_x509::{Certificate, ExtensionsReport, UtcTime, hex_upper};

use crate::{
    args::{self, Arg},
    error::Failure,
    json::{Json, Obj},
    loader::{self, Loaded, PasswordUse},
    password::PasswordArgs,
    verdict::{self, Verdict},
};

/// Runs `pfxgen inspect`.
///
/// # Errors
/// Exit 3 (wrong password), 4 (unreadable or damaged file), 6 (unsupported).
pub fn run(args: Vec<OsString>) -> Result<(), Failure> {
    let mut password = PasswordArgs::default();
    let mut json = false;
    let mut limits = Limits::default();
    let mut file: Option<PathBuf> = None;
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = args::next(&mut parser)? {
        if password.parse(&arg, &mut parser)? {
            continue;
        }
        match &arg {
            Arg::Long(n) if n == "json" => json = true,
            Arg::Long(n) if n == "max-work" => {
                let text = args::value_string(&mut parser, "--max-work")?;
                limits.max_work = args::parse_work(&text, "--max-work")?;
            }
            a if a.is_help() => {
                out!("{}\n{}", crate::help::INSPECT, crate::help::EXIT_CODES);
                return Ok(());
            }
            Arg::Value(v) if file.is_none() => file = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected()),
        }
    }
    let file = file.ok_or_else(|| Failure::usage("inspect needs a FILE"))?;
    let loaded = loader::load(&file, &password, false, &limits)?;
    let now = UtcTime::now()
        .ok_or_else(|| Failure::new(crate::Exit::Internal, "the system clock is unusable"))?;
    let report = build(&file.display().to_string(), &loaded, now);
    if json {
        outln!("{}", report.pretty());
    } else {
        out!("{}", render_text(&report));
    }
    Ok(())
}

fn scheme_json(s: &EncryptionScheme) -> Json {
    Obj::new()
        .field("description", s.to_string())
        .field("pbes2", s.is_pbes2())
        .field("cipher", s.cipher().name())
        .field("iterations", s.iterations())
        .into()
}

fn mac_json(pfx: &Pfx, status: Option<MacStatus>) -> Json {
    let Some(mac) = pfx.mac() else {
        return Obj::new().field("present", false).into();
    };
    let (kind, hash, salt_len) = match &mac.algorithm {
        MacAlgorithm::Pkcs12Hmac { hash, salt, .. } => {
            ("HMAC (PKCS#12 KDF)", hash.name().to_owned(), salt.len())
        }
        MacAlgorithm::Pbmac1 { hmac, kdf } => ("PBMAC1", hmac.name().to_owned(), kdf.salt.len()),
        _ => ("unknown", String::new(), 0),
    };
    let verified: Json = match status {
        Some(MacStatus::Verified(_)) => true.into(),
        _ => Json::Null,
    };
    let form: Json = match status {
        Some(MacStatus::Verified(f)) => f.describe().into(),
        _ => Json::Null,
    };
    Obj::new()
        .field("present", true)
        .field("algorithm", kind)
        .field("hash", hash)
        .field("iterations", mac.iterations())
        .field("salt_length", salt_len)
        .field("description", mac.algorithm.to_string())
        .field("verified", verified)
        .field("password_form", form)
        .into()
}

fn attributes_json(a: &Attributes) -> Json {
    Obj::new()
        .field("friendly_name", a.friendly_name.clone())
        .field("local_key_id", a.local_key_id.as_deref().map(hex_upper))
        .field(
            "other",
            a.other
                .iter()
                .map(|(o, n)| format!("{o} ({})", verdict::count(*n as u64, "value")))
                .collect::<Vec<_>>(),
        )
        .field("anomalies", a.anomalies.clone())
        .into()
}

fn extensions_json(e: &ExtensionsReport) -> Json {
    let bc: Json = e
        .basic_constraints
        .map(|(critical, ca, path_len)| {
            Obj::new()
                .field("critical", critical)
                .field("ca", ca)
                .field("path_len", path_len.map(u32::from))
                .into()
        })
        .unwrap_or(Json::Null);
    let usage = |u: &Option<(bool, Vec<String>)>| -> Json {
        u.as_ref()
            .map(|(critical, list)| {
                Obj::new()
                    .field("critical", *critical)
                    .field("usages", list.clone())
                    .into()
            })
            .unwrap_or(Json::Null)
    };
    Obj::new()
        .field("basic_constraints", bc)
        .field("key_usage", usage(&e.key_usage))
        .field("extended_key_usage", usage(&e.extended_key_usage))
        .field("subject_alt_names", e.subject_alt_names.clone())
        .field("subject_key_id", e.subject_key_id.clone())
        .field("authority_key_id", e.authority_key_id.clone())
        .field(
            "other",
            e.other
                .iter()
                .map(|(o, c)| {
                    if *c {
                        format!("{o} (critical)")
                    } else {
                        o.clone()
                    }
                })
                .collect::<Vec<_>>(),
        )
        .field(
            "malformed",
            e.malformed
                .iter()
                .map(|(o, p)| format!("{o}: {p}"))
                .collect::<Vec<_>>(),
        )
        .into()
}

fn public_key_description(cert: &Certificate) -> String {
    match cert.public_key() {
        Ok(k) => k.kind().to_string(),
        Err(e) => format!("unsupported: {e}"),
    }
}

fn certificate_json(cert: &Certificate, now: UtcTime) -> Obj {
    Obj::new()
        .field("subject", cert.subject())
        .field("issuer", cert.issuer())
        .field("serial", cert.serial_hex())
        .field("version", u32::from(cert.version()))
        .field("not_before", cert.not_before().to_string())
        .field("not_after", cert.not_after().to_string())
        .field("days_left", verdict::days_left(cert, now))
        .field("expired", now > cert.not_after())
        .field("signature_algorithm", cert.signature_algorithm_name())
        .field("public_key", public_key_description(cert))
        .field("sha1_thumbprint", hex_upper(&cert.sha1_thumbprint()))
        .field("sha256_fingerprint", hex_upper(&cert.sha256_fingerprint()))
        .field("self_signed", cert.is_self_issued())
        .field("ca", cert.is_ca())
        .field("extensions", extensions_json(cert.extensions()))
}

fn verdict_json(v: &Verdict) -> Obj {
    Obj::new()
        .field("ok", v.ok)
        .field("reasons", v.reasons.clone())
}

fn bag_json(b: &BagReport) -> Json {
    let encryption = b.bag_encryption.as_ref().or(b.content_encryption.as_ref());
    Obj::new()
        .field("index", b.index)
        .field("type", b.kind.name())
        .field("content_index", b.content_index)
        .field("nested", b.nested)
        .field(
            "encrypted_by",
            if b.bag_encryption.is_some() {
                "bag"
            } else if b.content_encryption.is_some() {
                "contents"
            } else {
                "none"
            },
        )
        .field("encryption", encryption.map_or(Json::Null, scheme_json))
        .field("attributes", attributes_json(&b.attributes))
        .into()
}

/// Builds the documented JSON report (the text output is rendered from it).
#[must_use]
pub fn build(file: &str, loaded: &Loaded, now: UtcTime) -> Json {
    let pfx = &loaded.pfx;
    let opened: Option<&Opened> = loaded.opened.as_ref();
    let passwordless = matches!(loaded.password_use, PasswordUse::EmptyWorked)
        || loaded
            .password
            .as_ref()
            .is_some_and(pfxgen_pkcs12::Password::is_empty);
    let mut root = Obj::new()
        .field("file", file)
        .field("size", loaded.bytes.len())
        .field("encoding", if pfx.was_ber() { "BER" } else { "DER" })
        .field(
            "password",
            match &loaded.password_use {
                PasswordUse::Given(_) => "given",
                PasswordUse::EmptyWorked => "empty (no password needed)",
                PasswordUse::NotGiven => "not given",
            },
        )
        .field("opened", opened.is_some())
        .field("mac", mac_json(pfx, opened.map(|o| o.mac)));

    let contents: Vec<Json> = pfx
        .contents()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (kind, enc, note): (&str, Json, Json) = match c {
                Content::Data { bags } => (
                    "data",
                    Json::Null,
                    format!(
                        "{} bag{} readable without a password",
                        bags.len(),
                        if bags.len() == 1 { "" } else { "s" }
                    )
                    .into(),
                ),
                Content::Encrypted { scheme: Ok(s), .. } => {
                    ("encryptedData", scheme_json(s), Json::Null)
                }
                Content::Encrypted { scheme: Err(d), .. } => (
                    "encryptedData",
                    Json::Null,
                    format!("unsupported encryption: {d}").into(),
                ),
                Content::Enveloped => (
                    "envelopedData",
                    Json::Null,
                    "public-key encrypted: not supported".into(),
                ),
                Content::Other { content_type } => {
                    ("other", Json::Null, content_type.clone().into())
                }
                _ => ("other", Json::Null, Json::Null),
            };
            Obj::new()
                .field("index", i)
                .field("type", kind)
                .field("encryption", enc)
                .field("note", note)
                .into()
        })
        .collect();
    root.push("contents", Json::Array(contents));

    let mut certificates = Vec::new();
    let mut keys = Vec::new();
    let mut chain_json = Json::Null;
    let mut end_entity = None;
    if let Some(o) = opened {
        root.push("bags", Json::Array(o.bags.iter().map(bag_json).collect()));
        end_entity = o.end_entity();
        for (i, entry) in o.certificates.iter().enumerate() {
            let obj = match &entry.certificate {
                Ok(cert) => certificate_json(cert, now),
                Err(e) => Obj::new().field("error", e.to_string()),
            };
            certificates.push(Json::from(
                obj.field("index", i)
                    .field("bag", entry.bag)
                    .field("end_entity", end_entity == Some(i)),
            ));
        }
        let pairs = o.key_certificates();
        for (i, entry) in o.keys.iter().enumerate() {
            let (kind, error): (Json, Json) = match &entry.key {
                Ok(k) => (k.kind().to_string().into(), Json::Null),
                Err(e) => (Json::Null, e.to_string().into()),
            };
            let bag_enc = o
                .bags
                .get(entry.bag)
                .and_then(|b| b.bag_encryption.as_ref());
            keys.push(Json::from(
                Obj::new()
                    .field("index", i)
                    .field("bag", entry.bag)
                    .field("type", kind)
                    .field("error", error)
                    .field("encryption", bag_enc.map_or(Json::Null, scheme_json))
                    .field("matches_certificate", pairs.get(i).copied().flatten())
                    .field(
                        "local_key_id",
                        entry.attributes.local_key_id.as_deref().map(hex_upper),
                    ),
            ));
        }
        if let Some(ee) = end_entity {
            let chain = o.chain(ee);
            chain_json = Obj::new()
                .field("certificates", chain.certificates.clone())
                .field(
                    "signatures_verify",
                    chain.signatures.iter().all(|s| *s == Some(true)),
                )
                .field("complete", chain.complete)
                .field("cycle", chain.cycle)
                .into();
        }
    } else {
        root.push("bags", Json::Null);
        for (i, cert) in pfx.unencrypted_certificates().iter().enumerate() {
            let obj = match cert {
                Ok(c) => certificate_json(c, now),
                Err(e) => Obj::new().field("error", e.to_string()),
            };
            certificates.push(Json::from(
                obj.field("index", i)
                    .field("bag", Json::Null)
                    .field("end_entity", Json::Null),
            ));
        }
    }
    root.push("certificates", Json::Array(certificates));
    root.push("keys", Json::Array(keys));
    root.push("chain", chain_json);

    let identity: Json = match opened {
        Some(o) => {
            let (v, alg) = verdict::identity_server(o);
            verdict_json(&v).field("jws_alg", alg).into()
        }
        None => Obj::new()
            .field("ok", Json::Null)
            .field("reasons", vec!["not opened: the password is needed"])
            .field("jws_alg", Json::Null)
            .into(),
    };
    let legacy = verdict::legacy_windows(pfx, opened);
    let (dotnet, total) = verdict::dotnet_limits(pfx, opened, passwordless);
    let mut warnings = verdict::weaknesses(pfx, opened, passwordless);
    if let (Some(o), Some(ee)) = (opened, end_entity) {
        if let Some(Ok(cert)) = o.certificates.get(ee).map(|c| c.certificate.as_ref()) {
            if let Some(p) = verdict::validity_problem(cert, now, 30) {
                warnings.push(format!("end-entity certificate {p}"));
            }
        }
    }
    if opened.is_none() {
        warnings
            .push("not opened: encrypted contents, keys and the MAC were not checked".to_owned());
    }
    root.push(
        "verdicts",
        Obj::new()
            .field("identity_server", identity)
            .field("legacy_windows_import", verdict_json(&legacy))
            .field(
                "dotnet_loader_limits",
                verdict_json(&dotnet).field("total_iterations", total),
            )
            .field("warnings", warnings),
    );
    root.into()
}

/// Looks up `key` in an object.
fn get<'a>(j: &'a Json, key: &str) -> &'a Json {
    match j {
        Json::Object(fields) => fields
            .iter()
            .find(|(k, _)| k == key)
            .map_or(&Json::Null, |(_, v)| v),
        _ => &Json::Null,
    }
}

fn s(j: &Json) -> String {
    match j {
        Json::Str(s) => s.clone(),
        Json::Int(n) => n.to_string(),
        Json::Bool(b) => b.to_string(),
        Json::Null => "-".to_owned(),
        Json::Array(items) => items.iter().map(s).collect::<Vec<_>>().join(", "),
        Json::Object(_) => "{..}".to_owned(),
    }
}

fn items(j: &Json) -> &[Json] {
    match j {
        Json::Array(v) => v,
        _ => &[],
    }
}

fn enc_text(j: &Json) -> String {
    match j {
        Json::Null => "not encrypted".to_owned(),
        other => s(get(other, "description")),
    }
}

/// Renders the report for a terminal.
#[must_use]
pub fn render_text(r: &Json) -> String {
    use core::fmt::Write as _;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "File:      {} ({} bytes, {})",
        s(get(r, "file")),
        s(get(r, "size")),
        s(get(r, "encoding"))
    );
    let _ = writeln!(o, "Password:  {}", s(get(r, "password")));
    let mac = get(r, "mac");
    if get(mac, "present") == &Json::Bool(true) {
        let verified = match get(mac, "verified") {
            Json::Bool(true) => format!("verified ({})", s(get(mac, "password_form"))),
            _ => "not verified".to_owned(),
        };
        let _ = writeln!(
            o,
            "MAC:       {} {}, {}, salt {} bytes: {verified}",
            s(get(mac, "algorithm")),
            s(get(mac, "hash")).to_ascii_uppercase(),
            match get(mac, "iterations") {
                Json::Int(n) => verdict::count(n.unsigned_abs(), "iteration"),
                n => format!("{} iterations", s(n)),
            },
            s(get(mac, "salt_length"))
        );
    } else {
        let _ = writeln!(o, "MAC:       none (integrity not protected)");
    }
    let _ = writeln!(o, "Contents:");
    for c in items(get(r, "contents")) {
        let note = get(c, "note");
        let _ = writeln!(
            o,
            "  #{} {}: {}{}",
            s(get(c, "index")),
            s(get(c, "type")),
            enc_text(get(c, "encryption")),
            if note == &Json::Null {
                String::new()
            } else {
                format!(" ({})", s(note))
            }
        );
    }
    if let Json::Array(bags) = get(r, "bags") {
        let _ = writeln!(o, "Bags:");
        for b in bags {
            let a = get(b, "attributes");
            let mut attrs = Vec::new();
            if let Json::Str(n) = get(a, "friendly_name") {
                attrs.push(format!("friendlyName {n:?}"));
            }
            if let Json::Str(id) = get(a, "local_key_id") {
                attrs.push(format!("localKeyId {id}"));
            }
            for other in items(get(a, "other")) {
                attrs.push(s(other));
            }
            for anomaly in items(get(a, "anomalies")) {
                attrs.push(format!("WARNING: {}", s(anomaly)));
            }
            let protection = match get(b, "encryption") {
                Json::Null => "not encrypted".to_owned(),
                e => format!("{} by {}", enc_text(e), s(get(b, "encrypted_by"))),
            };
            let _ = writeln!(
                o,
                "  bag {} {} in #{} ({protection}){}{}",
                s(get(b, "index")),
                s(get(b, "type")),
                s(get(b, "content_index")),
                if attrs.is_empty() { "" } else { "; " },
                attrs.join("; ")
            );
        }
    }
    for c in items(get(r, "certificates")) {
        let role = if get(c, "end_entity") == &Json::Bool(true) {
            " (end entity)"
        } else {
            ""
        };
        let _ = writeln!(o, "Certificate {}{role}:", s(get(c, "index")));
        if let Json::Str(e) = get(c, "error") {
            let _ = writeln!(o, "  cannot be read: {e}");
            continue;
        }
        let days = match get(c, "days_left") {
            Json::Int(d) if *d < 0 => "EXPIRED".to_owned(),
            Json::Int(0) => "less than a day left".to_owned(),
            Json::Int(1) => "1 day left".to_owned(),
            Json::Int(d) => format!("{d} days left"),
            _ => String::new(),
        };
        let _ = writeln!(o, "  Subject:     {}", s(get(c, "subject")));
        let _ = writeln!(o, "  Issuer:      {}", s(get(c, "issuer")));
        let _ = writeln!(o, "  Serial:      {}", s(get(c, "serial")));
        let _ = writeln!(
            o,
            "  Validity:    {} to {} ({days})",
            s(get(c, "not_before")),
            s(get(c, "not_after"))
        );
        let _ = writeln!(o, "  Signature:   {}", s(get(c, "signature_algorithm")));
        let _ = writeln!(o, "  Public key:  {}", s(get(c, "public_key")));
        // Only the end-entity certificate's thumbprint becomes the kid.
        let kid = if get(c, "end_entity") == &Json::Bool(true) {
            "  (kid)"
        } else {
            ""
        };
        let _ = writeln!(o, "  SHA-1:       {}{kid}", s(get(c, "sha1_thumbprint")));
        let _ = writeln!(o, "  SHA-256:     {}", s(get(c, "sha256_fingerprint")));
        let e = get(c, "extensions");
        if let bc @ Json::Object(_) = get(e, "basic_constraints") {
            let crit = if get(bc, "critical") == &Json::Bool(true) {
                "critical, "
            } else {
                ""
            };
            let ca = if get(bc, "ca") == &Json::Bool(true) {
                "CA:TRUE"
            } else {
                "CA:FALSE"
            };
            let path_len = match get(bc, "path_len") {
                Json::Int(n) => format!(", pathlen:{n}"),
                _ => String::new(),
            };
            let _ = writeln!(o, "  Basic constraints: {crit}{ca}{path_len}");
        }
        for (label, key) in [
            ("Key usage", "key_usage"),
            ("Extended key usage", "extended_key_usage"),
        ] {
            if let u @ Json::Object(_) = get(e, key) {
                let crit = if get(u, "critical") == &Json::Bool(true) {
                    "critical, "
                } else {
                    ""
                };
                let _ = writeln!(o, "  {label}: {crit}{}", s(get(u, "usages")));
            }
        }
        if !items(get(e, "subject_alt_names")).is_empty() {
            let _ = writeln!(o, "  Subject alt names: {}", s(get(e, "subject_alt_names")));
        }
        for (label, key) in [
            ("Subject key id", "subject_key_id"),
            ("Authority key id", "authority_key_id"),
        ] {
            if let Json::Str(v) = get(e, key) {
                let _ = writeln!(o, "  {label}: {v}");
            }
        }
        for other in items(get(e, "other")) {
            let _ = writeln!(o, "  Other extension: {}", s(other));
        }
        for m in items(get(e, "malformed")) {
            let _ = writeln!(o, "  WARNING: extension {}", s(m));
        }
    }
    for k in items(get(r, "keys")) {
        let what = match get(k, "error") {
            Json::Str(e) => format!("cannot be used: {e}"),
            _ => s(get(k, "type")),
        };
        let matches = match get(k, "matches_certificate") {
            Json::Int(i) => format!("matches certificate {i}"),
            _ => "matches no certificate".to_owned(),
        };
        let _ = writeln!(
            o,
            "Key {} (bag {}): {what}; {matches}",
            s(get(k, "index")),
            s(get(k, "bag"))
        );
    }
    if let chain @ Json::Object(_) = get(r, "chain") {
        let path = items(get(chain, "certificates"))
            .iter()
            .map(s)
            .collect::<Vec<_>>()
            .join(" -> ");
        let end = if get(chain, "cycle") == &Json::Bool(true) {
            "issuer cycle detected"
        } else if get(chain, "complete") == &Json::Bool(true) {
            "ends at a self-signed certificate"
        } else {
            "issuer not in the file"
        };
        let sigs = if get(chain, "signatures_verify") == &Json::Bool(true) {
            "signatures verify"
        } else {
            "a signature does not verify or could not be checked"
        };
        let _ = writeln!(o, "Chain:     certificate {path} ({end}; {sigs})");
    }
    let v = get(r, "verdicts");
    let _ = writeln!(o, "Verdicts:");
    let id = get(v, "identity_server");
    let id_text = match get(id, "ok") {
        Json::Bool(true) => format!("supported ({})", s(get(id, "jws_alg"))),
        Json::Bool(false) => format!(
            "NOT supported: {}",
            items(get(id, "reasons"))
                .iter()
                .map(s)
                .collect::<Vec<_>>()
                .join("; ")
        ),
        _ => "unknown (not opened)".to_owned(),
    };
    let _ = writeln!(o, "  Identity server:                 {id_text}");
    let legacy = get(v, "legacy_windows_import");
    let legacy_text = if get(legacy, "ok") == &Json::Bool(true) {
        "can import".to_owned()
    } else {
        format!(
            "cannot import: {}",
            items(get(legacy, "reasons"))
                .iter()
                .map(s)
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    let _ = writeln!(o, "  Windows Server 2016 / 10 < 1709: {legacy_text}");
    let dn = get(v, "dotnet_loader_limits");
    let dn_text = if get(dn, "ok") == &Json::Bool(true) {
        format!(
            "within ({} iterations in total)",
            s(get(dn, "total_iterations"))
        )
    } else {
        format!(
            "EXCEEDED: {}",
            items(get(dn, "reasons"))
                .iter()
                .map(s)
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    let _ = writeln!(o, "  .NET 9 default loader limits:    {dn_text}");
    let warnings = items(get(v, "warnings"));
    if !warnings.is_empty() {
        let _ = writeln!(o, "Warnings:");
        for w in warnings {
            let _ = writeln!(o, "  - {}", s(w));
        }
    }
    o
}
