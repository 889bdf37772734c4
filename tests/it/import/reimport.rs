//! Re-import: a second run brings tasks in step with their changed source,
//! keeps what was changed here since the last import (naming the fields
//! both sides changed), adds new comments as notes, and leaves a task held
//! by another agent alone.

use super::{by_external, tasks, write};
use crate::common::TestEnv;
use serde_json::{Value, json};

fn backlog_task(env: &TestEnv, id: &str, front: &str) {
    write(
        &env.path().join(format!("p/backlog/tasks/{id} - T.md")),
        &format!("---\nid: {id}\n{front}\n---\n"),
    );
}

fn fields(report: &Value, list: &str, external: &str) -> Vec<String> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["external"] == external)
        .unwrap_or_else(|| panic!("{external} not in {list}: {report:#}"))["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn reimport_takes_source_changes_keeps_local_edits_and_names_conflicts() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.path().join("p/backlog")).unwrap();
    write(
        &env.path().join("p/backlog/config.yml"),
        "project_name: p\n",
    );
    backlog_task(
        &env,
        "task-1",
        "title: Ship it\nstatus: To Do\npriority: low",
    );
    backlog_task(&env, "task-2", "title: Docs\nstatus: To Do\nlabels: [docs]");
    backlog_task(&env, "task-3", "title: Same\nstatus: To Do");
    env.json(&["import", "backlog", "p"]);
    let before = tasks(&env);
    let docs = by_external(&before, "backlog:p#task-2")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ship = by_external(&before, "backlog:p#task-1")["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Here: a priority on task-1, a new title on task-2.
    env.ok(&["task", "update", &ship, "--priority", "critical"]);
    env.ok(&["task", "update", &docs, "--title", "Write the docs"]);
    // There: task-1 done, task-2 retitled too and relabelled.
    backlog_task(
        &env,
        "task-1",
        "title: Ship it\nstatus: Done\npriority: low",
    );
    backlog_task(
        &env,
        "task-2",
        "title: Documentation\nstatus: To Do\nlabels: [docs, web]",
    );
    let edited = tasks(&env);
    let dry = env.json(&["import", "backlog", "p", "--dry-run"]);
    assert_eq!(dry["updated"].as_array().unwrap().len(), 2, "{dry:#}");
    assert_eq!(tasks(&env), edited, "a dry run changed a task");
    let report = env.json(&["import", "backlog", "p"]);
    assert_eq!(report["created"], json!([]), "{report:#}");
    assert_eq!(report["unchanged"], 1, "{report:#}");
    assert_eq!(fields(&report, "updated", "backlog:p#task-1"), ["status"]);
    assert_eq!(fields(&report, "updated", "backlog:p#task-2"), ["labels"]);
    assert_eq!(fields(&report, "conflicted", "backlog:p#task-2"), ["title"]);
    let after = tasks(&env);
    let shipped = by_external(&after, "backlog:p#task-1");
    assert_eq!(shipped["status"], "DONE");
    assert_eq!(shipped["priority"], "CRITICAL", "an edit made here is kept");
    let documented = by_external(&after, "backlog:p#task-2");
    assert_eq!(documented["title"], "Write the docs");
    assert_eq!(documented["labels"], json!(["docs", "web"]));
    // The conflict is told once: the next run finds nothing new.
    let third = env.json(&["import", "backlog", "p"]);
    assert_eq!(third["unchanged"], 3, "{third:#}");
    assert_eq!(third["conflicted"], json!([]), "{third:#}");
}

#[test]
fn reimport_adds_new_comments_as_notes() {
    let env = TestEnv::new();
    let issue = |comments: Value| {
        json!({"id": "bd-1", "title": "Flaky test", "status": "open", "priority": 2,
               "comments": comments, "created_at": "2026-08-01T09:00:00Z"})
        .to_string()
    };
    let first = json!([{"id": 1, "author": "bob", "text": "Seen twice", "created_at": "2026-08-02T09:00:00Z"}]);
    write(&env.path().join("issues.jsonl"), &issue(first.clone()));
    env.json(&["import", "beads", "issues.jsonl"]);
    let mut more = first.as_array().unwrap().clone();
    more.push(json!({"id": 2, "author": "carol", "text": "Fixed by retry", "created_at": "2026-08-03T09:00:00Z"}));
    write(&env.path().join("issues.jsonl"), &issue(Value::Array(more)));
    let report = env.json(&["import", "beads", "issues.jsonl"]);
    assert_eq!(fields(&report, "updated", "beads#bd-1"), ["notes"]);
    let notes = tasks(&env)[0]["notes"].clone();
    assert_eq!(notes.as_array().unwrap().len(), 2, "{notes:#}");
    assert_eq!(notes[1]["by"], "carol");
}

#[test]
fn reimport_leaves_a_task_held_by_another_agent_alone() {
    let env = TestEnv::new();
    write(
        &env.path().join("p/backlog/config.yml"),
        "project_name: p\n",
    );
    backlog_task(&env, "task-1", "title: Held\nstatus: To Do");
    env.json(&["import", "backlog", "p"]);
    let id = tasks(&env)[0]["id"].as_str().unwrap().to_string();
    env.ok(&["--agent", "bob", "task", "claim", &id]);
    backlog_task(&env, "task-1", "title: Held, renamed\nstatus: To Do");
    let report = env.json(&["--agent", "alice", "import", "backlog", "p"]);
    assert_eq!(report["updated"], json!([]), "{report:#}");
    let held = &report["conflicted"][0];
    assert!(
        held["reason"].as_str().unwrap().contains("claimed by bob"),
        "{report:#}"
    );
    assert_eq!(tasks(&env)[0]["title"], "Held");
    // Once released, the next import brings the change.
    env.ok(&["--agent", "bob", "task", "release", &id]);
    let later = env.json(&["--agent", "alice", "import", "backlog", "p"]);
    assert_eq!(fields(&later, "updated", "backlog:p#task-1"), ["title"]);
}
