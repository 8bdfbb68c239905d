//! A small JSON writer for `--json` output (RFC 8259).
//!
//! Output only: keys keep insertion order (the documented field order),
//! strings are escaped per RFC 8259 Section 7, numbers are integers.

use core::fmt::Write as _;

/// A JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, fields in order.
    Object(Vec<(String, Json)>),
}

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Self::Str(s.to_owned())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Self {
        Self::Str(s)
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl From<i64> for Json {
    fn from(n: i64) -> Self {
        Self::Int(n)
    }
}

impl From<u32> for Json {
    fn from(n: u32) -> Self {
        Self::Int(i64::from(n))
    }
}

impl From<usize> for Json {
    fn from(n: usize) -> Self {
        Self::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<u64> for Json {
    fn from(n: u64) -> Self {
        Self::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl<T: Into<Json>> From<Option<T>> for Json {
    fn from(o: Option<T>) -> Self {
        o.map_or(Self::Null, Into::into)
    }
}

impl<T: Into<Json>> From<Vec<T>> for Json {
    fn from(v: Vec<T>) -> Self {
        Self::Array(v.into_iter().map(Into::into).collect())
    }
}

/// Builds an object field by field.
#[derive(Clone, Debug, Default)]
pub struct Obj(Vec<(String, Json)>);

impl Obj {
    /// An empty object.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a field.
    #[must_use]
    pub fn field(mut self, key: &str, value: impl Into<Json>) -> Self {
        self.0.push((key.to_owned(), value.into()));
        self
    }

    /// The fields, in order.
    #[must_use]
    pub fn into_fields(self) -> Vec<(String, Json)> {
        self.0
    }

    /// Adds a field in place.
    pub fn push(&mut self, key: &str, value: impl Into<Json>) {
        self.0.push((key.to_owned(), value.into()));
    }
}

impl From<Obj> for Json {
    fn from(o: Obj) -> Self {
        Self::Object(o.0)
    }
}

fn escape(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{7F}' || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl Json {
    /// Pretty-printed with two-space indentation.
    #[must_use]
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, indent: usize) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Self::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Self::Str(s) => escape(out, s),
            Self::Array(items) => write_block(out, indent, ('[', ']'), items, |out, item| {
                item.write(out, indent + 2);
            }),
            Self::Object(fields) => write_block(out, indent, ('{', '}'), fields, |out, (k, v)| {
                escape(out, k);
                out.push_str(": ");
                v.write(out, indent + 2);
            }),
        }
    }
}

/// Writes `items` between `open` and `close`, one a line at `indent + 2`
/// (each by `item`) with commas between; `[]` or `{}` when there are none.
fn write_block<T>(
    out: &mut String,
    indent: usize,
    (open, close): (char, char),
    items: &[T],
    mut item: impl FnMut(&mut String, &T),
) {
    let pad = |out: &mut String, n: usize| out.extend(core::iter::repeat_n(' ', n));
    out.push(open);
    if !items.is_empty() {
        out.push('\n');
        for (i, one) in items.iter().enumerate() {
            pad(out, indent + 2);
            item(out, one);
            if i + 1 < items.len() {
                out.push(',');
            }
            out.push('\n');
        }
        pad(out, indent);
    }
    out.push(close);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_nests() {
        let j: Json = Obj::new()
            .field("s", "a\"b\\c\nd\u{1}é")
            .field("n", 42i64)
            .field("none", Option::<String>::None)
            .field("list", vec!["x", "y"])
            .field("empty", Vec::<String>::new())
            .field("bare", Obj::new())
            .into();
        assert_eq!(
            j.pretty(),
            "{\n  \"s\": \"a\\\"b\\\\c\\nd\\u0001é\",\n  \"n\": 42,\n  \"none\": null,\n  \"list\": [\n    \"x\",\n    \"y\"\n  ],\n  \"empty\": [],\n  \"bare\": {}\n}"
        );
    }
}
