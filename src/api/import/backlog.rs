//! A Backlog.md folder: `backlog/tasks/<id> - <title>.md` (and
//! `backlog/completed/`), each a Markdown file with YAML front matter (`id`,
//! `title`, `status` To Do / In Progress / Done, `assignee`, `created_date`,
//! `labels`, `milestone`, `dependencies`, `parent_task_id`, `priority`) and
//! sections: `## Description`, `## Acceptance Criteria` as checkboxes
//! (`- [x] #1 …`), `## Implementation Plan`, `## Implementation Notes`.
//! Point the import at the project, at `backlog/` or at `backlog/tasks/`.
//! The criteria become acceptance criteria, the milestone a sprint; the
//! other sections stay in the description under their headings, and any
//! other front-matter key is kept in a note.

use super::{Draft, Milestone, Parsed, checkbox, status_of, text_of};
use crate::model::{Criterion, Priority, Status};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
struct Front {
    id: String,
    title: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    assignee: OneOrMany,
    #[serde(default)]
    created_date: Option<String>,
    #[serde(default)]
    labels: OneOrMany,
    #[serde(default)]
    milestone: Option<String>,
    #[serde(default)]
    dependencies: OneOrMany,
    #[serde(default, alias = "parent")]
    parent_task_id: Option<String>,
    #[serde(default)]
    priority: Option<String>,
    #[serde(flatten)]
    other: BTreeMap<String, serde_json::Value>,
}

/// A front-matter value written either as one string or as a list.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// Front-matter keys that carry no meaning once imported.
const IGNORED: &[&str] = &["updated_date", "ordinal"];

pub(super) fn parse(files: &[crate::store::SourceFile]) -> Parsed {
    let mut out = Parsed::default();
    let in_folder = |name: &str, folder: &str| name.split('/').rev().skip(1).any(|c| c == folder);
    let structured = files
        .iter()
        .any(|f| in_folder(&f.name, "tasks") || in_folder(&f.name, "completed"));
    for file in files {
        let completed = in_folder(&file.name, "completed");
        if structured && !in_folder(&file.name, "tasks") && !completed {
            // docs/, decisions/, drafts/: not tasks.
            continue;
        }
        match text_of(file).and_then(|t| draft(&file.name, t, completed)) {
            Ok(d) => out.drafts.push(d),
            Err(e) => out.skipped.push(e),
        }
    }
    out
}

fn draft(name: &str, text: &str, completed: bool) -> Result<Draft, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or_else(|| format!("{name}: no front matter (a Backlog.md task starts with ---)"))?;
    let end = rest
        .find("\n---")
        .ok_or_else(|| format!("{name}: the front matter has no closing ---"))?;
    let (yaml, body) = (&rest[..=end], &rest[end + 4..]);
    let body = body.split_once('\n').map_or("", |(_, b)| b);
    let front: Front = crate::store::parse_yaml(std::path::Path::new(name), yaml)
        .map_err(|e| crate::model::with_causes(&e))?;
    let mut unmapped = Vec::new();
    let status = match (&front.status, completed) {
        (_, true) => Status::Done,
        (None, false) => Status::Todo,
        (Some(w), false) => status_of(w).unwrap_or_else(|| {
            unmapped.push(format!("status: {w}"));
            Status::Todo
        }),
    };
    let priority = match front.priority.as_deref().map(str::to_ascii_lowercase) {
        None => Priority::Medium,
        Some(p) => p.parse().unwrap_or_else(|_| {
            unmapped.push(format!("priority: {p}"));
            Priority::Medium
        }),
    };
    let mut assignees = front
        .assignee
        .into_vec()
        .into_iter()
        .map(|a| a.trim_start_matches('@').to_string());
    let assignee = assignees.next();
    let others: Vec<String> = assignees.collect();
    if !others.is_empty() {
        unmapped.push(format!("also assigned: {}", others.join(", ")));
    }
    for (k, v) in front.other {
        if IGNORED.contains(&k.as_str()) || v.is_null() {
            continue;
        }
        let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        unmapped.push(format!("{k}: {v}"));
    }
    let created = front.created_date.as_deref().and_then(parse_time);
    if let (Some(raw), None) = (&front.created_date, created) {
        unmapped.push(format!("created_date: {raw}"));
    }
    let key = |id: &str| format!("backlog#{}", id.trim().to_ascii_lowercase());
    let (description, criteria) = sections(body);
    Ok(Draft {
        external: key(&front.id),
        title: front.title,
        description: Some(description),
        status,
        priority,
        assignee,
        labels: front.labels.into_vec(),
        created,
        criteria,
        sprint: front
            .milestone
            .filter(|m| !m.trim().is_empty())
            .map(|m| Milestone {
                name: m,
                ..Milestone::default()
            }),
        depends_on: front
            .dependencies
            .into_vec()
            .iter()
            .map(|d| key(d))
            .collect(),
        parent: front.parent_task_id.as_deref().map(key),
        unmapped,
        ..Draft::default()
    })
}

/// `2025-06-01 10:00` or `2025-06-01`, read as UTC.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()?
                .and_hms_opt(0, 0, 0)
        })
        .map(|t| t.and_utc())
}

/// The description (the Description section's text, then every other
/// section under its heading) and the acceptance criteria of a task body.
fn sections(body: &str) -> (String, Vec<Criterion>) {
    let mut description = String::new();
    let mut others = String::new();
    let mut criteria = Vec::new();
    let mut current: Option<String> = None;
    for line in body.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            current = Some(h.trim().to_string());
            if !h.trim().eq_ignore_ascii_case("description")
                && !h.trim().eq_ignore_ascii_case("acceptance criteria")
            {
                others.push_str(line);
                others.push('\n');
            }
            continue;
        }
        // Backlog.md's own section markers.
        let marker = line.trim_start().starts_with("<!--") && line.trim_end().ends_with("-->");
        if marker {
            continue;
        }
        match current.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("acceptance criteria") => {
                if let Some(c) = criterion(line) {
                    criteria.push(c);
                }
            }
            None | Some("description") => {
                description.push_str(line);
                description.push('\n');
            }
            Some(_) => {
                others.push_str(line);
                others.push('\n');
            }
        }
    }
    let mut text = description.trim().to_string();
    if !others.trim().is_empty() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(others.trim());
    }
    (text, criteria)
}

/// `- [x] #2 Tests pass` → (done) `Tests pass`.
fn criterion(line: &str) -> Option<Criterion> {
    let (done, rest) = checkbox(line)?;
    // The number Backlog.md gives each criterion (`#1`).
    let rest = match rest.strip_prefix('#') {
        Some(r) => r.trim_start_matches(|c: char| c.is_ascii_digit()).trim(),
        None => rest,
    };
    (!rest.is_empty()).then(|| Criterion {
        text: rest.to_string(),
        done,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_split_into_description_criteria_and_kept_headings() {
        let body = "## Description\n\n<!-- SECTION:DESCRIPTION:BEGIN -->\nDo it.\n<!-- SECTION:DESCRIPTION:END -->\n\n## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [x] #1 First\n- [ ] #2 Second one\n<!-- AC:END -->\n\n## Implementation Notes\n\nUsed X.\n";
        let (d, c) = sections(body);
        assert_eq!(d, "Do it.\n\n## Implementation Notes\n\nUsed X.");
        assert_eq!(c.len(), 2);
        assert!(c[0].done && c[0].text == "First");
        assert!(!c[1].done && c[1].text == "Second one");
    }
}
