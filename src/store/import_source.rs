//! Reading a foreign backlog for an import: the one file the user named, or
//! every file of the source's extensions below the folder they named.

use super::{StoreError, read_bytes};
use std::path::{Path, PathBuf};

/// One file of a foreign backlog being imported: its path from the folder
/// the user named, that folder's own name first (`<list>/3.json`;
/// `/`-separated; the file's own name for a single file), and its bytes.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What an import read: the files, and the canonical path of the file or
/// folder they were read from (what a project without a name of its own is
/// told apart by).
#[derive(Debug, Clone)]
pub struct SourceRead {
    pub files: Vec<SourceFile>,
    pub from: PathBuf,
}

/// [`read_source_files`] of `path`, or of its folder `inner` when it has
/// one (a project named for its `.tickets/`, which a walk skips as hidden).
pub fn read_source(
    path: &Path,
    exts: &[&str],
    inner: Option<&str>,
) -> Result<SourceRead, StoreError> {
    let path = match inner.map(|i| path.join(i)) {
        Some(p) if p.is_dir() => p,
        _ => path.to_path_buf(),
    };
    let files = read_source_files(&path, exts)?;
    let from = path.canonicalize().map_err(|e| StoreError::io(&path, e))?;
    Ok(SourceRead { files, from })
}

/// The files an import reads from `path`: the file itself, or every file
/// below the folder whose name ends in one of `exts` (`.md`, `.yml`), sorted
/// by path (hidden files and folders — `.lock`, `.git` — skipped below the
/// folder named, which may itself be hidden: `.tickets`).
fn read_source_files(path: &Path, exts: &[&str]) -> Result<Vec<SourceFile>, StoreError> {
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
    let suffixes: Vec<String> = exts.iter().map(|e| format!(".{e}")).collect();
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
        if !entry.file_type().is_file() || !suffixes.iter().any(|s| name.ends_with(s.as_str())) {
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
