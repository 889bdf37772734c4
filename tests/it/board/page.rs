//! `orchestron board --html FILE` in a real headless Chromium: one file that
//! makes no request, the example's cards in the right columns, the sprint's
//! burndown and the handoff, filters and search, readable in light and dark
//! and usable at 375 px (screenshots kept in `target/`), and a 10,000-task
//! page under 3 MB that opens and filters (its times are printed, not judged).

use super::{NOW, browser, column_ids, example_env, project_name, strings, target_dir};
use crate::common::TestEnv;
use serde_json::{Value, json};
use std::path::Path;

/// The board embedded in a page.
fn embedded(page: &str) -> Value {
    let start = page
        .find(r#"<script id="board-data" type="application/json">"#)
        .expect("the page embeds the board");
    let rest = &page[start..];
    let json = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(json).expect("the embedded board is JSON")
}

#[test]
fn html_page_is_one_file_that_embeds_the_board() {
    let env = example_env();
    let file = env.path().join("board.html");
    let now = [("ORCHESTRON_NOW", NOW)];
    let r = env.run_with(&["board", "--html", file.to_str().unwrap()], &now);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = env.read(&file);
    for outside in ["<link", " src=", "@import", "url(", "fetch(\"http", "//cdn"] {
        assert!(!page.contains(outside), "the page reaches out: {outside}");
    }
    let data = embedded(&page);
    assert_eq!(data["live"], false);
    assert_eq!(data["write"], false);
    let json = env.run_with(&["board", "--json"], &now);
    let board: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(data["board"], board);
}

#[test]
fn html_page_in_chromium_shows_the_example_board_and_filters_it() {
    let env = example_env();
    let file = env.path().join("board.html");
    let now = [("ORCHESTRON_NOW", NOW)];
    let r = env.run_with(&["board", "--html", file.to_str().unwrap()], &now);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let board: Value =
        serde_json::from_str(&env.run_with(&["board", "--json"], &now).stdout).unwrap();
    let shots = env.path().join("board.png");
    let seen = browser(&json!({
        "scenario": "static",
        "url": format!("file://{}", file.display()),
        "screenshot": shots,
        "filters": [
            ["search", "search", "password"],
            ["search_two_words", "search", "reset web"],
            ["assignee", "f-assignee", "alice"],
            ["label", "f-label", "security"],
            ["priority", "f-priority", "CRITICAL"],
            ["blocked", "f-blocked", true],
        ],
    }));
    // Every card in its column, in the board's order.
    let columns: Vec<(String, Vec<String>)> = seen["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["status"].as_str().unwrap().to_string(),
                strings(&c["cards"]),
            )
        })
        .collect();
    assert_eq!(columns, column_ids(&board));
    assert_eq!(
        columns[1],
        (
            "IN_PROGRESS".to_string(),
            vec![
                "TASK-k3m9p".into(),
                "TASK-7k2mq".into(),
                "TASK-a1b2c".into()
            ]
        ),
        "{columns:?}"
    );
    assert_eq!(seen["title"], format!("{} board", project_name(&env)));
    let sprint = seen["sprint"].as_str().expect("the sprint panel");
    assert!(
        sprint.contains("2026-w48") && sprint.contains("done"),
        "{sprint}"
    );
    assert_eq!(seen["burndown"], 1, "one burndown line");
    let handoff = seen["handoff"].as_str().expect("the handoff panel");
    assert!(
        handoff.contains("Expiry job") && handoff.contains("claude"),
        "{handoff}"
    );
    assert_eq!(strings(&seen["blocked"]), ["TASK-c9v3b"]);
    let filtered = |name: &str| strings(&seen["filters"][name]["cards"]);
    assert_eq!(
        filtered("search"),
        ["TASK-7k2mq", "TASK-k3m9p"],
        "titles with `password`"
    );
    assert_eq!(filtered("search_two_words"), ["TASK-r4t7w"]);
    assert_eq!(filtered("assignee"), ["TASK-a1b2c", "TASK-k3m9p"]);
    assert_eq!(filtered("label"), ["TASK-q1w2e", "TASK-z8x1v"]);
    assert_eq!(filtered("priority"), ["TASK-p2c8d"]);
    // Blocked: the BLOCKED status, or waiting on an open dependency.
    assert_eq!(
        filtered("blocked"),
        ["TASK-c9v3b", "TASK-r4t7w", "TASK-u7i8o"]
    );
    assert_eq!(seen["filters"]["assignee"]["count"], "2 of 10 cards");
    assert_eq!(seen["unfiltered"].as_array().unwrap().len(), 10);
    // Light and dark are different pages; at 375 px nothing scrolls sideways
    // and the columns stack.
    assert_ne!(seen["light_background"], seen["dark_background"]);
    assert!(
        seen["narrow"]["scroll_width"].as_u64().unwrap() <= 375,
        "{seen}"
    );
    let lefts = seen["narrow"]["column_lefts"].as_array().unwrap();
    assert!(lefts.windows(2).all(|w| w[0] == w[1]), "stacked: {lefts:?}");
    assert_eq!(seen["requests"], json!([]), "the page fetched something");
    let target = target_dir();
    for (from, to) in [
        ("board.png", "board-screenshot.png"),
        ("board-dark.png", "board-screenshot-dark.png"),
        ("board-375.png", "board-screenshot-375.png"),
    ] {
        std::fs::copy(env.path().join(from), target.join(to)).expect("keep the screenshot");
    }
}

/// A backlog of `n` tasks written straight to files: 60 % open (TODO,
/// IN_PROGRESS, IN_REVIEW, BLOCKED), 30 % DONE, 10 % CANCELLED, dependencies
/// on earlier tasks, and the word `zebra` in every 97th title.
fn write_backlog(env: &TestEnv, n: usize) {
    let dir = env.ws().join("tasks");
    let statuses = [
        "TODO",
        "TODO",
        "TODO",
        "IN_PROGRESS",
        "IN_REVIEW",
        "BLOCKED",
        "DONE",
        "DONE",
        "DONE",
        "CANCELLED",
    ];
    let priorities = ["CRITICAL", "HIGH", "MEDIUM", "MEDIUM", "LOW"];
    let people = ["alice", "bob", "claude", "codex", "null"];
    let labels = ["[api]", "[ui, auth]", "[]", "[infra, ci, docs]"];
    for i in 0..n {
        let id = format!("TASK-{i:05}");
        let zebra = if i % 97 == 0 { " zebra" } else { "" };
        let status = statuses[i % statuses.len()];
        let deps = if i > 3 && i % 3 == 0 {
            format!("[TASK-{:05}, TASK-{:05}]", i - 1, i - 3)
        } else {
            "[]".into()
        };
        let text = format!(
            "id: {id}\ntitle: Generated task number {i} about the payment flow{zebra}\nstatus: {status}\n\
             type: TASK\npriority: {}\nparent: null\nassignee: {}\ncreated: 2026-01-01T00:00:00Z\n\
             progress: {}\nestimate: null\nsprint: null\nlabels: {}\ndepends_on: {deps}\n",
            priorities[i % priorities.len()],
            people[i % people.len()],
            if status == "IN_PROGRESS" { 40 } else { 0 },
            labels[i % labels.len()],
        );
        std::fs::write(dir.join(format!("{id}.yaml")), text).unwrap();
    }
}

#[test]
fn html_page_for_ten_thousand_tasks_is_small_and_filters_in_chromium() {
    let env = TestEnv::new();
    let n = 10_000;
    write_backlog(&env, n);
    let file = env.path().join("board.html");
    let r = env.run(&["board", "--html", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(size < 3 * 1024 * 1024, "the page is {size} bytes");
    let data = embedded(&env.read(&file));
    let carried: usize = data["board"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cards"].as_array().unwrap().len())
        .sum();
    // Every open task and the latest 200 DONE.
    assert_eq!(carried, n * 6 / 10 + 200);
    let zebras = data["board"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["cards"].as_array().unwrap())
        .filter(|c| c["title"].as_str().unwrap().ends_with("zebra"))
        .count();
    let seen = browser(&json!({
        "scenario": "scale",
        "url": format!("file://{}", file.display()),
        "query": "zebra",
    }));
    assert_eq!(seen["count"], format!("{carried} cards"));
    assert_eq!(
        seen["filter"]["count"],
        format!("{zebras} of {carried} cards")
    );
    // Each column draws its first 100 cards; the rest wait behind a button.
    assert!(seen["cards_drawn"].as_u64().unwrap() <= 5 * 100, "{seen}");
    println!(
        "board page for {n} tasks: {size} bytes, {carried} cards carried; opened in {} ms \
         (first draw {:.1} ms), search filtered in {:.1} ms ({:.1} ms to the next frame)",
        seen["open_ms"],
        seen["first_render_ms"].as_f64().unwrap_or(f64::NAN),
        seen["filter"]["script_ms"].as_f64().unwrap_or(f64::NAN),
        seen["filter"]["to_frame_ms"].as_f64().unwrap_or(f64::NAN),
    );
    assert!(Path::new(&file).exists());
}
