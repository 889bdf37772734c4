//! `orchestron board` in the terminal: the example's columns (snapshots, wide
//! and stacked), the filters, the CANCELLED column only on request, and no
//! colour when stdout is not a terminal.

use super::{NOW, column_ids, example_env, redacted};

#[test]
fn board_on_the_example_puts_each_task_in_its_status_column() {
    let env = example_env();
    let out = env.run_with(&["board", "--width", "120"], &[("ORCHESTRON_NOW", NOW)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!("board_wide", redacted(&env, &out.stdout));
}

#[test]
fn board_on_a_narrow_terminal_stacks_the_columns() {
    let env = example_env();
    let out = env.run_with(&["board", "--width", "40"], &[("ORCHESTRON_NOW", NOW)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.lines().all(|l| char_width(l) <= 40),
        "a line is wider than 40 columns:\n{}",
        out.stdout
    );
    insta::assert_snapshot!("board_narrow", redacted(&env, &out.stdout));
}

fn char_width(s: &str) -> usize {
    s.chars().count()
}

#[test]
fn board_filters_narrow_the_cards() {
    let env = example_env();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["board"];
        a.extend_from_slice(args);
        let mut all: Vec<String> = column_ids(&env.json(&a))
            .into_iter()
            .flat_map(|(_, ids)| ids)
            .collect();
        all.sort();
        all
    };
    assert_eq!(ids(&["--assignee", "alice"]), ["TASK-a1b2c", "TASK-k3m9p"]);
    assert_eq!(
        ids(&["--parent", "TASK-k3m9p"]),
        ["TASK-7k2mq", "TASK-r4t7w"]
    );
    assert_eq!(ids(&["--label", "auth,api"]), ["TASK-7k2mq"]);
    let sprint = ids(&["--sprint", "2026-w48"]);
    assert_eq!(
        sprint,
        [
            "TASK-7k2mq",
            "TASK-c9v3b",
            "TASK-k3m9p",
            "TASK-p2c8d",
            "TASK-q1w2e",
            "TASK-r4t7w",
            "TASK-z8x1v"
        ]
    );
    let r = env.run(&["board", "--sprint", "no-such-sprint"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("no-such-sprint"), "{}", r.stderr);
}

#[test]
fn cancelled_column_only_when_asked() {
    let env = example_env();
    let statuses = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["board"];
        a.extend_from_slice(args);
        column_ids(&env.json(&a))
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    };
    assert_eq!(
        statuses(&[]),
        ["TODO", "IN_PROGRESS", "IN_REVIEW", "BLOCKED", "DONE"]
    );
    assert_eq!(
        statuses(&["--cancelled"]).last().map(String::as_str),
        Some("CANCELLED")
    );
    let board = env.json(&["board", "--cancelled"]);
    assert_eq!(column_ids(&board)[5].1, ["TASK-e3r4t"]);
}

#[test]
fn board_marks_blocked_cards_and_what_they_wait_on() {
    let env = example_env();
    let board = env.json(&["board"]);
    let cards: Vec<&serde_json::Value> = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["cards"].as_array().unwrap())
        .collect();
    let blocked: Vec<&str> = cards
        .iter()
        .filter(|c| c["blocked"] == true)
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        blocked.contains(&"TASK-c9v3b"),
        "BLOCKED status: {blocked:?}"
    );
    // TASK-7k2mq waits on TASK-p2c8d, which is DONE: not blocked.
    let reset = cards.iter().find(|c| c["id"] == "TASK-7k2mq").unwrap();
    assert_eq!(reset["blocked"], false);
    assert!(reset.get("waiting_on").is_none(), "{reset}");
}

#[test]
fn board_has_no_colour_codes_when_stdout_is_not_a_terminal() {
    let env = example_env();
    // Even without NO_COLOR: the output is a pipe here.
    let out = env
        .command(crate::common::BIN)
        .args(["board"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("TODO (") && !text.contains('\x1b'), "{text}");
}
