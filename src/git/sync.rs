//! The git side of `orchestron sync`, through the `git` binary (the user's
//! hooks, identity and merge-driver config apply): what would stop a sync (a
//! merge or rebase in progress, other files staged, no upstream), pulling
//! with a merge, pushing and telling a lost race (the remote moved: pull
//! again) from an unreachable remote. Committing the folder is
//! `sync_commit.rs`'s.

use super::GitError;
use super::cli::{command_error, run, spawn};
use std::path::Path;

/// The branch's upstream: which remote, which ref there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub remote: String,
    /// The upstream branch as the remote names it (`refs/heads/main`).
    pub merge: String,
}

/// Why the repository is not in a state to sync, if it is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncBlocker {
    Merging,
    Rebasing,
    /// Files outside the workspace folder are staged (listed).
    StagedOutside(Vec<String>),
    DetachedHead,
    /// The current branch has no upstream.
    NoUpstream(String),
}

/// The state a sync starts from: its upstream, or why it cannot start.
pub fn sync_upstream(root: &Path, folder: &str) -> Result<Result<Upstream, SyncBlocker>, GitError> {
    // One process for the three paths (`--git-path` answers a line each).
    let out = run(
        root,
        &[
            "rev-parse",
            "--git-path",
            "MERGE_HEAD",
            "--git-path",
            "rebase-merge",
            "--git-path",
            "rebase-apply",
        ],
    )?;
    let text = String::from_utf8_lossy(&out.stdout);
    let exists: Vec<bool> = text.lines().map(|p| root.join(p.trim()).exists()).collect();
    if exists.first() == Some(&true) {
        return Ok(Err(SyncBlocker::Merging));
    }
    if exists.iter().skip(1).any(|e| *e) {
        return Ok(Err(SyncBlocker::Rebasing));
    }
    let staged = run(root, &["diff", "--cached", "--name-only", "-z"])?;
    let prefix = format!("{folder}/");
    let outside: Vec<String> = staged
        .stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .filter(|p| !p.starts_with(&prefix))
        .collect();
    if !outside.is_empty() {
        return Ok(Err(SyncBlocker::StagedOutside(outside)));
    }
    let out = spawn(root, &["symbolic-ref", "-q", "--short", "HEAD"])?;
    if !out.status.success() {
        return Ok(Err(SyncBlocker::DetachedHead));
    }
    let branch = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let get = |key: String| -> Result<Option<String>, GitError> {
        let out = spawn(root, &["config", "--get", &key])?;
        Ok(out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
    };
    match (
        get(format!("branch.{branch}.remote"))?,
        get(format!("branch.{branch}.merge"))?,
    ) {
        (Some(remote), Some(merge)) => Ok(Ok(Upstream { remote, merge })),
        _ => Ok(Err(SyncBlocker::NoUpstream(branch))),
    }
}

/// What a pull did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pulled {
    /// Up to date, fast-forwarded or merged; `true` when HEAD moved.
    Clean(bool),
    /// The merge stopped with conflicts in these files.
    Conflicts(Vec<String>),
}

/// `git pull --no-rebase` from the upstream (the merge driver merges records).
pub fn pull(root: &Path, up: &Upstream) -> Result<Pulled, GitError> {
    let before = head(root)?;
    let args = [
        "pull",
        "-q",
        "--no-rebase",
        "--no-edit",
        &up.remote,
        &up.merge,
    ];
    let out = spawn(root, &args)?;
    if out.status.success() {
        return Ok(Pulled::Clean(head(root)? != before));
    }
    let conflicts = run(root, &["diff", "--name-only", "--diff-filter=U"])?;
    let files: Vec<String> = String::from_utf8_lossy(&conflicts.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    if !files.is_empty() {
        return Ok(Pulled::Conflicts(files));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("Could not read from remote") || stderr.contains("does not appear to be") {
        return Err(GitError::Unreachable {
            remote: up.remote.clone(),
            stderr: stderr.lines().next().unwrap_or_default().trim().to_string(),
        });
    }
    Err(command_error(&args, &out))
}

/// Commits on HEAD that the upstream has not (after the last pull).
pub fn ahead(root: &Path, up: &Upstream) -> Result<usize, GitError> {
    let tracking = format!(
        "refs/remotes/{}/{}",
        up.remote,
        up.merge.trim_start_matches("refs/heads/")
    );
    let out = spawn(root, &["rev-list", "--count", &format!("{tracking}..HEAD")])?;
    if !out.status.success() {
        // No tracking ref yet (an empty remote): everything is ahead.
        return Ok(1);
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(1))
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    Landed,
    /// The upstream already had HEAD.
    UpToDate,
    /// The remote moved first (or another push held its ref lock): pull
    /// again.
    Rejected,
    /// The remote refused the push for a reason of its own (a hook, a
    /// protected branch): trying again would not help. Its reason.
    Refused(String),
}

/// The reasons git gives for a push that lost a race — the remote moved
/// since our pull, or a concurrent push held the ref — as opposed to a
/// remote that refuses the push whatever we do.
const RACE_REASONS: [&str; 6] = [
    "fetch first",
    "non-fast-forward",
    "failed to update ref",
    "failed to lock",
    "cannot lock ref",
    "incorrect old value",
];

/// Pushes HEAD to the upstream; an error when it cannot be reached.
pub fn push(root: &Path, up: &Upstream) -> Result<Pushed, GitError> {
    let refspec = format!("HEAD:{}", up.merge);
    let args = ["push", "--porcelain", &up.remote, &refspec];
    let out = spawn(root, &args)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.split('\t').nth(1).is_some_and(|r| r.ends_with(&up.merge)));
    match line.and_then(|l| l.chars().next()) {
        Some('!') => {
            let reason = line.and_then(|l| l.split('\t').nth(2)).unwrap_or_default();
            if RACE_REASONS.iter().any(|r| reason.contains(r)) {
                Ok(Pushed::Rejected)
            } else {
                Ok(Pushed::Refused(reason.trim().to_string()))
            }
        }
        Some('=') if out.status.success() => Ok(Pushed::UpToDate),
        Some(_) if out.status.success() => Ok(Pushed::Landed),
        Some(_) => Err(command_error(&args, &out)),
        None => Err(GitError::Unreachable {
            remote: up.remote.clone(),
            stderr: String::from_utf8_lossy(&out.stderr)
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no answer")
                .trim()
                .to_string(),
        }),
    }
}

fn head(root: &Path) -> Result<Option<String>, GitError> {
    let out = spawn(root, &["rev-parse", "-q", "--verify", "HEAD"])?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
}
