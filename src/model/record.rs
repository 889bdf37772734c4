//! Any record, for code that handles all kinds alike (the index, the change feed,
//! the merge driver).

use super::{ContextSnapshot, IdKind, RecordId, Sprint, Task};
use serde::Serialize;

/// One parsed record of any kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Record {
    Task(Task),
    Sprint(Sprint),
    Context(ContextSnapshot),
}

impl Record {
    pub fn id(&self) -> &RecordId {
        match self {
            Record::Task(t) => &t.id,
            Record::Sprint(s) => &s.id,
            Record::Context(c) => &c.id,
        }
    }

    pub fn kind(&self) -> IdKind {
        match self {
            Record::Task(_) => IdKind::Task,
            Record::Sprint(_) => IdKind::Sprint,
            Record::Context(_) => IdKind::Context,
        }
    }
}

impl IdKind {
    /// The directory of the workspace that holds this kind's files.
    pub fn dir(self) -> &'static str {
        match self {
            IdKind::Task => "tasks",
            IdKind::Sprint => "sprints",
            IdKind::Context => "contexts",
        }
    }

    /// The lower-case name used in JSON and the change feed.
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Task => "task",
            IdKind::Sprint => "sprint",
            IdKind::Context => "context",
        }
    }

    pub const ALL: [IdKind; 3] = [IdKind::Task, IdKind::Sprint, IdKind::Context];
}
