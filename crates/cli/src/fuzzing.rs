//! Fuzz entry points (see `fuzz/`) for the CLI's own parsers.

use crate::policy;

/// The password policy: never panics; an accepted password really meets
/// every rule it claims to check.
pub fn password_policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let problems = policy::check(text);
    if problems.is_empty() {
        assert!(text.chars().count() >= policy::MIN_LENGTH);
        assert!(text.chars().any(char::is_uppercase));
        assert!(text.chars().any(char::is_lowercase));
        assert!(text.chars().any(|c| c.is_ascii_digit()));
        assert!(text.chars().any(|c| !c.is_alphanumeric()));
    }
}
