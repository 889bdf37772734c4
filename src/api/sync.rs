//! `orchestron sync`: share the backlog through git in one step. It commits
//! what changed under the workspace folder only (a generated message naming
//! each record and what happened to it), pulls from the branch's upstream with
//! a merge — the Orchestron merge driver, configured here if it is not yet,
//! merges records field by field — and pushes; when another push won the race
//! it pulls and pushes again, a bounded number of times. It refuses, saying
//! why, while a merge or rebase is in progress, when files outside the
//! workspace folder are staged (they are the user's commit to make), and
//! when the branch has no upstream.

use super::{Error, Orchestron, Result};
use crate::git::GitRepo;
use crate::git::sync::{self, Pulled, Pushed, SyncBlocker};
use crate::model::RecordId;
use serde::Serialize;

/// How often a push that lost the race is retried (pull, then push again).
const MAX_PUSH_ATTEMPTS: u32 = 8;

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SyncReport {
    /// The commit message of the records committed, when there were any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub committed: Option<String>,
    /// The pull brought commits from the upstream.
    pub pulled: bool,
    /// Local commits were pushed.
    pub pushed: bool,
    /// Push attempts (more than one: another push won the race first).
    pub attempts: u32,
}

impl Orchestron {
    /// Commits `.orchestron/` changes, pulls through the merge driver,
    /// pushes (retrying a lost race), and refreshes the index when the pull
    /// brought changes.
    pub fn sync(&mut self) -> Result<SyncReport> {
        let t = crate::timing::Phase::start();
        let Some(repo) = GitRepo::discover(self.ws.root())? else {
            return Err(refused("the workspace is not in a git repository"));
        };
        let root = repo.root().to_path_buf();
        let folder = repo
            .rel_path(self.ws.root())
            .ok_or_else(|| refused("the workspace folder is outside the repository"))?;
        // No Orchestron write may land between staging and committing.
        let _lock = self.ws.lock()?;
        let up = match sync::sync_upstream(&root, &folder)? {
            Ok(up) => up,
            Err(b) => return Err(refused(&blocker_reason(&b))),
        };
        Orchestron::git_setup(self.ws.root())?;
        t.lap("sync: checks");
        let mut report = SyncReport::default();
        let staged = sync::stage_folder(&root, &folder)?;
        t.lap("sync: stage");
        if !staged.is_empty() {
            let message = self.commit_message(&folder, &staged);
            sync::commit(&root, &message)?;
            report.committed = Some(message);
        }
        t.lap("sync: commit");
        loop {
            report.attempts += 1;
            match sync::pull(&root, &up)? {
                Pulled::Clean(moved) => report.pulled |= moved,
                Pulled::Conflicts(files) => {
                    return Err(refused(&format!(
                        "the pull left conflicts in {}: resolve them, commit, then run sync again",
                        files.join(", ")
                    )));
                }
            }
            if sync::ahead(&root, &up)? == 0 {
                break;
            }
            match sync::push(&root, &up)? {
                Pushed::Landed => {
                    report.pushed = true;
                    break;
                }
                Pushed::UpToDate => break,
                Pushed::Rejected => {}
            }
            if report.attempts >= MAX_PUSH_ATTEMPTS {
                return Err(refused(&format!(
                    "{} kept moving: {MAX_PUSH_ATTEMPTS} pushes lost the race; run sync again",
                    up.remote
                )));
            }
        }
        t.lap("sync: pull + push");
        // Only a pull changes files (staging and committing do not touch
        // them), and the index was refreshed when the workspace was opened.
        if report.pulled {
            self.refresh()?;
        }
        Ok(report)
    }

    /// "orchestron sync: 3 records (1 created, 2 changed)" and a line per
    /// record: "TASK-x created: Title".
    fn commit_message(&self, folder: &str, staged: &[(char, String)]) -> String {
        let mut counts = [0usize; 3];
        let mut lines = Vec::new();
        for (status, path) in staged {
            let (what, n) = match status {
                'A' => ("created", 0),
                'D' => ("deleted", 2),
                _ => ("changed", 1),
            };
            counts[n] += 1;
            let rel = path
                .strip_prefix(folder)
                .unwrap_or(path)
                .trim_start_matches('/');
            let stem = rel.rsplit('/').next().unwrap_or(rel);
            let id = stem.strip_suffix(".yaml").unwrap_or(stem);
            let title = RecordId::parse(id)
                .ok()
                .filter(|_| rel.starts_with("tasks/"))
                .and_then(|id| self.index.task(&id).ok().flatten())
                .map(|t| format!(": {}", t.title))
                .unwrap_or_default();
            let name = if rel.starts_with("tasks/")
                || rel.starts_with("sprints/")
                || rel.starts_with("contexts/")
            {
                id.to_string()
            } else {
                rel.to_string()
            };
            lines.push(format!("{name} {what}{title}"));
        }
        let parts: Vec<String> = ["created", "changed", "deleted"]
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(w, n)| format!("{n} {w}"))
            .collect();
        format!(
            "orchestron sync: {} record{} ({})\n\n{}\n",
            staged.len(),
            if staged.len() == 1 { "" } else { "s" },
            parts.join(", "),
            lines.join("\n")
        )
    }
}

fn refused(reason: &str) -> Error {
    Error::SyncRefused(reason.to_string())
}

fn blocker_reason(b: &SyncBlocker) -> String {
    match b {
        SyncBlocker::Merging => {
            "a merge is in progress: finish it (or `git merge --abort`) first".into()
        }
        SyncBlocker::Rebasing => {
            "a rebase is in progress: finish it (or `git rebase --abort`) first".into()
        }
        SyncBlocker::StagedOutside(files) => format!(
            "files outside the workspace folder are staged ({}): commit or unstage them first",
            files.join(", ")
        ),
        SyncBlocker::DetachedHead => "HEAD is detached: check out a branch first".into(),
        SyncBlocker::NoUpstream(branch) => {
            format!("branch {branch} has no upstream: `git push -u <remote> {branch}` once first")
        }
    }
}
