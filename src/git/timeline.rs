//! When task statuses changed, as git remembers it: one first-parent walk from
//! HEAD over the tasks folder, reporting each commit that moved a task file from
//! one status to another (insights: started, finished, burndown). A commit whose
//! tasks folder is the same tree as its parent's costs no folder read; a blob's
//! status is read from its `status:` line once per blob, not by parsing the whole
//! record. The walk stops after `max_commits` commits, so a long history costs a
//! bounded amount; `shallow` says when the history itself is cut.

use super::GitError;
use super::error::Context;
use super::repo::GitRepo;
use crate::model::Status;
use chrono::{DateTime, TimeZone, Utc};
use gix::ObjectId;
use std::collections::HashMap;

/// One task file's status change in one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusStep {
    /// The file name without `.yaml` (the task id as written).
    pub id: String,
    /// The commit's author time.
    pub at: DateTime<Utc>,
    /// The status before (`None`: the file did not exist or had no status).
    pub from: Option<Status>,
    /// The status after (`None`: the commit deleted the file).
    pub to: Option<Status>,
}

/// What the walk found, newest first.
#[derive(Debug, Clone, Default)]
pub struct StatusTimeline {
    pub steps: Vec<StatusStep>,
    /// True when the repository is a shallow clone (older history is missing).
    pub shallow: bool,
    /// True when the walk stopped at `max_commits` before the root commit.
    pub cut: bool,
}

impl GitRepo {
    /// True when the repository is a shallow clone.
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow().unwrap_or(false)
    }

    /// The status changes of files in folder `dir` (relative to the repository
    /// root) on HEAD's first-parent line, newest first.
    pub fn status_timeline(
        &self,
        dir: &str,
        max_commits: usize,
    ) -> Result<StatusTimeline, GitError> {
        let mut out = StatusTimeline {
            shallow: self.is_shallow(),
            ..StatusTimeline::default()
        };
        let Some(mut current) = self.head()? else {
            return Ok(out);
        };
        let mut statuses: HashMap<ObjectId, Option<Status>> = HashMap::new();
        let mut current_dir = self.folder_of(current, dir)?;
        let mut current_entries: Option<HashMap<String, ObjectId>> = None;
        for _ in 0..max_commits.max(1) {
            let commit = self
                .repo
                .find_commit(current)
                .ctx(|| format!("reading commit {current}"))?;
            let parent = commit.parent_ids().next().map(|id| id.detach());
            let parent_dir = match parent {
                Some(p) => self.folder_of(p, dir)?,
                None => None,
            };
            if parent_dir != current_dir {
                let seconds = commit
                    .author()
                    .ctx(|| format!("reading the author of {current}"))?
                    .time()
                    .map(|t| t.seconds)
                    .unwrap_or_default();
                let at = Utc.timestamp_opt(seconds, 0).single().unwrap_or_default();
                let now_entries = match current_entries.take() {
                    Some(e) => e,
                    None => self.entries(current_dir)?,
                };
                let before = self.entries(parent_dir)?;
                for (name, oid) in &now_entries {
                    let old = before.get(name);
                    if old == Some(oid) {
                        continue;
                    }
                    let to = self.status_of(&mut statuses, *oid)?;
                    let from = match old {
                        Some(o) => self.status_of(&mut statuses, *o)?,
                        None => None,
                    };
                    if from != to {
                        out.steps.push(StatusStep {
                            id: name.clone(),
                            at,
                            from,
                            to,
                        });
                    }
                }
                for (name, oid) in &before {
                    if !now_entries.contains_key(name) {
                        let from = self.status_of(&mut statuses, *oid)?;
                        out.steps.push(StatusStep {
                            id: name.clone(),
                            at,
                            from,
                            to: None,
                        });
                    }
                }
                current_entries = Some(before);
            } else {
                // Same tree: the entries just read serve the parent too.
            }
            match parent {
                Some(p) => {
                    current = p;
                    current_dir = parent_dir;
                }
                None => return Ok(out),
            }
        }
        out.cut = true;
        Ok(out)
    }

    fn folder_of(&self, commit: ObjectId, dir: &str) -> Result<Option<ObjectId>, GitError> {
        let tree = self.tree_of(commit)?;
        Ok(tree
            .lookup_entry_by_path(dir)
            .ctx(|| format!("looking up {dir} in {commit}"))?
            .filter(|e| e.mode().is_tree())
            .map(|e| e.object_id()))
    }

    /// The `*.yaml` blobs of a folder tree, by file stem.
    fn entries(&self, tree: Option<ObjectId>) -> Result<HashMap<String, ObjectId>, GitError> {
        let mut out = HashMap::new();
        let Some(tree) = tree else { return Ok(out) };
        let t = self
            .repo
            .find_tree(tree)
            .ctx(|| format!("reading tree {tree}"))?;
        let decoded = t.decode().ctx(|| format!("decoding tree {tree}"))?;
        for e in &decoded.entries {
            let name = e.filename.to_string();
            if e.mode.is_blob()
                && let Some(stem) = name.strip_suffix(".yaml")
            {
                out.insert(stem.to_string(), e.oid.to_owned());
            }
        }
        Ok(out)
    }

    fn status_of(
        &self,
        cache: &mut HashMap<ObjectId, Option<Status>>,
        blob: ObjectId,
    ) -> Result<Option<Status>, GitError> {
        if let Some(s) = cache.get(&blob) {
            return Ok(*s);
        }
        let text = self.blob_text(blob)?;
        let status = status_line(&text);
        cache.insert(blob, status);
        Ok(status)
    }
}

/// The value of the top-level `status:` line (a task without one is TODO, as
/// the record's default says).
pub fn status_line(text: &str) -> Option<Status> {
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("status:") {
            let value = rest.split('#').next().unwrap_or("").trim();
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            return value.parse().ok();
        }
    }
    Some(Status::Todo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_line_reads_the_top_level_key_only() {
        assert_eq!(
            status_line("id: T\n  status: DONE\nstatus: in progress # x\n"),
            Some(Status::InProgress)
        );
        assert_eq!(status_line("id: T\n"), Some(Status::Todo));
        assert_eq!(status_line("status: NOPE\n"), None);
    }
}
