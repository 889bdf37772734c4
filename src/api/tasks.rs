//! Task use-cases: create, list, show, update, clarify, prioritise, depend, claim
//! and next. Writes read the file (the source of truth) under the workspace
//! lock, change the record, validate it, write it back losslessly and index it at
//! once, so concurrent processes never lose an update.

use super::task_patch::{TaskPatch, dedup};
use super::write::Intent;
use super::{Error, Orchestron, Result};
use crate::model::{
    Criterion, Entry, FieldChange, IdKind, Limits, Priority, RecordId, Status, Task, TaskType,
};
use crate::model::{TaskPage, TaskQuery, TaskRef};
use crate::store::StoreError;
use serde::Serialize;

/// What `task create` / `orchestron_task_create` take.
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    pub title: String,
    pub kind: Option<TaskType>,
    pub description: Option<String>,
    pub priority: Option<Priority>,
    pub parent: Option<String>,
    pub assignee: Option<String>,
    pub labels: Vec<String>,
    pub depends_on: Vec<String>,
    pub sprint: Option<String>,
    pub acceptance_criteria: Vec<String>,
    pub estimate: Option<u32>,
    pub template: Option<String>,
}

/// A task with what surrounds it: the tasks it waits for, the tasks waiting for
/// it, its children, and when it last changed.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TaskView {
    #[serde(flatten)]
    pub task: Task,
    pub updated: chrono::DateTime<chrono::Utc>,
    pub dependencies: Vec<TaskRef>,
    pub dependents: Vec<TaskRef>,
    pub children: Vec<TaskRef>,
    /// Who holds it, from which work tree and branch, until when (absent when
    /// nobody has claimed it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<super::ClaimView>,
    /// The latest claim on it that ended because someone forced a write
    /// over it (in the last days).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_ended: Option<super::ClaimLost>,
    /// True when the task lies in the archive (read-only; lists leave it out).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
}

/// A task in brief, for lists an agent reads: everything needed to choose
/// what to open, without descriptions, criteria, notes or clarifications
/// (`task_get` has those). A field at its default (type TASK, priority
/// MEDIUM, progress 0, no assignee, no links) is left out, so that a 50-task
/// list stays a few kilobytes; the same rows serve every view.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TaskSummary {
    pub id: RecordId,
    pub title: String,
    pub status: Status,
    #[serde(rename = "type", skip_serializing_if = "is_default")]
    pub kind: TaskType,
    #[serde(skip_serializing_if = "is_default")]
    pub priority: Priority,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(skip_serializing_if = "is_default")]
    pub progress: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<RecordId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sprint: Option<RecordId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<RecordId>,
    pub updated: chrono::DateTime<chrono::Utc>,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl From<&Task> for TaskSummary {
    fn from(t: &Task) -> Self {
        TaskSummary {
            id: t.id.clone(),
            title: t.title.clone(),
            status: t.status,
            kind: t.kind,
            priority: t.priority,
            assignee: t.assignee.clone(),
            progress: t.progress,
            parent: t.parent.clone(),
            sprint: t.sprint.clone(),
            labels: t.labels.clone(),
            depends_on: t.depends_on.clone(),
            updated: t.last_activity(),
        }
    }
}

/// The outcome of a write: the task as it now is, and each field old → new.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Updated {
    pub task: Task,
    pub changes: Vec<FieldChange>,
    /// What the write allowed but a reader should know (a container closed
    /// while its children are open); adapters only show these.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Orchestron {
    pub fn create_task(&mut self, input: NewTask) -> Result<Task> {
        let mut input = input;
        if let Some(name) = input.template.take() {
            super::templates::apply(&name, &mut input)?;
        }
        let lock = self.ws.lock()?;
        let created = self.clock().now();
        let id = self.new_id(IdKind::Task)?;
        let mut task = Task::new(id, input.title.trim().to_string(), created);
        task.kind = input.kind.unwrap_or_default();
        task.priority = input.priority.unwrap_or_default();
        task.description = input.description.filter(|d| !d.trim().is_empty());
        task.assignee = input.assignee.map(|a| self.ws.config.actor_name(a.trim()));
        task.estimate = input.estimate;
        task.labels = dedup(input.labels);
        task.acceptance_criteria = input
            .acceptance_criteria
            .into_iter()
            .map(|text| Criterion { text, done: false })
            .collect();
        if let Some(p) = &input.parent {
            task.parent = Some(self.existing_task_id(p)?);
        }
        for d in &input.depends_on {
            let dep = self.existing_task_id(d)?;
            if !task.depends_on.contains(&dep) {
                task.depends_on.push(dep);
            }
        }
        if let Some(s) = &input.sprint {
            task.sprint = Some(self.resolve_sprint(s)?.id);
        }
        task.validate()?;
        let written = self.ws.create(&lock, &task)?;
        self.index_written(written)?;
        Ok(task)
    }

    pub fn list_tasks(&self, query: &TaskQuery) -> Result<TaskPage> {
        Ok(self.index.tasks(query)?)
    }

    /// `task list` as users ask for it: the sprint by id or name and the parent
    /// by id are resolved (an unknown one is an error, not an empty list), and
    /// `ready` counts the caller's own work in progress as ready.
    pub fn find_tasks(
        &self,
        query: TaskQuery,
        sprint: Option<&str>,
        parent: Option<&str>,
    ) -> Result<TaskPage> {
        let query = self.resolve_list_query(query, sprint, parent)?;
        self.list_tasks(&query)
    }

    /// [`Orchestron::find_tasks`] for a table: the same page, each task an
    /// outline holding only id, title, created, status, type, priority,
    /// assignee and progress (read from the index's columns, not decoded
    /// from each task's stored record).
    pub fn find_task_outlines(
        &self,
        query: TaskQuery,
        sprint: Option<&str>,
        parent: Option<&str>,
    ) -> Result<TaskPage> {
        let query = self.resolve_list_query(query, sprint, parent)?;
        Ok(self.index.task_list_outlines(&query)?)
    }

    fn resolve_list_query(
        &self,
        mut query: TaskQuery,
        sprint: Option<&str>,
        parent: Option<&str>,
    ) -> Result<TaskQuery> {
        if let Some(s) = sprint {
            query.sprint = Some(self.resolve_sprint(s)?.id);
        }
        if let Some(p) = parent {
            query.parent = Some(self.existing_task_id(p)?);
        }
        // `auth,ui` is two labels wherever it comes from, as `create` stores it.
        query.labels = dedup(
            query
                .labels
                .iter()
                .flat_map(|l| l.split(','))
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
        );
        if query.ready && query.ready_for.is_none() {
            query.ready_for = Some(self.actor().to_string());
        }
        if query.ready {
            let who = query.ready_for.clone().unwrap_or_default();
            (query.held_elsewhere, query.ready_anyway) = self.readiness_here(&who)?;
        }
        Ok(query)
    }

    pub fn task(&self, id: &str) -> Result<Task> {
        let id = self.existing_task_id(id)?;
        self.index
            .task(&id)?
            .ok_or_else(|| self.not_found("task", id.as_str()))
    }

    pub fn show_task(&self, id: &str) -> Result<TaskView> {
        let task = self.task(id)?;
        let mut dependencies = Vec::new();
        for d in &task.depends_on {
            if let Some(t) = self.index.task(d)? {
                dependencies.push(TaskRef {
                    id: t.id,
                    title: t.title,
                    status: t.status,
                });
            }
        }
        Ok(TaskView {
            archived: self.index.archived(&task.id)? == Some(true),
            claim: self.claim_view(&self.claims_seen()?.0, &task.id)?,
            claim_ended: self
                .lost_claims()?
                .into_iter()
                .rfind(|l| l.task == task.id.as_str()),
            updated: self.last_changed(&task)?,
            dependents: self.index.dependents(&task.id)?,
            children: self.index.children(&task.id)?,
            dependencies,
            task,
        })
    }

    pub fn update_task(&mut self, id: &str, patch: TaskPatch) -> Result<Updated> {
        let id = self.existing_task_id(id)?;
        let actor = self.actor().to_string();
        // A new parent is checked for loops against the whole hierarchy: read
        // it under the lock the write takes.
        let _lock = match patch.parent {
            Some(Some(_)) => Some(self.locked_fresh()?),
            _ => None,
        };
        self.write_task(&id, patch.intent(), |o, task| {
            o.apply_patch(task, &patch, &actor)
        })
    }

    /// Adds a clarification: anyone may, also to a task another agent holds
    /// (the claim stays).
    pub fn clarify(&mut self, id: &str, text: &str) -> Result<Updated> {
        let id = self.existing_task_id(id)?;
        let entry = self.entry("clarification", text)?;
        self.write_task(&id, Intent::Talk, |_, task| {
            task.clarifications.push(entry);
            Ok(())
        })
    }

    pub fn set_priority(&mut self, id: &str, priority: Priority, force: bool) -> Result<Updated> {
        self.update_task(
            id,
            TaskPatch {
                priority: Some(priority),
                force,
                ..TaskPatch::default()
            },
        )
    }

    /// Takes the workspace lock and brings the index up to date inside it, for
    /// a use-case that decides from what it reads (claim's pick, depend's cycle
    /// check, the parent loop check): nothing can change between the read and
    /// the write. The lock is re-entrant, so the write inside takes it again.
    /// Within [`Orchestron::refresh_then`] the index was brought up to date
    /// under this same hold of the lock — no other writer since — so it is
    /// not refreshed twice.
    pub(super) fn locked_fresh(&mut self) -> Result<crate::store::WorkspaceLock> {
        let lock = self.ws.lock()?;
        if self.fresh_in_hold != Some(lock.hold()) {
            self.refresh()?;
        }
        Ok(lock)
    }

    /// "closed with open children": closing an EPIC or STORY before its
    /// children is allowed (plans change) but worth saying.
    pub(super) fn open_children_warning(&self, task: &Task) -> Result<Option<String>> {
        let open: Vec<String> = self
            .index
            .children(&task.id)?
            .into_iter()
            .filter(|c| !c.status.is_closed())
            .map(|c| c.id.to_string())
            .collect();
        Ok((!open.is_empty()).then(|| {
            format!(
                "{} is {} but its children {} are still open",
                task.id,
                task.status.as_str(),
                open.join(", ")
            )
        }))
    }

    /// A store failure reading record `id`, in the API's terms: a missing file
    /// is an unknown id (with near matches), a broken one a `BrokenRecord`.
    pub(super) fn record_error(&self, kind: &'static str, id: &RecordId, e: Error) -> Error {
        match e {
            Error::Store(StoreError::Missing { .. }) => self.not_found(kind, id.as_str()),
            Error::Store(StoreError::Broken {
                path,
                line,
                column,
                message,
            }) => Error::BrokenRecord {
                path,
                line,
                column,
                message,
            },
            e => e,
        }
    }

    /// A note or clarification (`what`, as messages name it) by the actor, now.
    pub(super) fn entry(&self, what: &'static str, text: &str) -> Result<Entry> {
        let text = text.trim().to_string();
        Limits::check_required(what, &text, Limits::ENTRY_CHARS)?;
        Ok(Entry {
            at: self.clock().now(),
            by: self.actor().to_string(),
            text,
        })
    }

    /// A fresh id of `kind` that no file holds yet (the caller holds the lock).
    /// Ids lengthen as the backlog grows so that two branches minting ids at once
    /// stay unlikely to collide (about 1 in 10,000 for a thousand ids per side).
    pub(super) fn new_id(&self, kind: IdKind) -> Result<RecordId> {
        let mut ids = self.new_ids(kind, 1)?;
        ids.pop()
            .ok_or_else(|| Error::internal("minting an id", "no id was made"))
    }

    /// `n` distinct fresh ids of `kind`, their length chosen for the backlog
    /// as it will be once they exist (a batch import mints them all before
    /// any file is written).
    pub(super) fn new_ids(&self, kind: IdKind, n: usize) -> Result<Vec<RecordId>> {
        let len = match self.ws.count(kind) + n {
            0..2_000 => 5,
            2_000..60_000 => 6,
            _ => 7,
        };
        let mut ids = std::collections::HashSet::with_capacity(n);
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let id = RecordId::generate(self.ws.prefix(kind), len)?;
            if !ids.contains(&id) && !self.ws.exists(kind, &id) {
                ids.insert(id.clone());
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Parses `input` as a task id and checks that the task exists.
    pub(super) fn existing_task_id(&self, input: &str) -> Result<RecordId> {
        let id = RecordId::parse(input)?;
        if self.index.task(&id)?.is_some() {
            return Ok(id);
        }
        Err(self.not_found("task", input))
    }

    /// When `task` last changed: its newest note or clarification, or the
    /// newest change the feed saw (a claim, a status change, a hand edit, a
    /// pull) — derived, never written, so no line changes on every write.
    fn last_changed(&self, task: &Task) -> Result<chrono::DateTime<chrono::Utc>> {
        let fed = self.index.last_change_at(IdKind::Task, &task.id)?;
        Ok(fed.map_or(task.last_activity(), |at| at.max(task.last_activity())))
    }

    pub(super) fn not_found(&self, kind: &'static str, input: &str) -> Error {
        // A record whose file exists but does not load (broken, or renamed
        // so its name is not its id) is not in the index: say what is wrong
        // with the file rather than that the id is unknown.
        if let Ok(id) = RecordId::parse(input)
            && let Ok(Some(p)) = self.index.broken_file(id.as_str())
        {
            return Error::BrokenRecord {
                path: p.path,
                line: p.line,
                column: p.column,
                message: p.message,
            };
        }
        let suggestions = self
            .index
            .similar_ids(input)
            .unwrap_or_default()
            .into_iter()
            .map(|id| id.to_string())
            .collect();
        Error::NotFound {
            kind,
            id: input.to_string(),
            suggestions,
        }
    }
}
