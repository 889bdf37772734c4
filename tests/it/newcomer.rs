//! What a newcomer following the README meets at the edges: help texts that
//! say what a flag does, messages that name the right thing, inputs that would
//! save nothing useful refused.

use crate::common::TestEnv;

#[test]
fn ready_help_says_your_own_in_progress_tasks_are_included() {
    let env = TestEnv::new();
    let help = env.ok(&["task", "list", "--help"]);
    assert!(help.contains("plus your own IN_PROGRESS tasks"), "{help}");
}

#[test]
fn empty_clarification_is_refused_as_a_clarification() {
    let env = TestEnv::new();
    let id = env.create(&["T"]);
    let r = env.run(&["task", "clarify", &id, ""]);
    assert_eq!(r.code, 4, "{r:?}");
    assert!(
        r.stderr.contains("clarification must not be empty"),
        "{}",
        r.stderr
    );
}

#[test]
fn handoff_with_neither_done_nor_remaining_is_refused() {
    let env = TestEnv::new();
    let id = env.create(&["T"]);
    let r = env.run(&["handoff", &id, "--note", "bye"]);
    assert_eq!(r.code, 4, "{r:?}");
    assert!(r.stderr.contains("--done / --remaining"), "{}", r.stderr);
    let saved = env.json(&["context", "list"]);
    assert_eq!(saved, serde_json::json!([]), "nothing saved");
}

#[test]
fn config_comment_names_a_readme_section_that_exists() {
    let env = TestEnv::new();
    let config = env.read(&env.ws().join("config.yaml"));
    let section = config
        .split("the README's \"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the comment names a section");
    let readme = include_str!("../../README.md");
    assert!(
        readme
            .lines()
            .any(|l| l.trim_start_matches('#').trim() == section),
        "README has no section {section:?}"
    );
}

#[test]
fn agent_flag_wins_over_orchestron_agent() {
    let env = TestEnv::new();
    let id = env.create(&["T"]);
    let r = env.run_with(
        &["--agent", "flag-bot", "task", "claim", &id],
        &[("ORCHESTRON_AGENT", "env-bot")],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let t = env.json(&["task", "show", &id]);
    assert_eq!(t["assignee"], "flag-bot");
}

#[test]
fn bad_enum_on_the_cli_exits_4_and_says_it_once() {
    let env = TestEnv::new();
    let r = env.run(&["task", "list", "--status", "WIP"]);
    assert_eq!(r.code, 4, "{r:?}");
    assert_eq!(r.stderr.matches("WIP").count(), 1, "{}", r.stderr);
    let id = env.create(&["T"]);
    let r = env.run(&["task", "update", &id, "--progress", "150"]);
    assert_eq!(r.code, 4, "{r:?}");
}

#[test]
fn self_parent_and_dependency_cycle_are_both_refusals() {
    let env = TestEnv::new();
    let a = env.create(&["A"]);
    let b = env.create(&["B", "--parent", &a]);
    let r = env.run(&["task", "update", &a, "--parent", &a]);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(r.stderr.contains("refused"), "{}", r.stderr);
    let r = env.run(&["task", "update", &a, "--parent", &b]);
    assert_eq!(r.code, 5, "a parent loop: {r:?}");
    env.ok(&["task", "depend", &a, "--on", &b]);
    let r = env.run(&["task", "depend", &b, "--on", &a]);
    assert_eq!(r.code, 5, "{r:?}");
}

#[test]
fn sprint_end_before_start_is_said_plainly() {
    let env = TestEnv::new();
    let r = env.run(&[
        "sprint",
        "create",
        "S",
        "--start",
        "2026-12-20",
        "--end",
        "2026-12-10",
    ]);
    assert_eq!(r.code, 4, "{r:?}");
    assert!(
        r.stderr
            .contains("the end (2026-12-10) is before the start (2026-12-20)"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("YYYY"), "{}", r.stderr);
}

#[test]
fn control_characters_in_one_line_fields_are_refused() {
    let env = TestEnv::new();
    let r = env.run(&["task", "create", "two\nlines"]);
    assert_eq!(r.code, 4, "{r:?}");
    assert!(
        r.stderr.contains("title must be one line") && r.stderr.contains("a newline"),
        "{}",
        r.stderr
    );
    let id = env.create(&["T"]);
    for (flag, value) in [
        ("--title", "a\tb"),
        ("--assignee", "bo\nb"),
        ("--label", "x\u{1b}y"),
    ] {
        let r = env.run(&["task", "update", &id, flag, value]);
        assert_eq!(r.code, 4, "{flag}: {r:?}");
        assert!(r.stderr.contains("must be one line"), "{}", r.stderr);
    }
    let r = env.run(&["sprint", "create", "S\n1"]);
    assert_eq!(r.code, 4, "{r:?}");
}

#[test]
fn table_columns_are_aligned_by_display_width() {
    let env = TestEnv::new();
    env.create(&["wide", "--assignee", "日本語さん"]);
    env.create(&["narrow", "--assignee", "bob"]);
    let out = env.ok(&["task", "list"]);
    // The column after ASSIGNEE starts at the same terminal column on every line.
    let column = |line: &str, cell: &str| {
        let at = line.find(cell).expect("cell");
        unicode_width::UnicodeWidthStr::width(&line[..at])
    };
    let lines: Vec<&str> = out.lines().collect();
    let header = column(lines[0], "PROG");
    for line in &lines[1..] {
        assert_eq!(column(line, "0%"), header, "{out}");
    }
}

#[test]
fn label_list_means_every_label_and_repeats() {
    let env = TestEnv::new();
    let both = env.create(&["Both", "--label", "auth,ui"]);
    env.create(&["Auth only", "--label", "auth"]);
    for args in [
        vec!["task", "list", "--label", "auth,ui"],
        vec!["task", "list", "--label", "auth", "--label", "ui"],
    ] {
        let page = env.json(&args);
        let ids: Vec<&str> = page["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![both.as_str()], "{args:?}");
    }
}

#[test]
fn offset_past_the_end_says_so() {
    let env = TestEnv::new();
    env.create(&["A"]);
    env.create(&["B"]);
    let out = env.ok(&["task", "list", "--offset", "999"]);
    assert_eq!(out.trim(), "offset 999 is past the end: 2 tasks match");
}

#[test]
fn context_save_checkpoint_works_bare_and_with_a_value() {
    let env = TestEnv::new();
    let bare = env.json(&["context", "save", "--checkpoint"]);
    assert_eq!(bare["snapshot"]["checkpoint"], "checkpoint", "{bare}");
    let named = env.json(&["context", "save", "--checkpoint", "tests green"]);
    assert_eq!(named["snapshot"]["checkpoint"], "tests green", "{named}");
    let help = env.ok(&["context", "save", "--help"]);
    assert!(help.contains("Free-form notes"), "{help}");
    assert!(help.contains("Mark the snapshot as a checkpoint"), "{help}");
}

#[test]
fn context_files_start_with_the_schema_modeline() {
    let env = TestEnv::new();
    let saved = env.json(&["context", "save", "--set", "k=v"]);
    let id = saved["id"].as_str().unwrap();
    let text = env.read(&env.ws().join(format!("contexts/{id}.yaml")));
    assert!(
        text.starts_with("# yaml-language-server: $schema=../schemas/context.schema.json\n"),
        "{text}"
    );
    assert!(env.ws().join("schemas/context.schema.json").exists());
    let shown = env.json(&["context", "show", id]);
    assert_eq!(
        shown["snapshot"]["context"]["k"], "v",
        "the file still loads"
    );
}

#[test]
fn context_save_and_handoff_json_print_id_and_snapshot_as_mcp_does() {
    let env = TestEnv::new();
    let t = env.create(&["T"]);
    for args in [
        vec!["context", "save", "--notes", "n"],
        vec!["handoff", &t, "--done", "d"],
    ] {
        let out = env.json(&args);
        let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "snapshot"], "{args:?}: {out}");
        assert_eq!(out["id"], out["snapshot"]["id"]);
    }
}

#[test]
fn cli_claim_says_claimed_like_mcp() {
    let env = TestEnv::new();
    let id = env.create(&["T"]);
    let out = env.ok(&["task", "claim", &id]);
    assert!(out.starts_with(&format!("Claimed {id}: T")), "{out}");
}

#[test]
fn criteria_changes_read_criterion_n_done_and_added() {
    let env = TestEnv::new();
    let id = env.create(&["T", "--criterion", "A", "--criterion", "B"]);
    let out = env.ok(&["task", "update", &id, "--criterion-done", "2"]);
    assert!(out.contains("  criterion 2 done\n"), "{out}");
    let out = env.ok(&["task", "update", &id, "--add-criterion", "C"]);
    assert!(out.contains("  criterion 3 added: \"C\"\n"), "{out}");
    assert!(!out.contains("[{"), "no JSON arrays: {out}");
}

#[test]
fn closing_an_epic_with_open_children_or_a_sprint_with_open_tasks_warns() {
    let env = TestEnv::new();
    let epic = env.create(&["Epic", "--type", "EPIC"]);
    let child = env.create(&["Child", "--parent", &epic]);
    let r = env.run(&["task", "update", &epic, "--status", "DONE"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains(&format!(
            "warning: {epic} is DONE but its children {child} are still open"
        )),
        "{}",
        r.stderr
    );
    env.ok(&["sprint", "create", "S1"]);
    env.create(&["In sprint", "--sprint", "S1"]);
    let r = env.run(&["sprint", "close", "S1"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("warning: sprint"), "{}", r.stderr);
    assert!(
        r.stderr.contains("is closed with open tasks"),
        "{}",
        r.stderr
    );
    let check = env.run(&["check"]);
    assert!(check.stdout.contains("its children"), "{check:?}");
    assert!(
        check.stdout.contains("is closed with open tasks"),
        "{check:?}"
    );
    // Closing the child clears the epic's warning.
    env.ok(&["task", "update", &child, "--status", "DONE"]);
    let check = env.run(&["check"]);
    assert!(!check.stdout.contains("its children"), "{check:?}");
}

#[test]
fn task_show_of_a_broken_record_still_shows_its_lines() {
    let env = TestEnv::new();
    let id = env.create(&["Reset flow"]);
    let path = env.task_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("status: TODO", "status: WIP")).unwrap();
    let r = env.run(&["task", "show", &id]);
    assert_eq!(r.code, 6, "{r:?}");
    assert!(
        r.stderr.contains(":4:") || r.stderr.contains("status"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("status: WIP"),
        "the file's lines: {}",
        r.stdout
    );
    assert!(r.stdout.contains("Reset flow"), "{}", r.stdout);
    let json = env.run(&["--json", "task", "show", &id]);
    assert_eq!(json.code, 6, "{json:?}");
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(v["excerpt"].to_string().contains("status: WIP"), "{v}");
}

#[test]
fn task_show_updated_moves_on_a_claim_or_a_status_change() {
    let env = TestEnv::new();
    let id = env.create(&["T"]);
    let before = env.json(&["task", "show", &id])["updated"].clone();
    let at = "2030-01-01T00:00:00Z";
    let _ = env.run_with(
        &["task", "update", &id, "--status", "IN_REVIEW"],
        &[("ORCHESTRON_NOW", at)],
    );
    let after = env.json(&["task", "show", &id])["updated"].clone();
    assert_ne!(before, after, "a status change moves `updated`");
    let text = std::fs::read_to_string(env.task_path(&id)).unwrap();
    assert!(!text.contains("updated"), "never a written field: {text}");
}
