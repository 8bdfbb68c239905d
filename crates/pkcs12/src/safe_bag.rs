//! SafeContents, SafeBags and their attributes.
//!
//! ```text
//! SafeContents ::= SEQUENCE OF SafeBag
//! SafeBag ::= SEQUENCE {
//!     bagId         BAG-TYPE.&id ({PKCS12BagSet}),
//!     bagValue      [0] EXPLICIT BAG-TYPE.&Type({PKCS12BagSet}{@bagId}),
//!     bagAttributes SET OF PKCS12Attribute OPTIONAL }
//! PKCS12Attribute ::= SEQUENCE {
//!     attrId     ATTRIBUTE.&id ({PKCS12AttrSet}),
//!     attrValues SET OF ATTRIBUTE.&Type ({PKCS12AttrSet}{@attrId}) }
//! CertBag ::= SEQUENCE {
//!     certId    BAG-TYPE.&id ({CertTypes}),
//!     certValue [0] EXPLICIT BAG-TYPE.&Type ({CertTypes}{@certId}) }
//! ```
//! ([RFC 7292, Section 4.2](https://www.rfc-editor.org/rfc/rfc7292#section-4.2)).

use pfxgen_asn1::writer;
use zeroize::Zeroizing;

use crate::{
    Error, Limits,
    encryption::{EncryptionScheme, UnsupportedScheme},
    error::check_limit,
    oid,
};
use pfxgen_asn1::{Reader, Tlv, tag};

/// The type of a SafeBag.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BagKind {
    /// `keyBag`: an unencrypted PKCS#8 key.
    Key,
    /// `pkcs8ShroudedKeyBag`: an encrypted PKCS#8 key.
    ShroudedKey,
    /// `certBag`.
    Certificate,
    /// `crlBag`.
    Crl,
    /// `secretBag`.
    Secret,
    /// `safeContentsBag`: nested SafeContents (ignored by .NET).
    SafeContents,
    /// Anything else, described by OID.
    Other(String),
}

impl BagKind {
    /// The name RFC 7292 uses.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Self::Key => "keyBag".to_owned(),
            Self::ShroudedKey => "pkcs8ShroudedKeyBag".to_owned(),
            Self::Certificate => "certBag".to_owned(),
            Self::Crl => "crlBag".to_owned(),
            Self::Secret => "secretBag".to_owned(),
            Self::SafeContents => "safeContentsBag".to_owned(),
            Self::Other(oid) => oid.clone(),
        }
    }
}

/// The attributes of a bag that pfxgen interprets, plus a note of the rest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attributes {
    /// `friendlyName` (a BMPString), decoded.
    pub friendly_name: Option<String>,
    /// `localKeyId` (an OCTET STRING): pairs a key with its certificate.
    pub local_key_id: Option<Vec<u8>>,
    /// Other attributes: `(OID description, number of values)`.
    pub other: Vec<(String, usize)>,
    /// Irregularities that some readers reject: duplicate attributes (.NET
    /// refuses them), attributes with more or fewer than one value.
    pub anomalies: Vec<String>,
}

/// One SafeBag as read (before any decryption of shrouded keys).
#[derive(Clone, Debug)]
pub struct SafeBag {
    /// Bag type.
    pub kind: BagKind,
    /// Attributes.
    pub attributes: Attributes,
    pub(crate) value: BagValue,
}

#[derive(Clone)]
pub(crate) enum BagValue {
    /// Unencrypted PKCS#8 DER.
    Key(Zeroizing<Vec<u8>>),
    /// Encrypted PKCS#8.
    ShroudedKey {
        scheme: Result<EncryptionScheme, UnsupportedScheme>,
        ciphertext: Vec<u8>,
    },
    /// An X.509 certificate's DER.
    X509(Vec<u8>),
    /// A certBag of another certificate type (e.g. SDSI).
    OtherCertificate,
    /// Nested bags.
    Nested(Vec<SafeBag>),
    /// Nothing pfxgen uses.
    Opaque,
}

/// Written by hand: an unencrypted key's bytes never appear in `Debug`
/// output (of a bag, a content, or a whole [`crate::Pfx`]).
impl core::fmt::Debug for BagValue {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Key(der) => write!(f, "Key([{} bytes redacted])", der.len()),
            Self::ShroudedKey { scheme, ciphertext } => f
                .debug_struct("ShroudedKey")
                .field("scheme", scheme)
                .field("ciphertext_len", &ciphertext.len())
                .finish(),
            Self::X509(der) => f.debug_tuple("X509").field(der).finish(),
            Self::OtherCertificate => f.write_str("OtherCertificate"),
            Self::Nested(bags) => f.debug_tuple("Nested").field(bags).finish(),
            Self::Opaque => f.write_str("Opaque"),
        }
    }
}

impl SafeBag {
    /// The encryption of a shrouded key bag, if this is one with a supported
    /// scheme.
    #[must_use]
    pub fn encryption(&self) -> Option<&EncryptionScheme> {
        match &self.value {
            BagValue::ShroudedKey { scheme: Ok(s), .. } => Some(s),
            _ => None,
        }
    }

    /// The description of an unsupported shrouded-key encryption, if any.
    #[must_use]
    pub fn unsupported_encryption(&self) -> Option<&str> {
        match &self.value {
            BagValue::ShroudedKey {
                scheme: Err(UnsupportedScheme(s)),
                ..
            } => Some(s),
            _ => None,
        }
    }

    /// The certificate DER of an X.509 certBag.
    #[must_use]
    pub fn certificate_der(&self) -> Option<&[u8]> {
        match &self.value {
            BagValue::X509(der) => Some(der),
            _ => None,
        }
    }

    /// Bags nested in a safeContentsBag.
    #[must_use]
    pub fn nested(&self) -> &[SafeBag] {
        match &self.value {
            BagValue::Nested(bags) => bags,
            _ => &[],
        }
    }
}

/// Counts bags across the whole file against [`Limits::max_bags`].
pub(crate) struct BagBudget {
    pub count: usize,
}

impl BagBudget {
    fn take(&mut self, limits: &Limits) -> Result<(), Error> {
        self.count += 1;
        check_limit("the number of SafeBags", self.count, limits.max_bags)
    }
}

/// Maximum nesting of safeContentsBags.
const MAX_NESTED_SAFE_CONTENTS: usize = 4;

/// Parses a SafeContents (already normalised to DER).
pub(crate) fn parse_safe_contents(
    r: &mut Reader<'_>,
    limits: &Limits,
    budget: &mut BagBudget,
    nesting: usize,
) -> Result<Vec<SafeBag>, Error> {
    let seq = r.sequence("SafeContents")?;
    r.finish("SafeContents")?;
    let mut bags = Vec::new();
    let mut inner = seq.reader();
    while !inner.is_empty() {
        budget.take(limits)?;
        let bag = inner.sequence("SafeBag")?;
        bags.push(parse_safe_bag(&bag, limits, budget, nesting)?);
    }
    Ok(bags)
}

fn parse_safe_bag(
    bag: &Tlv<'_>,
    limits: &Limits,
    budget: &mut BagBudget,
    nesting: usize,
) -> Result<SafeBag, Error> {
    let mut r = bag.reader();
    let bag_id = r.oid("SafeBag.bagId")?;
    let wrapper = r.read(tag::CONTEXT_0, "SafeBag.bagValue", "[0] bagValue")?;
    let attributes = match r.read_optional(tag::SET, "SafeBag.bagAttributes")? {
        Some(set) => parse_attributes(&set, limits)?,
        None => Attributes::default(),
    };
    r.finish("SafeBag")?;
    let mut w = wrapper.reader();
    let value_tlv = w.read_any("SafeBag.bagValue")?;
    w.finish("SafeBag.bagValue")?;

    let id = bag_id.value;
    let (kind, value) = if id == oid::KEY_BAG.as_bytes() {
        if value_tlv.tag != tag::SEQUENCE {
            return Err(value_tlv
                .invalid("keyBag", "the value is not a PrivateKeyInfo SEQUENCE")
                .into());
        }
        (
            BagKind::Key,
            BagValue::Key(Zeroizing::new(value_tlv.raw.to_vec())),
        )
    } else if id == oid::SHROUDED_KEY_BAG.as_bytes() {
        if value_tlv.tag != tag::SEQUENCE {
            return Err(value_tlv
                .invalid(
                    "pkcs8ShroudedKeyBag",
                    "the value is not an EncryptedPrivateKeyInfo SEQUENCE",
                )
                .into());
        }
        let mut e = value_tlv.reader();
        let alg = e.sequence("EncryptedPrivateKeyInfo.encryptionAlgorithm")?;
        let data = e.octet_string("EncryptedPrivateKeyInfo.encryptedData")?;
        e.finish("EncryptedPrivateKeyInfo")?;
        let scheme = EncryptionScheme::parse(&alg, limits)?;
        (
            BagKind::ShroudedKey,
            BagValue::ShroudedKey {
                scheme,
                ciphertext: data.value.to_vec(),
            },
        )
    } else if id == oid::CERT_BAG.as_bytes() {
        if value_tlv.tag != tag::SEQUENCE {
            return Err(value_tlv
                .invalid("certBag", "the value is not a CertBag SEQUENCE")
                .into());
        }
        let mut c = value_tlv.reader();
        let cert_id = c.oid("CertBag.certId")?;
        let cert_wrapper = c.read(tag::CONTEXT_0, "CertBag.certValue", "[0] certValue")?;
        c.finish("CertBag")?;
        let mut cw = cert_wrapper.reader();
        let value = if cert_id.value == oid::X509_CERTIFICATE.as_bytes() {
            let octets = cw.octet_string("CertBag.certValue (x509Certificate)")?;
            BagValue::X509(octets.value.to_vec())
        } else {
            cw.read_any("CertBag.certValue")?;
            BagValue::OtherCertificate
        };
        cw.finish("CertBag.certValue")?;
        (BagKind::Certificate, value)
    } else if id == oid::SAFE_CONTENTS_BAG.as_bytes() {
        check_limit(
            "the nesting of safeContentsBags",
            nesting + 1,
            MAX_NESTED_SAFE_CONTENTS,
        )?;
        let mut nested_reader = Reader::new(
            value_tlv.raw,
            value_tlv.offset,
            std::rc::Rc::clone(value_tlv.within()),
        );
        let nested = parse_safe_contents(&mut nested_reader, limits, budget, nesting + 1)?;
        (BagKind::SafeContents, BagValue::Nested(nested))
    } else if id == oid::CRL_BAG.as_bytes() {
        (BagKind::Crl, BagValue::Opaque)
    } else if id == oid::SECRET_BAG.as_bytes() {
        (BagKind::Secret, BagValue::Opaque)
    } else {
        (BagKind::Other(oid::describe(id)), BagValue::Opaque)
    };
    Ok(SafeBag {
        kind,
        attributes,
        value,
    })
}

/// Checks that an attribute's value has tag `expected` (`name`, with its
/// article, says which type in the error).
fn attribute_value_tag(
    value: &Tlv<'_>,
    expected: u8,
    what: &'static str,
    name: &str,
) -> Result<(), Error> {
    if value.tag != expected {
        return Err(value
            .invalid(
                what,
                format!("the value must be {name}, found tag 0x{:02X}", value.tag),
            )
            .into());
    }
    Ok(())
}

fn parse_attributes(set: &Tlv<'_>, limits: &Limits) -> Result<Attributes, Error> {
    let mut attrs = Attributes::default();
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut r = set.reader();
    let mut count = 0usize;
    while !r.is_empty() {
        count += 1;
        check_limit(
            "the number of attributes on a bag",
            count,
            limits.max_attributes,
        )?;
        let attr = r.sequence("PKCS12Attribute")?;
        let mut a = attr.reader();
        let id = a.oid("PKCS12Attribute.attrId")?;
        let values = a.read(tag::SET, "PKCS12Attribute.attrValues", "a SET of values")?;
        a.finish("PKCS12Attribute")?;
        let name = oid::describe(id.value);
        if seen.iter().any(|s| s == id.value) {
            attrs.anomalies.push(format!(
                "attribute {name} appears more than once (.NET rejects this)"
            ));
        }
        seen.push(id.value.to_vec());

        let mut v = values.reader();
        let mut vals = Vec::new();
        while !v.is_empty() {
            check_limit(
                "the number of values of one attribute",
                vals.len() + 1,
                limits.max_attributes,
            )?;
            vals.push(v.read_any("PKCS12Attribute.attrValues")?);
        }
        if vals.len() != 1 {
            attrs.anomalies.push(format!(
                "attribute {name} has {} values (one is expected)",
                vals.len()
            ));
        }
        let Some(first) = vals.first() else { continue };
        if id.value == oid::FRIENDLY_NAME.as_bytes() {
            attribute_value_tag(
                first,
                tag::BMP_STRING,
                "friendlyName attribute",
                "a BMPString",
            )?;
            let name = decode_bmp(first.value)
                .map_err(|problem| first.invalid("friendlyName attribute", problem))?;
            if attrs.friendly_name.is_none() {
                attrs.friendly_name = Some(name);
            }
        } else if id.value == oid::LOCAL_KEY_ID.as_bytes() {
            attribute_value_tag(
                first,
                tag::OCTET_STRING,
                "localKeyId attribute",
                "an OCTET STRING",
            )?;
            if attrs.local_key_id.is_none() {
                attrs.local_key_id = Some(first.value.to_vec());
            }
        } else {
            attrs.other.push((name, vals.len()));
        }
    }
    Ok(attrs)
}

/// Decodes a BMPString (UTF-16BE). Odd lengths and unpaired surrogates are
/// errors; characters from the whole Basic Multilingual Plane (and beyond,
/// through surrogate pairs, as Windows writes them) decode. Windows ends
/// friendly names with a NUL terminator, which is dropped; a NUL anywhere
/// else is an error.
pub(crate) fn decode_bmp(bytes: &[u8]) -> Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err(format!("a BMPString of {} bytes (odd length)", bytes.len()));
    }
    let mut units: Vec<u16> = bytes
        .chunks_exact(2)
        .filter_map(|c| <[u8; 2]>::try_from(c).ok().map(u16::from_be_bytes))
        .collect();
    while units.last() == Some(&0) {
        units.pop();
    }
    let mut out = String::with_capacity(bytes.len() / 2);
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok('\0') => return Err("a BMPString containing a NUL character".to_owned()),
            Ok(c) => out.push(c),
            Err(e) => {
                return Err(format!(
                    "a BMPString with an unpaired surrogate 0x{:04X}",
                    e.unpaired_surrogate()
                ));
            }
        }
    }
    Ok(out)
}

/// Writes a SafeBag (used by the encoder): one value per attribute, in DER
/// SET OF order.
pub(crate) fn encode_safe_bag(
    bag_id: &der::asn1::ObjectIdentifier,
    value: &[u8],
    friendly_name: Option<&str>,
    local_key_id: Option<&[u8]>,
) -> Vec<u8> {
    let mut attrs: Vec<Vec<u8>> = Vec::new();
    if let Some(name) = friendly_name {
        attrs.push(writer::sequence(&[
            &writer::oid(&oid::FRIENDLY_NAME),
            &writer::set_of(&[&writer::bmp_string(name)]),
        ]));
    }
    if let Some(id) = local_key_id {
        attrs.push(writer::sequence(&[
            &writer::oid(&oid::LOCAL_KEY_ID),
            &writer::set_of(&[&writer::octet_string(id)]),
        ]));
    }
    let id = writer::oid(bag_id);
    let wrapped = writer::context_constructed(0, &[value]);
    if attrs.is_empty() {
        writer::sequence(&[&id, &wrapped])
    } else {
        let parts: Vec<&[u8]> = attrs.iter().map(Vec::as_slice).collect();
        writer::sequence(&[&id, &wrapped, &writer::set_of(&parts)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_key_bytes() {
        let value = BagValue::Key(Zeroizing::new(vec![0x5E; 40]));
        let text = format!("{value:?}");
        assert_eq!(text, "Key([40 bytes redacted])");
        assert!(!text.contains("94"), "{text}");
    }

    #[test]
    fn bmp_decoding() {
        assert_eq!(decode_bmp(&[0x00, 0x41, 0x20, 0xAC]).unwrap(), "A€");
        // U+0800 and above (3-byte UTF-8): CVE-2025-69419 was a buffer
        // overflow on exactly these.
        assert_eq!(
            decode_bmp(&[0x08, 0x00, 0xFF, 0xFD]).unwrap(),
            "\u{0800}\u{FFFD}"
        );
        assert_eq!(decode_bmp(&[0xD8, 0x3D, 0xDE, 0x00]).unwrap(), "😀");
        assert!(
            decode_bmp(&[0x00, 0x41, 0x00])
                .unwrap_err()
                .contains("odd length")
        );
        assert!(
            decode_bmp(&[0xD8, 0x3D, 0x00, 0x41])
                .unwrap_err()
                .contains("unpaired surrogate 0xD83D")
        );
        assert!(
            decode_bmp(&[0xDE, 0x00])
                .unwrap_err()
                .contains("unpaired surrogate")
        );
    }
}
