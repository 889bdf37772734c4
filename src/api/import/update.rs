//! Re-import: bringing the tasks an earlier import made in step with their
//! source. The import keeps, per source, what it last brought of each item
//! (`.orchestron/imports/<source>.json`, the baseline: title, status,
//! priority, description, labels, assignee, dependencies). For each field:
//! the source unchanged since then → the task is left as it is (whatever was
//! done here stays); the source changed and the task still holds what the
//! last import brought → the task takes the source's value; both changed
//! (or no baseline tells) → the task keeps its value and the field is
//! reported as conflicted. New comments are added as notes. A task held by
//! another agent, or archived, is not changed at all: it is reported as
//! conflicted with the reason, and its baseline is kept so the next run
//! tries again. The update goes through the one task write path
//! (`api/write.rs`), whose claim check makes that refusal.

use super::plan::{Plan, to_task};
use super::{IMPORTER, ImportReport, ImportSource, Reimported};
use crate::api::write::Intent;
use crate::api::{Error, Orchestron, Result};
use crate::model::{Entry, Priority, RecordId, Status, Task};
use crate::store::WorkspaceLock;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The fields a re-import keeps in step, as one import brought them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Mirror {
    title: String,
    status: Status,
    priority: Priority,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    assignee: Option<String>,
    #[serde(default)]
    depends_on: Vec<RecordId>,
}

impl Mirror {
    fn of(t: &Task) -> Self {
        Mirror {
            title: t.title.clone(),
            status: t.status,
            priority: t.priority,
            description: t.description.clone(),
            labels: t.labels.clone(),
            assignee: t.assignee.clone(),
            depends_on: t.depends_on.clone(),
        }
    }
}

/// One field of [`Mirror`]: its name, whether two mirrors agree on it, and
/// how to give a task the source's value.
struct Field {
    name: &'static str,
    same: fn(&Mirror, &Mirror) -> bool,
    take: fn(&mut Task, &Task),
}

/// A [`Field`] whose task field and [`Mirror`] field share its name, and
/// which the source's value replaces as it is.
macro_rules! replaced {
    ($field:ident) => {
        Field {
            name: stringify!($field),
            same: |a, b| a.$field == b.$field,
            take: |t, s| t.$field = s.$field.clone(),
        }
    };
}

const FIELDS: &[Field] = &[
    replaced!(title),
    Field {
        name: "status",
        same: |a, b| a.status == b.status,
        take: |t, s| {
            t.status = s.status;
            if s.status == Status::Done {
                t.progress = 100;
            }
        },
    },
    Field {
        name: "priority",
        same: |a, b| a.priority == b.priority,
        take: |t, s| t.priority = s.priority,
    },
    replaced!(description),
    replaced!(labels),
    replaced!(assignee),
    replaced!(depends_on),
];

/// What the last import of a source brought of each item, by key.
pub(super) struct Baseline {
    rel: String,
    items: BTreeMap<String, Mirror>,
}

impl Baseline {
    /// The baseline of `source` (empty when none was written yet).
    pub(super) fn read(o: &Orchestron, source: ImportSource) -> Result<Self> {
        let rel = format!("imports/{}.json", source.as_str());
        let path = o.ws.abs(&rel);
        let items = match crate::store::read_text_if_exists(&path)? {
            None => BTreeMap::new(),
            Some(text) => serde_json::from_str(&text).map_err(|e| {
                Error::Invalid(format!(
                    "{}: not an import baseline ({e}); restore it from git, or delete it \
                     to have every changed field reported as conflicted",
                    path.display()
                ))
            })?,
        };
        Ok(Baseline { rel, items })
    }

    pub(super) fn remember(&mut self, task: &Task) {
        if let Some(x) = &task.external {
            self.items.insert(x.clone(), Mirror::of(task));
        }
    }

    pub(super) fn write(&self, o: &Orchestron, _lock: &WorkspaceLock) -> Result<()> {
        let text = serde_json::to_string_pretty(&self.items)
            .map_err(|e| Error::internal("encoding the import baseline", e))?;
        crate::store::write_file(&o.ws.abs(&self.rel), format!("{text}\n").as_bytes())?;
        Ok(())
    }
}

impl Orchestron {
    /// Brings one task of an earlier import in step with its source item
    /// (see the module text); the write goes through the one task write path.
    pub(super) fn reimport(
        &mut self,
        task: &Task,
        d: &super::Draft,
        plan: &Plan,
        sprints: &HashMap<String, RecordId>,
        baseline: &mut Baseline,
        report: &mut ImportReport,
    ) -> Result<()> {
        let mut scratch = Vec::new();
        let theirs = to_task(
            task.id.clone(),
            d,
            plan,
            sprints,
            task.created,
            &mut scratch,
        );
        let (ours, new) = (Mirror::of(task), Mirror::of(&theirs));
        let base = baseline
            .items
            .get(&d.external)
            .or_else(|| d.aliases.iter().find_map(|a| baseline.items.get(a)));
        let mut take = Vec::new();
        let mut conflicts = Vec::new();
        for f in FIELDS {
            if (f.same)(&ours, &new) {
                continue;
            }
            match base {
                Some(b) if (f.same)(b, &ours) => take.push(f),
                Some(b) if (f.same)(b, &new) => {}
                _ => conflicts.push(f.name.to_string()),
            }
        }
        let notes: Vec<Entry> = theirs
            .notes
            .iter()
            .filter(|n| n.by != IMPORTER)
            .filter(|n| !task.notes.iter().any(|m| m.at == n.at && m.text == n.text))
            .cloned()
            .collect();
        let rekey = task.external.as_deref() != Some(d.external.as_str());
        let mut fields: Vec<String> = take.iter().map(|f| f.name.to_string()).collect();
        if !notes.is_empty() {
            fields.push("notes".into());
        }
        if rekey {
            fields.push("external".into());
        }
        let entry = |fields: Vec<String>, reason: Option<String>| Reimported {
            id: task.id.clone(),
            external: d.external.clone(),
            title: task.title.clone(),
            fields,
            reason,
        };
        if fields.is_empty() {
            baseline.items.insert(d.external.clone(), new);
            if conflicts.is_empty() {
                report.unchanged += 1;
            } else {
                report.conflicted.push(entry(conflicts, None));
            }
            return Ok(());
        }
        // The one task write path: its claim check refuses a task another
        // agent holds, and an archived one; a dry run begins the write (the
        // same checks) and drops it unwritten.
        let write = match self.begin_write(&task.id, Intent::Change { force: false }) {
            Ok(w) => w,
            Err(e) => match refusal(&e) {
                Some(reason) => {
                    fields.extend(conflicts);
                    report.conflicted.push(entry(fields, Some(reason)));
                    return Ok(());
                }
                None => return Err(e),
            },
        };
        if !report.dry_run {
            let external = d.external.clone();
            write.commit(self, |_, t| {
                for f in &take {
                    (f.take)(t, &theirs);
                }
                t.notes.extend(notes);
                t.external = Some(external);
                Ok(())
            })?;
        }
        baseline.items.insert(d.external.clone(), new);
        report.updated.push(entry(fields, None));
        if !conflicts.is_empty() {
            report.conflicted.push(entry(conflicts, None));
        }
        Ok(())
    }
}

/// Why the write path refused an import's update, said for the import:
/// the next run brings the change once the task is free.
fn refusal(e: &Error) -> Option<String> {
    match e {
        Error::ClaimedByOther { id, holder } => Some(format!(
            "{id} is claimed by {holder}; the next import brings the change once it is released"
        )),
        Error::Archived { id } => Some(format!(
            "{id} is archived; restore it (`archive --restore`) and import again to take the change"
        )),
        _ => None,
    }
}
