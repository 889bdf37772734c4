//! A Beads JSONL export (`.beads/issues.jsonl`, `bd export`): one issue per
//! line with `id`, `title`, `description`, `design`, `acceptance_criteria`,
//! `notes`, `status` (open, in_progress, blocked, deferred, closed,
//! tombstone), `priority` 0–4 (0 most urgent), `issue_type`, `assignee`,
//! `labels`, `dependencies` (`depends_on_id` with a `type`: `blocks`,
//! `parent-child`, `related`, `discovered-from`), `comments`, `created_at`,
//! `closed_at`. Blocking dependencies become `depends_on`, parent-child the
//! parent; the other link types, design, notes, the close reason and any
//! other field are kept in a note.

use super::{Draft, Parsed, checkbox, status_of, text_of};
use crate::model::{Criterion, Entry, Priority, Status, TaskType};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
struct Issue {
    id: String,
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    acceptance_criteria: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    priority: Option<i64>,
    #[serde(default)]
    issue_type: Option<String>,
    #[serde(default)]
    assignee: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    dependencies: Vec<Dependency>,
    #[serde(default)]
    comments: Vec<Comment>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    closed_at: Option<DateTime<Utc>>,
    /// design, notes, close_reason, external_ref, estimated_minutes, …
    #[serde(flatten)]
    other: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Dependency {
    depends_on_id: String,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Comment {
    #[serde(default)]
    author: Option<String>,
    text: String,
    created_at: DateTime<Utc>,
}

/// Fields the format has that carry no meaning once imported.
const IGNORED: &[&str] = &["updated_at", "content_hash", "source_repo"];

pub(super) fn parse(files: &[crate::store::SourceFile]) -> Parsed {
    let mut out = Parsed::default();
    for file in files {
        let text = match text_of(file) {
            Ok(t) => t,
            Err(e) => {
                out.skipped.push(e);
                continue;
            }
        };
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Issue>(line) {
                Ok(issue) => out.drafts.push(draft(issue)),
                Err(e) => {
                    out.skipped
                        .push(format!("{}:{}: not a Beads issue: {e}", file.name, n + 1))
                }
            }
        }
    }
    out
}

fn draft(i: Issue) -> Draft {
    let key = |id: &str| format!("beads#{id}");
    let mut unmapped = Vec::new();
    let word = i.status.unwrap_or_else(|| "open".into());
    let status = status_of(&word).unwrap_or_else(|| {
        unmapped.push(format!("status: {word}"));
        Status::Todo
    });
    if word == "deferred" {
        unmapped.push("status: deferred".into());
    }
    let priority = match i.priority {
        Some(0) => Priority::Critical,
        Some(1) => Priority::High,
        None | Some(2) => Priority::Medium,
        Some(3) => Priority::Low,
        Some(p) => {
            unmapped.push(format!("priority: P{p}"));
            Priority::Low
        }
    };
    let kind = match i.issue_type.as_deref().unwrap_or("task") {
        "epic" => TaskType::Epic,
        "feature" => TaskType::Story,
        "task" => TaskType::Task,
        "chore" => TaskType::Todo,
        other => {
            unmapped.push(format!("issue_type: {other}"));
            TaskType::Task
        }
    };
    let mut depends_on = Vec::new();
    let mut parent = None;
    for d in i.dependencies {
        match d.kind.as_deref().unwrap_or("blocks") {
            "blocks" => depends_on.push(key(&d.depends_on_id)),
            "parent-child" => parent = Some(key(&d.depends_on_id)),
            other => unmapped.push(format!("{other}: {}", d.depends_on_id)),
        }
    }
    for (k, v) in i.other {
        if IGNORED.contains(&k.as_str()) || v.is_null() || v == "" {
            continue;
        }
        let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        unmapped.push(format!("{k}: {v}"));
    }
    Draft {
        external: key(&i.id),
        title: i.title,
        description: i.description,
        status,
        kind,
        priority,
        assignee: i.assignee.filter(|a| !a.trim().is_empty()),
        labels: i.labels,
        created: i.created_at,
        closed: i.closed_at,
        criteria: criteria(i.acceptance_criteria.as_deref().unwrap_or("")),
        notes: i
            .comments
            .into_iter()
            .map(|c| Entry {
                at: c.created_at,
                by: c.author.unwrap_or_else(|| "beads".into()),
                text: c.text.trim().to_string(),
            })
            .filter(|e| !e.text.is_empty())
            .collect(),
        depends_on,
        parent,
        unmapped,
        ..Draft::default()
    }
}

/// Beads keeps acceptance criteria as free text: each non-empty line is one
/// criterion (a leading `- `, `* ` or `- [ ]` / `- [x]` read as such).
fn criteria(text: &str) -> Vec<Criterion> {
    text.lines()
        .filter_map(|l| {
            let (done, text) =
                checkbox(l).unwrap_or((false, l.trim().trim_start_matches(['-', '*']).trim()));
            (!text.is_empty()).then(|| Criterion {
                text: text.to_string(),
                done,
            })
        })
        .collect()
}
