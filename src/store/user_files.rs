//! Files outside the record folders that Orchestron reads or writes for the
//! user: the three versions git hands the merge driver, the MCP client
//! configuration and the agent instructions in a project, a page the user
//! asked to be written, a token file the user named. Writes are atomic like
//! every record write; a read of a file the user names is capped.

use super::{StoreError, write_atomic};
use std::io::Read;
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

/// Writes a file outside the record folders — one the user named (`board
/// --html FILE`) or keeps (AGENTS.md, `.mcp.json`): a new path or a regular
/// file is replaced atomically (with its folders created); anything else
/// that is there is written through as a shell's `>` would, so a symbolic
/// link keeps pointing where it did (its target gets the bytes) and a FIFO
/// or a device (`/dev/stdout`) receives them instead of being replaced by a
/// regular file. A directory is refused.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => write_atomic(path, bytes).map(drop),
        Err(e) => Err(StoreError::io(path, e)),
        Ok(m) if m.is_file() => write_atomic(path, bytes).map(drop),
        Ok(m) if m.is_dir() => Err(StoreError::io(
            path,
            std::io::Error::from(std::io::ErrorKind::IsADirectory),
        )),
        Ok(_) => write_through(path, bytes).map_err(|e| StoreError::io(path, e)),
    }
}

/// [`write_file`] for a path the user named: a failure is theirs to fix
/// (a missing permission, a directory), not an internal fault.
pub fn write_named_file(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    write_file(path, bytes).map_err(|e| match e {
        StoreError::Io { path, source } => StoreError::UserFile { path, source },
        other => other,
    })
}

/// Opens what `path` names (following a link, creating a link's missing
/// target) and writes `bytes` into it.
fn write_through(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.flush()
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

/// The text of a small file the user named (a token file): at most `max`
/// bytes, so a wrong path (a log, a device) is refused instead of read whole.
/// A pipe is fine (`--token-file <(…)`): it is read up to the cap.
pub fn read_small_text(path: &Path, max: u64) -> Result<String, StoreError> {
    let invalid = |message: String| StoreError::Invalid {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| StoreError::io(path, e))?;
    if bytes.len() as u64 > max {
        return Err(invalid(format!("larger than {max} bytes")));
    }
    String::from_utf8(bytes).map_err(|_| invalid("not UTF-8 text".into()))
}
