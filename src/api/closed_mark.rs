//! "Closed elsewhere": a task closed (DONE or CANCELLED) in one work tree stays
//! open in the files of the clone's other work trees — and of other clones —
//! until they merge. So a close leaves a short-lived mark in the claim registry
//! (shared by the clone's work trees) and, with `claims.remote`, on the task's
//! claim ref; wherever the files still show the task open, the mark keeps it
//! out of `task next`, the ready list, the resume prompt and the board, and a
//! claim of it is refused naming where, when and by whom it was closed. A work
//! tree whose own files show the close ignores the mark; it lapses after
//! `claims.closed_mark` (1d); reopening the task lifts it.

use super::remote_claim::RemoteState;
use super::{Error, Orchestron, Result, Updated};
use crate::model::{LEASE_FORMAT, RecordId, Status, parse_lease};
use crate::store::{ClosedMark, ClosedMarks};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// How long a close is remembered when `claims.closed_mark` does not say.
pub(super) const DEFAULT_CLOSED_MARK: &str = "1d";

/// A close made in another work tree or clone that this work tree's files do
/// not show yet.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ClosedElsewhere {
    /// The status it was closed with (DONE or CANCELLED).
    pub status: String,
    pub by: String,
    pub at: DateTime<Utc>,
    /// The work tree it was closed in (on its own machine when `remote`).
    pub worktree: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Seen on `claims.remote`: closed in another clone.
    pub remote: bool,
}

impl ClosedElsewhere {
    /// "DONE by alice at 2026-…Z in worktree /src/p (branch feat)".
    pub fn describe(&self) -> String {
        let at = self.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let place = if self.remote {
            "another clone's worktree"
        } else {
            "worktree"
        };
        let branch = self
            .branch
            .as_ref()
            .map_or(String::new(), |b| format!(" (branch {b})"));
        format!(
            "{} by {} at {at} in {place} {}{branch}",
            self.status, self.by, self.worktree
        )
    }

    fn of(mark: &ClosedMark, remote: bool) -> Self {
        ClosedElsewhere {
            status: mark.status.clone(),
            by: mark.by.clone(),
            at: mark.at,
            worktree: mark.worktree.display().to_string(),
            branch: mark.branch.clone(),
            remote,
        }
    }
}

impl Orchestron {
    /// How long a closed mark lasts: `claims.closed_mark`, else 1d.
    pub(super) fn closed_mark_length(&self) -> Result<chrono::Duration> {
        if let Some(e) = self.ws.claims_config_error("closed_mark") {
            return Err(e.into());
        }
        let text = self
            .ws
            .config
            .claims
            .closed_mark
            .as_deref()
            .unwrap_or(DEFAULT_CLOSED_MARK);
        parse_lease(text).ok_or_else(|| {
            Error::Invalid(format!(
                "invalid claims.closed_mark {text:?} in config.yaml: expected {LEASE_FORMAT}"
            ))
        })
    }

    /// What a task write does to the closed mark — the one place a mark is
    /// recorded. A close (the task is DONE or CANCELLED and either the write
    /// closed it or a claim on it is left) ends the claim and leaves the mark
    /// in the registry and, with `claims.remote`, on the task's claim ref; a
    /// reopen lifts it. `true` when the write was a close: the claim is then
    /// settled and nothing else is left to do for it.
    pub(super) fn record_closed_mark(&self, updated: &Updated) -> Result<bool> {
        let task = &updated.task;
        let status_change = updated.changes.iter().find(|c| c.field == "status");
        let scope = self.claim_scope()?;
        let key = task.id.as_str();
        if !task.status.is_closed() {
            let reopened = status_change
                .and_then(|c| c.old.as_str())
                .and_then(|s| s.parse::<Status>().ok())
                .is_some_and(Status::is_closed);
            if reopened {
                self.lift_closed_mark(key)?;
            }
            return Ok(false);
        }
        let claims = scope.registry.load()?;
        if status_change.is_none() && !claims.contains_key(key) {
            return Ok(false);
        }
        let now = self.clock().now();
        let mark = ClosedMark {
            status: task.status.as_str().to_string(),
            by: self.actor().to_string(),
            worktree: scope.worktree.clone(),
            branch: self.current_branch(),
            at: now,
            until: now + self.closed_mark_length()?,
        };
        let lock = scope.registry.lock()?;
        let mut claims = scope.registry.load()?;
        let ended = claims.get(key).and_then(|c| c.remote.clone());
        let mut marks = scope.registry.load_closed()?;
        marks.retain(|_, m| m.until > now);
        marks.insert(key.to_string(), mark.clone());
        scope.registry.save_closed(&lock, &marks)?;
        // The remote before the claim goes: when it cannot be reached the
        // local claim stays, and running the close again pushes the mark.
        if self.claims_remote().is_some() {
            self.push_closed_mark(key, ended.as_ref(), &mark)?;
        }
        if claims.remove(key).is_some() {
            scope.registry.save(&lock, &claims)?;
        }
        Ok(true)
    }

    /// A reopened task is open work again everywhere: its mark goes.
    fn lift_closed_mark(&self, key: &str) -> Result<()> {
        let scope = self.claim_scope()?;
        if self.claims_remote().is_some() {
            self.drop_remote_closed_mark(key)?;
        }
        if !scope.registry.load_closed()?.contains_key(key) {
            return Ok(());
        }
        let lock = scope.registry.lock()?;
        let mut marks = scope.registry.load_closed()?;
        if marks.remove(key).is_some() {
            scope.registry.save_closed(&lock, &marks)?;
        }
        Ok(())
    }

    /// The live closed marks — the registry's and, given the remote's claim
    /// refs, the remote's — of tasks this work tree's files still show open,
    /// by task id.
    pub(super) fn closed_elsewhere(
        &self,
        remote: Option<&RemoteState>,
    ) -> Result<BTreeMap<String, ClosedElsewhere>> {
        let now = self.clock().now();
        let mut marks: BTreeMap<String, ClosedElsewhere> = BTreeMap::new();
        let local: ClosedMarks = self.claim_scope()?.registry.load_closed()?;
        for (id, m) in local.iter().filter(|(_, m)| m.until > now) {
            marks.insert(id.clone(), ClosedElsewhere::of(m, false));
        }
        if let Some(state) = remote {
            for (id, m) in super::remote_claim::closed_marks(state) {
                if m.until > now {
                    marks
                        .entry(id)
                        .or_insert_with(|| ClosedElsewhere::of(&m, true));
                }
            }
        }
        let mut out = BTreeMap::new();
        for (id, mark) in marks {
            let Ok(rid) = RecordId::parse(&id) else {
                continue;
            };
            if self
                .index
                .task(&rid)?
                .is_some_and(|t| !t.status.is_closed())
            {
                out.insert(id, mark);
            }
        }
        Ok(out)
    }
}

/// A claim of a task closed elsewhere: refused, naming the close.
pub(super) fn closed_error(id: &RecordId, mark: &ClosedElsewhere) -> Error {
    Error::ClosedElsewhere {
        id: id.to_string(),
        closed: mark.describe(),
    }
}
