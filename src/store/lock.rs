//! The workspace lock: one writer at a time across processes, so that a
//! read-modify-write of a record never loses another process's update.

use super::StoreError;
use std::fs::File;
use std::path::Path;

/// Held while a process reads, changes and writes records. Released on drop
/// (and by the OS if the process dies).
pub struct WorkspaceLock {
    _file: File,
}

impl WorkspaceLock {
    /// Blocks until the lock at `path` is ours.
    pub fn acquire(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| StoreError::io(path, e))?;
        file.lock().map_err(|e| StoreError::io(path, e))?;
        Ok(WorkspaceLock { _file: file })
    }
}
