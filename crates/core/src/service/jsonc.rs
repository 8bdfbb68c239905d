//! A JSON reader that keeps byte positions, for editing `appsettings.json`
//! without disturbing anything but one value, and for reading rotation
//! manifests.
//!
//! It accepts what .NET's configuration loader accepts: RFC 8259 JSON plus
//! `//` and `/* */` comments and trailing commas, after an optional UTF-8
//! byte-order mark. It rejects everything else with the line and column.

use core::{fmt, ops::Range};

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 128;

/// A JSON value with the byte range it occupies in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Its bytes in the source (for strings: including the quotes).
    pub span: Range<usize>,
}

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object: `(key, key span, value)` in source order.
    Object(Vec<(String, Range<usize>, Node)>),
}

/// A syntax error with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for JsonError {}

impl Node {
    /// The value of member `key` of an object (exact key match).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(members) => members.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

/// Length of a leading UTF-8 byte-order mark, if any.
#[must_use]
pub fn bom_len(src: &str) -> usize {
    if src.starts_with('\u{FEFF}') { 3 } else { 0 }
}

/// Parses a complete document.
///
/// # Errors
/// A [`JsonError`] with the position of the first problem.
pub fn parse(src: &str) -> Result<Node, JsonError> {
    let mut p = Parser {
        src,
        bytes: src.as_bytes(),
        pos: bom_len(src),
    };
    p.skip_ws()?;
    let node = p.value(0)?;
    p.skip_ws()?;
    if p.pos != p.bytes.len() {
        return Err(p.error("unexpected text after the end of the document"));
    }
    Ok(node)
}

impl Parser<'_> {
    fn error(&self, message: &str) -> JsonError {
        let before = self.src.get(..self.pos).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        JsonError {
            offset: self.pos,
            line,
            column,
            message: message.to_owned(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Skips white space and comments.
    fn skip_ws(&mut self) -> Result<(), JsonError> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') => match self.bytes.get(self.pos + 1) {
                    Some(b'/') => {
                        while let Some(b) = self.peek() {
                            if b == b'\n' {
                                break;
                            }
                            self.pos += 1;
                        }
                    }
                    Some(b'*') => {
                        let start = self.pos;
                        self.pos += 2;
                        loop {
                            match self.peek() {
                                None => {
                                    self.pos = start;
                                    return Err(self.error("unterminated /* comment"));
                                }
                                Some(b'*') if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                                    self.pos += 2;
                                    break;
                                }
                                Some(_) => self.pos += 1,
                            }
                        }
                    }
                    _ => return Err(self.error("unexpected '/'")),
                },
                _ => return Ok(()),
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        let start = self.pos;
        let value = match self.peek() {
            None => return Err(self.error("unexpected end of the document")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.error("expected a value")),
        };
        Ok(Node {
            value,
            span: start..self.pos,
        })
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos - s
        };
        let int_start = self.pos;
        if digits(self) == 0 {
            return Err(self.error("malformed number"));
        }
        if self.bytes.get(int_start) == Some(&b'0') && self.pos - int_start > 1 {
            return Err(self.error("leading zero in a number"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.error("malformed number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error("malformed number"));
            }
        }
        Ok(Value::Number(
            self.src.get(start..self.pos).unwrap_or_default().to_owned(),
        ))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let text = self
            .src
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("truncated \\u escape"))?;
        let v = u32::from_str_radix(text, 16).map_err(|_| self.error("bad \\u escape"))?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error("bad \\u escape"));
        }
        self.pos += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.pos;
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let Some(b) = self.peek() else {
                self.pos = start;
                return Err(self.error("unterminated string"));
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let esc = self.peek().ok_or_else(|| self.error("truncated escape"))?;
                    self.pos += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{C}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let first = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&first) {
                                if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err(self.error("unpaired surrogate in \\u escape"));
                                }
                                self.pos += 2;
                                let second = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&second) {
                                    return Err(self.error("unpaired surrogate in \\u escape"));
                                }
                                char::from_u32(
                                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00),
                                )
                            } else {
                                char::from_u32(first)
                            };
                            out.push(
                                c.ok_or_else(|| self.error("unpaired surrogate in \\u escape"))?,
                            );
                        }
                        _ => return Err(self.error("unknown escape")),
                    }
                }
                0x00..=0x1F => return Err(self.error("control character in a string")),
                _ => {
                    let rest = self.src.get(self.pos..).unwrap_or_default();
                    let c = rest
                        .chars()
                        .next()
                        .ok_or_else(|| self.error("unterminated string"))?;
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws()?;
            if self.peek() == Some(b']') {
                self.pos += 1;
                return Ok(Value::Array(items));
            }
            items.push(self.value(depth + 1)?);
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut members = Vec::new();
        loop {
            self.skip_ws()?;
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                Some(b'"') => {}
                _ => return Err(self.error("expected a quoted key or '}'")),
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = key_start..self.pos;
            self.skip_ws()?;
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':'"));
            }
            self.pos += 1;
            self.skip_ws()?;
            let value = self.value(depth + 1)?;
            members.push((key, key_span, value));
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }
}

/// Encodes `s` as a JSON string literal (quotes included). Non-ASCII text
/// stays as it is; quotes, backslashes and control characters are escaped.
#[must_use]
pub fn quote(s: &str) -> String {
    crate::json::Json::Str(s.to_owned()).pretty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_dotnet_flavoured_json() {
        let src = "\u{FEFF}{\r\n  // comment\r\n  \"a\": [1, 2.5e3, -0,],\r\n  /* block */ \"b\": {\"c\": \"x\\\\y\\u00e9\",},\r\n}\r\n";
        let doc = parse(src).unwrap();
        assert_eq!(
            doc.get("b").unwrap().get("c").unwrap().as_str(),
            Some("x\\yé")
        );
        let c = doc.get("b").unwrap().get("c").unwrap();
        assert_eq!(&src[c.span.clone()], "\"x\\\\y\\u00e9\"");
    }

    #[test]
    fn rejects_invalid_json_with_positions() {
        for (src, needle) in [
            ("{\"a\": }", "expected a value"),
            ("{\"a\" 1}", "expected ':'"),
            ("{'a': 1}", "quoted key"),
            ("{\"a\": 01}", "leading zero"),
            ("{\"a\": \"x", "unterminated string"),
            ("{\"a\": 1} x", "after the end"),
            ("{\"a\": tru}", "expected a value"),
            ("/* open", "unterminated"),
            ("{\"a\": \"\\ud800\"}", "unpaired surrogate"),
            ("", "end of the document"),
        ] {
            let err = parse(src).unwrap_err();
            assert!(err.message.contains(needle), "{src:?}: {err}");
        }
        let err = parse("{\n  \"a\": ,\n}").unwrap_err();
        assert_eq!((err.line, err.column), (2, 8));
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(&deep).unwrap_err().message.contains("deeply"));
    }
}
