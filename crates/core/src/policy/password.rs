//! The password policy, from the vendor's advice to its users: at least 12
//! characters; upper- and lower-case letters, digits and special characters;
//! no common words or guessable patterns.
//!
//! This is a floor, not a strength meter: it refuses what the vendor says
//! not to use and explains why. `--allow-weak-password` overrides it.

use zeroize::Zeroizing;

/// The minimum length in characters as a literal, for texts that must be
/// `&'static str` (the binary's help, built with `concat!`). It is the one
/// place the number is written: [`MIN_LENGTH`] is defined from it.
#[macro_export]
macro_rules! password_min_length {
    () => {
        12
    };
}

/// Minimum length in characters.
pub const MIN_LENGTH: usize = crate::password_min_length!();

/// Common passwords and words (lower case, letters only) that must not be
/// the substance of a password, however decorated with digits and symbols.
/// A short list on purpose: the other rules already force variety, this one
/// catches the classic "Password123!" and "Welcome2026!".
const COMMON: &[&str] = &[
    "password",
    "passwort",
    "passwd",
    "pass",
    "welcome",
    "letmein",
    "admin",
    "administrator",
    "root",
    "qwerty",
    "qwertz",
    "azerty",
    "secret",
    "login",
    "master",
    "monkey",
    "dragon",
    "shadow",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "soccer",
    "hockey",
    "superman",
    "batman",
    "trustno",
    "iloveyou",
    "starwars",
    "whatever",
    "freedom",
    "changeme",
    "default",
    "test",
    "tester",
    "testing",
    "guest",
    "user",
    "summer",
    "winter",
    "spring",
    "autumn",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "friday",
    "sunday",
    "company",
    "server",
    "identity",
    "identityserver",
    "token",
    "certificate",
    "openssl",
    "pfx",
    "secure",
    "security",
    "access",
    "hello",
    "internet",
    "computer",
    "samsung",
    "google",
    "microsoft",
    "windows",
    "linux",
    "oracle",
    "abc",
    "abcd",
    "qwe",
    "asd",
    "zxc",
    "love",
    "lovely",
    "flower",
    "cookie",
    "pokemon",
    "michael",
    "jennifer",
    "jordan",
    "hunter",
    "killer",
    "ranger",
    "buster",
    "thomas",
    "robert",
    "daniel",
    "charlie",
    "ashley",
    "bailey",
    "passw",
    "p@ssword",
    "geheim",
    "kennwort",
    "motdepasse",
    "contrasena",
    "parola",
    "haslo",
    "salasana",
    "wachtwoord",
    "losenord",
    "adgangskode",
    "zaq",
    "xsw",
    "qaz",
    "wsx",
];

/// Keyboard rows and alphabets scanned for runs of four or more.
const SEQUENCES: &[&str] = &[
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "qwertzuiop",
    "yxcvbnm",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "1qaz2wsx3edc4rfv",
];

/// Checks a password against the policy. Returns every rule it breaks.
#[must_use]
pub fn check(password: &str) -> Vec<String> {
    let mut problems = Vec::new();
    // Every copy derived from the password is wiped when dropped.
    let chars: Zeroizing<Vec<char>> = Zeroizing::new(password.chars().collect());
    if chars.len() < MIN_LENGTH {
        problems.push(format!(
            "it has {} characters; at least {MIN_LENGTH} are required",
            chars.len()
        ));
    }
    if !chars.iter().any(|c| c.is_uppercase()) {
        problems.push("it has no upper-case letter".to_owned());
    }
    if !chars.iter().any(|c| c.is_lowercase()) {
        problems.push("it has no lower-case letter".to_owned());
    }
    if !chars.iter().any(char::is_ascii_digit) {
        problems.push("it has no digit".to_owned());
    }
    if !chars.iter().any(|c| !c.is_alphanumeric()) {
        problems.push("it has no special character (such as ! # % + - . : = ? @ _)".to_owned());
    }
    if chars.iter().any(|c| c.is_control()) {
        problems.push("it contains a control character".to_owned());
    }
    // The word or pattern itself is never repeated: messages reach logs.
    if is_common_word(password) {
        problems.push("it is built on a common word or password".to_owned());
    }
    if has_trivial_pattern(&chars) {
        problems.push(
            "it contains a guessable pattern (four repeated characters, or four in alphabet, digit or keyboard order)"
                .to_owned(),
        );
    }
    problems
}

/// Undoes common letter substitutions and keeps only letters, lower-cased.
fn letters_only(password: &str) -> Zeroizing<String> {
    Zeroizing::new(
        password
            .chars()
            .filter_map(|c| {
                let c = c.to_lowercase().next().unwrap_or(c);
                Some(match c {
                    '0' => 'o',
                    '1' | '!' => 'i',
                    '3' => 'e',
                    '4' | '@' => 'a',
                    '5' | '$' => 's',
                    '7' => 't',
                    c if c.is_alphabetic() => c,
                    _ => return None,
                })
            })
            .collect(),
    )
}

/// Whether a common word makes up most of the password: the letters (after
/// undoing substitutions) are a common word, or a common word of five or
/// more letters covers at least half of them.
fn is_common_word(password: &str) -> bool {
    let letters = letters_only(password);
    let plain: Zeroizing<String> = Zeroizing::new(
        password
            .chars()
            .filter(|c| c.is_alphabetic())
            .flat_map(char::to_lowercase)
            .collect(),
    );
    [&letters, &plain].into_iter().any(|candidate| {
        let candidate_len = candidate.chars().count();
        candidate_len > 0
            && COMMON.iter().any(|word| {
                let word_len = word.chars().count();
                candidate.as_str() == *word
                    || (word_len >= 5 && word_len * 2 >= candidate_len && candidate.contains(word))
            })
    })
}

/// A run of four identical characters, or four consecutive characters of an
/// alphabet or keyboard row (either direction). Compares in place: no copy
/// of the password is made.
fn has_trivial_pattern(chars: &[char]) -> bool {
    let lower: Zeroizing<Vec<char>> = Zeroizing::new(
        chars
            .iter()
            .map(|c| c.to_lowercase().next().unwrap_or(*c))
            .collect(),
    );
    lower.windows(4).any(|window| {
        let repeated = window.iter().all(|c| Some(c) == window.first());
        repeated
            || SEQUENCES.iter().any(|sequence| {
                sequence.as_bytes().windows(window.len()).any(|run| {
                    let forward = run.iter().zip(window).all(|(a, b)| char::from(*a) == *b);
                    let backward = run
                        .iter()
                        .rev()
                        .zip(window)
                        .all(|(a, b)| char::from(*a) == *b);
                    forward || backward
                })
            })
    })
}

/// Characters of generated passwords: letters and digits without the
/// look-alikes (I, l, O, 0, 1), and symbols that need no quoting in a shell,
/// JSON or XML.
const GENERATED_ALPHABET: &[u8] =
    b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-.:=?@^_~";
/// Length of generated passwords: 24 characters of a 70-symbol alphabet,
/// about 147 bits.
pub const GENERATED_LENGTH: usize = 24;

/// A fresh random password that passes [`check`].
///
/// # Errors
/// When the operating system's RNG fails.
pub fn generate() -> Result<Zeroizing<String>, pfxgen_keygen::Error> {
    let n = GENERATED_ALPHABET.len();
    // Rejection sampling: accept bytes below the largest multiple of n.
    let limit = 256 - 256 % n;
    loop {
        let mut out = Zeroizing::new(String::with_capacity(GENERATED_LENGTH));
        while out.len() < GENERATED_LENGTH {
            let bytes = pfxgen_keygen::random_bytes(64)?;
            for b in bytes.iter().map(|b| usize::from(*b)).filter(|b| *b < limit) {
                if out.len() == GENERATED_LENGTH {
                    break;
                }
                if let Some(c) = GENERATED_ALPHABET.get(b % n) {
                    out.push(char::from(*c));
                }
            }
        }
        if check(&out).is_empty() {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_strong_passwords() {
        for pw in [
            "Pässwörd€-2026!x",
            "Tr0ub4dor&3-horse",
            "x9#Kq2!mZp7@",
            "Mein-Geheimnis-ist-7-lang!",
        ] {
            assert_eq!(check(pw), Vec::<String>::new(), "{pw}");
        }
    }

    #[test]
    fn refuses_with_reasons() {
        let cases = [
            ("Short1!a", "at least 12"),
            ("alllowercase123!", "upper-case"),
            ("ALLUPPERCASE123!", "lower-case"),
            ("NoDigitsHere!!x", "digit"),
            ("NoSpecials12345x", "special"),
            ("Password123!", "common word"),
            ("P@ssw0rd-2026!", "common word"),
            ("Welcome2026!!", "common word"),
            ("Xk9#aaaa-Lmq2", "pattern"),
            ("Zz!x1234-Pqmw", "pattern"),
            ("Qwerty-Zz!x98", "common word"),
            ("Lm#2-fdsa-Kq9p", "pattern"),
        ];
        for (pw, needle) in cases {
            let problems = check(pw).join("; ");
            assert!(problems.contains(needle), "{pw}: {problems}");
        }
    }

    #[test]
    fn generated_passwords_pass_and_differ() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_eq!(a.chars().count(), GENERATED_LENGTH);
        assert!(check(&a).is_empty(), "{:?}", check(&a));
        assert_ne!(*a, *b);
        assert!(a.bytes().all(|c| GENERATED_ALPHABET.contains(&c)));
    }
}
