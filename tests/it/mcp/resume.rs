//! Resuming across a handoff, over stdio on the real binary with a real MCP
//! client (rmcp's child-process transport): session 1 makes the calls of
//! `mcp/seed.rs` and ends with context_save then handoff_prepare (as our
//! AGENTS.md section asks); session 2 does exactly what a resuming agent's
//! script does — `orchestron_context_get`, then `orchestron_task_update` with
//! `taskId: context["lastTask"]` — and gets back what session 1 saved.

use super::{TestClient, text};
use crate::common::{BIN, TestEnv};
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};

/// `orchestron mcp` as a client starts it, with Claude Code's client name.
async fn session(env: &TestEnv) -> RunningService<RoleClient, TestClient> {
    let mut cmd = env.command(BIN);
    cmd.arg("mcp").env_remove("ORCHESTRON_AGENT");
    let transport = TokioChildProcess::new(tokio::process::Command::from(cmd)).expect("spawn");
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let info = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("claude-code", "2.1.328"),
    );
    TestClient { info, tx }
        .serve(transport)
        .await
        .expect("initialize over stdio")
}

/// A call that must succeed: its structuredContent.
async fn call(s: &RunningService<RoleClient, TestClient>, tool: &str, args: Value) -> Value {
    let mut p = CallToolRequestParams::new(tool.to_string());
    if let Value::Object(m) = args.clone() {
        p = p.with_arguments(m);
    }
    let r = s.call_tool(p).await.expect("tools/call");
    assert_eq!(r.is_error, Some(false), "{tool} {args}: {}", text(&r, 0));
    r.structured_content.expect("structuredContent")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeds_second_session_resumes_after_a_handoff() {
    let env = TestEnv::new();
    let auth = env.create(&[
        "Implement authentication",
        "--priority",
        "HIGH",
        "--description",
        "Add JWT-based authentication to the API",
    ]);
    env.create(&["Add password reset endpoint"]);

    // Session 1: the scripted calls, ending with a snapshot and then a handoff.
    let s1 = session(&env).await;
    call(&s1, "orchestron_context_get", json!({})).await;
    call(
        &s1,
        "orchestron_task_list",
        json!({"status": "IN_PROGRESS", "assignee": "claude"}),
    )
    .await;
    let todo = call(
        &s1,
        "orchestron_task_list",
        json!({"status": "TODO", "limit": 1}),
    )
    .await;
    let first = todo["tasks"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(first, auth);
    call(
        &s1,
        "orchestron_task_update",
        json!({"taskId": first, "status": "IN_PROGRESS"}),
    )
    .await;
    call(
        &s1,
        "orchestron_task_update",
        json!({"taskId": first, "progress": 60, "notes": "JWT middleware in place"}),
    )
    .await;
    call(&s1, "orchestron_task_get", json!({"taskId": first})).await;
    let saved = json!({
        "lastTask": first,
        "completedToday": ["JWT middleware", "Login endpoint"],
        "nextSteps": ["Refresh tokens", "Frontend login"],
        "blockers": [],
    });
    call(
        &s1,
        "orchestron_context_save",
        json!({"context": saved.clone(), "notes": "Ready for refresh tokens"}),
    )
    .await;
    call(
        &s1,
        "orchestron_handoff_prepare",
        json!({"taskId": first, "completedWork": ["API", "Middleware"],
               "remainingWork": ["Refresh tokens"], "notes": "See auth/refresh.rs"}),
    )
    .await;
    s1.cancel().await.expect("session 1 ends");

    // Session 2: exactly the resuming script's.
    let s2 = session(&env).await;
    let context = call(&s2, "orchestron_context_get", json!({})).await;
    for key in ["lastTask", "completedToday", "nextSteps", "blockers"] {
        assert_eq!(context[key], saved[key], "{key} as saved: {context}");
    }
    // The newer handoff comes with it, whole.
    assert_eq!(context["completedWork"], json!(["API", "Middleware"]));
    assert_eq!(context["remainingWork"], "Refresh tokens");
    assert_eq!(context["handoff"]["kind"], "handoff", "{context}");
    let updated = call(
        &s2,
        "orchestron_task_update",
        json!({"taskId": context["lastTask"], "progress": 80,
               "notes": "Resumed from the handoff"}),
    )
    .await;
    assert_eq!(updated["task"]["id"], json!(first));
    s2.cancel().await.expect("session 2 ends");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handoff_alone_fills_the_seeds_keys_in_the_seeds_types() {
    let env = TestEnv::new();
    let id = env.create(&["Implement authentication"]);
    let s = session(&env).await;
    call(
        &s,
        "orchestron_handoff_prepare",
        json!({"taskId": id, "completedWork": ["API"], "remainingWork": ["UI", "Tests"]}),
    )
    .await;
    let context = call(&s, "orchestron_context_get", json!({})).await;
    assert_eq!(context["lastTask"], json!(id), "an id string: {context}");
    assert_eq!(context["completedToday"], json!(["API"]));
    assert_eq!(context["nextSteps"], json!(["UI", "Tests"]));
    assert_eq!(context["derived"]["task"]["id"], json!(id));
    s.cancel().await.expect("ends");
}
