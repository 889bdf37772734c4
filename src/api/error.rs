//! The errors of the use-case API: typed at the bottom (store, index, model) and
//! given the context a user needs here (which id, which near matches, which
//! valid values). The adapters map them to exit codes or MCP tool errors.

use crate::index::IndexError;
use crate::model::ModelError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Git(#[from] crate::git::GitError),
    #[error("unknown {kind} {id}{}", did_you_mean(.suggestions))]
    NotFound {
        kind: &'static str,
        id: String,
        suggestions: Vec<String>,
    },
    #[error("{path}:{line}:{column}: {message} (fix the file, then retry)")]
    BrokenRecord {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{id} is held by {holder} (IN_PROGRESS); ask them or reassign it explicitly")]
    Held { id: String, holder: String },
    /// A write to a task another agent holds on a live lease (see
    /// docs/CLAIMS.md): the holder, where and until when, and the override.
    #[error(
        "refused: {id} is claimed by {holder}; ask them, or override with --force (MCP: force: true) — their claim ends and they are told"
    )]
    ClaimedByOther { id: String, holder: String },
    /// A claim of a task closed in another work tree or clone that this
    /// one's files do not show yet.
    #[error(
        "refused: {id} was closed elsewhere: {closed}; merge that work to see it here, or claim with --force / force: true to take it anyway"
    )]
    ClosedElsewhere { id: String, closed: String },
    #[error(
        "refused: {id} depends on open work ({open}); finish that first, or claim with --force / force: true"
    )]
    Blocked { id: String, open: String },
    #[error("refused: {id} → {on} would create a dependency cycle ({path})")]
    Cycle {
        id: String,
        on: String,
        path: String,
    },
    /// A parent link that would make a task its own ancestor: refused like a
    /// dependency cycle (the same rule for both hierarchies of the graph).
    #[error("refused: {parent} cannot be the parent of {id} (it would be its own ancestor)")]
    ParentLoop { id: String, parent: String },
    /// A write to an archived record: the archive is never rewritten.
    #[error(
        "refused: {id} is archived (archived records are not changed); bring it back with `orchestron archive --restore {id}`"
    )]
    Archived { id: String },
    /// `sync` cannot run in this state (a merge in progress, other files
    /// staged, no upstream, conflicts left by the pull).
    #[error("sync refused: {0}")]
    SyncRefused(String),
    /// A well-formed request the current state does not allow (claiming a
    /// closed task, restoring a record that is not archived).
    #[error("refused: {0}")]
    Refused(String),
    /// The caller's input is wrong (a value, a missing field, a file they point at).
    #[error("{0}")]
    Invalid(String),
    /// The file or folder a user named to import from cannot be read.
    #[error("cannot read the import source {path}")]
    ImportSource {
        path: String,
        #[source]
        source: StoreError,
    },
    /// A fault on our side — the live updates cannot start, a built-in template or
    /// a value cannot be encoded: never reported as the caller's input.
    #[error("{what}")]
    Internal {
        what: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", suggestions.join(", "))
    }
}

impl Error {
    /// An internal fault: `what` we were doing, and why it failed.
    pub(crate) fn internal(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::Internal {
            what: what.into(),
            source: source.into(),
        }
    }

    /// A broad class for exit codes and tool-error wording.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::NotFound { .. } => ErrorClass::NotFound,
            Error::Model(_)
            | Error::Invalid(_)
            | Error::ImportSource { .. }
            | Error::Index(IndexError::InvalidCursor { .. }) => ErrorClass::InvalidInput,
            Error::Held { .. }
            | Error::ClaimedByOther { .. }
            | Error::ClosedElsewhere { .. }
            | Error::Cycle { .. }
            | Error::ParentLoop { .. }
            | Error::Blocked { .. }
            | Error::Archived { .. }
            | Error::Refused(_)
            | Error::SyncRefused(_) => ErrorClass::Conflict,
            Error::BrokenRecord { .. } | Error::Store(StoreError::Config { .. }) => {
                ErrorClass::BrokenRecord
            }
            Error::Store(StoreError::NotFound { .. } | StoreError::NotAWorkspace { .. }) => {
                ErrorClass::NoWorkspace
            }
            Error::Store(StoreError::Locked { .. } | StoreError::WatcherServing { .. }) => {
                ErrorClass::Conflict
            }
            Error::Store(
                StoreError::LinkedOutside { .. }
                | StoreError::BadDbPath { .. }
                | StoreError::UserFile { .. },
            ) => ErrorClass::InvalidInput,
            Error::Git(crate::git::GitError::UnknownRevision { .. }) => ErrorClass::InvalidInput,
            Error::Git(crate::git::GitError::Unreachable { .. }) => ErrorClass::Unavailable,
            Error::Store(_) | Error::Index(_) | Error::Git(_) | Error::Internal { .. } => {
                ErrorClass::Internal
            }
        }
    }
}

/// What kind of failure an error is, independent of its wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    NotFound,
    InvalidInput,
    Conflict,
    BrokenRecord,
    NoWorkspace,
    /// A remote the command needs (`claims.remote`, `sync`) cannot be reached.
    Unavailable,
    Internal,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
