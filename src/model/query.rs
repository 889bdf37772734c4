//! What a list of tasks asks for and what it gets back: the query (filters,
//! paging, full-text search, the archive scope), one page of tasks, and the
//! short task reference that dependency, child and sprint lists hold. Plain
//! data every layer speaks: an adapter builds a query, `api` completes it, the
//! index answers it, and the answer goes out unchanged (MCP structured
//! content, CLI `--json`), hence the JSON Schemas.

use super::{Priority, RecordId, Status, Task, TaskType};
use schemars::JsonSchema;
use serde::Serialize;

/// Filters, paging and full-text search for a list of tasks. Empty lists and
/// `None` mean "no constraint".
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
    /// CJK as text the task contains (the index's full-text search); FTS5
    /// syntax in user input is not interpreted.
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_page_has_a_json_schema_with_its_paging() {
        let page = serde_json::to_value(schemars::schema_for!(super::TaskPage)).expect("schema");
        assert!(page.to_string().contains("next_offset"));
    }
}
