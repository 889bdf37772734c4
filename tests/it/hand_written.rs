//! Records written by hand, as a person adopting the tool writes them in an
//! editor: the minimal file, the broken one, the misnamed one. Each is loaded,
//! reported with its position and what was assumed, and stays reachable
//! through the tool so it can be inspected and repaired there.

use crate::common::TestEnv;
use std::time::{Duration, SystemTime};

/// 2026-11-24T16:02:11Z, a file time set explicitly rather than waited for.
fn fixed_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_536_131)
}

/// Writes `text` as task file `id` with the fixed modification time.
fn write_by_hand(env: &TestEnv, id: &str, text: &str) {
    let path = env.task_path(id);
    std::fs::write(&path, text).unwrap();
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(fixed_time()).unwrap();
}

#[test]
fn task_with_only_id_and_title_is_accepted_with_defaults() {
    let env = TestEnv::new();
    write_by_hand(
        &env,
        "TASK-hand1",
        "id: TASK-hand1\ntitle: Written by hand\n",
    );
    let t = env.json(&["task", "show", "TASK-hand1"]);
    assert_eq!(t["status"], "TODO");
    assert_eq!(t["type"], "TASK");
    assert_eq!(t["priority"], "MEDIUM");
    assert_eq!(t["progress"], 0);
    assert_eq!(t["created"], "2026-11-24T16:02:11Z", "the file's time");
}

#[test]
fn check_says_what_was_assumed_for_a_hand_written_task() {
    let env = TestEnv::new();
    write_by_hand(
        &env,
        "TASK-hand1",
        "id: TASK-hand1\ntitle: Written by hand\npriority: HIGH\n",
    );
    let r = env.run(&["check"]);
    assert_eq!(r.code, 0, "assumptions are warnings: {r:?}");
    assert!(
        r.stdout.contains(
            "tasks/TASK-hand1.yaml:1:1: warning: not in the file, assumed: status TODO, \
             type TASK, progress 0, created 2026-11-24T16:02:11Z (the file's modification time)"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn first_tool_write_of_a_hand_written_task_writes_down_what_was_assumed() {
    let env = TestEnv::new();
    write_by_hand(
        &env,
        "TASK-hand1",
        "id: TASK-hand1\ntitle: Written by hand\n",
    );
    env.ok(&["task", "update", "TASK-hand1", "--progress", "10"]);
    let text = env.read(&env.task_path("TASK-hand1"));
    assert_eq!(
        text,
        "id: TASK-hand1\ntitle: Written by hand\nstatus: TODO\ntype: TASK\npriority: MEDIUM\n\
         created: 2026-11-24T16:02:11Z\nprogress: 10\n"
    );
    let r = env.run(&["check"]);
    assert!(!r.stdout.contains("assumed"), "{}", r.stdout);
}

#[test]
fn type_errors_in_a_record_speak_of_the_file_not_of_rust() {
    let env = TestEnv::new();
    let head = "id: TASK-bad01\ntitle: T\ncreated: 2026-11-24T16:02:11Z\n";
    write_by_hand(&env, "TASK-bad01", &format!("{head}progress: lots\n"));
    let head2 = head.replace("bad01", "bad02");
    write_by_hand(&env, "TASK-bad02", &format!("{head2}labels: auth\n"));
    let r = env.run(&["check"]);
    assert_eq!(r.code, 6);
    assert!(
        r.stdout.contains(
            "tasks/TASK-bad01.yaml:4:11: error: progress must be a whole number 0–100, not string \"lots\""
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "tasks/TASK-bad02.yaml:4:9: error: labels must be a list, not string \"auth\""
        ),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("expected u8"), "{}", r.stdout);
}

#[test]
fn renamed_record_is_reported_at_its_file_for_show_and_update() {
    let env = TestEnv::new();
    let id = env.create(&["Beta"]);
    let moved = env.task_path("TASK-zzzzz");
    std::fs::rename(env.task_path(&id), &moved).unwrap();
    for args in [
        vec!["task", "show", id.as_str()],
        vec!["task", "update", id.as_str(), "--progress", "5"],
    ] {
        let r = env.run(&args);
        assert_eq!(r.code, 6, "{args:?}: {r:?}");
        assert!(
            r.stderr.contains(&format!(
                "tasks/TASK-zzzzz.yaml:2:1: id `{id}` does not match the file name"
            )),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn broken_record_is_reported_at_its_position_for_show_and_update() {
    let env = TestEnv::new();
    let id = env.create(&["Alpha"]);
    let path = env.task_path(&id);
    std::fs::write(
        &path,
        env.read(&path).replace("status: TODO", "status: WIP"),
    )
    .unwrap();
    for args in [
        vec!["task", "show", id.as_str()],
        vec!["task", "update", id.as_str(), "--progress", "5"],
    ] {
        let r = env.run(&args);
        assert_eq!(r.code, 6, "{args:?}: {r:?}");
        assert!(
            r.stderr.contains(&format!(
                "tasks/{id}.yaml:4:9: status: invalid status \"WIP\""
            )),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn change_feed_says_broken_then_repaired_credited_to_editor() {
    let env = TestEnv::new();
    let edited = env.create(&["Alpha"]);
    let renamed = env.create(&["Beta"]);
    let cursor = env.json(&["updates"])["cursor"]
        .as_str()
        .unwrap()
        .to_string();
    let path = env.task_path(&edited);
    let good = env.read(&path);
    std::fs::write(&path, good.replace("status: TODO", "status: WIP")).unwrap();
    std::fs::rename(env.task_path(&renamed), env.task_path("TASK-zzzzz")).unwrap();
    assert_eq!(
        env.run(&["check"]).code,
        6,
        "the refresh in between sees both broken"
    );
    std::fs::write(&path, &good).unwrap();
    std::fs::rename(env.task_path("TASK-zzzzz"), env.task_path(&renamed)).unwrap();
    let feed = env.json(&["updates", "--since", &cursor]);
    let mut seen: Vec<(String, String, String)> = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["op"].as_str().unwrap().to_string(),
                c["by"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    seen.sort();
    let mut want = vec![];
    for id in [&edited, &renamed] {
        for op in ["broken", "repaired"] {
            want.push((id.to_string(), op.to_string(), "editor".to_string()));
        }
    }
    want.sort();
    assert_eq!(seen, want);
}

#[test]
fn check_names_a_file_in_a_record_folder_that_is_not_yaml() {
    let env = TestEnv::new();
    std::fs::write(
        env.ws().join("tasks/TASK-x.yml"),
        "id: TASK-x\ntitle: Wrong extension\n",
    )
    .unwrap();
    std::fs::write(env.ws().join("tasks/.TASK-x.yaml.swp"), "swap").unwrap();
    let r = env.run(&["check"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        r.stdout,
        ".orchestron/tasks/TASK-x.yml:1:1: warning: not a record file (records end in `.yaml`), \
         so it is ignored\n0 error(s), 1 warning(s)\n"
    );
}

/// Sets a folder's mtime (as a checkout long ago would have left it).
fn age_folder(dir: &std::path::Path) {
    std::fs::File::open(dir)
        .unwrap()
        .set_modified(fixed_time())
        .unwrap();
}

#[test]
fn a_stray_file_added_after_a_kept_listing_is_reported() {
    let env = TestEnv::new();
    for kind in ["tasks", "sprints", "contexts"] {
        age_folder(&env.ws().join(kind));
    }
    // Listed (nothing stray) and kept with the folders' old mtimes.
    assert_eq!(env.ok(&["check"]), "0 error(s), 0 warning(s)\n");
    assert_eq!(env.ok(&["check"]), "0 error(s), 0 warning(s)\n");
    std::fs::write(env.ws().join("tasks/notes.txt"), "scratch").unwrap();
    let r = env.run(&["check"]);
    assert!(
        r.stdout
            .contains("tasks/notes.txt:1:1: warning: not a record file"),
        "{r:?}"
    );
    // Gone again, in a folder aged once more: the listing is redone.
    std::fs::remove_file(env.ws().join("tasks/notes.txt")).unwrap();
    age_folder(&env.ws().join("tasks"));
    assert_eq!(env.ok(&["check"]), "0 error(s), 0 warning(s)\n");
}

#[test]
fn problems_kept_between_commands_follow_a_hand_fix() {
    let env = TestEnv::new();
    let id = env.create(&["Waits on a ghost"]);
    let path = env.task_path(&id);
    let text = env.read(&path);
    let ghostly = text.replace("depends_on: []", "depends_on: [TASK-ghost1]");
    assert_ne!(ghostly, text);
    write_by_hand(&env, &id, &ghostly);
    for _ in 0..2 {
        let status = env.json(&["status"]);
        let problems = status["problems"].as_array().unwrap();
        assert_eq!(problems.len(), 1, "{status}");
        assert!(
            problems[0]["message"]
                .as_str()
                .unwrap()
                .contains("TASK-ghost1")
        );
    }
    write_by_hand(&env, &id, &text);
    let status = env.json(&["status"]);
    assert_eq!(status["problems"], serde_json::json!([]), "{status}");
}

#[test]
fn status_and_check_report_the_same_problems_with_the_same_paths() {
    let env = TestEnv::new();
    let id = env.create(&["Claimed twice"]);
    env.ok(&["task", "claim", &id, "--assignee", "bob"]);
    // What the merge driver leaves when two claims met: its note is the newest entry.
    let path = env.task_path(&id);
    let text = env.read(&path);
    std::fs::write(
        &path,
        format!(
            "{text}notes:\n- {{ at: 2030-01-01T00:00:00Z, by: orchestron-merge, text: 'Merge conflict on \
             assignee: kept bob (from this branch, the newer activity); the other side had carol' }}\n"
        ),
    )
    .unwrap();
    std::fs::write(env.ws().join("tasks/notes.txt"), "scratch").unwrap();
    let check = env.run(&["check"]);
    let listed: Vec<&str> = check
        .stdout
        .lines()
        .filter(|l| l.contains(": warning: "))
        .collect();
    assert_eq!(listed.len(), 2, "{}", check.stdout);
    let status = env.ok(&["status"]);
    for line in listed {
        assert!(
            status.contains(&format!("  {line}\n")),
            "status lacks `{line}`:\n{status}"
        );
    }
}

#[test]
fn a_misindented_config_yaml_is_the_users_file_to_fix_not_internal() {
    let env = TestEnv::new();
    let config = env.ws().join("config.yaml");
    let text = env.read(&config);
    std::fs::write(
        &config,
        format!("{text}claims:\n  lease: 2h\n   remote: origin\n"),
    )
    .unwrap();
    for cmd in [&["status"][..], &["check"], &["task", "list"]] {
        let r = env.run(cmd);
        assert_eq!(r.code, 6, "{cmd:?}: {}", r.stderr);
        assert!(r.stderr.contains("config.yaml:"), "{}", r.stderr);
        assert!(!r.stderr.contains("internal"), "{}", r.stderr);
    }
}

#[test]
fn check_reports_a_config_value_that_commands_cannot_read() {
    let env = TestEnv::new();
    let config = env.ws().join("config.yaml");
    let text = env.read(&config);
    std::fs::write(&config, format!("{text}claims:\n  lease: 30 minutes\n")).unwrap();
    let r = env.run(&["check"]);
    assert_eq!(r.code, 6, "{}{}", r.stdout, r.stderr);
    let reported: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("claims.lease"))
        .collect();
    assert_eq!(reported.len(), 1, "reported once: {}", r.stdout);
    assert!(
        reported[0].contains("config.yaml:")
            && reported[0].contains("claims.lease: \"30 minutes\""),
        "{}",
        r.stdout
    );
}

#[test]
fn a_claim_under_a_bad_config_lease_is_a_config_error_naming_the_file_and_key() {
    let env = TestEnv::new();
    let id = env.create(&["Something to claim"]);
    let config = env.ws().join("config.yaml");
    let text = env.read(&config);
    std::fs::write(&config, format!("{text}claims:\n  lease: 30 minutes\n")).unwrap();
    let line = text.lines().count() + 2;
    for cmd in [&["task", "claim"][..], &["task", "claim", &id]] {
        let r = env.run(cmd);
        assert_eq!(r.code, 6, "{cmd:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!(
                "config.yaml:{line}:3: claims.lease: \"30 minutes\""
            )),
            "{cmd:?}: {}",
            r.stderr
        );
    }
    // A lease given on the command line is the caller's input, and wins.
    env.ok(&["task", "claim", "--lease", "30m"]);
}

#[test]
fn check_reports_every_bad_field_of_a_record_not_only_the_first() {
    let env = TestEnv::new();
    write_by_hand(
        &env,
        "TASK-hand4",
        "id: TASK-hand4\ntitle: Three typos\nstatus: DOEN\npriority: HIHG\nprogress: 140\n",
    );
    let r = env.run(&["check"]);
    assert_eq!(r.code, 6, "{}", r.stdout);
    for (line, word) in [(3, "DOEN"), (4, "HIHG"), (5, "140")] {
        let at = format!("TASK-hand4.yaml:{line}:");
        assert!(
            r.stdout
                .lines()
                .any(|l| l.contains(&at) && l.contains(word)),
            "no error at line {line} naming {word}:\n{}",
            r.stdout
        );
    }
}

#[test]
fn a_record_file_name_in_upper_case_is_told_to_be_lowercase_not_a_mismatched_id() {
    let env = TestEnv::new();
    let path = env.ws().join("tasks/TASK-HAND3.yaml");
    std::fs::write(&path, "id: TASK-hand3\ntitle: Written by hand\n").unwrap();
    let r = env.run(&["check"]);
    assert_eq!(r.code, 6, "{}", r.stdout);
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("TASK-HAND3.yaml") && l.contains("error:"))
        .unwrap_or_else(|| panic!("the file is reported: {}", r.stdout));
    assert!(
        line.contains("the file name `TASK-HAND3.yaml` must be `TASK-hand3.yaml`")
            && line.contains("lowercase"),
        "{line}"
    );
    assert!(!line.contains("does not match"), "{line}");
}
