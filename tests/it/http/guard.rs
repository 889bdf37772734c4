//! The guard, end to end on the real binary: what is refused at start, what a
//! request from a foreign page gets (403, and not one byte changed), and a
//! token bound to an agent's name.

use super::{HttpServer, Session, meta};
use crate::common::TestEnv;
use serde_json::{Value, json};

fn task_titles(env: &TestEnv) -> Vec<String> {
    let list = env.json(&["task", "list"]);
    list["tasks"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| t["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn create_body(title: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "orchestron_task_create", "arguments": {"title": title},
        "_meta": meta("claude-code")}})
}

const STATELESS: [(&str, &str); 3] = [
    ("MCP-Protocol-Version", "2026-07-28"),
    ("Mcp-Method", "tools/call"),
    ("Mcp-Name", "orchestron_task_create"),
];

#[test]
fn a_bad_origin_or_host_gets_403_and_changes_nothing() {
    let env = TestEnv::new();
    let server = HttpServer::start(&env);
    let before = std::fs::read_dir(env.ws().join("tasks"))
        .map(|d| d.count())
        .unwrap_or(0);
    let mut evil_origin = STATELESS.to_vec();
    evil_origin.push(("Origin", "http://evil.example"));
    let reply = server.post(&evil_origin, &create_body("From a web page"));
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert!(
        reply
            .body
            .contains("Origin \"http://evil.example\" may not call this server"),
        "{}",
        reply.body
    );
    let mut rebound = STATELESS.to_vec();
    rebound.push(("Host", "attacker.example:80"));
    let reply = server.post(&rebound, &create_body("Through DNS rebinding"));
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert!(reply.body.contains("DNS rebinding"), "{}", reply.body);
    assert!(
        reply.header("access-control-allow-origin").is_none(),
        "no CORS header on a refusal"
    );
    let after = std::fs::read_dir(env.ws().join("tasks"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(before, after, "a refused request wrote a record");
    assert!(task_titles(&env).is_empty());

    // The same request from a loopback origin is served: the refusals above
    // were the guard's, not a malformed request's.
    let mut local = STATELESS.to_vec();
    let origin = format!("http://localhost:{}", server.addr.port());
    local.push(("Origin", &origin));
    let reply = server.post(&local, &create_body("From the board"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.response(1)["result"]["isError"],
        false,
        "{}",
        reply.body
    );
    assert_eq!(task_titles(&env), ["From the board"]);
}

#[test]
fn a_non_loopback_bind_is_refused_at_start_without_a_token() {
    let env = TestEnv::new();
    let refused = env.run(&["mcp", "--http", "0.0.0.0:0"]);
    assert_eq!(refused.code, 4, "{refused:?}");
    assert!(
        refused.stderr.contains("not a loopback address"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("--allow-remote"),
        "{}",
        refused.stderr
    );
    let no_token = env.run(&["mcp", "--http", "0.0.0.0:0", "--allow-remote"]);
    assert_eq!(no_token.code, 4, "{no_token:?}");
    assert!(
        no_token.stderr.contains("needs a token"),
        "{}",
        no_token.stderr
    );
    let short = env.run_with(
        &["mcp", "--http", "0.0.0.0:0", "--allow-remote"],
        &[("ORCHESTRON_TOKEN", "short")],
    );
    assert_eq!(short.code, 4, "{short:?}");
    assert!(
        short.stderr.contains("at least 16 characters"),
        "{}",
        short.stderr
    );
    let named = env.run(&["mcp", "--http", "tracker.example.com:80"]);
    assert_eq!(named.code, 4, "{named:?}");
    assert!(
        named.stderr.contains("is not an address to listen on"),
        "{}",
        named.stderr
    );
}

#[test]
fn a_remote_bind_with_a_token_starts_and_wants_the_token() {
    let env = TestEnv::new();
    let token = "remote-token-0123456789abcdef";
    let server = HttpServer::start_with(&env, &["--allow-remote"], &[("ORCHESTRON_TOKEN", token)]);
    // Started on loopback here (the harness binds 127.0.0.1:0) but with the
    // token configured, every request must carry it.
    let reply = server.post(&STATELESS, &create_body("No token"));
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    let bearer = format!("Bearer {token}");
    let mut with = STATELESS.to_vec();
    with.push(("Authorization", &bearer));
    let reply = server.post(&with, &create_body("With the token"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(task_titles(&env), ["With the token"]);
}

#[test]
fn a_token_bound_to_an_agent_names_its_calls() {
    let env = TestEnv::new();
    let file = env.path().join("tokens.txt");
    std::fs::write(
        &file,
        "# one token per agent\nplanner planner-token-0123456789\nreviewer reviewer-token-0123456789\n",
    )
    .unwrap();
    let server = HttpServer::start_with(&env, &["--token-file", file.to_str().unwrap()], &[]);
    let planner = [("Authorization", "Bearer planner-token-0123456789")];
    let mut session = Session::open(&server, "claude-code", &planner);
    let created = session.request(
        &planner,
        "tools/call",
        json!({"name": "orchestron_task_create", "arguments": {"title": "Plan it"}}),
    );
    let id = created["result"]["structuredContent"]["task"]["id"]
        .as_str()
        .expect("created")
        .to_string();
    let reviewer = [("Authorization", "Bearer reviewer-token-0123456789")];
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {
        "name": "orchestron_task_update",
        "arguments": {"taskId": id, "status": "IN_PROGRESS"},
        "_meta": meta("claude-code")}});
    let mut headers = vec![
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", "tools/call"),
        ("Mcp-Name", "orchestron_task_update"),
    ];
    headers.extend(reviewer);
    let updated = server.post(&headers, &body).response(7);
    assert_eq!(
        updated["result"]["structuredContent"]["task"]["assignee"], "reviewer",
        "{updated}"
    );
    session.request(
        &planner,
        "tools/call",
        json!({"name": "orchestron_task_update",
               "arguments": {"taskId": id, "notes": "planned"}}),
    );
    let shown = env.json(&["task", "show", &id]);
    assert_eq!(shown["notes"][0]["by"], "planner", "{shown}");
    assert_eq!(shown["assignee"], "reviewer", "{shown}");
    let wrong = server.post(
        &[("Authorization", "Bearer planner-token-0123456789x")],
        &create_body("Wrong token"),
    );
    assert_eq!(wrong.status, 401, "{}", wrong.body);
}
