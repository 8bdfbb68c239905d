//! Certificate files: PEM (`CERTIFICATE`, `PKCS7`), a DER certificate, or
//! a PKCS#7 certs-only `SignedData` (`.p7b`, as AD CS returns an issued
//! certificate with its chain), PEM or DER, BER accepted.
//!
//! ```text
//! ContentInfo ::= SEQUENCE { contentType signedData, content [0] EXPLICIT SignedData }
//! SignedData ::= SEQUENCE {
//!     version INTEGER, digestAlgorithms SET, encapContentInfo SEQUENCE,
//!     certificates [0] IMPLICIT SET OF Certificate OPTIONAL,
//!     crls [1] IMPLICIT ... OPTIONAL, signerInfos SET }
//! ```

use pfxgen_asn1::writer;
use pfxgen_x509::Certificate;

use crate::{
    Error, Limits, ber,
    error::{ber_error, check_input_size, check_limit},
    oid,
    pem::{is_pem, pem_blocks},
};
use pfxgen_asn1::{Reader, tag};

/// Most certificates read from one file (.NET's loader allows 200 in a PFX).
pub const MAX_FILE_CERTIFICATES: usize = 200;

/// What a certificate file held.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct CertificateFile {
    /// The certificates, in file order.
    pub certificates: Vec<Certificate>,
    /// Things present but not used (CRLs, other PEM blocks, attribute
    /// certificates), for the operator to be told.
    pub ignored: Vec<String>,
}

fn problem(detail: impl Into<String>) -> Error {
    Error::File {
        what: "the certificate file",
        detail: detail.into(),
    }
}

/// Reads a certificate file in any of the forms above.
///
/// # Errors
/// [`Error::InputTooLarge`], [`Error::LimitExceeded`], [`Error::File`] (no
/// certificate, a damaged one), [`Error::Malformed`] (a damaged PKCS#7).
pub fn read_certificate_file(bytes: &[u8], limits: &Limits) -> Result<CertificateFile, Error> {
    check_input_size(bytes, limits)?;
    let mut file = CertificateFile::default();
    if is_pem(bytes) {
        for (i, block) in pem_blocks(bytes, limits)?.into_iter().enumerate() {
            match block.label.as_str() {
                "CERTIFICATE" | "X509 CERTIFICATE" => {
                    file.certificates.push(certificate(&block.der, i + 1)?);
                }
                "PKCS7" | "CERTIFICATE CHAIN" => pkcs7_into(&block.der, limits, &mut file)?,
                other => file.ignored.push(format!("PEM block {} ({other})", i + 1)),
            }
            check_count(file.certificates.len())?;
        }
    } else if let Ok(cert) = Certificate::from_der(bytes) {
        file.certificates.push(cert);
    } else {
        pkcs7_into(bytes, limits, &mut file)
            .map_err(|e| problem(format!("it is neither a certificate nor PKCS#7 ({e})")))?;
    }
    if file.certificates.is_empty() {
        return Err(problem("it holds no certificate"));
    }
    Ok(file)
}

fn check_count(n: usize) -> Result<(), Error> {
    check_limit("certificates in one file", n, MAX_FILE_CERTIFICATES)
}

fn certificate(der: &[u8], number: usize) -> Result<Certificate, Error> {
    Certificate::from_der(der)
        .map_err(|e| problem(format!("certificate {number} cannot be read: {e}")))
}

/// The certificates of a PKCS#7 `SignedData` (DER or BER).
fn pkcs7_into(bytes: &[u8], limits: &Limits, file: &mut CertificateFile) -> Result<(), Error> {
    // DER as it is: the BER normaliser would descend into the certificates'
    // own ANY values (a name attribute with an unusual constructed tag), which
    // the certificate parser accepts and the normaliser does not.
    let (certs, ignored) = (file.certificates.len(), file.ignored.len());
    if pkcs7_der_into(bytes, file).is_ok() {
        return Ok(());
    }
    file.certificates.truncate(certs);
    file.ignored.truncate(ignored);
    let der =
        ber::normalize(bytes, limits.max_depth).map_err(|e| ber_error(e, "the PKCS#7 file"))?;
    pkcs7_der_into(&der, file)
}

/// The certificates of a DER PKCS#7 `SignedData`.
fn pkcs7_der_into(der: &[u8], file: &mut CertificateFile) -> Result<(), Error> {
    let mut r = Reader::top(der, "the PKCS#7 file");
    let ci = r.sequence("ContentInfo")?;
    r.finish("ContentInfo")?;
    let mut c = ci.reader();
    let content_type = c.oid("ContentInfo.contentType")?;
    if content_type.value != oid::SIGNED_DATA.as_bytes() {
        return Err(problem("the PKCS#7 content is not signedData"));
    }
    let explicit = c.read(tag::CONTEXT_0, "ContentInfo.content", "[0]")?;
    c.finish("ContentInfo")?;
    let mut e = explicit.reader();
    let signed = e.sequence("SignedData")?;
    e.finish("ContentInfo.content")?;
    let mut s = signed.reader();
    s.integer("SignedData.version")?;
    s.read(tag::SET, "SignedData.digestAlgorithms", "a SET")?;
    s.sequence("SignedData.encapContentInfo")?;
    if let Some(certs) = s.read_optional(tag::CONTEXT_0, "SignedData.certificates")? {
        let mut list = certs.reader();
        let mut number = 0;
        while !list.is_empty() {
            number += 1;
            let choice = list.read_any("SignedData.certificates")?;
            if choice.tag == tag::SEQUENCE {
                file.certificates.push(certificate(choice.raw, number)?);
                check_count(file.certificates.len())?;
            } else {
                file.ignored.push(format!(
                    "PKCS#7 certificate entry {number} (not an X.509 certificate)"
                ));
            }
        }
    }
    if s.read_optional(tag::CONTEXT_1, "SignedData.crls")?
        .is_some()
    {
        file.ignored.push("the PKCS#7 CRLs".to_owned());
    }
    s.read(tag::SET, "SignedData.signerInfos", "a SET")?;
    s.finish("SignedData")?;
    Ok(())
}

/// A DER PKCS#7 certs-only `SignedData` holding `certificates` in order,
/// as `openssl crl2pkcs7 -nocrl` writes it.
#[must_use]
pub fn pkcs7_certs_only(certificates: &[Certificate]) -> Vec<u8> {
    let ders: Vec<&[u8]> = certificates.iter().map(Certificate::der).collect();
    let signed = writer::sequence(&[
        &writer::integer_u64(1),
        &writer::set_of(&[]),
        &writer::sequence(&[&writer::oid(&oid::DATA)]),
        &writer::constructed(tag::CONTEXT_0, &ders),
        &writer::set_of(&[]),
    ]);
    writer::sequence(&[
        &writer::oid(&oid::SIGNED_DATA),
        &writer::context_constructed(0, &[&signed]),
    ])
}
