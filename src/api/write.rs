//! The one write path of a task. Every use-case that changes a task file —
//! update, priority, depend, parent, criteria, labels, clarify, note, handoff,
//! claim, release, the board's move, an import's update — begins a
//! [`TaskWrite`], may do its own side work while it holds the locks, and
//! commits it. Read it top to bottom, as jj's `Transaction`:
//!
//! 1. **begin** ([`Orchestron::begin_write`]): the workspace lock (already
//!    held when the adapter refreshed under it: `refresh_then`,
//!    `open_to_write` — one hold for the refresh and the write), then the
//!    claim registry's lock (shared by every work tree of the clone), the
//!    registry read once, and the **claim check** — a write by anyone but the
//!    holder to a task held on a live lease is refused unless forced; a
//!    clarification or a note goes through and keeps the claim;
//! 2. **commit** ([`TaskWrite::commit`]): a fresh read of the file under the
//!    lock, the change, the override note when forced, the status stamp where
//!    git keeps no history, validation, one atomic lossless write;
//! 3. the written file into the **index** (its stamp and load come from the
//!    write — the load that checked the lossless edit — so nothing is
//!    stat'ed or parsed again) with its **change feed** row;
//! 4. the **claim registry** ([`TaskWrite::settle_claim`]): a holder's write
//!    renews the lease, a close, a hand-over or a forced write ends the claim
//!    (a forced one leaves a [`LostClaim`] for its holder to be told).

use super::lease::view_of;
use super::remote_claim::{RemoteState, remote_claim_of_other};
use super::{ClaimView, Error, Orchestron, Result, Updated};
use crate::model::{Entry, RecordId, Task, diff_fields};
use crate::store::{Claim, Claims, LostClaim, WorkspaceLock};
use chrono::{DateTime, Utc};

/// What a write is, for the claim check and the registry.
#[derive(Debug, Clone)]
pub(super) enum Intent {
    /// Changes the work (fields, links, handoff, release, board move):
    /// refused on a task another agent holds on a live lease unless forced.
    Change { force: bool },
    /// A clarification or note only: how others talk to the holder; goes
    /// through and the claim stays.
    Talk,
    /// A claim: the claim use-case decided under these locks who may take
    /// the task (with the remote's claims too); the write records the claim
    /// set by then.
    Claim(Option<Box<Claim>>),
}

/// A task write in progress: the locks held, the registry as read, what the
/// claim check decided. Dropping it without [`TaskWrite::commit`] writes
/// nothing.
pub(super) struct TaskWrite {
    id: RecordId,
    intent: Intent,
    /// Who writes (the actor).
    who: String,
    claims: Claims,
    /// The live claim of another that a forced write overrides.
    overridden: Option<Claim>,
    // Dropped last, in this order: registry, then workspace.
    registry_lock: WorkspaceLock,
    _lock: WorkspaceLock,
}

/// How long a lost claim is kept for `status` and `task show` to name.
const LOST_CLAIM_DAYS: i64 = 7;

impl Orchestron {
    /// Begins a write of task `id`: takes the locks, reads the registry and
    /// runs the claim check (see the module text).
    pub(super) fn begin_write(&self, id: &RecordId, intent: Intent) -> Result<TaskWrite> {
        let lock = self.ws.lock()?;
        self.refuse_archived(id)?;
        let registry = &self.claim_scope()?.registry;
        let registry_lock = registry.lock()?;
        let claims = registry.load()?;
        let who = self.actor().to_string();
        let Intent::Change { force } = intent else {
            return Ok(TaskWrite {
                id: id.clone(),
                intent,
                who,
                claims,
                overridden: None,
                registry_lock,
                _lock: lock,
            });
        };
        let remote = self.remote_state_cached()?;
        let now = self.clock().now();
        let overridden = held_by_other(&claims, remote.as_ref(), id, &who, now);
        if let (Some(c), false) = (&overridden, force) {
            return Err(Error::ClaimedByOther {
                id: id.to_string(),
                holder: self.claim_view_of(c, now)?.describe(),
            });
        }
        Ok(TaskWrite {
            id: id.clone(),
            intent,
            who,
            claims,
            overridden,
            registry_lock,
            _lock: lock,
        })
    }

    /// Begins and commits a write of task `id` in one go: the entry point
    /// for a use-case with no side work between the check and the write
    /// (an import's update of an existing task uses it too).
    pub(super) fn write_task(
        &mut self,
        id: &RecordId,
        intent: Intent,
        change: impl FnOnce(&Self, &mut Task) -> Result<()>,
    ) -> Result<Updated> {
        self.begin_write(id, intent)?.commit(self, change)
    }

    fn claim_view_of(&self, c: &Claim, now: DateTime<Utc>) -> Result<ClaimView> {
        Ok(view_of(c, &self.claim_scope()?.worktree, now))
    }
}

impl TaskWrite {
    /// The registry as this write read it (the claim use-case decides from it).
    pub(super) fn claims(&self) -> &Claims {
        &self.claims
    }

    /// Records `claim` when the write commits (the claim use-case, once it
    /// has decided).
    pub(super) fn set_intent(&mut self, intent: Intent) {
        self.intent = intent;
    }

    /// Forgets the remote hold of the claim on this task (released on the
    /// remote before the write, so that an unreachable remote changes nothing).
    pub(super) fn forget_remote_hold(&mut self) {
        if let Some(c) = self.claims.get_mut(self.id.as_str()) {
            c.remote = None;
        }
    }

    /// Reads the file fresh, applies `change`, validates and writes it, puts
    /// it in the index and the feed, and settles the claim.
    pub(super) fn commit(
        mut self,
        o: &mut Orchestron,
        change: impl FnOnce(&Orchestron, &mut Task) -> Result<()>,
    ) -> Result<Updated> {
        let id = self.id.clone();
        // Where git keeps the history, the status change itself is the record
        // (a one-line diff); elsewhere the moment is written into the file.
        let stamp = o.needs_status_stamps();
        let now = o.clock().now();
        let note = match &self.overridden {
            Some(c) => Some(override_note(&self.who, &o.claim_view_of(c, now)?, now)),
            None => None,
        };
        let modified =
            o.ws.modify(&self._lock, &id, |task: &mut Task| {
                let before = task.status;
                change(o, task)?;
                task.notes.extend(note);
                if stamp {
                    task.stamp_status_change(before, now);
                }
                Ok::<_, Error>(task.validate()?)
            })
            .map_err(|e| o.record_error("task", &id, e))?;
        if let Some(written) = modified.written {
            o.index_written(written)?;
        }
        let closed = modified.new.status.is_closed() && !modified.old.status.is_closed();
        let mut updated = Updated {
            changes: diff_fields(&modified.old, &modified.new),
            task: modified.new,
            warnings: Vec::new(),
        };
        self.settle_claim(o, &updated)?;
        if closed {
            updated
                .warnings
                .extend(o.open_children_warning(&updated.task)?);
        }
        Ok(updated)
    }

    /// The registry after the write: a claim taken is recorded; a close ends
    /// the claim and leaves the closed mark ([`Orchestron::record_closed_mark`],
    /// the one place a close is handled); a forced write ends the claim it
    /// overrode and keeps a [`LostClaim`] for its holder; a write by the
    /// holder renews the lease; a hand-over or leaving IN_PROGRESS ends the
    /// claim. Another work tree's files do not show its claim yet, so from
    /// here only a close (or force) ends it.
    fn settle_claim(&mut self, o: &Orchestron, updated: &Updated) -> Result<()> {
        let scope = o.claim_scope()?;
        let task = &updated.task;
        let key = task.id.as_str();
        if let Intent::Claim(claim) = &self.intent {
            if let Some(claim) = claim {
                self.claims.insert(key.to_string(), (**claim).clone());
                scope.registry.save(&self.registry_lock, &self.claims)?;
            }
            return Ok(());
        }
        // A close settles the claim itself (and reloads the registry).
        let closed = o.record_closed_mark(updated)?;
        if let Some(lost) = self.overridden.take() {
            if !closed {
                o.end_forced(key, &lost, &self.who)?;
                self.claims.remove(key);
                scope.registry.save(&self.registry_lock, &self.claims)?;
            }
            return o.record_lost_claim(&self.registry_lock, &task.id, lost, &self.who);
        }
        let Some(c) = self.claims.get(key).cloned().filter(|_| !closed) else {
            return Ok(());
        };
        let held = task.status == crate::model::Status::InProgress
            && task.assignee.as_deref() == Some(c.holder.as_str());
        let elsewhere = c.worktree != scope.worktree;
        if held && c.holder == self.who {
            let now = o.clock().now();
            let mut renewed = c.clone();
            renewed.expires = now + chrono::Duration::seconds(c.lease_secs.max(1));
            // The remote first: if it cannot be renewed there, the local
            // lease is not extended either, and the error says so.
            renewed.remote = o.renew_remote_claim(key, &c, now)?;
            self.claims.insert(key.to_string(), renewed);
            return Ok(scope.registry.save(&self.registry_lock, &self.claims)?);
        }
        if held || elsewhere {
            return Ok(());
        }
        self.end_claim(o, &c)
    }

    /// Ends the claim on this task: on the remote, then in the registry.
    fn end_claim(&mut self, o: &Orchestron, c: &Claim) -> Result<()> {
        if let Some(hold) = &c.remote {
            o.drop_remote_claim(self.id.as_str(), hold)?;
        }
        self.claims.remove(self.id.as_str());
        Ok(o.claim_scope()?
            .registry
            .save(&self.registry_lock, &self.claims)?)
    }
}

impl Orchestron {
    /// The claim check for writes that move files rather than edit them
    /// (archive, restore): refused while another agent holds one of `ids` on
    /// a live lease, unless `force` — then those claims end and their
    /// holders are told (the caller holds the workspace lock).
    pub(super) fn check_moves(&self, ids: &[RecordId], force: bool) -> Result<()> {
        let registry = &self.claim_scope()?.registry;
        let lock = registry.lock()?;
        let mut claims = registry.load()?;
        let who = self.actor().to_string();
        let remote = self.remote_state_cached()?;
        let now = self.clock().now();
        let mut ended = Vec::new();
        for id in ids {
            let Some(c) = held_by_other(&claims, remote.as_ref(), id, &who, now) else {
                continue;
            };
            if !force {
                return Err(Error::ClaimedByOther {
                    id: id.to_string(),
                    holder: self.claim_view_of(&c, now)?.describe(),
                });
            }
            ended.push((id.clone(), c));
        }
        for (id, c) in ended {
            self.end_forced(id.as_str(), &c, &who)?;
            claims.remove(id.as_str());
            registry.save(&lock, &claims)?;
            self.record_lost_claim(&lock, &id, c, &who)?;
        }
        Ok(())
    }

    /// Ends on the remote a claim `by`'s forced write overrides: its ref
    /// becomes an ended mark, which tells a holder in another clone.
    fn end_forced(&self, id: &str, lost: &Claim, by: &str) -> Result<()> {
        match &lost.remote {
            Some(hold) => self.push_ended_mark(id, hold, lost, by),
            None => Ok(()),
        }
    }

    /// Keeps `lost` for its holder to be told (and drops what is older than
    /// [`LOST_CLAIM_DAYS`]); the caller holds the registry lock.
    pub(super) fn record_lost_claim(
        &self,
        lock: &WorkspaceLock,
        id: &RecordId,
        lost: Claim,
        by: &str,
    ) -> Result<()> {
        let registry = &self.claim_scope()?.registry;
        let now = self.clock().now();
        let mut all = registry.lost()?;
        all.retain(|l| l.at > now - chrono::Duration::days(LOST_CLAIM_DAYS));
        all.push(LostClaim {
            task: id.to_string(),
            holder: lost.holder,
            by: by.to_string(),
            at: now,
            worktree: lost.worktree,
            branch: lost.branch,
            told: false,
        });
        Ok(registry.save_lost(lock, &all)?)
    }

    /// The claims of the caller that others' forced writes ended and that it
    /// has not been told of yet — and from now on it has (the MCP server asks
    /// after every tool call). Reads one small file; locks only to mark.
    pub fn take_lost_claims(&self) -> Result<Vec<ClaimLost>> {
        self.notice_remote_losses()?;
        let registry = &self.claim_scope()?.registry;
        let me = self.actor();
        if !registry.lost()?.iter().any(|l| l.holder == me && !l.told) {
            return Ok(Vec::new());
        }
        let lock = registry.lock()?;
        let mut all = registry.lost()?;
        let mut news = Vec::new();
        for l in all.iter_mut().filter(|l| l.holder == me && !l.told) {
            l.told = true;
            news.push(ClaimLost::of(l));
        }
        registry.save_lost(&lock, &all)?;
        Ok(news)
    }

    /// Every claim lost to a forced write in the last [`LOST_CLAIM_DAYS`]
    /// days, oldest first (`status`, `task show`).
    pub fn lost_claims(&self) -> Result<Vec<ClaimLost>> {
        self.notice_remote_losses()?;
        let since = self.clock().now() - chrono::Duration::days(LOST_CLAIM_DAYS);
        let all = self.claim_scope()?.registry.lost()?;
        Ok(all
            .iter()
            .filter(|l| l.at > since)
            .map(ClaimLost::of)
            .collect())
    }
}

/// The claim on `id` when someone other than `who` holds it on a live lease:
/// the one rule of what a claim guards (a stale claim guards nothing).
pub(super) fn live_claim_of_other<'a>(
    claims: &'a Claims,
    id: &RecordId,
    who: &str,
    now: DateTime<Utc>,
) -> Option<&'a Claim> {
    claims
        .get(id.as_str())
        .filter(|c| c.holder != who && c.expires > now)
}

/// The live claim of someone else than `who` that guards `id`: in this
/// clone's registry (every work tree), else — with `claims.remote` — in the
/// remote's claim refs as last fetched (at most 5 s old).
fn held_by_other(
    claims: &Claims,
    remote: Option<&RemoteState>,
    id: &RecordId,
    who: &str,
    now: DateTime<Utc>,
) -> Option<Claim> {
    live_claim_of_other(claims, id, who, now)
        .cloned()
        .or_else(|| remote_claim_of_other(claims, remote?, id.as_str(), who, now))
}

/// The note a forced write leaves on the task: who overrode whose claim.
fn override_note(by: &str, claim: &ClaimView, at: DateTime<Utc>) -> Entry {
    Entry {
        at,
        by: by.to_string(),
        text: format!("overrode the claim of {}", claim.describe()),
    }
}

/// A claim that ended because someone else forced a write over it, as the
/// views show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct ClaimLost {
    pub task: String,
    pub holder: String,
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

impl ClaimLost {
    /// How the views show a claim the registry keeps as lost.
    fn of(l: &LostClaim) -> Self {
        ClaimLost {
            task: l.task.clone(),
            holder: l.holder.clone(),
            by: l.by.clone(),
            at: l.at,
            branch: l.branch.clone(),
        }
    }
}

impl ClaimLost {
    /// "alice's claim on TASK-x ended: bob forced a write at …".
    pub fn describe(&self) -> String {
        format!(
            "{}'s claim on {} ended: {} forced a write at {}",
            self.holder,
            self.task,
            self.by,
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )
    }
}
