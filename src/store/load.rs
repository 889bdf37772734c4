//! Reading one record file tolerantly. Whatever the bytes — empty, not UTF-8,
//! bad YAML, an alias bomb, an unknown status, a file name that disagrees with
//! its `id:` — the result is a record or a list of located problems, never a
//! panic and never an error that stops other files from loading.

use crate::model::{
    ContextSnapshot, IdKind, Limits, ModelError, Problem, Record, RecordId, Sprint, Task, assume,
    key_line,
};
use chrono::{DateTime, Utc};
use keys::top_level_keys;
use std::borrow::Cow;

/// The outcome of loading one file.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The record, when the file is valid (warnings allowed).
    pub record: Option<Record>,
    pub problems: Vec<Problem>,
    /// Top-level keys and their 1-based lines, so later checks can point at a field.
    pub key_lines: Vec<(Cow<'static, str>, usize)>,
    /// The id the file speaks for: its record's, else the `id:` it states,
    /// else its file name's. A broken or misnamed file is found by this id,
    /// so `task show ID` can say what is wrong with it.
    pub claims: Option<RecordId>,
}

/// A stable 64-bit content hash (FNV-1a): cheap, and the same across builds, so a
/// cache written by one binary is trusted by the next.
pub fn content_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Loads the file at `rel` (e.g. `tasks/TASK-7k2mq.yaml`) from its bytes,
/// with nothing known about the file itself (a git blob, a merge result): a
/// missing `created` is assumed unknown.
pub fn load_record(kind: IdKind, rel: &str, bytes: &[u8]) -> Loaded {
    load_record_at(kind, rel, bytes, None)
}

/// [`load_record`] for a file on disk whose modification time is
/// `file_time`: what a hand-written record leaves out of `created` is taken
/// from it (git's first commit of the file would be steadier, but costs a
/// history walk per file; the tool's first write pins the value instead).
pub fn load_record_at(
    kind: IdKind,
    rel: &str,
    bytes: &[u8],
    file_time: Option<DateTime<Utc>>,
) -> Loaded {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let claimed = super::RecordPath::in_dir(kind, name);
    let by_name = claimed
        .as_ref()
        .and_then(|p| RecordId::parse(p.stem()).ok());
    let text = match record_text(bytes) {
        Ok(text) => text,
        Err((line, column, message)) => {
            return Loaded {
                record: None,
                problems: vec![Problem::error(rel, line, column, message)],
                key_lines: Vec::new(),
                claims: by_name,
            };
        }
    };
    let (parsed, known) = parse_kind(kind, text);
    let key_lines = top_level_keys(text, known);
    let mut record = match parsed {
        Ok(r) => r,
        Err(first) => {
            return Loaded {
                record: None,
                problems: field_errors(kind, text, first, &key_lines)
                    .into_iter()
                    .map(|(line, column, message)| Problem::error(rel, line, column, message))
                    .collect(),
                claims: stated_id(text).or(by_name),
                key_lines,
            };
        }
    };
    let mut problems = warnings(rel, &mut record, &key_lines, known, file_time);
    let expected = claimed.as_ref().map(super::RecordPath::stem);
    if let Some(mismatch) = name_mismatch(rel, text, expected, record.id()) {
        problems.push(mismatch);
        return Loaded {
            record: None,
            problems,
            key_lines,
            claims: Some(record.id().clone()),
        };
    }
    Loaded {
        claims: Some(record.id().clone()),
        record: Some(record),
        problems,
        key_lines,
    }
}

/// Where a file goes wrong: line, column (both from 1) and what is wrong.
type Located = (usize, usize, String);

/// The text of a record file, or why there is none to parse (too large, not
/// UTF-8, empty, a merge left conflict markers) at its line and column.
fn record_text(bytes: &[u8]) -> Result<&str, Located> {
    if bytes.len() as u64 > Limits::FILE_BYTES {
        return Err((
            1,
            1,
            format!(
                "file is {} bytes, the limit is {} bytes",
                bytes.len(),
                Limits::FILE_BYTES
            ),
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        // A byte order mark (Windows editors write one) is no part of the
        // YAML: left in, it glues itself to the first key.
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            let (line, column) = line_col(bytes, e.valid_up_to());
            return Err((line, column, "file is not valid UTF-8".into()));
        }
    };
    if text.trim().is_empty() {
        return Err((1, 1, "file is empty".into()));
    }
    if let Some(line) = conflict_marker_line(text) {
        return Err((
            line,
            1,
            "unresolved git merge conflict (conflict markers); keep the right lines, \
             delete the markers, then run `orchestron check`"
                .into(),
        ));
    }
    Ok(text)
}

/// The record of `kind` that `text` holds, or its first error; and the
/// top-level keys that kind knows.
fn parse_kind(kind: IdKind, text: &str) -> (Result<Record, Located>, &'static [&'static str]) {
    match kind {
        IdKind::Task => (parse_task_text(text).map(Record::Task), Task::KEYS),
        IdKind::Sprint => (
            parse_with_check::<Sprint>(text, Sprint::validate).map(Record::Sprint),
            Sprint::KEYS,
        ),
        IdKind::Context => (
            parse_with_check::<ContextSnapshot>(text, ContextSnapshot::validate)
                .map(Record::Context),
            ContextSnapshot::KEYS,
        ),
    }
}

/// Every error of a record of `kind` that does not load, `first` first.
fn field_errors(
    kind: IdKind,
    text: &str,
    first: Located,
    key_lines: &[(Cow<'static, str>, usize)],
) -> Vec<Located> {
    match kind {
        IdKind::Task => every_field_error::<Task>(text, first, key_lines, Task::validate),
        IdKind::Sprint => every_field_error::<Sprint>(text, first, key_lines, Sprint::validate),
        IdKind::Context => vec![first],
    }
}

/// The warnings of a record that loads: what was assumed for fields the file
/// leaves out (filled into `record`), and each key the kind does not know.
fn warnings(
    rel: &str,
    record: &mut Record,
    key_lines: &[(Cow<'static, str>, usize)],
    known: &[&str],
    file_time: Option<DateTime<Utc>>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let present: Vec<&str> = key_lines.iter().map(|(k, _)| &**k).collect();
    if let Some(assumed) = assume(record, &present, file_time) {
        problems.push(Problem::warning(
            rel,
            1,
            1,
            format!("not in the file, assumed: {assumed}"),
        ));
    }
    for (key, line) in key_lines {
        if !known.contains(&&**key) {
            problems.push(Problem::warning(
                rel,
                *line,
                1,
                format!("unknown key `{key}` (kept as is)"),
            ));
        }
    }
    problems
}

/// The error when the file's name (its stem, `expected`) does not name `id`.
fn name_mismatch(rel: &str, text: &str, expected: Option<&str>, id: &RecordId) -> Option<Problem> {
    if expected == Some(id.as_str()) {
        return None;
    }
    let line = key_line(text, "id");
    // A stem that is the id in other letter case (`TASK-HAND3.yaml` for
    // `TASK-hand3`) is a file name to fix, not a mismatched id.
    let message = match expected {
        Some(stem) if RecordId::parse(stem).is_ok_and(|s| &s == id) => {
            format!(
                "the file name `{stem}.yaml` must be `{}`: a record's file name is its id, \
                 the part after '-' in lowercase (rename the file)",
                id.file_name()
            )
        }
        _ => format!(
            "id `{id}` does not match the file name (expected `{}`)",
            expected.unwrap_or("?")
        ),
    };
    Some(Problem::error(rel, line, 1, message))
}

/// Every bad field of a record that does not load, not only the `first`
/// error: each top-level key is tried on its own, beside placeholders for the
/// required `id` and `title` / `name`, and each one that fails to read or to
/// validate is reported at its line. The first error keeps its place (it may
/// be no field's: bad YAML).
fn every_field_error<T: serde::de::DeserializeOwned>(
    text: &str,
    first: (usize, usize, String),
    key_lines: &[(Cow<'static, str>, usize)],
    validate: fn(&T) -> Result<(), ModelError>,
) -> Vec<(usize, usize, String)> {
    let mut out = vec![first];
    let Ok(yaml_serde::Value::Mapping(map)) = yaml_serde::from_str(text) else {
        return out;
    };
    let mut base = yaml_serde::Mapping::new();
    for (key, value) in [("id", "TASK-aaaaa"), ("title", "x"), ("name", "x")] {
        base.insert(key.into(), value.into());
    }
    let read = |m: yaml_serde::Mapping| -> Result<(), String> {
        let value: T = yaml_serde::from_value(yaml_serde::Value::Mapping(m))
            .map_err(|e| plain_words(&strip_position(&strip_location(&e.to_string())).0))?;
        validate(&value).map_err(|e| e.to_string())
    };
    if read(base.clone()).is_err() {
        return out;
    }
    for (key, line) in key_lines {
        let Some(value) = map.get(&**key) else {
            continue;
        };
        let mut alone = base.clone();
        alone.insert((&**key).into(), value.clone());
        if let Err(message) = read(alone)
            && out.iter().all(|(l, ..)| l != line)
        {
            out.push((*line, 1, message));
        }
    }
    out.sort_by_key(|(line, ..)| *line);
    out
}

/// The id a file's top-level `id:` line states, when it is one.
fn stated_id(text: &str) -> Option<RecordId> {
    let line = text.lines().find_map(|l| l.strip_prefix("id:"))?;
    let value = line.split(" #").next().unwrap_or(line).trim();
    RecordId::parse(value.trim_matches(|c| c == '"' || c == '\'')).ok()
}

/// Parses and validates a task file's text; errors carry line and column.
/// A file in the renderer's own layout is read by [`canonical`], anything
/// else (and every error) by the general YAML parser.
pub fn parse_task_text(text: &str) -> Result<Task, (usize, usize, String)> {
    match canonical::task(text) {
        Some(task) => checked(text, task, Task::validate),
        None => parse_with_check::<Task>(text, Task::validate),
    }
}

pub(crate) fn parse_with_check<T: serde::de::DeserializeOwned>(
    text: &str,
    validate: fn(&T) -> Result<(), ModelError>,
) -> Result<T, (usize, usize, String)> {
    let value: T = yaml_serde::from_str(text).map_err(|e| {
        let (message, offset) = strip_position(&strip_location(&e.to_string()));
        let message = plain_words(&message);
        let (line, column) = match (e.location(), refined_line(text, &message), offset) {
            (_, Some(line), _) => (line, 1),
            // Errors of libyaml's reader (a NUL or another control
            // character) carry a byte offset; their location says 1:1.
            (_, None, Some(offset)) => line_col(text.as_bytes(), offset),
            (Some(l), None, None) => (l.line(), l.column()),
            (None, None, None) => (1, 1),
        };
        (line, column, message)
    })?;
    checked(text, value, validate)
}

/// `value` once `validate` passes, else its error at the line of the field
/// it names.
fn checked<T>(
    text: &str,
    value: T,
    validate: fn(&T) -> Result<(), ModelError>,
) -> Result<T, (usize, usize, String)> {
    validate(&value).map_err(|e| {
        let line = key_line(text, model_error_field(&e));
        (line, 1, e.to_string())
    })?;
    Ok(value)
}

fn model_error_field(e: &ModelError) -> &'static str {
    match e {
        ModelError::InvalidEnum { field, .. }
        | ModelError::OutOfRange { field, .. }
        | ModelError::TooLong { field, .. }
        | ModelError::Empty { field }
        | ModelError::ControlCharacter { field, .. } => match *field {
            "note" | "author" => "notes",
            "acceptance criterion" => "acceptance_criteria",
            "label" => "labels",
            f => f,
        },
        ModelError::InvalidId { .. } => "id",
        ModelError::InvalidDate { .. } | ModelError::EndBeforeStart { .. } => "end",
    }
}

/// A better line for errors the parser reports without a position: the second
/// occurrence of a duplicated key, the missing field's mapping, a second document.
fn refined_line(text: &str, message: &str) -> Option<usize> {
    let dup = message
        .strip_prefix("duplicate field `")
        .and_then(|m| m.split('`').next());
    if let Some(key) = dup {
        let prefix = format!("{key}:");
        if let Some(i) = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with(&prefix))
            .nth(1)
            .map(|(i, _)| i)
        {
            return Some(i + 1);
        }
    }
    if message.contains("more than one document")
        && let Some(i) = text.lines().skip(1).position(|l| l.starts_with("---"))
    {
        return Some(i + 2);
    }
    None
}

/// Serde's type errors in the words of the file rather than of Rust:
/// `progress: invalid type: string "lots", expected u8` becomes `progress must
/// be a whole number 0–100, not string "lots"`. Other messages pass unchanged.
fn plain_words(message: &str) -> String {
    let Some((path, rest)) = message.split_once(": invalid ") else {
        return message.to_string();
    };
    let Some((got, expected)) = rest
        .split_once(": ")
        .and_then(|(_, r)| r.rsplit_once(", expected "))
    else {
        return message.to_string();
    };
    let field = path.rsplit('.').next().unwrap_or(path);
    let field = field.split('[').next().unwrap_or(field);
    let wanted = match expected {
        "u8" if field == "progress" => "a whole number 0–100".to_string(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number 0 or more".to_string(),
        "i8" | "i16" | "i32" | "i64" => "a whole number".to_string(),
        "a sequence" => "a list".to_string(),
        "a boolean" => "true or false".to_string(),
        "a string" => "text".to_string(),
        e if e.starts_with("struct ") || e == "a map" => "a mapping (`key: value` lines)".into(),
        _ => return message.to_string(),
    };
    format!("{field} must be {wanted}, not {got}")
}

/// yaml_serde appends " at line L column C" to its messages; we print the location
/// ourselves as `path:line:col`.
pub(crate) fn strip_location(message: &str) -> String {
    let mut out = message.to_string();
    while let Some(start) = out.find(" at line ") {
        let rest = &out[start + " at line ".len()..];
        let line_digits = rest.chars().take_while(char::is_ascii_digit).count();
        let Some(after) = rest[line_digits..].strip_prefix(" column ") else {
            break;
        };
        let col_digits = after.chars().take_while(char::is_ascii_digit).count();
        if line_digits == 0 || col_digits == 0 {
            break;
        }
        let end = start + " at line ".len() + line_digits + " column ".len() + col_digits;
        out.replace_range(start..end, "");
    }
    out
}

/// Splits a trailing " at position N" (a byte offset) off a parser message.
fn strip_position(message: &str) -> (String, Option<usize>) {
    if let Some((head, tail)) = message.rsplit_once(" at position ")
        && let Ok(offset) = tail.trim().parse::<usize>()
    {
        return (head.to_string(), Some(offset));
    }
    (message.to_string(), None)
}

fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// The 1-based line of the first git conflict marker (`<<<<<<< `, `=======`,
/// `>>>>>>> ` at the start of a line), if any: such a file is a merge left
/// half-done, and saying so beats a YAML syntax error.
fn conflict_marker_line(text: &str) -> Option<usize> {
    // Every marker line starts with `<`, `=` or `>`: a file with no line
    // that does (nearly all of them) is passed by one byte fold the
    // compiler vectorises, not split into lines (per callgrind, the split
    // was ~4,000 instructions a task).
    let bytes = text.as_bytes();
    let marker_start = |b: u8| matches!(b, b'<' | b'=' | b'>');
    let any = bytes.first().is_some_and(|&b| marker_start(b))
        || bytes.iter().zip(&bytes[1..]).fold(false, |seen, (&a, &b)| {
            seen | ((a == b'\n') & marker_start(b))
        });
    if !any {
        return None;
    }
    text.lines()
        .position(|l| {
            l.starts_with("<<<<<<< ")
                || l == "<<<<<<<"
                || l == "======="
                || l.starts_with(">>>>>>> ")
                || l == ">>>>>>>"
        })
        .map(|i| i + 1)
}

mod canonical;
mod keys;
mod lines;

#[cfg(test)]
mod tests;
