//! Remote claims (`claims.remote`): a claim is also taken on a git remote that
//! every clone shares, so two machines never both hold a task. This module
//! decides what to push — create, renew (only once less than half the lease
//! is left on the remote, so most writes cost no network), take over after
//! expiry, delete on release or close — and how the remote's claims join the
//! local registry's for the ready list and the held checks. The pushes
//! themselves are `crate::git::RemoteClaims`. An unreachable remote is an
//! error (exit 8), never a silent local-only claim.

use super::{Error, Orchestron, Result};
use crate::git::{RemoteClaim, RemoteClaims, RemoteEntry};
use crate::store::{Claim, Claims, ClosedMark, RemoteHold};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The remote's claims, by task id.
pub(super) type RemoteState = BTreeMap<String, RemoteEntry>;

/// How long reads trust the clone's copy of the remote's claim refs before
/// fetching them again (a claim always fetches).
const REMOTE_CLAIMS_TTL: chrono::Duration = chrono::Duration::seconds(5);

impl Orchestron {
    /// `claims.remote`, when set.
    pub(super) fn claims_remote(&self) -> Option<String> {
        self.ws
            .config
            .claims
            .remote
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
    }

    fn remote_claims(&self) -> Result<Option<(PathBuf, String)>> {
        let Some(remote) = self.claims_remote() else {
            return Ok(None);
        };
        let dir = self.ws.project_dir().to_path_buf();
        if crate::git::GitRepo::discover(&dir)?.is_none() {
            return Err(Error::Invalid(format!(
                "claims.remote is {remote:?} but the workspace is not in a git repository"
            )));
        }
        Ok(Some((dir, remote)))
    }

    /// Runs `f` on `claims.remote`'s claim refs; `None` when it is not set.
    fn on_remote<T>(&self, f: impl FnOnce(&RemoteClaims<'_>) -> Result<T>) -> Result<Option<T>> {
        let Some((dir, remote)) = self.remote_claims()? else {
            return Ok(None);
        };
        let r = RemoteClaims {
            dir: &dir,
            remote: &remote,
        };
        f(&r).map(Some)
    }

    /// Every claim on `claims.remote` (`None` when it is not set), fetched
    /// now: what a claim decides from.
    pub(super) fn remote_state(&self) -> Result<Option<RemoteState>> {
        self.on_remote(|r| {
            let state = r.fetch_all()?;
            let registry = &self.claim_scope()?.registry;
            registry.mark_fetched(r.remote, self.clock().now())?;
            Ok(state)
        })
    }

    /// Every claim on `claims.remote` as reads see it (`None` when it is not
    /// set): the clone's copy of the claim refs, fetched again only when the
    /// last fetch (by any work tree of the clone) is older than
    /// [`REMOTE_CLAIMS_TTL`] — a list or `status` costs no network most of
    /// the time. An unreachable remote leaves the copy as it was: a read
    /// shows what was last known rather than failing.
    pub(super) fn remote_state_cached(&self) -> Result<Option<RemoteState>> {
        self.on_remote(|r| {
            let registry = &self.claim_scope()?.registry;
            let now = self.clock().now();
            // A stamp from the future (the clock went back) is no proof of freshness.
            let fresh = registry
                .fetched_at(r.remote)
                .is_some_and(|t| t <= now && now - t < REMOTE_CLAIMS_TTL);
            if !fresh {
                match r.fetch() {
                    Ok(()) | Err(crate::git::GitError::Unreachable { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
                // Also after a failed fetch: an unreachable remote is tried
                // again after the TTL, not by every read.
                registry.mark_fetched(r.remote, now)?;
            }
            Ok(r.read()?)
        })
    }

    /// The claims a read shows: the registry's, with the remote's (as
    /// [`Self::remote_state_cached`] has them) joined in; and that remote
    /// state, for its closed marks.
    pub(super) fn claims_seen(&self) -> Result<(Claims, Option<RemoteState>)> {
        let local = self.claims()?;
        let remote = self.remote_state_cached()?;
        let claims = match &remote {
            Some(r) => merged(&local, r, self.clock().now()),
            None => local,
        };
        Ok((claims, remote))
    }

    /// Pushes `claim` for `id` over what the remote had (`expected`).
    /// `Ok(None)` when another clone changed the ref first.
    pub(super) fn push_remote_claim(
        &self,
        id: &str,
        expected: Option<&str>,
        claim: &Claim,
    ) -> Result<Option<RemoteHold>> {
        let Some((dir, remote)) = self.remote_claims()? else {
            return Ok(None);
        };
        let record = RemoteClaim {
            holder: claim.holder.clone(),
            worktree: claim.worktree.display().to_string(),
            branch: claim.branch.clone(),
            since: claim.since,
            expires: claim.expires,
            lease_secs: claim.lease_secs,
            closed: None,
            ended_by: None,
        };
        let r = RemoteClaims {
            dir: &dir,
            remote: &remote,
        };
        Ok(r.write(id, expected, &record)?.map(|sha| RemoteHold {
            sha,
            expires: claim.expires,
        }))
    }

    /// Removes this clone's claim ref for `id` (release, close, hand-over).
    /// A ref that no longer is ours (taken over after expiry) is left alone.
    pub(super) fn drop_remote_claim(&self, id: &str, hold: &RemoteHold) -> Result<()> {
        self.on_remote(|r| Ok(r.delete(id, &hold.sha)?))?;
        Ok(())
    }

    /// Replaces another holder's claim ref (`hold`) that a forced write by
    /// `by` ends with an ended mark, so that the holder's clone learns who
    /// ended it (see `remote_lost.rs`). A ref that moved meanwhile is left
    /// alone.
    pub(super) fn push_ended_mark(
        &self,
        id: &str,
        hold: &RemoteHold,
        lost: &Claim,
        by: &str,
    ) -> Result<()> {
        let record = RemoteClaim {
            holder: lost.holder.clone(),
            worktree: lost.worktree.display().to_string(),
            branch: lost.branch.clone(),
            since: lost.since,
            expires: self.clock().now(),
            lease_secs: 0,
            closed: None,
            ended_by: Some(by.to_string()),
        };
        self.on_remote(|r| Ok(r.write(id, Some(&hold.sha), &record)?))?;
        Ok(())
    }

    /// Replaces the task's claim ref with a closed mark: over the ref this
    /// clone holds (`held`), else over whatever the remote has there (read
    /// once more if another clone moved it meanwhile). A ref another clone
    /// keeps moving is left to it: a claim it takes there stands.
    pub(super) fn push_closed_mark(
        &self,
        id: &str,
        held: Option<&RemoteHold>,
        mark: &ClosedMark,
    ) -> Result<()> {
        let Some((dir, remote)) = self.remote_claims()? else {
            return Ok(());
        };
        let r = RemoteClaims {
            dir: &dir,
            remote: &remote,
        };
        let record = RemoteClaim {
            holder: mark.by.clone(),
            worktree: mark.worktree.display().to_string(),
            branch: mark.branch.clone(),
            since: mark.at,
            expires: mark.until,
            lease_secs: 0,
            closed: Some(mark.status.clone()),
            ended_by: None,
        };
        let mut expected = held.map(|h| h.sha.clone());
        for _ in 0..2 {
            if r.write(id, expected.as_deref(), &record)?.is_some() {
                return Ok(());
            }
            expected = r.fetch_all()?.get(id).map(|e| e.sha.clone());
        }
        Ok(())
    }

    /// Deletes the closed mark on the task's claim ref, if that is what the
    /// ref holds (a reopen).
    pub(super) fn drop_remote_closed_mark(&self, id: &str) -> Result<()> {
        let Some((dir, remote)) = self.remote_claims()? else {
            return Ok(());
        };
        let r = RemoteClaims {
            dir: &dir,
            remote: &remote,
        };
        let state = r.fetch_all()?;
        if let Some(e) = state.get(id).filter(|e| is_closed_mark(e)) {
            r.delete(id, &e.sha)?;
        }
        Ok(())
    }

    /// After a renewal of `claim` to `expires`: pushes it to the remote once
    /// less than half the lease is left there, so a heartbeat costs no network
    /// most of the time. The new hold, or the old one when no push was due.
    pub(super) fn renew_remote_claim(
        &self,
        id: &str,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<Option<RemoteHold>> {
        let Some(hold) = &claim.remote else {
            return Ok(None);
        };
        if !renewal_due(hold, claim.lease_secs, now) {
            return Ok(Some(hold.clone()));
        }
        match self.push_remote_claim(id, Some(&hold.sha), claim)? {
            Some(new) => Ok(Some(new)),
            None => Err(Error::Held {
                id: id.to_string(),
                holder: "another clone (its claim ref on the remote replaced this one after the lease expired)".into(),
            }),
        }
    }
}

/// The live claim another clone holds on `id` in the remote's `state` that
/// `who` does not hold and this clone did not push (`local` is the
/// registry) — for the write path's claim check. Its `remote` is that
/// clone's ref, so a forced write deletes exactly it.
pub(super) fn remote_claim_of_other(
    local: &Claims,
    state: &RemoteState,
    id: &str,
    who: &str,
    now: DateTime<Utc>,
) -> Option<Claim> {
    let entry = state.get(id).filter(|e| !is_closed_mark(e))?;
    let ours = local
        .get(id)
        .and_then(|c| c.remote.as_ref())
        .is_some_and(|h| h.sha == entry.sha);
    let mut claim = from_remote(entry, now);
    if ours || claim.holder == who || claim.expires <= now {
        return None;
    }
    claim.remote = Some(RemoteHold {
        sha: entry.sha.clone(),
        expires: claim.expires,
    });
    Some(claim)
}

/// Less than half the lease left on the remote: time to push a renewal.
pub(super) fn renewal_due(hold: &RemoteHold, lease_secs: i64, now: DateTime<Utc>) -> bool {
    (hold.expires - now).num_seconds() < lease_secs.max(1) / 2
}

/// The local registry's claims joined with the remote's: a remote claim this
/// clone does not hold (its ref is not the one we pushed) counts as held
/// elsewhere, with its holder, work tree and lease (an unreadable one since
/// `now`).
pub(super) fn merged(local: &Claims, remote: &RemoteState, now: DateTime<Utc>) -> Claims {
    let mut out = local.clone();
    for (id, entry) in remote.iter().filter(|(_, e)| !is_closed_mark(e)) {
        let ours = local
            .get(id)
            .and_then(|c| c.remote.as_ref())
            .is_some_and(|h| h.sha == entry.sha);
        if ours {
            continue;
        }
        out.insert(id.clone(), from_remote(entry, now));
    }
    out
}

/// A claim ref that holds a mark (closed, or a claim a forced write
/// ended), not a claim.
fn is_closed_mark(entry: &RemoteEntry) -> bool {
    entry
        .claim
        .as_ref()
        .is_some_and(|c| c.closed.is_some() || c.ended_by.is_some())
}

/// The closed marks among the remote's claim refs, by task id.
pub(super) fn closed_marks(remote: &RemoteState) -> Vec<(String, ClosedMark)> {
    remote
        .iter()
        .filter_map(|(id, e)| {
            let c = e.claim.as_ref()?;
            Some((
                id.clone(),
                ClosedMark {
                    status: c.closed.clone()?,
                    by: c.holder.clone(),
                    worktree: PathBuf::from(&c.worktree),
                    branch: c.branch.clone(),
                    at: c.since,
                    until: c.expires,
                },
            ))
        })
        .collect()
}

/// The held-by view of a remote claim; an unreadable one holds forever
/// (seen since `now`).
fn from_remote(entry: &RemoteEntry, now: DateTime<Utc>) -> Claim {
    match &entry.claim {
        Some(c) => Claim {
            holder: c.holder.clone(),
            worktree: PathBuf::from(&c.worktree),
            branch: c.branch.clone(),
            since: c.since,
            expires: c.expires,
            lease_secs: c.lease_secs,
            remote: None,
        },
        None => Claim {
            holder: format!("another clone (claim ref {})", entry.sha),
            worktree: PathBuf::from("(remote)"),
            branch: None,
            since: now,
            expires: DateTime::<Utc>::MAX_UTC,
            lease_secs: 0,
            remote: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remote_renewal_is_due_only_below_half_the_lease() {
        let t0 = DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let hold = RemoteHold {
            sha: "x".into(),
            expires: t0 + chrono::Duration::seconds(100),
        };
        assert!(!renewal_due(&hold, 100, t0));
        assert!(!renewal_due(&hold, 100, t0 + chrono::Duration::seconds(50)));
        assert!(renewal_due(&hold, 100, t0 + chrono::Duration::seconds(51)));
    }
}
