//! What git remembers about records: one file's versions commit by commit (for
//! `task history`), and the files that differ between two commits, or between a
//! commit and the work tree, under a directory (for `orchestron diff`).
//! History follows first parents from HEAD, as `git log --first-parent` does, and
//! keeps a commit when the file's blob differs from its parent's: a merge commit
//! appears once, carrying what the merge brought to this branch.

use super::GitError;
use super::error::Context;
use super::repo::GitRepo;
use chrono::{DateTime, TimeZone, Utc};
use gix::ObjectId;
use serde::Serialize;
use std::collections::BTreeMap;

/// One committed version of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileVersion {
    /// The commit id (full hex).
    pub commit: String,
    /// The commit's author name.
    pub author: String,
    /// The author's email.
    pub email: String,
    /// When the commit was authored.
    pub time: DateTime<Utc>,
    /// The first line of the commit message.
    pub summary: String,
    /// The file's text after this commit; `None` when the commit deleted it.
    pub text: Option<String>,
    /// Where the file was after this commit (one of the paths asked about);
    /// `None` when the commit deleted it.
    pub path: Option<String>,
}

/// The newer side of a comparison: a commit, or the work tree's files (text
/// by repository-relative path, `/`-separated), read by the caller.
#[derive(Debug)]
pub enum After {
    Commit(ObjectId),
    WorkTree(BTreeMap<String, String>),
}

/// A file that differs between two sides, with its text on each side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedFile {
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    /// The text before; `None` when the file was added.
    pub before: Option<String>,
    /// The text after; `None` when the file was deleted.
    pub after: Option<String>,
}

impl GitRepo {
    /// The versions of one file (relative to the repository root) on the
    /// first-parent line of HEAD, newest first; empty on an unborn branch or
    /// when the file was never committed; the walk stops after
    /// `max_versions` versions (0 = all). The file may live at any of
    /// `paths` (a record and its archived self): a version is the file where
    /// it is in that commit (the first of `paths` that holds it, in
    /// [`FileVersion::path`]), so a move between them is one version, not a
    /// deletion.
    pub fn files_history(
        &self,
        paths: &[&str],
        max_versions: usize,
    ) -> Result<Vec<FileVersion>, GitError> {
        let Some(mut current) = self.head()? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        // Each file's folder: when a parent has the same folder tree, the file
        // is unchanged without looking it up among (possibly) thousands of entries.
        let dirs: Vec<&str> = paths
            .iter()
            .map(|p| p.rsplit_once('/').map_or("", |(d, _)| d))
            .collect();
        let mut current_blobs = Vec::new();
        let mut current_dirs = Vec::new();
        for (path, dir) in paths.iter().zip(&dirs) {
            current_blobs.push(self.blob_id_at(current, path)?);
            current_dirs.push(self.dir_tree_id(current, dir)?);
        }
        loop {
            let commit = self
                .repo
                .find_commit(current)
                .ctx(|| format!("reading commit {current}"))?;
            let parent = commit.parent_ids().next().map(|id| id.detach());
            let mut parent_blobs = Vec::new();
            let mut parent_dirs = Vec::new();
            for (i, (path, dir)) in paths.iter().zip(&dirs).enumerate() {
                let (blob, pd) = match parent {
                    Some(p) => {
                        let pd = self.dir_tree_id(p, dir)?;
                        if pd.is_some() && pd == current_dirs[i] {
                            (current_blobs[i], pd)
                        } else {
                            (self.blob_id_at(p, path)?, pd)
                        }
                    }
                    None => (None, None),
                };
                parent_blobs.push(blob);
                parent_dirs.push(pd);
            }
            if parent_blobs != current_blobs {
                out.push(self.version_at(current, paths, &current_blobs)?);
            }
            match parent {
                Some(p) if max_versions == 0 || out.len() < max_versions => {
                    current = p;
                    current_blobs = parent_blobs;
                    current_dirs = parent_dirs;
                }
                _ => break,
            }
        }
        Ok(out)
    }

    /// The version of a file at `commit`: the first of `paths` with a blob.
    fn version_at(
        &self,
        commit_id: ObjectId,
        paths: &[&str],
        blobs: &[Option<ObjectId>],
    ) -> Result<FileVersion, GitError> {
        let commit = self
            .repo
            .find_commit(commit_id)
            .ctx(|| format!("reading commit {commit_id}"))?;
        let author = commit
            .author()
            .ctx(|| format!("reading the author of {commit_id}"))?;
        let seconds = author.time().map(|t| t.seconds).unwrap_or_default();
        let message = commit
            .message()
            .ctx(|| format!("reading the message of {commit_id}"))?;
        let held = paths.iter().zip(blobs).find_map(|(p, b)| Some((*p, (*b)?)));
        Ok(FileVersion {
            commit: commit_id.to_string(),
            author: author.name.to_string().trim().to_string(),
            email: author.email.to_string().trim().to_string(),
            time: Utc.timestamp_opt(seconds, 0).single().unwrap_or_default(),
            summary: message.summary().to_string(),
            path: held.map(|(p, _)| p.to_string()),
            text: match held {
                Some((_, b)) => Some(self.blob_text(b)?),
                None => None,
            },
        })
    }

    /// The tree id of directory `dir` (`""` = the root) at `commit`, if it exists.
    fn dir_tree_id(&self, commit: ObjectId, dir: &str) -> Result<Option<ObjectId>, GitError> {
        GitRepo::folder_in(&self.tree_of(commit)?, dir, commit)
    }

    /// Files under `prefix` (a directory relative to the repository root, `""` for
    /// all) that differ between commit `from` and `to`: another commit, or the
    /// work tree's files as the caller read them (the store reads record files;
    /// git does not). `include` filters paths (e.g. only `*.yaml`).
    pub fn changed_files(
        &self,
        from: Option<ObjectId>,
        to: &After,
        prefix: &str,
        include: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<ChangedFile>, GitError> {
        let before = match from {
            Some(c) => self.blobs_under(c, prefix, include)?,
            None => BTreeMap::new(),
        };
        match to {
            After::Commit(c) => {
                let after = self.blobs_under(*c, prefix, include)?;
                self.changed_between(&before, &after)
            }
            After::WorkTree(files) => {
                let prefix = prefix.trim_matches('/');
                let after: BTreeMap<&String, &String> = files
                    .iter()
                    .filter(|(p, _)| under(prefix, p) && include(p))
                    .collect();
                self.changed_against(&before, &after)
            }
        }
    }

    /// The files whose blobs differ between two commits' listings.
    fn changed_between(
        &self,
        before: &BTreeMap<String, ObjectId>,
        after: &BTreeMap<String, ObjectId>,
    ) -> Result<Vec<ChangedFile>, GitError> {
        let mut out = Vec::new();
        let paths: std::collections::BTreeSet<&String> =
            before.keys().chain(after.keys()).collect();
        for path in paths {
            let (b, a) = (before.get(path), after.get(path));
            if b != a {
                out.push(ChangedFile {
                    path: path.clone(),
                    before: b.map(|id| self.blob_text(*id)).transpose()?,
                    after: a.map(|id| self.blob_text(*id)).transpose()?,
                });
            }
        }
        Ok(out)
    }

    /// The files that differ between a commit's listing and the work tree's texts.
    fn changed_against(
        &self,
        before: &BTreeMap<String, ObjectId>,
        after: &BTreeMap<&String, &String>,
    ) -> Result<Vec<ChangedFile>, GitError> {
        let kind = self.repo.object_hash();
        let mut out = Vec::new();
        let paths: std::collections::BTreeSet<&String> =
            before.keys().chain(after.keys().copied()).collect();
        for path in paths {
            let a = after.get(path).copied();
            // Hash the work-tree file as git would: an unchanged file costs
            // no blob read.
            let same_blob = |id: &ObjectId, text: &String| {
                gix::objs::compute_hash(kind, gix::objs::Kind::Blob, text.as_bytes())
                    .is_ok_and(|h| h == *id)
            };
            let b = match (before.get(path), a) {
                (Some(id), Some(text)) if same_blob(id, text) => continue,
                (Some(id), _) => Some(self.blob_text(*id)?),
                (None, _) => None,
            };
            if b.as_ref() != a {
                out.push(ChangedFile {
                    path: path.clone(),
                    before: b,
                    after: a.cloned(),
                });
            }
        }
        Ok(out)
    }

    /// Every blob under `prefix` at `commit`, by path.
    pub(super) fn blobs_under(
        &self,
        commit: ObjectId,
        prefix: &str,
        include: &dyn Fn(&str) -> bool,
    ) -> Result<BTreeMap<String, ObjectId>, GitError> {
        let tree = self.tree_of(commit)?;
        let prefix = prefix.trim_matches('/');
        let start = GitRepo::folder_in(&tree, prefix, commit)?;
        let mut out = BTreeMap::new();
        if let Some(start) = start {
            self.collect_blobs(start, prefix.to_string(), include, &mut out)?;
        }
        Ok(out)
    }

    fn collect_blobs(
        &self,
        tree: ObjectId,
        dir: String,
        include: &dyn Fn(&str) -> bool,
        out: &mut BTreeMap<String, ObjectId>,
    ) -> Result<(), GitError> {
        let tree = self
            .repo
            .find_tree(tree)
            .ctx(|| format!("reading tree {tree} ({dir})"))?;
        let decoded = tree.decode().ctx(|| format!("decoding tree {dir}"))?;
        for entry in &decoded.entries {
            let name = entry.filename.to_string();
            let path = if dir.is_empty() {
                name
            } else {
                format!("{dir}/{name}")
            };
            if entry.mode.is_tree() {
                self.collect_blobs(entry.oid.to_owned(), path, include, out)?;
            } else if entry.mode.is_blob() && include(&path) {
                out.insert(path, entry.oid.to_owned());
            }
        }
        Ok(())
    }
}

/// Whether repo-relative `path` lies under the folder `prefix` (`""`: the root).
pub(super) fn under(prefix: &str, path: &str) -> bool {
    prefix.is_empty()
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}
