//! The MCP server in-process, and the one harness its tests share:
//! `OrchestronServer` on one end of a `tokio::io::duplex`, an rmcp client on
//! the other, in a `TestEnv` workspace (so the human side can use the real
//! CLI). The client records pushed resource notifications. Results are checked
//! against their tool's `outputSchema` and can be snapshotted redacted. These
//! helpers assume `ORCHESTRON_AGENT` is not set (it would override the client
//! names). The wire itself, byte for byte over the real binary, is `wire.rs`.

mod budgets;
mod resources;
mod resume;
mod seed;
mod sessions;
mod tools;

use crate::common::{Redactor, TestEnv};
use orchestron::api::{OpenOptions, Orchestron};
use orchestron::mcp::OrchestronServer;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ResourceUpdatedNotificationParam,
};
use rmcp::service::{NotificationContext, RoleClient, RunningService};
use rmcp::{ClientHandler, ServiceExt};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

#[derive(Clone)]
pub struct TestClient {
    pub info: ClientConfig,
    pub tx: mpsc::UnboundedSender<String>,
}

impl ClientHandler for TestClient {
    fn get_info(&self) -> ClientConfig {
        self.info.clone()
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _ctx: NotificationContext<RoleClient>,
    ) {
        let _ = self.tx.send(params.uri);
    }

    async fn on_resource_list_changed(&self, _ctx: NotificationContext<RoleClient>) {
        let _ = self.tx.send("list_changed".into());
    }
}

pub struct Env {
    pub env: TestEnv,
    pub client: RunningService<RoleClient, TestClient>,
    pub pushed: mpsc::UnboundedReceiver<String>,
}

pub fn opts(dir: &Path, agent: Option<&str>) -> OpenOptions {
    OpenOptions {
        root: Some(dir.to_path_buf()),
        cwd: dir.to_path_buf(),
        agent: agent.map(str::to_string),
        build_progress: None,
        start_watcher: None,
        clock: orchestron::model::Clock::system(),
    }
}

pub async fn connect(
    dir: &Path,
    client_name: &str,
) -> (
    RunningService<RoleClient, TestClient>,
    mpsc::UnboundedReceiver<String>,
) {
    let o = Orchestron::open(&opts(dir, None)).expect("open");
    let server = OrchestronServer::new(o);
    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        if let Ok(running) = server.serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    let (tx, rx) = mpsc::unbounded_channel();
    let info = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new(client_name, "1.0"),
    );
    let client = TestClient { info, tx }
        .serve(client_io)
        .await
        .expect("client");
    (client, rx)
}

pub async fn start(client_name: &str) -> Env {
    let env = TestEnv::new();
    let (client, pushed) = connect(env.path(), client_name).await;
    Env {
        env,
        client,
        pushed,
    }
}

impl Env {
    pub async fn call(&self, tool: &str, args: Value) -> CallToolResult {
        let mut params = CallToolRequestParams::new(tool.to_string());
        if let Value::Object(m) = args {
            params = params.with_arguments(m);
        }
        let r = self.client.call_tool(params).await.expect("tools/call");
        if r.is_error != Some(true) {
            conforms(tool, &r);
        }
        r
    }

    pub async fn create(&self, title: &str) -> String {
        let r = self
            .call("orchestron_task_create", json!({"title": title}))
            .await;
        assert_eq!(r.is_error, Some(false), "{}", text(&r, 0));
        r.structured_content.as_ref().unwrap()["task"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn human(&self) -> Orchestron {
        Orchestron::open(&opts(self.env.path(), Some("alice"))).expect("open as alice")
    }

    pub fn task_file(&self, id: &str) -> PathBuf {
        self.env.task_path(id)
    }

    /// Every record file's bytes, to prove a refused call changed nothing.
    pub fn files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        for d in ["tasks", "sprints", "contexts"] {
            let dir = self.env.path().join(".orchestron").join(d);
            for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                out.push((e.path(), std::fs::read(e.path()).unwrap_or_default()));
            }
        }
        out.sort();
        out
    }
}

/// Checks a successful result against its tool's declared (shallow)
/// `outputSchema`: an object whose declared keys have the declared JSON types.
pub fn conforms(tool: &str, r: &CallToolResult) {
    let def = orchestron::mcp::catalog::find(tool).expect("a known tool");
    let schema = def.tool.output_schema.as_ref().expect("outputSchema");
    let value = r.structured_content.as_ref().expect("structuredContent");
    let obj = value.as_object().expect("structuredContent is an object");
    let props = schema["properties"].as_object().expect("properties");
    for (key, prop) in props {
        let Some(v) = obj.get(key) else { continue };
        let actual = match v {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let allowed: Vec<&str> = match &prop["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        assert!(
            allowed.contains(&actual),
            "{tool}: structuredContent.{key} is {actual}, the outputSchema says {allowed:?}"
        );
    }
}

/// The text of `content[i]`.
pub fn text(r: &CallToolResult, i: usize) -> String {
    r.content
        .get(i)
        .and_then(|c| c.as_text())
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

/// A tool result as JSON, redacted, with text contents that hold JSON parsed
/// so snapshots stay readable.
pub fn result_json(r: &CallToolResult, red: &mut Redactor) -> Value {
    let content: Vec<Value> = r
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| match serde_json::from_str::<Value>(&t.text) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => v,
            _ => Value::String(t.text.clone()),
        })
        .collect();
    let v = serde_json::json!({
        "isError": r.is_error.unwrap_or(false),
        "content": content,
        "structuredContent": r.structured_content,
    });
    normalize(red.value(&v))
}

/// Makes a redacted value stable: `dirty` path lists sorted (random ids sort
/// in random order before redaction) and `cursor: …` lines in texts hidden.
fn normalize(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(
            s.lines()
                .map(|l| {
                    if l.starts_with("cursor: ") {
                        "cursor: [cursor]"
                    } else {
                        l
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(normalize).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, x)| {
                    let x = match (k.as_str(), normalize(x)) {
                        ("dirty", Value::Array(mut a)) => {
                            a.sort_by_key(|x| x.to_string());
                            Value::Array(a)
                        }
                        (_, x) => x,
                    };
                    (k, x)
                })
                .collect(),
        ),
        other => other,
    }
}
