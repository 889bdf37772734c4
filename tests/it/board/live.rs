//! `orchestron serve` over real HTTP and a real browser: a file edited on
//! disk appears on the open page without a reload, a drag in `--write` mode
//! changes exactly one line of the task file (and one that a push interrupts
//! still lands: the page holds its redraw until the drop), a refusal (a task held by
//! another agent) shows on the card, a read-only server refuses moves, and
//! the HTTP guard refuses a foreign Host or Origin and a non-loopback bind.

use super::{browser, example_env};
use crate::common::{BIN, TestEnv};
use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `orchestron serve`, stopped when dropped.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    addr: String,
    /// Its stderr, drained for as long as it runs (a closed pipe would fail
    /// its log writes).
    log: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `serve --port 0` with `args` and waits (at most a minute) for
    /// the line that says where it listens.
    fn start(env: &TestEnv, args: &[&str]) -> Server {
        Server::start_with(env, args, &[])
    }

    /// [`Server::start`] with these environment variables.
    fn start_with(env: &TestEnv, args: &[&str], vars: &[(&str, &str)]) -> Server {
        let mut child = env
            .command(BIN)
            .args(["--agent", "dana", "serve", "--port", "0"])
            .args(args)
            .envs(vars.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start orchestron serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen = Vec::new();
        loop {
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix("serving the board at http://") {
                        let addr = rest.split('/').next().unwrap_or_default().to_string();
                        return Server {
                            child,
                            addr,
                            log: rx,
                        };
                    }
                    seen.push(line);
                }
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("serve did not say where it listens ({e}): {seen:?}");
                }
            }
        }
    }

    /// Its log lines from here up to the first that contains `marker`
    /// (waiting at most a minute for each).
    fn log_until(&self, marker: &str) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            match self.log.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    let last = line.contains(marker);
                    lines.push(line);
                    if last {
                        return lines;
                    }
                }
                Err(e) => panic!("no log line with {marker:?} ({e}): {lines:#?}"),
            }
        }
    }

    fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// One HTTP/1.1 request with these headers; the status code and body.
    fn request(&self, head: &str, body: &str) -> (u16, String) {
        let mut s = std::net::TcpStream::connect(&self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let text = format!(
            "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(text.as_bytes()).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let code = answer
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP answer: {answer}"));
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (code, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn live_page_follows_the_files_and_a_drag_is_a_one_line_diff() {
    let env = example_env();
    // bob holds TASK-h5j2n on a live claim; the server acts as dana.
    env.ok(&["--agent", "bob", "task", "claim", "TASK-h5j2n"]);
    let held = env.read(&env.task_path("TASK-h5j2n"));
    let server = Server::start(&env, &["--write"]);
    let edited = env.task_path("TASK-u7i8o");
    let seen = browser(&json!({
        "scenario": "live",
        "url": server.url(),
        "edit": {
            "path": edited,
            "from": "title: Update the README auth section",
            "to": "title: Update the README sign-in section",
            "id": "TASK-u7i8o",
            "title": "Update the README sign-in section",
        },
        "mid_drag": {
            "id": "TASK-z8x1v",
            "to": "IN_PROGRESS",
            "path": edited,
            "from": "title: Update the README sign-in section",
            "to_text": "title: Update the README login section",
        },
        "drag": { "id": "TASK-7k2mq", "to": "IN_REVIEW" },
        "refuse": { "id": "TASK-h5j2n", "to": "DONE" },
    }));
    assert_eq!(seen["errors"], json!([]), "{seen}");
    assert_eq!(
        seen["mid_drag_card_kept"], true,
        "a push during a drag replaced the dragged card: {seen}"
    );
    assert_eq!(seen["mid_dragged"], true);
    assert!(
        env.read(&env.task_path("TASK-z8x1v"))
            .contains("status: IN_PROGRESS")
    );
    assert_eq!(seen["dragged"], true);
    let refusal = seen["refusal"].as_str().expect("a refusal on the card");
    assert!(refusal.contains("bob"), "{refusal}");
    assert_eq!(seen["refused_card_status"], "IN_PROGRESS");
    assert_eq!(
        env.read(&env.task_path("TASK-h5j2n")),
        held,
        "the refused move wrote"
    );
    // The drag wrote exactly one line, the status.
    let diff = env.git(&["diff", "-U0", "--", ".orchestron/tasks/TASK-7k2mq.yaml"]);
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    assert_eq!(
        changed,
        ["-status: IN_PROGRESS", "+status: IN_REVIEW"],
        "{diff}"
    );
    println!(
        "serve: a file edited on disk appeared on the page {} ms after the write",
        seen["edit_seen_ms"]
    );
}

#[test]
fn read_only_server_refuses_moves_and_guard_refuses_foreign_hosts() {
    let env = example_env();
    let server = Server::start(&env, &[]);
    let host = format!("Host: {}", server.addr);
    let (code, body) = server.request(&format!("GET /board.json HTTP/1.1\r\n{host}"), "");
    assert_eq!(code, 200, "{body}");
    let board: serde_json::Value = serde_json::from_str(&body).expect("the board as JSON");
    assert_eq!(board["columns"][0]["status"], "TODO");
    let (code, body) = server.request(
        &format!(
            "POST /api/tasks/TASK-7k2mq/status HTTP/1.1\r\n{host}\r\nContent-Type: application/json"
        ),
        r#"{"status": "DONE"}"#,
    );
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("--write"), "{body}");
    assert_eq!(
        env.git(&["status", "--porcelain", "--", ".orchestron/tasks"]),
        ""
    );
    let (code, body) = server.request("GET / HTTP/1.1\r\nHost: evil.example", "");
    assert_eq!(code, 403, "a foreign Host: {body}");
    let (code, body) = server.request(
        &format!("GET /board.json HTTP/1.1\r\n{host}\r\nOrigin: http://evil.example"),
        "",
    );
    assert_eq!(code, 403, "a foreign Origin: {body}");
}

#[test]
fn serve_refuses_a_non_loopback_address_unless_allowed() {
    let env = example_env();
    let r = env.run(&["serve", "--bind", "0.0.0.0", "--port", "0"]);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("--allow-remote"), "{}", r.stderr);
}

#[test]
fn board_move_of_a_held_task_is_refused_as_claimed_and_force_moves_it() {
    let env = example_env();
    env.ok(&["--agent", "bob", "task", "claim", "TASK-h5j2n"]);
    let held = env.read(&env.task_path("TASK-h5j2n"));
    let server = Server::start(&env, &["--write"]);
    let post = format!(
        "POST /api/tasks/TASK-h5j2n/status HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json",
        server.addr
    );
    let (code, body) = server.request(&post, r#"{"status": "DONE"}"#);
    assert_eq!(code, 409, "{body}");
    let refusal: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        refusal["class"], "claimed",
        "the page offers to force: {body}"
    );
    let text = refusal["error"].as_str().unwrap();
    assert!(
        text.contains("claimed by bob") && text.contains("lease until"),
        "{text}"
    );
    assert_eq!(
        env.read(&env.task_path("TASK-h5j2n")),
        held,
        "refused, yet written"
    );
    let (code, body) = server.request(&post, r#"{"status": "DONE", "force": true}"#);
    assert_eq!(code, 200, "{body}");
    let show = env.json(&["task", "show", "TASK-h5j2n"]);
    assert_eq!(show["status"], "DONE");
    assert!(show.get("claim").is_none(), "{show}");
    assert_eq!(show["claim_ended"]["holder"], "bob", "{show}");
    assert_eq!(show["claim_ended"]["by"], "dana", "{show}");
}

/// A move in `serve --write` holds the workspace lock once for its refresh,
/// its write and the board it answers with (it took it twice: for the
/// write, then for the refresh that republished the board), and that board
/// has the hand edit its refresh read.
#[test]
fn a_board_move_takes_the_workspace_lock_once() {
    let env = example_env();
    let server = Server::start_with(&env, &["--write"], &[("RUST_LOG", "orchestron=debug")]);
    let path = env.task_path("TASK-7k2mq");
    let text = env.read(&path);
    let edited = text.replacen("title: ", "title: edited by hand, ", 1);
    assert_ne!(text, edited);
    std::fs::write(&path, edited).unwrap();
    let post = format!(
        "POST /api/tasks/TASK-7k2mq/status HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json",
        server.addr
    );
    let (code, body) = server.request(&post, r#"{"status": "DONE"}"#);
    assert_eq!(code, 200, "{body}");
    let moved: serde_json::Value = serde_json::from_str(&body).unwrap();
    let card = moved["board"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["cards"].as_array().unwrap())
        .find(|k| k["id"] == "TASK-7k2mq")
        .unwrap_or_else(|| panic!("no card: {body}"));
    assert_eq!(card["status"], "DONE", "{card}");
    let title = card["title"].as_str().unwrap();
    assert!(title.starts_with("edited by hand, "), "{title}");
    let log = server.log_until("moved TASK-7k2mq to DONE");
    let locks = log
        .iter()
        .filter(|l| l.contains("board_move") && l.contains("took the lock"))
        .filter(|l| l.contains("write.lock"))
        .count();
    assert_eq!(locks, 1, "{log:#?}");
}
