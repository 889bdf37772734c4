//! Many agents, one HTTP server: 4 agents × 100 mixed calls at once (two in
//! older-era sessions, two with stateless 2026-07-28 requests) leave the
//! records exactly as the same calls through 4 stdio servers do — no lost
//! update on the task they all write to — and each agent keeps its own
//! update cursor.

use super::{HttpServer, Session, stateless_call};
use crate::common::TestEnv;
use crate::wire::{Wire, call};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const AGENTS: usize = 4;
const CALLS: usize = 100;
const PRIORITIES: [&str; 3] = ["LOW", "MEDIUM", "HIGH"];

/// Agent `a`'s 100 calls, mixed: creates, updates of its own tasks, notes on
/// the shared task, reads, status moves and update checks, interleaved.
/// `own(k)` names its k-th task once created (looked up by title).
fn workload(a: usize) -> Vec<(String, Value)> {
    let mut calls = Vec::new();
    for k in 0..20 {
        calls.push((
            "orchestron_task_create".to_string(),
            json!({"title": format!("a{a}-t{k}"), "priority": PRIORITIES[k % 3]}),
        ));
        calls.push((
            "orchestron_task_update".to_string(),
            json!({"taskId": "@shared", "notes": format!("a{a}-n{k}")}),
        ));
        calls.push((
            "orchestron_task_update".to_string(),
            json!({"taskId": format!("@a{a}-t{k}"), "progress": k * 5,
                   "notes": format!("a{a} progress {k}")}),
        ));
        if k % 2 == 0 {
            calls.push((
                "orchestron_task_update".to_string(),
                json!({"taskId": format!("@a{a}-t{k}"), "status": "IN_PROGRESS"}),
            ));
            calls.push(("orchestron_check_updates".to_string(), json!({})));
        } else {
            calls.push((
                "orchestron_task_get".to_string(),
                json!({"taskId": format!("@a{a}-t{k}")}),
            ));
            calls.push((
                "orchestron_task_list".to_string(),
                json!({"status": "TODO", "limit": 5}),
            ));
        }
    }
    assert_eq!(calls.len(), CALLS);
    calls
}

/// Replaces `@title` task references with the ids created so far.
fn resolve(args: &Value, ids: &BTreeMap<String, String>) -> Value {
    let mut args = args.clone();
    if let Some(r) = args["taskId"].as_str().and_then(|s| s.strip_prefix('@')) {
        args["taskId"] = json!(ids.get(r).unwrap_or_else(|| panic!("no task {r}")));
    }
    args
}

/// Runs one agent's workload through `send` (one tools/call → its response).
fn run_agent(a: usize, shared: &str, mut send: impl FnMut(&str, Value) -> Value) {
    let mut ids = BTreeMap::from([("shared".to_string(), shared.to_string())]);
    for (tool, args) in workload(a) {
        let response = send(&tool, resolve(&args, &ids));
        let result = &response["result"];
        assert_eq!(
            result["isError"], false,
            "agent {a} {tool} {args}: {response}"
        );
        if tool == "orchestron_task_create" {
            let id = result["structuredContent"]["task"]["id"]
                .as_str()
                .expect("id");
            ids.insert(args["title"].as_str().unwrap().to_string(), id.to_string());
        }
    }
}

/// Every task as what the calls decided — title → status, progress,
/// assignee, and its notes (author and text, sorted: concurrent appends may
/// land in any order) — without ids or times.
fn outcome(env: &TestEnv) -> BTreeMap<String, Value> {
    let list = env.json(&["task", "list", "--limit", "1000"]);
    let mut out = BTreeMap::new();
    for t in list["tasks"].as_array().expect("tasks") {
        let id = t["id"].as_str().unwrap();
        let full = env.json(&["task", "show", id]);
        let task = if full.get("task").is_some() {
            &full["task"]
        } else {
            &full
        };
        let mut notes: Vec<(String, String)> = task["notes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|n| {
                (
                    n["by"].as_str().unwrap_or_default().to_string(),
                    n["text"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        notes.sort();
        out.insert(
            task["title"].as_str().unwrap().to_string(),
            json!({"status": task["status"], "progress": task["progress"],
                   "assignee": task["assignee"], "notes": notes}),
        );
    }
    out
}

fn shared_task(env: &TestEnv) -> String {
    env.create(&["Shared"])
}

#[test]
fn four_agents_over_http_leave_what_four_over_stdio_leave() {
    // Over HTTP: one server, four agents at once.
    let http_env = TestEnv::new();
    let shared = shared_task(&http_env);
    let server = HttpServer::start(&http_env);
    std::thread::scope(|s| {
        for a in 0..AGENTS {
            let (server, shared) = (&server, shared.as_str());
            s.spawn(move || {
                let name = format!("agent-{a}");
                if a % 2 == 0 {
                    let mut session = Session::open(server, &name, &[]);
                    run_agent(a, shared, |tool, args| session.call(tool, args));
                } else {
                    let mut id = 0;
                    run_agent(a, shared, |tool, args| {
                        id += 1;
                        stateless_call(server, id, &name, tool, args)
                    });
                }
            });
        }
    });

    // Over stdio: one server process per agent, all at once.
    let stdio_env = TestEnv::new();
    let stdio_shared = shared_task(&stdio_env);
    std::thread::scope(|s| {
        for a in 0..AGENTS {
            let (env, shared) = (&stdio_env, stdio_shared.as_str());
            s.spawn(move || {
                let mut wire = Wire::start_with(env, &[], &[]);
                wire.initialize(&format!("agent-{a}"));
                let mut id = 0;
                run_agent(a, shared, |tool, args| {
                    id += 1;
                    wire.request(call(id, tool, args))
                });
                wire.close();
            });
        }
    });

    let over_http = outcome(&http_env);
    let over_stdio = outcome(&stdio_env);
    assert_eq!(over_http.len(), 1 + AGENTS * 20);
    let shared_notes = over_http["Shared"]["notes"].as_array().unwrap().len();
    assert_eq!(
        shared_notes,
        AGENTS * 20,
        "a note on the shared task was lost"
    );
    for a in 0..AGENTS {
        assert_eq!(
            over_http[&format!("a{a}-t0")]["assignee"],
            json!(format!("agent-{a}")),
            "each agent is recorded as itself"
        );
    }
    assert_eq!(over_http, over_stdio, "HTTP and stdio disagree");

    // Each agent's cursor is its own: one change is news to every other
    // agent, and only once to each.
    let mut writer = Session::open(&server, "agent-0", &[]);
    let mut readers: Vec<Session> = (1..AGENTS)
        .map(|a| Session::open(&server, &format!("agent-{a}"), &[]))
        .collect();
    for r in readers.iter_mut() {
        drain(r);
    }
    writer.call(
        "orchestron_task_update",
        json!({"taskId": shared, "notes": "news for everyone"}),
    );
    for r in readers.iter_mut() {
        let first = r.call("orchestron_check_updates", json!({}));
        let summary = first["result"]["structuredContent"]["summary"]
            .as_str()
            .unwrap();
        assert_ne!(summary, "No updates.", "{first}");
        let again = r.call("orchestron_check_updates", json!({}));
        assert_eq!(
            again["result"]["structuredContent"]["summary"], "No updates.",
            "{again}"
        );
    }
}

/// Pages through an agent's updates until none are left.
fn drain(session: &mut Session) {
    for _ in 0..100 {
        let page = session.call("orchestron_check_updates", json!({}));
        if page["result"]["structuredContent"]["more"] != true {
            return;
        }
    }
    panic!("updates never ran out");
}
