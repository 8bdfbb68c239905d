use core::fmt;

use zeroize::Zeroizing;

/// A PFX password, wiped from memory when dropped and never printed.
///
/// PKCS#12 distinguishes an *empty* password (`""`) from an *absent* one
/// (no password at all), and the two give different keys in the PKCS#12 KDF:
/// the empty password is the BMPString terminator `00 00`, the absent one is
/// zero bytes (RFC 7292, Appendix B.1). Readers differ in which they use, so
/// the decoder tries both where the format allows, as OpenSSL and .NET do.
#[derive(Clone)]
pub struct Password {
    secret: Option<Zeroizing<String>>,
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.secret {
            None => f.write_str("Password(absent)"),
            Some(s) if s.is_empty() => f.write_str("Password(empty)"),
            Some(_) => f.write_str("Password([redacted])"),
        }
    }
}

impl Password {
    /// A password. The string is moved in and wiped when the `Password` drops.
    #[must_use]
    pub fn new(password: Zeroizing<String>) -> Self {
        Self {
            secret: Some(password),
        }
    }

    /// A password from a string slice (copied into a zeroizing buffer).
    #[must_use]
    pub fn from_str_copy(password: &str) -> Self {
        Self::new(Zeroizing::new(password.to_owned()))
    }

    /// The empty password `""`.
    #[must_use]
    pub fn empty() -> Self {
        Self::from_str_copy("")
    }

    /// No password at all.
    #[must_use]
    pub fn absent() -> Self {
        Self { secret: None }
    }

    /// Whether this is the empty or the absent password.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.secret.as_ref().is_none_or(|s| s.is_empty())
    }

    /// Whether this is the absent password.
    #[must_use]
    pub fn is_absent(&self) -> bool {
        self.secret.is_none()
    }

    /// The password as UTF-8 bytes: what PBES2/PBKDF2 and PBMAC1 use
    /// (RFC 9579 Section 4; OpenSSL 3; .NET). Absent and empty are both no bytes.
    #[must_use]
    pub fn utf8(&self) -> &[u8] {
        self.secret.as_ref().map_or(&[], |s| s.as_bytes())
    }

    /// The password as the PKCS#12 KDF wants it: UTF-16BE with a two-byte
    /// zero terminator (`BMPString` + NUL); the absent password is no bytes.
    #[must_use]
    pub fn bmp(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        if let Some(s) = &self.secret {
            out.reserve(s.len() * 2 + 2);
            for unit in s.encode_utf16() {
                out.extend_from_slice(&unit.to_be_bytes());
            }
            out.extend_from_slice(&[0, 0]);
        }
        out
    }

    /// The byte-wise BMP form OpenSSL 1.x produced for non-ASCII passwords
    /// (each UTF-8 byte widened to a UTF-16 unit). Files made that way by
    /// OpenSSL 1.x only open with this form; `None` for ASCII passwords,
    /// where the two forms agree.
    #[must_use]
    pub fn legacy_bytewise_bmp(&self) -> Option<Zeroizing<Vec<u8>>> {
        let s = self.secret.as_ref()?;
        if s.is_ascii() {
            return None;
        }
        let mut out = Zeroizing::new(Vec::with_capacity(s.len() * 2 + 2));
        for b in s.as_bytes() {
            out.extend_from_slice(&[0, *b]);
        }
        out.extend_from_slice(&[0, 0]);
        Some(out)
    }
}

/// Which form of the password opened a file's PKCS#12-KDF protected parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordForm {
    /// The password as given (BMPString with terminator; UTF-8 for PBES2).
    AsGiven,
    /// The empty password as the absent one (zero bytes).
    Absent,
    /// The absent password as the empty one (`00 00`).
    Empty,
    /// OpenSSL 1.x's byte-wise conversion of a non-ASCII password.
    LegacyBytewise,
}

impl PasswordForm {
    /// A short description for reports.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::AsGiven => "as given",
            Self::Absent => "as an absent (NULL) password",
            Self::Empty => "as the empty password",
            Self::LegacyBytewise => "in OpenSSL 1.x's byte-wise form",
        }
    }
}

/// The password forms to try for the PKCS#12 KDF, in order.
pub(crate) fn kdf_candidates(password: &Password) -> Vec<(PasswordForm, Zeroizing<Vec<u8>>)> {
    let mut out = vec![(PasswordForm::AsGiven, password.bmp())];
    if password.secret.as_ref().is_some_and(|s| s.is_empty()) {
        out.push((PasswordForm::Absent, Zeroizing::new(Vec::new())));
    }
    if password.is_absent() {
        out.push((PasswordForm::Empty, Password::empty().bmp()));
    }
    if let Some(legacy) = password.legacy_bytewise_bmp() {
        out.push((PasswordForm::LegacyBytewise, legacy));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bmp_forms() {
        assert_eq!(*Password::absent().bmp(), Vec::<u8>::new());
        assert_eq!(*Password::empty().bmp(), vec![0, 0]);
        assert_eq!(
            *Password::from_str_copy("ab").bmp(),
            vec![0, b'a', 0, b'b', 0, 0]
        );
        assert_eq!(*Password::from_str_copy("€").bmp(), vec![0x20, 0xAC, 0, 0]);
        assert_eq!(
            *Password::from_str_copy("😀").bmp(),
            vec![0xD8, 0x3D, 0xDE, 0x00, 0, 0]
        );
        assert!(
            Password::from_str_copy("abc")
                .legacy_bytewise_bmp()
                .is_none()
        );
        assert_eq!(
            *Password::from_str_copy("ä").legacy_bytewise_bmp().unwrap(),
            vec![0, 0xC3, 0, 0xA4, 0, 0]
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        assert_eq!(
            format!("{:?}", Password::from_str_copy("hunter2")),
            "Password([redacted])"
        );
        assert_eq!(format!("{:?}", Password::empty()), "Password(empty)");
        assert_eq!(format!("{:?}", Password::absent()), "Password(absent)");
    }

    #[test]
    fn empty_and_absent_are_both_tried() {
        let forms: Vec<_> = kdf_candidates(&Password::empty())
            .into_iter()
            .map(|(f, b)| (f, b.to_vec()))
            .collect();
        assert_eq!(
            forms,
            vec![
                (PasswordForm::AsGiven, vec![0, 0]),
                (PasswordForm::Absent, vec![])
            ]
        );
        let forms: Vec<_> = kdf_candidates(&Password::absent())
            .into_iter()
            .map(|(f, b)| (f, b.to_vec()))
            .collect();
        assert_eq!(
            forms,
            vec![
                (PasswordForm::AsGiven, vec![]),
                (PasswordForm::Empty, vec![0, 0])
            ]
        );
    }
}
