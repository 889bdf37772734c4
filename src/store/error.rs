//! Failures of the file layer, each naming the path (and where known the line)
//! it concerns.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no Orchestron workspace found in {start} or any parent (run `orchestron init`)")]
    NotFound { start: PathBuf },
    #[error(
        "{path} is not an Orchestron workspace (no config.yaml with an `orchestron:` key; run `orchestron init`)"
    )]
    NotAWorkspace { path: PathBuf },
    #[error("{path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// Another process held the workspace lock for longer than we wait.
    #[error(
        "the workspace is locked by another process (waited {waited:?} for {path}); retry when it has finished"
    )]
    Locked {
        path: PathBuf,
        waited: std::time::Duration,
    },
    #[error("{path} already exists")]
    Exists { path: PathBuf },
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}
