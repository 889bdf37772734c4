//! Tests of the index against real SQLite files in temporary directories, fed
//! the way the store feeds it: records with realistic key lines and stamps.

mod feed;
mod generations;
mod lifecycle;
mod problems;
mod query;
mod ready;
mod rebuild;

use super::{FileStamp, FileUpdate, Index, Refresh};
use crate::model::{
    ContextKind, ContextSnapshot, Entry, Problem, Record, RecordId, Sprint, SprintStatus, Task,
    key_line, render,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::hash::{Hash, Hasher};

pub fn id(s: &str) -> RecordId {
    RecordId::parse(s).expect("test id")
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0)
        .single()
        .expect("date")
}

/// A TODO MEDIUM task created `minutes` after t0.
pub fn task(id_text: &str, title: &str, minutes: i64) -> Task {
    Task::new(
        id(id_text),
        title.to_string(),
        t0() + Duration::minutes(minutes),
    )
}

pub fn sprint(id_text: &str, status: SprintStatus, start: Option<&str>) -> Sprint {
    Sprint {
        id: id(id_text),
        name: format!("sprint {id_text}"),
        status,
        goal: None,
        start: start.map(|s| crate::model::parse_date(s).expect("date")),
        end: None,
        created: t0(),
    }
}

pub fn context(id_text: &str, minutes: i64) -> ContextSnapshot {
    ContextSnapshot {
        id: id(id_text),
        kind: ContextKind::Snapshot,
        at: t0() + Duration::minutes(minutes),
        by: "claude".into(),
        task: None,
        checkpoint: Some(format!("checkpoint {id_text}")),
        notes: None,
        git: None,
        context: Default::default(),
    }
}

pub fn entry(by: &str, text: &str, minutes: i64) -> Entry {
    Entry {
        at: t0() + Duration::minutes(minutes),
        by: by.into(),
        text: text.into(),
    }
}

/// The canonical text of a record, as the store would have read it.
fn text_of(record: &Record) -> String {
    match record {
        Record::Task(t) => render::task(t, ""),
        Record::Sprint(s) => render::sprint(s, ""),
        Record::Context(c) => {
            let json = serde_json::to_value(c).expect("json");
            json.as_object()
                .map(|o| o.keys().map(|k| format!("{k}: x\n")).collect())
                .unwrap_or_default()
        }
    }
}

pub fn path_of(record: &Record) -> String {
    format!("{}/{}", record.kind().dir(), record.id().file_name())
}

/// A file update for `record` stored at `path`, with key lines found in its text.
pub fn update_at(path: &str, record: impl IntoRecord) -> FileUpdate {
    let record = record.into_record();
    let text = text_of(&record);
    let keys: &[&str] = match &record {
        Record::Task(_) => Task::KEYS,
        Record::Sprint(_) => Sprint::KEYS,
        Record::Context(_) => ContextSnapshot::KEYS,
    };
    let key_lines = keys
        .iter()
        .filter(|k| text.lines().any(|l| l.starts_with(&format!("{k}:"))))
        .map(|k| (std::borrow::Cow::Borrowed(*k), key_line(&text, k)))
        .collect();
    FileUpdate {
        path: path.to_string(),
        stamp: stamp(&text),
        record: Some(record),
        problems: Vec::new(),
        key_lines,
        claims: None,
    }
}

pub fn update(record: impl IntoRecord) -> FileUpdate {
    let record = record.into_record();
    update_at(&path_of(&record), record)
}

/// An unparseable file with the store's problem.
pub fn broken(path: &str, message: &str) -> FileUpdate {
    FileUpdate {
        path: path.to_string(),
        stamp: stamp(message),
        record: None,
        problems: vec![Problem::error(path, 3, 7, message)],
        key_lines: Vec::new(),
        claims: None,
    }
}

pub fn stamp(text: &str) -> FileStamp {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    FileStamp {
        size: text.len() as u64,
        mtime_ns: 1_700_000_000_000_000_000 + text.len() as i64,
        hash: h.finish(),
    }
}

/// Lets helpers take any record kind (a local trait, so that a `From` impl the
/// model may add later cannot collide with one here).
pub trait IntoRecord {
    fn into_record(self) -> Record;
}
impl IntoRecord for Record {
    fn into_record(self) -> Record {
        self
    }
}
impl IntoRecord for Task {
    fn into_record(self) -> Record {
        Record::Task(self)
    }
}
impl IntoRecord for Sprint {
    fn into_record(self) -> Record {
        Record::Sprint(self)
    }
}
impl IntoRecord for ContextSnapshot {
    fn into_record(self) -> Record {
        Record::Context(self)
    }
}

pub fn open(dir: &tempfile::TempDir) -> Index {
    Index::open(&dir.path().join("cache").join("index.sqlite")).expect("open index")
}

/// A small seeded generator (xorshift64) for the randomized tests:
/// `rand(n)` is in `0..n`.
pub fn xorshift(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    }
}

pub fn fresh() -> (tempfile::TempDir, Index) {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = open(&dir);
    (dir, index)
}

/// Empties the index and loads `updates` as `index rebuild` does; returns
/// the number of files loaded.
pub fn rebuild(index: &mut Index, updates: Vec<FileUpdate>) -> usize {
    let n = updates.len();
    let rows = updates.into_iter().map(super::BulkRow::encode).collect();
    index
        .bulk_load(super::BulkStart::Rebuild, [rows], n, drop)
        .expect("rebuild")
}

/// Applies updates credited to `actor`; returns the number of feed rows.
pub fn put(index: &mut Index, actor: &str, updates: Vec<FileUpdate>) -> usize {
    index
        .apply(Refresh {
            updates,
            deleted: Vec::new(),
            actor: actor.to_string(),
            at: chrono::Utc::now(),
        })
        .expect("apply")
}

pub fn delete(index: &mut Index, actor: &str, paths: &[&str]) -> usize {
    index
        .apply(Refresh {
            updates: Vec::new(),
            deleted: paths.iter().map(|p| p.to_string()).collect(),
            actor: actor.to_string(),
            at: chrono::Utc::now(),
        })
        .expect("apply")
}

pub fn ids(tasks: &[Task]) -> Vec<String> {
    tasks.iter().map(|t| t.id.to_string()).collect()
}
