//! Importing a backlog from where it lives today: GitHub issues (as `gh issue
//! list --json …` prints them), Claude Code's own task lists, a Backlog.md
//! folder, a Beads JSONL export, and Orchestron's own export (`json.rs`).
//! Each source module maps its documented format — serde structs of its own —
//! onto [`Draft`]s; this module turns drafts into tasks: one per source item,
//! carrying the item's id as `external` (`github#123`), so a second run
//! creates nothing. A field with no home in a task is kept in a note on it
//! and named in the report, never dropped without a word. Sprints come from
//! milestones by name. Files are read through the store; stdin arrives as bytes.

mod backlog;
mod beads;
mod claude;
mod github;
mod json;

use super::{Error, Orchestron, Progress, Result};
use crate::index::{ArchiveScope, TaskQuery};
use crate::model::{
    Criterion, Entry, IdKind, Limits, Priority, RecordId, Sprint, SprintStatus, Status, Task,
    TaskType, Vocabulary, now,
};
use crate::store::SourceFile;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;

/// Who the notes an import writes itself (unmapped fields) are by.
const IMPORTER: &str = "orchestron-import";

/// The formats `orchestron import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportSource {
    Github,
    Claude,
    Backlog,
    Beads,
    Json,
}

impl ImportSource {
    pub const ALL: [ImportSource; 5] = [
        ImportSource::Github,
        ImportSource::Claude,
        ImportSource::Backlog,
        ImportSource::Beads,
        ImportSource::Json,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportSource::Github => "github",
            ImportSource::Claude => "claude",
            ImportSource::Backlog => "backlog",
            ImportSource::Beads => "beads",
            ImportSource::Json => "json",
        }
    }

    /// The file names a folder given to this source is searched for.
    fn extension(self) -> &'static str {
        match self {
            ImportSource::Github | ImportSource::Claude | ImportSource::Json => "json",
            ImportSource::Backlog => "md",
            ImportSource::Beads => "jsonl",
        }
    }
}

impl std::str::FromStr for ImportSource {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| {
                let valid: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
                Error::Invalid(format!(
                    "unknown import source {s:?} (valid: {})",
                    valid.join(", ")
                ))
            })
    }
}

/// Where the import reads from.
#[derive(Debug, Clone)]
pub enum ImportInput {
    /// A file, or a folder searched for the source's files.
    Path(PathBuf),
    /// One document the adapter read (stdin).
    Bytes(Vec<u8>),
}

/// What `orchestron import` is asked to do.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub source: ImportSource,
    pub input: ImportInput,
    /// Only report what would be created.
    pub dry_run: bool,
}

/// One record an import created (or would create).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Imported {
    /// The new record's id (absent in a dry run, where none is minted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<RecordId>,
    /// The source's id, as kept on the task (`github#12`); the record's own
    /// id for a JSON import.
    pub external: String,
    pub title: String,
}

/// What an import did, or would do.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ImportReport {
    pub source: String,
    pub dry_run: bool,
    /// Items the source holds.
    pub found: usize,
    pub created: Vec<Imported>,
    /// Sprints made for the source's milestones (by name).
    pub sprints: Vec<Imported>,
    /// Items imported before (matched on `external`, or on id for JSON):
    /// left as they are.
    pub existing: usize,
    /// Fields kept in a note because a task has no place for them, per item.
    pub unmapped: Vec<String>,
    /// Items or links that could not be imported at all, and why.
    pub skipped: Vec<String>,
}

impl ImportReport {
    fn new(source: ImportSource, dry_run: bool) -> Self {
        ImportReport {
            source: source.as_str().to_string(),
            dry_run,
            found: 0,
            created: Vec::new(),
            sprints: Vec::new(),
            existing: 0,
            unmapped: Vec::new(),
            skipped: Vec::new(),
        }
    }
}

/// One source item mapped onto a task's fields, before it has an id.
/// Links name other items by their `external` key.
#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    pub external: String,
    pub title: String,
    pub description: Option<String>,
    pub status: Status,
    pub kind: TaskType,
    pub priority: Priority,
    pub assignee: Option<String>,
    pub labels: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    pub closed: Option<DateTime<Utc>>,
    pub criteria: Vec<Criterion>,
    /// Comments and the like, with their own time and author.
    pub notes: Vec<Entry>,
    /// A milestone or sprint, by name.
    pub sprint: Option<Milestone>,
    pub depends_on: Vec<String>,
    pub parent: Option<String>,
    /// `field: value` lines with no home in a task.
    pub unmapped: Vec<String>,
}

/// A milestone of the source, which becomes a sprint of the same name.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Milestone {
    pub name: String,
    pub goal: Option<String>,
    pub end: Option<NaiveDate>,
}

/// What a source module made of its files.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub drafts: Vec<Draft>,
    /// Items (or whole files) the module could not read, and why.
    pub skipped: Vec<String>,
}

impl Orchestron {
    /// Runs an import (see the module text). `progress` hears (items done,
    /// items in all) as records are written.
    pub fn import(
        &mut self,
        req: &ImportRequest,
        progress: Option<&Progress>,
    ) -> Result<ImportReport> {
        let files = match &req.input {
            ImportInput::Path(p) => crate::store::read_source_files(p, req.source.extension())?,
            ImportInput::Bytes(b) => vec![SourceFile {
                name: "-".into(),
                bytes: b.clone(),
            }],
        };
        if req.source == ImportSource::Json {
            return self.import_export(&files, req.dry_run, progress);
        }
        let parsed = match req.source {
            ImportSource::Github => github::parse(&files),
            ImportSource::Claude => claude::parse(&files),
            ImportSource::Backlog => backlog::parse(&files),
            ImportSource::Beads => beads::parse(&files),
            ImportSource::Json => Parsed::default(),
        };
        self.import_drafts(req.source, parsed, req.dry_run, progress)
    }

    /// Writes the drafts no earlier import wrote, with their links resolved.
    fn import_drafts(
        &mut self,
        source: ImportSource,
        parsed: Parsed,
        dry_run: bool,
        progress: Option<&Progress>,
    ) -> Result<ImportReport> {
        let mut report = ImportReport::new(source, dry_run);
        report.found = parsed.drafts.len();
        report.skipped = parsed.skipped;
        let lock = self.ws.lock()?;
        self.refresh_with_archive()?;
        // Every task an import made before, by its source key.
        let mut known: HashMap<String, RecordId> = self
            .index
            .tasks(&TaskQuery {
                archived: ArchiveScope::All,
                ..TaskQuery::default()
            })?
            .tasks
            .into_iter()
            .filter_map(|t| Some((t.external?, t.id)))
            .collect();
        let mut fresh: Vec<(RecordId, Draft)> = Vec::new();
        for d in parsed.drafts {
            if known.contains_key(&d.external) {
                report.existing += 1;
                continue;
            }
            let mut id = self.new_id(IdKind::Task)?;
            // Nothing is written yet: a minted id must also be new to this run.
            while fresh.iter().any(|(other, _)| *other == id) {
                id = self.new_id(IdKind::Task)?;
            }
            known.insert(d.external.clone(), id.clone());
            fresh.push((id, d));
        }
        let sprints = self.import_sprints(&lock, &fresh, dry_run, &mut report)?;
        let total = fresh.len();
        let created = now();
        for (n, (id, d)) in fresh.into_iter().enumerate() {
            let task = to_task(id, d, &known, &sprints, created, &mut report);
            if let Err(e) = task.validate() {
                let external = task.external.unwrap_or_default();
                report
                    .skipped
                    .push(format!("{external}: {}", crate::model::with_causes(&e)));
                continue;
            }
            if !dry_run {
                let written = self.ws.create(&lock, &task)?;
                self.index_written(written)?;
            }
            report.created.push(Imported {
                id: (!dry_run).then(|| task.id.clone()),
                external: task.external.clone().unwrap_or_default(),
                title: task.title.clone(),
            });
            if let Some(report) = progress {
                report(n + 1, total);
            }
        }
        Ok(report)
    }

    /// The sprint of each milestone the new tasks name: an existing sprint of
    /// that name, else a new one (written unless `dry_run`).
    fn import_sprints(
        &mut self,
        lock: &crate::store::WorkspaceLock,
        fresh: &[(RecordId, Draft)],
        dry_run: bool,
        report: &mut ImportReport,
    ) -> Result<HashMap<String, RecordId>> {
        let mut by_name: HashMap<String, RecordId> = self
            .index
            .sprints()?
            .into_iter()
            .map(|s| (s.name.to_lowercase(), s.id))
            .collect();
        for m in fresh.iter().filter_map(|(_, d)| d.sprint.as_ref()) {
            let key = m.name.to_lowercase();
            if by_name.contains_key(&key) {
                continue;
            }
            let id = self.new_id(IdKind::Sprint)?;
            let sprint = Sprint {
                id: id.clone(),
                name: m.name.clone(),
                status: SprintStatus::Planned,
                goal: m.goal.clone().filter(|g| !g.trim().is_empty()),
                start: None,
                end: m.end,
                created: now(),
            };
            if let Err(e) = sprint.validate() {
                report.skipped.push(format!(
                    "milestone {:?}: {}",
                    m.name,
                    crate::model::with_causes(&e)
                ));
                continue;
            }
            if !dry_run {
                let written = self.ws.create(lock, &sprint)?;
                self.index_written(written)?;
            }
            report.sprints.push(Imported {
                id: (!dry_run).then(|| id.clone()),
                external: m.name.clone(),
                title: m.name.clone(),
            });
            by_name.insert(key, id);
        }
        Ok(by_name)
    }
}

/// The task of a draft: links resolved through `known` (source key → id);
/// a link to an item that was not imported is kept in the note of unmapped
/// fields, like every field without a home.
fn to_task(
    id: RecordId,
    d: Draft,
    known: &HashMap<String, RecordId>,
    sprints: &HashMap<String, RecordId>,
    imported_at: DateTime<Utc>,
    report: &mut ImportReport,
) -> Task {
    let mut unmapped = d.unmapped;
    let created = d.created.unwrap_or(imported_at);
    let mut t = Task::new(id, clip_line(&d.title, Limits::TITLE_CHARS), created);
    t.status = d.status;
    t.kind = d.kind;
    t.priority = d.priority;
    t.assignee = d.assignee.map(|a| clip_line(&a, Limits::NAME_CHARS));
    for label in d.labels {
        let label = clip_line(&label, Limits::NAME_CHARS);
        if label.is_empty() || t.labels.contains(&label) {
            continue;
        }
        if t.labels.len() == Limits::LABELS {
            unmapped.push(format!("label: {label}"));
        } else {
            t.labels.push(label);
        }
    }
    if t.status.is_closed() {
        t.closed = d.closed;
        t.progress = if t.status == Status::Done { 100 } else { 0 };
    }
    t.description = d.description.filter(|s| !s.trim().is_empty());
    t.acceptance_criteria = d.criteria;
    t.sprint = d
        .sprint
        .and_then(|m| sprints.get(&m.name.to_lowercase()).cloned());
    for dep in d.depends_on {
        match known.get(&dep) {
            Some(dep_id) if *dep_id != t.id && !t.depends_on.contains(dep_id) => {
                t.depends_on.push(dep_id.clone());
            }
            Some(_) => {}
            None => unmapped.push(format!("depends on {dep} (not in this import)")),
        }
    }
    if let Some(parent) = d.parent {
        match known.get(&parent) {
            Some(p) if *p != t.id => t.parent = Some(p.clone()),
            _ => unmapped.push(format!("parent {parent} (not in this import)")),
        }
    }
    t.notes = d.notes;
    if !unmapped.is_empty() {
        for u in &unmapped {
            report.unmapped.push(format!("{}: {u}", d.external));
        }
        t.notes.push(Entry {
            at: created,
            by: IMPORTER.into(),
            text: format!(
                "Imported from {} with fields a task has no place for:\n{}",
                d.external,
                unmapped.join("\n")
            ),
        });
    }
    t.external = Some(d.external);
    t
}

/// A one-line text no longer than `max` characters (control characters,
/// newlines included, become spaces).
fn clip_line(text: &str, max: usize) -> String {
    let line: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max)
        .collect();
    line.trim().to_string()
}

/// A source's status word (`in_progress`, `In Progress`, `completed`) as a
/// status, through the model's lenient reading plus each source's synonyms;
/// `None` for a word with no match.
fn status_of(word: &str) -> Option<Status> {
    let w = word.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    match w.as_str() {
        "open" | "pending" | "to_do" | "todo" | "backlog" | "new" | "deferred" => {
            Some(Status::Todo)
        }
        "closed" | "completed" | "complete" | "done" | "resolved" => Some(Status::Done),
        "in_progress" | "doing" | "started" | "active" => Some(Status::InProgress),
        "review" | "in_review" => Some(Status::InReview),
        "blocked" | "waiting" => Some(Status::Blocked),
        "cancelled" | "canceled" | "wontfix" | "won't_fix" | "tombstone" => Some(Status::Cancelled),
        _ => Status::all()
            .iter()
            .copied()
            .find(|s| s.name() == w.to_uppercase()),
    }
}

/// A Markdown checkbox line (`- [x] text`, `- [ ] text`): whether it is
/// ticked, and the text after the box.
fn checkbox(line: &str) -> Option<(bool, &str)> {
    let l = line.trim();
    if let Some(rest) = l.strip_prefix("- [x]").or(l.strip_prefix("- [X]")) {
        return Some((true, rest.trim()));
    }
    l.strip_prefix("- [ ]").map(|rest| (false, rest.trim()))
}

/// Reads the text of a source file, or says why not.
fn text_of(file: &SourceFile) -> std::result::Result<&str, String> {
    std::str::from_utf8(&file.bytes).map_err(|_| format!("{}: not UTF-8 text", file.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_names_list_the_valid_ones_when_wrong() {
        assert_eq!(
            "GitHub".parse::<ImportSource>().unwrap(),
            ImportSource::Github
        );
        let e = "jira".parse::<ImportSource>().unwrap_err().to_string();
        assert!(e.contains("github, claude, backlog, beads, json"), "{e}");
    }

    #[test]
    fn status_words_of_every_source_map() {
        for (w, s) in [
            ("pending", Status::Todo),
            ("To Do", Status::Todo),
            ("In Progress", Status::InProgress),
            ("completed", Status::Done),
            ("CLOSED", Status::Done),
            ("IN_REVIEW", Status::InReview),
        ] {
            assert_eq!(status_of(w), Some(s), "{w}");
        }
        assert_eq!(status_of("someday"), None);
    }

    #[test]
    fn clipped_lines_lose_control_characters_and_length() {
        assert_eq!(clip_line(" a\nb ", 10), "a b");
        assert_eq!(clip_line("abcdef", 3), "abc");
    }
}
