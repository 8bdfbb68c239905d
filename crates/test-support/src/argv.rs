//! Command lines written as one string, the way an operator types them.

/// Splits `line` into arguments as a shell splits a simple command: at runs
/// of white space, a word in single quotes (`'/CN=Interop Root'`) being one
/// argument without its quotes. No variables, globs or escapes: a quote
/// inside a word, or one left open, is a mistake in the test and panics.
///
/// ```
/// # use pfxgen_test_support::argv;
/// assert_eq!(
///     argv("req -x509  -subj '/CN=Interop Root' -days 800"),
///     ["req", "-x509", "-subj", "/CN=Interop Root", "-days", "800"]
/// );
/// ```
#[must_use]
pub fn argv(line: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut rest = line.trim_start();
    while !rest.is_empty() {
        let (word, after) = match rest.strip_prefix('\'') {
            Some(quoted) => quoted
                .split_once('\'')
                .unwrap_or_else(|| panic!("unclosed quote in {line:?}")),
            None => rest.split_once(char::is_whitespace).unwrap_or((rest, "")),
        };
        let quote_ends_word = !rest.starts_with('\'') || after.starts_with(char::is_whitespace);
        assert!(
            !word.contains('\'') && (quote_ends_word || after.is_empty()),
            "a quote inside a word in {line:?}"
        );
        words.push(word);
        rest = after.trim_start();
    }
    words
}

#[cfg(test)]
mod tests {
    use super::argv;

    #[test]
    fn words_quotes_and_white_space() {
        assert_eq!(argv(""), Vec::<&str>::new());
        assert_eq!(argv("  a\tb\n c  "), ["a", "b", "c"]);
        assert_eq!(argv("-subj '' x"), ["-subj", "", "x"]);
        assert_eq!(argv("'a b' 'c'"), ["a b", "c"]);
        assert_eq!(
            argv("--name a.pfx --friendly-name 'Token signing' --days 7"),
            [
                "--name",
                "a.pfx",
                "--friendly-name",
                "Token signing",
                "--days",
                "7"
            ]
        );
    }

    #[test]
    #[should_panic(expected = "unclosed quote")]
    fn an_open_quote_is_a_mistake() {
        let _ = argv("-subj '/CN=a b");
    }

    #[test]
    #[should_panic(expected = "a quote inside a word")]
    fn a_quote_inside_a_word_is_a_mistake() {
        let _ = argv("-subj /CN='a b'");
    }

    #[test]
    #[should_panic(expected = "a quote inside a word")]
    fn a_word_glued_to_a_quote_is_a_mistake() {
        let _ = argv("-subj 'a b'c");
    }
}
