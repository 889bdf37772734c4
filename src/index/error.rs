//! The index layer's error type. Every SQLite failure carries a short phrase
//! naming the step that failed, so a message read at the CLI or MCP edge says
//! what the index was doing, not only what SQLite returned.

use std::path::PathBuf;

/// A failure of the index cache. None of these lose records: the cache is
/// derived from the YAML files and can always be rebuilt.
#[expect(
    unnameable_types,
    reason = "the source of an api::Error: adapters see it only as the error's class and cause chain"
)]
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("cannot create the directory {path} for the index cache")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the index cache {path}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot remove the unreadable index cache {path}")]
    RemoveCorrupt {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read the index cache's pointer file {}", path.display())]
    Pointer {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot publish the rebuilt index cache ({})", path.display())]
    Publish {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("index cache: {context}")]
    Sqlite {
        context: &'static str,
        source: rusqlite::Error,
    },
    /// A write the file system refused (a full disk, a file-size limit, a
    /// read-only folder): named by the cache file, since the fix is there.
    #[error("cannot write the index cache {} ({context})", path.display())]
    Unwritable {
        path: PathBuf,
        context: &'static str,
        source: rusqlite::Error,
    },
    #[error("index cache: cannot encode {what} as JSON")]
    Json {
        what: &'static str,
        source: serde_json::Error,
    },
    /// A row that the index wrote but cannot read back: the file was edited by
    /// hand or by another version. `orchestron index rebuild` repairs it.
    #[error("index cache: unreadable {what} {value:?} ({detail}); run `orchestron index rebuild`")]
    BadRow {
        what: &'static str,
        value: String,
        detail: String,
    },
    /// A bulk load that received fewer files than it was promised (a parsing
    /// thread died): it is rolled back rather than committed incomplete.
    #[error("index cache: the load received {loaded} of {expected} files; nothing was changed")]
    Incomplete { loaded: usize, expected: usize },
    #[error(
        "invalid change cursor {cursor:?}: expected the opaque cursor returned by a previous check for updates"
    )]
    InvalidCursor { cursor: String },
}

impl IndexError {
    /// This error, naming the cache file at `path` when the file system
    /// refused a write.
    pub(crate) fn at(self, path: &std::path::Path) -> IndexError {
        use rusqlite::ErrorCode::{CannotOpen, DiskFull, ReadOnly, SystemIoFailure};
        match self {
            IndexError::Sqlite { context, source }
                if matches!(
                    source.sqlite_error_code(),
                    Some(SystemIoFailure | DiskFull | ReadOnly | CannotOpen)
                ) =>
            {
                IndexError::Unwritable {
                    path: path.to_path_buf(),
                    context,
                    source,
                }
            }
            other => other,
        }
    }
}

/// Attaches the name of the failing step to a SQLite result.
pub(crate) trait Context<T> {
    fn ctx(self, context: &'static str) -> Result<T, IndexError>;
}

impl<T> Context<T> for Result<T, rusqlite::Error> {
    fn ctx(self, context: &'static str) -> Result<T, IndexError> {
        self.map_err(|source| IndexError::Sqlite { context, source })
    }
}
