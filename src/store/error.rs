//! Failures of the file layer, each naming the path (and where known the line)
//! it concerns.

use std::path::PathBuf;

#[expect(
    unnameable_types,
    reason = "the source of an api::Error: adapters see it only as the error's class and cause chain"
)]
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
    /// A file the user named (an output path, a file to read) that cannot be
    /// used: their input, not our fault.
    #[error("{path}")]
    UserFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `config.yaml` cannot be read as the settings (bad YAML, a wrong
    /// type, a bad id prefix): the user's file to fix, like a broken record.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Config {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A `.orchestron` that is a symbolic link out of its project.
    #[error(
        "{} is a symbolic link to {}, outside the project; refused, not followed",
        link.display(),
        target.display()
    )]
    LinkedOutside { link: PathBuf, target: PathBuf },
    /// `ORCHESTRON_DB` names a place the cache may not be.
    #[error("ORCHESTRON_DB={} is refused: {why}", value.display())]
    BadDbPath { value: PathBuf, why: &'static str },
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
    /// A record file that is not there (`path` relative to the workspace).
    #[error("{path} does not exist")]
    Missing { path: String },
    /// A record file that holds no valid record, at its first error.
    #[error("{path}:{line}:{column}: {message}")]
    Broken {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path} cannot be written as YAML: {message}")]
    Encode { path: String, message: String },
    /// A worker thread of a parallel pass died; its share of the files is
    /// unknown, so the whole pass fails rather than report too few files.
    #[error("a {pass} worker thread panicked")]
    WorkerPanicked { pass: &'static str },
    /// Another process already lends its file monitor on this workspace's socket.
    #[error("a watcher (pid {pid}) already serves this workspace on {socket}")]
    WatcherServing { socket: PathBuf, pid: u32 },
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}
