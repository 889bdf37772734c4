//! Importing a backlog from where it lives today: GitHub issues (as `gh issue
//! list --json …` prints them), Claude Code's own task lists, a Backlog.md
//! folder, a Beads JSONL export, a tk `.tickets/` folder, a kanban-md board,
//! and Orchestron's own export (`json.rs`). Each source module maps its
//! documented format — serde structs of its own — onto [`Draft`]s; `plan.rs`
//! matches drafts to the tasks earlier imports made (by `external`, the
//! source project and id), `write.rs` creates the new ones in one batch and
//! `update.rs` brings changed ones in step. Nothing is dropped without a
//! word: an item that cannot be imported is in the report's `skipped`, a
//! field with no home is kept in a note and named in `unmapped`.

mod backlog;
mod beads;
mod claude;
mod github;
mod json;
mod kanban_md;
mod markdown;
mod plan;
mod tk;
mod update;
mod write;

use super::{Error, Orchestron, Progress, Result};
use crate::model::{Criterion, Entry, Priority, RecordId, Status, TaskType, Vocabulary};
use crate::store::SourceFile;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Who the notes an import writes itself (unmapped fields) are by.
const IMPORTER: &str = "orchestron-import";

/// The formats `orchestron import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportSource {
    Github,
    Claude,
    Backlog,
    Beads,
    Tk,
    KanbanMd,
    Json,
}

impl ImportSource {
    pub const ALL: [ImportSource; 7] = [
        ImportSource::Github,
        ImportSource::Claude,
        ImportSource::Backlog,
        ImportSource::Beads,
        ImportSource::Tk,
        ImportSource::KanbanMd,
        ImportSource::Json,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportSource::Github => "github",
            ImportSource::Claude => "claude",
            ImportSource::Backlog => "backlog",
            ImportSource::Beads => "beads",
            ImportSource::Tk => "tk",
            ImportSource::KanbanMd => "kanban-md",
            ImportSource::Json => "json",
        }
    }

    /// The file names a folder given to this source is searched for.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            ImportSource::Github | ImportSource::Claude | ImportSource::Json => &["json"],
            ImportSource::Backlog => &["md", "yml", "yaml"],
            ImportSource::Beads => &["jsonl"],
            ImportSource::Tk => &["md"],
            ImportSource::KanbanMd => &["md", "yml", "yaml", "jsonl"],
        }
    }

    /// The folder a project keeps this source's files in, read instead
    /// when the user names the project (`.tickets` is hidden, so a walk of
    /// the project would not enter it).
    fn folder_in_project(self) -> Option<&'static str> {
        match self {
            ImportSource::Tk => Some(".tickets"),
            ImportSource::KanbanMd => Some("kanban"),
            _ => None,
        }
    }
}

impl std::str::FromStr for ImportSource {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
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
    /// Only report what would be created and changed.
    pub dry_run: bool,
}

/// One record an import created (or would create).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Imported {
    /// The new record's id (absent in a dry run, where none is minted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<RecordId>,
    /// The source's id, as kept on the task (`github:o/r#12`); the record's
    /// own id for a JSON import.
    pub external: String,
    pub title: String,
}

/// A task an earlier import made that this one changed, or would have
/// changed but for edits made here since.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Reimported {
    pub id: RecordId,
    pub external: String,
    pub title: String,
    /// The fields concerned (`status`, `labels`, `notes`, …).
    pub fields: Vec<String>,
    /// Why the task was left alone, when it was as a whole (held by
    /// another agent, archived).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What an import did, or would do.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ImportReport {
    pub source: String,
    pub dry_run: bool,
    /// Items the source holds.
    pub found: usize,
    /// Tasks made for items no earlier import brought.
    pub created: Vec<Imported>,
    /// Tasks of an earlier import brought in step with their changed source.
    pub updated: Vec<Reimported>,
    /// Tasks of an earlier import whose source did not change (or changed
    /// only what was kept as it was here).
    pub unchanged: usize,
    /// Tasks whose source changed fields that were also changed here since
    /// the last import: those fields were left as they are here.
    pub conflicted: Vec<Reimported>,
    /// Sprints made for the source's milestones (by name).
    pub sprints: Vec<Imported>,
    /// Context snapshots made (JSON import).
    pub contexts: Vec<Imported>,
    /// Fields kept in a note because a task has no place for them, per item.
    pub unmapped: Vec<String>,
    /// The source's bookkeeping fields that carry no meaning here, listed
    /// once for the whole import rather than on every task.
    pub ignored: Vec<String>,
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
            updated: Vec::new(),
            unchanged: 0,
            conflicted: Vec::new(),
            sprints: Vec::new(),
            contexts: Vec::new(),
            unmapped: Vec::new(),
            ignored: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Whether something in the source could not be brought in: the
    /// adapters exit non-zero on it, so a script can tell.
    pub fn incomplete(&self) -> bool {
        !self.skipped.is_empty()
    }
}

/// One source item mapped onto a task's fields, before it has an id.
/// Links name other items by their `external` key.
#[derive(Debug, Clone, Default)]
pub(super) struct Draft {
    pub external: String,
    /// Older spellings of the key an earlier import may have written
    /// (`backlog#task-1` before keys named their project).
    pub aliases: Vec<String>,
    /// The file the item came from (relative to what the user named):
    /// what tells two items apart when the source uses an id twice.
    pub source_path: Option<String>,
    /// The source file, as read (`<folder named>/…`): where its git
    /// history is looked up for a close time the item does not give.
    pub source_file: Option<String>,
    /// The source keeps the item in its archive.
    pub archived: bool,
    pub title: String,
    pub description: Option<String>,
    pub status: Status,
    pub kind: TaskType,
    pub priority: Priority,
    pub assignee: Option<String>,
    pub labels: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    pub started: Option<DateTime<Utc>>,
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
pub(super) struct Milestone {
    pub name: String,
    pub goal: Option<String>,
    pub end: Option<NaiveDate>,
}

/// What a source module made of its files.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    pub drafts: Vec<Draft>,
    /// Milestones the source defines on their own (Backlog.md's milestone
    /// files), which become sprints even when no task names them.
    pub milestones: Vec<Milestone>,
    /// Items (or whole files) the module could not read, and why.
    pub skipped: Vec<String>,
    /// Bookkeeping fields seen, reported once (see [`ImportReport::ignored`]).
    pub ignored: BTreeSet<String>,
}

impl Orchestron {
    /// Runs an import (see the module text). `progress` hears (items done,
    /// items in all) as records are written.
    pub fn import(
        &mut self,
        req: &ImportRequest,
        progress: Option<&Progress>,
    ) -> Result<ImportReport> {
        let (files, base) = match &req.input {
            ImportInput::Path(p) => {
                let read = crate::store::read_source(
                    p,
                    req.source.extensions(),
                    req.source.folder_in_project(),
                )
                .map_err(|source| Error::ImportSource {
                    path: p.display().to_string(),
                    source,
                })?;
                (read.files, Some(read.from))
            }
            ImportInput::Bytes(b) => (
                vec![SourceFile {
                    name: "-".into(),
                    bytes: b.clone(),
                }],
                None,
            ),
        };
        if req.source == ImportSource::Json {
            return self.import_export(&files, req.dry_run, progress);
        }
        let source = Source {
            files: &files,
            path: base.as_deref(),
        };
        let mut parsed = match req.source {
            ImportSource::Github => github::parse(&files),
            ImportSource::Claude => claude::parse(&files),
            ImportSource::Backlog => backlog::parse(&source),
            ImportSource::Beads => beads::parse(&files),
            ImportSource::Tk => tk::parse(&source),
            ImportSource::KanbanMd => kanban_md::parse(&source),
            ImportSource::Json => Parsed::default(),
        };
        if let Some(from) = &base {
            close_times_from_git(&mut parsed, from);
        }
        self.import_drafts(req.source, parsed, req.dry_run, progress)
    }
}

/// Gives each closed item with no close time of its own the time its file
/// was last committed, when the source lives in a git repository.
fn close_times_from_git(parsed: &mut Parsed, from: &Path) {
    let wanted = |d: &Draft| d.status.is_closed() && d.closed.is_none() && d.source_file.is_some();
    if !parsed.drafts.iter().any(wanted) {
        return;
    }
    let (Some(dir), Some(name)) = (from.parent(), from.file_name()) else {
        return;
    };
    let times = crate::git::last_commit_times(dir, &name.to_string_lossy());
    for d in parsed.drafts.iter_mut().filter(|d| wanted(d)) {
        d.closed = d.source_file.as_ref().and_then(|f| times.get(f)).copied();
    }
}

/// The files of a source and, when read from disk, the folder (or file)
/// the user named, canonical: what a project without a name of its own is
/// told apart by.
pub(super) struct Source<'a> {
    pub(super) files: &'a [SourceFile],
    pub(super) path: Option<&'a Path>,
}

impl Source<'_> {
    /// A short, stable name for a project that names itself nowhere: a hash
    /// of where it lives (`p3f9a1c2e`), or `stdin`.
    fn path_hash(&self, folder: Option<&str>) -> String {
        let Some(path) = self.path else {
            return "stdin".into();
        };
        // The folder the project's files hang from, whichever of it or its
        // parent the user named.
        let root = match folder {
            Some(f) if path.file_name().is_some_and(|n| n != f) => path.join(f),
            _ => path.to_path_buf(),
        };
        let hash = crate::store::content_hash(root.to_string_lossy().as_bytes());
        format!("p{:08x}", hash as u32)
    }
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

/// A source's status word (`in_progress`, `In Progress`, `completed`,
/// `Won't Do`) as a status, through the model's lenient reading plus each
/// source's synonyms; `None` for a word with no match.
fn status_of(word: &str) -> Option<Status> {
    let w = word
        .trim()
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
        .replace('’', "'");
    match w.as_str() {
        "open" | "pending" | "to_do" | "todo" | "backlog" | "new" | "deferred" | "ready" => {
            Some(Status::Todo)
        }
        "closed" | "completed" | "complete" | "done" | "resolved" => Some(Status::Done),
        "in_progress" | "doing" | "started" | "active" => Some(Status::InProgress),
        "review" | "in_review" => Some(Status::InReview),
        "blocked" | "waiting" => Some(Status::Blocked),
        "cancelled" | "canceled" | "wontfix" | "won't_fix" | "wont_fix" | "won't_do"
        | "wont_do" | "tombstone" | "abandoned" | "rejected" => Some(Status::Cancelled),
        _ => Status::all()
            .iter()
            .copied()
            .find(|s| s.name() == w.to_uppercase()),
    }
}

/// Priority 0–4 as Beads and tk number it (0 most urgent): 0/1/2/3 →
/// CRITICAL/HIGH/MEDIUM/LOW; 4 (backlog) is LOW, the number kept.
fn numbered_priority(p: Option<i64>, unmapped: &mut Vec<String>) -> Priority {
    match p {
        Some(0) => Priority::Critical,
        Some(1) => Priority::High,
        None | Some(2) => Priority::Medium,
        Some(3) => Priority::Low,
        Some(p) => {
            unmapped.push(format!("priority: P{p}"));
            Priority::Low
        }
    }
}

/// An issue type as Beads and tk name it: epic/feature/task/chore →
/// EPIC/STORY/TASK/TODO; a bug is a TASK labelled `bug`; another type is a
/// TASK, the type kept.
fn kind_of(word: Option<&str>, labels: &mut Vec<String>, unmapped: &mut Vec<String>) -> TaskType {
    match word.map(str::trim).unwrap_or("task") {
        "epic" => TaskType::Epic,
        "feature" | "story" => TaskType::Story,
        "task" | "" => TaskType::Task,
        "chore" => TaskType::Todo,
        "bug" => {
            if !labels.iter().any(|l| l == "bug") {
                labels.push("bug".into());
            }
            TaskType::Task
        }
        other => {
            unmapped.push(format!("type: {other}"));
            TaskType::Task
        }
    }
}

/// A Markdown checkbox line (`- [x] text`, `* [ ] text`): whether it is
/// ticked, and the text after the box.
fn checkbox(line: &str) -> Option<(bool, &str)> {
    let l = line.trim();
    let l = l
        .strip_prefix("- ")
        .or_else(|| l.strip_prefix("* "))?
        .trim_start();
    if let Some(rest) = l.strip_prefix("[x]").or(l.strip_prefix("[X]")) {
        return Some((true, rest.trim()));
    }
    l.strip_prefix("[ ]").map(|rest| (false, rest.trim()))
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
        assert_eq!(
            "kanban_md".parse::<ImportSource>().unwrap(),
            ImportSource::KanbanMd
        );
        let e = "jira".parse::<ImportSource>().unwrap_err().to_string();
        assert!(
            e.contains("github, claude, backlog, beads, tk, kanban-md, json"),
            "{e}"
        );
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
            ("Won't Do", Status::Cancelled),
            ("Won’t Do", Status::Cancelled),
            ("Cancelled", Status::Cancelled),
            ("in-progress", Status::InProgress),
        ] {
            assert_eq!(status_of(w), Some(s), "{w}");
        }
        assert_eq!(status_of("someday"), None);
    }

    #[test]
    fn checkboxes_take_either_bullet() {
        assert_eq!(checkbox("- [x] a"), Some((true, "a")));
        assert_eq!(checkbox("  * [ ] b "), Some((false, "b")));
        assert_eq!(checkbox("- b"), None);
        assert_eq!(checkbox("[x] c"), None);
    }

    #[test]
    fn clipped_lines_lose_control_characters_and_length() {
        assert_eq!(clip_line(" a\nb ", 10), "a b");
        assert_eq!(clip_line("abcdef", 3), "abc");
    }
}
