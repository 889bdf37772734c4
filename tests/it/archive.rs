//! `orchestron archive`: closed work moves into `.orchestron/archive/` with
//! `git mv`, drops out of lists, ready and updates, and is still found by id,
//! resolved as a dependency, listed with `--archived`, judged by `check`,
//! never rewritten, and brought back by `--restore`.

use crate::common::TestEnv;
use serde_json::Value;

/// A backlog of two closed tasks in one sprint, one open task depending on
/// one of them, committed.
fn backlog(env: &TestEnv) -> (String, String, String, String) {
    let sprint = env.json(&["sprint", "create", "Week 1"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let done = env.create(&["Ship login", "--sprint", &sprint]);
    let cancelled = env.create(&["Drop fax support", "--sprint", &sprint]);
    let open = env.create(&["Add logout", "--depends-on", &done]);
    env.ok(&["task", "update", &done, "--status", "DONE"]);
    env.ok(&["task", "update", &cancelled, "--status", "CANCELLED"]);
    env.ok(&["sprint", "start", &sprint]);
    env.ok(&["sprint", "close", &sprint]);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "backlog"]);
    (sprint, done, cancelled, open)
}

fn ids(v: &Value) -> Vec<String> {
    v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn archived_work_leaves_lists_but_is_found_by_id_and_moves_with_git() {
    let env = TestEnv::new();
    let (sprint, done, cancelled, open) = backlog(&env);
    env.ok(&["updates"]);
    let report = env.json(&["archive", "--sprint", &sprint]);
    assert_eq!(report["tasks"].as_array().unwrap().len(), 2, "{report}");
    assert_eq!(report["sprints"][0], sprint.as_str(), "{report}");
    assert_eq!(report["moved_by_git"], 3, "{report}");
    // git sees renames: history follows the files.
    let status = env.git(&["status", "--porcelain"]);
    assert!(
        status.contains(&format!(
            "R  .orchestron/tasks/{done}.yaml -> .orchestron/archive/tasks/{done}.yaml"
        )),
        "{status}"
    );
    assert!(
        env.ws()
            .join("archive/sprints")
            .join(format!("{sprint}.yaml"))
            .exists()
    );

    assert_eq!(
        ids(&env.json(&["task", "list"])),
        std::slice::from_ref(&open)
    );
    let mut archived = ids(&env.json(&["task", "list", "--archived"]));
    archived.sort();
    let mut want = vec![done.clone(), cancelled.clone()];
    want.sort();
    assert_eq!(archived, want);
    assert_eq!(
        ids(&env.json(&["task", "list", "--with-archived", "--query", "login"])),
        std::slice::from_ref(&done)
    );
    assert!(ids(&env.json(&["task", "list", "--query", "login"])).is_empty());
    // The dependency on archived DONE work resolves: the open task is ready.
    assert_eq!(
        ids(&env.json(&["task", "list", "--ready"])),
        std::slice::from_ref(&open)
    );
    let show = env.json(&["task", "show", &done]);
    assert_eq!(show["status"], "DONE");
    assert_eq!(show["dependents"][0]["id"], open.as_str());
    let dependent = env.json(&["task", "show", &open]);
    assert_eq!(dependent["dependencies"][0]["id"], done.as_str());
    // The sprint is gone from the sprint list, still shown by id.
    let sprints = env.json(&["sprint", "list"]);
    assert!(!sprints.to_string().contains(&sprint), "{sprints}");
    // The move is no news for `updates`.
    let updates = env.json(&["updates"]);
    assert!(!updates.to_string().contains(&done), "{updates}");
    // Nothing in the archive is rewritten.
    let before = env.read(&env.ws().join("archive/tasks").join(format!("{done}.yaml")));
    let refused = env.run(&["task", "update", &done, "--note", "late"]);
    assert_eq!(refused.code, 5, "{}", refused.stderr);
    assert!(refused.stderr.contains("is archived"), "{}", refused.stderr);
    let after = env.read(&env.ws().join("archive/tasks").join(format!("{done}.yaml")));
    assert_eq!(before, after);
    assert_eq!(env.run(&["check"]).code, 0);
}

#[test]
fn check_judges_archived_files_and_restore_brings_them_back() {
    let env = TestEnv::new();
    let (sprint, done, _cancelled, open) = backlog(&env);
    env.ok(&["archive", "--sprint", &sprint]);
    let file = env.ws().join("archive/tasks").join(format!("{done}.yaml"));
    let good = env.read(&file);
    std::fs::write(&file, good.replace("status: DONE", "status: SHIPPED")).unwrap();
    let check = env.run(&["check"]);
    assert_ne!(check.code, 0);
    assert!(
        check.stdout.contains(&format!("archive/tasks/{done}.yaml")),
        "{}",
        check.stdout
    );
    std::fs::write(&file, good).unwrap();
    assert_eq!(env.run(&["check"]).code, 0);

    let restored = env.json(&["archive", "--restore", &done]);
    assert_eq!(restored["tasks"][0], done.as_str());
    assert!(env.task_path(&done).exists());
    let mut live = ids(&env.json(&["task", "list"]));
    live.sort();
    let mut want = vec![done.clone(), open];
    want.sort();
    assert_eq!(live, want);
    env.ok(&[
        "task",
        "update",
        &done,
        "--note",
        "reopened for a follow-up",
    ]);
    // Restoring a record that is not archived: refused by the state (5).
    let twice = env.run(&["archive", "--restore", &done]);
    assert_eq!(twice.code, 5, "{}", twice.stderr);
}

#[test]
fn the_policy_archives_what_was_closed_long_enough_ago() {
    let env = TestEnv::new();
    let (_sprint, done, cancelled, open) = backlog(&env);
    // Closed moments ago: the 30-day policy keeps them.
    let now = env.json(&["archive", "--dry-run"]);
    assert!(now["tasks"].as_array().unwrap().is_empty(), "{now}");
    // Two months on, they go (the closed sprint with them).
    let later = [("ORCHESTRON_NOW", "2099-01-01T00:00:00Z")];
    let r = env.run_with(&["archive", "--json"], &later);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        report["rule"].as_str().unwrap().contains("30 days"),
        "{report}"
    );
    let mut moved: Vec<String> = report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    moved.sort();
    let mut want = vec![done, cancelled];
    want.sort();
    assert_eq!(moved, want);
    assert_eq!(report["sprints"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(ids(&env.json(&["task", "list"])), [open]);
    // A policy of its own in config.yaml, and an explicit date.
    let config = env.ws().join("config.yaml");
    let text = env.read(&config);
    std::fs::write(&config, format!("{text}archive:\n  closed_for_days: 5\n")).unwrap();
    let again = env.json(&["archive", "--dry-run"]);
    assert!(
        again["rule"].as_str().unwrap().contains("5 days"),
        "{again}"
    );
    let bad = env.run(&["archive", "--before", "last week"]);
    assert_eq!(bad.code, 4, "{}", bad.stderr);
}

#[test]
fn a_move_into_the_archive_from_elsewhere_is_seen_by_the_next_command() {
    // As a `git pull` of a teammate's archive brings it: the file moves
    // without this workspace's cache knowing.
    let env = TestEnv::new();
    let (_sprint, done, _cancelled, open) = backlog(&env);
    assert_eq!(
        ids(&env.json(&["task", "list", "--status", "DONE"])),
        std::slice::from_ref(&done)
    );
    std::fs::create_dir_all(env.ws().join("archive/tasks")).unwrap();
    env.git(&[
        "mv",
        &format!(".orchestron/tasks/{done}.yaml"),
        ".orchestron/archive/tasks/",
    ]);
    assert!(ids(&env.json(&["task", "list", "--status", "DONE"])).is_empty());
    let show = env.json(&["task", "show", &done]);
    assert_eq!(show["archived"], true, "{show}");
    assert_eq!(
        ids(&env.json(&["task", "list", "--ready"])),
        std::slice::from_ref(&open)
    );
    let text = env.ok(&["task", "show", &done]);
    assert!(text.contains("archived"), "{text}");
}

#[test]
fn archiving_reads_as_archived_not_deleted_in_diff_and_history() {
    let env = TestEnv::new();
    let (sprint, done, _, _) = backlog(&env);
    env.ok(&["archive", "--sprint", &sprint]);
    env.git(&["commit", "-q", "-m", "archive week 1"]);
    let text = env.ok(&["diff", "HEAD~1..HEAD"]);
    let archived = text.split("Archived:\n").nth(1).unwrap_or_default();
    assert!(
        archived.starts_with("  ") && archived.contains(&format!("  {done}  Ship login\n")),
        "{text}"
    );
    assert!(!text.contains("Deleted"), "{text}");
    let json = env.json(&["diff", "HEAD~1..HEAD"]);
    let ops: Vec<&str> = json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .chain(json["sprints"].as_array().unwrap())
        .map(|t| t["op"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["archived"; 3], "{json}");

    let history = env.ok(&["task", "history", &done]);
    let newest = history.lines().next().unwrap_or_default();
    assert!(
        newest.contains("archive week 1") && newest.ends_with("[archived]"),
        "{history}"
    );
    assert!(!history.contains("[deleted]"), "{history}");
    assert!(
        history.contains("[created]"),
        "the whole history: {history}"
    );
    let h = env.json(&["task", "history", &done]);
    assert_eq!(
        h["path"],
        format!(".orchestron/archive/tasks/{done}.yaml"),
        "{h}"
    );

    env.ok(&["archive", "--restore", &done]);
    env.git(&["commit", "-q", "-m", "bring it back"]);
    let text = env.ok(&["diff", "HEAD~1..HEAD"]);
    assert!(
        text.contains(&format!("Restored:\n  {done}  Ship login")),
        "{text}"
    );
    assert!(!text.contains("Created"), "{text}");
    let history = env.ok(&["task", "history", &done]);
    assert!(
        history
            .lines()
            .next()
            .unwrap_or_default()
            .ends_with("[restored]"),
        "{history}"
    );
}
