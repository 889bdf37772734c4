//! The claim registry: who holds which task, from where, and until when. It is
//! local state, never committed — a lease renewal must not rewrite a task file
//! (a heartbeat would be a diff in every pull request and a merge conflict) —
//! and it lives in a folder the caller chooses: the git common directory, so
//! that every worktree of one clone sees the same claims, or the workspace's
//! cache outside git. It has its own lock, because the worktrees sharing it
//! each have their own workspace lock. Lock order: workspace, then registry.
//! Beside the claims it keeps the short-lived closed marks (`closed.json`): a
//! task closed in one work tree, so the others do not hand it out again.

use super::lock::LockState;
use super::{StoreError, WorkspaceLock, write_atomic};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// One held task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    pub holder: String,
    /// The work tree (project folder) the claim was taken in.
    pub worktree: PathBuf,
    /// The branch checked out there when the claim was taken or renewed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub since: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    /// The lease length it was taken with: a renewal extends by as much.
    pub lease_secs: i64,
    /// The claim ref on `claims.remote` this claim holds, when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemoteHold>,
}

/// What this clone last wrote to its claim ref on the remote: a renewal or
/// release pushes with a lease on `sha`, and only when `expires` is near.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteHold {
    pub sha: String,
    pub expires: DateTime<Utc>,
}

/// Claims by task id.
pub type Claims = BTreeMap<String, Claim>;

/// A claim that ended because someone else forced a write over it: kept
/// so that its holder is told (on its next MCP call, in `status` and
/// `task show`), in whichever work tree of the clone it works.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LostClaim {
    pub task: String,
    pub holder: String,
    /// Who forced the write, and when.
    pub by: String,
    pub at: DateTime<Utc>,
    /// The work tree and branch the claim was held from.
    pub worktree: PathBuf,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The holder has been told over MCP.
    #[serde(default)]
    pub told: bool,
}

/// The registry in one folder, with a re-entrant lock of its own.
#[derive(Debug, Clone)]
pub struct ClaimRegistry {
    dir: PathBuf,
    lock: Arc<Mutex<LockState>>,
}

impl ClaimRegistry {
    pub fn new(dir: PathBuf) -> Self {
        ClaimRegistry {
            dir,
            lock: Arc::default(),
        }
    }

    /// Takes the registry lock: held across a read-decide-write of claims.
    pub fn lock(&self) -> Result<WorkspaceLock, StoreError> {
        WorkspaceLock::acquire(&self.lock, &self.dir.join("claims.lock"))
    }

    /// Every claim. Written atomically, so a reader without the lock still
    /// sees a whole file; a missing file is no claims.
    pub fn load(&self) -> Result<Claims, StoreError> {
        self.load_file("claims.json")
    }

    /// Replaces the registry (the caller holds [`ClaimRegistry::lock`]).
    pub fn save(&self, _lock: &WorkspaceLock, claims: &Claims) -> Result<(), StoreError> {
        self.save_file("claims.json", claims)
    }

    /// The claims lost to a forced write, oldest first (a missing file is none).
    pub fn lost(&self) -> Result<Vec<LostClaim>, StoreError> {
        self.load_file("lost-claims.json")
    }

    /// Replaces the lost claims (the caller holds [`ClaimRegistry::lock`]).
    pub fn save_lost(&self, _lock: &WorkspaceLock, lost: &[LostClaim]) -> Result<(), StoreError> {
        self.save_file("lost-claims.json", &lost)
    }

    fn load_file<T: serde::de::DeserializeOwned + Default>(
        &self,
        name: &str,
    ) -> Result<T, StoreError> {
        let path = self.dir.join(name);
        match super::read_text_if_exists(&path)? {
            None => Ok(T::default()),
            Some(text) => serde_json::from_str(&text).map_err(|e| StoreError::Invalid {
                path,
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            }),
        }
    }

    fn save_file<T: Serialize>(&self, name: &str, value: &T) -> Result<(), StoreError> {
        let path = self.dir.join(name);
        let text = serde_json::to_string_pretty(value).map_err(|e| StoreError::Encode {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        std::fs::create_dir_all(&self.dir).map_err(|e| StoreError::io(&self.dir, e))?;
        write_atomic(&path, text.as_bytes()).map(|_| ())
    }
}

/// A task closed (DONE or CANCELLED) in one work tree, remembered in the
/// registry so the other work trees of the clone — whose files still say it
/// is open until they merge — do not hand it out again. Short-lived: it
/// lapses at `until`, and a work tree whose own files show the close ignores
/// it before that.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClosedMark {
    /// The status it was closed with.
    pub status: String,
    pub by: String,
    /// The work tree (project folder) it was closed in.
    pub worktree: PathBuf,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub at: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// Closed marks by task id.
pub type ClosedMarks = BTreeMap<String, ClosedMark>;

impl ClaimRegistry {
    /// Every closed mark (`closed.json` beside the claims; read without the
    /// lock, like [`ClaimRegistry::load`]).
    pub fn load_closed(&self) -> Result<ClosedMarks, StoreError> {
        self.load_file("closed.json")
    }

    /// Replaces the closed marks (the caller holds [`ClaimRegistry::lock`]).
    pub fn save_closed(
        &self,
        _lock: &WorkspaceLock,
        marks: &ClosedMarks,
    ) -> Result<(), StoreError> {
        self.save_file("closed.json", marks)
    }
}

impl ClaimRegistry {
    /// When the claim refs of `remote` were last fetched into the clone (the
    /// stamp beside the registry, shared by every work tree), if ever.
    pub fn fetched_at(&self, remote: &str) -> Option<DateTime<Utc>> {
        let text = std::fs::read_to_string(self.stamp_path(remote)).ok()?;
        DateTime::parse_from_rfc3339(text.trim())
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// Records that the claim refs of `remote` were fetched at `at`. The
    /// time is the file's content, not its mtime: the one clock (which
    /// tests set) measures it.
    pub fn mark_fetched(&self, remote: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| StoreError::io(&self.dir, e))?;
        let text = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        write_atomic(&self.stamp_path(remote), text.as_bytes()).map(|_| ())
    }

    fn stamp_path(&self, remote: &str) -> PathBuf {
        let name: String = remote
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        self.dir.join(format!("remote-claims-{name}.fetched"))
    }
}
