//! A second real client over HTTP: the official MCP Python SDK (`mcp` on
//! PyPI, pinned in tests/python/requirements.txt, installed by .ci/setup into
//! target/py-mcp) runs the agent workflow of `mcp/sessions.rs` (create, claim, update,
//! save context, hand off) as two agents at once — one over
//! the initialize handshake, one over the 2026-07-28 stateless revision —
//! against one server. The records must credit each agent with its own work.

use super::HttpServer;
use crate::common::TestEnv;
use serde_json::Value;
use std::path::PathBuf;

fn python() -> PathBuf {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/py-mcp/bin/python");
    assert!(
        venv.exists(),
        "the Python MCP SDK is not installed at {}: run .ci/setup",
        venv.display()
    );
    venv
}

#[test]
fn the_python_sdk_runs_the_seed_as_two_agents_at_once() {
    let python = python();
    let env = TestEnv::new();
    let server = HttpServer::start(&env);
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/seed_two_agents.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(format!("http://{}/mcp", server.addr))
        .env_remove("ORCHESTRON_AGENT")
        .output()
        .expect("run the Python client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the Python client failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(results.len(), 2, "{stdout}");
    for r in &results {
        let agent = r["agent"].as_str().unwrap();
        assert_eq!(r["assignee"], agent, "{r}");
        assert_eq!(r["status"], "IN_REVIEW", "{r}");
        assert_eq!(r["clarifications"], true, "{r}");
        assert!(
            r["handoff"]
                .as_str()
                .unwrap()
                .starts_with("Handoff saved with ID: "),
            "{r}"
        );
        let task = env.json(&["task", "show", r["task"].as_str().unwrap()]);
        let text = task.to_string();
        assert!(
            text.contains(&format!("JWT middleware in place ({agent})")),
            "{text}"
        );
        assert_eq!(
            task.get("task").unwrap_or(&task)["assignee"],
            agent,
            "the record credits {agent}: {text}"
        );
    }
    assert_ne!(results[0]["task"], results[1]["task"]);
    // One agent per protocol era.
    assert_eq!(results[0]["protocol"], "2025-11-25", "{stdout}");
    assert_eq!(results[1]["protocol"], "2026-07-28", "{stdout}");
}
