//! `orchestron diff`: what a range of commits does to the backlog, for a PR
//! description or a reviewer — tasks created, closed, moved between statuses,
//! re-prioritised, re-assigned, clarified — with their titles.
//!
//! Ranges follow `git diff`: no range = from the merge base of HEAD with the
//! default branch to the work tree (commits on this branch plus uncommitted
//! edits); `A..B` = commit A to commit B; `A...B` = merge base of A and B to B;
//! `A` alone = commit A to the work tree.

use super::history::HistoryOp;
use super::{Error, Orchestron, Result};
use crate::git::{After, ChangedFile, GitRepo, ObjectId};
use crate::model::{
    Entry, FieldChange, IdKind, Priority, Record, RecordId, Sprint, SprintStatus, Status, Task,
    diff_fields,
};
use crate::store::{RecordPath, load_record, read_record_texts};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// The backlog changes of a range.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct BacklogDiff {
    /// The start commit; `null` when the range starts before the first commit.
    pub from: Option<String>,
    /// The end commit; `null` for the work tree (uncommitted edits included).
    pub to: Option<String>,
    /// How the range was chosen, in words (`merge-base(main, HEAD)..work tree`).
    pub range: String,
    /// One entry per task that changed, created ones first, then by id.
    pub tasks: Vec<TaskDiff>,
    /// Sprints created, deleted, or whose status, name or dates changed.
    pub sprints: Vec<SprintDiff>,
}

/// What the range did to one sprint.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SprintDiff {
    pub id: RecordId,
    pub name: String,
    pub op: HistoryOp,
    pub status: Option<Move<SprintStatus>>,
    /// Every field that changed, old → new.
    pub changes: Vec<FieldChange>,
}

/// What the range did to one task.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TaskDiff {
    pub id: RecordId,
    pub title: String,
    /// `created`, `modified`, `deleted`, `archived` (moved into the
    /// archive) or `restored` (moved back out of it).
    pub op: HistoryOp,
    /// The status before and after (`null` before a creation / after a deletion).
    pub status: Option<Move<Status>>,
    /// True when the task moved to DONE or CANCELLED.
    pub closed: bool,
    pub priority: Option<Move<Priority>>,
    pub assignee: Option<Move<Option<String>>>,
    /// Clarifications added in the range.
    pub clarifications: Vec<Entry>,
    /// How many notes were added.
    pub notes_added: usize,
    /// Every field that changed, old → new.
    pub changes: Vec<FieldChange>,
}

/// A value before and after.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Move<T> {
    pub from: Option<T>,
    pub to: Option<T>,
}

impl Orchestron {
    /// The backlog diff of `range` (see the module docs for the forms).
    pub fn backlog_diff(&self, range: Option<&str>) -> Result<BacklogDiff> {
        let repo = self.git()?.ok_or_else(|| {
            Error::Invalid("`diff` needs the workspace to be in a git repository".into())
        })?;
        let (from, to, words) = resolve_range(&repo, range)?;
        let prefix = repo.rel_path(self.ws.root()).unwrap_or_default();
        let after = match to {
            Some(commit) => After::Commit(commit),
            None => After::WorkTree(self.work_tree_records(&prefix)?),
        };
        let mut sprints = Vec::new();
        for c in record_changes(&repo, from, &after, &prefix, IdKind::Sprint)? {
            let parse = |text: &Option<String>| match parse_record(IdKind::Sprint, &c.name, text) {
                Some(Record::Sprint(s)) => Some(s),
                _ => None,
            };
            if let Some(d) = sprint_diff(parse(&c.before), parse(&c.after), c.moved) {
                sprints.push(d);
            }
        }
        sprints.sort_by(|a, b| (a.op as u8, &a.id).cmp(&(b.op as u8, &b.id)));
        let mut tasks = Vec::new();
        for c in record_changes(&repo, from, &after, &prefix, IdKind::Task)? {
            let parse = |text: &Option<String>| match parse_record(IdKind::Task, &c.name, text) {
                Some(Record::Task(t)) => Some(t),
                _ => None,
            };
            if let Some(d) = task_diff(parse(&c.before), parse(&c.after), c.moved) {
                tasks.push(d);
            }
        }
        tasks.sort_by(|a, b| (a.op as u8, &a.id).cmp(&(b.op as u8, &b.id)));
        Ok(BacklogDiff {
            from: from.map(|c| c.to_string()),
            to: to.map(|c| c.to_string()),
            range: words,
            tasks,
            sprints,
        })
    }
}

impl Orchestron {
    /// The text of every task and sprint file, live and archived, by its path relative to
    /// the repository root (`prefix` is the workspace folder's), read through
    /// the store's record reader.
    fn work_tree_records(&self, prefix: &str) -> Result<BTreeMap<String, String>> {
        let mut files = BTreeMap::new();
        let places = [IdKind::Task, IdKind::Sprint]
            .into_iter()
            .flat_map(|k| [(k, false), (k, true)]);
        for (kind, archived) in places {
            for (path, text) in read_record_texts(self.ws.root(), kind, archived)? {
                let rel = path.rel();
                let key = if prefix.is_empty() {
                    rel
                } else {
                    format!("{prefix}/{rel}")
                };
                files.insert(key, text);
            }
        }
        Ok(files)
    }
}

/// One record file's change over a range: its text before and after, and
/// whether it moved into or out of the archive — a `git mv` between
/// `tasks/` and `archive/tasks/` is one change, not a deletion and a creation.
struct RecordChange {
    /// The file name (`TASK-7k2mq.yaml`).
    name: String,
    before: Option<String>,
    after: Option<String>,
    /// `Archived` or `Restored` for a move; `None` otherwise.
    moved: Option<HistoryOp>,
}

/// The changed record files of `kind` under the workspace folder `prefix`,
/// a live file paired with its archived self when it moved. Changes inside
/// the archive alone are left out: the archive is not rewritten.
fn record_changes(
    repo: &GitRepo,
    from: Option<ObjectId>,
    after: &After,
    prefix: &str,
    kind: IdKind,
) -> Result<Vec<RecordChange>> {
    let dir = |archived| {
        let d = RecordPath::dir(kind, archived);
        if prefix.is_empty() {
            d
        } else {
            format!("{prefix}/{d}")
        }
    };
    let include = |p: &str| RecordPath::is_record_name(p.rsplit('/').next().unwrap_or(p));
    let name = |f: &ChangedFile| f.path.rsplit('/').next().unwrap_or_default().to_string();
    let mut archive: BTreeMap<String, ChangedFile> = repo
        .changed_files(from, after, &dir(true), &include)?
        .into_iter()
        .map(|f| (name(&f), f))
        .collect();
    let mut out = Vec::new();
    for f in repo.changed_files(from, after, &dir(false), &include)? {
        let name = name(&f);
        let arrived = |a: &ChangedFile| a.before.is_none() && a.after.is_some();
        let left = |a: &ChangedFile| a.before.is_some() && a.after.is_none();
        let change = match (&f.before, &f.after, archive.get(&name)) {
            (Some(_), None, Some(a)) if arrived(a) => RecordChange {
                after: archive.remove(&name).and_then(|a| a.after),
                before: f.before,
                name,
                moved: Some(HistoryOp::Archived),
            },
            (None, Some(_), Some(a)) if left(a) => RecordChange {
                before: archive.remove(&name).and_then(|a| a.before),
                after: f.after,
                name,
                moved: Some(HistoryOp::Restored),
            },
            _ => RecordChange {
                name,
                before: f.before,
                after: f.after,
                moved: None,
            },
        };
        out.push(change);
    }
    Ok(out)
}

/// A version of a record file, parsed (`None`: absent or unreadable).
fn parse_record(kind: IdKind, name: &str, text: &Option<String>) -> Option<Record> {
    let rel = RecordPath::in_dir(kind, name)?.rel();
    load_record(kind, &rel, text.as_ref()?.as_bytes()).record
}

fn resolve_range(
    repo: &GitRepo,
    range: Option<&str>,
) -> Result<(Option<ObjectId>, Option<ObjectId>, String)> {
    let range = range.map(str::trim).filter(|r| !r.is_empty());
    match range {
        None => {
            let head = repo.head()?;
            let base = match (repo.default_branch()?, head) {
                (Some(branch), Some(head)) => {
                    let tip = repo.resolve(&branch)?;
                    (
                        repo.merge_base(tip, head)?,
                        format!("merge-base({branch}, HEAD)"),
                    )
                }
                (_, Some(head)) => (Some(head), "HEAD".to_string()),
                (_, None) => (None, "the empty tree".to_string()),
            };
            Ok((base.0, None, format!("{}..work tree", base.1)))
        }
        Some(r) => {
            if let Some((a, b)) = r.split_once("...") {
                let b_name = if b.is_empty() { "HEAD" } else { b };
                let (a_id, b_id) = (repo.resolve(or_head(a))?, repo.resolve(b_name)?);
                let base = repo.merge_base(a_id, b_id)?;
                Ok((
                    base,
                    Some(b_id),
                    format!("merge-base({}, {b_name})..{b_name}", or_head(a)),
                ))
            } else if let Some((a, b)) = r.split_once("..") {
                let b_name = if b.is_empty() { "HEAD" } else { b };
                let (a_id, b_id) = (repo.resolve(or_head(a))?, repo.resolve(b_name)?);
                Ok((Some(a_id), Some(b_id), format!("{}..{b_name}", or_head(a))))
            } else {
                Ok((Some(repo.resolve(r)?), None, format!("{r}..work tree")))
            }
        }
    }
}

fn or_head(s: &str) -> &str {
    if s.is_empty() { "HEAD" } else { s }
}

/// What changed between two versions of a task (either may be absent);
/// `moved` says the file went into or out of the archive between them.
fn task_diff(
    before: Option<Task>,
    after: Option<Task>,
    moved: Option<HistoryOp>,
) -> Option<TaskDiff> {
    let (op, old, new) = match (before, after) {
        (None, None) => return None,
        (None, Some(t)) => (HistoryOp::Created, None, t),
        (Some(t), None) => (HistoryOp::Deleted, Some(t.clone()), t),
        (Some(o), Some(n)) => (moved.unwrap_or(HistoryOp::Modified), Some(o), n),
    };
    let deleted = op == HistoryOp::Deleted;
    let changes = match (&old, deleted) {
        (Some(o), false) => diff_fields(o, &new),
        _ => Vec::new(),
    };
    if op == HistoryOp::Modified && changes.is_empty() {
        return None;
    }
    let after_status = (!deleted).then_some(new.status);
    let before_status = old.as_ref().map(|o| o.status);
    let mv = |a: Option<Status>, b: Option<Status>| (a != b).then_some(Move { from: a, to: b });
    let status = mv(before_status, after_status);
    let closed = after_status.is_some_and(Status::is_closed)
        && !before_status.is_some_and(Status::is_closed);
    let priority = match &old {
        Some(o) if !deleted && o.priority != new.priority => Some(Move {
            from: Some(o.priority),
            to: Some(new.priority),
        }),
        None => Some(Move {
            from: None,
            to: Some(new.priority),
        }),
        _ => None,
    };
    let assignee = match &old {
        Some(o) if !deleted && o.assignee != new.assignee => Some(Move {
            from: Some(o.assignee.clone()),
            to: Some(new.assignee.clone()),
        }),
        None if new.assignee.is_some() => Some(Move {
            from: None,
            to: Some(new.assignee.clone()),
        }),
        _ => None,
    };
    let added = |list: &[Entry], before: Option<&[Entry]>| -> Vec<Entry> {
        list.iter()
            .filter(|e| !before.is_some_and(|b| b.contains(e)))
            .cloned()
            .collect()
    };
    let (clarifications, notes_added) = if deleted {
        (Vec::new(), 0)
    } else {
        (
            added(
                &new.clarifications,
                old.as_ref().map(|o| &o.clarifications[..]),
            ),
            added(&new.notes, old.as_ref().map(|o| &o.notes[..])).len(),
        )
    };
    Some(TaskDiff {
        id: new.id.clone(),
        title: new.title.clone(),
        op,
        status,
        closed,
        priority,
        assignee,
        clarifications,
        notes_added,
        changes,
    })
}

/// What changed between two versions of a sprint (either may be absent);
/// `moved` says the file went into or out of the archive between them.
fn sprint_diff(
    before: Option<Sprint>,
    after: Option<Sprint>,
    moved: Option<HistoryOp>,
) -> Option<SprintDiff> {
    let (op, old, new) = match (before, after) {
        (None, None) => return None,
        (None, Some(s)) => (HistoryOp::Created, None, s),
        (Some(s), None) => (HistoryOp::Deleted, Some(s.clone()), s),
        (Some(o), Some(n)) => (moved.unwrap_or(HistoryOp::Modified), Some(o), n),
    };
    let changes = match (&old, op) {
        (Some(o), HistoryOp::Modified | HistoryOp::Archived | HistoryOp::Restored) => {
            diff_fields(o, &new)
        }
        _ => Vec::new(),
    };
    if op == HistoryOp::Modified && changes.is_empty() {
        return None;
    }
    let from = old.as_ref().map(|o| o.status);
    let to = (op != HistoryOp::Deleted).then_some(new.status);
    Some(SprintDiff {
        id: new.id.clone(),
        name: new.name.clone(),
        op,
        status: (from != to).then_some(Move { from, to }),
        changes,
    })
}
