//! Old Windows import (docs/consumers.md, "Old Windows import"): the
//! PKCS#12 PBE algorithms and an HMAC-SHA1 MAC only.

use pfxgen_pkcs12::{Content, EncryptionScheme, Hash, MacAlgorithm, Opened, Pfx};

use super::verdict::{Verdict, kdf_uses};

/// Whether Windows Server 2016 / Windows 10 before 1709 can import the
/// file: they know only the PKCS#12 PBE algorithms (3DES, RC2) and an
/// HMAC-SHA1 MAC.
#[must_use]
pub fn legacy_windows(pfx: &Pfx, opened: Option<&Opened>) -> Verdict {
    let mut reasons = Vec::new();
    match pfx.mac().map(|m| &m.algorithm) {
        Some(MacAlgorithm::Pbmac1 { .. }) => reasons.push("the MAC is PBMAC1, which old Windows does not know".to_owned()),
        Some(MacAlgorithm::Pkcs12Hmac { hash, .. }) if *hash != Hash::Sha1 => reasons.push(format!(
            "the MAC uses {}; old Windows requires HMAC-SHA1 (Windows 10 RTM rejects SHA-256 even with 3DES)",
            hash.name().to_ascii_uppercase()
        )),
        Some(MacAlgorithm::Unsupported { digest, .. }) => reasons.push(format!(
            "the MAC uses {digest}; old Windows requires HMAC-SHA1"
        )),
        _ => {}
    }
    let mut pbes2 = false;
    for u in kdf_uses(pfx, opened) {
        if u.scheme.as_ref().is_some_and(EncryptionScheme::is_pbes2) {
            pbes2 = true;
        }
    }
    if pbes2 {
        reasons.push(
            "PBES2/AES encryption: old Windows fails with \"The specified network password is not correct.\"; \
             it needs pbeWithSHAAnd3-KeyTripleDES-CBC (pfxgen's --profile compat)"
                .to_owned(),
        );
    }
    if pfx
        .contents()
        .iter()
        .any(|c| matches!(c, Content::Enveloped))
    {
        reasons.push("public-key encrypted contents (envelopedData)".to_owned());
    }
    Verdict::from_reasons(reasons)
}
