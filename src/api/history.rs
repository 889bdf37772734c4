//! `task history`: who changed what in a task, commit by commit, read from git.
//! Each committed version of the task's file is parsed and compared with the
//! version before it (first-parent history of HEAD, so a merge shows once, as
//! what it brought to this branch); uncommitted edits in the work tree come first
//! as an entry without a commit. Agents read the same data through the API
//! method [`Orchestron::task_history`] (MCP: resource `orchestron://tasks/{id}/history`).

use super::{Error, Orchestron, Result};
use crate::git::GitRepo;
use crate::model::{FieldChange, IdKind, RecordId, Task, diff_fields};
use crate::store::{RecordPath, Workspace, parse_task_text};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;

/// A task's history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TaskHistory {
    pub id: RecordId,
    /// The task file, relative to the repository root.
    pub path: String,
    /// False when the workspace is not in a git repository (then only the
    /// current file is known and `entries` is empty).
    pub git: bool,
    pub entries: Vec<HistoryEntry>,
    /// True when older entries exist beyond the requested limit.
    pub truncated: bool,
}

/// What one commit (or the uncommitted work tree) did to the task.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct HistoryEntry {
    /// The commit id; `null` for changes not committed yet.
    pub commit: Option<String>,
    /// The commit's author (empty for uncommitted changes).
    pub author: String,
    pub time: DateTime<Utc>,
    /// The commit message's first line.
    pub summary: String,
    /// `created`, `modified` or `deleted`.
    pub op: HistoryOp,
    /// Fields old → new (notes and clarifications: one change per added entry).
    pub changes: Vec<FieldChange>,
    /// Set when this version of the file could not be parsed; it is then compared
    /// as if absent, and the next readable version is compared with the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HistoryOp {
    Created,
    Modified,
    Deleted,
}

/// One version of the file, oldest first while building.
struct Version {
    commit: Option<String>,
    author: String,
    time: DateTime<Utc>,
    summary: String,
    text: Option<String>,
}

impl Orchestron {
    /// The history of a task (also of a deleted one, if git remembers it): the
    /// newest `limit` entries (0 = all).
    pub fn task_history(&self, id: &str, limit: usize) -> Result<TaskHistory> {
        let id = match self.existing_task_id(id) {
            Ok(id) => id,
            Err(e) => match RecordId::parse(id) {
                Ok(parsed) => {
                    // A task deleted from the work tree may still have a history.
                    let h = self.history_of(&parsed, limit)?;
                    return if h.entries.is_empty() { Err(e) } else { Ok(h) };
                }
                Err(_) => return Err(e),
            },
        };
        self.history_of(&id, limit)
    }

    fn history_of(&self, id: &RecordId, limit: usize) -> Result<TaskHistory> {
        let abs = self.ws.path(IdKind::Task, id);
        let (current, modified) = self
            .ws
            .current(&RecordPath::of(IdKind::Task, id))
            .map_or((None, None), |(text, modified)| (Some(text), modified));
        let Some(repo) = GitRepo::discover(self.ws.root())? else {
            return Ok(TaskHistory {
                id: id.clone(),
                path: Workspace::rel_path(IdKind::Task, id),
                git: false,
                entries: Vec::new(),
                truncated: false,
            });
        };
        let path = repo.rel_path(&abs).ok_or_else(|| {
            Error::Invalid(format!("{} is outside the repository", abs.display()))
        })?;
        let mut versions: Vec<Version> = repo
            // One version more than shown, to tell what the oldest shown one changed.
            .file_history(&path, if limit == 0 { 0 } else { limit + 1 })?
            .into_iter()
            .map(|v| Version {
                commit: Some(v.commit),
                author: v.author,
                time: v.time,
                summary: v.summary,
                text: v.text,
            })
            .collect();
        let committed = versions.first().and_then(|v| v.text.clone());
        if current != committed {
            let time = modified
                .map(|t| chrono::SubsecRound::trunc_subsecs(DateTime::<Utc>::from(t), 0))
                .unwrap_or_else(crate::model::now);
            versions.insert(
                0,
                Version {
                    commit: None,
                    author: String::new(),
                    time,
                    summary: "uncommitted changes".into(),
                    text: current,
                },
            );
        }
        versions.reverse();
        let mut entries = Vec::new();
        let mut previous: Option<Task> = None;
        for v in versions {
            let (task, error) = match &v.text {
                None => (None, None),
                Some(text) => match parse_task_text(text) {
                    Ok(t) => (Some(t), None),
                    Err((line, column, message)) => {
                        (None, Some(format!("{path}:{line}:{column}: {message}")))
                    }
                },
            };
            if error.is_some() {
                entries.push(entry(&v, HistoryOp::Modified, Vec::new(), error));
                continue;
            }
            let (op, changes) = match (&previous, &task) {
                (None, Some(t)) => (HistoryOp::Created, creation_fields(t)),
                (Some(_), None) => (HistoryOp::Deleted, Vec::new()),
                (Some(old), Some(new)) => (HistoryOp::Modified, diff_fields(old, new)),
                (None, None) => continue,
            };
            entries.push(entry(&v, op, changes, None));
            previous = task;
        }
        entries.reverse();
        let truncated = limit > 0 && entries.len() > limit;
        if truncated {
            entries.truncate(limit);
        }
        Ok(TaskHistory {
            id: id.clone(),
            path,
            git: true,
            entries,
            truncated,
        })
    }
}

fn entry(
    v: &Version,
    op: HistoryOp,
    changes: Vec<FieldChange>,
    error: Option<String>,
) -> HistoryEntry {
    HistoryEntry {
        commit: v.commit.clone(),
        author: v.author.clone(),
        time: v.time,
        summary: v.summary.clone(),
        op,
        changes,
        error,
    }
}

/// A creation shows the fields the task started with (those that differ from an
/// empty task), so "created as HIGH, assigned to bob" is visible.
fn creation_fields(t: &Task) -> Vec<FieldChange> {
    let blank = Task::new(t.id.clone(), String::new(), t.created);
    diff_fields(&blank, t)
        .into_iter()
        .filter(|c| c.field != "id" && c.field != "created")
        .map(|mut c| {
            c.old = serde_json::Value::Null;
            c
        })
        .collect()
}
