//! A fast reader for task files in the layout `model::render` writes — one
//! `key: value` line per scalar, `[a, b]` lists, literal `|` blocks and
//! `- { at: …, by: …, text: … }` entries — which is what nearly every file
//! in a workspace holds, since every write goes through the renderer.
//! A rebuild spends most of its parsing time in the general YAML parser;
//! this reader does the same work in a fraction of it.
//!
//! It reads a strict subset of YAML and answers `None` for anything outside
//! it — a comment after the first key, a key twice or unknown, a blank line
//! between keys, an escape or a plain word it does not know, a tab, a
//! carriage return — and the general parser then decides, errors and all.
//! What it accepts it reads as the general parser does: values are fed to
//! the same `Deserialize` impls (through [`Node`], a small serde
//! deserializer over borrowed text), plain words count as text only when
//! the renderer itself would have written them plain (`render::plain_ok`),
//! and tests compare the two readers on rendered tasks and on files mutated
//! at random (`tests.rs`).

use super::lines::LineSplit;
use crate::model::Task;
use crate::model::render::{plain_ok, printable};
use serde::Deserialize;
use serde::de::value::{Error, MapDeserializer, SeqDeserializer};
use serde::de::{IntoDeserializer, Visitor};
use std::borrow::Cow;

/// The task in `text`, when the text lies within the subset this reader
/// knows and its values fit a task; `None` sends the text to the general
/// parser.
pub fn task(text: &str) -> Option<Task> {
    Task::deserialize(document(text)?).ok()
}

/// A value of the subset, borrowing its text from the file where no escape
/// or block made it new.
#[derive(Debug)]
enum Node<'a> {
    Null,
    Bool(bool),
    Number(u64),
    Text(Cow<'a, str>),
    List(Vec<Node<'a>>),
    Map(Vec<(&'a str, Node<'a>)>),
}

/// A mapping's entries, refusing a key twice (YAML does too).
fn insert<'a>(map: &mut Vec<(&'a str, Node<'a>)>, key: &'a str, value: Node<'a>) -> Option<()> {
    if map.iter().any(|(k, _)| *k == key) {
        return None;
    }
    map.push((key, value));
    Some(())
}

impl<'de> serde::Deserializer<'de> for Node<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Null => visitor.visit_unit(),
            Node::Bool(b) => visitor.visit_bool(b),
            Node::Number(n) => visitor.visit_u64(n),
            Node::Text(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Node::Text(Cow::Owned(s)) => visitor.visit_string(s),
            Node::List(items) => visitor.visit_seq(SeqDeserializer::new(items.into_iter())),
            Node::Map(entries) => visitor.visit_map(MapDeserializer::new(entries.into_iter())),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Node::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, Error> for Node<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

/// The top-level mapping of `text`.
fn document(text: &str) -> Option<Node<'_>> {
    // A file that does not end its last line, or holds a tab, a carriage
    // return or a character YAML 1.1 counts as a line break (NEL, LS, PS)
    // anywhere, is left to the general parser: none of that is ours.
    let body = text.strip_suffix('\n')?;
    if may_hold_a_break_or_tab(text)
        && text.contains(['\t', '\r', '\u{85}', '\u{2028}', '\u{2029}'])
    {
        return None;
    }
    let mut lines = LineSplit::of(body).peekable();
    while lines.next_if(|l| l.starts_with('#')).is_some() {}
    let mut map = Vec::with_capacity(Task::KEYS.len());
    // The keys seen, a bit per place in `Task::KEYS`: a key twice is not ours.
    let mut seen = 0u32;
    while let Some(line) = lines.next() {
        let colon = line.bytes().position(|b| b == b':')?;
        let (key, rest) = (&line[..colon], &line[colon + 1..]);
        let place = Task::KEYS.iter().position(|k| *k == key)?;
        if seen & (1 << place) != 0 {
            return None;
        }
        seen |= 1 << place;
        let value = match rest {
            "" => block_sequence(&mut lines)?,
            " |" | " |-" | " |+" => literal_block(&rest[2..], &mut lines)?,
            _ => {
                let (value, tail) = flow_value(rest.strip_prefix(' ')?, false)?;
                if !tail.is_empty() {
                    return None;
                }
                value
            }
        };
        map.push((key, value));
    }
    Some(Node::Map(map))
}

/// Whether `text` has a byte that starts or is one of the characters
/// [`document`] refuses: a tab, a carriage return, or the lead byte of NEL
/// (`C2 85`) or of LS / PS (`E2 80 A8`, `E2 80 A9`). A plain byte test the
/// compiler turns into vector code, where the char search decodes every
/// character (a tenth of a task's parsing, per callgrind); only a file it
/// flags is searched char by char.
fn may_hold_a_break_or_tab(text: &str) -> bool {
    text.bytes().fold(false, |seen, b| {
        seen | matches!(b, b'\t' | b'\r' | 0xC2 | 0xE2)
    })
}

type Lines<'a> = std::iter::Peekable<LineSplit<'a>>;

/// The `- item` lines after a `key:` line: each a `{ … }` mapping or a
/// scalar. A key with no items (YAML's null) is left to the general parser.
fn block_sequence<'a>(lines: &mut Lines<'a>) -> Option<Node<'a>> {
    let mut items = Vec::new();
    while let Some(line) = lines.next_if(|l| l.starts_with("- ")) {
        let (value, tail) = flow_value(&line[2..], false)?;
        if !tail.is_empty() {
            return None;
        }
        items.push(value);
    }
    (!items.is_empty()).then_some(Node::List(items))
}

/// A literal block scalar (`|`, `|-`, `|+`) indented by two spaces, as
/// `render::block_text` writes it; `chomp` is what follows the `|`.
fn literal_block<'a>(chomp: &str, lines: &mut Lines<'a>) -> Option<Node<'a>> {
    let mut text = String::new();
    let mut trailing_empty = 0;
    let mut first = true;
    while let Some(line) = lines.next_if(|l| l.is_empty() || l.starts_with("  ")) {
        if line.is_empty() {
            // Leading empty lines would change how YAML finds the block's
            // indentation; the renderer never writes them.
            if first {
                return None;
            }
            trailing_empty += 1;
            continue;
        }
        let content = &line[2..];
        // The first line sets the indentation: more than two spaces there
        // would make YAML indent the whole block deeper. A line of nothing
        // but spaces is YAML's business too.
        if (first && content.starts_with(' '))
            || content.trim_start_matches(' ').is_empty()
            || !all_printable(content)
        {
            return None;
        }
        if !first {
            text.push('\n');
        }
        for _ in 0..trailing_empty {
            text.push('\n');
        }
        trailing_empty = 0;
        text.push_str(content);
        first = false;
    }
    if first {
        return None;
    }
    match chomp {
        "-" => {}
        "" => text.push('\n'),
        _ => {
            text.push('\n');
            for _ in 0..trailing_empty {
                text.push('\n');
            }
        }
    }
    Some(Node::Text(Cow::Owned(text)))
}

/// One value at the start of `s` — `[…]`, `{ … }`, `"…"` or a plain scalar —
/// and what follows it. Inside a flow collection (`flow`), a plain scalar
/// ends at the first `,` (`plain_ok` keeps commas out of flow scalars) or
/// at the collection's end.
fn flow_value(s: &str, flow: bool) -> Option<(Node<'_>, &str)> {
    if let Some(inner) = s.strip_prefix('[') {
        return sequence(inner);
    }
    if let Some(inner) = s.strip_prefix("{ ") {
        return mapping(inner);
    }
    if s.starts_with('"') {
        let (text, tail) = double_quoted(s)?;
        return Some((Node::Text(text), tail));
    }
    let end = if flow {
        s.bytes()
            .position(|b| matches!(b, b',' | b']' | b'}'))
            .unwrap_or(s.len())
    } else {
        s.len()
    };
    let (word, tail) = s.split_at(end);
    // In a mapping the value is followed by ` }`: the space is not its own.
    let word = if flow && tail.starts_with('}') {
        word.strip_suffix(' ')?
    } else {
        word
    };
    Some((plain(word, flow)?, tail))
}

/// `[a, b, "c"]` after its `[`, and what follows the `]`.
fn sequence(mut s: &str) -> Option<(Node<'_>, &str)> {
    let mut items = Vec::new();
    if let Some(tail) = s.strip_prefix(']') {
        return Some((Node::List(items), tail));
    }
    loop {
        let (item, tail) = flow_value(s, true)?;
        items.push(item);
        if let Some(tail) = tail.strip_prefix(']') {
            return Some((Node::List(items), tail));
        }
        s = tail.strip_prefix(", ")?;
    }
}

/// `{ k: v, k: v }` after its `{ `, and what follows the `}`.
fn mapping(mut s: &str) -> Option<(Node<'_>, &str)> {
    let mut map = Vec::new();
    loop {
        // A key is lower-case letters and `_`, then `: `.
        let end = s
            .bytes()
            .position(|b| !(b.is_ascii_lowercase() || b == b'_'))?;
        let (key, rest) = (&s[..end], s[end..].strip_prefix(": ")?);
        if key.is_empty() {
            return None;
        }
        let (value, tail) = flow_value(rest, true)?;
        insert(&mut map, key, value)?;
        if let Some(tail) = tail.strip_prefix('}') {
            return Some((Node::Map(map), tail));
        }
        if let Some(tail) = tail.strip_prefix(" }") {
            // After a quoted value the closing ` }` keeps its space.
            return Some((Node::Map(map), tail));
        }
        s = tail.strip_prefix(", ")?;
    }
}

/// A plain scalar as the general parser resolves it, for the words this
/// reader is sure of: `null`, `true`, `false`, a whole number, a UTC
/// timestamp or date, and text the renderer would write plain.
fn plain(word: &str, flow: bool) -> Option<Node<'_>> {
    match word {
        "null" => return Some(Node::Null),
        "true" => return Some(Node::Bool(true)),
        "false" => return Some(Node::Bool(false)),
        _ => {}
    }
    let bytes = word.as_bytes();
    if !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit) {
        // A leading zero is octal to some YAML readers: not ours.
        if bytes.len() > 1 && bytes[0] == b'0' {
            return None;
        }
        return word.parse::<u64>().ok().map(Node::Number);
    }
    if is_timestamp(bytes) || plain_ok(word, flow) {
        return Some(Node::Text(Cow::Borrowed(word)));
    }
    None
}

/// `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` with optional fractions and a
/// `Z`: the shapes `render::timestamp` and dates write. Whether the digits
/// make a real time is for the deserializer to say, as it does for YAML.
fn is_timestamp(b: &[u8]) -> bool {
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let date = b.len() >= 10 && digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-';
    if !date || !digits(8..10) {
        return false;
    }
    if b.len() == 10 {
        return true;
    }
    let time = b.len() >= 20
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !time || b[b.len() - 1] != b'Z' {
        return false;
    }
    match &b[19..b.len() - 1] {
        [] => true,
        [b'.', fraction @ ..] => {
            (1..=9).contains(&fraction.len()) && fraction.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// Whether every character of `s` is `printable`: one test of every byte
/// for the usual all-printable-ASCII text, the char test only past that.
fn all_printable(s: &str) -> bool {
    crate::model::printable_ascii(s) || s.chars().all(printable)
}

/// A double-quoted scalar on one line, with the escapes the renderer
/// writes (`\" \\ \n \t \r \uXXXX \UXXXXXXXX`), and what follows it.
fn double_quoted(s: &str) -> Option<(Cow<'_, str>, &str)> {
    let body = &s[1..];
    // Without an escape the text is the file's own.
    if let Some(end) = body.bytes().position(|b| b == b'"' || b == b'\\')
        && body.as_bytes()[end] == b'"'
        && all_printable(&body[..end])
    {
        return Some((Cow::Borrowed(&body[..end]), &body[end + 1..]));
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((Cow::Owned(out), &body[i + 1..])),
            '\\' => {
                let (_, e) = chars.next()?;
                let c = match e {
                    '"' => '"',
                    '\\' => '\\',
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'u' | 'U' => {
                        let n = if e == 'u' { 4 } else { 8 };
                        let mut code = 0u32;
                        for _ in 0..n {
                            code = code * 16 + chars.next()?.1.to_digit(16)?;
                        }
                        char::from_u32(code)?
                    }
                    _ => return None,
                };
                out.push(c);
            }
            c if printable(c) => out.push(c),
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests;
