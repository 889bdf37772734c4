//! Remote claims (`claims.remote: origin`): two clones of one bare repository
//! claim the same task at once, round after round — exactly one wins and the
//! other is told who; after expiry the other clone takes the task over; a
//! renewal pushes only below half the lease; release deletes the ref and DONE
//! leaves a closed mark there;
//! an unreachable remote is exit 8 with no local claim left behind.

use crate::common::{Run, TestEnv, to_run};
use std::sync::Barrier;

const ROUNDS: usize = 20;
/// Far past any real lease taken during the test: every claim is stale.
const FUTURE: &str = "2100-01-01T00:00:00Z";
const FUTURE_10M: &str = "2100-01-01T00:10:00Z";
const FUTURE_90M: &str = "2100-01-01T01:30:00Z";

/// A bare remote and two clones of it whose workspace sets `claims.remote`,
/// with `tasks` tasks created before cloning.
pub(crate) struct Remote {
    pub bare: tempfile::TempDir,
    pub seed: TestEnv,
    pub ids: Vec<String>,
}

impl Remote {
    pub fn new(tasks: usize, claims_remote: bool) -> Self {
        let seed = TestEnv::new();
        let ids = (0..tasks)
            .map(|i| seed.create(&[&format!("Shared work {i}")]))
            .collect();
        if claims_remote {
            let config = seed.ws().join("config.yaml");
            let mut text = seed.read(&config);
            text.push_str("claims:\n  remote: origin\n");
            std::fs::write(&config, text).unwrap();
        }
        seed.git(&["add", "-A"]);
        seed.git(&["commit", "-q", "-m", "shared backlog"]);
        let bare = tempfile::tempdir().unwrap();
        seed.git(&[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            bare.path().to_str().unwrap(),
        ]);
        seed.git(&["remote", "add", "origin", bare.path().to_str().unwrap()]);
        seed.git(&["push", "-q", "-u", "origin", "main"]);
        Remote { bare, seed, ids }
    }

    /// A fresh clone of the remote, with the merge driver configured.
    pub fn clone(&self) -> TestEnv {
        let env = TestEnv::bare();
        env.git(&["clone", "-q", self.bare.path().to_str().unwrap(), "."]);
        env.ok(&["git", "setup"]);
        env
    }

    /// The claim ref of `id` on the remote (its commit), if any.
    pub fn claim_ref(&self, id: &str) -> Option<String> {
        let out = self.seed.git(&[
            "ls-remote",
            self.bare.path().to_str().unwrap(),
            &format!("refs/orchestron/claims/{id}"),
        ]);
        out.split_whitespace().next().map(str::to_string)
    }

    /// What the claim ref of `id` says (its commit message).
    pub fn claim_text(&self, id: &str) -> String {
        let sha = self.claim_ref(id).expect("a claim ref");
        let out = self
            .seed
            .command("git")
            .args(["cat-file", "-p", &sha])
            .current_dir(self.bare.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

fn claim_in(env: &TestEnv, agent: &str, id: &str) -> Run {
    env.run(&["--agent", agent, "task", "claim", id])
}

fn at(env: &TestEnv, now: &str, args: &[&str]) -> Run {
    env.run_with(args, &[("ORCHESTRON_NOW", now)])
}

fn registry(env: &TestEnv) -> String {
    std::fs::read_to_string(env.path().join(".git/orchestron/claims.json")).unwrap_or_default()
}

/// Two processes started together (a barrier right before each spawn).
fn race(a: (&TestEnv, &str), b: (&TestEnv, &str), id: &str) -> [Run; 2] {
    let barrier = Barrier::new(2);
    let spawn = |env: &TestEnv, agent: &str| {
        let mut c = env.command(crate::common::BIN);
        c.args(["--agent", agent, "task", "claim", id]);
        barrier.wait();
        to_run(c.output().expect("run orchestron"))
    };
    std::thread::scope(|s| {
        let ha = s.spawn(|| spawn(a.0, a.1));
        let hb = s.spawn(|| spawn(b.0, b.1));
        [ha.join().unwrap(), hb.join().unwrap()]
    })
}

#[test]
fn two_clones_claiming_one_task_at_once_get_exactly_one_winner_each_round() {
    let remote = Remote::new(ROUNDS + 1, true);
    let (a, b) = (remote.clone(), remote.clone());
    let mut wins = [0usize; 2];
    for id in &remote.ids[..ROUNDS] {
        let runs = race((&a, "alice"), (&b, "bob"), id);
        let winners: Vec<usize> = (0..2).filter(|&i| runs[i].code == 0).collect();
        assert_eq!(winners.len(), 1, "{id}: exactly one winner: {runs:?}");
        let (w, l) = (winners[0], 1 - winners[0]);
        wins[w] += 1;
        let winner = ["alice", "bob"][w];
        assert_eq!(runs[l].code, 5, "{id}: the loser is refused: {runs:?}");
        assert!(
            runs[l].stderr.contains(&format!("held by {winner}")),
            "{id}: the loser is told who holds it: {}",
            runs[l].stderr
        );
        assert!(
            remote
                .claim_text(id)
                .contains(&format!("\"holder\":\"{winner}\"")),
            "{id}"
        );
    }
    assert_eq!(wins[0] + wins[1], ROUNDS);

    // After expiry, the other clone takes the first task over.
    let id = &remote.ids[0];
    let before = remote.claim_ref(id).unwrap();
    let holder_won = remote.claim_text(id).contains("\"holder\":\"alice\"");
    let (holder, (taker, taker_name)) = if holder_won {
        ((&a, "alice"), (&b, "bob"))
    } else {
        ((&b, "bob"), (&a, "alice"))
    };
    let r = at(taker, FUTURE, &["--agent", taker_name, "task", "claim", id]);
    assert_eq!(r.code, 0, "takeover after expiry: {}", r.stderr);
    assert_ne!(remote.claim_ref(id).unwrap(), before);
    assert!(
        remote
            .claim_text(id)
            .contains(&format!("\"holder\":\"{taker_name}\""))
    );
    // The old holder's clone now sees the taker's live claim.
    let r = at(
        holder.0,
        FUTURE,
        &["--agent", holder.1, "task", "claim", id],
    );
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("held by {taker_name}")),
        "{}",
        r.stderr
    );

    // A note by the holder renews; the ref moves only below half the lease.
    let taken = remote.claim_ref(id).unwrap();
    let note = |now| {
        at(
            taker,
            now,
            &[
                "--agent", taker_name, "task", "update", id, "--note", "on it",
            ],
        )
    };
    assert_eq!(note(FUTURE_10M).code, 0);
    assert_eq!(remote.claim_ref(id).unwrap(), taken, "no push above half");
    assert_eq!(note(FUTURE_90M).code, 0);
    assert_ne!(remote.claim_ref(id).unwrap(), taken, "a push below half");

    // Release deletes the ref.
    let r = at(
        taker,
        FUTURE_90M,
        &["--agent", taker_name, "task", "release", id],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(remote.claim_ref(id), None, "release deletes the ref");

    // DONE replaces the claim with a closed mark (docs/CLAIMS.md).
    let id = &remote.ids[1];
    let (env, who) = if remote.claim_text(id).contains("\"holder\":\"alice\"") {
        (&a, "alice")
    } else {
        (&b, "bob")
    };
    let r = env.run(&["--agent", who, "task", "update", id, "--status", "DONE"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = remote.claim_text(id);
    assert!(
        text.contains("\"closed\":\"DONE\""),
        "a closed mark: {text}"
    );
    assert!(text.contains(&format!("\"holder\":\"{who}\"")), "{text}");
}

#[test]
fn an_unreachable_remote_is_exit_8_and_leaves_no_local_claim() {
    let remote = Remote::new(1, true);
    let a = remote.clone();
    a.git(&["remote", "set-url", "origin", "/nonexistent/remote.git"]);
    let id = &remote.ids[0];
    let file = a.task_path(id);
    let before = a.read(&file);
    let r = claim_in(&a, "alice", id);
    assert_eq!(r.code, 8, "{r:?}");
    assert!(
        r.stderr.contains("remote `origin` is unreachable"),
        "{}",
        r.stderr
    );
    assert_eq!(a.read(&file), before, "the task file is untouched");
    assert!(!registry(&a).contains(id.as_str()), "{}", registry(&a));
    assert_eq!(remote.claim_ref(id), None);
}
