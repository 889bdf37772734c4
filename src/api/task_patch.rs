//! A change to one task, [`TaskPatch`], as both adapters hand it to the API,
//! and how it is applied to a task read under the lock: field by field, in an
//! order that matters (the assignee before the status, which assigns the
//! caller when nobody is; new criteria before criteria are checked by number).
//! Each adapter only parses into a patch; what a value means (an empty string
//! clears) is decided here once.

use super::claim::held_by_other;
use super::write::Intent;
use super::{Error, Orchestron, Result};
use crate::model::{Criterion, ModelError, Priority, Status, Task, TaskType};

/// A set of changes to one task. `None` leaves a field alone; for clearable
/// fields `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct TaskPatch {
    pub status: Option<Status>,
    /// Signed so that an out-of-range value is reported, not wrapped.
    pub progress: Option<i64>,
    pub notes: Vec<String>,
    pub priority: Option<Priority>,
    pub kind: Option<TaskType>,
    pub assignee: Option<Option<String>>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Replaces the whole list (MCP `labels`).
    pub labels: Option<Vec<String>>,
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
    pub sprint: Option<Option<String>>,
    pub parent: Option<Option<String>>,
    pub estimate: Option<Option<u32>>,
    /// Acceptance criteria to mark done, numbered from 1.
    pub criteria_done: Vec<usize>,
    pub criteria_undone: Vec<usize>,
    pub add_criteria: Vec<String>,
    /// Write although another agent holds the task on a live lease: the
    /// claim ends, a note says whose it was, and its holder is told.
    pub force: bool,
}

impl TaskPatch {
    /// Only notes: how others talk to the holder of a claimed task, so the
    /// claim check lets it through (see `write.rs`).
    fn is_talk(&self) -> bool {
        let TaskPatch {
            status,
            progress,
            notes: _,
            priority,
            kind,
            assignee,
            title,
            description,
            labels,
            add_labels,
            remove_labels,
            sprint,
            parent,
            estimate,
            criteria_done,
            criteria_undone,
            add_criteria,
            force: _,
        } = self;
        status.is_none()
            && progress.is_none()
            && priority.is_none()
            && kind.is_none()
            && assignee.is_none()
            && title.is_none()
            && description.is_none()
            && labels.is_none()
            && add_labels.is_empty()
            && remove_labels.is_empty()
            && sprint.is_none()
            && parent.is_none()
            && estimate.is_none()
            && criteria_done.is_empty()
            && criteria_undone.is_empty()
            && add_criteria.is_empty()
    }

    /// The claim check's view of this patch.
    pub(super) fn intent(&self) -> Intent {
        if self.is_talk() {
            Intent::Talk
        } else {
            Intent::Change { force: self.force }
        }
    }
}

impl Orchestron {
    /// Applies `p` to `task` (read fresh under the lock) for `actor`.
    pub(super) fn apply_patch(&self, task: &mut Task, p: &TaskPatch, actor: &str) -> Result<()> {
        self.apply_plain_fields(task, p);
        apply_status(task, p, actor)?;
        apply_progress(task, p)?;
        apply_labels(task, p);
        self.apply_links(task, p)?;
        if let Some(e) = p.estimate {
            task.estimate = e;
        }
        apply_criteria(task, p)?;
        for note in &p.notes {
            task.notes.push(self.entry("note", note)?);
        }
        Ok(())
    }

    /// Title, type, priority, description and assignee: set as given, an
    /// empty description or assignee clears it.
    fn apply_plain_fields(&self, task: &mut Task, p: &TaskPatch) {
        if let Some(title) = &p.title {
            task.title = title.trim().to_string();
        }
        if let Some(kind) = p.kind {
            task.kind = kind;
        }
        if let Some(priority) = p.priority {
            task.priority = priority;
        }
        if let Some(d) = &p.description {
            task.description = Some(d.clone()).filter(|d| !d.trim().is_empty());
        }
        if let Some(a) = &p.assignee {
            task.assignee = a
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| self.ws.config.actor_name(a));
        }
    }

    /// Sprint and parent: resolved to records that exist (the parent never
    /// the task itself or one of its descendants); an empty string clears.
    fn apply_links(&self, task: &mut Task, p: &TaskPatch) -> Result<()> {
        if let Some(s) = &p.sprint {
            task.sprint = match s.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(s) => Some(self.resolve_sprint(s)?.id),
                None => None,
            };
        }
        if let Some(parent) = &p.parent {
            task.parent = match parent.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(pid) => {
                    let pid = self.existing_task_id(pid)?;
                    if pid == task.id || self.is_ancestor(&task.id, &pid)? {
                        return Err(Error::ParentLoop {
                            id: task.id.to_string(),
                            parent: pid.to_string(),
                        });
                    }
                    Some(pid)
                }
                None => None,
            };
        }
        Ok(())
    }
}

/// Starting work assigns the caller when nobody is assigned (and is refused
/// when another agent holds the task, unless the patch names an assignee);
/// DONE without a progress means 100.
fn apply_status(task: &mut Task, p: &TaskPatch, actor: &str) -> Result<()> {
    let Some(status) = p.status else {
        return Ok(());
    };
    if status == Status::InProgress && task.status != Status::InProgress {
        if let Some(holder) = held_by_other(task, actor)
            && p.assignee.is_none()
        {
            return Err(Error::Held {
                id: task.id.to_string(),
                holder,
            });
        }
        if task.assignee.is_none() {
            task.assignee = Some(actor.to_string());
        }
    }
    if status == Status::Done && p.progress.is_none() {
        task.progress = 100;
    }
    task.status = status;
    Ok(())
}

/// Signed in the patch so that an out-of-range value is reported, not wrapped.
fn apply_progress(task: &mut Task, p: &TaskPatch) -> Result<()> {
    if let Some(progress) = p.progress {
        task.progress =
            u8::try_from(progress)
                .ok()
                .filter(|v| *v <= 100)
                .ok_or(ModelError::OutOfRange {
                    field: "progress",
                    value: progress,
                    min: 0,
                    max: 100,
                })?;
    }
    Ok(())
}

/// `labels` replaces the list (MCP), then `add_labels` / `remove_labels`
/// (the CLI's `--label` / `--remove-label`) adjust it.
fn apply_labels(task: &mut Task, p: &TaskPatch) {
    if let Some(labels) = &p.labels {
        task.labels = dedup(labels.clone());
    }
    for l in &p.add_labels {
        let l = l.trim().to_string();
        if !l.is_empty() && !task.labels.contains(&l) {
            task.labels.push(l);
        }
    }
    task.labels.retain(|l| !p.remove_labels.contains(l));
}

/// New criteria are appended first, then criteria are checked or unchecked
/// by number (from 1, as `task show` prints them).
fn apply_criteria(task: &mut Task, p: &TaskPatch) -> Result<()> {
    for text in &p.add_criteria {
        task.acceptance_criteria.push(Criterion {
            text: text.trim().to_string(),
            done: false,
        });
    }
    for (&n, done) in p
        .criteria_done
        .iter()
        .map(|n| (n, true))
        .chain(p.criteria_undone.iter().map(|n| (n, false)))
    {
        let count = task.acceptance_criteria.len();
        let c = n
            .checked_sub(1)
            .and_then(|i| task.acceptance_criteria.get_mut(i))
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "{} has no acceptance criterion {n} (it has {count}, numbered from 1)",
                    task.id
                ))
            })?;
        c.done = done;
    }
    Ok(())
}

/// A label list normalised: each label trimmed, empty ones dropped, the
/// first of any repeat kept (order otherwise as given).
pub(super) fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        let i = i.trim().to_string();
        if !i.is_empty() && !out.contains(&i) {
            out.push(i);
        }
    }
    out
}
