//! Context snapshots and handoffs: what an agent knew at a moment, for the next
//! session. They are append-only: written once, never rewritten.

use super::{Limits, ModelError, RecordId};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A plain snapshot saved at a milestone, or a handoff left at a session's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContextKind {
    Snapshot,
    Handoff,
}

impl ContextKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContextKind::Snapshot => "snapshot",
            ContextKind::Handoff => "handoff",
        }
    }
}

/// The git state a snapshot refers to, so the next session knows which code the
/// words describe. Absent when the workspace is not in a git repository.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct GitState {
    /// The checked-out branch; `None` on a detached HEAD.
    #[serde(default)]
    pub branch: Option<String>,
    /// The HEAD commit id; `None` on an unborn branch.
    #[serde(default)]
    pub head: Option<String>,
    /// Paths changed but not committed, relative to the repository root.
    #[serde(default)]
    pub dirty: Vec<String>,
}

/// One saved context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ContextSnapshot {
    pub id: RecordId,
    pub kind: ContextKind,
    pub at: DateTime<Utc>,
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitState>,
    /// The caller's own free-form keys, returned at top level by `context_get`.
    #[serde(default)]
    pub context: serde_json::Map<String, serde_json::Value>,
}

impl ContextSnapshot {
    pub const KEYS: &'static [&'static str] = &[
        "id",
        "kind",
        "at",
        "by",
        "task",
        "checkpoint",
        "notes",
        "git",
        "context",
    ];

    pub fn validate(&self) -> Result<(), ModelError> {
        Limits::check_line("by", &self.by, Limits::NAME_CHARS)?;
        if let Some(n) = &self.notes {
            Limits::check_text("notes", n, Limits::DESCRIPTION_CHARS)?;
        }
        if let Some(c) = &self.checkpoint {
            Limits::check_text("checkpoint", c, Limits::ENTRY_CHARS)?;
        }
        Ok(())
    }
}
