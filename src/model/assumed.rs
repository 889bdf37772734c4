//! What a hand-written record may leave out, and what is assumed in its place.
//! A person creating a task in an editor writes `id` and `title`; every other
//! field has a default (TODO, TASK, MEDIUM, progress 0, no links), and the
//! creation time — which has none — is the file's own time, handed in by
//! whoever read the file. `check` reports what was assumed, and the tool's
//! first write of such a file writes the assumed values down, so they stop
//! depending on the file's time.

use super::{Record, render};
use chrono::{DateTime, Utc};

/// Where an assumed creation time came from, as `check` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSource {
    /// The file's modification time (the store's stat).
    FileModified,
    /// Nothing better was known (a git blob, a merge input): the Unix epoch.
    Unknown,
}

/// The keys whose absence is worth telling, per kind: the ones a reader of the
/// file would otherwise have to guess. Optional links (`parent`, `sprint` …)
/// default to none, which is what their absence says anyway.
const TASK_ASSUMED: &[&str] = &["status", "type", "priority", "progress", "created"];
const SPRINT_ASSUMED: &[&str] = &["status", "created"];

/// The keys `check` names when a file leaves them out, which the tool's first
/// write of the file therefore writes down.
pub const fn assumed_keys(kind: super::IdKind) -> &'static [&'static str] {
    match kind {
        super::IdKind::Task => TASK_ASSUMED,
        super::IdKind::Sprint => SPRINT_ASSUMED,
        super::IdKind::Context => &[],
    }
}

/// Serde's placeholder for a missing `created`; the loader always replaces it
/// (see [`assume`]), so it never reaches a user.
pub(crate) fn unset_time() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// The placeholder is not a default a schema should offer an editor.
pub(crate) fn drop_default(schema: &mut schemars::Schema) {
    schema.remove("default");
}

/// Fills what `record`'s file left out (`present` are its top-level keys) and
/// says what was assumed, e.g. `status TODO, created 2026-11-24T16:02:11Z (the
/// file's modification time)`; `None` when the file said everything.
pub fn assume(
    record: &mut Record,
    present: &[&str],
    file_time: Option<DateTime<Utc>>,
) -> Option<String> {
    let keys = assumed_keys(record.kind());
    let created = match record {
        Record::Task(t) => &mut t.created,
        Record::Sprint(s) => &mut s.created,
        Record::Context(_) => return None,
    };
    let source = if file_time.is_some() {
        TimeSource::FileModified
    } else {
        TimeSource::Unknown
    };
    if !present.contains(&"created") {
        *created = file_time.unwrap_or_else(unset_time);
    }
    let missing: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| !present.contains(k))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let text = match record {
        Record::Task(t) => render::task(t, ""),
        Record::Sprint(s) => render::sprint(s, ""),
        Record::Context(_) => return None,
    };
    let parts: Vec<String> = missing
        .iter()
        .map(|&k| {
            let value = render::field(&text, k)
                .and_then(|f| {
                    f.split_once(':')
                        .map(|(_, v)| v.split('#').next().unwrap_or(v).trim().to_string())
                })
                .unwrap_or_default();
            match (k, source) {
                ("created", TimeSource::FileModified) => {
                    format!("{k} {value} (the file's modification time)")
                }
                ("created", TimeSource::Unknown) => format!("{k} {value} (unknown)"),
                _ => format!("{k} {value}"),
            }
        })
        .collect();
    Some(parts.join(", "))
}
