//! Which task each draft becomes. A draft whose key (or an older spelling of
//! it) an earlier import wrote is matched to that task; the others get fresh
//! ids. An id the source uses twice (a live and an archived Backlog.md task,
//! two files) gives two tasks, each keyed by the id and its source path; a
//! link to such an id goes to the one in the same place (live or archived)
//! as the item linking, and when that still leaves two, it is listed as
//! ambiguous instead of being wired to a guess.

use super::{Draft, IMPORTER, ImportReport, clip_line};
use crate::api::{Orchestron, Result};
use crate::model::{ArchiveScope, TaskQuery};
use crate::model::{Entry, IdKind, Limits, RecordId, Status, Task};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// The drafts of one import, sorted into new and known.
pub(super) struct Plan {
    /// Drafts no earlier import brought, with the id each gets.
    pub fresh: Vec<(RecordId, Draft)>,
    /// Drafts an earlier import brought, with the task it made.
    pub matched: Vec<(Task, Draft)>,
    /// Every key, of this import and of earlier ones, to its task.
    ids: HashMap<String, RecordId>,
    /// A key the source uses for more than one item → (item key, archived).
    shared: HashMap<String, Vec<(String, bool)>>,
}

/// What a link of a draft names.
enum Link<'a> {
    One(&'a RecordId),
    Ambiguous(Vec<&'a str>),
    Missing,
}

impl Orchestron {
    /// Matches the drafts to earlier imports' tasks and mints ids for the
    /// rest (the caller holds the lock and has refreshed with the archive).
    pub(super) fn plan(&self, mut drafts: Vec<Draft>) -> Result<Plan> {
        let shared = disambiguate(&mut drafts);
        let mut known: HashMap<String, Task> = HashMap::new();
        for t in self
            .index
            .tasks(&TaskQuery {
                archived: ArchiveScope::All,
                ..TaskQuery::default()
            })?
            .tasks
        {
            if let Some(x) = t.external.clone() {
                known.entry(x).or_insert(t);
            }
        }
        let mut ids: HashMap<String, RecordId> = known
            .iter()
            .map(|(k, t)| (k.clone(), t.id.clone()))
            .collect();
        let mut taken: HashSet<RecordId> = HashSet::new();
        let mut matched = Vec::new();
        let mut unmatched = Vec::new();
        for d in drafts {
            let hit = std::iter::once(&d.external)
                .chain(&d.aliases)
                .filter_map(|k| known.get(k))
                .find(|t| !taken.contains(&t.id))
                .cloned();
            match hit {
                Some(task) => {
                    taken.insert(task.id.clone());
                    ids.insert(d.external.clone(), task.id.clone());
                    matched.push((task, d));
                }
                None => unmatched.push(d),
            }
        }
        let fresh: Vec<(RecordId, Draft)> = self
            .new_ids(IdKind::Task, unmatched.len())?
            .into_iter()
            .zip(unmatched)
            .collect();
        for (id, d) in &fresh {
            ids.insert(d.external.clone(), id.clone());
        }
        Ok(Plan {
            fresh,
            matched,
            ids,
            shared,
        })
    }
}

impl Plan {
    /// The task a link of an item names (`archived`: where that item is).
    fn link(&self, key: &str, archived: bool) -> Link<'_> {
        let Some(items) = self.shared.get(key) else {
            return self.ids.get(key).map_or(Link::Missing, Link::One);
        };
        let near: Vec<&(String, bool)> = items.iter().filter(|(_, a)| *a == archived).collect();
        match near.as_slice() {
            [(only, _)] => self.ids.get(only).map_or(Link::Missing, Link::One),
            _ => Link::Ambiguous(items.iter().map(|(k, _)| k.as_str()).collect()),
        }
    }
}

/// Gives each item of an id the source uses twice a key of its own (the id
/// and its source path), the live one first; the first keeps the plain key
/// as an alias, so the task an earlier import made for that id stays
/// matched. Returns the shared keys with their items.
fn disambiguate(drafts: &mut [Draft]) -> HashMap<String, Vec<(String, bool)>> {
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (n, d) in drafts.iter().enumerate() {
        by_key.entry(d.external.clone()).or_default().push(n);
    }
    let mut shared = HashMap::new();
    for (key, mut group) in by_key.into_iter().filter(|(_, g)| g.len() > 1) {
        group.sort_by_key(|&n| (drafts[n].archived, drafts[n].source_path.clone()));
        let mut items = Vec::new();
        for (rank, &n) in group.iter().enumerate() {
            let d = &mut drafts[n];
            let place = d
                .source_path
                .clone()
                .unwrap_or_else(|| format!("{}", rank + 1));
            d.external = format!("{key}@{place}");
            if rank == 0 {
                d.aliases.insert(0, key.clone());
            } else {
                d.aliases.clear();
            }
            items.push((d.external.clone(), d.archived));
        }
        shared.insert(key, items);
    }
    shared
}

/// The task of a draft: links resolved through the plan; a link to an item
/// that is in neither this import nor an earlier one, or that is
/// ambiguous, is kept in the note of unmapped fields, like every field
/// without a home (and named in `unmapped`).
pub(super) fn to_task(
    id: RecordId,
    d: &Draft,
    plan: &Plan,
    sprints: &HashMap<String, RecordId>,
    imported_at: DateTime<Utc>,
    unmapped_out: &mut Vec<String>,
) -> Task {
    let mut unmapped = d.unmapped.clone();
    let created = d.created.unwrap_or(imported_at);
    let mut t = Task::new(id, clip_line(&d.title, Limits::TITLE_CHARS), created);
    t.status = d.status;
    t.kind = d.kind;
    t.priority = d.priority;
    t.assignee = d
        .assignee
        .as_deref()
        .map(|a| clip_line(a, Limits::NAME_CHARS))
        .filter(|a| !a.is_empty());
    for label in &d.labels {
        let label = clip_line(label, Limits::NAME_CHARS);
        if label.is_empty() || t.labels.contains(&label) {
            continue;
        }
        if t.labels.len() == Limits::LABELS {
            unmapped.push(format!("label: {label}"));
        } else {
            t.labels.push(label);
        }
    }
    if t.status != Status::Todo {
        t.started = d.started;
    }
    if t.status.is_closed() {
        t.closed = d.closed;
        t.progress = if t.status == Status::Done { 100 } else { 0 };
    }
    t.description = d.description.clone().filter(|s| !s.trim().is_empty());
    t.acceptance_criteria = d.criteria.clone();
    t.sprint = d
        .sprint
        .as_ref()
        .and_then(|m| sprints.get(&m.name.to_lowercase()).cloned());
    for dep in &d.depends_on {
        match plan.link(dep, d.archived) {
            Link::One(dep_id) if *dep_id != t.id && !t.depends_on.contains(dep_id) => {
                t.depends_on.push(dep_id.clone());
            }
            Link::One(_) => {}
            Link::Ambiguous(items) => unmapped.push(format!(
                "depends on {dep} (ambiguous: the source has {})",
                items.join(", ")
            )),
            Link::Missing => unmapped.push(format!("depends on {dep} (not in this import)")),
        }
    }
    if let Some(parent) = &d.parent {
        match plan.link(parent, d.archived) {
            Link::One(p) if *p != t.id => t.parent = Some(p.clone()),
            Link::Ambiguous(items) => unmapped.push(format!(
                "parent {parent} (ambiguous: the source has {})",
                items.join(", ")
            )),
            _ => unmapped.push(format!("parent {parent} (not in this import)")),
        }
    }
    t.notes = d.notes.clone();
    if !unmapped.is_empty() {
        for u in &unmapped {
            unmapped_out.push(format!("{}: {u}", d.external));
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
    t.external = Some(d.external.clone());
    t
}

/// Pushes a task that does not validate into the report's `skipped`;
/// true when it is fine.
pub(super) fn valid_or_skipped(task: &Task, report: &mut ImportReport) -> bool {
    match task.validate() {
        Ok(()) => true,
        Err(e) => {
            let external = task.external.clone().unwrap_or_default();
            report
                .skipped
                .push(format!("{external}: {}", crate::model::with_causes(&e)));
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(key: &str, path: &str, archived: bool) -> Draft {
        Draft {
            external: key.into(),
            source_path: Some(path.into()),
            archived,
            ..Draft::default()
        }
    }

    #[test]
    fn an_id_used_twice_gives_two_keys_the_live_one_keeping_the_plain_key() {
        let mut drafts = vec![
            draft("b:p#task-5", "archive/tasks/task-5 - Old.md", true),
            draft("b:p#task-5", "tasks/task-5 - New.md", false),
            draft("b:p#task-6", "tasks/task-6 - Other.md", false),
        ];
        let shared = disambiguate(&mut drafts);
        assert_eq!(drafts[1].external, "b:p#task-5@tasks/task-5 - New.md");
        assert_eq!(drafts[1].aliases, vec!["b:p#task-5".to_string()]);
        assert_eq!(
            drafts[0].external,
            "b:p#task-5@archive/tasks/task-5 - Old.md"
        );
        assert!(drafts[0].aliases.is_empty());
        assert_eq!(drafts[2].external, "b:p#task-6");
        assert_eq!(shared["b:p#task-5"].len(), 2);
    }
}
