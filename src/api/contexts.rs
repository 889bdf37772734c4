//! Context snapshots and handoffs: save, show (the latest by default, with the
//! session before it), list. Snapshot files are append-only: written once,
//! never rewritten.

use super::{Error, Orchestron, Result, TaskPatch};
use crate::index::TaskRef;
use crate::model::{ContextKind, ContextSnapshot, IdKind, Limits, RecordId, now_millis};
use serde::Serialize;
use serde_json::{Map, Value};

/// What `context save` takes.
#[derive(Debug, Clone, Default)]
pub struct SaveContext {
    pub context: Map<String, Value>,
    pub notes: Option<String>,
    pub checkpoint: Option<String>,
    pub task: Option<String>,
}

/// What a handoff records. The work done and left are items (agents send a
/// list as often as one text); one item is saved as a string, several as a
/// list, as they were given.
#[derive(Debug, Clone, Default)]
pub struct HandoffInput {
    pub task: String,
    pub completed_work: Vec<String>,
    pub remaining_work: Vec<String>,
    pub notes: Option<String>,
}

/// The non-blank items, trimmed.
fn items(list: &[String]) -> Vec<&str> {
    list.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect()
}

/// One item as a string, several as a list, none as nothing.
fn items_value(list: &[&str]) -> Option<Value> {
    match list {
        [] => None,
        [one] => Some(Value::String((*one).to_string())),
        many => Some(Value::Array(
            many.iter()
                .map(|s| Value::String((*s).to_string()))
                .collect(),
        )),
    }
}

/// A snapshot with a short account of the session before it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ContextView {
    pub snapshot: ContextSnapshot,
    pub last_session: Option<SessionSummary>,
    /// Where the session stood, derived from the records (the seed's
    /// integration reads `lastTask`, `completedToday` and `nextSteps`).
    pub resume: ResumeFacts,
}

/// What a resuming agent asks first, derived at read time (never stored): the
/// task the snapshot was about (else the caller's newest work in progress),
/// what was finished today, and what to do next (the handoff's remaining work,
/// else the next ready tasks).
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct ResumeFacts {
    pub last_task: Option<TaskRef>,
    pub completed_today: Vec<TaskRef>,
    pub next_steps: Vec<String>,
}

/// At most this many tasks in `completedToday` and ready tasks in `nextSteps`.
const RESUME_ITEMS: usize = 5;

/// The previous snapshot, in brief.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SessionSummary {
    pub id: RecordId,
    pub kind: ContextKind,
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: String,
    pub task: Option<RecordId>,
    pub notes: Option<String>,
    pub checkpoint: Option<String>,
}

/// The largest free-form context accepted, as JSON bytes.
const CONTEXT_BYTES: usize = 256 * 1024;

impl Orchestron {
    pub fn save_context(&mut self, input: SaveContext) -> Result<ContextSnapshot> {
        self.write_snapshot(ContextKind::Snapshot, input)
    }

    /// Saves a handoff for the next session and notes it on the task.
    pub fn handoff(&mut self, input: HandoffInput) -> Result<ContextSnapshot> {
        let task = self.existing_task_id(&input.task)?;
        let done = items(&input.completed_work);
        let remaining = items(&input.remaining_work);
        if done.is_empty() && remaining.is_empty() {
            // A handoff that says neither is no help to the next session.
            return Err(Error::Invalid(
                "a handoff needs what was done or what remains (--done / --remaining, \
                 completedWork / remainingWork)"
                    .into(),
            ));
        }
        let mut context = Map::new();
        context.insert("taskId".into(), Value::String(task.to_string()));
        for (key, value) in [
            ("completedWork", items_value(&done)),
            ("remainingWork", items_value(&remaining)),
            (
                "notes",
                input
                    .notes
                    .as_ref()
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| Value::String(v.clone())),
            ),
        ] {
            if let Some(v) = value {
                context.insert(key.into(), v);
            }
        }
        let snapshot = self.write_snapshot(
            ContextKind::Handoff,
            SaveContext {
                context,
                notes: input.notes.clone(),
                checkpoint: None,
                task: Some(task.to_string()),
            },
        )?;
        let mut note = format!("Handoff {}", snapshot.id);
        if !done.is_empty() {
            note.push_str(&format!(". Done: {}", done.join("; ")));
        }
        if !remaining.is_empty() {
            note.push_str(&format!(". Remaining: {}", remaining.join("; ")));
        }
        let note: String = note.chars().take(Limits::ENTRY_CHARS).collect();
        self.update_task(
            task.as_str(),
            TaskPatch {
                notes: vec![note],
                ..TaskPatch::default()
            },
        )?;
        Ok(snapshot)
    }

    /// A snapshot that hides nothing saved before it: what the last session
    /// left (the latest snapshot's keys, and the latest handoff's when it is
    /// newer) carried forward under `input`'s own keys, about the task the
    /// caller holds when `input` names none. A hook's automatic checkpoint
    /// (before Claude Code compacts the conversation) is saved this way, so
    /// the next `context_get` still returns what the agent saved, in its shape.
    pub fn save_context_keeping(&mut self, mut input: SaveContext) -> Result<ContextSnapshot> {
        let snapshot = self.index.latest_context(ContextKind::Snapshot)?;
        let handoff = self.index.latest_context(ContextKind::Handoff)?;
        let newer_handoff = handoff.filter(|h| snapshot.as_ref().is_none_or(|s| h.at > s.at));
        let mut context = snapshot.map(|c| c.context).unwrap_or_default();
        if let Some(h) = newer_handoff {
            context.extend(h.context);
        }
        context.append(&mut input.context);
        input.context = context;
        if input.task.as_deref().is_none_or(|t| t.trim().is_empty()) {
            let me = self.actor().to_string();
            input.task = self
                .in_progress(Some(&me), 1)?
                .tasks
                .first()
                .map(|t| t.id.to_string());
        }
        self.write_snapshot(ContextKind::Snapshot, input)
    }

    fn write_snapshot(&mut self, kind: ContextKind, input: SaveContext) -> Result<ContextSnapshot> {
        let size = serde_json::to_vec(&input.context).map_or(0, |v| v.len());
        if size > CONTEXT_BYTES {
            return Err(Error::Invalid(format!(
                "context is {size} bytes of JSON, the limit is {CONTEXT_BYTES}"
            )));
        }
        let task = input
            .task
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|t| self.existing_task_id(t))
            .transpose()?;
        let git = crate::git::state_of(self.ws.project_dir());
        let lock = self.ws.lock()?;
        let snapshot = ContextSnapshot {
            id: self.new_id(IdKind::Context)?,
            kind,
            at: now_millis(),
            by: self.actor().to_string(),
            task,
            checkpoint: input.checkpoint.filter(|c| !c.trim().is_empty()),
            notes: input.notes.filter(|n| !n.trim().is_empty()),
            git,
            context: input.context,
        };
        snapshot.validate()?;
        let written = self.ws.create(&lock, &snapshot)?;
        self.index_written(written)?;
        Ok(snapshot)
    }

    /// The snapshot `id`, or the latest; `Ok(None)` when nothing is saved yet.
    pub fn context(&self, id: Option<&str>) -> Result<Option<ContextView>> {
        let all = self.index.contexts(0)?;
        let pos = match id {
            Some(input) => {
                let id = RecordId::parse(input)?;
                match all.iter().position(|c| c.id == id) {
                    Some(p) => p,
                    None => return Err(self.not_found("context", input)),
                }
            }
            None if all.is_empty() => return Ok(None),
            None => 0,
        };
        let last_session = all.get(pos + 1).map(|c| SessionSummary {
            id: c.id.clone(),
            kind: c.kind,
            at: c.at,
            by: c.by.clone(),
            task: c.task.clone(),
            notes: c.notes.clone(),
            checkpoint: c.checkpoint.clone(),
        });
        let Some(snapshot) = all.get(pos).cloned() else {
            return Ok(None);
        };
        let resume = self.resume_facts(&snapshot)?;
        Ok(Some(ContextView {
            snapshot,
            last_session,
            resume,
        }))
    }

    fn resume_facts(&self, snapshot: &ContextSnapshot) -> Result<ResumeFacts> {
        let task_ref = |t: crate::model::Task| TaskRef {
            id: t.id,
            title: t.title,
            status: t.status,
        };
        let last_task = match &snapshot.task {
            Some(id) => self.index.task(id)?.map(task_ref),
            None => self
                .in_progress(Some(self.actor()), 1)?
                .tasks
                .into_iter()
                .next()
                .map(task_ref),
        };
        let midnight = crate::api::insights::clock()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc());
        let mut completed_today = Vec::new();
        for step in self.index.status_steps()?.into_iter().rev() {
            if midnight.is_some_and(|m| step.at < m) {
                break;
            }
            if completed_today.len() == RESUME_ITEMS
                || completed_today.iter().any(|t: &TaskRef| t.id == step.id)
            {
                continue;
            }
            if let Some(t) = self.index.task(&step.id)?
                && t.status == crate::model::Status::Done
            {
                completed_today.push(task_ref(t));
            }
        }
        let remaining = snapshot.context.get("remainingWork");
        let mut next_steps: Vec<String> = match remaining {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        if next_steps.is_empty() {
            let ready = self.index.tasks(&crate::index::TaskQuery {
                ready: true,
                ready_for: Some(self.actor().to_string()),
                leaf: true,
                limit: RESUME_ITEMS,
                ..crate::index::TaskQuery::default()
            })?;
            next_steps = ready
                .tasks
                .into_iter()
                .map(|t| format!("{}: {}", t.id, t.title))
                .collect();
        }
        Ok(ResumeFacts {
            last_task,
            completed_today,
            next_steps,
        })
    }

    pub fn list_contexts(&self, limit: usize) -> Result<Vec<ContextSnapshot>> {
        Ok(self.index.contexts(limit)?)
    }
}
