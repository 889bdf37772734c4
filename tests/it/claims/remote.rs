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

/// The ids `task list --ready` offers in `env` at `now`.
fn ready_at(env: &TestEnv, now: &str, agent: &str) -> Vec<String> {
    let r = at(
        env,
        now,
        &["--agent", agent, "--json", "task", "list", "--ready"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

/// What `task next` names in `env` at `now`.
fn next_at(env: &TestEnv, now: &str, agent: &str) -> String {
    let r = at(env, now, &["--agent", agent, "--json", "task", "next"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    v["id"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_task_another_clone_holds_is_not_offered_by_ready_or_next() {
    const T0: &str = "2100-01-01T00:00:00Z";
    const T2: &str = "2100-01-01T00:00:02Z";
    const T10: &str = "2100-01-01T00:00:10Z";
    let remote = Remote::new(3, true);
    let (a, b) = (remote.clone(), remote.clone());
    // Alice takes what bob would have been offered first.
    let r = at(&a, T0, &["--agent", "alice", "--json", "task", "claim"]);
    assert_eq!(r.code, 0, "{r:?}");
    let taken: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let x = taken["task"]["id"]
        .as_str()
        .or(taken["id"].as_str())
        .expect("the claimed id")
        .to_string();
    let ready = ready_at(&b, T0, "bob");
    assert!(!ready.contains(&x), "{x} is held by alice: {ready:?}");
    assert_eq!(ready.len(), 2, "{ready:?}");
    let next = next_at(&b, T0, "bob");
    assert!(!next.is_empty() && next != x, "next is not {x}: {next}");
    let show = b.json(&["task", "show", &x]);
    assert_eq!(show["claim"]["holder"], "alice", "{show}");
    let status = at(&b, T0, &["--agent", "bob", "--json", "status"]);
    assert!(
        status.stdout.contains("\"holder\": \"alice\""),
        "{}",
        status.stdout
    );

    // Reads fetch the claim refs at most every 5 s: within that, bob's clone
    // reads its copy (a claim made meanwhile is not seen yet); after, it
    // fetches again.
    let r = at(&a, T0, &["--agent", "alice", "task", "claim", &next]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        ready_at(&b, T2, "bob").contains(&next),
        "within 5 s: the copy"
    );
    let ready = ready_at(&b, T10, "bob");
    assert!(
        !ready.contains(&next),
        "after 5 s: fetched again: {ready:?}"
    );
    assert_eq!(ready.len(), 1, "{ready:?}");
}

#[test]
fn a_write_to_a_task_another_clone_holds_is_refused_over_cli_and_mcp_unless_forced() {
    use crate::wire::{Wire, call};
    use serde_json::json;
    let remote = Remote::new(2, true);
    let (a, b) = (remote.clone(), remote.clone());
    let (x, y) = (&remote.ids[0], &remote.ids[1]);
    for id in [x, y] {
        assert_eq!(claim_in(&a, "alice", id).code, 0);
    }
    let before = b.read(&b.task_path(x));
    let r = b.run(&["--agent", "bob", "task", "update", x, "--status", "DONE"]);
    assert_eq!(r.code, 5, "{r:?}");
    for part in ["claimed by alice", "lease until", "--force"] {
        assert!(r.stderr.contains(part), "no {part:?} in {}", r.stderr);
    }
    assert_eq!(b.read(&b.task_path(x)), before, "nothing written");
    // A note from another clone goes through; the claim stays.
    let r = b.run(&["--agent", "bob", "task", "update", x, "--note", "see #12"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(remote.claim_text(x).contains("\"holder\":\"alice\""));
    // Forced: written, and alice's claim ref becomes an ended mark.
    let r = b.run(&[
        "--agent",
        "bob",
        "task",
        "update",
        x,
        "--priority",
        "LOW",
        "--force",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let text = remote.claim_text(x);
    assert!(
        text.contains("\"ended_by\":\"bob\"") && text.contains("\"holder\":\"alice\""),
        "the forced write ended the claim with an ended mark: {text}"
    );
    let show = b.json(&["task", "show", x]);
    assert_eq!(show["claim_ended"]["holder"], "alice", "{show}");

    // Over MCP: a conflict naming alice, then force: true goes through.
    let mut bob = Wire::start_with(&b, &[], &[]);
    bob.initialize("bob");
    let update = json!({"taskId": y, "status": "DONE"});
    let r = bob.request(call(2, "orchestron_task_update", update));
    assert_eq!(r["result"]["isError"], true, "{r}");
    let text = r["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("claimed by alice") && text.contains("force: true"),
        "{text}"
    );
    let forced = json!({"taskId": y, "status": "DONE", "force": true});
    let r = bob.request(call(3, "orchestron_task_update", forced));
    assert_ne!(r["result"]["isError"], true, "{r}");
    bob.finish();
    assert!(
        remote.claim_text(y).contains("\"closed\":\"DONE\""),
        "the close replaced the claim with a closed mark"
    );
}

#[test]
fn a_holder_in_another_clone_is_told_of_a_forced_write_on_its_next_mcp_call_and_in_status() {
    use crate::wire::{Wire, call};
    use serde_json::json;
    const T0: &str = "2100-01-01T00:00:00Z";
    const T10: &str = "2100-01-01T00:00:10Z";
    let remote = Remote::new(2, true);
    let (a, b) = (remote.clone(), remote.clone());
    let (x, y) = (&remote.ids[0], &remote.ids[1]);
    for id in [x, y] {
        let r = at(&a, T0, &["--agent", "alice", "task", "claim", id]);
        assert_eq!(r.code, 0, "{r:?}");
    }
    let forced = [
        "--agent",
        "bob",
        "task",
        "update",
        x,
        "--priority",
        "LOW",
        "--force",
    ];
    let r = at(&b, T0, &forced);
    assert_eq!(r.code, 0, "{r:?}");
    let text = remote.claim_text(x);
    assert!(
        text.contains("\"ended_by\":\"bob\""),
        "an ended mark: {text}"
    );

    // Alice's clone looks again after 5 s: her next call, whatever it is, says so.
    let mut alice = Wire::start_with(&a, &[], &[("ORCHESTRON_NOW", T10)]);
    alice.initialize("alice");
    let r = alice.request(call(2, "orchestron_task_list", json!({})));
    let told = format!("Your claim ended on {x} (bob forced a write");
    let structured = r["result"]["structuredContent"]["claims_ended"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"));
    assert!(structured.starts_with(&told), "{structured}");
    assert!(
        !structured.contains(y.as_str()),
        "only the lost one: {structured}"
    );
    let r = alice.request(call(3, "orchestron_task_list", json!({})));
    assert!(
        r["result"]["structuredContent"]
            .get("claims_ended")
            .is_none(),
        "told once: {r}"
    );
    alice.finish();
    let status = at(&a, T10, &["--agent", "alice", "--json", "status"]);
    let v: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    let ended = v["claims_ended"].as_array().expect("claims_ended");
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert_eq!(ended[0]["task"], x.as_str());
    assert_eq!(ended[0]["by"], "bob");
    // Her claim on the other task stands.
    let r = at(
        &a,
        T10,
        &["--agent", "alice", "task", "update", y, "--progress", "10"],
    );
    assert_eq!(r.code, 0, "{r:?}");
}
