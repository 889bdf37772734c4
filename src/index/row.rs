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

/// The key-line map as stored: a JSON object `{ "status": 3, … }`.
pub fn key_lines_json(lines: &[(String, usize)]) -> Result<String, IndexError> {
    let map: serde_json::Map<String, serde_json::Value> = lines
        .iter()
        .map(|(k, l)| (k.clone(), serde_json::Value::from(*l)))
        .collect();
    to_json("key lines", &map)
}

/// The line of `key` in a stored key-line map; line 1 when unknown, as
/// `crate::model::key_line` falls back.
pub fn key_line(stored: &str, key: &str) -> usize {
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(stored)
        .ok()
        .and_then(|m| m.get(key).and_then(serde_json::Value::as_u64))
        .and_then(|l| usize::try_from(l).ok())
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
