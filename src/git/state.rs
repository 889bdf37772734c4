//! The git state a context snapshot describes: branch, HEAD and uncommitted files.

use crate::model::GitState;
use std::path::Path;
use std::process::{Command, Stdio};

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The state of the repository holding `dir`, or `None` outside git. Works on a
/// detached HEAD (no branch), an unborn branch (no head) and linked worktrees.
pub fn state_of(dir: &Path) -> Option<GitState> {
    git(dir, &["rev-parse", "--git-dir"])?;
    let branch = git(dir, &["symbolic-ref", "--quiet", "--short", "HEAD"])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let head = git(dir, &["rev-parse", "--verify", "--quiet", "HEAD"])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let status = git(
        dir,
        &["status", "--porcelain=v1", "-z", "--untracked-files=all"],
    )
    .unwrap_or_default();
    let mut dirty = Vec::new();
    let mut fields = status.split('\0');
    while let Some(entry) = fields.next() {
        if entry.len() < 4 {
            continue;
        }
        let (code, path) = entry.split_at(3);
        // A rename is followed by its source path; the destination is what changed.
        if code.starts_with('R') || code.starts_with('C') {
            fields.next();
        }
        dirty.push(path.to_string());
    }
    dirty.sort();
    Some(GitState {
        branch,
        head,
        dirty,
    })
}
