//! The records Orchestron keeps — tasks, sprints, context snapshots — and the
//! vocabulary they share (ids, enums, timestamps). This layer depends on nothing
//! else in the crate; every other layer speaks in these types.

mod assumed;
mod change;
pub mod config;
mod context;
mod diff;
mod enums;
mod error;
mod id;
mod lease;
mod limits;
mod merge_side;
mod problem;
mod query;
mod record;
pub mod render;
mod sprint;
#[cfg(test)]
pub(crate) mod strategies;
mod task;

pub use assumed::{TimeSource, assume, assumed_keys};
pub(crate) use assumed::{drop_default, unset_time};
pub use change::{Change, ChangeOp};
pub use config::{ArchiveConfig, Config, WatcherMode, config_problems, nested_key_at};
pub use context::{ContextKind, ContextSnapshot, GitState};
pub use diff::{FieldChange, describe_changes, describe_criteria, diff_fields, short};
pub use enums::{Priority, SprintStatus, Status, TaskType, Vocabulary};
pub use error::{ModelError, with_causes};
pub use id::{IdKind, RecordId, new_suffix};
pub use lease::{DEFAULT_LEASE, LEASE_FORMAT, lease_now, parse_lease};
pub use limits::Limits;
pub use merge_side::{FieldConflict, MergeSide};
pub use problem::{Problem, Severity, key_line};
pub use query::{ArchiveScope, TaskPage, TaskQuery, TaskRef};
pub use record::Record;
pub use sprint::{Sprint, parse_date};
pub use task::{Criterion, Entry, Task};

/// The current time truncated to whole seconds: records store RFC 3339 UTC
/// without fractions so that files stay short and diffs stay readable.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(0)
}

/// The current time to the millisecond, for context snapshots: a session may
/// save a snapshot and a handoff within one second, and "the latest" must
/// still be well defined (their files are never rewritten, so the extra digits
/// cost no diff noise).
pub fn now_millis() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(3)
}
