//! Claude Code's own task lists: `~/.claude/tasks/<list>/<id>.json`, one JSON
//! object per task (`id`, `subject`, `description`, `activeForm`, `status`
//! pending / in_progress / completed, `owner`, `blocks`, `blockedBy`,
//! `metadata`). Point the import at one list's folder or at `tasks/` for
//! every list. Dependencies are kept both ways (`blockedBy` and the other
//! side's `blocks`); the list's id is part of each task's source key
//! (`claude#<list>/<id>`), since every list numbers its tasks from 1.

use super::{Draft, Parsed, status_of, text_of};
use crate::model::Status;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClaudeTask {
    id: String,
    subject: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    active_form: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    blocks: Vec<String>,
    #[serde(default)]
    blocked_by: Vec<String>,
    #[serde(default)]
    metadata: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(flatten)]
    other: BTreeMap<String, serde_json::Value>,
}

pub(super) fn parse(files: &[crate::store::SourceFile]) -> Parsed {
    let mut out = Parsed::default();
    // (list, task, blocked-by) from every `blocks` list, applied at the end.
    let mut blocks: Vec<(String, String, String)> = Vec::new();
    for file in files {
        let list = match file.name.rsplit_once('/') {
            Some((dir, _)) => dir.rsplit('/').next().unwrap_or(dir).to_string(),
            None => String::from("default"),
        };
        let task: ClaudeTask = match text_of(file).and_then(|t| {
            serde_json::from_str(t)
                .map_err(|e| format!("{}: not a Claude Code task: {e}", file.name))
        }) {
            Ok(v) => v,
            Err(e) => {
                out.skipped.push(e);
                continue;
            }
        };
        let key = |id: &str| format!("claude#{list}/{id}");
        let mut unmapped = Vec::new();
        let word = task.status.unwrap_or_default();
        let status = match word.as_str() {
            "" => Status::Todo,
            w => status_of(w).unwrap_or_else(|| {
                unmapped.push(format!("status: {w}"));
                Status::Todo
            }),
        };
        if let Some(a) = task.active_form.filter(|a| !a.trim().is_empty()) {
            unmapped.push(format!("activeForm: {a}"));
        }
        for (k, v) in task.metadata.into_iter().flatten() {
            unmapped.push(format!("metadata.{k}: {v}"));
        }
        for (k, v) in task.other {
            unmapped.push(format!("{k}: {v}"));
        }
        for b in &task.blocks {
            blocks.push((list.clone(), b.clone(), task.id.clone()));
        }
        out.drafts.push(Draft {
            external: key(&task.id),
            title: task.subject,
            description: task.description,
            status,
            assignee: task.owner.filter(|o| !o.trim().is_empty()),
            depends_on: task.blocked_by.iter().map(|b| key(b)).collect(),
            unmapped,
            ..Draft::default()
        });
    }
    for (list, blocked, by) in blocks {
        let (target, dep) = (
            format!("claude#{list}/{blocked}"),
            format!("claude#{list}/{by}"),
        );
        if let Some(d) = out.drafts.iter_mut().find(|d| d.external == target)
            && !d.depends_on.contains(&dep)
        {
            d.depends_on.push(dep);
        }
    }
    out
}
