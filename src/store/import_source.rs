//! Reading a foreign backlog for an import: the one file the user named, or
//! every file of one extension below the folder they named.

use super::{StoreError, read_bytes};
use std::path::Path;

/// One file of a foreign backlog being imported: its path from the folder
/// the user named, that folder's own name first (`<list>/3.json`;
/// `/`-separated; the file's own name for a single file), and its bytes.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The files an import reads from `path`: the file itself, or every file
/// below the folder whose name ends in `.{ext}`, sorted by path (hidden files
/// and folders — `.lock`, `.git` — skipped).
pub fn read_source_files(path: &Path, ext: &str) -> Result<Vec<SourceFile>, StoreError> {
    let meta = std::fs::metadata(path).map_err(|e| StoreError::io(path, e))?;
    if !meta.is_dir() {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        return Ok(vec![SourceFile {
            name,
            bytes: read_bytes(path)?,
        }]);
    }
    let suffix = format!(".{ext}");
    let mut out = Vec::new();
    // Names start with the folder's own name (a Claude task list's id).
    let path = &path.canonicalize().map_err(|e| StoreError::io(path, e))?;
    let base = path.parent().unwrap_or(path);
    let walk = walkdir::WalkDir::new(path)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = entry.map_err(|e| {
            let at = e.path().unwrap_or(path).to_path_buf();
            StoreError::io(at, e.into())
        })?;
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || !name.ends_with(&suffix) {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(base)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        out.push(SourceFile {
            name: rel,
            bytes: read_bytes(entry.path())?,
        });
    }
    Ok(out)
}
