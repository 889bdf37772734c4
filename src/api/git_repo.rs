//! The git repository around the workspace, found once per process: a write
//! asks whether git keeps the status history (`needs_status_stamps`), a
//! refresh whom to credit, insights and history read it — discovering it
//! each time walked up the folders, stat'ing each for a `.git`. Where a
//! repository was found is kept for the life of the [`Orchestron`] and it is
//! opened there for each use (so refs, objects and a new shallow state are
//! read afresh); none found is looked for again next time, so a `git init`
//! under a running server is seen.

use super::{Orchestron, Result};
use crate::git::GitRepo;

impl Orchestron {
    /// The repository holding the workspace, or `None` outside git.
    pub(super) fn git(&self) -> Result<Option<GitRepo>> {
        if let Some(kept) = self.git.get() {
            return Ok(Some(kept.open()?));
        }
        let found = GitRepo::discover(self.ws.root())?;
        if let Some(repo) = &found {
            let _ = self.git.set(repo.keep());
        }
        Ok(found)
    }
}
