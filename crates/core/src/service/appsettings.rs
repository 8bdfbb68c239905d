//! The identity service's `appsettings.json`: where it says the certificate
//! is (`X509CertificatePath`), and changing only that value.
//!
//! The edit replaces the bytes of one JSON string and nothing else, so
//! comments (which .NET allows), key order, indentation, CRLF line ends and
//! a UTF-8 byte-order mark all survive byte for byte. When the key is absent
//! it is inserted as the first member of the top-level object, indented and
//! line-ended like its neighbours.

use std::{
    ops::Range,
    path::{Path, PathBuf},
};

use crate::service::jsonc::{self, Value};

/// The configuration key (matched case-insensitively, as .NET does).
pub const KEY: &str = "X509CertificatePath";
/// The file name, relative to the service folder.
pub const FILE_NAME: &str = "appsettings.json";
/// The certificate's default name when the key is absent.
pub const DEFAULT_CERTIFICATE: &str = "openssl.pfx";
/// Largest appsettings.json read.
pub const MAX_SIZE: u64 = 10 * 1024 * 1024;

/// The `X509CertificatePath` member as found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The value, unescaped.
    pub value: String,
    /// The byte range of the value's string literal (quotes included).
    pub value_span: Range<usize>,
}

/// Finds `X509CertificatePath` at the top level.
///
/// # Errors
/// The document is not valid JSON(C), its top level is not an object, the
/// key appears more than once, or its value is not a string.
pub fn find(text: &str) -> Result<Option<Entry>, String> {
    let doc = jsonc::parse(text).map_err(|e| format!("{FILE_NAME} is not valid JSON: {e}"))?;
    let Value::Object(members) = &doc.value else {
        return Err(format!("{FILE_NAME} is not a JSON object"));
    };
    let mut found: Option<Entry> = None;
    for (key, _, value) in members {
        if !key.eq_ignore_ascii_case(KEY) {
            continue;
        }
        if found.is_some() {
            return Err(format!(
                "{KEY} appears more than once in {FILE_NAME}; fix it by hand first"
            ));
        }
        let Value::String(s) = &value.value else {
            return Err(format!("{KEY} in {FILE_NAME} is not a string"));
        };
        found = Some(Entry {
            value: s.clone(),
            value_span: value.span.clone(),
        });
    }
    Ok(found)
}

/// Where `X509CertificatePath` appears below the top level (as dotted
/// paths such as `Signing.X509CertificatePath`, array items as `[n]`, or a
/// .NET section key such as `Signing:X509CertificatePath`): the
/// vendor documents the top-level key, so a nested one alone means pfxgen
/// cannot know which file the service uses. Empty for text that is not JSON.
#[must_use]
pub fn nested_keys(text: &str) -> Vec<String> {
    let Ok(doc) = jsonc::parse(text) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    // (node, its path, depth): the parser bounds the depth already.
    let mut stack = vec![(&doc, String::new(), 0usize)];
    while let Some((node, path, depth)) = stack.pop() {
        match &node.value {
            Value::Object(members) => {
                for (key, _, value) in members {
                    let here = if depth == 0 {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    // .NET configuration reads `"A:B"` as B inside section A.
                    let in_section = key
                        .rsplit_once(':')
                        .is_some_and(|(_, last)| last.eq_ignore_ascii_case(KEY));
                    if in_section || (depth > 0 && key.eq_ignore_ascii_case(KEY)) {
                        found.push(here.clone());
                    }
                    stack.push((value, here, depth + 1));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((item, format!("{path}[{i}]"), depth + 1));
                }
            }
            _ => {}
        }
    }
    found.sort();
    found
}

/// Returns `text` with `X509CertificatePath` set to `new_value`: the old
/// string literal replaced, or the member inserted if absent.
///
/// # Errors
/// As for [`find`].
pub fn with_certificate_path(text: &str, new_value: &str) -> Result<String, String> {
    let literal = jsonc::quote(new_value);
    if let Some(entry) = find(text)? {
        let mut out = String::with_capacity(text.len() + literal.len());
        out.push_str(text.get(..entry.value_span.start).unwrap_or_default());
        out.push_str(&literal);
        out.push_str(text.get(entry.value_span.end..).unwrap_or_default());
        return Ok(out);
    }
    let doc = jsonc::parse(text).map_err(|e| format!("{FILE_NAME} is not valid JSON: {e}"))?;
    let Value::Object(members) = &doc.value else {
        return Err(format!("{FILE_NAME} is not a JSON object"));
    };
    let brace = doc.span.start; // the '{'
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let insert_at = brace + 1;
    let insertion = match members.first() {
        Some((_, key_span, _)) => {
            // The white space between the previous line end and the first key.
            let before = text.get(..key_span.start).unwrap_or_default();
            let indent: String = before
                .chars()
                .rev()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            let on_own_line = before.trim_end_matches([' ', '\t']).ends_with('\n');
            if on_own_line {
                format!("{newline}{indent}\"{KEY}\": {literal},")
            } else {
                format!(" \"{KEY}\": {literal},")
            }
        }
        None => format!("{newline}  \"{KEY}\": {literal}{newline}"),
    };
    let mut out = String::with_capacity(text.len() + insertion.len());
    out.push_str(text.get(..insert_at).unwrap_or_default());
    out.push_str(&insertion);
    out.push_str(text.get(insert_at..).unwrap_or_default());
    Ok(out)
}

/// Resolves a configured certificate path against the service folder.
/// Relative paths are relative to `service_dir`; Windows-style separators
/// (`.\pfx\win\openssl.pfx`) are understood on every system.
///
/// # Errors
/// An empty value, or a Windows absolute path (`C:\...`, `\\server\...`)
/// on a system that cannot use one.
pub fn resolve(service_dir: &Path, value: &str) -> Result<PathBuf, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("{KEY} is empty"));
    }
    if cfg!(windows) {
        let p = Path::new(value);
        return Ok(if p.is_absolute() {
            p.to_path_buf()
        } else {
            service_dir.join(p)
        });
    }
    let bytes = value.as_bytes();
    let drive = bytes.len() >= 3
        && bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.get(1) == Some(&b':')
        && matches!(bytes.get(2), Some(b'\\' | b'/'));
    if drive || value.starts_with("\\\\") {
        return Err(format!(
            "{KEY} is the Windows path {value:?}, which this system cannot open"
        ));
    }
    let normalised = value.replace('\\', "/");
    let p = Path::new(&normalised);
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    let relative: PathBuf = p
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    Ok(service_dir.join(relative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_keys_are_listed_with_their_paths() {
        let text = "{ // comment\n \"Signing\": { \"X509CertificatePath\": \"a.pfx\" },\n \"List\": [ { \"x509certificatepath\": 1 } ] }";
        assert_eq!(
            nested_keys(text),
            vec!["List[0].x509certificatepath", "Signing.X509CertificatePath"]
        );
        assert!(nested_keys("{ \"X509CertificatePath\": \"a.pfx\" }").is_empty());
        assert!(nested_keys("not json").is_empty());
        assert_eq!(
            nested_keys("{ \"Signing:X509CertificatePath\": \"x.pfx\" }"),
            vec!["Signing:X509CertificatePath"]
        );
        // An empty parent key still shows as nested.
        assert_eq!(
            nested_keys("{ \"\": { \"X509CertificatePath\": 1 } }"),
            vec![".X509CertificatePath"]
        );
    }

    const SAMPLE: &str = "\u{FEFF}{\r\n  // The identity service\r\n  \"DbProvider\": \"MsSql\",\r\n  \"X509CertificatePath\": \".\\\\pfx\\\\win\\\\certificateDirectory\\\\openssl.pfx\",\r\n  \"Clients\": [ { \"ClientId\": \"app\" } ],\r\n  /* cache */ \"RedisConnection\": \"localhost:6379\",\r\n  \"Logging\": { \"LogLevel\": { \"Default\": \"Warning\" } },\r\n}\r\n";

    #[test]
    fn finds_windows_style_relative_path() {
        let e = find(SAMPLE).unwrap().unwrap();
        assert_eq!(e.value, ".\\pfx\\win\\certificateDirectory\\openssl.pfx");
        let p = resolve(Path::new("/srv/id"), &e.value).unwrap();
        assert_eq!(
            p,
            Path::new("/srv/id/pfx/win/certificateDirectory/openssl.pfx")
        );
    }

    #[test]
    fn edit_changes_only_the_value() {
        let out = with_certificate_path(SAMPLE, "certs\\new.pfx").unwrap();
        let e = find(SAMPLE).unwrap().unwrap();
        assert_eq!(out[..e.value_span.start], SAMPLE[..e.value_span.start]);
        assert!(out.ends_with(&SAMPLE[e.value_span.end..]));
        assert_eq!(find(&out).unwrap().unwrap().value, "certs\\new.pfx");
        assert!(out.contains("\"X509CertificatePath\": \"certs\\\\new.pfx\","));
    }

    #[test]
    fn inserts_when_absent_with_matching_style() {
        let src = "{\r\n    \"DbProvider\": \"Postgres\"\r\n}\r\n";
        let out = with_certificate_path(src, "openssl.pfx").unwrap();
        assert_eq!(
            out,
            "{\r\n    \"X509CertificatePath\": \"openssl.pfx\",\r\n    \"DbProvider\": \"Postgres\"\r\n}\r\n"
        );
        let out = with_certificate_path("{}", "a.pfx").unwrap();
        assert_eq!(find(&out).unwrap().unwrap().value, "a.pfx");
        let out = with_certificate_path("{\"a\": 1}", "a.pfx").unwrap();
        assert_eq!(out, "{ \"X509CertificatePath\": \"a.pfx\",\"a\": 1}");
    }

    #[test]
    fn refuses_ambiguous_or_invalid_configuration() {
        assert!(
            find("{\"X509CertificatePath\": \"a\", \"x509certificatepath\": \"b\"}")
                .unwrap_err()
                .contains("more than once")
        );
        assert!(
            find("{\"X509CertificatePath\": 5}")
                .unwrap_err()
                .contains("not a string")
        );
        assert!(find("[1]").unwrap_err().contains("not a JSON object"));
        assert!(find("{\"a\": }").unwrap_err().contains("not valid JSON"));
    }

    #[test]
    fn resolves_paths() {
        let dir = Path::new("/srv/id");
        assert_eq!(
            resolve(dir, "openssl.pfx").unwrap(),
            Path::new("/srv/id/openssl.pfx")
        );
        assert_eq!(
            resolve(dir, "/etc/pfx/a.pfx").unwrap(),
            Path::new("/etc/pfx/a.pfx")
        );
        if !cfg!(windows) {
            assert!(resolve(dir, "C:\\certs\\a.pfx").is_err());
            assert!(resolve(dir, "\\\\server\\share\\a.pfx").is_err());
        }
        assert!(resolve(dir, "  ").is_err());
    }
}
