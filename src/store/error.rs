//! Failures of the file layer, each naming the path (and where known the line)
//! it concerns.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no Orchestron workspace found in {start} or any parent (run `orchestron init`)")]
    NotFound { start: PathBuf },
    #[error("{path} is not an Orchestron workspace (no config.yaml with an `orchestron:` key)")]
    NotAWorkspace { path: PathBuf },
    #[error("{path}: {source}")]
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
