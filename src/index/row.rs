//! Conversions between model values and the text and integers stored in
//! columns: ids, kinds, timestamps, the record JSON and the key-line map. Kept
//! in one place so that writers and readers cannot disagree on a format.

use super::error::IndexError;
use crate::model::{IdKind, RecordId};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::DeserializeOwned;

pub fn parse_id(text: &str) -> Result<RecordId, IndexError> {
    RecordId::parse(text).map_err(|e| IndexError::BadRow {
        what: "record id",
        value: text.to_string(),
        detail: e.to_string(),
    })
}

pub fn parse_kind(text: &str) -> Result<IdKind, IndexError> {
    IdKind::ALL
        .into_iter()
        .find(|k| k.as_str() == text)
        .ok_or_else(|| IndexError::BadRow {
            what: "record kind",
            value: text.to_string(),
            detail: "expected task, sprint or context".to_string(),
        })
}

pub fn from_json<T: DeserializeOwned>(what: &'static str, text: &str) -> Result<T, IndexError> {
    serde_json::from_str(text).map_err(|e| IndexError::BadRow {
        what,
        value: text.chars().take(80).collect(),
        detail: e.to_string(),
    })
}

pub fn to_json<T: serde::Serialize>(what: &'static str, value: &T) -> Result<String, IndexError> {
    serde_json::to_string(value).map_err(|source| IndexError::Json { what, source })
}

/// A record's stored JSON: `serde_json`'s bytes, a task's written by
/// [`task_json`](super::task_json) (a rebuild encodes every task on its
/// parsing threads, and serde was a fifth of their time).
pub fn record_json(record: &crate::model::Record) -> Result<String, IndexError> {
    match record {
        crate::model::Record::Task(task) => Ok(super::task_json::task_json(task)),
        other => to_json("record", other),
    }
}

/// RFC 3339 UTC, as records store it; readable in sqlite3.
pub fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, IndexError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| IndexError::BadRow {
            what: "timestamp",
            value: text.to_string(),
            detail: e.to_string(),
        })
}

/// Microseconds since the epoch: a sortable integer for timestamps whose text
/// may or may not carry fractions.
pub fn micros(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The top-level keys whose lines the index's own checks point at (a
/// duplicate id, a dangling link, a cycle, a closed sprint's status); only
/// these are stored, so a record's row carries ~30 bytes of key lines instead
/// of the whole map (200 bytes, most of it keys nothing looks up).
const KEPT_KEYS: [&str; 5] = ["id", "status", "depends_on", "parent", "sprint"];

/// The key-line map as stored: `id=2,status=5,depends_on=12`, the lines of
/// the [`KEPT_KEYS`] the file has (a key written twice: its last line).
pub fn key_lines_text(lines: &[(std::borrow::Cow<'static, str>, usize)]) -> String {
    let mut kept = [0usize; KEPT_KEYS.len()];
    for (key, line) in lines {
        // A match, not a search of KEPT_KEYS: most keys are none of them.
        let i = match &**key {
            "id" => 0,
            "status" => 1,
            "depends_on" => 2,
            "parent" => 3,
            "sprint" => 4,
            _ => continue,
        };
        kept[i] = *line;
    }
    // Sized once for the usual `id=2,status=4,depends_on=12,sprint=14`,
    // the numbers written in place rather than each into a String of its own.
    let mut out = String::with_capacity(48);
    for (key, line) in KEPT_KEYS.iter().zip(kept).filter(|(_, l)| *l > 0) {
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(key);
        out.push('=');
        push_decimal(&mut out, line as u64);
    }
    out
}

/// `n` in decimal, without `fmt`: the rebuild's encoders write every line
/// number and JSON number through this (`write!` was a fifth of a key-line
/// row's encoding).
pub(super) fn push_decimal(out: &mut String, n: u64) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    // A digit is below 10: the cast cannot truncate.
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// The line of `key` (one of [`KEPT_KEYS`]) in a stored key-line map; line
/// 1 when unknown, as `crate::model::key_line` falls back.
pub fn key_line(stored: &str, key: &str) -> usize {
    debug_assert!(KEPT_KEYS.contains(&key), "key lines keep no {key:?}");
    stored
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .and_then(|(_, line)| line.parse().ok())
        .unwrap_or(1)
}

/// Reads a stored record back into the model type its kind names.
pub fn record_from_json(kind: IdKind, json: &str) -> Result<crate::model::Record, IndexError> {
    use crate::model::Record;
    Ok(match kind {
        IdKind::Task => Record::Task(from_json("task", json)?),
        IdKind::Sprint => Record::Sprint(from_json("sprint", json)?),
        IdKind::Context => Record::Context(from_json("context", json)?),
    })
}

/// Whether a record sits where its id says it should: `<kind dir>/<id>.yaml`.
/// Returns (file name matches, directory matches).
pub fn location_ok(path: &str, kind: IdKind, id: &RecordId) -> (bool, bool) {
    let p = std::path::Path::new(path);
    let name_ok = p
        .file_name()
        .is_some_and(|n| n.to_str() == Some(id.file_name().as_str()));
    let dir_ok = p
        .parent()
        .and_then(|d| d.file_name())
        .is_some_and(|d| d.to_str() == Some(kind.dir()));
    (name_ok, dir_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(pairs: &[(&str, usize)]) -> Vec<(std::borrow::Cow<'static, str>, usize)> {
        pairs
            .iter()
            .map(|(k, l)| (k.to_string().into(), *l))
            .collect()
    }

    #[test]
    fn stored_key_lines_keep_the_checked_keys_and_give_their_lines_back() {
        let stored = key_lines_text(&lines(&[
            ("id", 2),
            ("title", 3),
            ("status", 4),
            ("labels", 5),
            ("depends_on", 12),
            ("sprint", 14),
        ]));
        assert_eq!(stored, "id=2,status=4,depends_on=12,sprint=14");
        let far = key_lines_text(&lines(&[("id", 1_234_567), ("status", 10)]));
        assert_eq!(far, "id=1234567,status=10");
        assert_eq!(key_line(&stored, "id"), 2);
        assert_eq!(key_line(&stored, "status"), 4);
        assert_eq!(key_line(&stored, "depends_on"), 12);
        assert_eq!(key_line(&stored, "sprint"), 14);
        // Absent from the file: line 1, as `model::key_line` falls back.
        assert_eq!(key_line(&stored, "parent"), 1);
        assert_eq!(key_line("", "id"), 1);
    }

    #[test]
    fn every_kept_key_alone_is_stored_under_its_own_name() {
        for key in KEPT_KEYS {
            let stored = key_lines_text(&lines(&[("title", 3), (key, 7), ("labels", 8)]));
            assert_eq!(stored, format!("{key}=7"));
            assert_eq!(key_line(&stored, key), 7);
        }
    }

    #[test]
    fn a_key_written_twice_keeps_its_last_line() {
        let stored = key_lines_text(&lines(&[("status", 3), ("id", 1), ("status", 9)]));
        assert_eq!(stored, "id=1,status=9");
        assert_eq!(key_line(&stored, "status"), 9);
    }
}
