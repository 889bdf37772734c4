//! Git integration end to end, with real repositories and the real `git` binary
//! (hermetic config from `TestEnv`): merges through the driver, records created
//! on two branches, the conflict rule, `task history`, `diff`, `git setup` in a
//! fresh clone, and the git state context snapshots record.

use crate::common::{Redactor, TestEnv};
use serde_json::Value;

fn commit(env: &TestEnv, msg: &str) -> String {
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", msg]);
    env.git(&["rev-parse", "HEAD"]).trim().to_string()
}

fn texts(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| e["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Replaces the `at:` of every entry of `field` in a task file with `at`, so a
/// test controls which side has the newer activity.
fn set_entry_times(env: &TestEnv, id: &str, at: &str) {
    let path = env.task_path(id);
    let text = env.read(&path);
    let mut out = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("- { at: ")
            && let Some((_, tail)) = rest.split_once(',')
        {
            out.push_str(&format!("- {{ at: {at},{tail}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(path, out).unwrap();
}

/// Redacts the abbreviated commit ids that start `task history` lines.
fn short_commits(text: &str) -> String {
    text.lines()
        .map(|l| match l.split_once(' ') {
            Some((head, rest))
                if head.len() == 10 && head.chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                format!("[commit] {rest}\n")
            }
            _ => format!("{l}\n"),
        })
        .collect()
}

#[test]
fn init_in_a_repository_installs_the_driver() {
    let env = TestEnv::new();
    let driver = env.git(&["config", "--get", "merge.orchestron.driver"]);
    assert!(
        driver.trim().ends_with(" merge-driver %O %A %B %P"),
        "{driver}"
    );
    assert!(
        env.read(&env.ws().join(".gitattributes"))
            .contains("merge=orchestron")
    );
}

#[test]
fn two_branches_editing_one_task_merge_cleanly_with_everything_kept() {
    let env = TestEnv::new();
    let t = env.create(&["Password reset", "--label", "auth"]);
    env.ok(&["task", "update", &t, "--note", "Scoped the work"]);
    commit(&env, "add task");

    env.git(&["checkout", "-q", "-b", "feature"]);
    env.ok(&[
        "task",
        "update",
        &t,
        "--status",
        "IN_PROGRESS",
        "--note",
        "Feature: API done",
    ]);
    env.ok(&["task", "update", &t, "--label", "backend"]);
    commit(&env, "feature work");

    env.git(&["checkout", "-q", "main"]);
    env.ok(&["task", "priority", &t, "--set", "HIGH"]);
    env.ok(&["task", "update", &t, "--note", "Main: reviewed the design"]);
    env.ok(&[
        "task",
        "clarify",
        &t,
        "Use OAuth2 for third-party integrations",
    ]);
    commit(&env, "main work");

    env.git(&["merge", "-q", "--no-edit", "feature"]);
    let text = env.read(&env.task_path(&t));
    assert!(!text.contains("<<<<<<<"), "{text}");
    let v = env.json(&["task", "show", &t]);
    assert_eq!(v["status"], "IN_PROGRESS");
    assert_eq!(v["priority"], "HIGH");
    assert_eq!(v["labels"], serde_json::json!(["auth", "backend"]));
    let notes = texts(&v, "notes");
    for n in [
        "Scoped the work",
        "Feature: API done",
        "Main: reviewed the design",
    ] {
        assert!(notes.iter().any(|x| x == n), "{n} missing from {notes:?}");
    }
    assert_eq!(notes.len(), 3, "no conflict note: {notes:?}");
    assert_eq!(
        texts(&v, "clarifications"),
        ["Use OAuth2 for third-party integrations"]
    );
    assert_eq!(env.run(&["check"]).code, 0);
}

#[test]
fn the_same_edits_conflict_without_the_driver() {
    let env = TestEnv::new();
    env.git(&["config", "--remove-section", "merge.orchestron"]);
    let t = env.create(&["Password reset"]);
    env.ok(&["task", "update", &t, "--note", "first"]);
    commit(&env, "add task");
    env.git(&["checkout", "-q", "-b", "feature"]);
    env.ok(&["task", "update", &t, "--note", "feature note"]);
    commit(&env, "feature");
    env.git(&["checkout", "-q", "main"]);
    env.ok(&["task", "update", &t, "--note", "main note"]);
    commit(&env, "main");
    let out = env
        .command("git")
        .args(["merge", "--no-edit", "feature"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a plain merge of two appended notes conflicts"
    );
    env.git(&["merge", "--abort"]);
}

#[test]
fn tasks_created_on_two_branches_merge_without_collision() {
    let env = TestEnv::new();
    env.git(&["checkout", "-q", "-b", "feature"]);
    let a = env.create(&["Feature task"]);
    commit(&env, "feature task");
    env.git(&["checkout", "-q", "main"]);
    let b = env.create(&["Main task"]);
    commit(&env, "main task");
    env.git(&["merge", "-q", "--no-edit", "feature"]);
    assert_ne!(a, b);
    let list = env.json(&["task", "list"]);
    let ids: Vec<&str> = list["tasks"]
        .as_array()
        .or(list.as_array())
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&a.as_str()) && ids.contains(&b.as_str()),
        "{ids:?}"
    );
    assert_eq!(env.run(&["check"]).code, 0);
}

#[test]
fn same_field_conflict_newer_activity_wins_and_the_loser_is_noted() {
    let env = TestEnv::new();
    let t = env.create(&["Rate limiter"]);
    env.ok(&["task", "update", &t, "--note", "created"]);
    set_entry_times(&env, &t, "2030-01-01T09:00:00Z");
    commit(&env, "add task");

    env.git(&["checkout", "-q", "-b", "feature"]);
    env.ok(&["task", "priority", &t, "--set", "CRITICAL"]);
    env.ok(&["task", "update", &t, "--note", "customer escalation"]);
    set_entry_times(&env, &t, "2030-01-03T09:00:00Z"); // the newer activity
    commit(&env, "escalate");

    env.git(&["checkout", "-q", "main"]);
    env.ok(&["task", "priority", &t, "--set", "LOW"]);
    env.ok(&["task", "update", &t, "--note", "deprioritised"]);
    set_entry_times(&env, &t, "2030-01-02T09:00:00Z");
    commit(&env, "deprioritise");

    env.git(&["merge", "-q", "--no-edit", "feature"]);
    let v = env.json(&["task", "show", &t]);
    assert_eq!(
        v["priority"], "CRITICAL",
        "the side with the newer activity wins"
    );
    let notes = v["notes"].as_array().unwrap();
    let merge_note = notes.last().unwrap();
    assert_eq!(merge_note["by"], "orchestron-merge");
    let text = merge_note["text"].as_str().unwrap();
    assert!(
        text.contains("priority") && text.contains("CRITICAL") && text.contains("LOW"),
        "{text}"
    );
    for n in ["customer escalation", "deprioritised", "created"] {
        assert!(texts(&v, "notes").iter().any(|x| x == n), "{n}");
    }

    // A tie (no newer activity on either side) keeps ours.
    env.git(&["checkout", "-q", "-b", "tie"]);
    env.ok(&["task", "update", &t, "--assignee", "codex"]);
    commit(&env, "codex takes it");
    env.git(&["checkout", "-q", "main"]);
    env.ok(&["task", "update", &t, "--assignee", "claude"]);
    commit(&env, "claude takes it");
    env.git(&["merge", "-q", "--no-edit", "tie"]);
    let v = env.json(&["task", "show", &t]);
    assert_eq!(v["assignee"], "claude");
    let last = texts(&v, "notes").pop().unwrap();
    assert!(
        last.contains("assignee") && last.contains("codex"),
        "{last}"
    );

    // Two claims that met in a merge are flagged by `check` (a warning) until
    // someone confirms who holds the task.
    env.ok(&["task", "update", &t, "--status", "IN_PROGRESS"]);
    let check = env.run(&["check"]);
    let all = format!("{}{}", check.stdout, check.stderr);
    assert_eq!(check.code, 0, "a warning, not an error: {all}");
    assert!(
        all.contains("two claims met in a merge") && all.contains("codex"),
        "{all}"
    );
    env.ok(&["task", "update", &t, "--note", "claude keeps it"]);
    let all = env.ok(&["check"]);
    assert!(!all.contains("two claims"), "{all}");
}

#[test]
fn unparseable_sides_fall_back_to_conflict_markers() {
    let env = TestEnv::new();
    let t = env.create(&["Fragile"]);
    commit(&env, "add");
    env.git(&["checkout", "-q", "-b", "feature"]);
    env.ok(&["task", "update", &t, "--status", "DONE"]);
    commit(&env, "done");
    env.git(&["checkout", "-q", "main"]);
    let path = env.task_path(&t);
    let broken = env.read(&path).replace("status: TODO", "status: [unclosed");
    std::fs::write(&path, broken).unwrap();
    commit(&env, "break it");
    let out = env
        .command("git")
        .args(["merge", "--no-edit", "feature"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = env.read(&path);
    assert!(
        text.contains("<<<<<<< ours") && text.contains(">>>>>>> theirs"),
        "{text}"
    );
    assert!(text.contains("status: [unclosed") && text.contains("status: DONE"));
    // `check` names the half-done merge, with the line of the first marker.
    let check = env.run(&["check"]);
    assert_ne!(check.code, 0);
    let all = format!("{}{}", check.stdout, check.stderr);
    let line = text.lines().position(|l| l.starts_with("<<<<<<<")).unwrap() + 1;
    assert!(
        all.contains(&format!("{t}.yaml:{line}:1")) && all.contains("merge conflict"),
        "{all}"
    );
}

#[test]
fn task_history_lists_field_changes_per_commit() {
    let env = TestEnv::new();
    let t = env.create(&["Export CSV", "--priority", "HIGH"]);
    commit(&env, "create export task");
    env.ok(&[
        "task",
        "update",
        &t,
        "--status",
        "IN_PROGRESS",
        "--assignee",
        "claude",
    ]);
    commit(&env, "start export");
    env.ok(&["task", "clarify", &t, "Include a header row"]);
    commit(&env, "clarify");
    env.ok(&["task", "update", &t, "--progress", "50"]);
    let h = env.json(&["task", "history", &t]);
    let mut r = Redactor::default();
    insta::assert_json_snapshot!("task_history", r.value(&h));
    let two = env.json(&["task", "history", &t, "--limit", "2"]);
    assert_eq!(two["truncated"], true);
    assert_eq!(two["entries"].as_array().unwrap().len(), 2);
    assert_eq!(two["entries"][1]["summary"], "clarify");
    assert_eq!(
        two["entries"][1]["changes"][0]["field"], "clarifications",
        "the oldest shown entry is still compared with the version before it"
    );
    let text = env.ok(&["task", "history", &t]);
    let mut r = Redactor::default();
    insta::assert_snapshot!("task_history_text", short_commits(&r.text(&text)));
}

#[test]
fn diff_summarises_a_branch_for_a_pull_request() {
    let env = TestEnv::new();
    let keep = env.create(&["Untouched"]);
    let close = env.create(&["Fix login bug", "--priority", "HIGH"]);
    let bump = env.create(&["Write docs"]);
    commit(&env, "backlog");
    env.git(&["checkout", "-q", "-b", "feature"]);
    env.create(&["Add audit log", "--priority", "CRITICAL"]);
    env.json(&["sprint", "create", "w49"]);
    env.ok(&["task", "update", &close, "--status", "DONE"]);
    env.ok(&["task", "priority", &bump, "--set", "LOW"]);
    env.ok(&[
        "task",
        "update",
        &bump,
        "--assignee",
        "bob",
        "--status",
        "IN_PROGRESS",
    ]);
    commit(&env, "feature work");
    env.ok(&["task", "clarify", &bump, "Docs go in docs/"]); // uncommitted
    let d = env.json(&["diff"]);
    assert_eq!(
        d["to"],
        Value::Null,
        "the default range ends at the work tree"
    );
    let ids: Vec<&str> = d["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&keep.as_str()));
    let mut r = Redactor::default();
    let md = env.ok(&["diff", "--markdown"]);
    insta::assert_snapshot!("diff_markdown", r.text(&md));
    let text = env.ok(&["diff"]);
    insta::assert_snapshot!("diff_text", r.text(&text));
    // An explicit committed range leaves out the uncommitted clarification.
    let d = env.json(&["diff", "main..feature"]);
    let bump_d = d["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == bump.as_str())
        .unwrap()
        .clone();
    assert_eq!(bump_d["clarifications"], serde_json::json!([]));
    assert_eq!(
        bump_d["priority"],
        serde_json::json!({"from": "MEDIUM", "to": "LOW"})
    );
    let bad = env.run(&["diff", "nope..HEAD"]);
    assert_eq!(bad.code, 4, "{}", bad.stderr);
    assert!(bad.stderr.contains("nope"), "{}", bad.stderr);
}

#[test]
fn git_setup_configures_a_fresh_clone() {
    let env = TestEnv::new();
    let t = env.create(&["Shared"]);
    commit(&env, "task");
    let clone = tempfile::tempdir().unwrap();
    let dest = clone.path().join("c");
    env.git(&[
        "clone",
        "-q",
        env.path().to_str().unwrap(),
        dest.to_str().unwrap(),
    ]);
    let in_clone = |args: &[&str]| {
        let mut c = env.command(crate::common::BIN);
        c.current_dir(&dest).args(args);
        crate::common::to_run(c.output().unwrap())
    };
    let r = in_clone(&["git", "setup"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut git = env.command("git");
    git.current_dir(&dest)
        .args(["config", "--get", "merge.orchestron.driver"]);
    let out = git.output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("merge-driver"));
    assert_eq!(in_clone(&["task", "show", &t]).code, 0);
}

#[test]
fn snapshots_record_branch_head_and_dirty_files() {
    let env = TestEnv::new();
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    env.git(&["checkout", "-q", "-b", "work"]);
    std::fs::write(env.path().join("notes.txt"), "wip").unwrap();
    let s = env.json(&["context", "save", "--notes", "midway"])["snapshot"].clone();
    let git = &s["git"];
    assert_eq!(git["branch"], "work");
    assert_eq!(git["head"], head.as_str());
    let dirty: Vec<&str> = git["dirty"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(
        dirty,
        ["notes.txt"],
        "the snapshot file itself is written after the state is read"
    );

    // Detached HEAD: no branch.
    commit(&env, "wip");
    env.git(&["checkout", "-q", "--detach", "HEAD"]);
    let s = env.json(&["context", "save", "--notes", "detached"])["snapshot"].clone();
    assert_eq!(s["git"]["branch"], Value::Null);
    assert!(s["git"]["head"].as_str().is_some_and(|h| h.len() == 40));

    // Outside git: no git state at all.
    let plain = TestEnv::bare();
    plain.ok(&["init"]);
    let s = plain.json(&["context", "save", "--notes", "no git"])["snapshot"].clone();
    assert!(s.get("git").is_none() || s["git"].is_null(), "{s}");
}

#[test]
fn sprint_status_changed_on_both_branches_takes_the_later_stage() {
    let env = TestEnv::new();
    let s = env.json(&["sprint", "create", "w48"]);
    let id = s["id"].as_str().unwrap().to_string();
    commit(&env, "sprint");
    env.git(&["checkout", "-q", "-b", "closer"]);
    env.ok(&["sprint", "close", &id]);
    commit(&env, "close it");
    env.git(&["checkout", "-q", "main"]);
    env.ok(&["sprint", "start", &id]);
    commit(&env, "start it");
    env.git(&["merge", "-q", "--no-edit", "closer"]);
    let list = env.json(&["sprint", "list"]);
    let text = list.to_string();
    assert!(text.contains("CLOSED"), "{text}");
    assert_eq!(env.run(&["check"]).code, 0);
}

#[test]
fn handoffs_record_git_state_too() {
    let env = TestEnv::new();
    let t = env.create(&["Handoff task"]);
    let h = env.json(&["handoff", &t, "--done", "half", "--remaining", "half"])["snapshot"].clone();
    assert_eq!(h["git"]["branch"], "main");
    let dirty: Vec<&str> = h["git"]["dirty"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert_eq!(
        dirty,
        [format!(".orchestron/tasks/{t}.yaml")],
        "the new task file is uncommitted"
    );
}

#[test]
fn snapshots_in_a_linked_worktree_and_on_an_unborn_branch() {
    let env = TestEnv::new();
    let head = env.git(&["rev-parse", "HEAD"]).trim().to_string();
    let wt = env.path().join("linked");
    env.git(&["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()]);
    std::fs::write(wt.join("scratch.txt"), "x").unwrap();
    let mut c = env.command(crate::common::BIN);
    c.current_dir(&wt)
        .args(["context", "save", "--notes", "from the worktree", "--json"]);
    let r = crate::common::to_run(c.output().unwrap());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s: Value = serde_json::from_str::<Value>(&r.stdout).unwrap()["snapshot"].clone();
    assert_eq!(s["git"]["branch"], "side");
    assert_eq!(s["git"]["head"], head.as_str());
    assert_eq!(s["git"]["dirty"], serde_json::json!(["scratch.txt"]));

    let fresh = TestEnv::bare();
    fresh.git(&["init", "-q", "-b", "trunk"]);
    fresh.ok(&["init"]);
    let s =
        fresh.json(&["context", "save", "--notes", "nothing committed yet"])["snapshot"].clone();
    assert_eq!(s["git"]["branch"], "trunk");
    assert_eq!(s["git"]["head"], Value::Null);
    assert!(
        s["git"]["dirty"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == ".orchestron/config.yaml"),
        "{s}"
    );
}

#[test]
fn changes_pulled_through_git_are_credited_to_the_commit_author() {
    let env = TestEnv::new();
    let t = env.create(&["Shared task"]);
    commit(&env, "task");
    env.ok(&["updates"]); // set this user's cursor
    env.git(&["checkout", "-q", "-b", "bob"]);
    env.ok(&["task", "priority", &t, "--set", "HIGH"]);
    env.git(&["add", "-A"]);
    env.git(&[
        "-c",
        "user.name=Bob",
        "commit",
        "-q",
        "-m",
        "bob",
        "--author",
        "Bob <bob@example.com>",
    ]);
    env.git(&["checkout", "-q", "main"]);
    env.ok(&["task", "list"]); // the cache sees main again
    env.git(&["merge", "-q", "--no-edit", "bob"]);
    let by = |u: &Value, field: &str| {
        u["changes"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|c| {
                c["fields"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|x| x["field"] == field))
            })
            .map(|c| c["by"].as_str().unwrap_or_default().to_string())
    };
    let u = env.json(&["updates"]);
    assert_eq!(by(&u, "priority").as_deref(), Some("Bob"), "{u:#}");
    // A hand edit not committed is credited to the editor.
    let path = env.task_path(&t);
    let text = env
        .read(&path)
        .replace("title: Shared task", "title: Shared task (renamed)");
    std::fs::write(&path, text).unwrap();
    let u = env.json(&["updates"]);
    assert_eq!(by(&u, "title").as_deref(), Some("editor"), "{u:#}");
}

#[test]
fn a_workspace_in_a_subfolder_of_the_repository() {
    let env = TestEnv::bare();
    env.git(&["init", "-q", "-b", "main"]);
    let sub = env.path().join("services/api");
    std::fs::create_dir_all(&sub).unwrap();
    let run = |args: &[&str]| {
        let mut c = env.command(crate::common::BIN);
        c.current_dir(&sub).args(args);
        let r = crate::common::to_run(c.output().unwrap());
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        r.stdout
    };
    run(&["init"]);
    let t: Value = serde_json::from_str(&run(&["task", "create", "Nested", "--json"])).unwrap();
    let id = t["id"].as_str().unwrap().to_string();
    commit(&env, "nested workspace");
    run(&["task", "update", &id, "--status", "DONE"]);
    commit(&env, "done");
    let h: Value = serde_json::from_str(&run(&["task", "history", &id, "--json"])).unwrap();
    assert_eq!(
        h["path"],
        format!("services/api/.orchestron/tasks/{id}.yaml")
    );
    assert_eq!(h["entries"].as_array().unwrap().len(), 2, "{h}");
    let d: Value = serde_json::from_str(&run(&["diff", "HEAD~1..HEAD", "--json"])).unwrap();
    assert_eq!(d["tasks"][0]["closed"], true, "{d}");
    let attrs = std::fs::read_to_string(sub.join(".orchestron/.gitattributes")).unwrap();
    assert!(attrs.contains("merge=orchestron"));
}

#[test]
fn a_rebase_runs_the_driver_too() {
    let env = TestEnv::new();
    let t = env.create(&["Rebased task"]);
    env.ok(&["task", "update", &t, "--note", "base note"]);
    commit(&env, "task");
    env.git(&["checkout", "-q", "-b", "feature"]);
    env.ok(&[
        "task",
        "update",
        &t,
        "--note",
        "feature note",
        "--status",
        "IN_PROGRESS",
    ]);
    commit(&env, "feature");
    env.git(&["checkout", "-q", "main"]);
    env.ok(&[
        "task",
        "update",
        &t,
        "--note",
        "main note",
        "--priority",
        "HIGH",
    ]);
    commit(&env, "main");
    env.git(&["checkout", "-q", "feature"]);
    env.git(&["rebase", "-q", "main"]);
    let v = env.json(&["task", "show", &t]);
    assert_eq!(v["status"], "IN_PROGRESS");
    assert_eq!(v["priority"], "HIGH");
    assert_eq!(
        texts(&v, "notes").len(),
        3,
        "base, main and feature notes: {v}"
    );
}
