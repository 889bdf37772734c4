//! Files outside the record folders that Orchestron reads or writes for the
//! user: the three versions git hands the merge driver, the MCP client
//! configuration in a project, and YAML documents shipped with the tool
//! (templates). Writes are atomic like every record write.

use super::{StoreError, load::strip_location, write_atomic};
use std::path::Path;

/// The bytes of the file at `path`.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, StoreError> {
    std::fs::read(path).map_err(|e| StoreError::io(path, e))
}

/// The text of the file at `path`, or `None` when there is none.
pub fn read_text_if_exists(path: &Path) -> Result<Option<String>, StoreError> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io(path, e)),
    }
}

/// Replaces (or creates, with its folders) the file at `path`.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    write_atomic(path, bytes).map(drop)
}

/// Writes the file at `path` unless one is there already (a user's file is
/// theirs); true when it was written.
pub fn write_if_missing(path: &Path, bytes: &[u8]) -> Result<bool, StoreError> {
    if path.exists() {
        return Ok(false);
    }
    write_file(path, bytes)?;
    Ok(true)
}

/// Parses a YAML document named `name` (a path, or the name of a document
/// built into the binary); a failure carries its line and column.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(
    name: &Path,
    text: &str,
) -> Result<T, StoreError> {
    yaml_serde::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        StoreError::Invalid {
            path: name.to_path_buf(),
            line,
            column,
            message: strip_location(&e.to_string()),
        }
    })
}

/// One file of a foreign backlog being imported: its path from the folder
/// the user named, that folder's own name first (`<list>/3.json`;
/// `/`-separated; the file's own name for a single file), and its bytes.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The files an import reads from `path`: the file itself, or every file
/// below the folder whose name ends in one of `exts` (`.md`, `.yml`), sorted
/// by path (hidden files and folders — `.lock`, `.git` — skipped below the
/// folder named, which may itself be hidden: `.tickets`).
pub fn read_source_files(path: &Path, exts: &[&str]) -> Result<Vec<SourceFile>, StoreError> {
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
