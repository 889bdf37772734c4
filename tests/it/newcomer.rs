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
