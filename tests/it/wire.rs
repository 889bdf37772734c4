//! The JSON-RPC wire, byte for byte: the built binary spoken to in raw lines,
//! in both protocol eras — the older `initialize` handshake and the
//! 2026-07-28 revision (`server/discover`, per-request `_meta`, `ttlMs` and
//! `cacheScope` on list and read results). Every line on stdout must be a
//! JSON-RPC message: logs belong on stderr. The exchanges are snapshotted
//! with ids and times redacted. What only the process has — `--agent`,
//! `ORCHESTRON_AGENT`, start-up without a workspace — is tested here too; the
//! tools' behaviour is tested in-process (`mcp/`).

use crate::common::{BIN, Redactor, TestEnv};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub(crate) struct Wire {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    /// Requests and the messages that answered them, for the snapshot.
    log: Vec<Value>,
}

impl Wire {
    fn start(env: &TestEnv) -> Wire {
        Self::start_with(env, &[], &[])
    }

    /// With extra arguments after `mcp` and extra environment variables.
    pub(crate) fn start_with(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> Wire {
        let mut cmd = env.command(BIN);
        cmd.arg("mcp").args(args);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // Not piped: a pipe nobody drains fills with the server's logs
            // (rmcp logs every error response in full) and blocks it.
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn orchestron mcp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Wire {
            child,
            stdin,
            lines,
            log: Vec::new(),
        }
    }

    fn send(&mut self, msg: Value) {
        writeln!(self.stdin, "{msg}").expect("write");
        self.stdin.flush().expect("flush");
        self.log.push(json!({"→": msg}));
    }

    /// Sends a request and returns its response, logging what came back.
    pub(crate) fn request(&mut self, msg: Value) -> Value {
        let id = msg["id"].clone();
        let shown: String = msg.to_string().chars().take(300).collect();
        self.send(msg);
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|e| panic!("no response within 20 s ({e}) to {shown}"));
            let v: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
            assert_eq!(v["jsonrpc"], "2.0", "not JSON-RPC: {line}");
            self.log.push(json!({"←": v}));
            if v["id"] == id {
                return v;
            }
        }
    }

    /// Sends `msgs` in one burst, waits until the first is answered (the
    /// rest are queued or being worked on), then kills the server (SIGKILL).
    pub(crate) fn kill_after_sending(mut self, msgs: impl IntoIterator<Item = Value>) {
        let mut first = None;
        for msg in msgs {
            first.get_or_insert_with(|| msg["id"].clone());
            self.send(msg);
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            let line = self
                .lines
                .recv_timeout(left)
                .expect("an answer within 20 s");
            let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if Some(&v["id"]) == first.as_ref() {
                break;
            }
        }
        self.child.kill().expect("kill orchestron mcp");
        let _ = self.child.wait();
    }

    /// Closes stdin and returns how the server exited.
    pub(crate) fn close(mut self) -> std::process::ExitStatus {
        drop(self.stdin);
        self.child.wait().expect("wait for orchestron mcp")
    }

    pub(crate) fn finish(mut self) -> Vec<Value> {
        drop(self.stdin);
        let _ = self.child.wait();
        self.log
    }

    /// The older-era handshake as `client`.
    pub(crate) fn initialize(&mut self, client: &str) -> Value {
        let init = self.request(
            json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": client, "version": "1.0"}}}),
        );
        self.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        init
    }
}

pub(crate) fn call(id: u64, name: &str, args: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": name, "arguments": args}})
}

#[test]
fn older_era_initialize_handshake() {
    let env = TestEnv::new();
    let mut w = Wire::start(&env);
    let init = w.request(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "claude-code", "version": "2.0.0"}}}),
    );
    assert_eq!(init["result"]["protocolVersion"], "2025-06-18");
    assert_eq!(init["result"]["serverInfo"]["name"], "orchestron");
    assert_eq!(
        init["result"]["capabilities"]["resources"]["subscribe"],
        true
    );
    w.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let list = w.request(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
    assert!(
        list["result"].get("ttlMs").is_none(),
        "no cache hints before 2026-07-28"
    );
    let created = w.request(call(
        3,
        "orchestron_task_create",
        json!({"title": "Wire it"}),
    ));
    let id = created["result"]["structuredContent"]["task"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let started = w.request(call(
        4,
        "orchestron_task_update",
        json!({"taskId": id, "status": "IN_PROGRESS"}),
    ));
    assert_eq!(
        started["result"]["structuredContent"]["task"]["assignee"],
        "claude"
    );
    let bad = w.request(call(
        5,
        "orchestron_task_update",
        json!({"taskId": id, "progress": 101}),
    ));
    assert_eq!(bad["result"]["isError"], true);
    let read = w.request(
        json!({"jsonrpc": "2.0", "id": 6, "method": "resources/read",
        "params": {"uri": "orchestron://tasks/current"}}),
    );
    assert_eq!(
        read["result"]["contents"][0]["mimeType"],
        "application/json"
    );
    let missing = w.request(
        json!({"jsonrpc": "2.0", "id": 7, "method": "resources/read",
        "params": {"uri": "orchestron://tasks/TASK-zzzzz"}}),
    );
    assert!(
        missing["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("TASK-zzzzz")
    );
    // The tools/list body is long and covered elsewhere; keep the rest.
    let log: Vec<Value> = w
        .finish()
        .into_iter()
        .map(|m| match m.get("←") {
            Some(r) if r["id"] == 2 => json!({"←": {"id": 2, "result": "[tools]"}}),
            _ => m,
        })
        .collect();
    insta::assert_json_snapshot!("older_era", Redactor::default().value(&json!(log)));
}

#[test]
fn revision_2026_07_28_discover_and_request_meta() {
    let env = TestEnv::new();
    let mut w = Wire::start(&env);
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "claude-code", "version": "3.0.0"},
    });
    let found = w.request(
        json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover",
        "params": {"_meta": meta}}),
    );
    let versions = found["result"]["supportedVersions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(versions.contains(&json!("2026-07-28")), "{found}");
    assert!(versions.contains(&json!("2025-06-18")), "{found}");
    let list = w.request(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list",
        "params": {"_meta": meta}}));
    assert!(
        list["result"]["ttlMs"].is_u64(),
        "{}",
        list["result"]["ttlMs"]
    );
    assert!(list["result"]["cacheScope"].is_string());
    let created = w.request(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"_meta": meta, "name": "orchestron_task_create",
                   "arguments": {"title": "New era"}}}));
    let id = created["result"]["structuredContent"]["task"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let claimed = w.request(json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call",
        "params": {"_meta": meta, "name": "orchestron_task_claim",
                   "arguments": {"taskId": id}}}));
    assert_eq!(
        claimed["result"]["structuredContent"]["task"]["assignee"], "claude",
        "the caller's name comes from the request's _meta clientInfo"
    );
    let read = w.request(
        json!({"jsonrpc": "2.0", "id": 5, "method": "resources/read",
        "params": {"_meta": meta, "uri": format!("orchestron://tasks/{id}")}}),
    );
    assert!(read["result"]["ttlMs"].is_u64());
    assert!(read["result"]["cacheScope"].is_string());
    // A request that names no client is credited to `mcp-agent`, not the git user.
    let anonymous = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    w.request(json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"_meta": anonymous, "name": "orchestron_task_create",
                   "arguments": {"title": "Anonymous"}}}));
    let anon = w.request(json!({"jsonrpc": "2.0", "id": 8, "method": "tools/call",
        "params": {"_meta": anonymous, "name": "orchestron_task_claim", "arguments": {}}}));
    assert_eq!(
        anon["result"]["structuredContent"]["task"]["assignee"],
        "mcp-agent"
    );
    // Without the required _meta a 2026-07-28 session's request is refused.
    let bare = w.request(json!({"jsonrpc": "2.0", "id": 6, "method": "tools/list"}));
    assert!(
        bare["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("_meta"),
        "{bare}"
    );
    let log: Vec<Value> = w
        .finish()
        .into_iter()
        .map(|m| match m.get("←") {
            Some(r) if r["id"] == 2 => json!({"←": {"id": 2, "result": "[tools]"}}),
            Some(r) if r["id"] == 1 => json!({"←": {"id": 1, "result": {
                "supportedVersions": r["result"]["supportedVersions"],
                "serverInfo": r["result"]["_meta"]}}}),
            _ => m,
        })
        .collect();
    insta::assert_json_snapshot!(
        "revision_2026_07_28",
        Redactor::default().value(&json!(log))
    );
}

impl Wire {
    /// Waits for a message matching `pred` (notifications included).
    fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_within(Duration::from_secs(15), pred)
            .unwrap_or_else(|| panic!("no {what} within 15 s"))
    }

    /// The first message matching `pred` within `limit`, skipping others.
    fn wait_within(&mut self, limit: Duration, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let line = self.lines.recv_timeout(left).ok()?;
            let v: Value = serde_json::from_str(&line).expect("JSON line");
            if pred(&v) {
                return Some(v);
            }
        }
    }
}

#[test]
fn revision_2026_07_28_listen_pushes_a_hand_edit() {
    let env = TestEnv::new();
    let mut w = Wire::start(&env);
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "codex", "version": "1"},
    });
    let created = w.request(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"_meta": meta, "name": "orchestron_task_create",
                   "arguments": {"title": "Watched"}}}));
    let id = created["result"]["structuredContent"]["task"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let uri = format!("orchestron://tasks/{id}");
    // A record that does not exist yet, written by hand below as a barrier:
    // once its notification is in, everything the watcher saw before it has
    // been delivered (in path order within a batch, where `TASK-zzzzz` comes
    // last), so the notification for `uri` that follows is the edit's.
    let barrier = "orchestron://tasks/TASK-zzzzz";
    assert_ne!(id, "TASK-zzzzz");
    w.send(
        json!({"jsonrpc": "2.0", "id": 2, "method": "subscriptions/listen",
        "params": {"_meta": meta, "notifications": {
            "resourceSubscriptions": [uri, barrier], "resourcesListChanged": true}}}),
    );
    w.wait_for("the acknowledgement", |v| {
        v["method"]
            .as_str()
            .is_some_and(|m| m.starts_with("notifications/subscriptions"))
    });
    // The listener may start just after the acknowledgement, so the barrier
    // is written again (a new title each time) until its notification comes.
    let barrier_path = env.task_path("TASK-zzzzz");
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    for n in 0.. {
        assert!(
            std::time::Instant::now() < deadline,
            "no notification for {barrier} within 15 s"
        );
        std::fs::write(
            &barrier_path,
            format!("id: TASK-zzzzz\ntitle: Barrier {n}\ncreated: 2026-11-20T10:00:00Z\n"),
        )
        .expect("write the barrier");
        let seen = w.wait_within(Duration::from_secs(1), |v| {
            v["method"] == "notifications/resources/updated" && v["params"]["uri"] == barrier
        });
        if seen.is_some() {
            break;
        }
    }
    let path = env.task_path(&id);
    let yaml = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, yaml.replace("priority: MEDIUM", "priority: LOW")).expect("write");
    let pushed = w.wait_for("notifications/resources/updated", |v| {
        v["method"] == "notifications/resources/updated" && v["params"]["uri"] == json!(uri)
    });
    assert_eq!(pushed["params"]["uri"], json!(uri));
    let read = w.request(
        json!({"jsonrpc": "2.0", "id": 3, "method": "resources/read",
        "params": {"_meta": meta, "uri": uri}}),
    );
    let body = read["result"]["contents"][0]["text"].as_str().unwrap_or("");
    let task: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {read}"));
    assert_eq!(task["priority"], "LOW", "{task}");
    w.finish();
}

#[test]
fn without_a_workspace_it_serves_and_says_so_until_init() {
    let env = TestEnv::bare();
    let mut w = Wire::start(&env);
    let init = w.request(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "claude-code", "version": "2.0.0"}}}),
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "orchestron");
    w.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let r = w.request(call(2, "orchestron_task_list", json!({})));
    assert_eq!(r["result"]["isError"], true);
    let msg = r["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(msg.contains("orchestron init"), "{msg}");
    env.ok(&["init"]);
    let r = w.request(call(3, "orchestron_task_list", json!({})));
    assert_eq!(r["result"]["isError"], false, "{r}");
    assert_eq!(r["result"]["content"][0]["text"], "[]");
    w.finish();
}

#[test]
fn the_binary_survives_hostile_input() {
    let env = TestEnv::new();
    let mut w = Wire::start(&env);
    w.initialize("codex");
    let r = w.request(call(
        1,
        "orchestron_task_update",
        json!({"taskId": "'; DROP TABLE tasks; --", "progress": 1e9}),
    ));
    assert_eq!(r["result"]["isError"], true, "{r}");
    let ok = w.request(call(2, "orchestron_task_list", json!({})));
    assert_eq!(ok["result"]["isError"], false, "{ok}");
    assert_eq!(ok["result"]["content"][0]["text"], "[]");
    w.finish();
}

#[test]
fn agent_flag_and_env_override_the_client_name() {
    let env = TestEnv::new();
    let claim = |w: &mut Wire, title: &str| {
        let r = w.request(call(1, "orchestron_task_create", json!({"title": title})));
        assert_eq!(r["result"]["isError"], false, "{r}");
        let r = w.request(call(2, "orchestron_task_claim", json!({})));
        assert_eq!(r["result"]["isError"], false, "{r}");
        r["result"]["structuredContent"]["task"]["assignee"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    let mut w = Wire::start_with(&env, &["--agent", "bot-1"], &[]);
    w.initialize("claude-code");
    assert_eq!(
        claim(&mut w, "One"),
        "bot-1",
        "--agent wins over clientInfo"
    );
    w.finish();
    let mut w = Wire::start_with(
        &env,
        &["--agent", "bot-1"],
        &[("ORCHESTRON_AGENT", "bot-2")],
    );
    w.initialize("claude-code");
    assert_eq!(
        claim(&mut w, "Two"),
        "bot-1",
        "--agent wins over ORCHESTRON_AGENT"
    );
    w.finish();
}

#[test]
fn a_session_of_only_server_discover_exits_0() {
    let env = TestEnv::new();
    let mut w = Wire::start(&env);
    let found = w.request(
        json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover",
        "params": {"_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {}}}}),
    );
    assert!(found["result"]["supportedVersions"].is_array(), "{found}");
    let status = w.close();
    assert!(status.success(), "{status}");
}

#[test]
fn resource_uris_are_percent_decoded() {
    let env = TestEnv::new();
    env.json(&["sprint", "create", "Sprint 1"]);
    let mut w = Wire::start(&env);
    w.initialize("codex");
    let r = w.request(
        json!({"jsonrpc": "2.0", "id": 1, "method": "resources/read",
        "params": {"uri": "orchestron://sprints/Sprint%201"}}),
    );
    let text = r["result"]["contents"][0]["text"].as_str().unwrap_or("");
    let view: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {r}"));
    assert_eq!(view["name"], "Sprint 1", "{view}");
    let r = w.request(
        json!({"jsonrpc": "2.0", "id": 2, "method": "resources/read",
        "params": {"uri": "orchestron://tasks/..%2F..%2Fconfig"}}),
    );
    assert!(
        r["error"].is_object(),
        "an encoded slash names no record: {r}"
    );
    w.finish();
}

#[test]
fn without_a_workspace_resources_and_prompts_answer_one_error_code() {
    let env = TestEnv::bare();
    let mut w = Wire::start(&env);
    w.initialize("codex");
    let read = w.request(
        json!({"jsonrpc": "2.0", "id": 1, "method": "resources/read",
        "params": {"uri": "orchestron://tasks/current"}}),
    );
    let prompt = w.request(json!({"jsonrpc": "2.0", "id": 2, "method": "prompts/get",
        "params": {"name": "orchestron_resume"}}));
    assert!(read["error"]["code"].is_i64(), "{read}");
    assert_eq!(
        read["error"]["code"], prompt["error"]["code"],
        "{read} {prompt}"
    );
    w.finish();
}
