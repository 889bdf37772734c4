//! Claims as local state: where the claim registry lives (the git common
//! directory, shared by every worktree of a clone; the workspace cache outside
//! git), how long a lease is, and what a write does to it — a write by the
//! holder renews the lease, a close or a hand-over ends it (`write.rs`, the
//! write path's last step). The task file keeps only `assignee` and `status`,
//! so a renewal is never a diff.

use super::closed_mark::ClosedElsewhere;
use super::{Error, Orchestron, Result};
use crate::model::{DEFAULT_LEASE, LEASE_FORMAT, RecordId, parse_lease};
use crate::store::{Claim, ClaimRegistry, Claims};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where claims are kept for this workspace, and which work tree we are.
#[derive(Debug, Clone)]
pub(super) struct ClaimScope {
    pub(super) registry: ClaimRegistry,
    /// The project folder of this work tree (claims taken here name it).
    pub(super) worktree: PathBuf,
}

/// A claim as the views show it: who holds the task, from which work tree
/// and branch, until when, and whether the lease has run out.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ClaimView {
    pub holder: String,
    /// The branch of the work tree the claim was taken in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The other work tree holding it; absent when it is this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worktree: Option<String>,
    pub expires: DateTime<Utc>,
    /// The lease has expired: anyone may take the task over.
    pub stale: bool,
}

/// A task and the claim on it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct HeldTask {
    pub id: String,
    #[serde(flatten)]
    pub claim: ClaimView,
}

impl ClaimView {
    /// "alice (branch feat, lease expired 2026-…)" — for messages and tables.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(w) = &self.worktree {
            parts.push(format!("worktree {w}"));
        }
        if let Some(b) = &self.branch {
            parts.push(format!("branch {b}"));
        }
        let when = self
            .expires
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        parts.push(if self.stale {
            format!("lease expired {when}")
        } else {
            format!("lease until {when}")
        });
        format!("{} ({})", self.holder, parts.join(", "))
    }
}

impl Orchestron {
    /// The claim registry for this workspace (found once per process).
    pub(super) fn claim_scope(&self) -> Result<&ClaimScope> {
        if let Some(s) = self.claim_scope.get() {
            return Ok(s);
        }
        let project = self.ws.project_dir().to_path_buf();
        // Read from git's layout when it is a plain one (every list looks
        // claims up); the repository is opened only to find it otherwise.
        let common = match crate::git::common_dir_at(&project) {
            Some(common) => Some(common),
            None => crate::git::GitRepo::discover(&project)?.map(|repo| repo.common_dir()),
        };
        let dir = match common {
            Some(common) => common.join("orchestron"),
            None => self.ws.root().join("cache"),
        };
        let scope = ClaimScope {
            registry: ClaimRegistry::new(dir),
            worktree: project,
        };
        Ok(self.claim_scope.get_or_init(|| scope))
    }

    /// The branch checked out in this work tree, if any (for claims).
    pub(super) fn current_branch(&self) -> Option<String> {
        self.git()
            .ok()
            .flatten()
            .and_then(|r| r.branch().ok().flatten())
    }

    /// The lease length: `requested`, else `claims.lease`, else 2h. A bad
    /// `claims.lease` is config.yaml's fault (exit 6, where `check` says).
    pub(super) fn lease_length(&self, requested: Option<&str>) -> Result<chrono::Duration> {
        if requested.is_none()
            && let Some(e) = self.ws.claims_config_error("lease")
        {
            return Err(e.into());
        }
        let text = requested
            .or(self.ws.config.claims.lease.as_deref())
            .unwrap_or(DEFAULT_LEASE);
        parse_lease(text).ok_or_else(|| {
            Error::Invalid(format!("invalid lease {text:?}: expected {LEASE_FORMAT}"))
        })
    }

    /// Every claim in the registry (read without its lock: it is written
    /// atomically).
    pub(super) fn claims(&self) -> Result<Claims> {
        Ok(self.claim_scope()?.registry.load()?)
    }

    /// The claim on `id` as the views show it.
    pub(super) fn claim_view(&self, claims: &Claims, id: &RecordId) -> Result<Option<ClaimView>> {
        let here = &self.claim_scope()?.worktree;
        Ok(claims
            .get(id.as_str())
            .map(|c| view_of(c, here, self.clock().now())))
    }

    /// The claims a reader of this work tree cannot see in its files: held
    /// in another work tree, or expired (stale) — in task id order.
    /// With `claims.remote`, the claims of other clones too.
    pub fn notable_claims(&self) -> Result<Vec<HeldTask>> {
        self.notable_among(&self.claims_seen()?.0)
    }

    fn notable_among(&self, claims: &Claims) -> Result<Vec<HeldTask>> {
        let here = self.claim_scope()?.worktree.clone();
        let now = self.clock().now();
        Ok(claims
            .iter()
            .map(|(id, c)| HeldTask {
                id: id.clone(),
                claim: view_of(c, &here, now),
            })
            .filter(|h| h.claim.stale || h.claim.worktree.is_some())
            .collect())
    }

    /// A warning per stale claim, on the task's `assignee` line (`check`).
    pub(super) fn stale_claim_problems(&self) -> Result<Vec<crate::model::Problem>> {
        let mut out = Vec::new();
        // This clone's own claims: a stale claim ref of another clone is
        // not a problem of these files.
        let claims = self.claims()?;
        for h in self
            .notable_among(&claims)?
            .into_iter()
            .filter(|h| h.claim.stale)
        {
            let Ok(id) = RecordId::parse(&h.id) else {
                continue;
            };
            let path = crate::store::RecordPath::of(crate::model::IdKind::Task, &id);
            let line = self
                .ws
                .current(&path)
                .map_or(1, |(text, _)| crate::model::key_line(&text, "assignee"));
            out.push(crate::model::Problem::warning(
                path.rel(),
                line,
                1,
                format!(
                    "stale claim: {} held {}; another agent may take it over (or the holder renews it by claiming again)",
                    h.claim.describe(),
                    h.id
                ),
            ));
        }
        Ok(out)
    }
}

pub(super) fn view_of(c: &Claim, here: &std::path::Path, now: DateTime<Utc>) -> ClaimView {
    ClaimView {
        holder: c.holder.clone(),
        branch: c.branch.clone(),
        worktree: (c.worktree != here).then(|| c.worktree.display().to_string()),
        expires: c.expires,
        stale: c.expires <= now,
    }
}

impl Orchestron {
    /// What decides readiness here for `who` beyond the files: the tasks not
    /// ready (held by someone else on a live lease, or closed elsewhere) and
    /// those ready although the files say IN_PROGRESS (stale claims).
    /// With `claims.remote`, other clones' claims and closed marks count
    /// too (as last fetched, see [`Orchestron::remote_state_cached`]).
    pub(super) fn readiness_here(&self, who: &str) -> Result<(Vec<RecordId>, Vec<RecordId>)> {
        let (claims, remote) = self.claims_seen()?;
        let closed = self.closed_elsewhere(remote.as_ref())?;
        Ok(self.readiness_with(who, &claims, &closed))
    }

    /// [`Orchestron::readiness_here`] from claims and closed marks in hand.
    pub(super) fn readiness_with(
        &self,
        who: &str,
        claims: &Claims,
        closed: &BTreeMap<String, ClosedElsewhere>,
    ) -> (Vec<RecordId>, Vec<RecordId>) {
        let (mut held, stale) = readiness(claims, who, self.clock().now());
        held.extend(closed.keys().filter_map(|id| RecordId::parse(id).ok()));
        (held, stale)
    }
}

/// Claims that make a task not ready for `who` (live, someone else's) and
/// claims that make it ready although the files say IN_PROGRESS (expired,
/// someone else's).
fn readiness(claims: &Claims, who: &str, now: DateTime<Utc>) -> (Vec<RecordId>, Vec<RecordId>) {
    let mut held = Vec::new();
    let mut stale = Vec::new();
    for (id, c) in claims {
        if c.holder == who {
            continue;
        }
        let Ok(id) = RecordId::parse(id) else {
            continue;
        };
        if c.expires > now {
            held.push(id);
        } else {
            stale.push(id);
        }
    }
    (held, stale)
}

/// Losing to a live claim is a conflict that names the holder.
pub(super) fn held_error(id: &RecordId, view: &ClaimView) -> Error {
    Error::Held {
        id: id.to_string(),
        holder: view.describe(),
    }
}
