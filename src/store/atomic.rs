//! Crash-safe file replacement: a killed process leaves the old file or the new
//! one, never half of one — plus, at worst, its temporary file. Temporary files
//! are named `.<file name>.<8 random characters>.tmp`: hidden, so no reader
//! takes one for a record, and git-ignored by the workspace's `.gitignore`.
//! One left behind by a killed writer is removed by the next command that
//! holds the workspace lock ([`remove_stale_temps`]): every write into a
//! record folder holds that lock, so whoever holds it knows no live writer
//! owns a temporary file there.

use super::{StoreError, WorkspaceLock};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The random part of a temporary file's name.
const TEMP_SUFFIX_LEN: usize = 8;

/// The temporary file `write_atomic` writes for `name` first.
fn temp_name(name: &str) -> String {
    format!(".{name}.{}.tmp", crate::model::new_suffix(TEMP_SUFFIX_LEN))
}

/// Whether `name` is one of our temporary files (`.TASK-7k2mq.yaml.x1y2z3w4.tmp`);
/// an editor's swap or backup file is not.
pub fn is_temp_name(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    let Some((file, suffix)) = inner.rsplit_once('.') else {
        return false;
    };
    !file.is_empty()
        && suffix.len() == TEMP_SUFFIX_LEN
        && suffix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Removes temporary files a killed writer left in the record folders
/// (`temps`, as the stat pass found them). The caller's `_lock` proves that no
/// live writer owns one. Returns how many were removed.
pub fn remove_stale_temps(_lock: &WorkspaceLock, temps: &[PathBuf]) -> usize {
    temps
        .iter()
        .filter(|p| match std::fs::remove_file(p) {
            Ok(()) => {
                tracing::info!("removed {}, left by an interrupted write", p.display());
                true
            }
            // Gone already, or not ours to remove: either way nothing to do.
            Err(e) => {
                tracing::debug!("{}: {e}", p.display());
                false
            }
        })
        .count()
}

/// Writes `bytes` to `path` through a temporary file in the same directory:
/// write, fsync, rename over the target, then fsync the directory so the rename
/// itself is durable. Returns the written file's metadata, taken from the open
/// file (a rename keeps size and mtime), so a caller needs no second stat.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<std::fs::Metadata, StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let (tmp, file) = create_temp(path, bytes).map_err(|e| StoreError::io(path, e))?;
    let result = (|| {
        file.sync_all()?;
        let meta = file.metadata()?;
        std::fs::rename(&tmp, path)?;
        // Directory fsync is what makes the rename survive a power cut; not every
        // platform lets a directory be opened, so failure here is not fatal.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(meta)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| StoreError::io(path, e))
}

/// Creates a new temporary file beside `path` holding `bytes`, unsynced, and
/// returns its path and the open file; on failure it leaves none behind.
fn create_temp(path: &Path, bytes: &[u8]) -> std::io::Result<(PathBuf, std::fs::File)> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(temp_name(&name));
    let result = (|| {
        // A record folder may be missing: git does not keep empty folders, so a
        // fresh clone or a checkout can remove `tasks/` until a task exists.
        if !dir.as_os_str().is_empty() && !dir.is_dir() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        Ok(file)
    })();
    match result {
        Ok(file) => Ok((tmp, file)),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Writes many files and makes them durable together, with one flush of the
/// file system instead of one per file (what a batch import of thousands of
/// records needs). Every file is first written under its temporary name; the
/// file system is then synced once (`syncfs`; elsewhere each file is synced);
/// only then is each renamed over its target, and each folder synced once so
/// the renames last. A crash before the renames leaves only temporary files
/// (removed by the next command that holds the lock, see
/// [`remove_stale_temps`]); after, every renamed file is whole. Returns each
/// file's metadata, in the order given.
pub fn write_batch(
    _lock: &WorkspaceLock,
    files: &[(PathBuf, &[u8])],
) -> Result<Vec<std::fs::Metadata>, StoreError> {
    // Each file is closed once written: a batch of thousands must not hold
    // a descriptor per file.
    let mut staged: Vec<(PathBuf, std::fs::Metadata)> = Vec::new();
    let cleanup = |staged: &[(PathBuf, std::fs::Metadata)]| {
        for (tmp, _) in staged {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (path, bytes) in files {
        match stage(path, bytes) {
            Ok(s) => staged.push(s),
            Err(e) => {
                cleanup(&staged);
                return Err(e);
            }
        }
    }
    if let Err((path, e)) = sync_staged(&staged) {
        cleanup(&staged);
        return Err(StoreError::io(path, e));
    }
    let mut dirs: Vec<&Path> = Vec::new();
    let mut out = Vec::with_capacity(files.len());
    for (n, ((path, _), (tmp, meta))) in files.iter().zip(&staged).enumerate() {
        if let Err(e) = std::fs::rename(tmp, path) {
            cleanup(&staged[n..]);
            return Err(StoreError::io(path, e));
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
        out.push(meta.clone());
    }
    for dir in dirs {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(out)
}

/// Writes `bytes` to a new temporary file beside `path`, unsynced, and
/// closes it.
fn stage(path: &Path, bytes: &[u8]) -> Result<(PathBuf, std::fs::Metadata), StoreError> {
    let (tmp, file) = create_temp(path, bytes).map_err(|e| StoreError::io(path, e))?;
    match file.metadata() {
        Ok(meta) => Ok((tmp, meta)),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(StoreError::io(path, e))
        }
    }
}

/// Makes every staged file durable: one `syncfs` of the file system they
/// share on Linux, each file's own sync where that is missing or fails.
fn sync_staged(staged: &[(PathBuf, std::fs::Metadata)]) -> Result<(), (PathBuf, std::io::Error)> {
    #[cfg(target_os = "linux")]
    if let Some((tmp, _)) = staged.first() {
        use std::os::fd::AsRawFd;
        let file = std::fs::File::open(tmp).map_err(|e| (tmp.clone(), e))?;
        // SAFETY: the descriptor belongs to `file`, open for the whole call.
        if unsafe { libc::syncfs(file.as_raw_fd()) } == 0 {
            return Ok(());
        }
    }
    for (tmp, _) in staged {
        std::fs::OpenOptions::new()
            .write(true)
            .open(tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| (tmp.clone(), e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_are_recognised_and_editor_files_are_not() {
        let name = temp_name("TASK-7k2mq.yaml");
        assert!(is_temp_name(&name), "{name}");
        for other in [
            ".TASK-7k2mq.yaml.swp",
            "TASK-7k2mq.yaml.abcdefgh.tmp",
            ".TASK-7k2mq.yaml.ABCDEFGH.tmp",
            ".TASK-7k2mq.yaml.abc.tmp",
            "..abcdefgh.tmp",
            ".abcdefgh.tmp",
        ] {
            assert!(!is_temp_name(other), "{other}");
        }
    }
}
