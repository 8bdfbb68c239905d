//! Fuzz entry points (see `fuzz/`) for the CLI's own parsers.

#![allow(clippy::expect_used, clippy::panic)]

use crate::policy;

/// The password policy: never panics; an accepted password really meets
/// every rule it claims to check.
pub fn password_policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let problems = policy::check(text);
    if problems.is_empty() {
        assert!(text.chars().count() >= policy::MIN_LENGTH);
        assert!(text.chars().any(char::is_uppercase));
        assert!(text.chars().any(char::is_lowercase));
        assert!(text.chars().any(|c| c.is_ascii_digit()));
        assert!(text.chars().any(|c| !c.is_alphanumeric()));
    }
}

/// The appsettings.json editor: a document that parses can be edited; the
/// edit changes only the value (or only inserts the member), and reading
/// the result gives the new value.
pub fn appsettings_edit(data: &[u8]) {
    use crate::appsettings;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(entry) = appsettings::find(text) else {
        return;
    };
    // The nested-key search walks the same document: bounded and total, and
    // it never reports the top-level key.
    for path in appsettings::nested_keys(text) {
        assert!(
            path.contains('.') || path.contains('[') || path.contains(':'),
            "a top-level key was reported as nested: {path}"
        );
    }
    let new_value = ".\\pfx\\new \"cert\" €\u{1}.pfx";
    let out = appsettings::with_certificate_path(text, new_value)
        .expect("a valid document must be editable");
    let again = appsettings::find(&out).expect("the edited document must parse");
    assert_eq!(
        again.map(|e| e.value).as_deref(),
        Some(new_value),
        "the new value must read back"
    );
    match entry {
        Some(e) => {
            assert_eq!(
                out.get(..e.value_span.start),
                text.get(..e.value_span.start),
                "bytes before the value changed"
            );
            assert!(
                out.ends_with(text.get(e.value_span.end..).unwrap_or_default()),
                "bytes after the value changed"
            );
        }
        None => {
            // Only an insertion: a common prefix and suffix make up the original.
            let prefix = out
                .bytes()
                .zip(text.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let suffix = out
                .bytes()
                .rev()
                .zip(text.bytes().rev())
                .take_while(|(a, b)| a == b)
                .count();
            assert!(
                prefix + suffix >= text.len(),
                "the insertion changed existing bytes"
            );
        }
    }
}

/// The password map of `audit` and `jwks`: never panics; a map that parses
/// has only non-empty selectors without quotes inside, prints back (each
/// selector quoted whole) to a map that parses to the same rules, and its
/// first rule selects a file named by its selector.
pub fn password_map(data: &[u8]) {
    use pfxgen_core::audit::map::{MapSource, PasswordMap, Target};
    use std::path::Path;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(map) = PasswordMap::parse(text, Path::new("map")) else {
        return;
    };
    let lines = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim().starts_with('#'))
        .count();
    assert_eq!(map.rules.len(), lines, "every non-comment line is a rule");
    let mut printed = String::new();
    for rule in &map.rules {
        assert!(!rule.selector.is_empty() && !rule.selector.contains('"'));
        let source = match &rule.source {
            MapSource::Env(var) => format!("env:{var}"),
            MapSource::File(path) => format!("file:{}", path.display()),
            MapSource::Empty => "empty".to_owned(),
            MapSource::Unknown => "unknown".to_owned(),
            other => panic!("a source the map cannot print: {other:?}"),
        };
        printed.push_str(&format!("\"{}\" {source}\n", rule.selector));
    }
    let again = PasswordMap::parse(&printed, Path::new("map")).expect("a printed map parses");
    assert_eq!(again, map, "the printed map reads back the same");
    if let Some(first) = map.rules.first() {
        let names = [first.selector.as_str()];
        let target = Target {
            names: &names,
            path: Path::new(""),
            service_dir: None,
        };
        assert_eq!(map.source_for(&target), Some(&first.source));
    }
}
