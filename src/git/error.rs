//! The git layer's error type. Every variant says what we were doing and on
//! which path or revision, so a message printed at the edge is actionable
//! without a backtrace.

use std::path::PathBuf;

/// What went wrong while reading a repository or running the `git` binary.
#[expect(
    unnameable_types,
    reason = "the source of an api::Error: adapters see it only as the error's class and cause chain"
)]
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// gix failed while reading the repository.
    #[error("git: {context}: {message}")]
    Read { context: String, message: String },
    /// A revision given by the user names no commit.
    #[error("git: unknown revision `{rev}`: {message}")]
    UnknownRevision { rev: String, message: String },
    /// The repository has no work tree (a bare repository).
    #[error("git: the repository at {0} has no work tree")]
    Bare(PathBuf),
    /// The `git` binary could not be started (not installed, not on PATH).
    #[error("git: could not run `git {args}` (is git installed and on PATH?)")]
    Spawn {
        args: String,
        #[source]
        source: std::io::Error,
    },
    /// The `git` binary ran and failed.
    #[error("git: `git {args}` failed ({status}): {stderr}")]
    Command {
        args: String,
        status: String,
        stderr: String,
    },
    /// A remote could not be reached (offline, wrong URL, no access): nothing
    /// was changed there.
    #[error("git: remote `{remote}` is unreachable: {stderr}")]
    Unreachable { remote: String, stderr: String },
    /// A file could not be read or written.
    #[error("git: {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl GitError {
    /// Wraps a gix error with what we were doing.
    pub(crate) fn read(context: impl Into<String>, err: impl std::fmt::Display) -> Self {
        GitError::Read {
            context: context.into(),
            message: err.to_string(),
        }
    }
}

/// Adds context to gix results: `repo.head().ctx("reading HEAD")?`.
pub(crate) trait Context<T> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T, GitError>;
}

impl<T, E: std::fmt::Display> Context<T> for Result<T, E> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T, GitError> {
        self.map_err(|e| GitError::read(context(), e))
    }
}
