use core::fmt;

use zeroize::Zeroizing;

/// A PFX password, wiped from memory when dropped and never printed.
///
/// PKCS#12 distinguishes an *empty* password (`""`) from an *absent* one
/// (no password at all), and the two give different keys in the PKCS#12 KDF:
/// the empty password is the BMPString terminator `00 00`, the absent one is
/// zero bytes (RFC 7292, Appendix B.1). Readers differ in which they use, so
/// the decoder tries both where the format allows, as OpenSSL and .NET do.
///
/// A password is normally text, but may be any bytes
/// ([`Password::from_bytes`]): a password file written in ISO-8859-1 is used
/// as the bytes it holds, as OpenSSL does (see [`Password::bmp`]).
#[derive(Clone)]
pub struct Password {
    secret: Option<Zeroizing<Vec<u8>>>,
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
    /// A password. The string is moved in (not copied) and wiped when the
    /// `Password` drops.
    #[must_use]
    pub fn new(mut password: Zeroizing<String>) -> Self {
        // `take` moves the buffer out and leaves an empty string behind:
        // no unwiped copy of the secret is made.
        let bytes = core::mem::take(&mut *password).into_bytes();
        Self {
            secret: Some(Zeroizing::new(bytes)),
        }
    }

    /// A password given as bytes that need not be UTF-8 (a password file in
    /// ISO-8859-1, say). They are used exactly as given where the format
    /// takes bytes (PBES2, PBMAC1); see [`Password::bmp`] for the rest.
    #[must_use]
    pub fn from_bytes(password: Zeroizing<Vec<u8>>) -> Self {
        Self {
            secret: Some(password),
        }
    }

    /// A password from a string slice (copied into a zeroizing buffer).
    #[must_use]
    pub fn from_str_copy(password: &str) -> Self {
        Self::from_bytes(Zeroizing::new(password.as_bytes().to_vec()))
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

    /// The password as text, or `None` when its bytes are not UTF-8 (the
    /// absent password is the empty text).
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        core::str::from_utf8(self.utf8()).ok()
    }

    /// The password bytes as given: UTF-8 for a text password. This is what
    /// PBES2/PBKDF2 and PBMAC1 use (RFC 9579 Section 4; OpenSSL 3; .NET).
    /// Absent and empty are both no bytes.
    #[must_use]
    pub fn utf8(&self) -> &[u8] {
        self.secret.as_ref().map_or(&[], |s| s.as_slice())
    }

    /// The password as the PKCS#12 KDF wants it: UTF-16BE with a two-byte
    /// zero terminator (`BMPString` + NUL); the absent password is no bytes.
    ///
    /// Bytes that are not UTF-8 are taken as ISO-8859-1, one character per
    /// byte, as OpenSSL does when its UTF-8 conversion fails
    /// (`OPENSSL_utf82uni` falls back to `OPENSSL_asc2uni`): a file made by
    /// a Java or RSA JSafe producer with the ISO-8859-1 bytes of a password
    /// then verifies with those bytes.
    #[must_use]
    pub fn bmp(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::new());
        if let Some(bytes) = &self.secret {
            out.reserve(bytes.len() * 4 + 2);
            match core::str::from_utf8(bytes) {
                Ok(s) => {
                    for unit in s.encode_utf16() {
                        out.extend_from_slice(&unit.to_be_bytes());
                    }
                }
                Err(_) => {
                    for b in bytes.iter() {
                        out.extend_from_slice(&[0, *b]);
                    }
                }
            }
            out.extend_from_slice(&[0, 0]);
        }
        out
    }

    /// The byte-wise BMP form OpenSSL 1.x produced for non-ASCII passwords
    /// (each UTF-8 byte widened to a UTF-16 unit). Files made that way by
    /// OpenSSL 1.x only open with this form; `None` for ASCII passwords,
    /// where the two forms agree, and for bytes that are not UTF-8, whose
    /// [`Password::bmp`] already is this form.
    #[must_use]
    pub fn legacy_bytewise_bmp(&self) -> Option<Zeroizing<Vec<u8>>> {
        let bytes = self.secret.as_ref()?;
        if bytes.is_ascii() || core::str::from_utf8(bytes).is_err() {
            return None;
        }
        let mut out = Zeroizing::new(Vec::with_capacity(bytes.len() * 2 + 2));
        for b in bytes.iter() {
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
        let cases = [
            (
                "empty",
                Password::empty(),
                [
                    (PasswordForm::AsGiven, vec![0, 0]),
                    (PasswordForm::Absent, vec![]),
                ],
            ),
            (
                "absent",
                Password::absent(),
                [
                    (PasswordForm::AsGiven, vec![]),
                    (PasswordForm::Empty, vec![0, 0]),
                ],
            ),
        ];
        for (name, password, expected) in cases {
            let forms: Vec<_> = kdf_candidates(&password)
                .into_iter()
                .map(|(f, b)| (f, b.to_vec()))
                .collect();
            assert_eq!(forms, expected, "{name} password");
        }
    }
}
