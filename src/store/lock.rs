//! The workspace lock: one writer at a time across processes, so that a
//! read-modify-write of a record never loses another process's update.
//! It is re-entrant within a process (a use-case that locks may call another
//! that locks), because an OS file lock taken twice by one process through two
//! handles would deadlock.

use super::StoreError;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

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
    /// Waits until the lock file at `path` is ours (or returns at once when this
    /// process already holds it); gives up with [`StoreError::Locked`] after
    /// [`lock_wait`], so a stuck process never hangs every other command.
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
    let wait = lock_wait();
    let deadline = Instant::now() + wait;
    // The OS offers no timed file lock: try, and back off up to 50 ms between
    // tries (writes hold the lock for milliseconds, so the first retries win).
    let mut pause = Duration::from_millis(1);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    path: PathBuf::from(path),
                    waited: wait,
                });
            }
            Err(TryLockError::Error(e)) => return Err(StoreError::io(PathBuf::from(path), e)),
        }
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
