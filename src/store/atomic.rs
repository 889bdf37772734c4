//! Crash-safe file replacement: a killed process leaves the old file or the new
//! one, never half of one.

use super::StoreError;
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same directory:
/// write, fsync, rename over the target, then fsync the directory so the rename
/// itself is durable. Returns the written file's metadata, taken from the open
/// file (a rename keeps size and mtime), so a caller needs no second stat.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<std::fs::Metadata, StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", crate::model::new_suffix(8)));
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
