//! What a claim guards (docs/CLAIMS.md): on a task another agent holds on a
//! live lease, every write but a note or a clarification is refused (exit 5,
//! an MCP conflict) naming the holder, its lease, work tree and branch and the
//! override; `--force` / `force: true` writes, ends the claim, notes whose it
//! was, and the holder is told — on its next MCP call (both views, once) and
//! in `status` and `task show`. Real processes, real worktrees.

use super::{add_worktree, run_in};
use crate::common::{Run, TestEnv};
use crate::wire::{Wire, call};
use serde_json::{Value, json};
use std::path::PathBuf;

/// A repo with one committed task and a second worktree on branch `feature`.
fn two_worktrees() -> (TestEnv, tempfile::TempDir, PathBuf, String) {
    let env = TestEnv::new();
    let id = env.create(&["Shared work", "--criterion", "works"]);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "task"]);
    let (outside, second) = add_worktree(&env, "feature");
    (env, outside, second, id)
}

/// The refusal says who holds the task, until when, where, and the override.
fn assert_refusal_names_the_claim(r: &Run, what: &str) {
    assert_eq!(r.code, 5, "{what}: {}", r.stderr);
    for part in [
        "claimed by alice",
        "lease until",
        "branch feature",
        "worktree",
        "--force",
    ] {
        assert!(
            r.stderr.contains(part),
            "{what}: no {part:?} in {}",
            r.stderr
        );
    }
}

#[test]
fn held_task_refuses_every_write_of_another_without_force_and_changes_nothing() {
    let (env, _outside, second, id) = two_worktrees();
    let r = run_in(&env, &second, &["--agent", "alice", "task", "claim", &id]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = env.task_path(&id);
    let before = env.read(&file);
    let other = env.create(&["Other"]);
    let bob = |args: &[&str]| {
        let mut all = vec!["--agent", "bob"];
        all.extend_from_slice(args);
        env.run(&all)
    };
    let refused: [(&str, Vec<&str>); 12] = [
        ("status", vec!["task", "update", &id, "--status", "DONE"]),
        ("progress", vec!["task", "update", &id, "--progress", "80"]),
        ("assignee", vec!["task", "update", &id, "--assignee", "bob"]),
        ("type", vec!["task", "update", &id, "--type", "SUBTASK"]),
        ("title", vec!["task", "update", &id, "--title", "Mine"]),
        ("label", vec!["task", "update", &id, "--label", "x"]),
        (
            "criterion",
            vec!["task", "update", &id, "--criterion-done", "1"],
        ),
        (
            "note with a change",
            vec!["task", "update", &id, "--note", "n", "--progress", "5"],
        ),
        ("priority", vec!["task", "priority", &id, "--set", "LOW"]),
        ("depend", vec!["task", "depend", &id, "--on", &other]),
        (
            "handoff",
            vec!["handoff", &id, "--done", "a", "--remaining", "b"],
        ),
        ("release", vec!["task", "release", &id]),
    ];
    for (what, args) in &refused {
        assert_refusal_names_the_claim(&bob(args), what);
    }
    assert_eq!(env.read(&file), before, "a refused write changed the file");
    let contexts = env.json(&["context", "list"]);
    assert_eq!(contexts, json!([]), "a refused handoff saved a context");
    let show = env.json(&["task", "show", &id]);
    assert_eq!(show["claim"]["holder"], "alice", "{show}");
}

#[test]
fn notes_and_clarifications_from_others_go_through_and_keep_the_claim() {
    let env = TestEnv::new();
    let id = env.create(&["Talk to me"]);
    env.ok(&["--agent", "alice", "task", "claim", &id]);
    env.ok(&[
        "--agent",
        "bob",
        "task",
        "update",
        &id,
        "--note",
        "use OAuth2",
    ]);
    env.ok(&["--agent", "bob", "task", "clarify", &id, "only for admins"]);
    let show = env.json(&["task", "show", &id]);
    assert_eq!(show["claim"]["holder"], "alice", "{show}");
    assert_eq!(show["status"], "IN_PROGRESS");
    assert_eq!(show["notes"][0]["text"], "use OAuth2");
    assert_eq!(show["clarifications"][0]["by"], "bob");
}

#[test]
fn forced_write_ends_the_claim_notes_the_override_and_status_and_show_name_it() {
    let env = TestEnv::new();
    let id = env.create(&["Take it"]);
    env.ok(&["--agent", "alice", "task", "claim", &id]);
    let r = env.json(&[
        "--agent", "bob", "task", "update", &id, "--status", "DONE", "--force",
    ]);
    assert_eq!(r["task"]["status"], "DONE");
    let note = r["task"]["notes"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(note["by"], "bob");
    let text = note["text"].as_str().unwrap();
    assert!(text.starts_with("overrode the claim of alice"), "{text}");
    let show = env.json(&["task", "show", &id]);
    assert!(show.get("claim").is_none(), "the claim ended: {show}");
    assert_eq!(show["claim_ended"]["holder"], "alice", "{show}");
    assert_eq!(show["claim_ended"]["by"], "bob");
    let text = env.ok(&["task", "show", &id]);
    assert!(text.contains("alice's claim on"), "{text}");
    let status = env.json(&["status"]);
    assert_eq!(status["claims_ended"][0]["task"], id.as_str(), "{status}");
    assert!(
        env.ok(&["status"])
            .contains("Claims ended by a forced write"),
        "status text"
    );
    // Nothing holds it now: alice's own next write is not refused.
    env.ok(&["--agent", "alice", "task", "update", &id, "--note", "ok"]);
}

#[test]
fn forced_release_depend_priority_and_handoff_go_through_and_end_the_claim() {
    let env = TestEnv::new();
    let other = env.create(&["Other"]);
    for args in [
        vec!["task", "priority", "ID", "--set", "LOW", "--force"],
        vec!["task", "depend", "ID", "--on", other.as_str(), "--force"],
        vec!["handoff", "ID", "--done", "half", "--force"],
        vec!["task", "release", "ID", "--force"],
    ] {
        let id = env.create(&["Held"]);
        env.ok(&["--agent", "alice", "task", "claim", &id]);
        let args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "ID" { id.as_str() } else { a })
            .collect();
        let mut all = vec!["--agent", "bob"];
        all.extend_from_slice(&args);
        env.ok(&all);
        let show = env.json(&["task", "show", &id]);
        assert!(show.get("claim").is_none(), "{args:?}: {show}");
        assert_eq!(show["claim_ended"]["by"], "bob", "{args:?}");
    }
}

#[test]
fn held_task_refuses_an_mcp_update_of_another_and_force_true_tells_the_holder_once() {
    let (env, _outside, second, id) = two_worktrees();
    // alice works over MCP in the second worktree; bob in the main one.
    let mut alice = Wire::start_with(&env, &["--root", second.to_str().unwrap()], &[]);
    alice.initialize("alice");
    let r = alice.request(call(2, "orchestron_task_claim", json!({"taskId": id})));
    assert_ne!(r["result"]["isError"], true, "{r}");
    let mut bob = Wire::start_with(&env, &[], &[]);
    bob.initialize("bob");
    let r = bob.request(call(
        2,
        "orchestron_task_update",
        json!({"taskId": id, "status": "DONE"}),
    ));
    assert_eq!(r["result"]["isError"], true, "{r}");
    let text = r["result"]["content"][0]["text"].as_str().unwrap();
    for part in [
        "claimed by alice",
        "branch feature",
        "lease until",
        "force: true",
    ] {
        assert!(text.contains(part), "no {part:?} in {text}");
    }
    let r = bob.request(call(
        3,
        "orchestron_task_update",
        json!({"taskId": id, "status": "DONE", "force": true}),
    ));
    assert_ne!(r["result"]["isError"], true, "{r}");
    bob.finish();
    // alice's next call, whatever it is, says so in both views; then not again.
    let r = alice.request(call(3, "orchestron_task_list", json!({})));
    let result = &r["result"];
    let told = format!("Your claim ended on {id} (bob forced a write");
    let texts: Vec<&str> = result["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["text"].as_str())
        .collect();
    assert!(texts.iter().any(|t| t.starts_with(&told)), "{texts:?}");
    let structured = result["structuredContent"]["claims_ended"]
        .as_str()
        .unwrap_or_else(|| panic!("{result}"));
    assert!(structured.starts_with(&told), "{structured}");
    let r = alice.request(call(4, "orchestron_task_list", json!({})));
    assert!(
        r["result"]["structuredContent"]
            .get("claims_ended")
            .is_none(),
        "told once: {r}"
    );
    alice.finish();
    // The second worktree's own view says so too.
    let show = run_in(&env, &second, &["task", "show", &id, "--json"]);
    let show: Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(show["claim_ended"]["by"], "bob", "{show}");
}

#[test]
fn archive_of_a_task_held_in_another_worktree_is_refused_unless_forced() {
    let (env, _outside, second, id) = two_worktrees();
    let r = run_in(&env, &second, &["--agent", "alice", "task", "claim", &id]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Closed in this worktree's files (by a merge, say), still held there.
    let file = env.task_path(&id);
    let text = env.read(&file).replace("status: TODO", "status: DONE");
    std::fs::write(&file, text).unwrap();
    let sprintless = ["--agent", "bob", "archive", "--before", "2999-01-01"];
    assert_refusal_names_the_claim(&env.run(&sprintless), "archive");
    let mut forced = sprintless.to_vec();
    forced.push("--force");
    env.ok(&forced);
    let show = env.json(&["task", "show", &id]);
    assert_eq!(show["archived"], true, "{show}");
    assert_eq!(show["claim_ended"]["holder"], "alice", "{show}");
}
