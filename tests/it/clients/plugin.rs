//! The Claude Code plugin in this repository (`.claude-plugin/marketplace.json`
//! at the root, the plugin in `plugins/orchestron/`): `claude plugin validate`
//! passes for both, and once installed from the checkout (`claude plugin
//! marketplace add`, `claude plugin install orchestron@orchestron`) a fresh
//! `claude -p` session has `orchestron prime` in front of the model before
//! any tool call, the Stop hook reminds (never blocks) about a missing
//! handoff, and `/compact` leaves a checkpoint that keeps what was saved.

use super::{Home, MessagesApi, Turn, claude_stream, run_client, shown_texts};
use crate::common::TestEnv;
use serde_json::{Value, json};
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_marketplace_and_the_plugin_pass_claude_plugin_validate() {
    let env = TestEnv::bare();
    let home = Home::new();
    for dir in [repo().to_path_buf(), repo().join("plugins/orchestron")] {
        let run = run_client(
            &env,
            &home,
            "claude",
            &["plugin", "validate", dir.to_str().unwrap()],
        );
        assert_eq!(
            run.code,
            0,
            "{}: {}\n{}",
            dir.display(),
            run.stdout,
            run.stderr
        );
        assert!(run.stdout.contains("Validation passed"), "{}", run.stdout);
    }
}

/// A project with a task `claude` holds, clarified by a human, and Claude
/// Code with the plugin installed from this checkout.
fn project_with_the_plugin() -> (TestEnv, Home, String) {
    let env = TestEnv::new();
    let id = env.create(&["Ship the plugin"]);
    env.ok(&["--agent", "claude", "task", "claim", &id]);
    env.ok(&[
        "task",
        "clarify",
        &id,
        "Keep the hooks silent outside a workspace",
    ]);
    let home = Home::new();
    home.trust_claude(env.path());
    let root = repo().to_str().unwrap();
    for args in [
        &["plugin", "marketplace", "add", root][..],
        &["plugin", "install", "orchestron@orchestron"][..],
    ] {
        let run = run_client(&env, &home, "claude", args);
        assert_eq!(
            run.code, 0,
            "claude {args:?}: {}\n{}",
            run.stdout, run.stderr
        );
    }
    (env, home, id)
}

/// The `systemMessage`-style notices and hook outputs of a stream.
fn hook_outputs(events: &[Value], hook: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["subtype"] == "hook_response" && e["hook_name"] == hook)
        .map(|e| e["output"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_installed_plugin_primes_the_session_reminds_at_stop_and_checkpoints_before_compaction() {
    let (env, home, id) = project_with_the_plugin();
    let api = MessagesApi::start(&[
        Turn::Tool(
            "mcp__plugin_orchestron_orchestron__orchestron_task_get",
            json!({"taskId": id}),
        ),
        Turn::Text("Understood."),
    ]);
    let tools = "mcp__plugin_orchestron_orchestron";
    let events = claude_stream(
        &env,
        &home,
        &api,
        &["-p", "Carry on", "--allowedTools", tools],
    );

    // Before any tool call, the model already reads what prime says.
    let bodies = api.loop_bodies();
    assert_eq!(bodies.len(), 2, "{bodies:#?}");
    let first = shown_texts(&bodies[0]);
    assert!(
        first.contains("# Orchestron: you are \"claude\""),
        "{first}"
    );
    assert!(
        first.contains(&format!("- {id} Ship the plugin")),
        "{first}"
    );
    assert!(
        first.contains("Keep the hooks silent outside a workspace"),
        "{first}"
    );
    let ours = bodies[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["name"].as_str().unwrap().starts_with(tools))
        .count();
    assert_eq!(ours, 16, "the plugin's MCP server is connected");

    // The session wrote nothing since the claim: the Stop hook reminds.
    let notices: Vec<&str> = events
        .iter()
        .filter_map(|e| e["content"].as_str())
        .filter(|c| c.starts_with("Stop says:"))
        .collect();
    assert_eq!(notices.len(), 1, "{events:#?}");
    assert!(
        notices[0].contains(&id) && notices[0].contains("handoff"),
        "{}",
        notices[0]
    );
    let result = events.last().unwrap();
    assert_eq!(
        result["subtype"], "success",
        "a reminder never blocks: {result}"
    );

    // /compact: PreCompact saves a checkpoint keeping the saved keys, and the
    // compacted session is primed again.
    env.ok(&[
        "--agent",
        "claude",
        "context",
        "save",
        "--set",
        &format!("lastTask={id}"),
    ]);
    let session = result["session_id"].as_str().unwrap();
    let events = claude_stream(&env, &home, &api, &["-p", "/compact", "--resume", session]);
    let primed = hook_outputs(&events, "SessionStart:compact");
    assert_eq!(primed.len(), 1, "{events:#?}");
    assert!(
        primed[0].contains(&format!("- {id} Ship the plugin")),
        "{}",
        primed[0]
    );
    let latest = env.json(&["context", "show"]);
    assert_eq!(latest["snapshot"]["checkpoint"], "pre-compact", "{latest}");
    assert_eq!(latest["snapshot"]["task"], json!(id), "{latest}");
    assert_eq!(
        latest["snapshot"]["context"]["lastTask"],
        json!(id),
        "{latest}"
    );
}
