//! The calls agents' existing scripts make, exactly as written (snake_case
//! `acceptance_criteria` beside camelCase, `assignee: "claude"`, the resume
//! keys read back), each answered (not refused), with the keys they then read.

use super::{start, text};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_calls_are_accepted_as_written() {
    let env = start("claude-code").await;
    let call = |tool: &'static str, args: Value| {
        let env = &env;
        async move {
            let r = env.call(tool, args.clone()).await;
            assert_eq!(r.is_error, Some(false), "{tool} {args}: {}", text(&r, 0));
            r.structured_content.clone().expect("structuredContent")
        }
    };
    let auth = call(
        "orchestron_task_create",
        json!({"title": "Implement authentication", "type": "TASK", "priority": "HIGH",
               "description": "Add JWT-based authentication to the API"}),
    )
    .await["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reset = call(
        "orchestron_task_create",
        json!({"title": "Add password reset endpoint", "type": "TASK",
               "acceptance_criteria": ["POST /api/auth/reset-password endpoint",
                   "Email notification sent", "Token expires in 1 hour", "Unit tests pass"]}),
    )
    .await;
    assert!(
        reset["summary"]
            .as_str()
            .unwrap()
            .starts_with("Created task ")
    );

    call(
        "orchestron_task_list",
        json!({"status": "IN_PROGRESS", "assignee": "claude"}),
    )
    .await;
    let todo = env
        .call(
            "orchestron_task_list",
            json!({"status": "TODO", "limit": 1}),
        )
        .await;
    let tasks: Vec<Value> = serde_json::from_str(&text(&todo, 0)).unwrap();
    let first = tasks[0]["id"].as_str().unwrap().to_string();
    assert_eq!(first, auth, "HIGH comes first");
    assert_eq!(
        todo.structured_content.unwrap()["tasks"][0]["id"],
        json!(first)
    );

    call(
        "orchestron_task_update",
        json!({"taskId": first, "progress": 60, "notes": "JWT middleware in place"}),
    )
    .await;
    call(
        "orchestron_task_update",
        json!({"taskId": first, "status": "IN_PROGRESS"}),
    )
    .await;
    let review = call(
        "orchestron_task_update",
        json!({"taskId": first, "status": "IN_REVIEW", "progress": 100,
               "notes": "Ready for code review"}),
    )
    .await;
    assert_eq!(review["task"]["status"], "IN_REVIEW");

    call(
        "orchestron_context_save",
        json!({"context": {"currentTask": first, "completedSteps": ["JWT", "Middleware"],
                           "nextSteps": ["Frontend login"],
                           "decisions": {"auth": "JWT with refresh tokens",
                                         "database": "PostgreSQL"}},
               "notes": "Ready for frontend work"}),
    )
    .await;
    call(
        "orchestron_context_save",
        json!({"context": {"currentTask": first, "nextSteps": ["Frontend login"]},
               "checkpoint": "After authentication implementation"}),
    )
    .await;
    call(
        "orchestron_context_save",
        json!({"context": {"milestone": "Auth done", "timestamp": "2026-11-20T10:00:00Z",
                           "files_modified": ["src/auth.rs", "src/main.rs"],
                           "tests_passing": true}}),
    )
    .await;
    let ctx = call("orchestron_context_get", json!({})).await;
    assert_eq!(ctx["milestone"], "Auth done");
    assert!(ctx["lastSession"].is_object(), "{ctx}");
    // The keys scripts read are always there, derived from the records.
    assert!(ctx.get("lastTask").is_some(), "{ctx}");
    assert!(ctx["completedToday"].is_array(), "{ctx}");
    assert!(ctx["nextSteps"].is_array(), "{ctx}");

    let got = call("orchestron_task_get", json!({"taskId": first})).await;
    assert!(got["clarifications"].is_array(), "{got}");
    call("orchestron_check_updates", json!({})).await;

    let handoff = call(
        "orchestron_handoff_prepare",
        json!({"taskId": first, "completedWork": ["API", "Database", "Basic tests"],
               "remainingWork": ["UI polish", "Integration tests"],
               "notes": "Token refresh is in auth/refresh.rs"}),
    )
    .await;
    assert!(
        handoff["summary"]
            .as_str()
            .unwrap()
            .starts_with("Handoff saved with ID: ")
    );
    let after = call("orchestron_context_get", json!({})).await;
    assert_eq!(after["lastTask"], json!(first), "an id string: {after}");
    assert_eq!(
        after["nextSteps"],
        json!(["UI polish", "Integration tests"])
    );
    assert_eq!(
        after["completedWork"],
        json!(["API", "Database", "Basic tests"])
    );
    assert_eq!(
        after["remainingWork"],
        json!(["UI polish", "Integration tests"])
    );
    call(
        "orchestron_handoff_prepare",
        json!({"taskId": first, "completedWork": "API", "remainingWork": "UI polish"}),
    )
    .await;
    let one = call("orchestron_context_get", json!({})).await;
    assert_eq!(one["completedWork"], "API", "a string stays a string");
}
