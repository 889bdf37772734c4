//! The MCP server's refresh from its file monitor, over the real binary: a
//! hand edit saved just before a call is seen by that call (the cookie
//! barrier), and whenever the monitor cannot vouch — too many changes for it
//! to remember, a record folder replaced, a checkout of another branch — the
//! answer is exactly what a full stat pass gives. The full stat pass is the
//! CLI's, asked *after* the server answered (the CLI's refresh would
//! otherwise repair the shared index before the server was asked). The
//! server's debug log says which refresh ran, so each test also checks that
//! the path it means to test was taken.

use crate::common::{BIN, TestEnv};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};

/// A bare JSON-RPC client of `orchestron mcp` over stdio.
pub(crate) struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next: u64,
    log: std::path::PathBuf,
}

impl Server {
    pub(crate) fn start(env: &TestEnv, vars: &[(&str, &str)]) -> Server {
        let log = env.path().join("server.log");
        let mut cmd = env.command(BIN);
        cmd.arg("mcp").env("RUST_LOG", "orchestron=debug");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("spawn orchestron mcp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut s = Server {
            child,
            stdin,
            stdout,
            next: 0,
            log,
        };
        s.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "watched-test", "version": "1"}}),
        );
        s.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        s
    }

    fn send(&mut self, msg: Value) {
        writeln!(self.stdin, "{msg}").expect("write");
        self.stdin.flush().expect("flush");
    }

    /// Sends a request and blocks until its response (pushes are skipped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let mut line = String::new();
        loop {
            line.clear();
            let n = self.stdout.read_line(&mut line).expect("read");
            assert!(n > 0, "the server closed stdout:\n{}", self.stderr());
            let v: Value = serde_json::from_str(&line).expect("JSON-RPC line");
            if v["id"] == json!(id) {
                return v;
            }
        }
    }

    pub(crate) fn tool(&mut self, name: &str, args: Value) -> Value {
        let r = self.request("tools/call", json!({"name": name, "arguments": args}));
        assert_ne!(r["result"]["isError"], json!(true), "{name}: {r}");
        r["result"]["structuredContent"].clone()
    }

    /// Every task as the server sees it: (id, title, status), by id.
    pub(crate) fn tasks(&mut self) -> Vec<(String, String, String)> {
        summary(&self.tool("orchestron_task_list", json!({"limit": 0}))["tasks"])
    }

    /// What the server logged so far.
    pub(crate) fn stderr(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn summary(tasks: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = tasks
        .as_array()
        .expect("a task array")
        .iter()
        .map(|t| {
            let s = |k: &str| t[k].as_str().unwrap_or_default().to_string();
            (s("id"), s("title"), s("status"))
        })
        .collect();
    out.sort();
    out
}

/// The tasks as the CLI's full stat pass sees them.
pub(crate) fn full_pass(env: &TestEnv) -> Vec<(String, String, String)> {
    summary(&env.json(&["task", "list", "--limit", "0"])["tasks"])
}

/// Rewrites a task file's title in place, as an editor saves.
pub(crate) fn retitle(env: &TestEnv, id: &str, title: &str) {
    let path = env.task_path(id);
    let text = env.read(&path);
    let out: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("title:") {
                format!("title: {title}")
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&path, out.join("\n") + "\n").expect("write task");
}

pub(crate) fn tasks(env: &TestEnv, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| env.create(&[&format!("task {i}")]))
        .collect()
}

#[test]
fn hand_edit_saved_just_before_task_get_is_seen_by_it_1000_times() {
    let env = TestEnv::new();
    let ids = tasks(&env, 3);
    let mut server = Server::start(&env, &[]);
    for i in 0..1000 {
        let id = &ids[i % ids.len()];
        let title = format!("edited by hand {i}");
        retitle(&env, id, &title);
        let task = server.tool("orchestron_task_get", json!({"taskId": id}));
        assert_eq!(task["title"], json!(title), "try {i}");
    }
    let log = server.stderr();
    assert!(
        log.matches("watched refresh").count() >= 999,
        "the calls were not answered from the monitor:\n{log}"
    );
}

#[test]
fn more_changes_than_the_monitor_keeps_fall_back_to_the_full_stat_pass() {
    let env = TestEnv::new();
    let ids = tasks(&env, 6);
    let mut server = Server::start(&env, &[("ORCHESTRON_WATCH_LIMIT", "2")]);
    assert_eq!(server.tasks(), full_pass(&env));
    for id in &ids {
        retitle(&env, id, &format!("{id} renamed"));
    }
    std::fs::remove_file(env.task_path(&ids[0])).expect("delete a task");
    let seen = server.tasks();
    assert_eq!(seen, full_pass(&env));
    assert_eq!(seen.len(), 5);
    assert!(
        seen.iter()
            .all(|(id, title, _)| *title == format!("{id} renamed"))
    );
    let log = server.stderr();
    assert!(
        log.contains("full stat pass: more than 2 record files changed"),
        "{log}"
    );
    // Within the limit again, the monitor answers.
    retitle(&env, &ids[1], "one more");
    assert_eq!(server.tasks(), full_pass(&env));
    assert!(server.stderr().contains("watched refresh: 1 changed paths"));
}

#[test]
fn replaced_tasks_folder_falls_back_to_the_full_stat_pass_and_is_watched_again() {
    let env = TestEnv::new();
    let ids = tasks(&env, 4);
    let mut server = Server::start(&env, &[]);
    assert_eq!(server.tasks(), full_pass(&env));
    let dir = env.ws().join("tasks");
    let old = env.ws().join("tasks.old");
    std::fs::rename(&dir, &old).expect("move the folder away");
    std::fs::create_dir(&dir).expect("a new tasks folder");
    for id in &ids[..2] {
        std::fs::copy(old.join(format!("{id}.yaml")), env.task_path(id)).expect("copy");
    }
    retitle(&env, &ids[0], "in the new folder");
    // Edits in the moved-away folder must not count as tasks.
    retitle_at(&old.join(format!("{}.yaml", ids[3])), "moved away");
    let seen = server.tasks();
    assert_eq!(seen, full_pass(&env));
    assert_eq!(seen.len(), 2);
    assert!(
        server
            .stderr()
            .contains("full stat pass: the tasks folder was created, moved or removed"),
        "{}",
        server.stderr()
    );
    // The new folder is watched: a hand edit is seen by the next call.
    retitle(&env, &ids[1], "watched again");
    let task = server.tool("orchestron_task_get", json!({"taskId": ids[1]}));
    assert_eq!(task["title"], json!("watched again"));
    assert_eq!(server.tasks(), full_pass(&env));
}

fn retitle_at(path: &std::path::Path, title: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    let out: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("title:") {
                format!("title: {title}")
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(path, out.join("\n") + "\n").expect("write");
}

/// A branch `other` that retitles 40 of 60 tasks, deletes 10 and adds 5;
/// the work tree is left on `main`.
fn two_branches(env: &TestEnv) -> Vec<String> {
    let ids = tasks(env, 60);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "sixty tasks"]);
    env.git(&["checkout", "-q", "-b", "other"]);
    for id in &ids[..40] {
        retitle(env, id, &format!("{id} on other"));
    }
    for id in &ids[40..50] {
        std::fs::remove_file(env.task_path(id)).expect("delete");
    }
    tasks(env, 5);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "other"]);
    env.git(&["checkout", "-q", "main"]);
    ids
}

#[test]
fn checkout_of_another_branch_is_seen_from_the_changed_paths() {
    let env = TestEnv::new();
    two_branches(&env);
    let mut server = Server::start(&env, &[]);
    assert_eq!(server.tasks(), full_pass(&env));
    env.git(&["checkout", "-q", "other"]);
    let seen = server.tasks();
    assert_eq!(seen, full_pass(&env));
    assert_eq!(seen.len(), 55);
    assert!(
        server
            .stderr()
            .contains("watched refresh: 55 changed paths"),
        "{}",
        server.stderr()
    );
}

#[test]
fn checkout_touching_more_files_than_the_monitor_keeps_falls_back() {
    let env = TestEnv::new();
    two_branches(&env);
    let mut server = Server::start(&env, &[("ORCHESTRON_WATCH_LIMIT", "16")]);
    assert_eq!(server.tasks(), full_pass(&env));
    env.git(&["checkout", "-q", "other"]);
    let seen = server.tasks();
    assert_eq!(seen, full_pass(&env));
    assert_eq!(seen.len(), 55);
    assert!(
        server
            .stderr()
            .contains("full stat pass: more than 16 record files changed"),
        "{}",
        server.stderr()
    );
    env.git(&["checkout", "-q", "main"]);
    assert_eq!(server.tasks(), full_pass(&env));
}
