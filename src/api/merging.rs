//! The merge driver git runs for record files (`orchestron merge-driver %O %A %B
//! %P`) and `orchestron git setup`, which installs it in a clone.
//!
//! The driver parses the three versions, merges them field by field
//! ([`crate::git::merge`]), and writes the result over ours (%A) through the
//! lossless editor, so ours' comments and layout survive. Whenever that is not
//! possible — a side that does not parse, a file that is not a record, context
//! snapshots changed differently, a merged record that would not validate — it
//! falls back to git's own line merge (`git merge-file`): standard conflict
//! markers, never a corrupted file, never a dropped entry.

use super::{Orchestron, Result};
use crate::git::merge::{self, MergeError};
use crate::git::{GitRepo, config_ensure, driver_program, merge_file};
use crate::model::{FieldConflict, IdKind, Record, Sprint, Task};
use crate::store::{
    GITATTRIBUTES, RecordPath, added_keys, edit_text, load_record, write_file, write_if_missing,
};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What the driver did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriverOutcome {
    /// The file being merged (git's %P).
    pub path: String,
    /// `fields` (our field-level merge) or `lines` (git merge-file).
    pub method: &'static str,
    /// Same-field conflicts resolved by the documented rule.
    pub resolved: Vec<FieldConflict>,
    /// Line conflicts left with markers (non-zero = git must report a conflict).
    pub unresolved: usize,
    /// Why the line fallback was used, if it was.
    pub fallback_reason: Option<String>,
}

/// What `git setup` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GitSetup {
    /// The work tree root of the repository configured.
    pub repository: PathBuf,
    /// `.gitattributes` path written, if it was missing.
    pub created: Option<PathBuf>,
    /// The `merge.orchestron.driver` command now configured.
    pub driver: String,
}

impl Orchestron {
    /// Runs the merge driver: merges `base` (%O), `ours` (%A) and `theirs` (%B)
    /// of the record stored at `name` (%P) and writes the result to `ours`.
    pub fn merge_driver(
        base: &Path,
        ours: &Path,
        theirs: &Path,
        name: &str,
    ) -> Result<DriverOutcome> {
        use crate::store::read_bytes as read;
        let (b, o, t) = (read(base)?, read(ours)?, read(theirs)?);
        let outcome = match merge_fields(&b, &o, &t, name) {
            Ok((text, resolved)) => {
                write_file(ours, text.as_bytes())?;
                DriverOutcome {
                    path: name.to_string(),
                    method: "fields",
                    resolved,
                    unresolved: 0,
                    fallback_reason: None,
                }
            }
            Err(reason) => {
                let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
                let merged =
                    merge_file(&text(&o), &text(&b), &text(&t), ["ours", "base", "theirs"])?;
                write_file(ours, merged.text.as_bytes())?;
                DriverOutcome {
                    path: name.to_string(),
                    method: "lines",
                    resolved: Vec::new(),
                    unresolved: merged.conflicts,
                    fallback_reason: Some(reason),
                }
            }
        };
        Ok(outcome)
    }

    /// Installs the merge driver for the repository holding the workspace at
    /// `ws_root`: writes `.gitattributes` in it if missing and sets the repo-local
    /// `merge.orchestron.name` and `merge.orchestron.driver`. `None` outside git.
    pub fn git_setup(ws_root: &Path) -> Result<Option<GitSetup>> {
        let Some(repo) = GitRepo::discover(ws_root)? else {
            return Ok(None);
        };
        let attributes = ws_root.join(".gitattributes");
        let created =
            write_if_missing(&attributes, GITATTRIBUTES.as_bytes())?.then_some(attributes);
        let driver = format!("{} merge-driver %O %A %B %P", driver_program());
        config_ensure(
            repo.root(),
            "merge.orchestron.",
            &[
                (
                    "merge.orchestron.name",
                    "Orchestron field-level record merge",
                ),
                ("merge.orchestron.driver", &driver),
            ],
        )?;
        Ok(Some(GitSetup {
            repository: repo.root().to_path_buf(),
            created,
            driver,
        }))
    }
}

impl Orchestron {
    /// Tasks in progress whose assignee was decided by the merge rule (two
    /// clones claimed the same task) and not confirmed since: the merge note is
    /// still the newest entry and the task still has the kept assignee.
    /// `check` lists them as warnings.
    pub(super) fn claim_conflicts(&self) -> Result<Vec<crate::model::Problem>> {
        let page = self.list_tasks(&crate::model::TaskQuery {
            status: vec![crate::model::Status::InProgress],
            limit: 0,
            ..Default::default()
        })?;
        let mut out = Vec::new();
        for t in page.tasks {
            let newest = t.notes.iter().chain(&t.clarifications).max_by_key(|e| e.at);
            let Some(note) = t.notes.last().filter(|n| Some(*n) == newest) else {
                continue;
            };
            let Some(("assignee", kept, lost)) = merge::parse_conflict_note(note) else {
                continue;
            };
            if t.assignee.as_deref() != Some(kept) {
                continue;
            }
            let path = RecordPath::of(IdKind::Task, &t.id);
            let line = self
                .ws
                .current(&path)
                .map_or(1, |(text, _)| crate::model::key_line(&text, "assignee"));
            let rel = path.rel();
            out.push(crate::model::Problem::warning(
                rel,
                line,
                1,
                format!(
                    "two claims met in a merge: kept assignee {kept}, the other side had {lost}; \
                     confirm who holds the task (reassign it or add a note)"
                ),
            ));
        }
        Ok(out)
    }
}

/// A merged record's text and the conflicts its note records.
type Merged = (String, Vec<FieldConflict>);

/// The field-level merge, or the reason it cannot be used.
fn merge_fields(
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    name: &str,
) -> std::result::Result<Merged, String> {
    let (kind, rel) = record_kind(name)?;
    let o = parse_side(kind, &rel, "ours", ours)?;
    let t = parse_side(kind, &rel, "theirs", theirs)?;
    // An empty or unreadable base (both sides added the file) merges without one.
    let b = if base.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        parse_side(kind, &rel, "base", base).ok()
    };
    let merged = merge_records(b, o, t, [base, ours, theirs])?;
    prefer_line_merge(kind, &rel, merged, [base, ours, theirs])
}

/// The kind of record at `name` (a path as git gives it) and its path
/// relative to the workspace (`tasks/TASK-7k2mq.yaml`).
fn record_kind(name: &str) -> std::result::Result<(IdKind, String), String> {
    let mut parts = name.rsplit(['/', '\\']);
    let file = parts.next().unwrap_or_default();
    let dir = parts.next().unwrap_or_default();
    let kind = IdKind::ALL
        .into_iter()
        .find(|k| k.dir() == dir)
        .ok_or_else(|| format!("{name} is not a task, sprint or context file"))?;
    Ok((kind, format!("{dir}/{file}")))
}

/// One side's record, or why it does not parse.
fn parse_side(
    kind: IdKind,
    rel: &str,
    side: &str,
    bytes: &[u8],
) -> std::result::Result<Record, String> {
    let loaded = load_record(kind, rel, bytes);
    loaded.record.ok_or_else(|| {
        let why = loaded
            .problems
            .first()
            .map_or_else(|| "unreadable".to_string(), |p| p.to_string());
        format!("{side} does not parse: {why}")
    })
}

/// The field-level merge of the parsed sides, written over ours' text;
/// `[base, ours, theirs]` are the sides' bytes.
fn merge_records(
    b: Option<Record>,
    o: Record,
    t: Record,
    [base, ours, theirs]: [&[u8]; 3],
) -> std::result::Result<Merged, String> {
    let ours_text = String::from_utf8_lossy(ours);
    let err = |e: MergeError| e.to_string();
    match (b, o, t) {
        (b, Record::Task(o), Record::Task(t)) => {
            let b = match b {
                Some(Record::Task(b)) => Some(b),
                _ => None,
            };
            let lines = |b: &str, o: &str, t: &str| {
                merge_file(o, b, t, ["ours", "base", "theirs"])
                    .ok()
                    .filter(|m| m.conflicts == 0)
                    .map(|m| m.text)
            };
            // The conflict note is stamped with the newer side's last activity, not
            // the clock: the same merge made on two machines gives the same file,
            // and the merge itself does not count as activity in a later conflict.
            let at = o.last_activity().max(t.last_activity());
            let m = merge::merge_tasks_with(b.as_ref(), &o, &t, at, &lines).map_err(err)?;
            m.record
                .validate()
                .map_err(|e| format!("the merged task would be invalid: {e}"))?;
            let text = edit_text(&ours_text, &o, &m.record);
            Ok((
                with_added_keys(text, base, ours, theirs, Task::KEYS),
                m.conflicts,
            ))
        }
        (b, Record::Sprint(o), Record::Sprint(t)) => {
            let b = match b {
                Some(Record::Sprint(b)) => Some(b),
                _ => None,
            };
            let m = merge::merge_sprints(b.as_ref(), &o, &t).map_err(err)?;
            m.record
                .validate()
                .map_err(|e| format!("the merged sprint would be invalid: {e}"))?;
            let text = edit_text(&ours_text, &o, &m.record);
            Ok((
                with_added_keys(text, base, ours, theirs, Sprint::KEYS),
                m.conflicts,
            ))
        }
        (b, Record::Context(o), Record::Context(t)) => {
            let b = match b {
                Some(Record::Context(b)) => Some(b),
                _ => None,
            };
            merge::merge_contexts(b.as_ref(), &o, &t).map_err(err)?;
            Ok((ours_text.into_owned(), Vec::new()))
        }
        _ => Err("the sides are different kinds of record".to_string()),
    }
}

/// `merged` checked to load (belt and braces: never write a record that
/// would not), or git's clean line merge of the sides instead when it loads
/// as exactly the same record.
fn prefer_line_merge(
    kind: IdKind,
    rel: &str,
    merged: Merged,
    [base, ours, theirs]: [&[u8]; 3],
) -> std::result::Result<Merged, String> {
    let loaded = load_record(kind, rel, merged.0.as_bytes());
    match loaded.record {
        Some(record) => {
            // Where git's line merge is clean and says exactly the same, prefer
            // its text: it also keeps comments and formatting from their side.
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            if let Ok(lines) = merge_file(
                &text(ours),
                &text(base),
                &text(theirs),
                ["ours", "base", "theirs"],
            ) && lines.conflicts == 0
                && load_record(kind, rel, lines.text.as_bytes())
                    .record
                    .as_ref()
                    == Some(&record)
            {
                return Ok((lines.text, merged.1));
            }
            Ok(merged)
        }
        None => Err(format!(
            "the merged text would not load: {}",
            loaded
                .problems
                .first()
                .map_or_else(String::new, |p| p.to_string())
        )),
    }
}

/// Appends the unknown top-level keys that only theirs added (see
/// [`added_keys`]).
fn with_added_keys(
    mut text: String,
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    known: &[&str],
) -> String {
    let extra = added_keys(base, ours, theirs, known);
    if !extra.is_empty() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&extra);
    }
    text
}

#[cfg(test)]
mod tests;
