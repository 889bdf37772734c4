//! Three agent sessions and a human, the workflow docs/MCP.md describes
//! (create, claim, update, save context, hand off, resume): each session
//! is a fresh server on the workspace (as a new `orchestron mcp` process
//! would be), and between them the human uses the real CLI and an editor.

use super::{TestClient, connect, result_json, text};
use crate::common::{Redactor, TestEnv};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{RoleClient, RunningService};
use serde_json::{Value, json};

struct Session {
    client: RunningService<RoleClient, TestClient>,
}

impl Session {
    async fn start(env: &TestEnv, client_name: &str) -> Session {
        let (client, _pushed) = connect(env.path(), client_name).await;
        Session { client }
    }

    /// A call that must succeed.
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
    let changes = updates.structured_content.as_ref().unwrap()["recent"]
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
    // What session 1 saved stays, with the newer handoff beside it.
    assert_eq!(v["snapshot"]["id"], json!(ctx1));
    assert_eq!(v["handoff"]["kind"], "handoff");
    assert_eq!(v["handoff"]["git"]["branch"], "main");
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
