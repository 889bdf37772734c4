//! The records Orchestron keeps — tasks, sprints, context snapshots — and the
//! vocabulary they share (ids, enums, timestamps). This layer depends on nothing
//! else in the crate; every other layer speaks in these types.

mod assumed;
mod change;
mod clock;
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
mod timestamp;

pub use assumed::{TimeSource, assume, assumed_keys};
pub(crate) use assumed::{drop_default, unset_time};
pub use change::{Change, ChangeOp};
pub use clock::Clock;
pub use config::{ArchiveConfig, Config, WatcherMode, config_problems, nested_key_at};
pub use context::{ContextKind, ContextSnapshot, GitState};
pub use diff::{FieldChange, describe_changes, describe_criteria, diff_fields, short};
pub use enums::{Priority, SprintStatus, Status, TaskType, Vocabulary};
pub use error::{ModelError, with_causes};
pub use id::{IdKind, RecordId, new_suffix};
pub use lease::{DEFAULT_LEASE, LEASE_FORMAT, parse_lease};
pub use limits::{Limits, printable_ascii};
pub use merge_side::{FieldConflict, MergeSide};
pub use problem::{Problem, Severity, key_line};
pub use query::{ArchiveScope, TaskPage, TaskQuery, TaskRef};
pub use record::Record;
pub use sprint::{Sprint, parse_date};
pub use task::{Criterion, Entry, Task};
