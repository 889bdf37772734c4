//! The values that cross the index's public boundary and belong to it: what
//! the store feeds in (stamps, parsed records, problems) and the change feed's
//! answer to "since this cursor". What queries ask for and return and the
//! feed's entries are plain data every layer speaks, so they are the model's
//! (`model::TaskQuery`, `model::TaskPage`, `model::Change`, …); nothing here
//! is shaped for an adapter.

use crate::model::{Change, Problem, Record};

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
    pub key_lines: Vec<(std::borrow::Cow<'static, str>, usize)>,
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

/// The answer to "what changed since this cursor".
#[derive(Debug, Clone, PartialEq)]
pub struct ChangesSince {
    pub changes: Vec<Change>,
    /// Pass this back next time to get only what is newer.
    pub cursor: String,
    /// True when the cursor comes from an older cache (rebuilt, or trimmed past
    /// it): the feed cannot say what changed, so the caller must compare records
    /// with another source (git HEAD).
    pub resync: bool,
}
