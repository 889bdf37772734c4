//! `task history`: who changed what in a task, commit by commit, read from git.
//! Each committed version of the task's file is parsed and compared with the
//! version before it (first-parent history of HEAD, so a merge shows once, as
//! what it brought to this branch); uncommitted edits in the work tree come first
//! as an entry without a commit. Agents read the same data through the API
//! method [`Orchestron::task_history`] (MCP: resource `orchestron://tasks/{id}/history`).

use super::{Error, Orchestron, Result};
use crate::model::{FieldChange, IdKind, RecordId, Task, diff_fields};
use crate::store::{RecordPath, parse_task_text};
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
    /// `created`, `modified`, `deleted`, `archived` (moved into the archive)
    /// or `restored` (moved back out of it).
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
    /// The file moved into `archive/` (a `git mv`: the task lives on there).
    Archived,
    /// The file moved back out of `archive/`.
    Restored,
}

/// One version of the file, oldest first while building.
struct Version {
    commit: Option<String>,
    author: String,
    time: DateTime<Utc>,
    summary: String,
    text: Option<String>,
    /// Whether the file was in `archive/` in this version.
    archived: bool,
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
        // A task lives in `tasks/` or, archived, in `archive/tasks/`: its
        // history follows it across the move (one file, two places).
        let places = [
            RecordPath::of(IdKind::Task, id),
            RecordPath::archived(IdKind::Task, id),
        ];
        let (current, modified, now_archived) = places
            .iter()
            .find_map(|p| {
                self.ws
                    .current(p)
                    .map(|(text, modified)| (Some(text), modified, p.is_archived()))
            })
            .unwrap_or((None, None, false));
        let shown = places[usize::from(now_archived)].clone();
        let Some(repo) = self.git()? else {
            return Ok(TaskHistory {
                id: id.clone(),
                path: shown.rel(),
                git: false,
                entries: Vec::new(),
                truncated: false,
            });
        };
        let mut rel = Vec::new();
        for p in &places {
            let abs = self.ws.abs(&p.rel());
            rel.push(repo.rel_path(&abs).ok_or_else(|| {
                Error::Invalid(format!("{} is outside the repository", abs.display()))
            })?);
        }
        let path = rel[usize::from(now_archived)].clone();
        let mut versions: Vec<Version> = repo
            // One version more than shown, to tell what the oldest shown one changed.
            .files_history(
                &[rel[0].as_str(), rel[1].as_str()],
                if limit == 0 { 0 } else { limit + 1 },
            )?
            .into_iter()
            .map(|v| Version {
                commit: Some(v.commit),
                author: v.author,
                time: v.time,
                summary: v.summary,
                archived: v.path.as_deref() == Some(rel[1].as_str()),
                text: v.text,
            })
            .collect();
        let committed = versions
            .first()
            .map(|v| (v.text.clone(), v.archived))
            .unwrap_or((None, false));
        if (current.clone(), now_archived) != committed {
            let time = modified
                .map(|t| chrono::SubsecRound::trunc_subsecs(DateTime::<Utc>::from(t), 0))
                .unwrap_or_else(|| self.clock().now());
            versions.insert(
                0,
                Version {
                    commit: None,
                    author: String::new(),
                    time,
                    summary: "uncommitted changes".into(),
                    text: current,
                    archived: now_archived,
                },
            );
        }
        let mut entries = entries_of(versions, &path);
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

/// What each version changed against the one before it, oldest first, from
/// `versions` newest first; `path` names the file in a parse error.
fn entries_of(mut versions: Vec<Version>, path: &str) -> Vec<HistoryEntry> {
    versions.reverse();
    let mut entries = Vec::new();
    let mut previous: Option<(Task, bool)> = None;
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
            (Some((old, was)), Some(new)) => {
                let op = match (was, v.archived) {
                    (false, true) => HistoryOp::Archived,
                    (true, false) => HistoryOp::Restored,
                    _ => HistoryOp::Modified,
                };
                (op, diff_fields(old, new))
            }
            (None, None) => continue,
        };
        entries.push(entry(&v, op, changes, None));
        previous = task.map(|t| (t, v.archived));
    }
    entries
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
