//! The password map of `audit` and `jwks`: which password opens which file,
//! without a password ever being written in it.
//!
//! One rule per line, `SELECTOR SOURCE`, first match wins; `#` starts a
//! comment. SELECTOR is `*`, an instance's name (its service folder's
//! name, or the distinguishing path `audit` shows), or a path (a file, or a
//! folder above the files); it may be quoted as a whole (`"/srv/my app"`).
//! SOURCE is `env:VARIABLE`, `file:PATH`, `empty` (or `none`) or `unknown`.

use std::path::{Path, PathBuf};

use pfxgen_pkcs12::Password;

use crate::files::readfile::read_regular;

/// Largest password map read (a map is a few lines per environment).
pub const MAX_MAP_SIZE: u64 = 1024 * 1024;

/// Where the password of the files a rule selects comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MapSource {
    /// `env:VARIABLE`: the value of an environment variable.
    Env(String),
    /// `file:PATH`: a one-line password file.
    File(PathBuf),
    /// `empty` (or `none`): the empty password.
    Empty,
    /// `unknown`: no password is known; only what is readable without one.
    Unknown,
}

/// One line of the map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// `*`, an instance name or a path.
    pub selector: String,
    /// Where the password comes from.
    pub source: MapSource,
}

/// What a rule is matched against: a file and how it was found.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    /// The names the file goes by (the service folder's name, the
    /// distinguishing path shown, the path as given).
    pub names: &'a [&'a str],
    /// The file.
    pub path: &'a Path,
    /// The service folder it was found through, if any.
    pub service_dir: Option<&'a Path>,
}

/// A parsed password map.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PasswordMap {
    /// The rules, in file order (first match wins).
    pub rules: Vec<Rule>,
}

/// Why a password map cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MapError {
    /// The file could not be read (missing, not a regular file, too large,
    /// not UTF-8).
    Read {
        /// The map's path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A line is not `SELECTOR SOURCE`.
    Syntax {
        /// The map's path (or name).
        origin: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        problem: &'static str,
    },
}

impl core::fmt::Display for MapError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Read { path, reason } => write!(
                f,
                "cannot read the password map {}: {reason}",
                path.display()
            ),
            Self::Syntax {
                origin,
                line,
                problem,
            } => write!(f, "{} line {line}: {problem}", origin.display()),
        }
    }
}

impl std::error::Error for MapError {}

/// Resolves a rule's source into a password. The library never reads the
/// environment or a password file by itself: the binary implements this.
pub trait MapSecrets: Sync {
    /// The password `source` names ([`MapSource::Env`] or
    /// [`MapSource::File`]; the others never reach it).
    ///
    /// # Errors
    /// A message naming the variable or file that could not be used.
    fn resolve(&self, source: &MapSource) -> Result<Password, String>;
}

/// The passwords to try on a file, and whether they are known (from a
/// rule) rather than guessed (the empty password tried by default).
#[derive(Debug)]
pub struct Candidates {
    /// Passwords to try, in order.
    pub passwords: Vec<Password>,
    /// Whether they come from a rule.
    pub known: bool,
}

impl PasswordMap {
    /// Reads and parses the map at `path` (a regular file of at most
    /// [`MAX_MAP_SIZE`] bytes, UTF-8).
    ///
    /// # Errors
    /// [`MapError`] naming the file, or the line and its problem.
    pub fn read(path: &Path) -> Result<Self, MapError> {
        let bytes = read_regular(path, MAX_MAP_SIZE).map_err(|e| MapError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| MapError::Read {
            path: path.to_path_buf(),
            reason: "it is not UTF-8".to_owned(),
        })?;
        Self::parse(&text, path)
    }

    /// Parses a map's text; `origin` names it in errors.
    ///
    /// # Errors
    /// [`MapError::Syntax`] for the first bad line.
    pub fn parse(text: &str, origin: &Path) -> Result<Self, MapError> {
        let mut rules = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let rule = parse_rule(line).map_err(|problem| MapError::Syntax {
                origin: origin.to_path_buf(),
                line: n + 1,
                problem,
            })?;
            rules.push(rule);
        }
        Ok(Self { rules })
    }

    /// The source of the first rule that selects `target`.
    #[must_use]
    pub fn source_for(&self, target: &Target<'_>) -> Option<&MapSource> {
        self.rules
            .iter()
            .find(|r| r.matches(target))
            .map(|r| &r.source)
    }

    /// The passwords to try on `target`: the empty one (guessed) when no
    /// rule selects it, none for `unknown`.
    ///
    /// # Errors
    /// The resolver's message (an unset variable, an unreadable file).
    pub fn candidates(
        &self,
        target: &Target<'_>,
        secrets: &dyn MapSecrets,
    ) -> Result<Candidates, String> {
        let (passwords, known) = match self.source_for(target) {
            None => (vec![Password::empty()], false),
            Some(MapSource::Empty) => (vec![Password::empty()], true),
            Some(MapSource::Unknown) => (Vec::new(), false),
            Some(source) => (vec![secrets.resolve(source)?], true),
        };
        Ok(Candidates { passwords, known })
    }
}

/// One non-comment line.
fn parse_rule(line: &str) -> Result<Rule, &'static str> {
    let (selector, source) = line
        .rsplit_once(char::is_whitespace)
        .ok_or("expected SELECTOR SOURCE")?;
    let selector = unquote(selector.trim())?;
    if selector.contains('"') {
        return Err("a quote inside the selector (quote the whole selector, once)");
    }
    let source = parse_source(source)?;
    if selector.is_empty() {
        return Err("empty selector");
    }
    Ok(Rule {
        selector: selector.to_owned(),
        source,
    })
}

fn unquote(selector: &str) -> Result<&str, &'static str> {
    const UNBALANCED: &str = "unbalanced quotes in the selector";
    match (selector.starts_with('"'), selector.ends_with('"')) {
        (false, false) => Ok(selector),
        (true, true) if selector.len() >= 2 => {
            selector.get(1..selector.len() - 1).ok_or(UNBALANCED)
        }
        _ => Err(UNBALANCED),
    }
}

fn parse_source(source: &str) -> Result<MapSource, &'static str> {
    Ok(match source {
        "empty" | "none" => MapSource::Empty,
        "unknown" => MapSource::Unknown,
        s if s.starts_with("env:") => MapSource::Env(s.trim_start_matches("env:").to_owned()),
        s if s.starts_with("file:") => {
            MapSource::File(PathBuf::from(s.trim_start_matches("file:")))
        }
        _ => {
            return Err(
                "SOURCE must be env:VARIABLE, file:PATH, empty or unknown (passwords are never written in the map)",
            );
        }
    })
}

/// `p` made absolute and free of links where it exists; as given otherwise.
#[must_use]
pub fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

impl Rule {
    /// Whether this rule selects `target`: `*`, one of its names, or a path
    /// at or above the file or its service folder.
    #[must_use]
    pub fn matches(&self, target: &Target<'_>) -> bool {
        if self.selector == "*" || target.names.contains(&self.selector.as_str()) {
            return true;
        }
        let sel = absolute(Path::new(&self.selector));
        absolute(target.path).starts_with(&sel)
            || target
                .service_dir
                .is_some_and(|d| absolute(d).starts_with(&sel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PasswordMap, MapError> {
        PasswordMap::parse(text, Path::new("map"))
    }

    #[test]
    fn password_map_syntax() {
        let map = parse(
            "# comment\n/srv/prod env:PROD_PW\n\"/srv/my test\" file:/run/secrets/test\n* empty\nlegacy unknown\n",
        )
        .unwrap();
        let rules = &map.rules;
        assert_eq!(rules.len(), 4);
        assert_eq!(rules[0].source, MapSource::Env("PROD_PW".into()));
        assert_eq!(rules[1].selector, "/srv/my test");
        assert!(
            parse("/srv pass:hunter2\n").is_err(),
            "inline passwords refused"
        );
        assert!(parse("justone\n").is_err());
        for unbalanced in [
            "\"/srv/a env:X\n",
            "/srv/a\" env:X\n",
            "\" env:X\n",
            "sp\" ace env:X\n",
        ] {
            assert!(parse(unbalanced).is_err(), "{unbalanced}");
        }
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("* empty\n\nx pass:y\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "map line 3: SOURCE must be env:VARIABLE, file:PATH, empty or unknown (passwords are never written in the map)"
        );
    }

    #[test]
    fn first_match_wins_by_name_or_star() {
        let map = parse("eu/prod env:EU\nprod env:ANY\n* unknown\n").unwrap();
        let target = |names: &'static [&'static str]| Target {
            names,
            path: Path::new("/nonexistent/openssl.pfx"),
            service_dir: None,
        };
        assert_eq!(
            map.source_for(&target(&["prod", "eu/prod"])),
            Some(&MapSource::Env("EU".into()))
        );
        assert_eq!(
            map.source_for(&target(&["prod", "us/prod"])),
            Some(&MapSource::Env("ANY".into()))
        );
        assert_eq!(map.source_for(&target(&["dev"])), Some(&MapSource::Unknown));
    }
}
