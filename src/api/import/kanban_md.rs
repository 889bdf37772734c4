//! A kanban-md board: `kanban/config.yml` (`board.name`, the board's own
//! `statuses` — names or `{name: …}` maps — and `priorities`),
//! `kanban/tasks/NNN-slug.md` (YAML front matter `id`, `title`, `status`,
//! `priority`, `created`, `updated`, `started`, `completed`, `assignee`,
//! `tags`, `due`, `estimate`, `parent`, `depends_on`, `blocked`,
//! `block_reason`, `claimed_by`, `claimed_at`, `class`; the body is the
//! description) and `kanban/activity.jsonl` (`timestamp`, `action`,
//! `task_id`, `detail`). Point the import at the project or at `kanban/`.
//!
//! Keys name the board (`kanban-md:<board name>#12`). A status is read by
//! its word where it has one (backlog, todo, in-progress, review, done),
//! else by its place on the board (the first column is TODO, the last
//! before `archived` DONE, the others IN_PROGRESS, the word kept); a task
//! in `archived` goes to the archive (DONE when it was completed, else
//! CANCELLED); a blocked open task is BLOCKED. The activity log becomes
//! notes. Claims are not carried over (they belong to the agents of the
//! old board); `claimed_by`, `due`, `estimate`, `class` and any other key
//! are kept in a note.

use super::markdown::{self, criteria, is_criteria_heading};
use super::{Draft, Parsed, Source, status_of, text_of};
use crate::model::{Entry, Priority, Status};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

#[derive(Debug, Default, Deserialize)]
struct Config {
    #[serde(default)]
    board: Board,
    #[serde(default)]
    statuses: Vec<Column>,
}

#[derive(Debug, Default, Deserialize)]
struct Board {
    #[serde(default)]
    name: Option<String>,
}

/// A board column, written as its name or as a map with one.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Column {
    Name(String),
    Map { name: String },
}

impl Column {
    fn name(&self) -> &str {
        match self {
            Column::Name(n) | Column::Map { name: n } => n,
        }
    }
}

#[derive(Debug, Deserialize)]
struct Front {
    id: u64,
    title: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    created: Option<DateTime<Utc>>,
    #[serde(default)]
    started: Option<DateTime<Utc>>,
    #[serde(default)]
    completed: Option<DateTime<Utc>>,
    #[serde(default)]
    assignee: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    parent: Option<u64>,
    #[serde(default)]
    depends_on: Vec<u64>,
    #[serde(default)]
    blocked: bool,
    #[serde(flatten)]
    other: BTreeMap<String, serde_json::Value>,
}

/// One line of `activity.jsonl`.
#[derive(Debug, Deserialize)]
struct Activity {
    timestamp: DateTime<Utc>,
    action: String,
    task_id: u64,
    #[serde(default)]
    detail: String,
}

/// The status kanban-md moves a task to instead of deleting it.
const ARCHIVED: &str = "archived";

/// Fields of the format that carry no meaning once imported.
const IGNORED: &[&str] = &["updated"];

pub(super) fn parse(source: &Source) -> Parsed {
    let mut out = Parsed::default();
    let mut config = Config::default();
    let mut activity: HashMap<u64, Vec<Entry>> = HashMap::new();
    let mut tasks = Vec::new();
    for file in source.files {
        let text = match text_of(file) {
            Ok(t) => t,
            Err(e) => {
                out.skipped.push(e);
                continue;
            }
        };
        let file_name = file.name.rsplit('/').next().unwrap_or(&file.name);
        if file_name == "config.yml" || file_name == "config.yaml" {
            match markdown::parse::<Config>(&file.name, text) {
                Ok(c) => config = c,
                Err(e) => out.skipped.push(e),
            }
        } else if file_name.ends_with(".jsonl") {
            read_activity(&file.name, text, &mut activity, &mut out.skipped);
        } else if file_name.ends_with(".md") && file.name.split('/').any(|c| c == "tasks") {
            tasks.push((file, text));
        }
    }
    let board = config
        .board
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.replace(|c: char| c == '#' || c.is_whitespace(), "-"))
        .unwrap_or_else(|| source.path_hash(Some("kanban")));
    let columns: Vec<String> = config
        .statuses
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    for (file, text) in tasks {
        match draft(&file.name, text, &board, &columns, &mut out.ignored) {
            Ok(mut d) => {
                if let Some(id) = d.external.rsplit('#').next().and_then(|n| n.parse().ok()) {
                    d.notes.extend(activity.remove(&id).unwrap_or_default());
                }
                out.drafts.push(d);
            }
            Err(e) => out.skipped.push(e),
        }
    }
    out
}

fn read_activity(
    name: &str,
    text: &str,
    activity: &mut HashMap<u64, Vec<Entry>>,
    skipped: &mut Vec<String>,
) {
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str::<Activity>(line) {
            Ok(a) => activity.entry(a.task_id).or_default().push(Entry {
                at: a.timestamp,
                by: "kanban-md".into(),
                text: match a.detail.trim() {
                    "" => a.action,
                    d => format!("{}: {d}", a.action),
                },
            }),
            Err(e) => skipped.push(format!("{name}:{}: not an activity entry: {e}", n + 1)),
        }
    }
}

fn draft(
    name: &str,
    text: &str,
    board: &str,
    columns: &[String],
    ignored: &mut BTreeSet<String>,
) -> Result<Draft, String> {
    let (yaml, body) = markdown::split(name, text)?;
    let front: Front = markdown::parse(name, &yaml)?;
    let key = |id: u64| format!("kanban-md:{board}#{id}");
    let mut unmapped = Vec::new();
    let word = front.status.unwrap_or_else(|| "backlog".into());
    let archived = word == ARCHIVED;
    let mut status = if archived {
        if front.completed.is_some() {
            Status::Done
        } else {
            Status::Cancelled
        }
    } else {
        status_of(&word).unwrap_or_else(|| {
            unmapped.push(format!("status: {word}"));
            by_place(&word, columns)
        })
    };
    if front.blocked && !status.is_closed() {
        status = Status::Blocked;
    }
    let priority = match front.priority.as_deref().map(str::trim) {
        None | Some("") => Priority::Medium,
        Some(p) => p.parse().unwrap_or_else(|_| {
            unmapped.push(format!("priority: {p}"));
            Priority::Medium
        }),
    };
    for (k, v) in front.other {
        if IGNORED.contains(&k.as_str()) {
            ignored.insert(k);
        } else if !v.is_null() && v != "" && v != false {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            unmapped.push(format!("{k}: {v}"));
        }
    }
    let mut description = String::new();
    let mut found = Vec::new();
    for (heading, text) in markdown::sections(body) {
        match heading {
            Some(h) if is_criteria_heading(h) => found.extend(criteria(&text)),
            Some(h) => description.push_str(&format!("\n\n## {h}\n\n{}", text.trim())),
            None => description.push_str(text.trim()),
        }
    }
    Ok(Draft {
        external: key(front.id),
        source_path: Some(name.to_string()),
        archived,
        title: front.title,
        description: Some(description.trim().to_string()),
        status,
        priority,
        assignee: front.assignee.filter(|a| !a.trim().is_empty()),
        labels: front.tags,
        created: front.created,
        started: front.started,
        closed: front.completed,
        criteria: found,
        depends_on: front.depends_on.into_iter().map(key).collect(),
        parent: front.parent.map(key),
        unmapped,
        ..Draft::default()
    })
}

/// A status word of the board's own, by its column: the first is TODO, the
/// last before `archived` DONE, any other IN_PROGRESS.
fn by_place(word: &str, columns: &[String]) -> Status {
    let live: Vec<&String> = columns.iter().filter(|c| *c != ARCHIVED).collect();
    match live.iter().position(|c| *c == word) {
        Some(0) | None => Status::Todo,
        Some(n) if n + 1 == live.len() => Status::Done,
        Some(_) => Status::InProgress,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_words_map_by_meaning_then_by_column() {
        let cols: Vec<String> = ["ideas", "todo", "doing-it", "shipped", "archived"]
            .map(String::from)
            .to_vec();
        assert_eq!(by_place("ideas", &cols), Status::Todo);
        assert_eq!(by_place("doing-it", &cols), Status::InProgress);
        assert_eq!(by_place("shipped", &cols), Status::Done);
        assert_eq!(by_place("unknown", &cols), Status::Todo);
    }
}
