//! The canonical text of task and sprint files. We write YAML ourselves rather
//! than through a serializer so that the layout is ours to choose: one line per
//! scalar field, flow lists (`labels: [a, b]`) and one line per list entry
//! (`- { at: …, by: …, text: … }`), so that a status change or a new note is a
//! one-line diff and concurrent edits to different fields merge line by line.
//! Every string goes through [`scalar`], which quotes whenever plain style could
//! be misread; round-trip tests pin that down.

use super::{Criterion, Entry, Sprint, Task};
use chrono::{DateTime, SecondsFormat, Utc};
use std::fmt::Write;

/// First line of every task file: points yaml-language-server (VS Code, Neovim,
/// Helix, Zed…) at the schema `init` installs, for completion and validation.
pub const TASK_MODELINE: &str = "# yaml-language-server: $schema=../schemas/task.schema.json\n";
/// The same for sprint files.
pub const SPRINT_MODELINE: &str = "# yaml-language-server: $schema=../schemas/sprint.schema.json\n";

/// The same for context files (written by serde, see `store::records`).
pub const CONTEXT_MODELINE: &str =
    "# yaml-language-server: $schema=../schemas/context.schema.json\n";

/// Renders a task in canonical layout. `extra` holds unknown top-level keys from
/// the file, already rendered as YAML, appended so that nothing a human added is lost.
pub fn task(t: &Task, extra: &str) -> String {
    let mut out = String::with_capacity(512);
    out.push_str(TASK_MODELINE);
    line(&mut out, "id", t.id.as_str());
    line(&mut out, "title", &scalar(&t.title, false));
    line(&mut out, "status", t.status.as_str());
    line(&mut out, "type", t.kind.as_str());
    line(&mut out, "priority", t.priority.as_str());
    line(
        &mut out,
        "parent",
        &opt(t.parent.as_ref().map(|p| p.to_string())),
    );
    line(
        &mut out,
        "assignee",
        &opt(t.assignee.as_deref().map(|a| scalar(a, false))),
    );
    line(&mut out, "created", &timestamp(&t.created));
    line(&mut out, "progress", &t.progress.to_string());
    line(
        &mut out,
        "estimate",
        &opt(t.estimate.map(|e| e.to_string())),
    );
    line(
        &mut out,
        "sprint",
        &opt(t.sprint.as_ref().map(|s| s.to_string())),
    );
    line(
        &mut out,
        "labels",
        &flow_list(t.labels.iter().map(String::as_str)),
    );
    line(
        &mut out,
        "depends_on",
        &flow_list(t.depends_on.iter().map(|d| d.as_str())),
    );
    // Written only once set: most tasks never carry them.
    if let Some(at) = &t.started {
        line(&mut out, "started", &timestamp(at));
    }
    if let Some(at) = &t.closed {
        line(&mut out, "closed", &timestamp(at));
    }
    if let Some(x) = &t.external {
        line(&mut out, "external", &scalar(x, false));
    }
    if let Some(d) = &t.description {
        block_text(&mut out, "description", d);
    }
    list(
        &mut out,
        "acceptance_criteria",
        &t.acceptance_criteria,
        criterion,
    );
    list(&mut out, "clarifications", &t.clarifications, entry);
    list(&mut out, "notes", &t.notes, entry);
    out.push_str(extra);
    out
}

/// Renders a sprint in canonical layout.
pub fn sprint(s: &Sprint, extra: &str) -> String {
    let mut out = String::with_capacity(256);
    out.push_str(SPRINT_MODELINE);
    line(&mut out, "id", s.id.as_str());
    line(&mut out, "name", &scalar(&s.name, false));
    line(&mut out, "status", s.status.as_str());
    match &s.goal {
        Some(goal) => block_text(&mut out, "goal", goal),
        None => line(&mut out, "goal", "null"),
    }
    line(&mut out, "start", &opt(s.start.map(|d| d.to_string())));
    line(&mut out, "end", &opt(s.end.map(|d| d.to_string())));
    line(&mut out, "created", &timestamp(&s.created));
    out.push_str(extra);
    out
}

/// The text of one top-level key (with its continuation lines) in a rendered
/// record; used by the lossless editor to replace a single field.
pub fn field(full: &str, key: &str) -> Option<String> {
    let doc_key = format!("{key}:");
    let start = full.lines().position(|l| l.starts_with(&doc_key))?;
    let mut lines = full.lines().skip(start);
    let mut text = lines.next()?.to_string();
    for l in lines {
        if !l.starts_with(' ') && !l.starts_with('-') && !l.is_empty() {
            break;
        }
        text.push('\n');
        text.push_str(l);
    }
    text.push('\n');
    Some(text)
}

/// One list entry of a task list field, as [`task`] writes it (`- { … }`), without
/// the leading `- `.
pub fn entry(e: &Entry) -> String {
    format!(
        "{{ at: {}, by: {}, text: {} }}",
        timestamp(&e.at),
        scalar(&e.by, true),
        scalar(&e.text, true)
    )
}

/// One acceptance criterion as a flow mapping, without the leading `- `.
pub fn criterion(c: &Criterion) -> String {
    format!("{{ text: {}, done: {} }}", scalar(&c.text, true), c.done)
}

/// RFC 3339 UTC with whole seconds and a `Z`.
pub fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn line(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key}: {value}");
}

fn opt(value: Option<String>) -> String {
    value.unwrap_or_else(|| "null".to_string())
}

fn flow_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(|s| scalar(s, true)).collect();
    format!("[{}]", items.join(", "))
}

fn list<T>(out: &mut String, key: &str, items: &[T], render: fn(&T) -> String) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "{key}:");
    for item in items {
        let _ = writeln!(out, "- {}", render(item));
    }
}

/// Multi-line text as a literal block (`|`), readable and diffable line by line;
/// single-line or awkward text as a scalar.
fn block_text(out: &mut String, key: &str, text: &str) {
    if !literal_block_ok(text) {
        line(out, key, &scalar(text, false));
        return;
    }
    let body = text.trim_end_matches('\n');
    let trailing = text.len() - body.len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let _ = writeln!(out, "{key}: |{chomp}");
    for l in body.split('\n') {
        if l.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "  {l}");
        }
    }
    for _ in 1..trailing {
        out.push('\n');
    }
}

fn literal_block_ok(text: &str) -> bool {
    text.contains('\n')
        && !text.starts_with([' ', '\t', '\n'])
        && text
            .chars()
            .all(|c| c == '\n' || (c != '\r' && c != '\t' && printable(c)))
}

/// Characters YAML allows unescaped in a stream (YAML 1.2 §5.1 `c-printable`).
pub(crate) fn printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
        && c != '\u{feff}'
}

/// A string as a YAML scalar: plain when that is unambiguous, else double-quoted
/// with escapes. `flow` is true inside `[…]` or `{…}`, where `,[]{}` are special.
pub fn scalar(s: &str, flow: bool) -> String {
    if plain_ok(s, flow) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// Whether the renderer may write `s` plain (unquoted): it starts with a
/// letter, and holds only letters, digits, spaces not before `#`, the
/// punctuation below, `:` not before a space (nor, in flow, before `,[]{}`)
/// and, outside flow, `,[]{}`; and it is no word YAML reads as another
/// type. The reader of rendered files asks this of every plain word, so
/// it walks bytes, decoding a character only where one is not ASCII.
pub(crate) fn plain_ok(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let bytes = s.as_bytes();
    if !first.is_alphabetic() || matches!(bytes.last(), Some(b' ' | b':')) || s.len() > 200 {
        return false;
    }
    const RESERVED: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "nan", "inf",
    ];
    if s.len() <= 5 && RESERVED.iter().any(|r| s.eq_ignore_ascii_case(r)) {
        return false;
    }
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // Most bytes are letters and the like: one table load each.
        if PLAIN_ANYWHERE[usize::from(b)] {
            i += 1;
            continue;
        }
        let ok = match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => true,
            b' ' => bytes.get(i + 1) != Some(&b'#'),
            b'_' | b'-' | b'.' | b'/' | b'(' | b')' | b'\'' | b'+' | b'@' | b'!' | b'?' | b'%'
            | b'&' | b'=' | b'<' | b'>' | b';' | b'~' | b'^' | b'$' | b'*' => true,
            b':' => bytes
                .get(i + 1)
                .is_some_and(|b| !(b.is_ascii_whitespace() || flow && b",[]{}".contains(b))),
            b',' | b'[' | b']' | b'{' | b'}' => !flow,
            0x80.. => {
                let Some(c) = s[i..].chars().next() else {
                    return false;
                };
                if !c.is_alphanumeric() {
                    return false;
                }
                i += c.len_utf8();
                continue;
            }
            _ => false,
        };
        if !ok {
            return false;
        }
        i += 1;
    }
    true
}

/// The bytes a plain scalar may hold whatever comes after them: ASCII
/// letters, digits and the punctuation `plain_ok` allows anywhere.
const PLAIN_ANYWHERE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        // Below 128: the cast cannot truncate.
        table[b] = matches!(b as u8,
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
            | b'_' | b'-' | b'.' | b'/' | b'(' | b')' | b'\'' | b'+' | b'@' | b'!' | b'?' | b'%'
            | b'&' | b'=' | b'<' | b'>' | b';' | b'~' | b'^' | b'$' | b'*');
        b += 1;
    }
    table
};

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if printable(c) => out.push(c),
            c if (c as u32) <= 0xffff => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RecordId, Status};
    use proptest::prelude::*;

    /// `plain_ok` as it was written over `char`s, before it walked bytes:
    /// the reference the byte walk must agree with.
    fn plain_ok_by_chars(s: &str, flow: bool) -> bool {
        let Some(first) = s.chars().next() else {
            return false;
        };
        if !first.is_alphabetic() || s.ends_with([' ', ':']) || s.len() > 200 {
            return false;
        }
        const RESERVED: &[&str] = &[
            "true", "false", "yes", "no", "on", "off", "null", "y", "n", "nan", "inf",
        ];
        if RESERVED.iter().any(|r| s.eq_ignore_ascii_case(r)) {
            return false;
        }
        let bytes = s.as_bytes();
        s.char_indices().all(|(i, c)| match c {
            c if c.is_alphanumeric() => true,
            ' ' => !s[i + 1..].starts_with('#'),
            '_' | '-' | '.' | '/' | '(' | ')' | '\'' | '+' | '@' | '!' | '?' | '%' | '&' | '='
            | '<' | '>' | ';' | '~' | '^' | '$' | '*' => true,
            ':' => bytes
                .get(i + 1)
                .is_some_and(|b| !(b.is_ascii_whitespace() || flow && b",[]{}".contains(b))),
            ',' | '[' | ']' | '{' | '}' => !flow,
            _ => false,
        })
    }

    proptest! {
        #![proptest_config(crate::model::strategies::config(2048))]

        #[test]
        fn plain_ok_walks_bytes_as_it_walked_chars(
            s in prop_oneof![
                "[a-zA-Z0-9 :#,\\[\\]{}_.'\"-]{0,12}",
                "[a-zé✓ ]{1,3}[\\x00-\\x7f\\u{80}-\\u{3000}]{0,8}",
                any::<String>(),
                proptest::sample::select(&["yes", "No", "NULL", "inf", "nan:", "y", "onn"][..])
                    .prop_map(String::from),
            ],
            flow in any::<bool>(),
        ) {
            prop_assert_eq!(plain_ok(&s, flow), plain_ok_by_chars(&s, flow), "{:?}", s);
        }
    }

    fn roundtrip_string(s: &str, flow: bool) -> String {
        let doc = if flow {
            format!("k: [{}]\n", scalar(s, true))
        } else {
            format!("k: {}\n", scalar(s, false))
        };
        if flow {
            let v: std::collections::BTreeMap<String, Vec<String>> =
                yaml_serde::from_str(&doc).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
            v["k"][0].clone()
        } else {
            let v: std::collections::BTreeMap<String, String> =
                yaml_serde::from_str(&doc).unwrap_or_else(|e| panic!("{doc:?}: {e}"));
            v["k"].clone()
        }
    }

    #[test]
    fn tricky_strings_roundtrip_in_block_and_flow_context() {
        for s in [
            "Use OAuth2: not SAML # really",
            "null",
            "123",
            "  leading spaces",
            "trailing: ",
            "a, b [c] {d}",
            "quote \" and \\ backslash",
            "tab\tand\nnewline",
            "emoji 🚀 and ünïcödé",
            "- dash",
            "#hash",
            "yes",
            "key:value",
            "ctrl \u{7f}\u{1}\u{feff}",
            "",
            "2026-11-25",
            "@at *star &amp !bang",
        ] {
            assert_eq!(roundtrip_string(s, false), s, "block {s:?}");
            assert_eq!(roundtrip_string(s, true), s, "flow {s:?}");
        }
    }

    #[test]
    fn task_renders_one_line_per_field_and_roundtrips() {
        let created = "2026-11-24T16:02:11Z".parse().unwrap();
        let mut t = Task::new(
            RecordId::parse("TASK-7k2mq").unwrap(),
            "Add reset: now".into(),
            created,
        );
        t.status = Status::InProgress;
        t.labels = vec!["auth".into(), "a,b".into()];
        t.description = Some("Line one\n\n  indented\nlast\n".into());
        t.notes.push(Entry {
            at: created,
            by: "claude".into(),
            text: "Done # not a comment".into(),
        });
        t.acceptance_criteria.push(Criterion {
            text: "Tests pass".into(),
            done: true,
        });
        let text = task(&t, "");
        let back: Task = yaml_serde::from_str(&text).unwrap();
        assert_eq!(back, t, "{text}");
        assert!(text.contains("\nstatus: IN_PROGRESS\n"));
        assert!(text.contains(
            "\n- { at: 2026-11-24T16:02:11Z, by: claude, text: \"Done # not a comment\" }\n"
        ));
    }
}
