//! The certificate extensions pfxgen writes, and a report of those it reads.
//!
//! Written by default (a token-signing profile, [RFC 5280 Section 4.2.1]):
//!
//! ```text
//! basicConstraints  critical  SEQUENCE {}                 -- cA FALSE
//! keyUsage          critical  BIT STRING { digitalSignature }
//! subjectKeyIdentifier        OCTET STRING (SHA-1 of the public key bits)
//! authorityKeyIdentifier      SEQUENCE { [0] keyIdentifier }  -- = SKI
//! ```
//!
//! `extendedKeyUsage` and `subjectAltName` only when asked for.
//!
//! [RFC 5280 Section 4.2.1]: https://www.rfc-editor.org/rfc/rfc5280#section-4.2.1

use core::{fmt, net::IpAddr, str::FromStr};

use der::{Decode as _, asn1::ObjectIdentifier};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage as EkuExt, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier, name::GeneralName,
};

use pfxgen_asn1::writer;

use crate::{Error, hex_upper};

/// `id-ce-basicConstraints`.
pub const OID_BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
/// `id-ce-keyUsage`.
pub const OID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
/// `id-ce-extKeyUsage`.
pub const OID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
/// `id-ce-subjectAltName`.
pub const OID_SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
/// `id-ce-subjectKeyIdentifier`.
pub const OID_SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
/// `id-ce-authorityKeyIdentifier`.
pub const OID_AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");

/// One subjectAltName entry pfxgen can write.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SanEntry {
    /// `dNSName`: a host name, optionally with a leading `*.` label.
    Dns(String),
    /// `iPAddress`: IPv4 or IPv6.
    Ip(IpAddr),
    /// `rfc822Name`: an e-mail address.
    Email(String),
    /// `uniformResourceIdentifier`.
    Uri(String),
}

impl SanEntry {
    /// The DER GeneralName.
    #[must_use]
    pub fn to_der(&self) -> Vec<u8> {
        match self {
            Self::Email(v) => writer::context_primitive(1, v.as_bytes()),
            Self::Dns(v) => writer::context_primitive(2, v.as_bytes()),
            Self::Uri(v) => writer::context_primitive(6, v.as_bytes()),
            Self::Ip(IpAddr::V4(v)) => writer::context_primitive(7, &v.octets()),
            Self::Ip(IpAddr::V6(v)) => writer::context_primitive(7, &v.octets()),
        }
    }
}

impl fmt::Display for SanEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dns(v) => write!(f, "DNS:{v}"),
            Self::Ip(v) => write!(f, "IP:{v}"),
            Self::Email(v) => write!(f, "email:{v}"),
            Self::Uri(v) => write!(f, "URI:{v}"),
        }
    }
}

impl FromStr for SanEntry {
    type Err = Error;

    /// `dns:host`, `ip:addr`, `email:addr`, `uri:scheme:...` (prefix
    /// case-insensitive); a bare value is an IP address if it parses as one,
    /// otherwise a DNS name.
    fn from_str(s: &str) -> Result<Self, Error> {
        let invalid = |reason: &str| Error::InvalidSan {
            value: s.to_owned(),
            reason: reason.to_owned(),
        };
        let s = s.trim();
        let (prefix, value) = match s.split_once(':') {
            Some((p, v))
                if ["dns", "ip", "email", "uri"].contains(&p.to_ascii_lowercase().as_str()) =>
            {
                (p.to_ascii_lowercase(), v.trim())
            }
            _ => (String::new(), s),
        };
        match prefix.as_str() {
            "ip" => value
                .parse()
                .map(Self::Ip)
                .map_err(|_| invalid("not an IPv4 or IPv6 address")),
            "email" => {
                let ok = value.is_ascii()
                    && value.len() <= 254
                    && value
                        .split_once('@')
                        .is_some_and(|(l, d)| !l.is_empty() && check_dns(d).is_ok())
                    && !value.chars().any(|c| c.is_ascii_control() || c == ' ');
                if ok {
                    Ok(Self::Email(value.to_owned()))
                } else {
                    Err(invalid("not an e-mail address (local@domain, ASCII)"))
                }
            }
            "uri" => {
                let ok = value.is_ascii()
                    && value.split_once(':').is_some_and(|(scheme, rest)| {
                        !scheme.is_empty()
                            && scheme
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                            && !rest.is_empty()
                    })
                    && !value.chars().any(|c| c.is_ascii_control() || c == ' ');
                if ok {
                    Ok(Self::Uri(value.to_owned()))
                } else {
                    Err(invalid("not an absolute URI (scheme:rest, ASCII)"))
                }
            }
            "dns" => check_dns(value)
                .map(|()| Self::Dns(value.to_owned()))
                .map_err(|r| invalid(&r)),
            _ => match value.parse::<IpAddr>() {
                Ok(ip) => Ok(Self::Ip(ip)),
                Err(_) if value.contains(':') => Err(invalid(
                    "unknown type before ':' (use dns:, ip:, email: or uri:)",
                )),
                Err(_) => check_dns(value)
                    .map(|()| Self::Dns(value.to_owned()))
                    .map_err(|r| invalid(&r)),
            },
        }
    }
}

/// Host-name syntax (RFC 1123), optionally with a leading `*.` wildcard.
fn check_dns(name: &str) -> Result<(), String> {
    let body = name.strip_prefix("*.").unwrap_or(name);
    if body.is_empty() || name.len() > 253 {
        return Err("a DNS name must be 1 to 253 characters".to_owned());
    }
    for label in body.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(format!(
                "DNS label {label:?} is invalid (1-63 letters, digits or '-', not starting or ending with '-'; \
                 use punycode for international names)"
            ));
        }
    }
    Ok(())
}

/// Extended key usages pfxgen can write (only when asked: the identity
/// server does not need any).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtendedKeyUsage {
    /// `id-kp-serverAuth` (TLS server).
    ServerAuth,
    /// `id-kp-clientAuth` (TLS client).
    ClientAuth,
    /// `id-kp-codeSigning`.
    CodeSigning,
    /// `id-kp-emailProtection`.
    EmailProtection,
    /// `id-kp-timeStamping`.
    TimeStamping,
    /// Any other purpose, by OID.
    Other(ObjectIdentifier),
}

impl ExtendedKeyUsage {
    /// The purpose OID.
    #[must_use]
    pub fn oid(&self) -> ObjectIdentifier {
        match self {
            Self::ServerAuth => ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1"),
            Self::ClientAuth => ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2"),
            Self::CodeSigning => ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3"),
            Self::EmailProtection => ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4"),
            Self::TimeStamping => ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.8"),
            Self::Other(oid) => *oid,
        }
    }
}

impl FromStr for ExtendedKeyUsage {
    type Err = Error;

    /// `serverAuth`, `clientAuth`, `codeSigning`, `emailProtection`,
    /// `timeStamping` (case-insensitive) or a dotted OID.
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "serverauth" | "server-auth" | "server" => Self::ServerAuth,
            "clientauth" | "client-auth" | "client" => Self::ClientAuth,
            "codesigning" | "code-signing" => Self::CodeSigning,
            "emailprotection" | "email-protection" => Self::EmailProtection,
            "timestamping" | "time-stamping" => Self::TimeStamping,
            other => Self::Other(ObjectIdentifier::new(other).map_err(|_| Error::InvalidEku {
                value: s.to_owned(),
            })?),
        })
    }
}

/// A name for a well-known EKU OID.
fn eku_name(oid: &ObjectIdentifier) -> String {
    let known = [
        ("1.3.6.1.5.5.7.3.1", "serverAuth"),
        ("1.3.6.1.5.5.7.3.2", "clientAuth"),
        ("1.3.6.1.5.5.7.3.3", "codeSigning"),
        ("1.3.6.1.5.5.7.3.4", "emailProtection"),
        ("1.3.6.1.5.5.7.3.8", "timeStamping"),
        ("1.3.6.1.5.5.7.3.9", "OCSPSigning"),
        ("2.5.29.37.0", "anyExtendedKeyUsage"),
    ];
    let dotted = oid.to_string();
    known
        .iter()
        .find(|(o, _)| *o == dotted)
        .map_or(dotted.clone(), |(_, n)| (*n).to_owned())
}

/// One DER `Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`.
pub(crate) fn extension(oid: &ObjectIdentifier, critical: bool, value: &[u8]) -> Vec<u8> {
    let id = writer::oid(oid);
    let v = writer::octet_string(value);
    if critical {
        writer::sequence(&[&id, &writer::boolean(true), &v])
    } else {
        writer::sequence(&[&id, &v])
    }
}

/// The extensions a certificate and a request share, DER `Extension`s in
/// this order: basicConstraints cA FALSE and keyUsage digitalSignature (both
/// critical), then extendedKeyUsage and subjectAltName, each only when given.
pub(crate) fn profile_extensions(
    extended_key_usages: &[ExtendedKeyUsage],
    subject_alt_names: &[SanEntry],
) -> Vec<Vec<u8>> {
    let mut exts = vec![
        // basicConstraints: cA FALSE (the DEFAULT, so an empty SEQUENCE).
        extension(&OID_BASIC_CONSTRAINTS, true, &writer::sequence(&[])),
        // keyUsage: digitalSignature only: bit 0, 7 unused bits.
        extension(
            &OID_KEY_USAGE,
            true,
            &writer::tlv(writer::tag::BIT_STRING, &[0x07, 0x80]),
        ),
    ];
    if !extended_key_usages.is_empty() {
        let oids: Vec<Vec<u8>> = extended_key_usages
            .iter()
            .map(|e| writer::oid(&e.oid()))
            .collect();
        exts.push(extension(
            &OID_EXT_KEY_USAGE,
            false,
            &writer::sequence_of(&oids),
        ));
    }
    if !subject_alt_names.is_empty() {
        let names: Vec<Vec<u8>> = subject_alt_names.iter().map(SanEntry::to_der).collect();
        exts.push(extension(
            &OID_SUBJECT_ALT_NAME,
            false,
            &writer::sequence_of(&names),
        ));
    }
    exts
}

/// What a certificate's extensions say, decoded for reports. Extensions that
/// fail to decode are listed in `malformed` rather than failing the read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExtensionsReport {
    /// basicConstraints: `(critical, cA, pathLenConstraint)`.
    pub basic_constraints: Option<(bool, bool, Option<u8>)>,
    /// keyUsage: `(critical, usages)`, e.g. `digitalSignature`.
    pub key_usage: Option<(bool, Vec<String>)>,
    /// extendedKeyUsage: `(critical, purposes)` by name or dotted OID.
    pub extended_key_usage: Option<(bool, Vec<String>)>,
    /// subjectAltName entries, e.g. `DNS:example.com`.
    pub subject_alt_names: Vec<String>,
    /// subjectKeyIdentifier, upper-case hex.
    pub subject_key_id: Option<String>,
    /// authorityKeyIdentifier keyIdentifier, upper-case hex.
    pub authority_key_id: Option<String>,
    /// Other extensions: `(dotted OID, critical)`.
    pub other: Vec<(String, bool)>,
    /// Extensions that could not be decoded or appear twice: `(OID, problem)`.
    pub malformed: Vec<(String, String)>,
}

impl ExtensionsReport {
    pub(crate) fn from_extensions(exts: &[x509_cert::ext::Extension]) -> Self {
        let mut r = Self::default();
        let mut seen: Vec<ObjectIdentifier> = Vec::new();
        for ext in exts {
            let oid = ext.extn_id;
            if seen.contains(&oid) {
                r.malformed.push((
                    oid.to_string(),
                    "appears more than once (RFC 5280 forbids this)".to_owned(),
                ));
                continue;
            }
            seen.push(oid);
            let bytes = ext.extn_value.as_bytes();
            let critical = ext.critical;
            let result: Result<(), der::Error> = (|| {
                match oid {
                    OID_BASIC_CONSTRAINTS => {
                        let bc = BasicConstraints::from_der(bytes)?;
                        r.basic_constraints = Some((critical, bc.ca, bc.path_len_constraint));
                    }
                    OID_KEY_USAGE => {
                        let ku = KeyUsage::from_der(bytes)?;
                        r.key_usage = Some((critical, key_usage_names(&ku)));
                    }
                    OID_EXT_KEY_USAGE => {
                        let eku = EkuExt::from_der(bytes)?;
                        r.extended_key_usage =
                            Some((critical, eku.0.iter().map(eku_name).collect()));
                    }
                    OID_SUBJECT_ALT_NAME => {
                        let san = SubjectAltName::from_der(bytes)?;
                        r.subject_alt_names = san.0.iter().map(general_name).collect();
                    }
                    OID_SUBJECT_KEY_ID => {
                        let ski = SubjectKeyIdentifier::from_der(bytes)?;
                        r.subject_key_id = Some(hex_upper(ski.0.as_bytes()));
                    }
                    OID_AUTHORITY_KEY_ID => {
                        let aki = AuthorityKeyIdentifier::from_der(bytes)?;
                        r.authority_key_id = aki.key_identifier.map(|k| hex_upper(k.as_bytes()));
                    }
                    _ => r.other.push((oid.to_string(), critical)),
                }
                Ok(())
            })();
            if let Err(e) = result {
                r.malformed.push((oid.to_string(), e.to_string()));
            }
        }
        r
    }
}

fn key_usage_names(ku: &KeyUsage) -> Vec<String> {
    let all = [
        (KeyUsages::DigitalSignature, "digitalSignature"),
        (KeyUsages::NonRepudiation, "nonRepudiation"),
        (KeyUsages::KeyEncipherment, "keyEncipherment"),
        (KeyUsages::DataEncipherment, "dataEncipherment"),
        (KeyUsages::KeyAgreement, "keyAgreement"),
        (KeyUsages::KeyCertSign, "keyCertSign"),
        (KeyUsages::CRLSign, "cRLSign"),
        (KeyUsages::EncipherOnly, "encipherOnly"),
        (KeyUsages::DecipherOnly, "decipherOnly"),
    ];
    all.iter()
        .filter(|(flag, _)| ku.0.contains(*flag))
        .map(|(_, name)| (*name).to_owned())
        .collect()
}

fn general_name(name: &GeneralName) -> String {
    match name {
        GeneralName::DnsName(v) => format!("DNS:{}", crate::name::sanitize(v.as_str())),
        GeneralName::Rfc822Name(v) => format!("email:{}", crate::name::sanitize(v.as_str())),
        GeneralName::UniformResourceIdentifier(v) => {
            format!("URI:{}", crate::name::sanitize(v.as_str()))
        }
        GeneralName::IpAddress(v) => {
            let b = v.as_bytes();
            if let Ok(a) = <[u8; 4]>::try_from(b) {
                format!("IP:{}", IpAddr::from(a))
            } else if let Ok(a) = <[u8; 16]>::try_from(b) {
                format!("IP:{}", IpAddr::from(a))
            } else {
                format!("IP:#{}", hex_upper(b))
            }
        }
        GeneralName::DirectoryName(n) => format!("DirName:{}", crate::name::display_name(n)),
        GeneralName::RegisteredId(oid) => format!("RID:{oid}"),
        GeneralName::OtherName(o) => format!("otherName:{}", o.type_id),
        GeneralName::EdiPartyName(_) => "EdiPartyName".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn san_parsing() {
        assert_eq!(
            "example.com".parse::<SanEntry>().unwrap(),
            SanEntry::Dns("example.com".into())
        );
        assert_eq!(
            "*.example.com".parse::<SanEntry>().unwrap(),
            SanEntry::Dns("*.example.com".into())
        );
        assert_eq!(
            "10.0.0.1".parse::<SanEntry>().unwrap(),
            SanEntry::Ip("10.0.0.1".parse().unwrap())
        );
        assert_eq!(
            "IP:::1".parse::<SanEntry>().unwrap(),
            SanEntry::Ip("::1".parse().unwrap())
        );
        assert_eq!(
            "dns:id.example".parse::<SanEntry>().unwrap().to_string(),
            "DNS:id.example"
        );
        assert_eq!(
            "uri:https://id.example/".parse::<SanEntry>().unwrap(),
            SanEntry::Uri("https://id.example/".into())
        );
        assert_eq!(
            "email:ops@example.com"
                .parse::<SanEntry>()
                .unwrap()
                .to_string(),
            "email:ops@example.com"
        );
        for bad in [
            "dns:-bad.example",
            "ip:300.1.1.1",
            "email:nobody",
            "uri:noscheme",
            "bad_host",
            "a..b",
            "",
        ] {
            assert!(bad.parse::<SanEntry>().is_err(), "{bad}");
        }
    }

    #[test]
    fn eku_parsing() {
        assert_eq!(
            "serverAuth".parse::<ExtendedKeyUsage>().unwrap(),
            ExtendedKeyUsage::ServerAuth
        );
        assert_eq!(
            "1.2.3.4".parse::<ExtendedKeyUsage>().unwrap().oid(),
            ObjectIdentifier::new_unwrap("1.2.3.4")
        );
        assert!("tls".parse::<ExtendedKeyUsage>().is_err());
    }
}
