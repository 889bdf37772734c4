//! The one clock: `ORCHESTRON_NOW` dates every record a process writes — task
//! and sprint creation, notes, status stamps, context snapshots, the change
//! feed — the same way it dates leases.

use crate::common::TestEnv;
use serde_json::Value;

const NOW: &str = "2030-01-01T00:00:00Z";

fn at_now(env: &TestEnv, args: &[&str]) -> Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    let r = env.run_with(&a, &[("ORCHESTRON_NOW", NOW)]);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    serde_json::from_str(&r.stdout).expect("json")
}

#[test]
fn records_written_under_orchestron_now_carry_that_time() {
    // No git: the status change is stamped into the file, not left to history.
    let env = TestEnv::bare();
    env.ok(&["init"]);
    let task = at_now(&env, &["task", "create", "Dated"]);
    assert_eq!(task["created"], NOW, "{task}");
    let id = task["id"].as_str().unwrap().to_string();
    assert!(
        env.read(&env.task_path(&id))
            .contains(&format!("created: {NOW}")),
        "the file says it too"
    );

    at_now(&env, &["task", "update", &id, "--note", "on it"]);
    at_now(&env, &["task", "update", &id, "--status", "DONE"]);
    let shown = env.json(&["task", "show", &id]);
    assert_eq!(shown["notes"][0]["at"], NOW, "{shown}");
    assert_eq!(shown["closed"], NOW, "{shown}");

    let sprint = at_now(&env, &["sprint", "create", "w1"]);
    assert_eq!(sprint["created"], NOW, "{sprint}");
    at_now(&env, &["sprint", "start", "w1"]);
    assert_eq!(env.json(&["sprint", "show", "w1"])["start"], "2030-01-01");

    let saved = at_now(&env, &["context", "save", "--notes", "halfway"]);
    let saved_at = saved["snapshot"]["at"].as_str().unwrap().to_string();
    assert!(saved_at.starts_with("2030-01-01T00:00:00."), "{saved}");

    let feed = env.json(&["updates"]);
    let changes = feed["changes"].as_array().unwrap();
    assert!(!changes.is_empty(), "{feed}");
    for c in changes {
        let when = c["at"].as_str().unwrap();
        assert!(when.starts_with("2030-01-01T00:00:00"), "{c}");
    }
}
