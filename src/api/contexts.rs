//! Context snapshots and handoffs: save, show, list. Show by default is what
//! the last session left, whole (docs/MCP.md, "Resume"): the latest snapshot's
//! keys exactly as the agent saved them, plus the latest handoff when it is
//! newer, with the resume keys agents' scripts read (`lastTask` an id,
//! `completedToday`, `nextSteps`) derived where the agent saved none. Snapshot files are append-only: written once, never rewritten.

use super::write::Intent;
use super::{Error, Orchestron, Result};
use crate::model::TaskRef;
use crate::model::{ContextKind, ContextSnapshot, IdKind, Limits, RecordId};
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
    /// Hand off a task another agent holds on a live lease (its claim ends,
    /// and it is told).
    pub force: bool,
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

/// What a session left: a context record, the latest handoff when it is
/// newer, and a short account of the session before it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ContextView {
    /// The latest snapshot the agent saved (else the latest handoff), or the
    /// record asked for by id.
    pub snapshot: ContextSnapshot,
    /// The latest handoff, when it is newer than `snapshot` (latest only): a
    /// later record of another kind never hides what an agent saved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handoff: Option<ContextSnapshot>,
    pub last_session: Option<SessionSummary>,
    /// Where the session stood, derived from the records (agents resuming
    /// read `lastTask`, `completedToday` and `nextSteps`, docs/MCP.md "Resume").
    pub resume: ResumeFacts,
}

impl ContextView {
    /// The saved keys as the next session reads them: the snapshot's exactly
    /// as saved, then the newer handoff's keys it does not have.
    pub fn saved_keys(&self) -> Map<String, Value> {
        let mut m = self.snapshot.context.clone();
        if let Some(h) = &self.handoff {
            for (k, v) in &h.context {
                m.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        m
    }
}

/// What a resuming agent asks first, derived at read time (never stored).
/// The resume keys in the types agents' scripts expect (docs/MCP.md,
/// "Resume") — `last_task` an id, the other two lists of strings — fill in
/// what the agent did not save; the richer
/// derived data has names of its own.
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct ResumeFacts {
    /// The task the session was about: the newer handoff's, else the
    /// snapshot's, else the caller's newest work in progress.
    pub last_task: Option<RecordId>,
    /// The handoff's completed work, else the tasks finished today.
    pub completed_today: Vec<String>,
    /// The handoff's remaining work, else the next ready tasks.
    pub next_steps: Vec<String>,
    /// `last_task` with its title and status.
    pub task: Option<TaskRef>,
    /// The tasks finished today.
    pub done_today: Vec<TaskRef>,
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

/// A handoff's work items as strings (one text or a list).
fn string_items(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
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
        // The claim check comes before the snapshot: a refused handoff
        // leaves nothing behind.
        let write = self.begin_write(&task, Intent::Change { force: input.force })?;
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
        let entry = self.entry("note", &note)?;
        write.commit(self, |_, t| {
            t.notes.push(entry);
            Ok(())
        })?;
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
            at: self.clock().now_millis(),
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

    /// The snapshot `id`, or what the last session left: the latest snapshot
    /// with the latest handoff when that is newer (the handoff alone when no
    /// snapshot was saved). `Ok(None)` when nothing is saved yet.
    pub fn context(&self, id: Option<&str>) -> Result<Option<ContextView>> {
        let all = self.index.contexts(0)?;
        let newest = |kind: ContextKind| all.iter().position(|c| c.kind == kind);
        let (pos, handoff) = match id {
            Some(input) => {
                let id = RecordId::parse(input)?;
                match all.iter().position(|c| c.id == id) {
                    Some(p) => (p, None),
                    None => return Err(self.not_found("context", input)),
                }
            }
            None => match (newest(ContextKind::Snapshot), newest(ContextKind::Handoff)) {
                (Some(s), Some(h)) if h < s => (s, all.get(h).cloned()),
                (Some(s), _) => (s, None),
                (None, Some(h)) => (h, None),
                (None, None) => return Ok(None),
            },
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
        let resume = self.resume_facts(&snapshot, handoff.as_ref())?;
        Ok(Some(ContextView {
            snapshot,
            handoff,
            last_session,
            resume,
        }))
    }

    fn resume_facts(
        &self,
        snapshot: &ContextSnapshot,
        handoff: Option<&ContextSnapshot>,
    ) -> Result<ResumeFacts> {
        let task_ref = |t: crate::model::Task| TaskRef {
            id: t.id,
            title: t.title,
            status: t.status,
        };
        let about = handoff
            .and_then(|h| h.task.as_ref())
            .or(snapshot.task.as_ref());
        let task = match about {
            Some(id) => self.index.task(id)?.map(task_ref),
            None => self
                .in_progress(Some(self.actor()), 1)?
                .tasks
                .into_iter()
                .next()
                .map(task_ref),
        };
        let last_task = about
            .cloned()
            .or_else(|| task.as_ref().map(|t| t.id.clone()));
        let done_today = self.done_today()?;
        // The handoff says what was done and what remains, in the agent's words.
        let words = handoff.unwrap_or(snapshot);
        let completed_today = match string_items(words.context.get("completedWork")) {
            done if !done.is_empty() => done,
            _ => done_today
                .iter()
                .map(|t| format!("{}: {}", t.id, t.title))
                .collect(),
        };
        let mut next_steps = string_items(words.context.get("remainingWork"));
        if next_steps.is_empty() {
            let who = self.actor().to_string();
            let (held_elsewhere, ready_anyway) = self.readiness_here(&who)?;
            let ready = self.index.tasks(&crate::model::TaskQuery {
                ready: true,
                ready_for: Some(who),
                held_elsewhere,
                ready_anyway,
                leaf: true,
                limit: RESUME_ITEMS,
                ..crate::model::TaskQuery::default()
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
            task,
            done_today,
        })
    }

    /// The tasks moved to DONE since midnight (UTC), newest first.
    fn done_today(&self) -> Result<Vec<TaskRef>> {
        let midnight = self
            .clock()
            .now()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc());
        let mut out: Vec<TaskRef> = Vec::new();
        for step in self.index.status_steps()?.into_iter().rev() {
            if midnight.is_some_and(|m| step.at < m) {
                break;
            }
            if out.len() == RESUME_ITEMS || out.iter().any(|t| t.id == step.id) {
                continue;
            }
            if let Some(t) = self.index.task(&step.id)?
                && t.status == crate::model::Status::Done
            {
                out.push(TaskRef {
                    id: t.id,
                    title: t.title,
                    status: t.status,
                });
            }
        }
        Ok(out)
    }

    pub fn list_contexts(&self, limit: usize) -> Result<Vec<ContextSnapshot>> {
        Ok(self.index.contexts(limit)?)
    }
}
