//! End to end: the built `orchestron` binary serving MCP on stdio, driven by
//! the rmcp client across three agent sessions (three processes), with a
//! human using the real CLI and an editor in between — the workflow of the
//! seed. Git runs hermetically (no global or system config).

mod common;
mod mcp_support;

use common::{BIN, Redactor, TestEnv};
use mcp_support::{result_json, text};
use rmcp::ServiceExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};

struct Session {
    client: RunningService<RoleClient, ClientConfig>,
}

impl Session {
    /// `orchestron mcp` in the test environment (hermetic git, no ORCHESTRON_AGENT).
    async fn start(env: &TestEnv, client_name: &str) -> Session {
        Self::start_with(env, client_name, &[], &[]).await
    }

    /// With extra arguments after `mcp` and extra environment variables.
    async fn start_with(
        env: &TestEnv,
        client_name: &str,
        args: &[&str],
        vars: &[(&str, &str)],
    ) -> Session {
        let mut std_cmd = env.command(BIN);
        std_cmd.arg("mcp").args(args);
        for (k, v) in vars {
            std_cmd.env(k, v);
        }
        let cmd = tokio::process::Command::from(std_cmd);
        let transport = TokioChildProcess::new(cmd).expect("spawn orchestron mcp");
        let info = ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new(client_name, "1.0"),
        );
        let client = info.serve(transport).await.expect("initialize");
        Session { client }
    }

    async fn call(&self, tool: &str, args: Value) -> CallToolResult {
        let mut p = CallToolRequestParams::new(tool.to_string());
        if let Value::Object(m) = args {
            p = p.with_arguments(m);
        }
        let r = self.client.call_tool(p).await.expect("tools/call");
        assert_eq!(r.is_error, Some(false), "{tool}: {}", text(&r, 0));
        r
    }

    async fn stop(self) {
        let _ = self.client.cancel().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_sessions_and_a_human() {
    // A git repository with `orchestron init` committed; the human is alice.
    let env = TestEnv::new();
    let mut ids = Redactor::default();
    let mut log: Vec<(String, Value)> = Vec::new();

    // Session 1: create, list, start, record progress and notes, save context.
    let s1 = Session::start(&env, "claude-code").await;
    let created = s1
        .call(
            "orchestron_task_create",
            json!({"title": "Add password reset endpoint", "priority": "HIGH",
                   "acceptanceCriteria": ["Token expires in 1 hour", "Unit tests pass"]}),
        )
        .await;
    let a = created.structured_content.as_ref().unwrap()["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        text(&created, 0),
        format!("Created task {a}: Add password reset endpoint")
    );
    log.push(("s1 task_create".into(), result_json(&created, &mut ids)));
    let b = s1
        .call(
            "orchestron_task_create",
            json!({"title": "Email templates"}),
        )
        .await
        .structured_content
        .unwrap()["task"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let list = s1.call("orchestron_task_list", json!({})).await;
    let arr: Vec<Value> = serde_json::from_str(&text(&list, 0)).unwrap();
    assert_eq!(arr.len(), 2);
    log.push(("s1 task_list".into(), result_json(&list, &mut ids)));
    let started = s1
        .call(
            "orchestron_task_update",
            json!({"taskId": a, "status": "IN_PROGRESS", "progress": 30,
                   "notes": "Endpoint skeleton in src/auth/reset.rs"}),
        )
        .await;
    assert_eq!(
        started.structured_content.as_ref().unwrap()["task"]["assignee"],
        "claude"
    );
    log.push(("s1 task_update".into(), result_json(&started, &mut ids)));
    let saved = s1
        .call(
            "orchestron_context_save",
            json!({"context": {"currentTask": a, "nextStep": "token expiry"},
                   "notes": "Halfway through the endpoint", "taskId": a}),
        )
        .await;
    let ctx1 = saved.structured_content.as_ref().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(text(&saved, 0), format!("Context saved with ID: {ctx1}"));
    log.push(("s1 context_save".into(), result_json(&saved, &mut ids)));
    s1.call("orchestron_check_updates", json!({})).await;
    s1.stop().await;

    // The human: CLI clarify, priority, depend; then a hand edit.
    env.ok(&[
        "task",
        "clarify",
        &a,
        "Use OAuth2 for third-party integrations",
    ]);
    env.ok(&["task", "priority", &a, "--set", "CRITICAL"]);
    env.ok(&["task", "depend", &a, "--on", &b]);
    let path = env.task_path(&a);
    let yaml = std::fs::read_to_string(&path).unwrap();
    assert!(yaml.contains("progress: 30"), "{yaml}");
    std::fs::write(&path, yaml.replace("progress: 30", "progress: 45")).unwrap();

    // Session 2: context back, every change seen, finish, hand off.
    let s2 = Session::start(&env, "claude-code").await;
    let got = s2.call("orchestron_context_get", json!({})).await;
    let v: Value = serde_json::from_str(&text(&got, 0)).unwrap();
    assert_eq!(v["currentTask"], json!(a));
    assert_eq!(v["snapshot"]["id"], json!(ctx1));
    let notice = text(&got, 1);
    assert!(
        notice.starts_with("4 updates since your last call: "),
        "{notice}"
    );
    for part in [
        "new clarification \"Use OAuth2",
        "priority HIGH→CRITICAL (alice)",
        &format!("new dependency on {b} (alice)"),
        "progress 30→45 (editor)",
    ] {
        assert!(notice.contains(part), "{notice:?} lacks {part:?}");
    }
    log.push(("s2 context_get".into(), result_json(&got, &mut ids)));
    let updates = s2.call("orchestron_check_updates", json!({})).await;
    let changes = updates.structured_content.as_ref().unwrap()["changes"]
        .as_array()
        .unwrap()
        .clone();
    let fields: Vec<String> = changes
        .iter()
        .flat_map(|c| c["fields"].as_array().cloned().unwrap_or_default())
        .map(|f| f["field"].as_str().unwrap_or("").to_string())
        .collect();
    for f in ["clarifications", "priority", "depends_on", "progress"] {
        assert!(
            fields.iter().any(|x| x == f),
            "check_updates lacks {f}: {fields:?}"
        );
    }
    log.push(("s2 check_updates".into(), result_json(&updates, &mut ids)));
    let get = s2.call("orchestron_task_get", json!({"taskId": a})).await;
    let t: Value = serde_json::from_str(&text(&get, 0)).unwrap();
    assert_eq!(t["clarifications"][0]["by"], "alice");
    assert_eq!(t["dependencies"][0]["id"], json!(b));
    let done = s2
        .call(
            "orchestron_task_update",
            json!({"taskId": a, "status": "DONE", "criteriaDone": [1, 2],
                   "notes": "OAuth2 flow in place; tests green"}),
        )
        .await;
    assert_eq!(done.content.len(), 1, "no notice: nothing new from others");
    log.push(("s2 task_update".into(), result_json(&done, &mut ids)));
    let handoff = s2
        .call(
            "orchestron_handoff_prepare",
            json!({"taskId": a, "completedWork": "Reset endpoint with OAuth2",
                   "remainingWork": "Email templates", "notes": "See src/auth/reset.rs"}),
        )
        .await;
    log.push(("s2 handoff_prepare".into(), result_json(&handoff, &mut ids)));
    s2.stop().await;

    // Session 3 sees the handoff.
    let s3 = Session::start(&env, "claude-code").await;
    let got = s3.call("orchestron_context_get", json!({})).await;
    let v: Value = serde_json::from_str(&text(&got, 0)).unwrap();
    assert_eq!(v["taskId"], json!(a));
    assert_eq!(v["completedWork"], "Reset endpoint with OAuth2");
    assert_eq!(v["remainingWork"], "Email templates");
    assert_eq!(v["snapshot"]["kind"], "handoff");
    assert_eq!(v["snapshot"]["git"]["branch"], "main");
    assert_eq!(v["lastSession"]["id"], json!(ctx1));
    log.push(("s3 context_get".into(), result_json(&got, &mut ids)));
    s3.stop().await;

    // The human sees the agent's work through the CLI.
    let shown = env.ok(&["task", "show", &a, "--json"]);
    let t: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(t["status"], "DONE");

    let log: Vec<Value> = log
        .into_iter()
        .map(|(step, v)| json!({"step": step, "result": v}))
        .collect();
    insta::assert_json_snapshot!("three_sessions", log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_survives_hostile_input() {
    let env = TestEnv::new();
    let s = Session::start(&env, "codex").await;
    let mut p = CallToolRequestParams::new("orchestron_task_update");
    p = p.with_arguments(
        json!({"taskId": "'; DROP TABLE tasks; --", "progress": 1e9})
            .as_object()
            .unwrap()
            .clone(),
    );
    let r = s.client.call_tool(p).await.unwrap();
    assert_eq!(r.is_error, Some(true));
    let ok = s.call("orchestron_task_list", json!({})).await;
    assert_eq!(text(&ok, 0), "[]");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_flag_and_env_override_the_client_name() {
    let env = TestEnv::new();
    let assignee = |r: &CallToolResult| {
        r.structured_content.as_ref().unwrap()["task"]["assignee"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    let s = Session::start_with(&env, "claude-code", &["--agent", "bot-1"], &[]).await;
    s.call("orchestron_task_create", json!({"title": "One"}))
        .await;
    let r = s.call("orchestron_task_claim", json!({})).await;
    assert_eq!(assignee(&r), "bot-1", "--agent wins over clientInfo");
    s.stop().await;
    let s = Session::start_with(
        &env,
        "claude-code",
        &["--agent", "bot-1"],
        &[("ORCHESTRON_AGENT", "bot-2")],
    )
    .await;
    s.call("orchestron_task_create", json!({"title": "Two"}))
        .await;
    let r = s.call("orchestron_task_claim", json!({})).await;
    assert_eq!(assignee(&r), "bot-2", "ORCHESTRON_AGENT wins over --agent");
    s.stop().await;
}

#[test]
fn init_mcp_writes_project_config_without_clobbering() {
    let env = TestEnv::bare();
    std::fs::write(
        env.path().join(".mcp.json"),
        r#"{"mcpServers": {"github": {"command": "gh-mcp"}}}"#,
    )
    .unwrap();
    env.ok(&["init", "--mcp", "claude"]);
    let v: Value = serde_json::from_str(&env.read(&env.path().join(".mcp.json"))).unwrap();
    assert_eq!(v["mcpServers"]["github"]["command"], "gh-mcp");
    assert_eq!(v["mcpServers"]["orchestron"]["command"], "orchestron");
    assert_eq!(v["mcpServers"]["orchestron"]["args"], json!(["mcp"]));
    let again = env.ok(&["init", "--mcp", "claude"]);
    assert!(again.contains("already registered"), "{again}");
    for (client, file) in [
        ("codex", ".codex/config.toml"),
        ("cursor", ".cursor/mcp.json"),
        ("vscode", ".vscode/mcp.json"),
    ] {
        env.ok(&["init", "--mcp", client]);
        let text = env.read(&env.path().join(file));
        assert!(
            text.contains("orchestron") && text.contains("mcp"),
            "{file}: {text}"
        );
    }
    let bad = env.run(&["init", "--mcp", "emacs"]);
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr.contains("claude, codex, cursor, vscode"),
        "{}",
        bad.stderr
    );
}
