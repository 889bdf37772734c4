//! Leases: a claim holds for its lease, a write by the holder renews it, a
//! renewal is no diff, an expired claim is named as stale (status, check, the
//! resume prompt) and taken over by the next claimer. Time moves through
//! `ORCHESTRON_NOW`, never by waiting.

use crate::common::TestEnv;
use crate::wire::Wire;
use serde_json::json;

const T0: &str = "2030-01-01T00:00:00Z";
const T4: &str = "2030-01-01T00:00:04Z";
const T7: &str = "2030-01-01T00:00:07Z";
const LATER: &str = "2030-01-01T01:00:00Z";

fn at(env: &TestEnv, now: &str, args: &[&str]) -> crate::common::Run {
    env.run_with(args, &[("ORCHESTRON_NOW", now)])
}

#[test]
fn an_expired_lease_is_named_stale_then_taken_over_and_renewals_leave_the_file_alone() {
    let env = TestEnv::new();
    let id = env.create(&["Leased work"]);
    let r = at(
        &env,
        T0,
        &["--agent", "alice", "task", "claim", &id, "--lease", "5s"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = env.task_path(&id);
    let claimed = env.read(&file);

    // Claiming again renews: the file is byte-identical.
    let r = at(
        &env,
        T4,
        &["--agent", "alice", "task", "claim", &id, "--lease", "5s"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(env.read(&file), claimed, "a renewal is no diff");
    // Renewed at T4 for 5 s: at T7 it still holds.
    let r = at(&env, T7, &["--agent", "bob", "task", "claim", &id]);
    assert_eq!(r.code, 5, "still held at T7: {}", r.stdout);
    assert!(r.stderr.contains("held by alice"), "{}", r.stderr);
    // A note by the holder renews too (T7 + 5 s).
    let r = at(
        &env,
        T7,
        &[
            "--agent",
            "alice",
            "task",
            "update",
            &id,
            "--note",
            "still on it",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let show: serde_json::Value =
        serde_json::from_str(&at(&env, T7, &["task", "show", &id, "--json"]).stdout).unwrap();
    assert_eq!(show["claim"]["expires"], "2030-01-01T00:00:12Z");
    assert_eq!(show["claim"]["stale"], false);

    // An hour later the claim is stale: status, check and the resume prompt say so.
    let status = at(&env, LATER, &["--agent", "bob", "status"]);
    assert!(status.stdout.contains("stale claim"), "{}", status.stdout);
    assert!(
        status
            .stdout
            .contains(&format!("{id}  alice (branch main, lease expired")),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("Ready next\n  ID"),
        "the stale task is ready: {}",
        status.stdout
    );
    let check = at(&env, LATER, &["check"]);
    assert!(
        check.stdout.contains("stale claim: alice"),
        "{}",
        check.stdout
    );
    let clean = at(&env, T7, &["check"]);
    assert!(!clean.stdout.contains("stale claim"), "{}", clean.stdout);
    let mut w = Wire::start_with(&env, &[], &[("ORCHESTRON_NOW", LATER)]);
    w.initialize("carol");
    let prompt = w.request(json!({"jsonrpc": "2.0", "id": 1, "method": "prompts/get",
        "params": {"name": "orchestron_resume", "arguments": {}}}));
    w.finish();
    let text = prompt["result"]["messages"][0]["content"]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("{prompt}"));
    assert!(
        text.contains(&format!(
            "{id} claimed by alice (branch main, lease expired"
        )),
        "{text}"
    );

    // The stale task is ready for others; bob takes it over and the task says so.
    let ready = serde_json::from_str::<serde_json::Value>(
        &at(&env, LATER, &["--agent", "bob", "task", "next", "--json"]).stdout,
    )
    .unwrap();
    assert_eq!(ready["id"], id.as_str());
    let r = at(&env, LATER, &["--agent", "bob", "task", "claim", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let taken: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(taken["task"]["id"], id.as_str());
    assert_eq!(taken["task"]["assignee"], "bob");
    let notes = taken["task"]["notes"].as_array().unwrap();
    let last = notes.last().unwrap()["text"].as_str().unwrap();
    assert!(last.starts_with("took over the claim from alice"), "{last}");
}

#[test]
fn release_gives_the_task_back_and_only_its_holder_may() {
    let env = TestEnv::new();
    let id = env.create(&["Release me"]);
    env.ok(&["--agent", "alice", "task", "claim", &id]);
    let r = env.run(&["--agent", "bob", "task", "release", &id]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    let r = env.json(&["--agent", "alice", "task", "release", &id]);
    assert_eq!(r["task"]["status"], "TODO");
    assert!(r["task"]["assignee"].is_null());
    let show = env.json(&["task", "show", &id]);
    assert!(show.get("claim").is_none(), "claim forgotten: {show}");
    env.ok(&["--agent", "bob", "task", "claim", &id]);
}

#[test]
fn done_ends_the_claim() {
    let env = TestEnv::new();
    let id = env.create(&["Finish me"]);
    env.ok(&["--agent", "alice", "task", "claim", &id]);
    env.ok(&[
        "--agent", "alice", "task", "update", &id, "--status", "done",
    ]);
    let show = env.json(&["task", "show", &id]);
    assert!(show.get("claim").is_none(), "{show}");
}

#[test]
fn claim_config_lease_is_the_default_and_a_bad_lease_is_refused() {
    let env = TestEnv::new();
    let config = env.ws().join("config.yaml");
    let mut text = env.read(&config);
    text.push_str("claims:\n  lease: 30m\n");
    std::fs::write(&config, text).unwrap();
    let id = env.create(&["Configured"]);
    let r = at(&env, T0, &["--agent", "alice", "task", "claim", &id]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let show: serde_json::Value =
        serde_json::from_str(&at(&env, T0, &["task", "show", &id, "--json"]).stdout).unwrap();
    assert_eq!(show["claim"]["expires"], "2030-01-01T00:30:00Z");
    let r = env.run(&["task", "claim", &id, "--lease", "soon"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("invalid lease \"soon\""), "{}", r.stderr);
}

#[test]
fn claim_refuses_open_dependencies_unless_forced() {
    let env = TestEnv::new();
    let first = env.create(&["First"]);
    let second = env.create(&["Second"]);
    env.ok(&["task", "depend", &second, "--on", &first]);
    let r = env.run(&["task", "claim", &second]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("depends on open work ({first} (TODO))")),
        "{}",
        r.stderr
    );
    env.ok(&["task", "claim", &second, "--force"]);
}

#[test]
fn next_and_claim_pick_leaf_work_not_a_container_with_open_children() {
    let env = TestEnv::new();
    let epic = env.create(&["Epic", "--type", "epic", "--priority", "critical"]);
    let child = env.create(&["Child", "--parent", &epic]);
    let next = env.json(&["task", "next"]);
    assert_eq!(next["id"], child.as_str(), "the leaf, not the epic");
    let r = env.json(&["task", "claim"]);
    assert_eq!(r["task"]["id"], child.as_str());
}
