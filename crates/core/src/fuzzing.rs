//! Fuzz entry points (see `fuzz/`) for the parsers of this crate; the same
//! functions replay the committed corpora in `cargo test`.

#![allow(clippy::expect_used)]

use crate::service::manifest::Manifest;

/// The rotation manifest reader: never panics on any input; a manifest it
/// accepts, written again, reads back and writes to the same text (so what
/// `rollback` reads is exactly what the writer records).
pub fn manifest(data: &[u8]) {
    let Ok(read) = Manifest::parse(data) else {
        return;
    };
    let text = read.to_text();
    let again = Manifest::parse(text.as_bytes()).expect("a written manifest must read back");
    assert_eq!(again.to_text(), text, "writing is not a fixed point");
    assert_eq!(again.changes, read.changes, "the changes did not survive");
    assert_eq!(again.id, read.id);
    assert_eq!(again.service_dir, read.service_dir);
}
