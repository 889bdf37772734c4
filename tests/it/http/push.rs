//! Push over HTTP, both eras: a hand edit of a subscribed record reaches an
//! older-era session on its GET event stream and a 2026-07-28 client on its
//! `subscriptions/listen` stream — fed by the server's one watcher. As in
//! `wire.rs`, a barrier record written by hand (again, until its notification
//! arrives) proves the stream is attached before the edit is made.

use super::{HttpServer, Session, meta};
use crate::common::TestEnv;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Opens a long-lived request and streams the JSON of each `data:` line.
fn event_stream(server: &HttpServer, head: String) -> mpsc::Receiver<Value> {
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .write_all(head.as_bytes())
        .expect("write the request");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if let Some(data) = line.strip_prefix("data:")
                && let Ok(v) = serde_json::from_str::<Value>(data.trim())
                && tx.send(v).is_err()
            {
                break;
            }
        }
    });
    rx
}

fn wait_within(
    rx: &mpsc::Receiver<Value>,
    limit: Duration,
    pred: impl Fn(&Value) -> bool,
) -> Option<Value> {
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let v = rx.recv_timeout(left).ok()?;
        if pred(&v) {
            return Some(v);
        }
    }
}

const BARRIER: &str = "orchestron://tasks/TASK-zzzzz";

/// Writes the barrier record until its notification arrives (15 s at most).
fn pass_barrier(env: &TestEnv, rx: &mpsc::Receiver<Value>) {
    let path = env.task_path("TASK-zzzzz");
    let deadline = Instant::now() + Duration::from_secs(15);
    for n in 0.. {
        assert!(
            Instant::now() < deadline,
            "no notification for {BARRIER} within 15 s"
        );
        std::fs::write(
            &path,
            format!("id: TASK-zzzzz\ntitle: Barrier {n}\ncreated: 2026-11-20T10:00:00Z\n"),
        )
        .expect("write the barrier");
        if wait_within(rx, Duration::from_secs(1), |v| {
            v["method"] == "notifications/resources/updated" && v["params"]["uri"] == BARRIER
        })
        .is_some()
        {
            return;
        }
    }
}

fn updated(uri: &str) -> impl Fn(&Value) -> bool + '_ {
    move |v| v["method"] == "notifications/resources/updated" && v["params"]["uri"] == uri
}

#[test]
fn an_older_era_session_gets_its_subscriptions_on_the_get_stream() {
    let env = TestEnv::new();
    let id = env.create(&["Watched over HTTP"]);
    let uri = format!("orchestron://tasks/{id}");
    let server = HttpServer::start(&env);
    let mut session = Session::open(&server, "watcher", &[]);
    for u in [uri.as_str(), BARRIER] {
        let r = session.request(&[], "resources/subscribe", json!({"uri": u}));
        assert!(r.get("error").is_none(), "{r}");
    }
    let head = format!(
        "GET /mcp HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\nMcp-Session-Id: {}\r\n\
         MCP-Protocol-Version: 2025-06-18\r\n\r\n",
        server.host(),
        session.id
    );
    let rx = event_stream(&server, head);
    pass_barrier(&env, &rx);
    env.ok(&["task", "update", &id, "--progress", "40"]);
    wait_within(&rx, Duration::from_secs(15), updated(&uri))
        .unwrap_or_else(|| panic!("no notification for {uri} within 15 s"));
}

#[test]
fn a_2026_07_28_listen_stream_gets_a_hand_edit() {
    let env = TestEnv::new();
    let id = env.create(&["Listened to over HTTP"]);
    let uri = format!("orchestron://tasks/{id}");
    let server = HttpServer::start(&env);
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "subscriptions/listen",
        "params": {"_meta": meta("codex"), "notifications": {
            "resourceSubscriptions": [uri, BARRIER], "resourcesListChanged": true}}})
    .to_string();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n\
         Mcp-Method: subscriptions/listen\r\nContent-Length: {}\r\n\r\n{body}",
        server.host(),
        body.len()
    );
    let rx = event_stream(&server, head);
    wait_within(&rx, Duration::from_secs(15), |v| {
        v["method"]
            .as_str()
            .is_some_and(|m| m.starts_with("notifications/subscriptions"))
    })
    .expect("the acknowledgement within 15 s");
    pass_barrier(&env, &rx);
    env.ok(&["task", "update", &id, "--status", "IN_PROGRESS"]);
    wait_within(&rx, Duration::from_secs(15), updated(&uri))
        .unwrap_or_else(|| panic!("no notification for {uri} within 15 s"));
}
