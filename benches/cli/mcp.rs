//! The MCP server's round trip, measured from a bare JSON-RPC client written
//! here (newline-delimited JSON over the child's stdio, no SDK): an SDK's own
//! validation would be counted as the server's time. One `orchestron mcp`
//! process serves every request; each sample is one request written to its
//! stdin until its response is read back. Files are edited by hand (untimed)
//! before the "changed files" rows, so those show what the refresh from the
//! server's file monitor costs per changed file.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

pub const ROWS: &[&str] = &[
    "MCP `ping` (process floor)",
    "MCP `task_get`, 0 files changed",
    "MCP `task_list` of 50, 0 files changed",
    "MCP `task_get`, 1 file changed before",
    "MCP `task_get`, 100 files changed before",
];

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next: u64,
}

impl Client {
    fn start(bin: &str, root: &Path) -> Client {
        let mut child = Command::new(bin)
            .arg("--root")
            .arg(root)
            .arg("mcp")
            .env_remove("ORCHESTRON_DB")
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn orchestron mcp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut c = Client {
            child,
            stdin,
            stdout,
            next: 0,
        };
        c.call(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "bench", "version": "1"}}),
        );
        writeln!(
            c.stdin,
            "{}",
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
        )
        .expect("write");
        c
    }

    /// One request; returns its result and the round-trip time.
    fn call(&mut self, method: &str, params: Value) -> (Value, Duration) {
        self.next += 1;
        let msg = json!({"jsonrpc": "2.0", "id": self.next, "method": method, "params": params});
        let mut line = msg.to_string();
        line.push('\n');
        let started = Instant::now();
        self.stdin.write_all(line.as_bytes()).expect("write");
        self.stdin.flush().expect("flush");
        let mut buf = String::new();
        loop {
            buf.clear();
            assert!(
                self.stdout.read_line(&mut buf).expect("read") > 0,
                "server exited"
            );
            let v: Value = serde_json::from_str(&buf).expect("JSON-RPC line");
            if v["id"] == json!(self.next) {
                let took = started.elapsed();
                assert!(v.get("error").is_none(), "{method}: {v}");
                return (v["result"].clone(), took);
            }
        }
    }

    fn tool(&mut self, name: &str, args: Value) -> (Value, Duration) {
        let (r, took) = self.call("tools/call", json!({"name": name, "arguments": args}));
        assert_ne!(r["isError"], json!(true), "{name}: {r}");
        (r, took)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Replaces a task file's title line in place, as an editor saves.
fn retitle(path: &Path, title: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    let out: String = text
        .lines()
        .map(|l| {
            if l.starts_with("title:") {
                format!("title: {title}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(path, out).expect("write");
}

/// Round-trip times for each of [`ROWS`].
pub fn measure(bin: &str, root: &Path, show_id: &str, runs: usize) -> Vec<Vec<Duration>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("tasks"))
        .expect("tasks")
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    paths.truncate(100);
    let mut c = Client::start(bin, root);
    let get = json!({"taskId": show_id});
    // Warm up (the first request's full stat pass is not what is measured).
    for _ in 0..20 {
        c.tool("orchestron_task_get", get.clone());
    }
    let many = runs * 20;
    let mut out = vec![Vec::new(); ROWS.len()];
    for _ in 0..many {
        out[0].push(c.call("ping", json!({})).1);
    }
    for _ in 0..many {
        out[1].push(c.tool("orchestron_task_get", get.clone()).1);
    }
    for _ in 0..many {
        out[2].push(c.tool("orchestron_task_list", json!({"limit": 50})).1);
    }
    for i in 0..many {
        retitle(&paths[i % paths.len()], &format!("bench edit {i}"));
        let (r, took) = c.tool("orchestron_task_get", get.clone());
        std::hint::black_box(r);
        out[3].push(took);
    }
    for i in 0..runs.max(5) {
        for p in &paths {
            retitle(p, &format!("bench bulk edit {i}"));
        }
        out[4].push(c.tool("orchestron_task_get", get.clone()).1);
    }
    out
}

/// Round trips of `prompts/get orchestron_resume` (the session-start
/// prompt) from one long-running server, after a warm-up.
pub fn resume_prompt(bin: &str, root: &Path, runs: usize) -> Vec<Duration> {
    let mut c = Client::start(bin, root);
    let get = json!({"name": "orchestron_resume"});
    for _ in 0..5 {
        c.call("prompts/get", get.clone());
    }
    (0..runs * 4)
        .map(|_| c.call("prompts/get", get.clone()).1)
        .collect()
}
