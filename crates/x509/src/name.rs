//! Distinguished names: parsing what operators type, encoding what we write,
//! and printing what we read.
//!
//! ```text
//! Name ::= CHOICE { rdnSequence RDNSequence }
//! RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
//! RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
//! AttributeTypeAndValue ::= SEQUENCE { type AttributeType, value AttributeValue }
//! ```
//! ([RFC 5280, Section 4.1.2.4](https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.4)).
//!
//! Strings follow [RFC 4514](https://www.rfc-editor.org/rfc/rfc4514): the
//! most specific attribute first (`CN=Token signing,O=Example`), with `\`
//! escapes. OpenSSL's `-subj` form (`/O=Example/CN=Token signing`, least
//! specific first) is accepted too, for drop-in use of old scripts.

use core::{fmt, str::FromStr};

use der::asn1::ObjectIdentifier;

use pfxgen_asn1::writer;

use crate::Error;

/// Attribute types pfxgen writes by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttributeType {
    /// `CN`, commonName (2.5.4.3), at most 64 characters.
    CommonName,
    /// `O`, organizationName (2.5.4.10), at most 64 characters.
    Organization,
    /// `OU`, organizationalUnitName (2.5.4.11), at most 64 characters.
    OrganizationalUnit,
    /// `C`, countryName (2.5.4.6): two letters, PrintableString.
    Country,
    /// `ST`, stateOrProvinceName (2.5.4.8), at most 128 characters.
    State,
    /// `L`, localityName (2.5.4.7), at most 128 characters.
    Locality,
    /// `emailAddress` (1.2.840.113549.1.9.1): IA5String, at most 255.
    Email,
    /// `DC`, domainComponent (0.9.2342.19200300.100.1.25): IA5String.
    DomainComponent,
    /// `serialNumber` (2.5.4.5): PrintableString, at most 64.
    SerialNumber,
}

impl AttributeType {
    const ALL: [Self; 9] = [
        Self::CommonName,
        Self::Organization,
        Self::OrganizationalUnit,
        Self::Country,
        Self::State,
        Self::Locality,
        Self::Email,
        Self::DomainComponent,
        Self::SerialNumber,
    ];

    /// The short name used in strings (`CN`, `O`, ...).
    #[must_use]
    pub const fn short_name(self) -> &'static str {
        match self {
            Self::CommonName => "CN",
            Self::Organization => "O",
            Self::OrganizationalUnit => "OU",
            Self::Country => "C",
            Self::State => "ST",
            Self::Locality => "L",
            Self::Email => "emailAddress",
            Self::DomainComponent => "DC",
            Self::SerialNumber => "serialNumber",
        }
    }

    /// The attribute type OID.
    #[must_use]
    pub const fn oid(self) -> ObjectIdentifier {
        match self {
            Self::CommonName => ObjectIdentifier::new_unwrap("2.5.4.3"),
            Self::Organization => ObjectIdentifier::new_unwrap("2.5.4.10"),
            Self::OrganizationalUnit => ObjectIdentifier::new_unwrap("2.5.4.11"),
            Self::Country => ObjectIdentifier::new_unwrap("2.5.4.6"),
            Self::State => ObjectIdentifier::new_unwrap("2.5.4.8"),
            Self::Locality => ObjectIdentifier::new_unwrap("2.5.4.7"),
            Self::Email => ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1"),
            Self::DomainComponent => ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.25"),
            Self::SerialNumber => ObjectIdentifier::new_unwrap("2.5.4.5"),
        }
    }

    /// Upper bound on the value length in characters (RFC 5280 Appendix A.1).
    const fn max_len(self) -> usize {
        match self {
            Self::CommonName
            | Self::Organization
            | Self::OrganizationalUnit
            | Self::SerialNumber => 64,
            Self::Country => 2,
            Self::State | Self::Locality => 128,
            Self::Email => 255,
            Self::DomainComponent => 63,
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        Some(match lower.as_str() {
            "cn" | "commonname" => Self::CommonName,
            "o" | "organizationname" => Self::Organization,
            "ou" | "organizationalunitname" => Self::OrganizationalUnit,
            "c" | "countryname" => Self::Country,
            "st" | "s" | "stateorprovincename" => Self::State,
            "l" | "localityname" => Self::Locality,
            "e" | "email" | "emailaddress" => Self::Email,
            "dc" | "domaincomponent" => Self::DomainComponent,
            "serialnumber" => Self::SerialNumber,
            _ => return None,
        })
    }

    fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.oid() == *oid)
    }

    fn encode_value(self, value: &str) -> Vec<u8> {
        match self {
            Self::Country | Self::SerialNumber => {
                writer::tlv(writer::tag::PRINTABLE_STRING, value.as_bytes())
            }
            Self::Email | Self::DomainComponent => {
                writer::tlv(writer::tag::IA5_STRING, value.as_bytes())
            }
            _ => writer::utf8_string(value),
        }
    }

    fn check_value(self, value: &str) -> Result<(), String> {
        let chars = value.chars().count();
        if chars == 0 {
            return Err("the value is empty".to_owned());
        }
        if chars > self.max_len() && self != Self::Country {
            return Err(format!(
                "the value is {chars} characters long; at most {} are allowed",
                self.max_len()
            ));
        }
        if value.chars().any(char::is_control) {
            return Err("the value contains a control character".to_owned());
        }
        match self {
            Self::Country if !(chars == 2 && value.chars().all(|c| c.is_ascii_uppercase())) => {
                Err("a country must be two upper-case letters (ISO 3166), e.g. C=DE".to_owned())
            }
            Self::SerialNumber if !value.chars().all(is_printable_string_char) => {
                Err("serialNumber allows only letters, digits, space and '()+,-./:=?".to_owned())
            }
            Self::Email | Self::DomainComponent if !value.is_ascii() => {
                Err("the value must be ASCII (IA5String)".to_owned())
            }
            _ => Ok(()),
        }
    }
}

fn is_printable_string_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c)
}

/// One `type=value` pair of a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameAttribute {
    /// Which attribute.
    pub kind: AttributeType,
    /// Its value.
    pub value: String,
}

/// A distinguished name pfxgen will write into a certificate: one attribute
/// per RDN, stored in DER order (least specific first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistinguishedName {
    attributes: Vec<NameAttribute>,
}

impl DistinguishedName {
    /// A name with a single common name.
    ///
    /// # Errors
    /// [`Error::InvalidName`] if `cn` is empty, too long or has control characters.
    pub fn common_name(cn: &str) -> Result<Self, Error> {
        AttributeType::CommonName
            .check_value(cn)
            .map_err(|reason| Error::InvalidName {
                name: cn.to_owned(),
                reason,
            })?;
        Ok(Self {
            attributes: vec![NameAttribute {
                kind: AttributeType::CommonName,
                value: cn.to_owned(),
            }],
        })
    }

    /// A name with no attributes (an empty RDNSequence). Allowed by RFC 5280
    /// only together with a critical subjectAltName; used as a fallback.
    #[must_use]
    pub fn empty() -> Self {
        Self {
            attributes: Vec::new(),
        }
    }

    /// The attributes in DER order (least specific first).
    #[must_use]
    pub fn attributes(&self) -> &[NameAttribute] {
        &self.attributes
    }

    /// The DER `Name`.
    #[must_use]
    pub fn to_der(&self) -> Vec<u8> {
        let rdns: Vec<Vec<u8>> = self
            .attributes
            .iter()
            .map(|a| {
                let atv = writer::sequence(&[
                    &writer::oid(&a.kind.oid()),
                    &a.kind.encode_value(&a.value),
                ]);
                writer::set_of(&[&atv])
            })
            .collect();
        writer::sequence_of(&rdns)
    }
}

impl FromStr for DistinguishedName {
    type Err = Error;

    /// Parses `CN=..,O=..` (RFC 4514) or `/O=../CN=..` (OpenSSL `-subj`).
    fn from_str(s: &str) -> Result<Self, Error> {
        let invalid = |reason: String| Error::InvalidName {
            name: s.to_owned(),
            reason,
        };
        let trimmed = trim_unescaped(s);
        if trimmed.is_empty() {
            return Err(invalid("the name is empty".to_owned()));
        }
        let (parts, der_order) = if let Some(rest) = trimmed.strip_prefix('/') {
            (split_unescaped(rest, '/').map_err(&invalid)?, true)
        } else {
            (split_unescaped(trimmed, ',').map_err(&invalid)?, false)
        };
        refuse_other_separators(trimmed, der_order).map_err(&invalid)?;
        let mut attributes = Vec::with_capacity(parts.len());
        for part in parts {
            let (ty, value) = part.split_once('=').ok_or_else(|| {
                invalid(format!("{:?} is not of the form TYPE=value", part.trim()))
            })?;
            let ty = ty.trim();
            let kind = AttributeType::from_name(ty).ok_or_else(|| {
                invalid(format!(
                    "unknown attribute type {ty:?} (known: CN, O, OU, C, ST, L, emailAddress, DC, serialNumber)"
                ))
            })?;
            let value = unescape(trim_unescaped(value)).map_err(&invalid)?;
            kind.check_value(&value)
                .map_err(|r| invalid(format!("{}: {r}", kind.short_name())))?;
            attributes.push(NameAttribute { kind, value });
        }
        if attributes.len() > 16 {
            return Err(invalid("more than 16 attributes".to_owned()));
        }
        if !der_order {
            attributes.reverse();
        }
        Ok(Self { attributes })
    }
}

impl fmt::Display for DistinguishedName {
    /// RFC 4514 order and escaping.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.attributes.iter().rev().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}={}", a.kind.short_name(), escape(&a.value))?;
        }
        Ok(())
    }
}

/// Splits on `sep` not preceded by a backslash.
fn split_unescaped(s: &str, sep: char) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            current.push(c);
            match chars.next() {
                Some(next) => current.push(next),
                None => return Err("the name ends with a lone backslash".to_owned()),
            }
        } else if c == sep {
            parts.push(core::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    if parts.iter().any(|p| p.trim().is_empty()) {
        return Err(format!("empty component between '{sep}' separators"));
    }
    Ok(parts)
}

/// Whether `s` holds `c` not escaped by a backslash.
fn has_unescaped(s: &str, c: char) -> bool {
    let mut chars = s.chars();
    while let Some(next) = chars.next() {
        if next == '\\' {
            chars.next();
        } else if next == c {
            return true;
        }
    }
    false
}

/// Refuses the separators pfxgen does not read, instead of letting them
/// silently become part of one value: `+` (a multi-valued RDN, in both
/// forms) and, in the RFC 4514 form, `;` (an old RFC 1779 separator that
/// OpenSSL's `-subj` does not read either).
fn refuse_other_separators(s: &str, openssl_form: bool) -> Result<(), String> {
    if has_unescaped(s, '+') {
        return Err(
            "'+' would join attributes into one multi-valued RDN, which pfxgen does not \
                    write: give each attribute its own RDN (CN=x,OU=y or /OU=y/CN=x), or write \
                    \\+ for a '+' inside a value"
                .to_owned(),
        );
    }
    if !openssl_form && has_unescaped(s, ';') {
        return Err(
            "';' does not separate attributes: use ',' (CN=a,O=b) or OpenSSL's form \
                    (/O=b/CN=a), or write \\; for a ';' inside a value"
                .to_owned(),
        );
    }
    Ok(())
}

/// Trims white space at both ends, but not an escaped trailing space (`a\ `).
fn trim_unescaped(s: &str) -> &str {
    let s = s.trim_start();
    let mut end = s.len();
    while let Some(c) = s.get(..end).and_then(|head| head.chars().next_back()) {
        if !c.is_whitespace() {
            break;
        }
        let before = s.get(..end - c.len_utf8()).unwrap_or_default();
        let backslashes = before.chars().rev().take_while(|b| *b == '\\').count();
        if backslashes % 2 == 1 {
            break;
        }
        end -= c.len_utf8();
    }
    s.get(..end).unwrap_or(s)
}

/// Resolves RFC 4514 escapes: `\,` `\+` `\"` `\\` `\<` `\>` `\;` `\=` `\ `
/// `\#` `\/` and `\XX` hex pairs (which must form UTF-8).
fn unescape(s: &str) -> Result<String, String> {
    let mut bytes = Vec::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some(h1) if h1.is_ascii_hexdigit() => {
                let h2 = chars
                    .next()
                    .filter(char::is_ascii_hexdigit)
                    .ok_or_else(|| {
                        "a \\ escape must be followed by a special character or two hex digits"
                            .to_owned()
                    })?;
                let pair = [h1, h2].iter().collect::<String>();
                bytes.push(u8::from_str_radix(&pair, 16).map_err(|e| e.to_string())?);
            }
            Some(special) if ",+\"\\<>;= #/".contains(special) => bytes.push(special as u8),
            _ => {
                return Err(
                    "a \\ escape must be followed by a special character or two hex digits"
                        .to_owned(),
                );
            }
        }
    }
    String::from_utf8(bytes).map_err(|_| "hex escapes do not form UTF-8".to_owned())
}

/// Whether `c` must not reach a terminal raw: a control character, or an
/// invisible formatting character that can make text display other than it
/// reads (bidirectional embeddings, overrides and isolates, zero-width
/// characters, the Arabic letter mark, line and paragraph separators, the
/// byte-order mark, interlinear annotation marks). "Trojan Source"
/// (CVE-2021-42574) used the bidirectional ones.
pub(crate) fn is_unsafe_to_print(c: char) -> bool {
    c.is_control()
        || matches!(
            u32::from(c),
            0x061C
                | 0x180E
                | 0x200B..=0x200F
                | 0x2028..=0x202E
                | 0x2060..=0x2064
                | 0x2066..=0x2069
                | 0xFEFF
                | 0xFFF9..=0xFFFB
        )
}

/// Escapes a value for an RFC 4514 string.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let needs = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if c == '\0' {
            out.push_str("\\00");
        } else if is_unsafe_to_print(c) {
            // Control and bidirectional characters never reach a terminal
            // raw (RFC 4514 allows any character as hex pairs).
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\{b:02X}"));
            }
        } else {
            if needs {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// Replaces control and bidirectional formatting characters (see
/// `is_unsafe_to_print`) with `\xNN` or `\u{NNNN}` so that text read from
/// a hostile file can be printed to a terminal safely.
pub(crate) fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if u32::from(c) > 0xFF && is_unsafe_to_print(c) {
            out.push_str(&format!("\\u{{{:04X}}}", u32::from(c)));
        } else if is_unsafe_to_print(c) {
            out.push_str(&format!("\\x{:02X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Prints a `Name` read from a certificate in RFC 4514 form. Unknown
/// attribute types print as dotted OIDs, undecodable values as `#hex`.
#[must_use]
pub fn display_name(name: &x509_cert::name::Name) -> String {
    let mut rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let ty = AttributeType::from_oid(&atv.oid)
                        .map_or_else(|| atv.oid.to_string(), |t| t.short_name().to_owned());
                    let value =
                        decode_directory_string(der::Tagged::tag(&atv.value), atv.value.value())
                            .map_or_else(
                                || format!("#{}", crate::hex_upper(atv.value.value())),
                                |v| escape(&v),
                            );
                    format!("{ty}={value}")
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.reverse();
    rdns.join(",")
}

/// The common name(s) of a certificate name, if any, decoded.
#[must_use]
pub fn common_name(name: &x509_cert::name::Name) -> Option<String> {
    name.iter()
        .find(|atv| atv.oid == AttributeType::CommonName.oid())
        .and_then(|atv| decode_directory_string(der::Tagged::tag(&atv.value), atv.value.value()))
}

/// Decodes the string types found in names: UTF8String, PrintableString,
/// IA5String, TeletexString (as Latin-1, as most readers do) and BMPString
/// (UTF-16BE). (The `der` crate cannot represent UniversalString.)
fn decode_directory_string(tag: der::Tag, value: &[u8]) -> Option<String> {
    match tag {
        der::Tag::Utf8String => String::from_utf8(value.to_vec()).ok(),
        der::Tag::PrintableString | der::Tag::Ia5String | der::Tag::VisibleString => value
            .is_ascii()
            .then(|| String::from_utf8_lossy(value).into_owned()),
        der::Tag::TeletexString => Some(value.iter().map(|b| char::from(*b)).collect()),
        der::Tag::BmpString => {
            if !value.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = value
                .chunks_exact(2)
                .filter_map(|c| <[u8; 2]>::try_from(c).ok().map(u16::from_be_bytes))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode as _;

    #[test]
    fn rfc4514_and_openssl_forms_agree() {
        let a: DistinguishedName = "CN=Token signing, O=Example Corp, C=DE".parse().unwrap();
        let b: DistinguishedName = "/C=DE/O=Example Corp/CN=Token signing".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.attributes()[0].kind, AttributeType::Country);
        assert_eq!(a.to_string(), "CN=Token signing,O=Example Corp,C=DE");
    }

    #[test]
    fn encodes_and_reads_back() {
        let dn: DistinguishedName =
            r"CN=Müller\, Hans,OU=IT\+Ops,O=Ex\2Cample,emailAddress=a@b.example"
                .parse()
                .unwrap();
        let der = dn.to_der();
        let name = x509_cert::name::Name::from_der(&der).unwrap();
        assert_eq!(
            display_name(&name),
            r"CN=Müller\, Hans,OU=IT\+Ops,O=Ex\,ample,emailAddress=a@b.example"
        );
        assert_eq!(common_name(&name).as_deref(), Some("Müller, Hans"));
    }

    /// Issue 11 item 9: a subject with a right-to-left override (or any
    /// bidirectional or zero-width character) prints escaped, as control
    /// characters do, so "invoice\u{202E}fdp.exe" cannot pose as "...exe.pdf".
    #[test]
    fn bidirectional_and_format_characters_are_escaped() {
        let dn =
            DistinguishedName::common_name("pay\u{202E}fdp.exe\u{200B}\u{2066}x\u{FEFF}").unwrap();
        let name = x509_cert::name::Name::from_der(&dn.to_der()).unwrap();
        let shown = display_name(&name);
        assert_eq!(shown, r"CN=pay\E2\80\AEfdp.exe\E2\80\8B\E2\81\A6x\EF\BB\BF");
        assert_eq!(
            sanitize("a\u{202E}b\u{61C}c\u{1}d"),
            r"a\u{202E}b\u{061C}c\x01d"
        );
        assert_eq!(sanitize("plain é ✓"), "plain é ✓");
    }

    /// The message `input` is refused with, checked to contain `needle`.
    fn refusal(input: &str, needle: &str) -> String {
        let err = input.parse::<DistinguishedName>().unwrap_err().to_string();
        assert!(err.contains(needle), "{input:?}: {err}");
        err
    }

    #[test]
    fn rejects_bad_names() {
        for (input, needle) in [
            ("", "empty"),
            ("CN=", "empty"),
            ("XX=foo", "unknown attribute type"),
            ("CN=a,,O=b", "empty component"),
            ("C=Germany", "two upper-case letters"),
            ("CN=foo\\", "lone backslash"),
            ("CN=a\\zz", "escape"),
            ("CN=tab\there", "control character"),
            ("noequals", "TYPE=value"),
        ] {
            refusal(input, needle);
        }
        refusal(&format!("CN={}", "x".repeat(65)), "at most 64");
    }

    /// Issue 13: `;` and `+` never silently become part of one CN.
    #[test]
    fn semicolons_and_plus_signs_are_refused_unless_escaped() {
        for (input, needle) in [
            ("CN=a; O=b", "';' does not separate attributes"),
            ("CN=a;O=b", "';' does not separate attributes"),
            ("CN=x+OU=y", "multi-valued RDN"),
            ("/CN=x+OU=y", "multi-valued RDN"),
            ("O=b,CN=IT+Ops", "multi-valued RDN"),
        ] {
            let err = refusal(input, needle);
            assert!(err.contains("CN=") && err.contains('/'), "{input:?}: {err}");
        }
        let dn: DistinguishedName = r"CN=a\; b,OU=IT\+Ops".parse().unwrap();
        assert_eq!(dn.attributes()[1].value, "a; b");
        assert_eq!(dn.attributes()[0].value, "IT+Ops");
        // OpenSSL's -subj reads ';' as part of a value, and so does pfxgen.
        let openssl: DistinguishedName = "/O=a;b/CN=c".parse().unwrap();
        assert_eq!(openssl.attributes()[0].value, "a;b");
    }

    #[test]
    fn escaping_round_trips() {
        for value in [
            " leading",
            "trailing ",
            "#hash",
            "a,b+c\"d\\e<f>g;h",
            "plain",
        ] {
            let dn = DistinguishedName::common_name(value).unwrap();
            let again: DistinguishedName = dn.to_string().parse().unwrap();
            assert_eq!(again, dn, "{value:?} -> {dn}");
        }
    }
}
