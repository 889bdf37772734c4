//! The workspace lock: one writer at a time across processes, so that a
//! read-modify-write of a record never loses another process's update.
//! It is re-entrant within a process (a use-case that locks may call another
//! that locks), because an OS file lock taken twice by one process through two
//! handles would deadlock.

use super::StoreError;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Shared between a workspace and the guards it hands out.
#[derive(Debug, Default)]
pub struct LockState {
    depth: usize,
    file: Option<File>,
    /// How many times this process has taken the OS lock: which hold a
    /// guard belongs to.
    holds: u64,
}

/// Held while a process reads, changes and writes records. Released when the
/// last guard drops (and by the OS if the process dies).
#[derive(Debug)]
pub struct WorkspaceLock {
    state: Arc<Mutex<LockState>>,
}

impl WorkspaceLock {
    /// Waits until the lock file at `path` is ours (or returns at once when this
    /// process already holds it); gives up with [`StoreError::Locked`] after
    /// [`lock_wait`], so a stuck process never hangs every other command.
    pub fn acquire(state: &Arc<Mutex<LockState>>, path: &Path) -> Result<Self, StoreError> {
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        if s.depth == 0 {
            s.file = Some(open_locked(path)?);
            s.holds += 1;
            took(path);
        }
        s.depth += 1;
        Ok(WorkspaceLock {
            state: Arc::clone(state),
        })
    }

    /// The lock if it can be had at once (or this process holds it already),
    /// `None` while another process holds it: for chores that can wait for
    /// the next command.
    pub fn try_acquire(
        state: &Arc<Mutex<LockState>>,
        path: &Path,
    ) -> Result<Option<Self>, StoreError> {
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        if s.depth == 0 {
            let file = open_lock_file(path)?;
            match file.try_lock() {
                Ok(()) => {
                    s.file = Some(file);
                    s.holds += 1;
                    took(path);
                }
                Err(TryLockError::WouldBlock) => return Ok(None),
                Err(TryLockError::Error(e)) => return Err(StoreError::io(PathBuf::from(path), e)),
            }
        }
        s.depth += 1;
        Ok(Some(WorkspaceLock {
            state: Arc::clone(state),
        }))
    }
}

impl WorkspaceLock {
    /// Which hold of the OS lock this guard is part of: two guards with the
    /// same hold saw no other process's write in between.
    pub fn hold(&self) -> u64 {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .holds
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

/// Says in the log (`RUST_LOG=orchestron=debug`) each time the OS lock is
/// taken, not each re-entry: how many times a command locks (one write, once
/// — `cli::a_cli_write_takes_the_workspace_lock_once`).
fn took(path: &Path) {
    tracing::debug!("took the lock {}", path.display());
}

fn open_lock_file(path: &Path) -> Result<File, StoreError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| StoreError::io(path, e))
}

fn open_locked(path: &Path) -> Result<File, StoreError> {
    let file = open_lock_file(path)?;
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(TryLockError::Error(e)) => return Err(StoreError::io(PathBuf::from(path), e)),
        Err(TryLockError::WouldBlock) => {}
    }
    // Held by another process. The OS offers no timed file lock, so a helper
    // thread blocks in `lock()` — woken by the OS the moment the holder lets
    // go — while this one waits for it with a deadline. After a timeout the
    // helper may still win later; it then finds nobody listening and drops
    // the file at once, which releases the lock again.
    let wait = lock_wait();
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let locked = file.lock().map(|()| file);
        let _ = tx.send(locked);
    });
    match rx.recv_timeout(wait) {
        Ok(Ok(file)) => Ok(file),
        Ok(Err(e)) => Err(StoreError::io(PathBuf::from(path), e)),
        Err(_) => Err(StoreError::Locked {
            path: PathBuf::from(path),
            waited: wait,
        }),
    }
}

/// How long a command waits for another process's lock: 10 s, or
/// `ORCHESTRON_LOCK_WAIT_MS` (tests use a short wait).
fn lock_wait() -> Duration {
    std::env::var("ORCHESTRON_LOCK_WAIT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(10), Duration::from_millis)
}
