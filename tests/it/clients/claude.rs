//! Claude Code 2.1.328: `claude mcp list` sees the server `init --mcp claude`
//! registers, and a headless session (`claude -p`) against the scripted
//! Messages API shows what the model is given: our tool definitions (pinned
//! to a budget here), the server's instructions, each tool result.

use super::{MessagesApi, Turn, claude_session, run_client, shown_texts, tool_results};
use crate::clients::Home;
use crate::common::TestEnv;
use serde_json::{Value, json};

/// The most bytes Claude Code may spend on our 16 tool definitions in each
/// request (compact JSON, as sent; no output schemas): 7,902 B in Dec 2026,
/// when `tools/list` was 11.5 KB. `tools/list` has its own budget in
/// `mcp::budgets` (never past 12,000 B); this one keeps the same proportion.
const CLAUDE_TOOL_DEFINITIONS_BUDGET: usize = 8_200;

/// A project set up as the README says: `init --mcp claude`, then approved.
pub fn claude_project() -> (TestEnv, Home) {
    let env = TestEnv::new();
    env.ok(&["init", "--mcp", "claude"]);
    let home = Home::new();
    home.trust_claude(env.path());
    (env, home)
}

/// Our tools among a request's tool definitions.
pub fn orchestron_tools(body: &Value) -> Vec<Value> {
    body["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter(|t| {
            t["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("mcp__orchestron__"))
        })
        .cloned()
        .collect()
}

#[test]
fn claude_mcp_list_shows_the_initialised_project_server_connected() {
    let (env, home) = claude_project();
    let run = run_client(&env, &home, "claude", &["mcp", "list"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("orchestron:"))
        .unwrap_or_else(|| panic!("no orchestron server listed: {}", run.stdout));
    assert!(line.contains("orchestron mcp"), "{line}");
    assert!(line.contains("Connected"), "{line}");
}

#[test]
fn a_claude_session_sees_our_tools_instructions_and_results_within_budget() {
    let (env, home) = claude_project();
    let id = env.create(&["Wire the scripted session"]);
    let api = MessagesApi::start(&[
        Turn::Tool(
            "mcp__orchestron__orchestron_task_get",
            json!({"taskId": id}),
        ),
        Turn::Text("Read it."),
    ]);
    let result = claude_session(&env, &home, &api, "What is my task about?");
    assert_eq!(result["result"], "Read it.", "{result}");

    let bodies = api.loop_bodies();
    assert_eq!(bodies.len(), 2, "one request per turn: {bodies:#?}");
    let tools = orchestron_tools(&bodies[0]);
    assert_eq!(tools.len(), 16, "every tool is loaded: {tools:#?}");
    let bytes = serde_json::to_string(&tools).unwrap().len();
    eprintln!("Claude Code's view of our tool definitions: {bytes} B");
    assert!(
        bytes <= CLAUDE_TOOL_DEFINITIONS_BUDGET,
        "Claude Code shows the model {bytes} B of our tool definitions, over \
         {CLAUDE_TOOL_DEFINITIONS_BUDGET}"
    );
    assert!(
        tools.iter().all(|t| t.get("output_schema").is_none()),
        "no output schemas reach the model"
    );
    let shown = shown_texts(&bodies[0]);
    assert!(
        shown.contains("orchestron_context_get"),
        "the server's instructions or CLAUDE.md section are in front of the model"
    );
    let results = tool_results(&bodies[1]);
    assert_eq!(results.len(), 1, "{results:?}");
    assert!(
        results[0].contains("Wire the scripted session") && results[0].contains(&id),
        "the model reads the task: {}",
        results[0]
    );
}
