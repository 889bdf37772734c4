//! `orchestron sync`: share the backlog through git in one step. It commits
//! what changed under the workspace folder only (a generated message naming
//! each record and what happened to it), pulls from the branch's upstream with
//! a merge — the Orchestron merge driver, configured here if it is not yet,
//! merges records field by field — and pushes; when another push won the race
//! it waits a random while (exponential backoff with full jitter, so that
//! many clones syncing at once spread out instead of colliding again), pulls
//! and pushes again, for as long as its time allows (`--timeout`, 5m): under
//! contention every sync gets through, and one that runs out of time says how
//! often it tried and that its commit is safe locally. It refuses, saying
//! why, while a merge or rebase is in progress, when files outside the
//! workspace folder are staged (they are the user's commit to make), and
//! when the branch has no upstream.

use super::{Error, Orchestron, Result};
use crate::git::GitRepo;
use crate::git::sync::{self, Pulled, Pushed, SyncBlocker};
use crate::git::sync_commit;
use crate::model::{LEASE_FORMAT, RecordId, parse_lease};
use serde::Serialize;
use std::time::{Duration, Instant};

/// How long a sync keeps retrying lost push races when `--timeout` does not say.
pub const DEFAULT_SYNC_TIMEOUT: &str = "5m";
/// The first backoff's ceiling; it doubles with every lost race…
const BACKOFF_BASE: Duration = Duration::from_millis(50);
/// …up to this. Small enough that a clone waits little once the crowd thins,
/// large enough that eight clones at once spread over a few pushes' time.
const BACKOFF_CAP: Duration = Duration::from_secs(2);

/// How a sync runs.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// How long to keep retrying lost push races (`90s`, `5m`); default 5m.
    pub timeout: Option<String>,
}

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
    /// Pull-and-push attempts (more than one: another push won the race first).
    pub attempts: u32,
}

impl Orchestron {
    /// Commits `.orchestron/` changes, pulls through the merge driver,
    /// pushes (retrying lost races with backoff until `opts.timeout`), and
    /// refreshes the index when the pull brought changes.
    pub fn sync(&mut self, opts: &SyncOptions) -> Result<SyncReport> {
        let t = crate::timing::Phase::start();
        let timeout = sync_timeout(opts.timeout.as_deref())?;
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
        let committed = sync_commit::commit_folder(&root, &folder, &|staged| {
            self.commit_message(&folder, staged)
        })?;
        let mut report = SyncReport {
            committed,
            ..SyncReport::default()
        };
        t.lap("sync: commit");
        let deadline = Instant::now() + timeout;
        // The workspace lock stays held while waiting: a write landing
        // between two pulls would leave the work tree dirty for the merge.
        while !pull_and_push(&root, &up, &mut report)? {
            let wait = backoff(report.attempts);
            if Instant::now() + wait >= deadline {
                return Err(refused(&format!(
                    "{} kept moving: gave up after {} attempts in {}s (--timeout {}); nothing was lost: \
                     the commit is in this clone, run sync again",
                    up.remote,
                    report.attempts,
                    timeout.as_secs(),
                    opts.timeout.as_deref().unwrap_or(DEFAULT_SYNC_TIMEOUT),
                )));
            }
            std::thread::sleep(wait);
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

/// One attempt: pull through the merge driver, then push what is ahead.
/// `true` when done (pushed, or nothing to push), `false` when another push
/// won the race.
fn pull_and_push(
    root: &std::path::Path,
    up: &sync::Upstream,
    report: &mut SyncReport,
) -> Result<bool> {
    report.attempts += 1;
    match sync::pull(root, up)? {
        Pulled::Clean(moved) => report.pulled |= moved,
        Pulled::Conflicts(files) => {
            return Err(refused(&format!(
                "the pull left conflicts in {}: resolve them, commit, then run sync again",
                files.join(", ")
            )));
        }
    }
    if sync::ahead(root, up)? == 0 {
        return Ok(true);
    }
    match sync::push(root, up)? {
        Pushed::Landed => {
            report.pushed = true;
            Ok(true)
        }
        Pushed::UpToDate => Ok(true),
        Pushed::Rejected => Ok(false),
        Pushed::Refused(reason) => Err(refused(&format!(
            "{} refused the push ({reason}); the commit is in this clone",
            up.remote
        ))),
    }
}

/// The wait after `lost` lost races: uniform in [0, min(cap, base·2^(lost-1))]
/// ("full jitter"): clones that collided once pick different moments.
fn backoff(lost: u32) -> Duration {
    let ceiling = BACKOFF_BASE
        .saturating_mul(1u32 << lost.saturating_sub(1).min(16))
        .min(BACKOFF_CAP);
    // Without the OS's randomness the clock's nanoseconds still differ per clone.
    let r = getrandom::u64().unwrap_or_else(|_| {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        t.map_or(0, |d| u64::from(d.subsec_nanos()))
    });
    let millis = ceiling.as_millis() as u64;
    Duration::from_millis(r % (millis + 1))
}

/// `--timeout`, else 5m; a bad value is the caller's mistake.
fn sync_timeout(text: Option<&str>) -> Result<Duration> {
    let text = text.unwrap_or(DEFAULT_SYNC_TIMEOUT);
    parse_lease(text)
        .and_then(|d| d.to_std().ok())
        .ok_or_else(|| {
            Error::Invalid(format!(
                "invalid --timeout {text:?}: expected {LEASE_FORMAT}"
            ))
        })
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
