//! Lost claims across clones (`claims.remote`): a forced write in another
//! clone ends a claim this clone holds by replacing its claim ref with an
//! ended mark naming who forced it (a close replaces it with a closed mark,
//! an expiry with the taker's claim). This clone notices when it next looks
//! at the remote's claims — the copy reads use, fetched at most every 5 s —
//! and files the loss as a forced write here would: the claim leaves the
//! registry and a lost-claim record tells the holder on its next MCP call,
//! in `status` and in `task show`.

use super::Orchestron;
use super::Result;
use super::remote_claim::RemoteState;
use crate::model::RecordId;
use crate::store::{Claim, Claims};
use chrono::{DateTime, Utc};

impl Orchestron {
    /// Files every claim of this clone that the remote says another clone
    /// ended (see the module text). Cheap when nothing is held on the
    /// remote: no git at all.
    pub(super) fn notice_remote_losses(&self) -> Result<()> {
        let registry = &self.claim_scope()?.registry;
        let now = self.clock().now();
        if !held_on_remote(&registry.load()?, now) {
            return Ok(());
        }
        let Some(state) = self.remote_state_cached()? else {
            return Ok(());
        };
        if lost_here(&registry.load()?, &state, now).is_empty() {
            return Ok(());
        }
        // Again under the lock, on the copy as it is now: a claim of ours
        // pushed meanwhile updated the copy before the registry.
        let lock = registry.lock()?;
        let mut claims = registry.load()?;
        let Some(state) = self.remote_state_cached()? else {
            return Ok(());
        };
        for (id, claim, by) in lost_here(&claims, &state, now) {
            claims.remove(&id);
            registry.save(&lock, &claims)?;
            if let Ok(rid) = RecordId::parse(&id) {
                self.record_lost_claim(&lock, &rid, claim, &by)?;
            }
        }
        Ok(())
    }
}

/// Some claim of the registry is held on the remote on a live lease.
fn held_on_remote(claims: &Claims, now: DateTime<Utc>) -> bool {
    claims
        .values()
        .any(|c| c.remote.is_some() && c.expires > now)
}

/// The live claims of the registry whose ref on the remote now says another
/// clone ended them after they were taken: (task, claim, by whom). Only a
/// ref that names who ended it counts — an ended mark of this holder, a
/// closed mark, or another holder's claim — dated after the claim was taken,
/// so a copy a concurrent fetch left behind never invents a loss.
fn lost_here(
    claims: &Claims,
    state: &RemoteState,
    now: DateTime<Utc>,
) -> Vec<(String, Claim, String)> {
    let mut out = Vec::new();
    for (id, c) in claims.iter().filter(|(_, c)| c.expires > now) {
        let Some(hold) = &c.remote else {
            continue;
        };
        let Some(entry) = state.get(id).filter(|e| e.sha != hold.sha) else {
            continue;
        };
        let Some(r) = entry.claim.as_ref().filter(|r| r.since >= c.since) else {
            continue;
        };
        let by = match (&r.ended_by, &r.closed) {
            (Some(by), _) if r.holder == c.holder => by.clone(),
            (None, Some(_)) => r.holder.clone(),
            (None, None) if r.holder != c.holder => r.holder.clone(),
            _ => continue,
        };
        out.push((id.clone(), c.clone(), by));
    }
    out
}
