//! The top-level keys of a record file and their lines, which checks and
//! problems point at. A key the record's kind knows is named by the kind's
//! own `&'static str` rather than a `String` of its own: a dozen or more
//! allocations a file, and their frees, were a tenth of a rebuild's
//! parsing (per callgrind).

use super::lines::LineSplit;
use std::borrow::Cow;

/// Top-level mapping keys (lines that start with `key:` in column 1: a
/// letter or `_`, then letters, digits, `_` or `-` up to the colon).
/// Each is one of `known` (the kind's keys, no allocation) where it is one.
pub(super) fn top_level_keys(
    text: &str,
    known: &'static [&'static str],
) -> Vec<(Cow<'static, str>, usize)> {
    let (mut keys, mut next) = (Vec::with_capacity(16), 0);
    for (i, line) in LineSplit::of(text).enumerate() {
        if let Some(key) = top_level_key(line) {
            keys.push((name(key, known, &mut next), i + 1));
        }
    }
    keys
}

/// The key `line` starts with, if any. Only the key's own
/// bytes are looked at: other lines are refused at their first byte.
pub(super) fn top_level_key(line: &str) -> Option<&str> {
    let bytes = line.as_bytes();
    if !bytes
        .first()
        .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_')
    {
        return None;
    }
    let end = bytes
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))?;
    (bytes[end] == b':').then(|| &line[..end])
}

/// `key` as the entry of `known` it equals, else a `String` of its own.
/// The search starts at `*next`, the place after the last key found, and
/// goes round: a rendered file's keys come in `known`'s order, so it
/// usually ends at its first compare.
fn name(key: &str, known: &'static [&'static str], next: &mut usize) -> Cow<'static, str> {
    for i in 0..known.len() {
        let place = (*next + i) % known.len();
        if known[place] == key {
            *next = place + 1;
            return Cow::Borrowed(known[place]);
        }
    }
    Cow::Owned(key.to_string())
}
