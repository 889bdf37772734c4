//! End-to-end tests of every CLI command through the built binary, with the
//! `--json` output snapshotted (ids and times redacted).

use crate::common::{Redactor, TestEnv};
use serde_json::json;

#[test]
fn task_lifecycle_json_outputs() {
    let env = TestEnv::new();
    let mut r = Redactor::default();
    let epic = env.json(&[
        "task",
        "create",
        "Auth",
        "--type",
        "epic",
        "--priority",
        "high",
    ]);
    let epic_id = epic["id"].as_str().unwrap().to_string();
    insta::assert_json_snapshot!("create_epic", r.value(&epic));
    let story = env.json(&[
        "task",
        "create",
        "Password reset",
        "--type",
        "story",
        "--parent",
        &epic_id,
        "--label",
        "auth,backend",
        "--criterion",
        "Token expires in 1 hour",
        "--criterion",
        "Unit tests pass",
        "-d",
        "POST /api/auth/reset-password",
    ]);
    let story_id = story["id"].as_str().unwrap().to_string();
    let dep = env.create(&["Email service", "--priority", "critical"]);
    insta::assert_json_snapshot!(
        "depend",
        r.value(&env.json(&["task", "depend", &story_id, "--on", &dep]))
    );
    insta::assert_json_snapshot!(
        "update",
        r.value(&env.json(&[
            "task",
            "update",
            &story_id,
            "--status",
            "in-progress",
            "--progress",
            "60",
            "--note",
            "Completed API endpoints",
            "--criterion-done",
            "1",
            "--assignee",
            "claude",
        ]))
    );
    insta::assert_json_snapshot!(
        "clarify",
        r.value(&env.json(&[
            "task",
            "clarify",
            &story_id,
            "Use OAuth2 for third-party integrations"
        ]))
    );
    insta::assert_json_snapshot!(
        "priority",
        r.value(&env.json(&["task", "priority", &story_id, "--set", "CRITICAL"]))
    );
    insta::assert_json_snapshot!("show", r.value(&env.json(&["task", "show", &story_id])));
    insta::assert_json_snapshot!("list", r.value(&env.json(&["task", "list"])));
    insta::assert_json_snapshot!(
        "list_ready",
        r.value(&env.json(&["task", "list", "--ready"]))
    );
    insta::assert_json_snapshot!(
        "show_epic_children",
        r.value(&env.json(&["task", "show", &epic_id])["children"])
    );
}

#[test]
fn list_filters_and_paging() {
    let env = TestEnv::new();
    for i in 0..5 {
        env.create(&[
            &format!("Task {i}"),
            "--priority",
            if i % 2 == 0 { "high" } else { "low" },
            "--label",
            "x",
        ]);
    }
    let page = env.json(&["task", "list", "--limit", "2"]);
    assert_eq!(page["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(page["total"], 5);
    assert_eq!(page["next_offset"], 2);
    let high = env.json(&["task", "list", "--priority", "HIGH"]);
    assert_eq!(high["total"], 3);
    let both = env.json(&["task", "list", "--priority", "high,low", "--status", "todo"]);
    assert_eq!(both["total"], 5);
    let found = env.json(&["task", "list", "--query", "Task 3"]);
    assert!(
        found["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["title"] == "Task 3")
    );
    let all = env.json(&["task", "list", "--limit", "0"]);
    assert_eq!(all["tasks"].as_array().unwrap().len(), 5);
    assert_eq!(all["next_offset"], json!(null));
}

#[test]
fn sprint_commands_json_outputs() {
    let env = TestEnv::new();
    let mut r = Redactor::default();
    let s = env.json(&[
        "sprint",
        "create",
        "2026-w48",
        "--goal",
        "Ship password reset",
        "--start",
        "2026-11-23",
        "--end",
        "2026-12-04",
    ]);
    insta::assert_json_snapshot!("sprint_create", r.value(&s));
    let t1 = env.create(&["One", "--sprint", "2026-w48"]);
    env.create(&["Two", "--sprint", "2026-w48", "--priority", "low"]);
    env.ok(&["task", "update", &t1, "--status", "done"]);
    insta::assert_json_snapshot!(
        "sprint_start",
        r.value(&env.json(&["sprint", "start", "2026-w48"]))
    );
    // The burndown depends on today's date: its numbers are checked in
    // `insights::`; here only that it is there.
    let mut shown = env.json(&["sprint", "show"]);
    let progress = shown.as_object_mut().and_then(|m| m.remove("progress"));
    assert!(progress.is_some_and(|p| p["series"].is_array()));
    insta::assert_json_snapshot!("sprint_show", r.value(&shown));
    insta::assert_json_snapshot!("sprint_list", r.value(&env.json(&["sprint", "list"])));
    insta::assert_json_snapshot!(
        "sprint_close",
        r.value(&env.json(&["sprint", "close", "2026-w48"]))
    );
    assert_eq!(env.json(&["sprint", "show"]), json!(null));
    // Lists filter by sprint name or id; an unknown sprint is an error, not an empty list.
    assert_eq!(
        env.json(&["task", "list", "--sprint", "2026-w48"])["total"],
        2
    );
    assert_eq!(
        env.json(&["task", "list", "--sprint", s["id"].as_str().unwrap()])["total"],
        2
    );
    assert_eq!(env.run(&["task", "list", "--sprint", "w99"]).code, 3);
    assert_eq!(env.json(&["task", "list", "--parent", &t1])["total"], 0);
}

#[test]
fn context_and_handoff_json_outputs() {
    let env = TestEnv::new();
    let mut r = Redactor::default();
    assert_eq!(env.json(&["context", "show"]), json!({ "snapshot": null }));
    let t = env.create(&["Reset flow"]);
    let saved = env.json(&[
        "context",
        "save",
        "--context",
        r#"{"current_file":"src/auth.rs","step":3}"#,
        "--notes",
        "Halfway",
        "--checkpoint",
        "api-done",
        "--task",
        &t,
    ]);
    let mut saved_r = r.value(&saved);
    saved_r["snapshot"]["git"] = json!("[git]");
    insta::assert_json_snapshot!("context_save", saved_r);
    env.json(&[
        "handoff",
        &t,
        "--done",
        "API endpoints",
        "--remaining",
        "Frontend form",
        "--note",
        "Watch the token TTL",
    ]);
    let latest = env.json(&["context", "show"]);
    let mut latest_r = r.value(&latest);
    latest_r["snapshot"]["git"] = json!("[git]");
    latest_r["handoff"]["git"] = json!("[git]");
    insta::assert_json_snapshot!("context_show_latest", latest_r);
    assert_eq!(env.json(&["context", "list"]).as_array().unwrap().len(), 2);
    let task = env.json(&["task", "show", &t]);
    let note = task["notes"][0]["text"].as_str().unwrap();
    assert!(
        note.starts_with("Handoff CTX-") && note.contains("Remaining: Frontend form"),
        "{note}"
    );
}

#[test]
fn status_overview_text_and_json() {
    let env = TestEnv::new();
    let mut r = Redactor::default();
    env.json(&[
        "sprint",
        "create",
        "w48",
        "--start",
        "2026-11-23",
        "--end",
        "2026-12-04",
    ]);
    env.ok(&["sprint", "start", "w48"]);
    let a = env.create(&["Build API", "--sprint", "w48", "--priority", "high"]);
    env.create(&["Write docs", "--sprint", "w48"]);
    env.ok(&[
        "task",
        "update",
        &a,
        "--status",
        "in_progress",
        "--assignee",
        "claude",
    ]);
    env.ok(&["handoff", &a, "--done", "Routes", "--remaining", "Tests"]);
    let mut v = r.value(&env.json(&["status"]));
    v["latest_context"]["git"] = json!("[git]");
    insta::assert_json_snapshot!("status_json", v);
    let text = r.text(&env.ok(&["status"]));
    let text: String = text.lines().skip(1).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("status_text", text);
}

#[test]
fn updates_report_changes_once() {
    let env = TestEnv::new();
    let t = env.create(&["Watch me"]);
    let first = env.json(&["updates"]);
    assert!(
        first["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["op"] == "created")
    );
    assert_eq!(env.json(&["updates"])["changes"], json!([]));
    env.ok(&["task", "priority", &t, "--set", "critical"]);
    let next = env.json(&["updates"]);
    let fields = &next["changes"][0]["fields"][0];
    assert_eq!(fields["field"], "priority");
    assert_eq!(fields["old"], "MEDIUM");
    assert_eq!(fields["new"], "CRITICAL");
}

#[test]
fn claim_and_next_follow_priority_and_refuse_held_tasks() {
    let env = TestEnv::new();
    let low = env.create(&["Low", "--priority", "low"]);
    let high = env.create(&["High", "--priority", "high"]);
    assert_eq!(env.json(&["task", "next"])["id"], high.as_str());
    let claimed = env.json(&["task", "claim", "--agent", "bot-a"]);
    assert_eq!(claimed["task"]["id"], high.as_str());
    assert_eq!(claimed["task"]["assignee"], "bot-a");
    let refused = env.run(&["task", "claim", &high, "--agent", "bot-b"]);
    assert_eq!(refused.code, 5, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("held by bot-a"),
        "{}",
        refused.stderr
    );
    let second = env.json(&["task", "claim", "--agent", "bot-b"]);
    assert_eq!(second["task"]["id"], low.as_str());
    assert_eq!(
        env.json(&["task", "claim", "--agent", "bot-c"]),
        json!(null)
    );
}

#[test]
fn bad_input_gets_clear_errors_and_changes_nothing() {
    let env = TestEnv::new();
    let t = env.create(&["Target"]);
    let before = env.read(&env.task_path(&t));
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["task", "show", "TASK-zzzzz"],
            3,
            "unknown task TASK-zzzzz",
        ),
        (
            &["task", "update", &t, "--status", "finished"],
            4,
            "expected one of TODO, IN_PROGRESS, IN_REVIEW, BLOCKED, DONE, CANCELLED",
        ),
        (
            &["task", "priority", &t, "--set", "urgent"],
            4,
            "expected one of CRITICAL, HIGH, MEDIUM, LOW",
        ),
        (
            &["task", "update", &t, "--progress", "150"],
            4,
            "progress must be between 0 and 100, got 150",
        ),
        (
            &["task", "update", &t, "--progress", "-1"],
            4,
            "progress must be between 0 and 100, got -1",
        ),
        (&["task", "show", "../../etc/passwd"], 4, "invalid id"),
        (
            &["task", "update", &t, "--criterion-done", "3"],
            4,
            "has no acceptance criterion 3",
        ),
        (&["task", "depend", &t, "--on", &t], 5, "cycle"),
        (&["task", "create", "   "], 4, "title must not be empty"),
        (
            &["task", "create", "x", "--template", "nope"],
            4,
            "expected one of feature, bug, spike",
        ),
        (&["sprint", "show", "nope"], 3, "unknown sprint nope"),
    ];
    for (args, code, message) in cases {
        let r = env.run(args);
        assert_eq!(r.code, *code, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
    }
    let long = "x".repeat(20_000);
    let r = env.run(&["task", "clarify", &t, &long]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("too long"), "{}", r.stderr);
    assert_eq!(
        env.read(&env.task_path(&t)),
        before,
        "a refused command changed the file"
    );
}

#[test]
fn unknown_id_suggests_near_matches() {
    let env = TestEnv::new();
    let t = env.create(&["Near"]);
    // A one-character typo: the last character replaced by a different one.
    let last = if t.ends_with('x') { 'y' } else { 'x' };
    let typo = format!("{}{last}", &t[..t.len() - 1]);
    let r = env.run(&["task", "show", &typo]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains(&format!("did you mean {t}")),
        "{}",
        r.stderr
    );
}

#[test]
fn dependency_cycles_are_refused() {
    let env = TestEnv::new();
    let a = env.create(&["A"]);
    let b = env.create(&["B"]);
    let c = env.create(&["C"]);
    env.ok(&["task", "depend", &a, "--on", &b]);
    env.ok(&["task", "depend", &b, "--on", &c]);
    let r = env.run(&["task", "depend", &c, "--on", &a]);
    assert_eq!(r.code, 5);
    assert!(
        r.stderr.contains(&format!("{c} → {a} → {b} → {c}")),
        "{}",
        r.stderr
    );
    env.ok(&["task", "depend", &a, "--on", &b, "--remove"]);
    env.ok(&["task", "depend", &c, "--on", &a]);
}

#[test]
fn templates_fill_in_fields() {
    let env = TestEnv::new();
    let t = env.json(&[
        "task",
        "create",
        "Crash on empty input",
        "--template",
        "bug",
    ]);
    assert_eq!(t["priority"], "HIGH");
    assert_eq!(t["labels"], json!(["bug"]));
    assert!(
        t["description"]
            .as_str()
            .unwrap()
            .contains("Steps to reproduce")
    );
    assert_eq!(t["acceptance_criteria"].as_array().unwrap().len(), 2);
}

#[test]
fn root_accepts_project_or_workspace_folder_and_discovers_upward() {
    let env = TestEnv::new();
    let t = env.create(&["Found"]);
    let sub = env.path().join("src/deep");
    std::fs::create_dir_all(&sub).unwrap();
    let mut c = env.command(crate::common::BIN);
    let out = crate::common::to_run(
        c.current_dir(&sub)
            .args(["task", "show", &t])
            .output()
            .unwrap(),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ws = env.ws();
    for root in [env.path().to_str().unwrap(), ws.to_str().unwrap()] {
        let other = TestEnv::bare();
        let r = other.run(&["--root", root, "task", "show", &t]);
        assert_eq!(r.code, 0, "--root {root}: {}", r.stderr);
    }
    let nowhere = TestEnv::bare();
    let r = nowhere.run(&["status"]);
    assert_eq!(r.code, 7);
    assert!(r.stderr.contains("orchestron init"), "{}", r.stderr);
}

#[test]
fn closed_pipe_is_success() {
    let env = TestEnv::new();
    for i in 0..30 {
        env.create(&[&format!("Task {i}")]);
    }
    let mut child = env
        .command(crate::common::BIN)
        .args(["task", "list", "--limit", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn completions_are_generated() {
    let env = TestEnv::bare();
    let out = env.ok(&["completions", "bash"]);
    assert!(out.contains("orchestron") && out.contains("clarify"));
}

/// stderr with the project folder and ids redacted, checked to say each part
/// of its cause chain once (`a: b: b` is the bug this guards).
fn error_text(env: &TestEnv, r: &crate::common::Run, red: &mut Redactor) -> String {
    let text = red.text(
        &r.stderr
            .replace(&env.path().display().to_string(), "[project]"),
    );
    let parts: Vec<&str> = text.trim_end().split(": ").collect();
    for (i, p) in parts.iter().enumerate() {
        assert!(
            !parts[i + 1..].contains(p),
            "{p:?} is said twice in {text:?}"
        );
    }
    text
}

#[test]
fn error_unknown_id_prints_its_cause_once() {
    let env = TestEnv::new();
    let r = env.run(&["task", "show", "TASK-zzzzz"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    insta::assert_snapshot!(
        "stderr_unknown_id",
        error_text(&env, &r, &mut Redactor::default())
    );
}

#[test]
fn error_bad_enum_names_the_flag_and_the_values_once() {
    let env = TestEnv::new();
    let mut red = Redactor::default();
    let t = env.create(&["Target"]);
    let r = env.run(&["task", "update", &t, "--status", "finished"]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    insta::assert_snapshot!("stderr_bad_enum", error_text(&env, &r, &mut red));
}

#[test]
fn error_unreadable_file_names_the_path_and_the_os_error_once() {
    let env = TestEnv::new();
    let dir = env.path().join("base.yaml");
    std::fs::create_dir(&dir).unwrap();
    let ours = env.path().join("ours.yaml");
    std::fs::write(&ours, "id: TASK-aaaaa\n").unwrap();
    let (d, o) = (dir.display().to_string(), ours.display().to_string());
    let r = env.run(&["merge-driver", &d, &o, &o, "tasks/TASK-aaaaa.yaml"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!(
        "stderr_unreadable_file",
        error_text(&env, &r, &mut Redactor::default())
    );
}

#[test]
fn error_broken_record_points_at_the_file_not_an_unknown_id() {
    let env = TestEnv::new();
    let mut red = Redactor::default();
    let t = env.create(&["Will break"]);
    std::fs::write(env.task_path(&t), format!("id: {t}\ntitle: [unclosed\n")).unwrap();
    let r = env.run(&["task", "show", &t]);
    assert_eq!(r.code, 6, "{}", r.stderr);
    insta::assert_snapshot!("stderr_broken_record", error_text(&env, &r, &mut red));
}

#[test]
fn error_locked_workspace_is_reported_after_a_bounded_wait() {
    let env = TestEnv::new();
    let mut red = Redactor::default();
    let t = env.create(&["Contended"]);
    let before = env.read(&env.task_path(&t));
    // Another process's writer, as the OS sees it: an exclusive lock on the
    // lock file through a handle this process holds.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(env.ws().join("cache").join("write.lock"))
        .unwrap();
    lock.lock().unwrap();
    let r = env.run_with(
        &["task", "update", &t, "--progress", "5"],
        &[("ORCHESTRON_LOCK_WAIT_MS", "200")],
    );
    assert_eq!(r.code, 5, "{}", r.stderr);
    insta::assert_snapshot!("stderr_locked", error_text(&env, &r, &mut red));
    assert_eq!(
        env.read(&env.task_path(&t)),
        before,
        "wrote without the lock"
    );
    lock.unlock().unwrap();
    env.ok(&["task", "update", &t, "--progress", "5"]);
}

/// Runs `args` with stdout a pipe whose reading end is already closed.
fn run_into_closed_pipe(env: &TestEnv, args: &[&str]) -> crate::common::Run {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = env
        .command(crate::common::BIN)
        .args(args)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    crate::common::to_run(out)
}

#[test]
fn closed_pipe_is_success_for_table_json_and_completions() {
    let env = TestEnv::new();
    env.create(&["One"]);
    for args in [
        &["task", "list"][..],
        &["task", "list", "--json"],
        &["status", "--json"],
        &["completions", "bash"],
    ] {
        let r = run_into_closed_pipe(&env, args);
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{args:?}");
    }
}

#[test]
fn closed_stderr_does_not_panic() {
    let env = TestEnv::new();
    let out = env
        .command(crate::common::BIN)
        .args(["task", "show", "TASK-zzzzz"])
        .stderr(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn search_for_symbols_and_cjk_finds_what_the_text_contains() {
    let env = TestEnv::new();
    let cjk = env.create(&["日本語タイトル"]);
    let rocket = env.create(&["Deploy 🚀 on Friday", "-d", "See #12"]);
    env.create(&["Plain words"]);
    let ids = |q: &str| -> Vec<String> {
        let page = env.json(&["task", "list", "-q", q]);
        let mut v: Vec<String> = page["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        assert_eq!(page["total"], v.len(), "{q}");
        v
    };
    assert_eq!(ids("タイトル"), [cjk]);
    assert_eq!(ids("🚀"), std::slice::from_ref(&rocket));
    assert_eq!(ids("#"), std::slice::from_ref(&rocket));
    assert_eq!(ids("#12"), [rocket]);
    assert!(ids("📝").is_empty());
    assert!(ids("#13").is_empty());
}

#[test]
fn requests_the_state_refuses_exit_5_not_invalid_input() {
    let env = TestEnv::new();
    let t = env.create(&["Finished already"]);
    env.ok(&["task", "update", &t, "--status", "done"]);
    let r = env.run(&["task", "claim", &t]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("nothing to claim"), "{}", r.stderr);
    let r = env.run(&["archive", "--restore", &t]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("is not archived"), "{}", r.stderr);
    env.ok(&["sprint", "create", "One"]);
    env.ok(&["sprint", "create", "Two"]);
    env.ok(&["sprint", "start", "One"]);
    let r = env.run(&["sprint", "start", "Two"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    let r = env.run(&["sprint", "create", "one"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
}

#[test]
fn an_out_of_range_estimate_on_the_command_line_names_the_real_bound() {
    let env = TestEnv::new();
    let id = env.create(&["Sized"]);
    for args in [
        &["task", "create", "x", "--estimate", "-3"][..],
        &["task", "update", &id, "--estimate", "1001"],
    ] {
        let r = env.run(args);
        assert_eq!(r.code, 4, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("estimate must be between 0 and 1000"),
            "{args:?}: {}",
            r.stderr
        );
    }
    env.ok(&["task", "update", &id, "--estimate", "1000"]);
}

#[test]
fn multi_line_notes_keep_their_continuation_lines_indented_in_task_show() {
    let env = TestEnv::new();
    let id = env.create(&["Noted"]);
    env.ok(&[
        "task",
        "update",
        &id,
        "--note",
        "line one\nline two\nline three",
    ]);
    env.ok(&["task", "clarify", &id, "first\nsecond"]);
    let shown = env.ok(&["task", "show", &id]);
    let notes = shown.split("\nNotes\n").nth(1).expect("a Notes section");
    let lines: Vec<&str> = notes.lines().collect();
    assert!(lines[0].ends_with(": line one"), "{shown}");
    assert_eq!(lines[1..3], ["    line two", "    line three"], "{shown}");
    assert!(shown.contains(": first\n    second\n"), "{shown}");
    assert!(
        !shown.lines().any(|l| l == "line two" || l == "second"),
        "no continuation line at column 0: {shown}"
    );
}

#[test]
fn updates_marks_read_only_what_it_printed_in_full_and_peek_marks_nothing() {
    let env = TestEnv::new();
    let ids: Vec<String> = (0..3)
        .map(|i| env.create(&[&format!("Task {i}")]))
        .collect();
    let shows_all = |out: &str| ids.iter().all(|id| out.contains(id.as_str()));
    // --peek shows them and leaves them unread.
    let peek = env.ok(&["updates", "--peek"]);
    assert!(shows_all(&peek), "{peek}");
    // Output nobody could read (the reader is gone before the page is
    // written) marks nothing read.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = env
        .command(crate::common::BIN)
        .arg("updates")
        .stdout(writer)
        .status()
        .unwrap();
    assert!(status.success(), "a closed pipe is success: {status:?}");
    let json = env.json(&["updates", "--peek"]);
    assert_eq!(json["changes"].as_array().unwrap().len(), 3, "{json}");
    // Printed in full: read.
    let first = env.ok(&["updates"]);
    assert!(shows_all(&first), "{first}");
    let again = env.ok(&["updates"]);
    assert!(again.contains("No updates."), "{again}");
}
