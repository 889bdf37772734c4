//! The MCP server's tools: tool shapes, the updates
//! notice, every bad-argument case, exclusive claims and the tools/list budget.

use super::{connect, result_json, start, text};
use crate::common::Redactor;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_list_is_small_annotated_and_shallow() {
    let env = start("claude-code").await;
    let tools = env.client.list_all_tools().await.unwrap();
    let json = serde_json::to_string(&json!({"tools": tools})).unwrap();
    eprintln!("tools/list: {} bytes for {} tools", json.len(), tools.len());
    assert!(json.len() < 12 * 1024, "tools/list is {} bytes", json.len());
    assert_eq!(tools.len(), 16);
    for t in &tools {
        let a = t.annotations.as_ref().expect("annotations");
        assert!(a.read_only_hint.is_some() && a.destructive_hint.is_some());
        assert!(a.idempotent_hint.is_some() && a.open_world_hint == Some(false));
        let out = t.output_schema.as_ref().expect("outputSchema");
        assert_eq!(out["type"], "object");
    }
    let summary: Vec<Value> = tools
        .iter()
        .map(|t| {
            let a = t.annotations.as_ref().unwrap();
            json!({
                "name": t.name,
                "required": t.input_schema.get("required"),
                "readOnly": a.read_only_hint,
                "destructive": a.destructive_hint,
                "idempotent": a.idempotent_hint,
            })
        })
        .collect();
    insta::assert_json_snapshot!("tools_list_summary", summary);
    // The whole contract as clients see it, to review any change to it.
    insta::assert_json_snapshot!("tools_list", json!({"tools": tools}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_results_have_the_seed_shapes() {
    let env = start("claude-code").await;
    let mut ids = Redactor::default();
    let r = env
        .call(
            "orchestron_task_create",
            json!({"title": "Add password reset", "priority": "high",
                   "acceptance_criteria": ["Token expires in 1 hour", "Tests pass"]}),
        )
        .await;
    let id = r.structured_content.as_ref().unwrap()["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        text(&r, 0),
        format!("Created task {id}: Add password reset")
    );
    let dep = env.create("Design tokens").await;
    env.call("orchestron_task_depend", json!({"taskId": id, "on": dep}))
        .await;

    let list = env
        .call("orchestron_task_list", json!({"status": "todo"}))
        .await;
    let arr: Vec<Value> = serde_json::from_str(&text(&list, 0)).expect("a JSON array");
    assert_eq!(arr.len(), 2);
    assert!(arr.iter().all(|t| t["id"].is_string()));
    let s = list.structured_content.as_ref().unwrap();
    assert_eq!(s["total"], 2);
    assert!(s["tasks"].is_array());

    let upd = env
        .call(
            "orchestron_task_update",
            json!({"taskId": id, "status": "in progress", "progress": 40,
                   "notes": "Endpoint done", "criteriaDone": [1]}),
        )
        .await;
    assert_eq!(upd.is_error, Some(false), "{}", text(&upd, 0));
    let t = &upd.structured_content.as_ref().unwrap()["task"];
    assert_eq!(t["assignee"], "claude", "claude-code maps to claude");
    assert_eq!(t["status"], "IN_PROGRESS");

    let get = env.call("orchestron_task_get", json!({"taskId": id})).await;
    let v: Value = serde_json::from_str(&text(&get, 0)).expect("a JSON object");
    assert_eq!(v["dependencies"][0]["id"], json!(dep));
    assert_eq!(v["notes"][0]["text"], "Endpoint done");
    assert_eq!(v["acceptance_criteria"][0]["done"], true);
    let dget = env
        .call("orchestron_task_get", json!({"taskId": dep}))
        .await;
    assert_eq!(
        dget.structured_content.as_ref().unwrap()["dependents"][0]["id"],
        json!(id)
    );

    insta::assert_json_snapshot!("create_result", result_json(&r, &mut ids));
    insta::assert_json_snapshot!("update_result", result_json(&upd, &mut ids));
    insta::assert_json_snapshot!("get_result", result_json(&get, &mut ids));
}

/// MCP's update has the CLI's powers (one patch type): the type, unchecking
/// and adding criteria, and an empty string clears (the API's rule).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_update_has_the_same_powers_as_the_cli() {
    let env = start("claude-code").await;
    let r = env
        .call(
            "orchestron_task_create",
            json!({"title": "Patch", "assignee": "bob", "acceptance_criteria": ["One", "Two"]}),
        )
        .await;
    let id = r.structured_content.as_ref().unwrap()["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let done = env
        .call(
            "orchestron_task_update",
            json!({"taskId": id, "criteriaDone": [1, 2]}),
        )
        .await;
    assert_eq!(done.is_error, Some(false), "{}", text(&done, 0));
    let upd = env
        .call(
            "orchestron_task_update",
            json!({"taskId": id, "type": "subtask", "criteriaUndone": [2],
                   "addCriteria": ["Three"], "assignee": ""}),
        )
        .await;
    assert_eq!(upd.is_error, Some(false), "{}", text(&upd, 0));
    let get = env.call("orchestron_task_get", json!({"taskId": id})).await;
    let v: Value = serde_json::from_str(&text(&get, 0)).expect("a JSON object");
    assert_eq!(v["type"], "SUBTASK");
    assert_eq!(v["assignee"], Value::Null, "an empty string clears: {v}");
    let criteria: Vec<(String, bool)> = v["acceptance_criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["text"].as_str().unwrap().to_string(), c["done"] == true))
        .collect();
    assert_eq!(
        criteria,
        [
            ("One".to_string(), true),
            ("Two".to_string(), false),
            ("Three".to_string(), false)
        ]
    );
    let bad = env
        .call(
            "orchestron_task_update",
            json!({"taskId": id, "criteriaUndone": [0]}),
        )
        .await;
    assert_eq!(bad.is_error, Some(true));
    assert!(
        text(&bad, 0).contains("criteriaUndone"),
        "{}",
        text(&bad, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn context_and_sprint_empty_states_and_round_trip() {
    let env = start("claude-code").await;
    let empty = env.call("orchestron_context_get", json!({})).await;
    assert_eq!(empty.is_error, Some(false));
    assert_eq!(text(&empty, 0), r#"{"snapshot":null}"#);
    assert_eq!(text(&empty, 1), "No context saved yet.");
    let none = env.call("orchestron_sprint_get", json!({})).await;
    assert_eq!(text(&none, 0), r#"{"sprint":null}"#);

    let saved = env
        .call(
            "orchestron_context_save",
            json!({"context": {"currentFile": "src/auth.rs", "step": 3}, "notes": "halfway"}),
        )
        .await;
    let cid = saved.structured_content.as_ref().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(text(&saved, 0), format!("Context saved with ID: {cid}"));
    let got = env.call("orchestron_context_get", json!({})).await;
    let v: Value = serde_json::from_str(&text(&got, 0)).unwrap();
    assert_eq!(v["currentFile"], "src/auth.rs");
    assert_eq!(v["step"], 3);
    assert_eq!(v["snapshot"]["id"], json!(cid));
    assert_eq!(v["snapshot"]["notes"], "halfway");
    assert!(v["lastSession"].is_null());

    let sp = env
        .call(
            "orchestron_sprint_create",
            json!({"name": "W48", "goal": "auth"}),
        )
        .await;
    let sid = sp.structured_content.as_ref().unwrap()["sprint"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(text(&sp, 0), format!("Created sprint {sid}: W48"));
    let act = env
        .call(
            "orchestron_sprint_update",
            json!({"sprintId": "w48", "status": "active"}),
        )
        .await;
    assert_eq!(act.is_error, Some(false), "{}", text(&act, 0));
    let get = env.call("orchestron_sprint_get", json!({})).await;
    assert_eq!(get.structured_content.as_ref().unwrap()["id"], json!(sid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn human_changes_come_back_as_a_notice_once() {
    let env = start("claude-code").await;
    let a = env.create("A").await;
    let b = env.create("B").await;
    {
        let mut alice = env.human();
        alice
            .clarify(&a, "Use OAuth2 for third-party integrations")
            .unwrap();
        alice
            .set_priority(&a, orchestron::model::Priority::Critical, false)
            .unwrap();
        alice.depend(&a, &b, false, false).unwrap();
    }
    let r = env.call("orchestron_task_list", json!({})).await;
    let line = text(&r, 1);
    assert!(
        line.starts_with("3 updates since your last call: "),
        "{line}"
    );
    assert!(line.contains("priority MEDIUM→CRITICAL (alice)"), "{line}");
    assert!(line.contains("new clarification \"Use OAuth2"), "{line}");
    assert!(line.contains(&format!("new dependency on {b}")), "{line}");
    let updates = &r.structured_content.as_ref().unwrap()["updates"];
    assert_eq!(updates["total"], 3);
    assert_eq!(updates["recent"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        updates["notice"],
        json!(line),
        "the notice is in both views"
    );
    // content[0] stays exactly the JSON array.
    assert!(serde_json::from_str::<Vec<Value>>(&text(&r, 0)).is_ok());

    let again = env.call("orchestron_task_list", json!({})).await;
    assert_eq!(again.content.len(), 1, "the notice is shown once");
    assert!(
        again
            .structured_content
            .as_ref()
            .unwrap()
            .get("updates")
            .is_none()
    );

    // check_updates still has the whole list (its own cursor).
    let cu = env.call("orchestron_check_updates", json!({})).await;
    let changes = cu.structured_content.as_ref().unwrap()["recent"]
        .as_array()
        .unwrap()
        .clone();
    assert!(changes.iter().any(|c| c["by"] == "alice"));
    assert!(cu.structured_content.as_ref().unwrap()["cursor"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_are_tool_errors_and_change_nothing() {
    let env = start("claude-code").await;
    let id = env.create("Real task").await;
    let before = env.files();
    let long = "x".repeat(20_000);
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "orchestron_task_get",
            json!({"taskId": "TASK-zzzzz"}),
            vec!["unknown task", "TASK-zzzzz"],
        ),
        (
            "orchestron_task_update",
            json!({"taskId": id, "status": "WIP"}),
            vec!["\"WIP\"", "IN_PROGRESS", "CANCELLED"],
        ),
        (
            "orchestron_task_update",
            json!({"taskId": id, "priority": "urgent"}),
            vec!["\"urgent\"", "CRITICAL"],
        ),
        (
            "orchestron_task_update",
            json!({"taskId": id, "progress": 150}),
            vec!["progress", "150", "0", "100"],
        ),
        (
            "orchestron_task_update",
            json!({"taskId": id, "progress": -1}),
            vec!["progress", "-1"],
        ),
        (
            "orchestron_task_update",
            json!({"taskId": id, "criteriaDone": [3]}),
            vec!["criterion 3"],
        ),
        (
            "orchestron_task_create",
            json!({}),
            vec!["missing required argument \"title\""],
        ),
        (
            "orchestron_task_create",
            json!({"title": "   "}),
            vec!["title", "empty"],
        ),
        (
            "orchestron_task_create",
            json!({"title": long}),
            vec!["title", "too long", "300"],
        ),
        (
            "orchestron_task_create",
            json!({"title": "x", "type": "BUGFIX"}),
            vec!["\"BUGFIX\"", "EPIC"],
        ),
        (
            "orchestron_task_create",
            json!({"title": "x", "dependsOn": ["TASK-nope1"]}),
            vec!["TASK-nope1"],
        ),
        (
            "orchestron_task_get",
            json!({"taskId": "../../etc/passwd"}),
            vec!["invalid id", "../../etc/passwd"],
        ),
        (
            "orchestron_task_get",
            json!({"taskId": "TASK-a/../../b"}),
            vec!["invalid id"],
        ),
        (
            "orchestron_task_clarify",
            json!({"taskId": id, "text": long}),
            vec!["too long"],
        ),
        (
            "orchestron_task_clarify",
            json!({"taskId": id}),
            vec!["missing required argument \"text\""],
        ),
        (
            "orchestron_task_update",
            json!({"taskId": id, "colour": "red"}),
            vec!["unknown argument \"colour\"", "valid arguments: taskId"],
        ),
        (
            "orchestron_task_update",
            json!({"taskId": id, "progress": "lots"}),
            vec!["progress", "whole number", "lots"],
        ),
        (
            "orchestron_task_list",
            json!({"status": ["TODO", "NOPE"]}),
            vec!["\"NOPE\"", "IN_REVIEW"],
        ),
        (
            "orchestron_task_depend",
            json!({"taskId": id, "on": id}),
            vec!["cycle"],
        ),
        (
            "orchestron_context_save",
            json!({"context": "not json"}),
            vec!["context", "JSON object"],
        ),
        (
            "orchestron_context_get",
            json!({"id": "CTX-zzzzz"}),
            vec!["unknown context", "CTX-zzzzz"],
        ),
        (
            "orchestron_sprint_update",
            json!({"sprintId": "nope", "status": "ACTIVE"}),
            vec!["unknown sprint", "nope"],
        ),
        (
            "orchestron_sprint_update",
            json!({"sprintId": "x", "status": "DONE"}),
            vec!["\"DONE\"", "PLANNED, ACTIVE, CLOSED"],
        ),
        (
            "orchestron_sprint_create",
            json!({"name": "s", "start": "tomorrow"}),
            vec!["\"tomorrow\"", "YYYY-MM-DD"],
        ),
        (
            "orchestron_handoff_prepare",
            json!({"taskId": "TASK-zzzzz"}),
            vec!["unknown task"],
        ),
    ];
    for (tool, args, expect) in cases {
        let r = env.call(tool, args.clone()).await;
        let msg = text(&r, 0);
        assert_eq!(
            r.is_error,
            Some(true),
            "{tool} {args} should be refused, got {msg}"
        );
        for e in expect {
            assert!(
                msg.contains(e),
                "{tool} {args}: {msg:?} should mention {e:?}"
            );
        }
    }
    assert_eq!(before, env.files(), "a refused call changed a file");

    // Odd but harmless input is answered, refused or not, and never kills the server.
    for (tool, args) in [
        (
            "orchestron_task_list",
            json!({"query": "\"unbalanced AND OR NEAR( *"}),
        ),
        ("orchestron_task_list", json!({"ready": "maybe"})),
        (
            "orchestron_task_create",
            json!({"title": "x", "labels": {"a": 1}}),
        ),
        (
            "orchestron_context_save",
            json!({"context": {"deep": [[[[[[[[1]]]]]]]]}}),
        ),
    ] {
        let r = env.call(tool, args.clone()).await;
        eprintln!("{tool} {args} → error={:?}: {}", r.is_error, text(&r, 0));
    }
    let ok = env.call("orchestron_task_get", json!({"taskId": id})).await;
    assert_eq!(ok.is_error, Some(false));

    // An unknown tool is a protocol error; the server lives on.
    let err = env
        .client
        .call_tool(CallToolRequestParams::new("orchestron_nope"))
        .await;
    assert!(err.is_err());
    let ok = env.call("orchestron_task_get", json!({"taskId": id})).await;
    assert_eq!(ok.is_error, Some(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_is_exclusive_between_agents() {
    let env = start("claude-code").await;
    let id = env.create("Only one").await;
    let (other, _rx) = connect(env.env.path(), "cursor").await;
    let first = env.call("orchestron_task_claim", json!({})).await;
    assert_eq!(first.is_error, Some(false), "{}", text(&first, 0));
    assert!(text(&first, 0).starts_with(&format!("Claimed {id}")));
    let mut p = CallToolRequestParams::new("orchestron_task_claim");
    p = p.with_arguments(json!({"taskId": id}).as_object().unwrap().clone());
    let second = other.call_tool(p).await.unwrap();
    assert_eq!(second.is_error, Some(true));
    assert!(
        text(&second, 0).contains("held by claude"),
        "{}",
        text(&second, 0)
    );
    let none = other
        .call_tool(CallToolRequestParams::new("orchestron_task_claim"))
        .await
        .unwrap();
    assert_eq!(text(&none, 0), "No task is ready to claim.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tool_answers_within_its_output_schema() {
    let env = start("claude-code").await;
    // Empty states first: no ready task, no context, no sprint.
    for (tool, args) in [
        ("orchestron_task_claim", json!({})),
        ("orchestron_context_get", json!({})),
        ("orchestron_sprint_get", json!({})),
        ("orchestron_check_updates", json!({})),
        ("orchestron_task_list", json!({"ready": true})),
    ] {
        let r = env.call(tool, args).await;
        assert_eq!(r.is_error, Some(false), "{tool}: {}", text(&r, 0));
    }
    let a = env.create("A").await;
    let b = env.create("B").await;
    let sprint = env
        .call("orchestron_sprint_create", json!({"name": "S1"}))
        .await;
    assert_eq!(sprint.is_error, Some(false));
    let calls = [
        (
            "orchestron_task_update",
            json!({"taskId": a, "sprint": "S1", "labels": ["x"]}),
        ),
        (
            "orchestron_sprint_update",
            json!({"sprintId": "S1", "status": "ACTIVE"}),
        ),
        ("orchestron_sprint_get", json!({})),
        ("orchestron_sprint_get", json!({"sprintId": "S1"})),
        ("orchestron_task_depend", json!({"taskId": a, "on": b})),
        (
            "orchestron_task_depend",
            json!({"taskId": a, "on": b, "remove": true}),
        ),
        (
            "orchestron_task_clarify",
            json!({"taskId": a, "text": "Why not"}),
        ),
        ("orchestron_task_claim", json!({"taskId": a})),
        ("orchestron_task_get", json!({"taskId": a})),
        (
            "orchestron_context_save",
            json!({"context": {"k": 1}, "checkpoint": "c1"}),
        ),
        (
            "orchestron_handoff_prepare",
            json!({"taskId": a, "completedWork": "all"}),
        ),
        ("orchestron_context_get", json!({})),
        ("orchestron_check_updates", json!({})),
        (
            "orchestron_task_list",
            json!({"sprint": "S1", "label": "x", "limit": 1}),
        ),
    ];
    for (tool, args) in calls {
        let r = env.call(tool, args.clone()).await;
        assert_eq!(r.is_error, Some(false), "{tool} {args}: {}", text(&r, 0));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_record_file_does_not_bring_the_rest_down() {
    let env = start("claude-code").await;
    let good = env.create("Good").await;
    let bad = env.create("Bad").await;
    std::fs::write(env.task_file(&bad), "id: [unclosed\ntitle: x\n").unwrap();
    let list = env.call("orchestron_task_list", json!({})).await;
    assert_eq!(list.is_error, Some(false), "{}", text(&list, 0));
    let ids: Vec<Value> = serde_json::from_str(&text(&list, 0)).unwrap();
    assert!(ids.iter().any(|t| t["id"] == json!(good)));
    let upd = env
        .call(
            "orchestron_task_update",
            json!({"taskId": bad, "progress": 5}),
        )
        .await;
    assert_eq!(upd.is_error, Some(true));
    let msg = text(&upd, 0);
    assert!(msg.contains(&bad), "{msg}");
    let ok = env
        .call(
            "orchestron_task_update",
            json!({"taskId": good, "progress": 5}),
        )
        .await;
    assert_eq!(ok.is_error, Some(false), "{}", text(&ok, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_an_epic_or_a_sprint_with_open_work_warns_in_both_views() {
    let e = start("codex").await;
    let r = e
        .call(
            "orchestron_task_create",
            json!({"title": "Epic", "type": "EPIC"}),
        )
        .await;
    let epic = r.structured_content.as_ref().unwrap()["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    e.call(
        "orchestron_task_create",
        json!({"title": "Child", "parent": epic}),
    )
    .await;
    let r = e
        .call(
            "orchestron_task_update",
            json!({"taskId": epic, "status": "DONE"}),
        )
        .await;
    assert_eq!(r.is_error, Some(false), "{}", text(&r, 0));
    assert!(text(&r, 0).contains("Warning:"), "{}", text(&r, 0));
    let warnings = &r.structured_content.as_ref().unwrap()["warnings"];
    assert!(
        warnings[0].as_str().unwrap_or("").contains("still open"),
        "{warnings}"
    );
    e.call("orchestron_sprint_create", json!({"name": "S1"}))
        .await;
    e.call(
        "orchestron_task_create",
        json!({"title": "In sprint", "sprint": "S1"}),
    )
    .await;
    let r = e
        .call(
            "orchestron_sprint_update",
            json!({"sprintId": "S1", "status": "CLOSED"}),
        )
        .await;
    assert_eq!(r.is_error, Some(false), "{}", text(&r, 0));
    assert!(text(&r, 0).contains("Warning:"), "{}", text(&r, 0));
    let warnings = &r.structured_content.as_ref().unwrap()["warnings"];
    assert!(
        warnings[0].as_str().unwrap_or("").contains("open tasks"),
        "{warnings}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_out_of_range_estimate_is_answered_with_the_real_bound() {
    let e = start("claude-code").await;
    let id = e.create("Sized").await;
    for (tool, args) in [
        (
            "orchestron_task_create",
            json!({"title": "x", "estimate": -3}),
        ),
        (
            "orchestron_task_update",
            json!({"taskId": id, "estimate": 5000}),
        ),
    ] {
        let r = e.call(tool, args).await;
        assert_eq!(r.is_error, Some(true), "{tool}");
        let t = text(&r, 0);
        assert!(
            t.contains("estimate must be between 0 and 1000"),
            "{tool}: {t}"
        );
        assert!(!t.contains("4294967295"), "{tool}: {t}");
    }
}
