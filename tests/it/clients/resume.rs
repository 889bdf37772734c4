//! The seed's two sessions with a handoff between them, played by the real
//! Claude Code against `orchestron mcp` (as `init --mcp claude` registers
//! it), with the scripted Messages API in the model's seat: session 1 makes
//! the seed's calls and ends with context_save then handoff_prepare (as our
//! AGENTS.md section asks); session 2 makes the seed's
//! `orchestron_context_get`, then `orchestron_task_update` with `taskId:
//! context["lastTask"]` — taken from the tool result Claude Code showed the
//! model, not written into the script. `mcp/resume.rs` is the same seed over
//! an rmcp client.

use super::claude::claude_project;
use super::{MessagesApi, Turn, claude_session, tool_result_blocks};
use crate::clients::Home;
use crate::common::TestEnv;
use serde_json::{Value, json};

/// Runs one headless session of `turns` (tool calls) and returns every tool result the model saw,
/// after asserting that there is one per tool call and none is an error;
/// also the inputs as sent (references resolved).
fn session(env: &TestEnv, home: &Home, turns: Vec<(&'static str, Value)>) -> SessionSeen {
    let calls = turns.len();
    let mut script: Vec<Turn> = turns
        .into_iter()
        .map(|(tool, input)| Turn::Tool(tool, input))
        .collect();
    script.push(Turn::Text("Session over."));
    let api = MessagesApi::start(&script);
    let result = claude_session(env, home, &api, "Resume where the last session stopped.");
    assert_eq!(result["result"], "Session over.", "{result}");
    let bodies = api.loop_bodies();
    assert_eq!(bodies.len(), calls + 1, "one request per turn");
    let results = tool_result_blocks(bodies.last().unwrap());
    assert_eq!(results.len(), calls, "one result per call: {results:#?}");
    for (text, is_error) in &results {
        assert!(!is_error, "a tool result the model saw is an error: {text}");
    }
    let inputs = api
        .requests()
        .into_iter()
        .filter(|r| !r["input"].is_null())
        .map(|r| r["input"].clone())
        .collect();
    SessionSeen {
        results: results.into_iter().map(|(t, _)| t).collect(),
        inputs,
    }
}

struct SessionSeen {
    /// The text of each tool result, in call order.
    results: Vec<String>,
    /// Each tool input as Claude Code received it, in call order.
    inputs: Vec<Value>,
}

#[test]
fn claude_code_runs_the_seeds_two_sessions_across_a_handoff() {
    let (env, home) = claude_project();
    let auth = env.create(&[
        "Implement authentication",
        "--priority",
        "HIGH",
        "--description",
        "Add JWT-based authentication to the API",
    ]);
    env.create(&["Add password reset endpoint"]);

    let saved = json!({
        "lastTask": auth,
        "completedToday": ["JWT middleware", "Login endpoint"],
        "nextSteps": ["Refresh tokens", "Frontend login"],
        "blockers": [],
    });
    let one = session(
        &env,
        &home,
        vec![
            ("mcp__orchestron__orchestron_context_get", json!({})),
            (
                "mcp__orchestron__orchestron_task_list",
                json!({"status": "IN_PROGRESS", "assignee": "claude"}),
            ),
            (
                "mcp__orchestron__orchestron_task_list",
                json!({"status": "TODO", "limit": 1}),
            ),
            (
                "mcp__orchestron__orchestron_task_update",
                json!({"taskId": auth, "status": "IN_PROGRESS"}),
            ),
            (
                "mcp__orchestron__orchestron_task_update",
                json!({"taskId": auth, "progress": 60, "notes": "JWT middleware in place"}),
            ),
            (
                "mcp__orchestron__orchestron_task_get",
                json!({"taskId": auth}),
            ),
            (
                "mcp__orchestron__orchestron_context_save",
                json!({"context": saved, "notes": "Ready for refresh tokens"}),
            ),
            (
                "mcp__orchestron__orchestron_handoff_prepare",
                json!({"taskId": auth, "completedWork": ["API", "Middleware"],
                       "remainingWork": ["Refresh tokens"], "notes": "See auth/refresh.rs"}),
            ),
        ],
    );
    assert!(
        one.results[2].contains(&auth),
        "the TODO list's first task is the seed's: {}",
        one.results[2]
    );

    let two = session(
        &env,
        &home,
        vec![
            ("mcp__orchestron__orchestron_context_get", json!({})),
            (
                "mcp__orchestron__orchestron_task_update",
                json!({"taskId": {"$result": "/lastTask"}, "progress": 80,
                       "notes": "Resumed from the handoff"}),
            ),
        ],
    );
    let context: Value = serde_json::from_str(two.results[0].lines().next().unwrap_or_default())
        .unwrap_or_else(|e| panic!("context_get shows the model JSON ({e}): {}", two.results[0]));
    assert_eq!(context["lastTask"], json!(auth), "an id string: {context}");
    for key in ["completedToday", "nextSteps", "blockers"] {
        assert_eq!(context[key], saved[key], "{key} as saved: {context}");
    }
    assert_eq!(
        two.inputs[1]["taskId"],
        json!(auth),
        "the update's taskId is context[\"lastTask\"] as the model read it"
    );
    assert!(two.results[1].contains(&auth), "{}", two.results[1]);
    let shown = env.json(&["task", "show", &auth]);
    assert_eq!(shown["progress"], 80, "{shown}");
}
