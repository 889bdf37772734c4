//! `orchestron mcp --http` over the wire: the real binary on a free loopback
//! port, spoken to with raw HTTP/1.1 requests (one connection each, so every
//! request is exactly what the test wrote). `guard` checks the safety rules
//! end to end (start-time refusals, 403s that change nothing, tokens bound to
//! agents); `agents` runs many agents against one server at once and compares
//! with stdio; `push` checks notifications on both eras' event streams;
//! `python` drives the server with the official Python SDK.

mod agents;
mod guard;
mod push;
mod python;

use crate::common::{BIN, TestEnv};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// One running `orchestron mcp --http` process.
pub struct HttpServer {
    child: Child,
    pub addr: SocketAddr,
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const READY: &str = "orchestron: serving MCP on http://";

impl HttpServer {
    pub fn start(env: &TestEnv) -> HttpServer {
        Self::start_with(env, &[], &[])
    }

    /// With extra arguments after `mcp --http 127.0.0.1:0` and extra
    /// environment variables; waits (at most 30 s) for the line that names
    /// the bound address.
    pub fn start_with(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> HttpServer {
        let mut cmd = env.command(BIN);
        cmd.args(["mcp", "--http", "127.0.0.1:0"]).args(args);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn orchestron mcp --http");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut seen = Vec::new();
        let addr = loop {
            match lines.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(READY) {
                        let addr = rest.trim_end_matches("/mcp");
                        break addr.parse().expect("bound address");
                    }
                    seen.push(line);
                }
                Err(_) => panic!("the server did not say where it listens: {seen:?}"),
            }
        };
        HttpServer { child, addr }
    }

    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// POSTs `body` to `/mcp` with the usual headers plus `extra` (which may
    /// replace Host).
    pub fn post(&self, extra: &[(&str, &str)], body: &Value) -> Reply {
        let body = body.to_string();
        let mut head = String::from("POST /mcp HTTP/1.1\r\n");
        if !extra.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: {}\r\n", self.host()));
        }
        head.push_str("Content-Type: application/json\r\n");
        head.push_str("Accept: application/json, text/event-stream\r\n");
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ));
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        stream.write_all(head.as_bytes()).expect("write head");
        stream.write_all(body.as_bytes()).expect("write body");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read the reply");
        Reply::parse(&raw)
    }
}

/// One HTTP reply.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete reply head");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status line");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&body).to_string(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The JSON-RPC messages of the body: one JSON document, or the `data:`
    /// lines of an event stream.
    pub fn messages(&self) -> Vec<Value> {
        if let Ok(v) = serde_json::from_str::<Value>(&self.body) {
            return vec![v];
        }
        self.body
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .filter_map(|d| serde_json::from_str(d.trim()).ok())
            .collect()
    }

    /// The message answering request `id`.
    pub fn response(&self, id: u64) -> Value {
        self.messages()
            .into_iter()
            .find(|m| m["id"] == json!(id))
            .unwrap_or_else(|| panic!("no response {id} in {} {}", self.status, self.body))
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = body.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&body[..eol])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&body[start..start + size]);
        body = &body[(start + size + 2).min(body.len())..];
    }
    out
}

/// The `_meta` a 2026-07-28 request carries, naming the client.
pub fn meta(client: &str) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": client, "version": "1.0"},
    })
}

/// A 2026-07-28 stateless `tools/call` by `client`.
pub fn stateless_call(
    server: &HttpServer,
    id: u64,
    client: &str,
    tool: &str,
    args: Value,
) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": tool, "arguments": args, "_meta": meta(client)}});
    let reply = server.post(
        &[
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "tools/call"),
            ("Mcp-Name", tool),
        ],
        &body,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.response(id)
}

/// An older-era session: `initialize` as `client`, then `initialized`.
pub struct Session<'a> {
    server: &'a HttpServer,
    pub id: String,
    next: u64,
}

impl<'a> Session<'a> {
    pub fn open(server: &'a HttpServer, client: &str, extra: &[(&str, &str)]) -> Session<'a> {
        let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": client, "version": "1.0"}}});
        let reply = server.post(extra, &init);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let id = reply
            .header("mcp-session-id")
            .expect("a session id")
            .to_string();
        let mut headers: Vec<(&str, &str)> = extra.to_vec();
        headers.push(("Mcp-Session-Id", &id));
        headers.push(("MCP-Protocol-Version", "2025-06-18"));
        let done = server.post(
            &headers,
            &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        );
        assert_eq!(done.status, 202, "{}", done.body);
        Session {
            server,
            id,
            next: 1,
        }
    }

    pub fn request(&mut self, extra: &[(&str, &str)], method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        let mut headers: Vec<(&str, &str)> = extra.to_vec();
        headers.push(("Mcp-Session-Id", &self.id));
        headers.push(("MCP-Protocol-Version", "2025-06-18"));
        let reply = self.server.post(
            &headers,
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.response(id)
    }

    pub fn call(&mut self, tool: &str, args: Value) -> Value {
        self.request(&[], "tools/call", json!({"name": tool, "arguments": args}))
    }
}
