//! A Beads JSONL export (`.beads/issues.jsonl`, `bd export`): one issue per
//! line with `id`, `title`, `description`, `design`, `acceptance_criteria`,
//! `notes`, `status` (open, in_progress, blocked, deferred, closed,
//! tombstone), `priority` 0–4 (0 most urgent), `issue_type`, `assignee`,
//! `labels`, `dependencies` (`depends_on_id` with a `type`: `blocks`,
//! `parent-child`, `related`, `discovered-from`), `comments`, `created_at`,
//! `closed_at`. Blocking dependencies become `depends_on`, parent-child the
//! parent; the other link types, design, notes, the close reason and any
//! other field are kept in a note. Only checklist lines are criteria (a
//! heading, a `1)` group label or a line ending in `:` is not), and the
//! checklist under an `Acceptance Criteria` heading inside the description
//! counts too. Beads' own bookkeeping (hashes, compaction, sizes) is named
//! once in the report's `ignored`, not noted on every task.

use super::markdown::{criteria, is_criteria_heading, sections};
use super::{Draft, Parsed, kind_of, numbered_priority, status_of, text_of};
use crate::model::{Entry, Status};
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
    /// Empty or missing in some exports: the note is by "unknown".
    #[serde(default)]
    author: Option<String>,
    text: String,
    created_at: DateTime<Utc>,
}

/// Fields the format keeps for its own bookkeeping, which carry no meaning
/// once imported: named once in the report.
const IGNORED: &[&str] = &[
    "updated_at",
    "content_hash",
    "source_repo",
    "compaction_level",
    "compacted_at",
    "compacted_at_commit",
    "original_size",
    "created_by",
    "deleted_at",
    "deleted_by",
    "delete_reason",
    "original_type",
];

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
                Ok(issue) => out.drafts.push(draft(issue, &mut out.ignored)),
                Err(e) => {
                    out.skipped
                        .push(format!("{}:{}: not a Beads issue: {e}", file.name, n + 1))
                }
            }
        }
    }
    out
}

fn draft(i: Issue, ignored: &mut std::collections::BTreeSet<String>) -> Draft {
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
    let priority = numbered_priority(i.priority, &mut unmapped);
    let mut labels = i.labels;
    let kind = kind_of(i.issue_type.as_deref(), &mut labels, &mut unmapped);
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
        if v.is_null() || v == "" {
            continue;
        }
        if IGNORED.contains(&k.as_str()) {
            ignored.insert(k);
            continue;
        }
        let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        unmapped.push(format!("{k}: {v}"));
    }
    let mut criteria = criteria(i.acceptance_criteria.as_deref().unwrap_or(""));
    for (h, text) in sections(i.description.as_deref().unwrap_or("")) {
        if h.is_some_and(is_criteria_heading) {
            criteria.extend(super::markdown::criteria(&text));
        }
    }
    Draft {
        external: key(&i.id),
        title: i.title,
        description: i.description,
        status,
        kind,
        priority,
        assignee: i.assignee.filter(|a| !a.trim().is_empty()),
        labels,
        created: i.created_at,
        closed: i.closed_at,
        criteria,
        notes: i
            .comments
            .into_iter()
            .map(|c| Entry {
                at: c.created_at,
                by: c
                    .author
                    .filter(|a| !a.trim().is_empty())
                    .unwrap_or_else(|| "unknown".into()),
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
