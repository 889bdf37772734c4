//! A pure, field-level three-way merge of records, the heart of the merge driver.
//!
//! Rules (documented for users in docs/GIT.md):
//! - A field changed on one side only takes that side's value; changed the same
//!   way on both, that value.
//! - Notes and clarifications are sets of entries: everything either side added is
//!   kept (an entry added on both sides once), an entry removed or edited on one
//!   side is removed or edited, and entries from the other side are placed in time
//!   order among ours.
//! - `labels` and `depends_on` are sets: adds and removes from both sides apply.
//! - Acceptance criteria merge per item, matched by text: items added on either
//!   side are kept, removed items go, and `done` takes whichever side changed it.
//! - A field changed differently on both sides is a conflict, resolved by one rule:
//!   the side whose record shows the newer activity (`Task::last_activity`, its
//!   newest note or clarification) wins every conflicting field, a tie goes to
//!   ours, and the losing values are kept in a note by `orchestron-merge`.
//! - Sprints merge field by field; a conflict keeps ours, except `status`, where
//!   the later stage wins (PLANNED < ACTIVE < CLOSED). Sprints have no notes, so
//!   their conflicts are only reported.
//! - Context snapshots are append-only: identical sides merge, anything else is a
//!   conflict the caller leaves to git.

use crate::model::{
    ContextSnapshot, Criterion, Entry, FieldConflict, Limits, MergeSide, RecordId, Sprint, Task,
};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The author of notes the merge writes.
pub const MERGE_AUTHOR: &str = "orchestron-merge";

/// A merged record and the conflicts resolved on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged<T> {
    pub record: T,
    pub conflicts: Vec<FieldConflict>,
}

/// Why two records cannot be merged field by field (the caller falls back to a
/// line-based merge).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("the two sides are different records ({0} and {1})")]
    DifferentIds(RecordId, RecordId),
    #[error("context snapshots are append-only, and both sides changed {0} differently")]
    ContextChanged(RecordId),
}

/// A line-based three-way merge of free text (base, ours, theirs), `None` when
/// it conflicts. The driver passes `git merge-file`; tests may pass anything.
pub type TextMerge<'a> = &'a dyn Fn(&str, &str, &str) -> Option<String>;

/// Three-way merge of a task. `base` is `None` when both sides added the file;
/// `at` stamps the note that records conflicts. Descriptions changed on both
/// sides are treated as conflicting values (see [`merge_tasks_with`]).
#[cfg(test)]
pub fn merge_tasks(
    base: Option<&Task>,
    ours: &Task,
    theirs: &Task,
    at: DateTime<Utc>,
) -> Result<Merged<Task>, MergeError> {
    merge_tasks_with(base, ours, theirs, at, &|_, _, _| None)
}

/// [`merge_tasks`], where a description changed on both sides is first merged
/// line by line with `text_merge` (edits to different lines both survive); only
/// if that conflicts does the conflict rule decide.
pub fn merge_tasks_with(
    base: Option<&Task>,
    ours: &Task,
    theirs: &Task,
    at: DateTime<Utc>,
    text_merge: TextMerge<'_>,
) -> Result<Merged<Task>, MergeError> {
    if ours.id != theirs.id {
        return Err(MergeError::DifferentIds(ours.id.clone(), theirs.id.clone()));
    }
    let winner = if theirs.last_activity() > ours.last_activity() {
        MergeSide::Theirs
    } else {
        MergeSide::Ours
    };
    let mut m = Fields {
        winner,
        conflicts: Vec::new(),
    };
    let b = base;
    // One rule per scalar field, over its three sides' values.
    macro_rules! scalar {
        ($name:literal, $field:ident) => {
            m.scalar($name, b.map(|b| &b.$field), &ours.$field, &theirs.$field)
        };
    }
    // A struct literal, not `ours.clone()` with fields overwritten: a field
    // added to `Task` does not compile until its merge rule is written here.
    let mut t = Task {
        id: ours.id.clone(),
        title: scalar!("title", title),
        status: scalar!("status", status),
        kind: scalar!("type", kind),
        priority: scalar!("priority", priority),
        parent: scalar!("parent", parent),
        assignee: scalar!("assignee", assignee),
        created: scalar!("created", created),
        progress: scalar!("progress", progress),
        estimate: scalar!("estimate", estimate),
        sprint: scalar!("sprint", sprint),
        started: scalar!("started", started),
        closed: scalar!("closed", closed),
        external: scalar!("external", external),
        description: {
            let base_description = b.map(|b| &b.description);
            match text_merged(
                base_description,
                &ours.description,
                &theirs.description,
                text_merge,
            ) {
                Some(merged) => merged,
                None => m.scalar(
                    "description",
                    base_description,
                    &ours.description,
                    &theirs.description,
                ),
            }
        },
        labels: merge_set(b.map(|b| &b.labels[..]), &ours.labels, &theirs.labels),
        depends_on: merge_set(
            b.map(|b| &b.depends_on[..]),
            &ours.depends_on,
            &theirs.depends_on,
        ),
        acceptance_criteria: merge_criteria(
            b.map(|b| &b.acceptance_criteria[..]),
            &ours.acceptance_criteria,
            &theirs.acceptance_criteria,
        ),
        clarifications: merge_entries(
            b.map(|b| &b.clarifications[..]),
            &ours.clarifications,
            &theirs.clarifications,
        ),
        notes: merge_entries(b.map(|b| &b.notes[..]), &ours.notes, &theirs.notes),
    };
    for c in &m.conflicts {
        t.notes.push(conflict_note(c, at));
    }
    Ok(Merged {
        record: t,
        conflicts: m.conflicts,
    })
}

/// Three-way merge of a sprint (see the module rules).
pub fn merge_sprints(
    base: Option<&Sprint>,
    ours: &Sprint,
    theirs: &Sprint,
) -> Result<Merged<Sprint>, MergeError> {
    if ours.id != theirs.id {
        return Err(MergeError::DifferentIds(ours.id.clone(), theirs.id.clone()));
    }
    let mut m = Fields {
        winner: MergeSide::Ours,
        conflicts: Vec::new(),
    };
    let b = base;
    // A struct literal, so a new field of `Sprint` needs its rule here.
    let s = Sprint {
        id: ours.id.clone(),
        name: m.scalar("name", b.map(|b| &b.name), &ours.name, &theirs.name),
        goal: m.scalar("goal", b.map(|b| &b.goal), &ours.goal, &theirs.goal),
        start: m.scalar("start", b.map(|b| &b.start), &ours.start, &theirs.start),
        end: m.scalar("end", b.map(|b| &b.end), &ours.end, &theirs.end),
        created: m.scalar(
            "created",
            b.map(|b| &b.created),
            &ours.created,
            &theirs.created,
        ),
        // Status: the later stage wins — a sprint closed on one branch stays closed.
        status: {
            m.winner = if theirs.status > ours.status {
                MergeSide::Theirs
            } else {
                MergeSide::Ours
            };
            m.scalar("status", b.map(|b| &b.status), &ours.status, &theirs.status)
        },
    };
    Ok(Merged {
        record: s,
        conflicts: m.conflicts,
    })
}

/// Context snapshots are written once: both sides must agree.
pub fn merge_contexts(
    _base: Option<&ContextSnapshot>,
    ours: &ContextSnapshot,
    theirs: &ContextSnapshot,
) -> Result<Merged<ContextSnapshot>, MergeError> {
    if ours.id != theirs.id {
        return Err(MergeError::DifferentIds(ours.id.clone(), theirs.id.clone()));
    }
    if ours != theirs {
        return Err(MergeError::ContextChanged(ours.id.clone()));
    }
    Ok(Merged {
        record: ours.clone(),
        conflicts: Vec::new(),
    })
}

/// When both sides changed an optional text differently, their line merge (an
/// empty result means no text); `None` when not applicable or conflicting.
fn text_merged(
    base: Option<&Option<String>>,
    ours: &Option<String>,
    theirs: &Option<String>,
    text_merge: TextMerge<'_>,
) -> Option<Option<String>> {
    if ours == theirs || base == Some(ours) || base == Some(theirs) {
        return None;
    }
    fn text(t: Option<&Option<String>>) -> &str {
        t.and_then(|t| t.as_deref()).unwrap_or("")
    }
    let merged = text_merge(text(base), text(Some(ours)), text(Some(theirs)))?;
    Some((!merged.is_empty()).then_some(merged))
}

/// Scalar merging state: who wins conflicts, and the conflicts seen.
struct Fields {
    winner: MergeSide,
    conflicts: Vec<FieldConflict>,
}

impl Fields {
    fn scalar<T: Clone + PartialEq + Serialize>(
        &mut self,
        field: &'static str,
        base: Option<&T>,
        ours: &T,
        theirs: &T,
    ) -> T {
        if ours == theirs || base == Some(theirs) {
            return ours.clone();
        }
        if base == Some(ours) {
            return theirs.clone();
        }
        self.conflicts.push(FieldConflict {
            field,
            ours: display(ours),
            theirs: display(theirs),
            kept: self.winner,
        });
        match self.winner {
            MergeSide::Ours => ours.clone(),
            MergeSide::Theirs => theirs.clone(),
        }
    }
}

/// A value as a person reads it: strings bare, nothing as `none`.
fn display<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) => "none".to_string(),
        Ok(v) => v.to_string(),
        Err(_) => "?".to_string(),
    }
}

/// The note that keeps a losing value: one line, within the entry size limit.
fn conflict_note(c: &FieldConflict, at: DateTime<Utc>) -> Entry {
    let (kept, lost, kept_side) = match c.kept {
        MergeSide::Ours => (&c.ours, &c.theirs, "this branch"),
        MergeSide::Theirs => (&c.theirs, &c.ours, "the merged branch"),
    };
    let budget = Limits::ENTRY_CHARS / 2 - 100;
    let text = format!(
        "Merge conflict on {}: kept {} (from {kept_side}, the newer activity); the other side had {}",
        c.field,
        clip(kept, budget),
        clip(lost, budget),
    );
    Entry {
        at,
        by: MERGE_AUTHOR.to_string(),
        text,
    }
}

/// A conflict note written by [`merge_tasks`], read back: (field, kept, lost).
pub fn parse_conflict_note(e: &Entry) -> Option<(&str, &str, &str)> {
    if e.by != MERGE_AUTHOR {
        return None;
    }
    let rest = e.text.strip_prefix("Merge conflict on ")?;
    let (field, rest) = rest.split_once(": kept ")?;
    let (kept, rest) = rest.split_once(" (from ")?;
    let (_, lost) = rest.split_once("; the other side had ")?;
    Some((field, kept, lost))
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

/// Set merge keeping ours' order: ours plus theirs' additions, minus whatever
/// either side removed from the base.
pub(crate) fn merge_set<T: Clone + PartialEq>(
    base: Option<&[T]>,
    ours: &[T],
    theirs: &[T],
) -> Vec<T> {
    let base = base.unwrap_or(&[]);
    let removed_by = |side: &[T], x: &T| base.contains(x) && !side.contains(x);
    let mut out: Vec<T> = Vec::with_capacity(ours.len() + theirs.len());
    for x in ours.iter().chain(theirs) {
        if !out.contains(x) && !removed_by(ours, x) && !removed_by(theirs, x) {
            out.push(x.clone());
        }
    }
    out
}

/// Entry merge: the set merge of [`merge_set`], with theirs' additions placed in
/// time order among ours (after the last of ours at or before the same time).
pub(crate) fn merge_entries(
    base: Option<&[Entry]>,
    ours: &[Entry],
    theirs: &[Entry],
) -> Vec<Entry> {
    let base_list = base.unwrap_or(&[]);
    let removed_by = |side: &[Entry], x: &Entry| base_list.contains(x) && !side.contains(x);
    let mut out: Vec<Entry> = ours
        .iter()
        .filter(|x| !removed_by(theirs, x))
        .cloned()
        .collect();
    for x in theirs {
        if out.contains(x) || removed_by(ours, x) {
            continue;
        }
        let pos = out.iter().rposition(|e| e.at <= x.at).map_or(0, |i| i + 1);
        out.insert(pos, x.clone());
    }
    out
}

/// Acceptance criteria matched by text: order of ours, theirs' new items after
/// the item they followed on their side; `done` three-way per item.
pub(crate) fn merge_criteria(
    base: Option<&[Criterion]>,
    ours: &[Criterion],
    theirs: &[Criterion],
) -> Vec<Criterion> {
    let base = base.unwrap_or(&[]);
    let find =
        |list: &[Criterion], text: &str| list.iter().find(|c| c.text == text).map(|c| c.done);
    let texts = merge_set(
        Some(&base.iter().map(|c| c.text.clone()).collect::<Vec<_>>()),
        &ours.iter().map(|c| c.text.clone()).collect::<Vec<_>>(),
        &theirs.iter().map(|c| c.text.clone()).collect::<Vec<_>>(),
    );
    // Place each of theirs' new items right after its predecessor on their side.
    let mut ordered: Vec<String> = texts
        .iter()
        .filter(|t| find(ours, t).is_some())
        .cloned()
        .collect();
    for (i, c) in theirs.iter().enumerate() {
        if !texts.contains(&c.text) || ordered.contains(&c.text) {
            continue;
        }
        let pos = theirs[..i]
            .iter()
            .rev()
            .find_map(|p| ordered.iter().position(|t| *t == p.text))
            .map_or(0, |p| p + 1);
        ordered.insert(pos, c.text.clone());
    }
    ordered
        .into_iter()
        .map(|text| {
            let (b, o, t) = (find(base, &text), find(ours, &text), find(theirs, &text));
            let done = match (o, t) {
                (Some(o), Some(t)) if o != t => {
                    if b == Some(o) {
                        t
                    } else {
                        o
                    }
                }
                (Some(o), _) => o,
                (None, Some(t)) => t,
                (None, None) => false,
            };
            Criterion { text, done }
        })
        .collect()
}

#[cfg(test)]
mod tests;
