//! Claiming work: `task claim` / `orchestron_task_claim` take a task atomically
//! and `task release` gives it back; `task next` names the task to do next in
//! the one order shared with `task list`. The pick and the take happen under
//! the workspace lock and the claim registry's lock (see [`super::lease`]), so
//! concurrent claimers — in one work tree or in several — each get a different
//! task or "nothing ready", never both the same one. A task closed in another
//! work tree or clone is never handed out (see [`super::closed_mark`]).

use super::closed_mark::closed_error;
use super::lease::held_error;
use super::{Error, Orchestron, Result, Updated};
use crate::index::TaskQuery;
use crate::model::{Entry, RecordId, Status, Task, lease_now};
use crate::store::Claim;

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
        // registry lock (shared by every work tree of the clone) comes second.
        let _lock = self.locked_fresh()?;
        let scope = self.claim_scope()?.clone();
        let reg_lock = scope.registry.lock()?;
        let mut claims = scope.registry.load()?;
        // With `claims.remote`, another clone may win the remote ref between
        // our read and our push: then read again and pick again (a named
        // task is then held by the winner).
        let mut attempts = 0;
        loop {
            attempts += 1;
            let remote = self.remote_state()?;
            let view = match &remote {
                Some(r) => super::remote_claim::merged(&claims, r),
                None => claims.clone(),
            };
            let closed = self.closed_elsewhere(remote.as_ref())?;
            let id = match id {
                Some(id) => self.existing_task_id(id)?,
                None => {
                    match self.next_ready_among(&who, self.readiness_with(&who, &view, &closed))? {
                        Some(t) => t.id,
                        None => return Ok(None),
                    }
                }
            };
            if let Some(mark) = closed.get(id.as_str()).filter(|_| !opts.force) {
                return Err(closed_error(&id, mark));
            }
            let now = lease_now();
            let prior = self.claim_view(&view, &id)?;
            if let Some(v) = prior.as_ref().filter(|v| v.holder != who && !v.stale) {
                return Err(held_error(&id, v));
            }
            let expired = prior.filter(|v| v.holder != who && v.stale);
            if !opts.force {
                self.refuse_open_dependencies(&id)?;
            }
            let mine = claims.get(id.as_str()).filter(|c| c.holder == who);
            let mut claim = Claim {
                holder: who.clone(),
                worktree: scope.worktree.clone(),
                branch: self.current_branch(),
                since: mine.map_or(now, |c| c.since),
                expires: now + lease,
                lease_secs: lease.num_seconds(),
                remote: None,
            };
            let mut pushed = None;
            if let Some(r) = &remote {
                let on_remote = r.get(id.as_str());
                let held = mine
                    .and_then(|c| c.remote.clone())
                    .filter(|h| on_remote.is_some_and(|e| e.sha == h.sha));
                match held {
                    Some(h) if !super::remote_claim::renewal_due(&h, claim.lease_secs, now) => {
                        claim.remote = Some(h);
                    }
                    _ => match self.push_remote_claim(
                        id.as_str(),
                        on_remote.map(|e| e.sha.as_str()),
                        &claim,
                    )? {
                        Some(h) => {
                            pushed = Some(h.clone());
                            claim.remote = Some(h);
                        }
                        None if attempts < MAX_REMOTE_ATTEMPTS => continue,
                        None => {
                            return Err(Error::Held {
                                id: id.to_string(),
                                holder:
                                    "another clone (it kept winning the claim ref on the remote)"
                                        .into(),
                            });
                        }
                    },
                }
            }
            let takeover_note = expired.as_ref().map(|v| Entry {
                at: crate::model::now(),
                by: who.clone(),
                text: format!(
                    "took over the claim from {}, whose lease expired {}",
                    v.holder,
                    v.expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
            });
            let written = self.write_task(&id, |_, task| {
                if task.status.is_closed() {
                    return Err(Error::Invalid(format!(
                        "{} is {}: nothing to claim",
                        task.id, task.status
                    )));
                }
                if let Some(holder) = held_by_other(task, &who)
                    && expired.as_ref().is_none_or(|v| v.holder != holder)
                {
                    return Err(Error::Held {
                        id: task.id.to_string(),
                        holder,
                    });
                }
                task.assignee = Some(who.clone());
                task.status = Status::InProgress;
                task.notes.extend(takeover_note);
                Ok(())
            });
            let result = match written {
                Ok(r) => r,
                Err(e) => {
                    // The file refused the claim: give the remote ref back
                    // (the refusal is what the caller must see).
                    if let Some(h) = &pushed {
                        let _ = self.drop_remote_claim(id.as_str(), h);
                    }
                    return Err(e);
                }
            };
            claims.insert(id.to_string(), claim);
            scope.registry.save(&reg_lock, &claims)?;
            return Ok(Some(result));
        }
    }

    /// Gives `id` back: TODO, unassigned, its claim forgotten. Only its
    /// holder releases a task (anyone else reassigns it explicitly).
    pub fn release(&mut self, id: &str) -> Result<Updated> {
        let id = self.existing_task_id(id)?;
        let who = self.actor().to_string();
        let _lock = self.locked_fresh()?;
        let scope = self.claim_scope()?.clone();
        let reg_lock = scope.registry.lock()?;
        let mut claims = scope.registry.load()?;
        if let Some(v) = self.claim_view(&claims, &id)?.filter(|v| v.holder != who) {
            return Err(held_error(&id, &v));
        }
        // The remote ref goes first: an unreachable remote leaves everything
        // as it was, to be retried.
        if let Some(hold) = claims.get(id.as_str()).and_then(|c| c.remote.as_ref()) {
            self.drop_remote_claim(id.as_str(), hold)?;
        }
        let result = self.write_task(&id, |_, task| {
            if let Some(holder) = held_by_other(task, &who) {
                return Err(Error::Held {
                    id: task.id.to_string(),
                    holder,
                });
            }
            if task.status == Status::InProgress {
                task.status = Status::Todo;
            }
            if task.assignee.as_deref() == Some(who.as_str()) {
                task.assignee = None;
            }
            Ok(())
        })?;
        if claims.remove(id.as_str()).is_some() {
            scope.registry.save(&reg_lock, &claims)?;
        }
        Ok(result)
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
    pub(crate) fn ready_among(
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
pub(crate) fn held_by_other(task: &Task, who: &str) -> Option<String> {
    match &task.assignee {
        Some(a) if task.status == Status::InProgress && a != who => Some(a.clone()),
        _ => None,
    }
}
