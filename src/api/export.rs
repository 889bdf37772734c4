//! `orchestron export`: the whole backlog as one JSON document — every task,
//! sprint and context, archived ones included and marked — which `orchestron
//! import json` reads back into an empty workspace as identical records; and
//! a readable Markdown report of the open work, by epic and status.

use super::{Orchestron, Result};
use crate::model::{ArchiveScope, TaskQuery};
use crate::model::{ContextSnapshot, IdKind, RecordId, Sprint, Status, Task, TaskType};
use crate::store::RecordPath;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// The version of the export document's layout.
pub const EXPORT_FORMAT: u32 = 1;

/// The whole backlog in one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BacklogExport {
    /// The document's layout version; its presence marks an export.
    pub orchestron_export: u32,
    /// Every task, by id.
    pub tasks: Vec<Task>,
    /// Every sprint, by id.
    pub sprints: Vec<Sprint>,
    /// Every context snapshot and handoff, by id.
    pub contexts: Vec<ContextSnapshot>,
    /// The ids of the tasks and sprints that lie in the archive.
    #[serde(default)]
    pub archived: Vec<RecordId>,
    /// Each record's file text, by its path in the workspace
    /// (`tasks/TASK-7k2mq.yaml`, `archive/tasks/…`): what `import json`
    /// writes back byte for byte — comments, unknown keys and layout — when
    /// it still holds the record's fields above (which win otherwise).
    #[serde(default)]
    pub files: RecordTexts,
}

/// Record file texts by path relative to the workspace.
pub type RecordTexts = BTreeMap<String, String>;

/// The file of record `id`, in the archive or out of it.
pub(super) fn record_file(kind: IdKind, id: &RecordId, archived: bool) -> RecordPath {
    if archived {
        RecordPath::archived(kind, id)
    } else {
        RecordPath::of(kind, id)
    }
}

impl Orchestron {
    /// The whole backlog, archive included (re-read first).
    pub fn export(&mut self) -> Result<BacklogExport> {
        self.refresh_with_archive()?;
        let mut tasks = self
            .index
            .tasks(&TaskQuery {
                archived: ArchiveScope::All,
                ..TaskQuery::default()
            })?
            .tasks;
        tasks.sort_by(|a, b| a.id.cmp(&b.id));
        let mut contexts = self.index.contexts(0)?;
        contexts.sort_by(|a, b| a.id.cmp(&b.id));
        let sprints = self.index.every_sprint()?;
        let archived = self.index.archived_ids()?;
        let mut files = RecordTexts::new();
        let records = (tasks.iter().map(|t| (IdKind::Task, &t.id)))
            .chain(sprints.iter().map(|s| (IdKind::Sprint, &s.id)))
            .chain(contexts.iter().map(|c| (IdKind::Context, &c.id)));
        for (kind, id) in records {
            let path = record_file(kind, id, archived.binary_search(id).is_ok());
            // A record read from another file (misnamed, duplicated) has
            // none here: import renders it from its fields.
            if let Some((text, _)) = self.ws.current(&path) {
                files.insert(path.rel(), text);
            }
        }
        Ok(BacklogExport {
            orchestron_export: EXPORT_FORMAT,
            tasks,
            sprints,
            contexts,
            archived,
            files,
        })
    }

    /// The open work as Markdown: one section per epic (then one for work
    /// under no epic), and within each the tasks by status, in list order.
    pub fn export_markdown(&self) -> Result<String> {
        let open: Vec<Task> = self
            .index
            .tasks(&TaskQuery {
                status: Status::ALL
                    .iter()
                    .copied()
                    .filter(|s| !s.is_closed())
                    .collect(),
                ..TaskQuery::default()
            })?
            .tasks;
        // Each task's epic: the nearest EPIC up its parent chain.
        let mut parents: HashMap<RecordId, Option<Task>> = HashMap::new();
        let mut epic_of = |t: &Task| -> Result<Option<Task>> {
            let mut seen = 0;
            let mut at = t.parent.clone();
            while let Some(id) = at {
                seen += 1;
                if seen > 64 {
                    break;
                }
                let parent = match parents.get(&id) {
                    Some(p) => p.clone(),
                    None => {
                        let p = self.index.task(&id)?;
                        parents.insert(id.clone(), p.clone());
                        p
                    }
                };
                match parent {
                    Some(p) if p.kind == TaskType::Epic => return Ok(Some(p)),
                    Some(p) => at = p.parent,
                    None => break,
                }
            }
            Ok(None)
        };
        let mut groups: Vec<(Option<Task>, Vec<Task>)> = Vec::new();
        for t in open {
            if t.kind == TaskType::Epic {
                if !groups
                    .iter()
                    .any(|(e, _)| e.as_ref().is_some_and(|e| e.id == t.id))
                {
                    groups.push((Some(t), Vec::new()));
                }
                continue;
            }
            let epic = epic_of(&t)?;
            let slot = groups
                .iter()
                .position(|(e, _)| e.as_ref().map(|e| &e.id) == epic.as_ref().map(|e| &e.id));
            match slot {
                Some(i) => groups[i].1.push(t),
                None => groups.push((epic, vec![t])),
            }
        }
        // Work under no epic comes last.
        groups.sort_by_key(|(e, _)| e.is_none());
        let total: usize = groups.iter().map(|(_, ts)| ts.len()).sum();
        let mut out = String::from("# Open work\n\n");
        let _ = writeln!(out, "{total} open task(s) in {} group(s).", groups.len());
        for (epic, tasks) in &groups {
            match epic {
                Some(e) => {
                    let _ = writeln!(out, "\n## {} {} ({})", e.id, e.title, e.status.as_str());
                }
                None => out.push_str("\n## Not in an epic\n"),
            }
            for status in Status::ALL.iter().filter(|s| !s.is_closed()) {
                let of: Vec<&Task> = tasks.iter().filter(|t| t.status == *status).collect();
                if of.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "\n### {}\n", status.as_str());
                for t in of {
                    let _ = write!(out, "- **{}** {} — {}", t.id, t.title, t.priority.as_str());
                    if let Some(a) = &t.assignee {
                        let _ = write!(out, ", @{a}");
                    }
                    if t.progress > 0 {
                        let _ = write!(out, ", {}%", t.progress);
                    }
                    if !t.depends_on.is_empty() {
                        let deps: Vec<&str> = t.depends_on.iter().map(|d| d.as_str()).collect();
                        let _ = write!(out, ", after {}", deps.join(", "));
                    }
                    out.push('\n');
                }
            }
        }
        Ok(out)
    }
}
