//! Opening a repository and reading its state with gix: discovery (from a
//! subdirectory, in a linked worktree, with a detached HEAD or an unborn branch),
//! the branch/HEAD/dirty state a context snapshot records, revision resolution,
//! merge bases, the default branch and blobs at a commit. Dirty files come from
//! `git status` (see [`super::cli`]); everything else is read in-process.

use super::GitError;
use super::error::Context;
use crate::model::GitState;
use gix::ObjectId;
use std::path::{Path, PathBuf};

/// A git repository with a work tree, opened for reading.
pub struct GitRepo {
    pub(super) repo: gix::Repository,
    root: PathBuf,
}

impl std::fmt::Debug for GitRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitRepo").field("root", &self.root).finish()
    }
}

/// Where a repository was found, kept by a long-lived process: opening it
/// again from its work tree skips the search up the folders (a [`GitRepo`]
/// itself cannot be kept: gix's handle may not cross threads).
pub struct KeptRepo {
    root: PathBuf,
}

impl KeptRepo {
    /// The repository, opened at its work tree.
    pub fn open(&self) -> Result<GitRepo, GitError> {
        let repo = gix::open(&self.root).map_err(|e| {
            GitError::read(
                format!("opening the repository at {}", self.root.display()),
                e,
            )
        })?;
        Ok(GitRepo {
            repo,
            root: self.root.clone(),
        })
    }
}

impl std::fmt::Debug for KeptRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptRepo")
            .field("root", &self.root)
            .finish()
    }
}

impl GitRepo {
    /// Where this repository is, to keep (see [`KeptRepo`]).
    pub fn keep(&self) -> KeptRepo {
        KeptRepo {
            root: self.root.clone(),
        }
    }

    /// Finds the repository that contains `path` (a file or directory), searching
    /// upwards as git does. `Ok(None)` when `path` is not inside a repository.
    pub fn discover(path: &Path) -> Result<Option<GitRepo>, GitError> {
        let start = if path.is_file() {
            path.parent().unwrap_or(path)
        } else {
            path
        };
        let repo = match gix::discover(start) {
            Ok(r) => r,
            Err(e) => {
                use gix::discover::upwards::Error as Up;
                return match e.downcast_any_ref::<Up>() {
                    Some(Up::NoGitRepository { .. })
                    | Some(Up::NoGitRepositoryWithinCeiling { .. })
                    | Some(Up::NoGitRepositoryWithinFs { .. }) => Ok(None),
                    _ => Err(GitError::read(
                        format!("opening the repository around {}", start.display()),
                        e,
                    )),
                };
            }
        };
        let Some(workdir) = repo.workdir() else {
            return Err(GitError::Bare(repo.git_dir().to_path_buf()));
        };
        let root = canonical(workdir);
        Ok(Some(GitRepo { repo, root }))
    }

    /// The top directory of the work tree (canonicalized).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `path` (absolute, or relative to the current directory) relative to the work
    /// tree root, with `/` separators as git writes paths. `None` when outside.
    pub fn rel_path(&self, path: &Path) -> Option<String> {
        let abs = if path.is_absolute() {
            path.to_path_buf()
        } else {
            std::env::current_dir().ok()?.join(path)
        };
        // Canonicalize the longest existing ancestor so that symlinked temp dirs
        // (macOS /tmp) and files that do not exist yet both work.
        let mut existing = abs.as_path();
        let mut tail = Vec::new();
        while !existing.exists() {
            tail.push(existing.file_name()?.to_os_string());
            existing = existing.parent()?;
        }
        let mut full = canonical(existing);
        for part in tail.iter().rev() {
            full.push(part);
        }
        let rel = full.strip_prefix(&self.root).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }

    /// Branch, HEAD commit and the files changed but not committed. A detached HEAD
    /// has no branch; an unborn branch has a branch but no HEAD commit. If the
    /// `git` binary cannot be run, `dirty` is left empty (and a warning logged)
    /// rather than failing the snapshot that asked.
    pub fn state(&self) -> Result<GitState, GitError> {
        let head = self.repo.head().ctx(|| "reading HEAD".into())?;
        let branch = head.referent_name().map(|name| name.shorten().to_string());
        let head_id = match head.kind {
            gix::head::Kind::Unborn(_) => None,
            _ => Some(
                self.repo
                    .head_id()
                    .ctx(|| "resolving HEAD".into())?
                    .to_string(),
            ),
        };
        let dirty = match super::cli::dirty_paths(&self.root) {
            Ok(paths) => paths,
            Err(e @ GitError::Spawn { .. }) => {
                tracing::warn!(
                    "{}; recording no dirty files",
                    crate::model::with_causes(&e)
                );
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        Ok(GitState {
            branch,
            head: head_id,
            dirty,
        })
    }

    /// The directory shared by every worktree of this clone (`git rev-parse
    /// --git-common-dir`): where state that all worktrees must see lives.
    pub fn common_dir(&self) -> PathBuf {
        canonical(self.repo.common_dir())
    }

    /// The branch checked out in this work tree; `None` on a detached HEAD.
    pub fn branch(&self) -> Result<Option<String>, GitError> {
        let head = self.repo.head().ctx(|| "reading HEAD".into())?;
        Ok(head.referent_name().map(|name| name.shorten().to_string()))
    }

    /// The HEAD commit, `None` on an unborn branch.
    pub fn head(&self) -> Result<Option<ObjectId>, GitError> {
        let head = self.repo.head().ctx(|| "reading HEAD".into())?;
        if head.is_unborn() {
            return Ok(None);
        }
        Ok(Some(
            self.repo
                .head_id()
                .ctx(|| "resolving HEAD".into())?
                .detach(),
        ))
    }

    /// Resolves a revision (`main`, `origin/main`, `HEAD~2`, a full or abbreviated
    /// id, a tag) to the commit it names.
    pub fn resolve(&self, rev: &str) -> Result<ObjectId, GitError> {
        let unknown = |e: &dyn std::fmt::Display| GitError::UnknownRevision {
            rev: rev.to_string(),
            message: e.to_string(),
        };
        let id = self.repo.rev_parse_single(rev).map_err(|e| unknown(&e))?;
        let commit = id
            .object()
            .map_err(|e| unknown(&e))?
            .peel_to_commit()
            .map_err(|e| unknown(&e))?;
        Ok(commit.id)
    }

    /// The best common ancestor of two commits, `None` for unrelated histories.
    pub fn merge_base(&self, a: ObjectId, b: ObjectId) -> Result<Option<ObjectId>, GitError> {
        Ok(self
            .repo
            .merge_base(a, b)
            .ctx(|| format!("finding the merge base of {a} and {b}"))?
            .map(|id| id.detach()))
    }

    /// The branch a pull request would target: what `origin/HEAD` points to, else
    /// the first of `main`, `master`, `origin/main`, `origin/master` that exists.
    /// Returned as a revision name usable with [`GitRepo::resolve`].
    pub fn default_branch(&self) -> Result<Option<String>, GitError> {
        if let Some(r) = self
            .repo
            .try_find_reference("refs/remotes/origin/HEAD")
            .ctx(|| "reading refs/remotes/origin/HEAD".into())?
            && let gix::refs::TargetRef::Symbolic(name) = r.target()
        {
            return Ok(Some(name.shorten().to_string()));
        }
        for candidate in [
            "refs/heads/main",
            "refs/heads/master",
            "refs/remotes/origin/main",
            "refs/remotes/origin/master",
        ] {
            if self
                .repo
                .try_find_reference(candidate)
                .ctx(|| format!("reading {candidate}"))?
                .is_some()
            {
                let short = candidate
                    .trim_start_matches("refs/heads/")
                    .trim_start_matches("refs/remotes/");
                return Ok(Some(short.to_string()));
            }
        }
        Ok(None)
    }

    /// The text of `path` (relative to the work tree root) at `commit`; `None` when
    /// the file does not exist there or is not a file. Non-UTF-8 bytes are replaced.
    #[cfg(test)]
    pub fn blob_at(&self, commit: ObjectId, path: &str) -> Result<Option<String>, GitError> {
        let Some(blob) = self.blob_id_at(commit, path)? else {
            return Ok(None);
        };
        self.blob_text(blob).map(Some)
    }

    /// The text of `path` at HEAD; `None` on an unborn branch or when absent.
    #[cfg(test)]
    pub fn blob_at_head(&self, path: &str) -> Result<Option<String>, GitError> {
        match self.head()? {
            Some(head) => self.blob_at(head, path),
            None => Ok(None),
        }
    }

    /// The blob id of `path` at `commit`, `None` when absent or not a file.
    pub(super) fn blob_id_at(
        &self,
        commit: ObjectId,
        path: &str,
    ) -> Result<Option<ObjectId>, GitError> {
        let tree = self.tree_of(commit)?;
        let entry = tree
            .lookup_entry_by_path(path)
            .ctx(|| format!("looking up {path} in {commit}"))?;
        Ok(entry.filter(|e| e.mode().is_blob()).map(|e| e.object_id()))
    }

    pub(super) fn tree_of(&self, commit: ObjectId) -> Result<gix::Tree<'_>, GitError> {
        self.repo
            .find_commit(commit)
            .ctx(|| format!("reading commit {commit}"))?
            .tree()
            .ctx(|| format!("reading the tree of {commit}"))
    }

    /// The tree of the folder `folder` (no leading or trailing `/`; empty
    /// for the root) in `tree`, the tree of `commit`; `None` when that
    /// path is not a folder there.
    pub(super) fn folder_in(
        tree: &gix::Tree<'_>,
        folder: &str,
        commit: ObjectId,
    ) -> Result<Option<ObjectId>, GitError> {
        if folder.is_empty() {
            return Ok(Some(tree.id));
        }
        Ok(tree
            .lookup_entry_by_path(folder)
            .ctx(|| format!("looking up {folder} in {commit}"))?
            .filter(|e| e.mode().is_tree())
            .map(|e| e.object_id()))
    }

    pub(super) fn blob_text(&self, id: ObjectId) -> Result<String, GitError> {
        let blob = self
            .repo
            .find_blob(id)
            .ctx(|| format!("reading blob {id}"))?;
        Ok(String::from_utf8_lossy(&blob.data).into_owned())
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}
