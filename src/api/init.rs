//! `init`: the use-case that makes (or completes) a workspace in a project,
//! and its report. The store creates the folders and files; what the user is
//! told — the workspace folder and what was created — is this layer's
//! [`InitReport`], so the store carries nothing shaped for an adapter.

use super::{Error, Orchestron, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What `init` created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitReport {
    /// The workspace folder (`…/.orchestron`).
    pub root: PathBuf,
    /// What was created, relative to the project (`.orchestron/tasks/`, …);
    /// empty when the workspace was complete already.
    pub created: Vec<String>,
}

impl Orchestron {
    /// Creates a workspace in `project` (idempotent). A project inside
    /// another workspace's project is refused, naming that workspace — its
    /// commands already work there — unless `nested` asks for a second one.
    pub fn init(project: &Path, nested: bool) -> Result<InitReport> {
        let fresh = !crate::store::has_workspace(project);
        if fresh
            && !nested
            && let Some(parent) = project.parent()
            && let Ok(outer) = crate::store::Workspace::open(None, parent)
        {
            return Err(Error::Refused(format!(
                "{} is inside the project of the workspace {}, which orchestron already uses \
                 here; run it there, or `orchestron init --force` for a second workspace \
                 nested in this folder",
                project.display(),
                outer.root().display()
            )));
        }
        let done = crate::store::init(project)?;
        Ok(InitReport {
            root: done.root,
            created: done.created,
        })
    }
}
