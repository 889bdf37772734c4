//! Claims across processes, worktrees and time: concurrent claimers each get
//! a different task or "nothing ready", a lease expires and is taken over,
//! a renewal leaves the task file alone, and a task held in another worktree
//! of the clone is not ready there. Real processes, real git, no sleeps: the
//! clock is moved with `ORCHESTRON_NOW`.

mod closed;
mod concurrent;
mod guard;
mod lease;
pub(crate) mod remote;

use crate::common::{BIN, Run, TestEnv, to_run};
use std::path::{Path, PathBuf};

/// A second worktree of `env`'s repo on a new `branch`, outside the first
/// (the directory lives as long as the returned guard).
pub(crate) fn add_worktree(env: &TestEnv, branch: &str) -> (tempfile::TempDir, PathBuf) {
    let outside = tempfile::tempdir().expect("tempdir");
    let dir = outside.path().join("second");
    env.git(&["worktree", "add", "-q", "-b", branch, dir.to_str().unwrap()]);
    (outside, dir)
}

/// `orchestron ARGS` run in `dir` (another worktree).
pub(crate) fn run_in(env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
    let out = env
        .command(BIN)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run orchestron");
    to_run(out)
}
