//! `orchestron prime`: what an agent needs in front of it at the start of a
//! session or right after its conversation was compacted, in a bounded size
//! whatever the backlog: who it is, the tasks it holds (the first with its
//! newest clarifications), the latest handoff, what changed since it last
//! checked (a digest; nothing is marked seen), what is ready next, and whether
//! a handoff is due. Hooks run it (the Claude Code plugin's SessionStart, a
//! Stop reminder), so it reads and never writes. Whether the project has the
//! MCP server configured decides which house rules the CLI prints.

use super::{Digest, Orchestron, Result};
use crate::model::TaskRef;
use crate::model::{ContextKind, ContextSnapshot, Entry, RecordId, Status, short};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// At most this many held tasks, ready tasks, handoff items and
/// clarifications are listed; the rest are counted.
const HELD_SHOWN: usize = 3;
const READY_SHOWN: usize = 3;
const ITEMS_SHOWN: usize = 3;
const CLARIFICATIONS_SHOWN: usize = 2;
/// The digest of updates: the newest few in full, a few groups.
const UPDATES_DETAIL: usize = 2;
const UPDATES_GROUPS: usize = 2;
/// Longest text kept from a clarification, a handoff item or its notes.
const TEXT_CHARS: usize = 80;

/// What `orchestron prime` tells an agent.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Prime {
    /// Who the agent is here (as `by` and `assignee` record it).
    pub agent: String,
    /// The MCP server is registered for this project (or the caller said so).
    pub mcp: bool,
    /// Tasks in progress assigned to the agent, first the one it most likely
    /// works on (priority order), with the newest clarifications.
    pub holding: Vec<HeldWork>,
    /// How many more it holds than `holding` lists.
    pub holding_more: usize,
    /// The newest handoff (by anyone).
    pub handoff: Option<HandoffBrief>,
    /// What changed since the agent's last `check_updates` / `updates`.
    pub updates: Digest,
    /// What it could take next, best first.
    pub ready: Vec<TaskRef>,
    /// Held tasks the agent wrote to since their latest handoff (or that never
    /// had one): the session should hand them off before it ends.
    pub handoff_due: Vec<RecordId>,
}

/// A task the agent holds.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HeldWork {
    pub id: RecordId,
    pub title: String,
    pub progress: u8,
    /// Acceptance criteria not yet done, of `criteria`.
    pub criteria_open: usize,
    pub criteria: usize,
    /// The newest clarifications (texts shortened), oldest first; only for
    /// the first task held.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clarifications: Vec<Entry>,
}

/// The newest handoff, in brief.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HandoffBrief {
    pub id: RecordId,
    pub at: DateTime<Utc>,
    pub by: String,
    pub task: Option<RecordId>,
    pub done: Vec<String>,
    pub remaining: Vec<String>,
    /// How many items of `done` / `remaining` were left out.
    pub more: usize,
    pub notes: Option<String>,
}

impl Orchestron {
    /// What the caller needs to start (or resume) a session. `mcp` says the
    /// MCP server is configured when the caller knows it (a plugin's hook);
    /// otherwise the project's client configs are read.
    pub fn prime(&self, mcp: Option<bool>) -> Result<Prime> {
        let me = self.actor().to_string();
        let page = self.in_progress(Some(&me), HELD_SHOWN)?;
        let holding_more = page.total.saturating_sub(page.tasks.len());
        let mut holding = Vec::new();
        for (i, t) in page.tasks.iter().enumerate() {
            let mut clarifications = Vec::new();
            if i == 0 {
                let from = t.clarifications.len().saturating_sub(CLARIFICATIONS_SHOWN);
                clarifications = t.clarifications[from..]
                    .iter()
                    .map(|e| Entry {
                        text: short(&e.text, TEXT_CHARS),
                        ..e.clone()
                    })
                    .collect();
            }
            holding.push(HeldWork {
                id: t.id.clone(),
                title: t.title.clone(),
                progress: t.progress,
                criteria_open: t.acceptance_criteria.iter().filter(|c| !c.done).count(),
                criteria: t.acceptance_criteria.len(),
                clarifications,
            });
        }
        let mut handoff_due = Vec::new();
        for t in &page.tasks {
            if self.handoff_due(&t.id, &me)? {
                handoff_due.push(t.id.clone());
            }
        }
        let not_ready = self.readiness_here(&me)?;
        let ready = self
            .ready_among(&me, not_ready, READY_SHOWN + page.tasks.len())?
            .into_iter()
            .filter(|t| t.status != Status::InProgress)
            .take(READY_SHOWN)
            .map(|t| TaskRef {
                id: t.id,
                title: t.title,
                status: t.status,
            })
            .collect();
        let handoff = self
            .index
            .latest_context(ContextKind::Handoff)?
            .map(|c| brief(&c));
        let mcp = match mcp {
            Some(m) => m,
            None => super::mcp_clients::registered_anywhere(self.ws.project_dir()),
        };
        Ok(Prime {
            agent: me,
            mcp,
            holding,
            holding_more,
            handoff,
            updates: self.pending_updates(UPDATES_DETAIL, UPDATES_GROUPS)?,
            ready,
            handoff_due,
        })
    }

    /// True when `who` changed task `id` after its latest handoff (a
    /// handoff's own note on the task is one change at or after it), or
    /// changed it and never handed it off.
    fn handoff_due(&self, id: &RecordId, who: &str) -> Result<bool> {
        let writes = self.index.task_changes_by(id, who)?;
        Ok(match self.index.latest_handoff_for(id)? {
            None => !writes.is_empty(),
            Some(h) => writes.iter().filter(|at| **at >= h.at).count() > 1,
        })
    }
}

fn brief(c: &ContextSnapshot) -> HandoffBrief {
    let list = |key: &str| -> Vec<String> {
        match c.context.get(key) {
            Some(Value::String(s)) => vec![short(s, TEXT_CHARS)],
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => short(s, TEXT_CHARS),
                    other => short(&other.to_string(), TEXT_CHARS),
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    let (mut done, mut remaining) = (list("completedWork"), list("remainingWork"));
    let more = done.len().saturating_sub(ITEMS_SHOWN) + remaining.len().saturating_sub(ITEMS_SHOWN);
    done.truncate(ITEMS_SHOWN);
    remaining.truncate(ITEMS_SHOWN);
    HandoffBrief {
        id: c.id.clone(),
        at: c.at,
        by: c.by.clone(),
        task: c.task.clone(),
        done,
        remaining,
        more,
        notes: c.notes.as_deref().map(|n| short(n, TEXT_CHARS)),
    }
}
