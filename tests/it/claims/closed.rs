//! "Closed elsewhere": a task closed in one worktree (or clone, with
//! `claims.remote`) is never handed out in another whose files still show it
//! open; claiming it there is refused naming the close, `--force` takes it
//! anyway; the mark is ignored once the close is merged, lapses after
//! `claims.closed_mark`, and goes when the task is reopened.

use super::remote::Remote;
use crate::common::{Run, TestEnv, to_run};
use std::path::PathBuf;

/// Far past any mark left during the test (the default mark lasts 1d).
const NEXT_WEEK: &str = "2100-01-01T00:00:00Z";

/// A repository with `n` committed tasks and a second worktree on branch
/// `feature`.
pub(super) struct TwoWorktrees {
    pub env: TestEnv,
    second: PathBuf,
    _outside: tempfile::TempDir,
    pub ids: Vec<String>,
}

impl TwoWorktrees {
    pub fn new(n: usize) -> Self {
        let env = TestEnv::new();
        let ids = (0..n)
            .map(|i| env.create(&[&format!("Work {i}")]))
            .collect();
        env.git(&["add", "-A"]);
        env.git(&["commit", "-q", "-m", "tasks"]);
        let (outside, second) = super::add_worktree(&env, "feature");
        TwoWorktrees {
            env,
            second,
            _outside: outside,
            ids,
        }
    }

    pub fn in_second(&self, args: &[&str]) -> Run {
        self.in_second_with(args, &[])
    }

    fn in_second_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let mut c = self.env.command(crate::common::BIN);
        c.current_dir(&self.second).args(args);
        for (k, v) in vars {
            c.env(k, v);
        }
        to_run(c.output().expect("run"))
    }

    fn second_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        let r = self.in_second(&all);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        serde_json::from_str(&r.stdout).expect("json")
    }
}

fn ids_of(list: &serde_json::Value) -> Vec<String> {
    list["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_task_closed_in_one_worktree_is_never_handed_out_in_another() {
    let w = TwoWorktrees::new(2);
    let (done, other) = (&w.ids[0], &w.ids[1]);
    w.env.ok(&["--agent", "alice", "task", "claim", done]);
    w.env.ok(&[
        "--agent", "alice", "task", "update", done, "--status", "DONE",
    ]);
    // The second worktree's file still says TODO.
    assert_eq!(w.second_json(&["task", "show", done])["status"], "TODO");
    let ready = w.second_json(&["--agent", "bob", "task", "list", "--ready"]);
    assert_eq!(ids_of(&ready), vec![other.clone()], "{ready}");
    let next = w.second_json(&["--agent", "bob", "task", "next"]);
    assert_eq!(next["id"], other.as_str());
    let board = w.second_json(&["board"]);
    assert!(!board.to_string().contains(done.as_str()), "{board}");
    let r = w.in_second(&["--agent", "bob", "task", "claim", done]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    for part in [
        "was closed elsewhere",
        "DONE by alice",
        "(branch main)",
        "--force",
    ] {
        assert!(r.stderr.contains(part), "{part}: {}", r.stderr);
    }
    assert!(
        r.stderr
            .contains(&w.env.path().canonicalize().unwrap().display().to_string())
            || r.stderr.contains(&w.env.path().display().to_string()),
        "names the worktree: {}",
        r.stderr
    );
    let claimed = w.second_json(&["--agent", "bob", "task", "claim"]);
    assert_eq!(claimed["task"]["id"], other.as_str());
    let r = w.in_second(&["--agent", "carol", "task", "claim", "--json"]);
    assert_eq!(r.stdout.trim(), "null", "nothing else ready: {}", r.stderr);
    let forced = w.second_json(&["--agent", "carol", "task", "claim", done, "--force"]);
    assert_eq!(forced["task"]["assignee"], "carol");
}

#[test]
fn a_closed_mark_goes_once_merged_when_it_lapses_and_when_the_task_reopens() {
    let w = TwoWorktrees::new(1);
    let id = &w.ids[0];
    w.env.ok(&["task", "update", id, "--status", "CANCELLED"]);
    w.env.git(&["commit", "-q", "-am", "cancel"]);
    let ready = |vars: &[(&str, &str)]| {
        let r = w.in_second_with(&["task", "list", "--ready", "--json"], vars);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        ids_of(&v)
    };
    assert!(ready(&[]).is_empty(), "closed elsewhere, unclaimed too");
    assert_eq!(
        ready(&[("ORCHESTRON_NOW", NEXT_WEEK)]),
        vec![id.clone()],
        "the mark lapses after claims.closed_mark"
    );
    // Reopened where it was closed: open work everywhere again.
    w.env.ok(&["task", "update", id, "--status", "TODO"]);
    assert_eq!(ready(&[]), vec![id.clone()]);
    w.env.ok(&["task", "update", id, "--status", "DONE"]);
    assert!(ready(&[]).is_empty());
    w.env.git(&["commit", "-q", "-am", "done"]);
    // Merged: the second worktree's own file shows the close.
    let merge = w.in_second(&["status"]);
    assert_eq!(merge.code, 0);
    let out = w
        .env
        .command("git")
        .current_dir(&w.second)
        .args(["merge", "-q", "main"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let r = w.in_second(&["task", "claim", id]);
    // Refused by the state, like the closed mark above (README: 5).
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr.contains("is DONE: nothing to claim"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_bad_closed_mark_setting_is_reported_by_check() {
    let env = TestEnv::new();
    let config = env.ws().join("config.yaml");
    let mut text = env.read(&config);
    text.push_str("claims:\n  closed_mark: soon\n");
    std::fs::write(&config, text).unwrap();
    let r = env.run(&["check"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("config.yaml"), "{}", r.stdout);
    assert!(r.stdout.contains("closed_mark"), "{}", r.stdout);
}

#[test]
fn a_task_closed_in_one_clone_is_never_handed_out_in_another() {
    let remote = Remote::new(2, true);
    let (done, other) = (&remote.ids[0], &remote.ids[1]);
    let (a, b) = (remote.clone(), remote.clone());
    a.ok(&["--agent", "alice", "task", "claim", done]);
    a.ok(&[
        "--agent", "alice", "task", "update", done, "--status", "DONE",
    ]);
    assert!(
        remote.claim_text(done).contains("\"closed\":\"DONE\""),
        "the claim ref holds the closed mark: {}",
        remote.claim_text(done)
    );
    let r = b.run(&["--agent", "bob", "task", "claim", done]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("DONE by alice"), "{}", r.stderr);
    assert!(r.stderr.contains("another clone"), "{}", r.stderr);
    let claimed = b.json(&["--agent", "bob", "task", "claim"]);
    assert_eq!(claimed["task"]["id"], other.as_str());
    let r = b.run(&["--agent", "carol", "task", "claim", "--json"]);
    assert_eq!(r.stdout.trim(), "null", "{}", r.stderr);
    // --force takes it anyway: the claim replaces the mark on the remote.
    b.ok(&["--agent", "carol", "task", "claim", done, "--force"]);
    assert!(remote.claim_text(done).contains("\"holder\":\"carol\""));
}
