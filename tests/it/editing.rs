//! Hand edits and tool writes meet in one file: what a human writes in an editor
//! is seen by the next command, and the tool's later writes keep it — comments,
//! key order, formatting — changing only the lines they mean to change.

use crate::common::TestEnv;

fn diff_lines(a: &str, b: &str) -> (Vec<String>, Vec<String>) {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let removed = a
        .iter()
        .filter(|l| !b.contains(l))
        .map(|s| s.to_string())
        .collect();
    let added = b
        .iter()
        .filter(|l| !a.contains(l))
        .map(|s| s.to_string())
        .collect();
    (removed, added)
}

#[test]
fn status_update_is_a_one_line_diff() {
    let env = TestEnv::new();
    let id = env.create(&[
        "Reset",
        "--label",
        "auth",
        "--criterion",
        "Works",
        "-d",
        "Two\nlines",
    ]);
    env.ok(&["task", "update", &id, "--note", "first"]);
    let before = env.read(&env.task_path(&id));
    env.ok(&["task", "update", &id, "--status", "IN_REVIEW"]);
    let after = env.read(&env.task_path(&id));
    assert_eq!(before.lines().count(), after.lines().count());
    let (removed, added) = diff_lines(&before, &after);
    assert_eq!(removed, vec!["status: TODO"]);
    assert_eq!(added, vec!["status: IN_REVIEW"]);
}

#[test]
fn new_note_appends_one_line_at_the_end_of_the_list() {
    let env = TestEnv::new();
    let id = env.create(&["Reset"]);
    env.ok(&["task", "update", &id, "--note", "first"]);
    env.ok(&["task", "clarify", &id, "a clarification"]);
    let before = env.read(&env.task_path(&id));
    env.ok(&[
        "task",
        "update",
        &id,
        "--note",
        "second: with colon # and hash",
    ]);
    let after = env.read(&env.task_path(&id));
    assert!(
        after.starts_with(&before),
        "only an append expected:\n{after}"
    );
    let tail = &after[before.len()..];
    assert_eq!(tail.lines().count(), 1, "{tail}");
    assert!(tail.contains("second: with colon # and hash"));
}

#[test]
fn hand_edit_with_comment_is_seen_and_survives_tool_writes() {
    let env = TestEnv::new();
    let id = env.create(&["Reset"]);
    let path = env.task_path(&id);
    let text = env.read(&path);
    let edited = text
        .replace(
            "priority: MEDIUM",
            "priority: high   # bumped after the incident, ask bob",
        )
        .replace(
            "title: Reset",
            "# The title is what the customer calls it.\ntitle: Reset the password",
        );
    std::fs::write(&path, &edited).unwrap();
    // The very next command sees the edit (canonicalised enum, new title).
    let shown = env.json(&["task", "show", &id]);
    assert_eq!(shown["priority"], "HIGH");
    assert_eq!(shown["title"], "Reset the password");
    // A tool write keeps the human's comments and their spelling.
    env.ok(&[
        "task",
        "update",
        &id,
        "--status",
        "in_progress",
        "--note",
        "on it",
    ]);
    let after = env.read(&path);
    assert!(
        after.contains("priority: high   # bumped after the incident, ask bob"),
        "{after}"
    );
    assert!(
        after.contains("# The title is what the customer calls it.\ntitle: Reset the password"),
        "{after}"
    );
    assert!(after.contains("status: IN_PROGRESS"));
    // And the change feed credits the hand edit to the editor.
    let updates = env.json(&["updates", "--agent", "someone-else"]);
    let by_editor = updates["changes"].as_array().unwrap().iter().any(|c| {
        c["by"] == "editor"
            && c["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == "priority" && f["new"] == "HIGH")
    });
    assert!(by_editor, "{updates:#}");
}

#[test]
fn unknown_keys_are_kept_and_warned_about() {
    let env = TestEnv::new();
    let id = env.create(&["Reset"]);
    let path = env.task_path(&id);
    let text = env.read(&path) + "reviewer: carol\n";
    std::fs::write(&path, &text).unwrap();
    env.ok(&["task", "update", &id, "--priority", "low"]);
    assert!(env.read(&path).contains("reviewer: carol"));
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "a warning is not an error: {}", check.stdout);
    assert!(
        check.stdout.contains("unknown key `reviewer`"),
        "{}",
        check.stdout
    );
}

#[test]
fn deleted_file_is_gone_from_the_next_list() {
    let env = TestEnv::new();
    let a = env.create(&["Keep"]);
    let b = env.create(&["Drop"]);
    assert_eq!(env.json(&["task", "list"])["total"], 2);
    std::fs::remove_file(env.task_path(&b)).unwrap();
    let list = env.json(&["task", "list"]);
    assert_eq!(list["total"], 1);
    assert_eq!(list["tasks"][0]["id"], a.as_str());
}

#[test]
fn deleted_cache_loses_nothing() {
    let env = TestEnv::new();
    let id = env.create(&["Survivor", "--priority", "high"]);
    env.ok(&["task", "update", &id, "--note", "kept in the file"]);
    std::fs::remove_dir_all(env.ws().join("cache")).unwrap();
    let shown = env.json(&["task", "show", &id]);
    assert_eq!(shown["priority"], "HIGH");
    assert_eq!(shown["notes"][0]["text"], "kept in the file");
}

#[test]
fn git_checkout_of_another_branch_is_seen_by_the_next_command() {
    let env = TestEnv::new();
    let id = env.create(&["Shared"]);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "task"]);
    env.git(&["checkout", "-q", "-b", "feature"]);
    env.ok(&["task", "update", &id, "--status", "done"]);
    let only_here = env.create(&["Only on feature"]);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "feature work"]);
    env.git(&["checkout", "-q", "main"]);
    assert_eq!(env.json(&["task", "show", &id])["status"], "TODO");
    assert_eq!(env.run(&["task", "show", &only_here]).code, 3);
    env.git(&["checkout", "-q", "feature"]);
    assert_eq!(env.json(&["task", "show", &id])["status"], "DONE");
}

fn set_mtime(path: &std::path::Path, at: std::time::SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(at))
        .expect("set the file's modification time");
}

#[test]
fn old_cursor_after_rebuild_resyncs_with_files_changed_since() {
    let env = TestEnv::new();
    let old = env.create(&["Old"]);
    let cursor = env.json(&["updates"])["cursor"]
        .as_str()
        .unwrap()
        .to_string();
    let fresh = env.create(&["Fresh"]);
    // The resync answers by file modification time against the cursor's time.
    // Put the two files clearly on either side of it rather than waiting:
    // file times come from a coarse clock that may lag the cursor's by a tick.
    let hour = std::time::Duration::from_secs(3600);
    let now = std::time::SystemTime::now();
    set_mtime(&env.task_path(&old), now - hour);
    set_mtime(&env.task_path(&fresh), now + hour);
    env.ok(&["index", "rebuild"]);
    let u = env.json(&["updates", "--since", &cursor]);
    assert_eq!(u["resync"], true);
    let ids: Vec<&str> = u["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&fresh.as_str()), "{u:#}");
    assert!(!ids.contains(&old.as_str()), "{u:#}");
    // The new cursor is precise again.
    let next = u["cursor"].as_str().unwrap();
    let again = env.json(&["updates", "--since", next]);
    assert_eq!(again["resync"], false);
    assert_eq!(again["changes"], serde_json::json!([]));
}

#[test]
fn orchestron_db_moves_the_cache_and_git_ignores_it() {
    let env = TestEnv::new();
    let id = env.create(&["Elsewhere"]);
    let r = env.run_with(
        &["task", "show", &id],
        &[("ORCHESTRON_DB", ".orchestron/orchestron.db")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files = crate::common::cache_files_in(&env.ws(), "orchestron.db");
    assert!(files.iter().any(|f| f.ends_with(".db")), "{files:?}");
    let status = env.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(
        !status.contains("orchestron.db"),
        "the cache must be ignored:\n{status}"
    );
    assert!(!status.contains("cache/"), "{status}");
}

#[test]
fn relative_orchestron_db_is_taken_from_the_project_folder() {
    let env = TestEnv::new();
    let id = env.create(&["Elsewhere"]);
    let sub = env.path().join("src/deep");
    std::fs::create_dir_all(&sub).unwrap();
    let out = env
        .command(crate::common::BIN)
        .args(["task", "show", &id])
        .current_dir(&sub)
        .env("ORCHESTRON_DB", ".orchestron/orchestron.db")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let files = crate::common::cache_files_in(&env.ws(), "orchestron.db");
    assert!(files.iter().any(|f| f.ends_with(".db")), "{files:?}");
    assert!(
        !env.ws().join(".orchestron").exists(),
        "not relative to the workspace"
    );
    assert!(
        !sub.join(".orchestron").exists(),
        "not relative to the current directory"
    );
}

#[test]
fn ticking_a_criterion_is_a_one_line_diff_whatever_the_indentation() {
    let env = TestEnv::new();
    let id = env.create(&["Reset", "--criterion", "one", "--criterion", "two"]);
    let path = env.task_path(&id);
    for indent in ["", "  "] {
        let flush = env.read(&path).replace("\n  - { text:", "\n- { text:");
        std::fs::write(
            &path,
            flush.replace("\n- { text:", &format!("\n{indent}- {{ text:")),
        )
        .unwrap();
        let before = env.read(&path);
        env.ok(&["task", "update", &id, "--criterion-done", "2"]);
        let after = env.read(&path);
        let (removed, added) = diff_lines(&before, &after);
        assert_eq!(
            removed,
            vec![format!("{indent}- {{ text: two, done: false }}")]
        );
        assert_eq!(
            added,
            vec![format!("{indent}- {{ text: two, done: true }}")]
        );
        env.ok(&["task", "update", &id, "--add-criterion", "three"]);
        let appended = env.read(&path);
        assert_eq!(
            appended,
            format!("{after}{indent}- {{ text: three, done: false }}\n"),
            "an append keeps the indentation too"
        );
        env.ok(&["task", "update", &id, "--criterion-undone", "2"]);
        let text = env
            .read(&path)
            .replace(&format!("{indent}- {{ text: three, done: false }}\n"), "");
        std::fs::write(&path, text).unwrap();
    }
}

#[test]
fn updates_after_rebuild_name_gap_records_and_report_later_edits_with_fields() {
    let env = TestEnv::new();
    let cursor = env.json(&["updates"])["cursor"]
        .as_str()
        .unwrap()
        .to_string();
    let gap = env.create(&["Gap"]);
    let later = env.create(&["Later"]);
    // Put the gap's file clearly after the cursor's time (see above).
    let hour = std::time::Duration::from_secs(3600);
    set_mtime(&env.task_path(&gap), std::time::SystemTime::now() + hour);
    env.ok(&["index", "rebuild"]);
    env.ok(&["task", "update", &later, "--progress", "30"]);
    let u = env.json(&["updates", "--since", &cursor]);
    assert_eq!(u["resync"], true);
    let changes = u["changes"].as_array().unwrap();
    let of = |id: &str| -> Vec<&serde_json::Value> {
        changes.iter().filter(|c| c["id"] == id).collect()
    };
    let gap_rows = of(&gap);
    assert_eq!(gap_rows.len(), 1, "{u:#}");
    assert_eq!(gap_rows[0]["op"], "maybe-changed", "{u:#}");
    assert_eq!(gap_rows[0]["title"], "Gap", "{u:#}");
    let later_rows = of(&later);
    assert_eq!(later_rows.len(), 1, "{u:#}");
    assert_eq!(later_rows[0]["op"], "modified", "{u:#}");
    assert_eq!(later_rows[0]["fields"][0]["field"], "progress", "{u:#}");
    let text = env.ok(&["updates", "--since", &cursor]);
    assert!(!text.contains("unknown"), "{text}");
    assert!(text.contains("Gap: may have changed"), "{text}");
}
