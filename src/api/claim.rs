//! Claiming work: `task claim` / `orchestron_task_claim` take a task atomically
//! and `task release` gives it back; `task next` names the task to do next in
//! the one order shared with `task list`. The pick and the take happen under
//! the workspace lock and the claim registry's lock (see [`super::lease`]), so
//! concurrent claimers — in one work tree or in several — each get a different
//! task or "nothing ready", never both the same one. A task closed in another
//! work tree or clone is never handed out (see [`super::closed_mark`]).

use super::closed_mark::closed_error;
use super::lease::held_error;
use super::remote_claim::RemoteState;
use super::write::{Intent, live_claim_of_other};
use super::{Error, Orchestron, Result, Updated};
use crate::model::TaskQuery;
use crate::model::{Entry, RecordId, Status, Task};
use crate::store::{Claim, Claims, RemoteHold};
use chrono::{DateTime, Utc};

/// What a claim decided to take: the registry entry, the remote ref it
/// pushed (given back should the file refuse), and the takeover note with
/// the expired holder's name.
struct Taken {
    claim: Claim,
    pushed: Option<RemoteHold>,
    note: Option<(String, Entry)>,
}

/// The registry with the remote's claims joined in, when `claims.remote` is set.
fn merged_view(local: &Claims, remote: Option<&RemoteState>, now: DateTime<Utc>) -> Claims {
    match remote {
        Some(r) => super::remote_claim::merged(local, r, now),
        None => local.clone(),
    }
}

/// The file's own refusals of a claim: a closed task, or one the file says
/// another agent is working on (unless that is the expired holder).
fn claimable(task: &Task, who: &str, expired_holder: Option<&str>) -> Result<()> {
    if task.status.is_closed() {
        return Err(Error::Refused(format!(
            "{} is {}: nothing to claim",
            task.id, task.status
        )));
    }
    if let Some(holder) = held_by_other(task, who)
        && expired_holder != Some(holder.as_str())
    {
        return Err(Error::Held {
            id: task.id.to_string(),
            holder,
        });
    }
    Ok(())
}

/// How to claim.
#[derive(Debug, Clone, Default)]
pub struct ClaimOptions {
    /// The lease (`90s`, `30m`, `2h`); default `claims.lease` or 2h.
    pub lease: Option<String>,
    /// Claim even though dependencies are still open.
    pub force: bool,
}

impl Orchestron {
    /// Takes `id` (or the best ready task) for `assignee` (default: the caller)
    /// with the default lease. See [`Orchestron::claim_with`].
    pub fn claim(&mut self, id: Option<&str>, assignee: Option<&str>) -> Result<Option<Updated>> {
        self.claim_with(id, assignee, &ClaimOptions::default())
    }

    /// Takes `id` (or the best ready leaf task) for `assignee` (default: the
    /// caller): assigns it, moves it to IN_PROGRESS and holds it for a lease.
    /// Claiming a task one already holds renews the lease. Refuses a task
    /// another agent holds on a live lease; takes over one whose lease has
    /// expired (noting the old holder on the task); refuses a task whose
    /// dependencies are open unless `force`. `Ok(None)` when no task is ready.
    pub fn claim_with(
        &mut self,
        id: Option<&str>,
        assignee: Option<&str>,
        opts: &ClaimOptions,
    ) -> Result<Option<Updated>> {
        let who = match assignee {
            Some(a) => self.ws.config.actor_name(a.trim()),
            None => self.actor().to_string(),
        };
        let lease = self.lease_length(opts.lease.as_deref())?;
        // Pick and take under one lock, on an index refreshed inside it: a
        // concurrent claimer either sees this claim or waits for it, so it
        // picks another task instead of losing a race to "held by". The
        // registry lock (shared by every work tree of the clone) comes second
        // and is held from the pick to the write.
        let _lock = self.locked_fresh()?;
        let _registry = self.claim_scope()?.registry.lock()?;
        // With `claims.remote`, another clone may win the remote ref between
        // our read and our push: then read again and pick again (a named
        // task is then held by the winner).
        for _ in 0..MAX_REMOTE_ATTEMPTS {
            let remote = self.remote_state()?;
            let closed = self.closed_elsewhere(remote.as_ref())?;
            let id = match id {
                Some(id) => self.existing_task_id(id)?,
                None => {
                    let view = merged_view(&self.claims()?, remote.as_ref(), self.clock().now());
                    let not_ready = self.readiness_with(&who, &view, &closed);
                    match self.next_ready_among(&who, not_ready)? {
                        Some(t) => t.id,
                        None => return Ok(None),
                    }
                }
            };
            if let Some(mark) = closed.get(id.as_str()).filter(|_| !opts.force) {
                return Err(closed_error(&id, mark));
            }
            let mut write = self.begin_write(&id, Intent::Claim(None))?;
            let Some(taken) = self.take(&id, &who, lease, opts, write.claims(), remote.as_ref())?
            else {
                continue;
            };
            let Taken {
                claim,
                pushed,
                note,
            } = taken;
            write.set_intent(Intent::Claim(Some(Box::new(claim))));
            let expired_holder = note.as_ref().map(|(holder, _)| holder.clone());
            let written = write.commit(self, |_, task| {
                claimable(task, &who, expired_holder.as_deref())?;
                task.assignee = Some(who.clone());
                task.status = Status::InProgress;
                task.notes.extend(note.map(|(_, n)| n));
                Ok(())
            });
            if written.is_err()
                && let Some(h) = &pushed
            {
                // The file refused the claim: give the remote ref back
                // (the refusal is what the caller must see).
                let _ = self.drop_remote_claim(id.as_str(), h);
            }
            return written.map(Some);
        }
        Err(Error::Held {
            id: id.unwrap_or("the next ready task").to_string(),
            holder: "another clone (it kept winning the claim ref on the remote)".into(),
        })
    }

    /// Decides whether `who` may take `id` (on the registry `view`, the
    /// remote's claims joined in) and takes the remote ref when one is set.
    /// `Ok(None)` when another clone won the ref first: read again.
    fn take(
        &self,
        id: &RecordId,
        who: &str,
        lease: chrono::Duration,
        opts: &ClaimOptions,
        local: &Claims,
        remote: Option<&RemoteState>,
    ) -> Result<Option<Taken>> {
        let now = self.clock().now();
        let view = merged_view(local, remote, now);
        let view = &view;
        if let Some(c) = live_claim_of_other(view, id, who, now) {
            let here = &self.claim_scope()?.worktree;
            return Err(held_error(id, &super::lease::view_of(c, here, now)));
        }
        let expired = view.get(id.as_str()).filter(|c| c.holder != who);
        if !opts.force {
            self.refuse_open_dependencies(id)?;
        }
        let mine = local.get(id.as_str()).filter(|c| c.holder == who);
        let mut claim = Claim {
            holder: who.to_string(),
            worktree: self.claim_scope()?.worktree.clone(),
            branch: self.current_branch(),
            since: mine.map_or(now, |c| c.since),
            expires: now + lease,
            lease_secs: lease.num_seconds(),
            remote: None,
        };
        let mut pushed = None;
        if let Some(r) = remote {
            let on_remote = r.get(id.as_str());
            let held = mine
                .and_then(|c| c.remote.clone())
                .filter(|h| on_remote.is_some_and(|e| e.sha == h.sha));
            match held {
                Some(h) if !super::remote_claim::renewal_due(&h, claim.lease_secs, now) => {
                    claim.remote = Some(h);
                }
                _ => {
                    let expected = on_remote.map(|e| e.sha.as_str());
                    let Some(h) = self.push_remote_claim(id.as_str(), expected, &claim)? else {
                        return Ok(None);
                    };
                    pushed = Some(h.clone());
                    claim.remote = Some(h);
                }
            }
        }
        let note = expired.map(|c| {
            let text = format!(
                "took over the claim from {}, whose lease expired {}",
                c.holder,
                c.expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            let entry = Entry {
                at: now,
                by: who.to_string(),
                text,
            };
            (c.holder.clone(), entry)
        });
        Ok(Some(Taken {
            claim,
            pushed,
            note,
        }))
    }

    /// Gives `id` back: TODO, unassigned, its claim forgotten. Only its
    /// holder releases a task, unless `force` (then the holder is told).
    pub fn release(&mut self, id: &str, force: bool) -> Result<Updated> {
        let id = self.existing_task_id(id)?;
        let who = self.actor().to_string();
        let _lock = self.locked_fresh()?;
        let mut write = self.begin_write(&id, Intent::Change { force })?;
        // The remote ref goes first: an unreachable remote leaves everything
        // as it was, to be retried.
        if let Some(hold) = write
            .claims()
            .get(id.as_str())
            .and_then(|c| c.remote.clone())
        {
            self.drop_remote_claim(id.as_str(), &hold)?;
            write.forget_remote_hold();
        }
        write.commit(self, |_, task| {
            if let Some(holder) = held_by_other(task, &who)
                && !force
            {
                return Err(Error::Held {
                    id: task.id.to_string(),
                    holder,
                });
            }
            if task.status == Status::InProgress {
                task.status = Status::Todo;
            }
            if force || task.assignee.as_deref() == Some(who.as_str()) {
                task.assignee = None;
            }
            Ok(())
        })
    }

    /// The task the caller should do next: ready leaf work, in the one order
    /// shared by claim and list (priority, then what it unblocks, then age).
    pub fn next_task(&self) -> Result<Option<Task>> {
        let who = self.actor().to_string();
        let not_ready = self.readiness_here(&who)?;
        self.next_ready_among(&who, not_ready)
    }

    fn next_ready_among(
        &self,
        who: &str,
        not_ready: (Vec<RecordId>, Vec<RecordId>),
    ) -> Result<Option<Task>> {
        Ok(self.ready_among(who, not_ready, 1)?.into_iter().next())
    }

    /// The first `n` tasks `who` could take, in the order of
    /// [`Self::next_task`]; `not_ready` is [`Orchestron::readiness_here`]'s.
    pub(super) fn ready_among(
        &self,
        who: &str,
        (held_elsewhere, ready_anyway): (Vec<RecordId>, Vec<RecordId>),
        n: usize,
    ) -> Result<Vec<Task>> {
        let stale: std::collections::HashSet<String> =
            ready_anyway.iter().map(|i| i.to_string()).collect();
        let page = self.index.tasks(&TaskQuery {
            ready: true,
            ready_for: Some(who.to_string()),
            ready_anyway,
            held_elsewhere,
            leaf: true,
            limit: 50,
            ..TaskQuery::default()
        })?;
        Ok(page
            .tasks
            .into_iter()
            .filter(|t| held_by_other(t, who).is_none_or(|_| stale.contains(t.id.as_str())))
            .take(n)
            .collect())
    }

    /// A claim waits for the task's dependencies: refused while one is open.
    fn refuse_open_dependencies(&self, id: &RecordId) -> Result<()> {
        let Some(task) = self.index.task(id)? else {
            return Ok(());
        };
        let mut open = Vec::new();
        for d in &task.depends_on {
            match self.index.task(d)? {
                Some(t) if t.status.is_closed() => {}
                Some(t) => open.push(format!("{} ({})", t.id, t.status)),
                None => open.push(format!("{d} (missing)")),
            }
        }
        if open.is_empty() {
            return Ok(());
        }
        Err(Error::Blocked {
            id: id.to_string(),
            open: open.join(", "),
        })
    }
}

/// How often a claim reads the remote again after another clone won the
/// ref it meant to push.
const MAX_REMOTE_ATTEMPTS: u32 = 5;

/// The holder's name when `task` is IN_PROGRESS and assigned to someone else.
pub(super) fn held_by_other(task: &Task, who: &str) -> Option<String> {
    match &task.assignee {
        Some(a) if task.status == Status::InProgress && a != who => Some(a.clone()),
        _ => None,
    }
}
