//! Hand-made certificates for tests (chains, issuer cycles): one issuer
//! signing another's key, which [`crate::CertificateParams`] (self-signed
//! only) does not do. Not part of the API: hidden from the documentation.

use pfxgen_asn1::writer;
use pfxgen_keygen::PrivateKey;

use crate::{
    DistinguishedName, Error, UtcTime, algorithm_identifier,
    extensions::{OID_BASIC_CONSTRAINTS, extension},
};

/// The DER certificate of `subject` for `key`, issued by `issuer` and
/// signed by `signer`: valid for 30 days from now, serial the length of
/// `subject`, and only a critical basicConstraints (cA when `ca`).
///
/// # Errors
/// [`Error::InvalidName`] for a name that does not parse,
/// [`Error::InvalidValidity`] for an unusable clock, [`Error::Key`] if
/// signing fails.
pub fn issued(
    subject: &str,
    issuer: &str,
    key: &PrivateKey,
    signer: &PrivateKey,
    ca: bool,
) -> Result<Vec<u8>, Error> {
    let alg = algorithm_identifier(signer.signature_algorithm());
    let clock = || Error::InvalidValidity {
        reason: "the system clock is not between 1970 and 9999".to_owned(),
    };
    let now = UtcTime::now().ok_or_else(clock)?;
    let end = now.plus_days(30).ok_or_else(clock)?;
    let validity = writer::sequence(&[&now.to_x509_der(), &end.to_x509_der()]);
    let bc_value = if ca {
        writer::sequence(&[&writer::boolean(true)])
    } else {
        writer::sequence(&[])
    };
    let bc = extension(&OID_BASIC_CONSTRAINTS, true, &bc_value);
    let serial = u64::try_from(subject.len()).unwrap_or(u64::MAX);
    let tbs = writer::sequence(&[
        &writer::context_constructed(0, &[&writer::integer_u64(2)]),
        &writer::integer_u64(serial),
        &alg,
        &issuer.parse::<DistinguishedName>()?.to_der(),
        &validity,
        &subject.parse::<DistinguishedName>()?.to_der(),
        key.public_key().to_spki_der(),
        &writer::context_constructed(3, &[&writer::sequence(&[&bc])]),
    ]);
    let signature = signer.sign(&tbs)?;
    Ok(writer::sequence(&[
        &tbs,
        &alg,
        &writer::bit_string(&signature),
    ]))
}
