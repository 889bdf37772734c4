//! A Backlog.md project: `backlog/config.yml` (`project_name`),
//! `backlog/tasks/<id> - <title>.md`, `backlog/completed/` (Done),
//! `backlog/archive/tasks/` (archived), `backlog/milestones/m-N - <title>.md`
//! and `backlog/drafts/`. A task is Markdown with YAML front matter (`id`,
//! `title`, `status` To Do / In Progress / Done / a board's own, `assignee`
//! written as `@name`, `created_date`, `updated_date`, `labels`,
//! `milestone`, `dependencies`, `parent_task_id`, `priority`, `ordinal`)
//! and sections: `## Description`, `## Acceptance Criteria` as checkboxes
//! (`- [x] #1 …`), `## Implementation Plan`, `## Implementation Notes`.
//! Point the import at the project, at `backlog/` or at `backlog/tasks/`.
//!
//! Keys name the project (`backlog:<project_name>#task-1`, a hash of the
//! folder when the config names none) and still match the `backlog#task-1`
//! earlier imports wrote. The archive goes to Orchestron's archive; drafts
//! are not tasks yet and are only counted (in `ignored`); a milestone file
//! becomes a sprint named by its title, with its description as the goal;
//! a closed task's `completed_date`, else its `updated_date`, else the last
//! commit of its file (when the project is in git), is when it closed;
//! every other front-matter key is kept in a note.

use super::markdown::{self, is_criteria_heading};
use super::{Draft, Milestone, Parsed, Source, checkbox, status_of, text_of};
use crate::model::{Criterion, Priority, Status};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Deserialize)]
struct Front {
    id: String,
    title: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    assignee: OneOrMany,
    #[serde(default)]
    created_date: Option<Scalar>,
    #[serde(default)]
    updated_date: Option<Scalar>,
    #[serde(default)]
    completed_date: Option<Scalar>,
    #[serde(default)]
    labels: OneOrMany,
    #[serde(default)]
    milestone: Option<Scalar>,
    #[serde(default)]
    dependencies: OneOrMany,
    #[serde(default, alias = "parent")]
    parent_task_id: Option<Scalar>,
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
    // Before `One`: a scalar reads any value, a list included.
    Many(Vec<Scalar>),
    One(Scalar),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s.0],
            OneOrMany::Many(v) => v.into_iter().map(|s| s.0).collect(),
        }
    }
}

/// A YAML scalar of any type read as its text (`milestone: 3`).
#[derive(Debug, Deserialize)]
#[serde(from = "serde_json::Value")]
struct Scalar(String);

impl From<serde_json::Value> for Scalar {
    fn from(v: serde_json::Value) -> Self {
        Scalar(v.as_str().map_or_else(|| v.to_string(), str::to_string))
    }
}

/// `config.yml`: only the project's name is used.
#[derive(Debug, Deserialize)]
struct Config {
    #[serde(default, alias = "projectName")]
    project_name: Option<String>,
}

/// A milestone file's front matter.
#[derive(Debug, Deserialize)]
struct MilestoneFront {
    id: Scalar,
    title: String,
}

/// Where in a Backlog.md folder a file lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Tasks,
    Completed,
    Archived,
    Drafts,
    Milestones,
    Config,
    Other,
}

/// The place of a file, and its path from the backlog folder.
fn place(name: &str) -> (Place, String) {
    let parts: Vec<&str> = name.split('/').collect();
    let file = parts.last().copied().unwrap_or("");
    let dirs = &parts[..parts.len().saturating_sub(1)];
    let top = |d: &str| dirs.iter().rposition(|c| *c == d);
    let from = |i: usize| parts[i..].join("/");
    if let Some(i) = top("archive") {
        let p = if dirs.get(i + 1) == Some(&"tasks") {
            Place::Archived
        } else {
            Place::Other
        };
        return (p, from(i));
    }
    for (dir, p) in [
        ("tasks", Place::Tasks),
        ("completed", Place::Completed),
        ("drafts", Place::Drafts),
        ("milestones", Place::Milestones),
    ] {
        if let Some(i) = top(dir) {
            return (p, from(i));
        }
    }
    if file == "config.yml" || file == "config.yaml" {
        return (Place::Config, file.to_string());
    }
    (Place::Other, name.to_string())
}

pub(super) fn parse(source: &Source) -> Parsed {
    let mut out = Parsed::default();
    let mut project = None;
    let mut milestones: HashMap<String, Milestone> = HashMap::new();
    let structured = source
        .files
        .iter()
        .any(|f| matches!(place(&f.name).0, Place::Tasks | Place::Completed));
    let mut tasks = Vec::new();
    let mut drafts = 0;
    for file in source.files {
        let (at, rel) = place(&file.name);
        let text = match text_of(file) {
            Ok(t) => t,
            Err(e) => {
                out.skipped.push(e);
                continue;
            }
        };
        match at {
            Place::Config => match markdown::parse::<Config>(&file.name, text) {
                Ok(c) => project = c.project_name.filter(|p| !p.trim().is_empty()),
                Err(e) => out.skipped.push(e),
            },
            Place::Milestones => match milestone(&file.name, text) {
                Ok((id, m)) => {
                    milestones.insert(id.to_lowercase(), m.clone());
                    out.milestones.push(m);
                }
                Err(e) => out.skipped.push(e),
            },
            Place::Drafts => drafts += 1,
            Place::Other if structured || !file.name.ends_with(".md") => {}
            _ => tasks.push((file, at, rel, text)),
        }
    }
    if drafts > 0 {
        out.ignored.insert(format!(
            "drafts/: {drafts} draft(s), not tasks yet in Backlog.md (promote them there first)"
        ));
    }
    let project = project
        .map(|p| {
            p.trim()
                .replace(|c: char| c == '#' || c.is_whitespace(), "-")
        })
        .unwrap_or_else(|| source.path_hash(Some("backlog")));
    for (file, at, rel, text) in tasks {
        match draft(&file.name, text, at, &project, &milestones) {
            Ok(mut d) => {
                d.source_path = Some(rel);
                d.source_file = Some(file.name.clone());
                out.drafts.push(d);
            }
            Err(e) => out.skipped.push(e),
        }
    }
    out
}

/// A milestone file: its id and the sprint it becomes.
fn milestone(name: &str, text: &str) -> Result<(String, Milestone), String> {
    let (yaml, body) = markdown::split(name, text)?;
    let front: MilestoneFront = markdown::parse(name, &yaml)?;
    let goal = markdown::sections(body)
        .into_iter()
        .find(|(h, _)| h.is_some_and(|h| h.eq_ignore_ascii_case("description")))
        .map(|(_, t)| without_markers(&t).trim().to_string());
    Ok((
        front.id.0,
        Milestone {
            name: front.title.trim().to_string(),
            goal,
            end: None,
        },
    ))
}

fn draft(
    name: &str,
    text: &str,
    at: Place,
    project: &str,
    milestones: &HashMap<String, Milestone>,
) -> Result<Draft, String> {
    let (yaml, body) = markdown::split(name, text)?;
    let front: Front = markdown::parse(name, &yaml)?;
    let mut unmapped = Vec::new();
    let status = match (&front.status, at) {
        (_, Place::Completed) => Status::Done,
        (None, _) => Status::Todo,
        (Some(w), _) => status_of(w).unwrap_or_else(|| {
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
        .map(|a| a.trim().trim_start_matches('@').to_string())
        .filter(|a| !a.is_empty());
    let assignee = assignees.next();
    let others: Vec<String> = assignees.collect();
    if !others.is_empty() {
        unmapped.push(format!("also assigned: {}", others.join(", ")));
    }
    let created = date_field("created_date", front.created_date, &mut unmapped);
    let updated = date_field("updated_date", front.updated_date, &mut unmapped);
    let completed = date_field("completed_date", front.completed_date, &mut unmapped);
    let closed = if status.is_closed() {
        completed.or(updated)
    } else {
        None
    };
    for (when, raw) in [(updated, "updated_date"), (completed, "completed_date")] {
        if let Some(t) = when
            && closed != Some(t)
        {
            unmapped.push(format!("{raw}: {}", t.format("%Y-%m-%d %H:%M")));
        }
    }
    for (k, v) in front.other {
        if v.is_null() {
            continue;
        }
        let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        unmapped.push(format!("{k}: {v}"));
    }
    let key = |id: &str| format!("backlog:{project}#{}", id.trim().to_ascii_lowercase());
    let legacy = format!("backlog#{}", front.id.trim().to_ascii_lowercase());
    let (description, criteria) = split_body(body);
    let sprint = front
        .milestone
        .map(|m| m.0.trim().to_string())
        .filter(|m| !m.is_empty())
        .map(|m| {
            milestones
                .get(&m.to_lowercase())
                .cloned()
                .unwrap_or(Milestone {
                    name: m,
                    ..Milestone::default()
                })
        });
    Ok(Draft {
        external: key(&front.id),
        aliases: vec![legacy],
        archived: at == Place::Archived,
        title: front.title,
        description: Some(description),
        status,
        priority,
        assignee,
        labels: front.labels.into_vec(),
        created,
        closed,
        criteria,
        sprint,
        depends_on: front
            .dependencies
            .into_vec()
            .iter()
            .map(|d| key(d))
            .collect(),
        parent: front.parent_task_id.map(|p| key(&p.0)),
        unmapped,
        ..Draft::default()
    })
}

/// A date field read as a time; a value that does not read as one is kept
/// as it was written, in `unmapped`.
fn date_field(
    name: &str,
    value: Option<Scalar>,
    unmapped: &mut Vec<String>,
) -> Option<DateTime<Utc>> {
    let raw = value?.0;
    let t = parse_time(&raw);
    if t.is_none() && !raw.trim().is_empty() {
        unmapped.push(format!("{name}: {raw}"));
    }
    t
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
        .or_else(|| DateTime::parse_from_rfc3339(s).ok().map(|t| t.to_utc()))
}

/// Backlog.md's own section markers (`<!-- SECTION:DESCRIPTION:BEGIN -->`)
/// taken out of a text.
fn without_markers(text: &str) -> String {
    text.lines()
        .filter(|l| !(l.trim_start().starts_with("<!--") && l.trim_end().ends_with("-->")))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The description (the Description section's text, then every other
/// section under its heading) and the acceptance criteria of a task body.
fn split_body(body: &str) -> (String, Vec<Criterion>) {
    let mut description = String::new();
    let mut others = String::new();
    let mut criteria = Vec::new();
    for (heading, text) in markdown::sections(body) {
        let text = without_markers(&text);
        match heading {
            Some(h) if is_criteria_heading(h) => {
                criteria.extend(text.lines().filter_map(criterion));
            }
            None => description.push_str(&text),
            Some(h) if h.eq_ignore_ascii_case("description") => description.push_str(&text),
            Some(h) => {
                others.push_str(&format!("## {h}\n"));
                others.push_str(&text);
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
        let (d, c) = split_body(body);
        assert_eq!(d, "Do it.\n\n## Implementation Notes\n\nUsed X.");
        assert_eq!(c.len(), 2);
        assert!(c[0].done && c[0].text == "First");
        assert!(!c[1].done && c[1].text == "Second one");
    }

    #[test]
    fn places_follow_the_backlog_folders() {
        assert_eq!(place("backlog/tasks/task-1 - A.md").0, Place::Tasks);
        assert_eq!(
            place("proj/backlog/archive/tasks/task-1 - A.md"),
            (Place::Archived, "archive/tasks/task-1 - A.md".to_string())
        );
        assert_eq!(place("backlog/completed/task-2.md").0, Place::Completed);
        assert_eq!(place("backlog/milestones/m-1 - x.md").0, Place::Milestones);
        assert_eq!(place("backlog/config.yml").0, Place::Config);
        assert_eq!(place("backlog/docs/readme.md").0, Place::Other);
    }
}
