//! The workspace lock: one writer at a time across processes, so that a
//! read-modify-write of a record never loses another process's update.
//! It is re-entrant within a process (a use-case that locks may call another
//! that locks), because an OS file lock taken twice by one process through two
//! handles would deadlock.

use super::StoreError;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Shared between a workspace and the guards it hands out.
#[derive(Debug, Default)]
pub struct LockState {
    depth: usize,
    file: Option<File>,
}

/// Held while a process reads, changes and writes records. Released when the
/// last guard drops (and by the OS if the process dies).
#[derive(Debug)]
pub struct WorkspaceLock {
    state: Arc<Mutex<LockState>>,
}

impl WorkspaceLock {
    /// Blocks until the lock file at `path` is ours (or returns at once when this
    /// process already holds it).
    pub fn acquire(state: &Arc<Mutex<LockState>>, path: &Path) -> Result<Self, StoreError> {
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        if s.depth == 0 {
            s.file = Some(open_locked(path)?);
        }
        s.depth += 1;
        Ok(WorkspaceLock {
            state: Arc::clone(state),
        })
    }
}

impl Drop for WorkspaceLock {
    fn drop(&mut self) {
        let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        s.depth = s.depth.saturating_sub(1);
        if s.depth == 0 {
            s.file = None;
        }
    }
}

fn open_locked(path: &Path) -> Result<File, StoreError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| StoreError::io(path, e))?;
    file.lock()
        .map_err(|e| StoreError::io(PathBuf::from(path), e))?;
    Ok(file)
}
