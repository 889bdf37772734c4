//! The task record — one YAML file per task — and its list entries: acceptance
//! criteria, clarifications and notes. Field order here is the canonical key order
//! in files (see `render`): it keeps a stable line between the fields that change
//! often, so plain line-based git merges of edits to different fields succeed.

use super::{Limits, ModelError, Priority, RecordId, Status, TaskType};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A unit of work, from an epic down to a todo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Task {
    /// Must equal the file name (without `.yaml`).
    pub id: RecordId,
    #[schemars(length(min = 1, max = 300))]
    pub title: String,
    #[serde(default)]
    pub status: Status,
    #[serde(rename = "type", default)]
    pub kind: TaskType,
    #[serde(default)]
    pub priority: Priority,
    #[serde(default)]
    pub parent: Option<RecordId>,
    #[serde(default)]
    pub assignee: Option<String>,
    /// When the task was made. A file written by hand may leave it out: the
    /// file's modification time is assumed, and the tool's first write of the
    /// file writes it down.
    #[serde(
        default = "super::unset_time",
        deserialize_with = "super::timestamp::deserialize"
    )]
    #[schemars(transform = super::drop_default)]
    pub created: DateTime<Utc>,
    /// Percent done, 0–100.
    #[serde(default)]
    #[schemars(range(max = 100))]
    pub progress: u8,
    /// Size in points (0–1000, `Limits::ESTIMATE_POINTS`), used by insights.
    #[serde(default)]
    #[schemars(range(max = 1000))]
    pub estimate: Option<u32>,
    #[serde(default)]
    pub sprint: Option<RecordId>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub depends_on: Vec<RecordId>,
    /// When work started: written once, at the move out of TODO (insights).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::timestamp::deserialize_option"
    )]
    pub started: Option<DateTime<Utc>>,
    /// When the task was closed: written once, at the move to DONE/CANCELLED.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::timestamp::deserialize_option"
    )]
    pub closed: Option<DateTime<Utc>>,
    /// Where an imported task came from, as `<source>:<project>#<id>`
    /// (`github:owner/repo#123`, `backlog:web#task-7`) or `<source>#<id>`
    /// (`beads#bd-a1b2`): what a second import of the same source matches,
    /// to update the task instead of creating another. Written by the import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub acceptance_criteria: Vec<Criterion>,
    #[serde(default)]
    pub clarifications: Vec<Entry>,
    #[serde(default)]
    pub notes: Vec<Entry>,
}

/// One acceptance criterion; numbered from 1 wherever users see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Criterion {
    pub text: String,
    #[serde(default)]
    pub done: bool,
}

/// A timestamped, attributed entry: a note or a clarification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Entry {
    #[serde(deserialize_with = "super::timestamp::deserialize")]
    pub at: DateTime<Utc>,
    pub by: String,
    pub text: String,
}

impl Task {
    /// The top-level keys a task file may hold, in canonical order.
    pub const KEYS: &'static [&'static str] = &[
        "id",
        "title",
        "status",
        "type",
        "priority",
        "parent",
        "assignee",
        "created",
        "progress",
        "estimate",
        "sprint",
        "labels",
        "depends_on",
        "started",
        "closed",
        "external",
        "description",
        "acceptance_criteria",
        "clarifications",
        "notes",
    ];

    /// A new task with the defaults every task starts from: TODO, MEDIUM, progress 0.
    pub fn new(id: RecordId, title: String, created: DateTime<Utc>) -> Self {
        Task {
            id,
            title,
            status: Status::Todo,
            kind: TaskType::Task,
            priority: Priority::Medium,
            parent: None,
            assignee: None,
            created,
            progress: 0,
            estimate: None,
            sprint: None,
            labels: Vec::new(),
            depends_on: Vec::new(),
            started: None,
            closed: None,
            external: None,
            description: None,
            acceptance_criteria: Vec::new(),
            clarifications: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// When the task last changed as far as the record itself tells: its newest
    /// note or clarification, else its creation. (No `updated:` field is stored:
    /// it would make every pair of concurrent edits conflict in a plain merge.)
    pub fn last_activity(&self) -> DateTime<Utc> {
        self.notes
            .iter()
            .chain(&self.clarifications)
            .map(|e| e.at)
            .max()
            .unwrap_or(self.created)
            .max(self.created)
    }

    /// Writes `started` / `closed` for a move from `old` to the current status,
    /// at `at`: once, at the change itself, so no later write rewrites them
    /// (a field every write touched would make plain merges conflict).
    /// Reopening a closed task clears `closed`; `started` stays the first start.
    pub fn stamp_status_change(&mut self, old: Status, at: DateTime<Utc>) {
        if old == self.status {
            return;
        }
        if self.status != Status::Todo && self.started.is_none() {
            self.started = Some(at);
        }
        if self.status.is_closed() && !old.is_closed() {
            self.closed = Some(at);
        } else if !self.status.is_closed() {
            self.closed = None;
        }
    }

    /// Validates the record's own fields (not its links to other records).
    pub fn validate(&self) -> Result<(), ModelError> {
        Limits::check_line("title", &self.title, Limits::TITLE_CHARS)?;
        if self.progress > 100 {
            return Err(ModelError::OutOfRange {
                field: "progress",
                value: i64::from(self.progress),
                min: 0,
                max: 100,
            });
        }
        if let Some(e) = self.estimate.filter(|e| *e > Limits::ESTIMATE_POINTS) {
            return Err(ModelError::OutOfRange {
                field: "estimate",
                value: i64::from(e),
                min: 0,
                max: i64::from(Limits::ESTIMATE_POINTS),
            });
        }
        if let Some(d) = &self.description {
            Limits::check_text("description", d, Limits::DESCRIPTION_CHARS)?;
        }
        if let Some(x) = &self.external {
            Limits::check_line("external", x, Limits::EXTERNAL_CHARS)?;
        }
        if let Some(a) = &self.assignee {
            Limits::check_line("assignee", a, Limits::NAME_CHARS)?;
        }
        if self.labels.len() > Limits::LABELS {
            return Err(ModelError::TooLong {
                field: "labels",
                len: self.labels.len(),
                max: Limits::LABELS,
            });
        }
        for label in &self.labels {
            Limits::check_line("label", label, Limits::NAME_CHARS)?;
        }
        for c in &self.acceptance_criteria {
            Limits::check_required("acceptance criterion", &c.text, Limits::ENTRY_CHARS)?;
        }
        for e in self.notes.iter().chain(&self.clarifications) {
            Limits::check_required("note", &e.text, Limits::ENTRY_CHARS)?;
            Limits::check_line("author", &e.by, Limits::NAME_CHARS)?;
        }
        Ok(())
    }
}
