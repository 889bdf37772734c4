//! The git layer: reads through gix (discovery, HEAD/branch, a record's history,
//! what changed between two commits), writes and status through the `git` binary
//! (so the user's hooks, config and fsmonitor apply), and a pure field-level
//! three-way merge of records for the merge driver. Depends only on `model`.
//!
//! Why `git status` rather than gix's `status` feature for dirty files: the
//! feature pulls in 37 more crate builds (+3 min 43 s wall on our 2-core
//! machine, measured) for a call made once per snapshot, and the binary honours
//! the user's fsmonitor, untracked cache and excludes exactly as their own tools.
//! Without a `git` binary a snapshot still records branch and HEAD.

mod cli;
mod error;
mod history;
mod identity;
mod layout;
pub mod merge;
mod remote_claims;
mod repo;
pub mod sync;
pub mod sync_commit;
mod timeline;

pub(crate) use cli::move_tracked;
pub use cli::{config_ensure, driver_program, last_commit_times, merge_file};
pub use error::GitError;
pub use gix::ObjectId;
pub use history::{After, ChangedFile};
pub use identity::user_name;
pub use layout::common_dir_at;
pub use remote_claims::{RemoteClaim, RemoteClaims, RemoteEntry};
pub use repo::{GitRepo, KeptRepo};

use crate::model::GitState;
use std::path::Path;

/// The git state of the repository holding `dir`, for a context snapshot; `None`
/// outside git (or if the repository cannot be read, which is logged: a snapshot
/// is never refused for want of git state).
pub fn state_of(dir: &Path) -> Option<GitState> {
    match GitRepo::discover(dir).and_then(|r| r.map(|r| r.state()).transpose()) {
        Ok(state) => state,
        Err(e) => {
            tracing::warn!(
                "{}; saving the snapshot without git state",
                crate::model::with_causes(&e)
            );
            None
        }
    }
}

#[cfg(test)]
mod tests;
