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
