//! The values that cross the index's public boundary: what the store feeds in
//! (stamps, parsed records, problems), what queries ask for and return, and the
//! change feed's entries. Output types serialize as snake_case JSON and carry
//! JSON Schemas, because the MCP server returns them as structured content.

use crate::model::{
    FieldChange, IdKind, Priority, Problem, Record, RecordId, Status, Task, TaskType,
};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize, Serializer};

/// What the store knows about a file without reading it again: if size, mtime
/// and content hash all match, the indexed record is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileStamp {
    pub size: u64,
    pub mtime_ns: i64,
    /// A 64-bit content hash computed by the store.
    pub hash: u64,
}

/// One record file the store (re)read.
#[derive(Debug, Clone, PartialEq)]
pub struct FileUpdate {
    /// Relative to the workspace root, e.g. `tasks/TASK-7k2mq.yaml`.
    pub path: String,
    pub stamp: FileStamp,
    /// `None` when the file could not be parsed or validated.
    pub record: Option<Record>,
    /// Per-file problems (errors and warnings) found by the store.
    pub problems: Vec<Problem>,
    /// The 1-based line of each top-level key in the file text (as
    /// `crate::model::key_line` finds it), so that problems the index finds
    /// across records (a dangling `depends_on`) point at the right line.
    pub key_lines: Vec<(String, usize)>,
    /// The id the file speaks for even when it holds no valid record (its
    /// `id:` line, else its name), so a broken file can be found by id.
    pub claims: Option<String>,
}

/// One refresh: the files that changed and the files that disappeared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Refresh {
    pub updates: Vec<FileUpdate>,
    /// Paths (relative to the workspace root) that no longer exist.
    pub deleted: Vec<String>,
    /// Who the change feed credits: `editor` for hand edits, the agent or user
    /// name when the API wrote the files itself.
    pub actor: String,
    /// When the change was seen, for the change feed: the API's clock (so a
    /// clock set for a test dates the feed like the records).
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Filters, paging and full-text search for [`super::Index::tasks`]. Empty
/// lists and `None` mean "no constraint".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskQuery {
    pub status: Vec<Status>,
    pub assignee: Option<String>,
    pub kind: Vec<TaskType>,
    pub priority: Vec<Priority>,
    /// Every one of these labels (AND: a task carries many labels, so a list
    /// narrows; the one-valued fields above match any of theirs).
    pub labels: Vec<String>,
    pub sprint: Option<RecordId>,
    pub parent: Option<RecordId>,
    /// Words searched in titles, descriptions, notes and clarifications. Every
    /// term must match: a word as a prefix of a word, a term with symbols or
    /// CJK as text the task contains (`index::fts`); FTS5 syntax in user input
    /// is not interpreted.
    pub query: Option<String>,
    /// Only tasks that can be started now: TODO with every dependency DONE or
    /// CANCELLED (a dangling dependency counts as not done).
    pub ready: bool,
    /// The caller's name: with `ready`, its own IN_PROGRESS tasks count as ready too.
    pub ready_for: Option<String>,
    /// With `ready`: tasks held by someone else whose lease has expired (they
    /// are IN_PROGRESS in the files, yet free to take over).
    pub ready_anyway: Vec<RecordId>,
    /// With `ready`: tasks that a live claim elsewhere (another worktree)
    /// holds, though the files here may still say TODO.
    pub held_elsewhere: Vec<RecordId>,
    /// Only leaf work: no task with open children (a container closes when its
    /// children do; it is not work to claim).
    pub leaf: bool,
    /// Whether archived tasks are in (by default they are left out).
    pub archived: ArchiveScope,
    /// 0 = all.
    pub limit: usize,
    pub offset: usize,
}

/// Which tasks a list covers with respect to the archive (docs/ARCHIVE.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ArchiveScope {
    /// Live tasks only: every list, ready query, prompt and board by default.
    #[default]
    Live,
    /// Archived tasks only (`task list --archived`).
    Archived,
    /// Both (a search that asks for the archive too).
    All,
}

/// One page of tasks in the default order, and how to get the next one.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TaskPage {
    pub tasks: Vec<Task>,
    /// Matching tasks before paging.
    pub total: usize,
    /// The offset of the next page, when more tasks remain.
    pub next_offset: Option<usize>,
}

/// A short reference to a task, for dependency and child lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TaskRef {
    pub id: RecordId,
    pub title: String,
    pub status: Status,
}

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeOp {
    Created,
    Modified,
    Deleted,
    /// The record's file is still there but no longer loads (a hand edit
    /// broke it, or renamed it so its name no longer matches its id).
    Broken,
    /// A broken file loads again.
    Repaired,
    /// Not from the feed: the record's file changed while the feed could not
    /// see it (before the cache was rebuilt), so what changed is not known.
    #[serde(rename = "maybe-changed")]
    MaybeChanged,
}

impl ChangeOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Created => "created",
            ChangeOp::Modified => "modified",
            ChangeOp::Deleted => "deleted",
            ChangeOp::Broken => "broken",
            ChangeOp::Repaired => "repaired",
            ChangeOp::MaybeChanged => "maybe-changed",
        }
    }
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Change {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub by: String,
    #[serde(serialize_with = "serialize_kind")]
    #[schemars(with = "KindSchema")]
    pub kind: IdKind,
    pub id: RecordId,
    /// The task's title or the sprint's name (the last one known, for a deletion).
    pub title: Option<String>,
    pub op: ChangeOp,
    /// Empty for creations and deletions.
    pub fields: Vec<FieldChange>,
}

/// The answer to "what changed since this cursor".
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChangesSince {
    pub changes: Vec<Change>,
    /// Pass this back next time to get only what is newer.
    pub cursor: String,
    /// True when the cursor comes from an older cache (rebuilt, or trimmed past
    /// it): the feed cannot say what changed, so the caller must compare records
    /// with another source (git HEAD).
    pub resync: bool,
}

/// The JSON Schema of [`Change::kind`]; `IdKind` itself is not a serde type.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum KindSchema {
    Task,
    Sprint,
    Context,
}

fn serialize_kind<S: Serializer>(kind: &IdKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.as_str())
}
