//! Where the workspace is and what is in it: discovery (upward from the working
//! directory, as git finds `.git/`), `--root` resolution, `config.yaml`, and the
//! path of every record. Ids are validated `RecordId`s before they get here, so
//! a path built from one cannot leave its directory.

use super::{StoreError, WorkspaceLock, lock::LockState};
use crate::model::{Config, IdKind, RecordId};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The usual name of the workspace folder inside a project.
pub const DIR_NAME: &str = ".orchestron";

/// An opened workspace: its folder and settings.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
    pub config: Config,
    lock: Arc<Mutex<LockState>>,
}

impl Workspace {
    /// Opens the workspace named by `root` — either a workspace folder itself
    /// (holding `config.yaml` with an `orchestron:` key) or a project folder that
    /// holds `.orchestron/` — or, without `root`, the nearest `.orchestron/` at or
    /// above `cwd`.
    pub fn open(root: Option<&Path>, cwd: &Path) -> Result<Self, StoreError> {
        match root {
            Some(root) => {
                let root = if root.is_absolute() {
                    root.to_path_buf()
                } else {
                    cwd.join(root)
                };
                if is_workspace(&root) {
                    return Self::load(root);
                }
                let inner = root.join(DIR_NAME);
                if is_workspace(&inner) {
                    refuse_link_outside(&root, &inner)?;
                    return Self::load(inner);
                }
                Err(StoreError::NotAWorkspace { path: root })
            }
            None => {
                for dir in cwd.ancestors() {
                    let candidate = dir.join(DIR_NAME);
                    if is_workspace(&candidate) {
                        refuse_link_outside(dir, &candidate)?;
                        return Self::load(candidate);
                    }
                }
                Err(StoreError::NotFound {
                    start: cwd.to_path_buf(),
                })
            }
        }
    }

    fn load(root: PathBuf) -> Result<Self, StoreError> {
        let path = root.join("config.yaml");
        let text = std::fs::read_to_string(&path).map_err(|e| StoreError::io(&path, e))?;
        let config: Config = super::parse_yaml(&path, &text).map_err(|e| match e {
            StoreError::Invalid {
                path,
                line,
                column,
                message,
            } => StoreError::Config {
                path,
                line,
                column,
                message,
            },
            other => other,
        })?;
        for prefix in [
            &config.prefix,
            &config.sprint_prefix,
            &config.context_prefix,
        ] {
            RecordId::parse(&format!("{prefix}-x")).map_err(|e| StoreError::Config {
                path: path.clone(),
                line: crate::model::key_line(&text, "prefix"),
                column: 1,
                message: format!("bad id prefix {prefix:?}: {e}"),
            })?;
        }
        let root = root.canonicalize().unwrap_or(root);
        Ok(Workspace {
            root,
            config,
            lock: Arc::default(),
        })
    }

    /// What `check` reports in `config.yaml` beyond what loading refuses:
    /// unknown keys, values the commands cannot read (`model::config_problems`).
    pub fn config_problems(&self) -> Vec<crate::model::Problem> {
        let Ok(text) = std::fs::read_to_string(self.root.join("config.yaml")) else {
            return Vec::new();
        };
        // A file that does not parse was refused when the workspace loaded.
        yaml_serde::from_str::<serde_json::Value>(&text)
            .map(|doc| crate::model::config_problems("config.yaml", &text, &doc))
            .unwrap_or_default()
    }

    /// The error of a `claims:` duration (`lease`, `closed_mark`) the
    /// commands cannot read, where `check` reports it: config.yaml is the
    /// user's file to fix (exit 6), not their input to this command.
    pub fn claims_config_error(&self, key: &str) -> Option<StoreError> {
        let (_, message) = self
            .config
            .claims
            .unreadable_durations()
            .into_iter()
            .find(|(k, _)| *k == key)?;
        let path = self.root.join("config.yaml");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let (line, column) = crate::model::nested_key_at(&text, &["claims", key]);
        Some(StoreError::Config {
            path,
            line,
            column,
            message,
        })
    }

    /// Whether the workspace is still there (its `config.yaml`, the marker).
    pub fn still_exists(&self) -> bool {
        self.root.join("config.yaml").is_file()
    }

    /// The workspace folder (`…/.orchestron`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder that holds the workspace: the project, usually a git work tree.
    pub fn project_dir(&self) -> &Path {
        self.root.parent().unwrap_or(&self.root)
    }

    pub fn dir(&self, kind: IdKind) -> PathBuf {
        self.root.join(kind.dir())
    }

    pub fn path(&self, kind: IdKind, id: &RecordId) -> PathBuf {
        self.root.join(kind.dir()).join(id.file_name())
    }

    pub fn abs(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The id prefix for records of `kind`.
    pub fn prefix(&self, kind: IdKind) -> &str {
        match kind {
            IdKind::Task => &self.config.prefix,
            IdKind::Sprint => &self.config.sprint_prefix,
            IdKind::Context => &self.config.context_prefix,
        }
    }

    /// Takes the workspace-wide write lock (in the git-ignored cache folder).
    pub fn lock(&self) -> Result<WorkspaceLock, StoreError> {
        WorkspaceLock::acquire(&self.lock, &self.lock_path())
    }

    /// The write lock if no other process holds it now (see
    /// [`WorkspaceLock::try_acquire`]).
    pub fn try_lock(&self) -> Result<Option<WorkspaceLock>, StoreError> {
        WorkspaceLock::try_acquire(&self.lock, &self.lock_path())
    }

    fn lock_path(&self) -> PathBuf {
        self.root.join("cache").join("write.lock")
    }
}

/// A project's `.orchestron` may be a symbolic link only to a folder inside
/// the project: one pointing elsewhere would have every command read and
/// write files the repository does not hold.
fn refuse_link_outside(project: &Path, folder: &Path) -> Result<(), StoreError> {
    let is_link = std::fs::symlink_metadata(folder).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(());
    }
    let target = folder
        .canonicalize()
        .map_err(|e| StoreError::io(folder, e))?;
    let project = project
        .canonicalize()
        .map_err(|e| StoreError::io(project, e))?;
    if target.starts_with(&project) {
        return Ok(());
    }
    Err(StoreError::LinkedOutside {
        link: folder.to_path_buf(),
        target,
    })
}

fn is_workspace(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("config.yaml")) else {
        return false;
    };
    text.lines().any(|l| l.starts_with("orchestron:"))
}
