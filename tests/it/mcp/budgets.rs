//! What an agent pays for each answer, in bytes of the larger view (Claude Code
//! and VS Code show the model only `structuredContent`, other clients only
//! `content`). Every tool result and prompt is measured in an ordinary
//! workspace (50 tasks, one with 20 notes) against the budget table of
//! `docs/MCP.md`, which `UPDATE_BUDGETS=1 cargo test --test it budgets` rewrites
//! from [`BUDGETS`] and the measurements. The bulk cases have their own tests:
//! a call after 1,000 human changes, paging through all of them, and the
//! resume prompt with 100 pending updates.

use super::{Env, start, text};
use orchestron::api::{NewTask, Orchestron, TaskPatch};
use orchestron::model::Priority;
use rmcp::model::{CallToolResult, GetPromptRequestParams, GetPromptResult};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};

/// The most bytes each answer may cost in its larger view. `tools/list`
/// (with claims' `lease`, `release` and `force`, which cost 0.4 KB, and the
/// two insight tools, 1.1 KB, and update's `type`, `criteriaUndone` and
/// `addCriteria`, the CLI's powers, 0.26 KB less 0.12 KB cut from the claim
/// tool's description) stays under 12 KB; never raise it past 12,000.
const BUDGETS: &[(&str, usize)] = &[
    ("tools/list", 11_700),
    ("orchestron_task_create", 1_000),
    ("orchestron_task_list (50 tasks)", 8_000),
    ("orchestron_task_get (20 notes)", 8_000),
    ("orchestron_task_update (20 notes)", 1_000),
    ("orchestron_task_claim", 1_000),
    ("orchestron_task_depend", 1_000),
    ("orchestron_task_clarify", 1_000),
    ("orchestron_context_save", 1_000),
    ("orchestron_handoff_prepare", 1_000),
    ("orchestron_context_get", 4_000),
    ("orchestron_check_updates (one page)", 8_000),
    ("orchestron_sprint_create", 1_000),
    ("orchestron_sprint_update", 1_000),
    ("orchestron_sprint_get (10 tasks)", 4_000),
    ("any call after 1,000 human changes", 3_000),
    ("prompt orchestron_resume (100 updates)", 2_000),
    ("prompt orchestron_handoff", 2_000),
    ("orchestron prime (100 open, 50 updates)", 1_500),
];

fn budget(name: &str) -> usize {
    BUDGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| *b)
        .unwrap_or_else(|| panic!("no budget for {name:?}"))
}

/// Bytes of a tool result's two views: `content` as the sum of its texts,
/// and `structuredContent` as `JSON.stringify` gives it.
fn views(r: &CallToolResult) -> (usize, usize) {
    let texts: Vec<&str> = r
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| t.text.as_str())
        .collect();
    let content = texts.iter().map(|t| t.len()).sum();
    let structured = r
        .structured_content
        .as_ref()
        .map_or(0, |v| serde_json::to_string(v).unwrap().len());
    (content, structured)
}

/// What one more line of notice may add ("your claim on TASK-x was
/// overridden by …"): the call after 1,000 changes keeps this much room.
const ONE_MORE_LINE: usize = 160;

/// Bytes of `v` as the official Python SDK's users see it printed:
/// `json.dumps` with its defaults — `", "` and `": "` between items, and
/// every non-ASCII character as `\uXXXX` (a surrogate pair past U+FFFF).
fn python_json_len(v: &Value) -> usize {
    let joined = |n: usize| if n == 0 { 0 } else { 2 * (n - 1) };
    match v {
        Value::Null | Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Number(n) => n.to_string().len(),
        Value::String(t) => {
            2 + t
                .chars()
                .map(|ch| match ch {
                    '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
                    c if (c as u32) < 0x20 => 6,
                    c if c.is_ascii() => 1,
                    c if (c as u32) > 0xFFFF => 12,
                    _ => 6,
                })
                .sum::<usize>()
        }
        Value::Array(items) => {
            2 + joined(items.len()) + items.iter().map(python_json_len).sum::<usize>()
        }
        Value::Object(m) => {
            2 + joined(m.len())
                + m.iter()
                    .map(|(k, v)| {
                        python_json_len(&Value::String(k.clone())) + 2 + python_json_len(v)
                    })
                    .sum::<usize>()
        }
    }
}

#[test]
fn python_json_len_counts_as_json_dumps_does() {
    // json.dumps({"a": [1, "→", None, True], "b\"": "😀"}) is 55 characters.
    let v = json!({"a": [1, "→", null, true], "b\"": "😀"});
    assert_eq!(python_json_len(&v), 55);
}

fn prompt_bytes(p: &GetPromptResult) -> usize {
    serde_json::to_string(&p.messages).unwrap().len()
}

/// Measurements, by budget name: (content bytes, structured bytes).
#[derive(Default)]
struct Sheet(BTreeMap<String, (usize, usize)>);

impl Sheet {
    fn tool(&mut self, name: &str, r: &CallToolResult) {
        assert_eq!(r.is_error, Some(false), "{name}: {}", text(r, 0));
        self.0.insert(name.to_string(), views(r));
    }

    fn one(&mut self, name: &str, bytes: usize) {
        self.0.insert(name.to_string(), (bytes, bytes));
    }

    /// Fails on the first answer over its budget, listing them all.
    fn check(&self) {
        let over: Vec<String> = self
            .0
            .iter()
            .filter(|(n, (c, s))| (*c).max(*s) > budget(n))
            .map(|(n, (c, s))| format!("{n}: {} > {}", c.max(s), budget(n)))
            .collect();
        assert!(over.is_empty(), "over budget: {over:#?}");
    }
}

fn ordinary(human: &mut Orchestron, i: usize) -> String {
    let priority = [Priority::Medium, Priority::High, Priority::Low][i % 3];
    let labels = if i.is_multiple_of(4) {
        vec!["backend".to_string()]
    } else {
        Vec::new()
    };
    let t = human
        .create_task(NewTask {
            title: format!("Implement the account settings page, part {i}"),
            priority: Some(priority),
            labels,
            assignee: i.is_multiple_of(5).then(|| "bob".to_string()),
            ..NewTask::default()
        })
        .unwrap();
    t.id.to_string()
}

/// A task with a long description, five criteria and 20 notes, in progress.
fn big_task(human: &mut Orchestron) -> String {
    let t = human
        .create_task(NewTask {
            title: "Rework the billing export so finance can reconcile invoices".into(),
            description: Some("The export must include every invoice line. ".repeat(20)),
            acceptance_criteria: (1..=5)
                .map(|i| format!("Criterion number {i} holds"))
                .collect(),
            ..NewTask::default()
        })
        .unwrap();
    let id = t.id.to_string();
    for n in 0..20 {
        human
            .update_task(
                &id,
                TaskPatch {
                    notes: vec![format!(
                        "Session note {n}: looked at the CSV writer and the rounding of totals"
                    )],
                    ..TaskPatch::default()
                },
            )
            .unwrap();
    }
    id
}

async fn prompt(env: &Env, name: &str, args: Value) -> GetPromptResult {
    let mut p = GetPromptRequestParams::new(name);
    if let Value::Object(m) = args {
        p = p.with_arguments(m);
    }
    env.client.get_prompt(p).await.expect("prompts/get")
}

/// Rewrites the table between the markers in docs/MCP.md, or checks that its
/// budgets are the ones enforced here.
fn budget_table(sheet: &Sheet) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/MCP.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = ("<!-- budgets:begin -->\n", "<!-- budgets:end -->");
    let start = doc.find(begin).expect("docs/MCP.md has the budget markers") + begin.len();
    let stop = doc
        .find(end)
        .expect("docs/MCP.md has the budget end marker");
    if std::env::var_os("UPDATE_BUDGETS").is_some() {
        let mut table = String::from(
            "| answer | `content` bytes | `structuredContent` bytes | budget |\n|---|---:|---:|---:|\n",
        );
        for (name, b) in BUDGETS {
            // The bulk case is measured by its own test (its numbers are in
            // the text above the table).
            let (c, s) = match sheet.0.get(*name) {
                Some((c, s)) => (c.to_string(), s.to_string()),
                None => ("—".to_string(), "—".to_string()),
            };
            table.push_str(&format!("| {name} | {c} | {s} | {b} |\n"));
        }
        let new = format!("{}{table}{}", &doc[..start], &doc[stop..]);
        std::fs::write(&path, new).unwrap();
        return;
    }
    for (name, b) in BUDGETS {
        let row = doc[start..stop]
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("docs/MCP.md lacks a budget row for {name:?}"));
        assert!(
            row.trim_end().ends_with(&format!("| {b} |")),
            "docs/MCP.md budget for {name:?} differs from {b}: {row} (UPDATE_BUDGETS=1)"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_stays_within_its_budget() {
    let env = start("claude-code").await;
    let mut sheet = Sheet::default();
    let (big, tasks) = {
        let mut alice = env.human();
        let tasks: Vec<String> = (0..49).map(|i| ordinary(&mut alice, i)).collect();
        (big_task(&mut alice), tasks)
    };
    let tools = env.client.list_all_tools().await.unwrap();
    let listed = serde_json::to_string(&json!({"tools": tools}))
        .unwrap()
        .len();
    sheet.one("tools/list", listed);
    let loaded: Vec<&str> = tools
        .iter()
        .filter(|t| {
            t.meta
                .as_ref()
                .and_then(|m| m.0.get("anthropic/alwaysLoad"))
                == Some(&json!(true))
        })
        .map(|t| t.name.as_ref())
        .collect();
    assert!(
        !loaded.is_empty() && loaded.len() <= 4,
        "alwaysLoad: {loaded:?}"
    );

    // The first call only sets this agent's mark: no notice in what follows.
    let list = env.call("orchestron_task_list", json!({"limit": 50})).await;
    assert_eq!(list.structured_content.as_ref().unwrap()["total"], 50);
    sheet.tool("orchestron_task_list (50 tasks)", &list);
    let rows: Vec<Value> = serde_json::from_str(&text(&list, 0)).unwrap();
    assert_eq!(
        json!(rows),
        list.structured_content.as_ref().unwrap()["tasks"],
        "one shape for the rows in both views"
    );
    assert!(
        !text(&list, 0).contains("null"),
        "no nulls repeated per row"
    );

    let get = env
        .call("orchestron_task_get", json!({"taskId": big}))
        .await;
    sheet.tool("orchestron_task_get (20 notes)", &get);
    let upd = env
        .call(
            "orchestron_task_update",
            json!({"taskId": big, "status": "IN_PROGRESS", "progress": 60,
                   "notes": "Totals now round half-even; the CSV writer streams",
                   "description": "Rewritten. ".repeat(100), "criteriaDone": [1, 2]}),
        )
        .await;
    sheet.tool("orchestron_task_update (20 notes)", &upd);
    eprintln!(
        "UPD {}",
        serde_json::to_string(&upd.structured_content).unwrap()
    );
    let s = upd.structured_content.as_ref().unwrap();
    assert_eq!(s["summary"], json!(text(&upd, 0)));
    assert_eq!(s["task"]["id"], json!(big));
    assert!(s["changes"].as_array().unwrap().len() >= 4, "{s}");
    sheet.tool(
        "orchestron_task_clarify",
        &env.call(
            "orchestron_task_clarify",
            json!({"taskId": big, "text": "Finance wants ISO dates"}),
        )
        .await,
    );
    sheet.tool(
        "orchestron_task_claim",
        &env.call("orchestron_task_claim", json!({"taskId": big}))
            .await,
    );
    sheet.tool(
        "orchestron_task_depend",
        &env.call(
            "orchestron_task_depend",
            json!({"taskId": big, "on": tasks[1]}),
        )
        .await,
    );
    sheet.tool(
        "orchestron_task_create",
        &env.call(
            "orchestron_task_create",
            json!({"title": "Add password reset endpoint", "type": "TASK",
                   "acceptance_criteria": ["POST /api/auth/reset-password endpoint",
                       "Email notification sent", "Token expires in 1 hour", "Unit tests pass"]}),
        )
        .await,
    );
    sheet.tool(
        "orchestron_context_save",
        &env.call(
            "orchestron_context_save",
            json!({"context": {"currentTask": big, "nextSteps": ["wire the export"]},
                   "notes": "Ready for frontend work ".repeat(20)}),
        )
        .await,
    );
    sheet.tool(
        "orchestron_handoff_prepare",
        &env.call(
            "orchestron_handoff_prepare",
            json!({"taskId": big, "completedWork": ["CSV writer", "Rounding"],
                   "remainingWork": ["ISO dates", "Integration tests"],
                   "notes": "The totals are checked in export_tests.rs"}),
        )
        .await,
    );
    sheet.tool(
        "orchestron_context_get",
        &env.call("orchestron_context_get", json!({})).await,
    );
    sheet.tool(
        "orchestron_check_updates (one page)",
        &env.call("orchestron_check_updates", json!({})).await,
    );
    sheet.tool(
        "orchestron_sprint_create",
        &env.call(
            "orchestron_sprint_create",
            json!({"name": "W48", "goal": "Billing export ready for finance"}),
        )
        .await,
    );
    for t in tasks.iter().take(10) {
        env.call(
            "orchestron_task_update",
            json!({"taskId": t, "sprint": "W48"}),
        )
        .await;
    }
    sheet.tool(
        "orchestron_sprint_update",
        &env.call(
            "orchestron_sprint_update",
            json!({"sprintId": "W48", "status": "ACTIVE"}),
        )
        .await,
    );
    sheet.tool(
        "orchestron_sprint_get (10 tasks)",
        &env.call("orchestron_sprint_get", json!({})).await,
    );
    let handoff = prompt(&env, "orchestron_handoff", json!({"taskId": big})).await;
    sheet.one("prompt orchestron_handoff", prompt_bytes(&handoff));

    // The agent has read every update; then 100 arrive (a human
    // re-prioritises and notes), and a new session resumes.
    loop {
        let page = env.call("orchestron_check_updates", json!({})).await;
        if page.structured_content.as_ref().unwrap()["more"] == json!(false) {
            break;
        }
    }
    {
        let mut alice = env.human();
        // 49 ordinary tasks and the big one: 50 tasks, two writes each.
        for t in tasks.iter().chain(std::iter::once(&big)) {
            // The big one is claude's claim: a human talks to the holder
            // (a clarification) rather than re-prioritising under it.
            if *t == big {
                alice.clarify(t, "Totals by Friday").unwrap();
            } else {
                alice.set_priority(t, Priority::Critical, false).unwrap();
            }
            alice
                .update_task(
                    t,
                    TaskPatch {
                        notes: vec!["Moved up after the planning call".into()],
                        ..TaskPatch::default()
                    },
                )
                .unwrap();
        }
    }
    let resume = prompt(&env, "orchestron_resume", json!({})).await;
    let resume_text = serde_json::to_string(&resume.messages).unwrap();
    let pending = env
        .call("orchestron_check_updates", json!({"limit": 500}))
        .await;
    let total = pending.structured_content.as_ref().unwrap()["total"]
        .as_u64()
        .unwrap();
    assert_eq!(total, 100, "every human write is one pending update");
    assert!(
        resume_text.contains(&format!("({total} in all;")),
        "the prompt counts what check_updates pages through: {resume_text}"
    );
    assert!(resume_text.contains(&big), "the task in progress is listed");
    sheet.one(
        "prompt orchestron_resume (100 updates)",
        prompt_bytes(&resume),
    );

    // Budgets for the two bulk cases are measured by their own tests; here
    // their rows only need to exist.
    for (name, (c, s)) in &sheet.0 {
        eprintln!("{name}: content {c} B, structuredContent {s} B");
    }
    sheet.check();
    budget_table(&sheet);
}

/// The 1,000 human changes of the bulk tests: 600 tasks created, then 400
/// edits of 100 of them (so both kinds of group appear).
fn thousand_changes(env: &Env) -> HashSet<String> {
    let mut alice = env.human();
    let ids: Vec<String> = (0..600)
        .map(|i| {
            alice
                .create_task(NewTask {
                    title: format!("Imported ticket {i}"),
                    ..NewTask::default()
                })
                .unwrap()
                .id
                .to_string()
        })
        .collect();
    for round in 0..4 {
        for id in ids.iter().take(100) {
            alice
                .update_task(
                    id,
                    TaskPatch {
                        progress: Some(10 * (round + 1)),
                        ..TaskPatch::default()
                    },
                )
                .unwrap();
        }
    }
    ids.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_after_a_thousand_human_changes_stays_small_and_pages_lose_nothing() {
    let env = start("claude-code").await;
    // The agent's first call sets its marks; then the human works.
    env.call("orchestron_check_updates", json!({})).await;
    let created = thousand_changes(&env);

    let r = env
        .call(
            "orchestron_task_list",
            json!({"limit": 1, "status": "DONE"}),
        )
        .await;
    let (c, s) = views(&r);
    let py = python_json_len(r.structured_content.as_ref().unwrap());
    eprintln!(
        "after 1,000 changes: content {c} B, structuredContent {s} B (Python's json.dumps: {py} B)"
    );
    // Room left for one more line of about 120 B (a claim overridden).
    assert!(
        c.max(s).max(py) + ONE_MORE_LINE <= budget("any call after 1,000 human changes"),
        "{c} / {s} / {py} bytes"
    );
    let updates = &r.structured_content.as_ref().unwrap()["updates"];
    assert_eq!(updates["total"], 1000);
    let notice = updates["notice"].as_str().unwrap();
    assert!(
        notice.starts_with("1000 updates since your last call: "),
        "{notice}"
    );
    assert!(notice.contains("tasks created by alice"), "{notice}");
    assert!(notice.contains("orchestron_check_updates"), "{notice}");
    assert_eq!(text(&r, 1), notice, "the same notice in both views");

    // Paging: every entry once, by its record, in order.
    let mut seen_created: HashSet<String> = HashSet::new();
    let mut modified: BTreeMap<String, usize> = BTreeMap::new();
    let mut entries = 0;
    let mut last_seq = 0;
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(pages <= 60, "paging does not end");
        let page = env
            .call("orchestron_check_updates", json!({"limit": 25}))
            .await;
        let (c, s) = views(&page);
        assert!(c.max(s) <= budget("orchestron_check_updates (one page)"));
        let p = page.structured_content.as_ref().unwrap();
        let mut counted = 0;
        for g in p["earlier"].as_array().cloned().unwrap_or_default() {
            let n = g["count"].as_u64().unwrap() as usize;
            counted += n;
            let ids: Vec<String> = g["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_str().unwrap().to_string())
                .collect();
            match g["op"].as_str().unwrap() {
                "created" => {
                    assert_eq!(ids.len(), n);
                    for id in ids {
                        assert!(seen_created.insert(id), "a creation repeated");
                    }
                }
                _ => *modified.entry(ids[0].clone()).or_default() += n,
            }
        }
        for e in p["recent"].as_array().unwrap() {
            counted += 1;
            let seq = e["seq"].as_i64().unwrap();
            assert!(seq > last_seq, "entries come in order, once");
            last_seq = seq;
            let id = e["id"].as_str().unwrap().to_string();
            match e["op"].as_str().unwrap() {
                "created" => assert!(seen_created.insert(id), "a creation repeated"),
                _ => *modified.entry(id).or_default() += 1,
            }
        }
        assert_eq!(p["total"].as_u64().unwrap() as usize, counted);
        entries += counted;
        if p["more"] == json!(false) {
            break;
        }
    }
    assert_eq!(entries, 1000, "every entry once");
    assert_eq!(seen_created, created);
    assert_eq!(modified.len(), 100);
    assert!(modified.values().all(|n| *n == 4), "{modified:?}");
    let done = env.call("orchestron_check_updates", json!({})).await;
    assert_eq!(done.structured_content.as_ref().unwrap()["total"], 0);
}

/// `orchestron prime` on a busy backlog: 100 open tasks, the agent holding
/// one with long clarifications and a long handoff, 50 updates by a human
/// since its last check. Both forms (MCP rules, CLI rules) stay within the
/// budget and still say what matters.
#[test]
fn prime_stays_within_its_budget_on_a_busy_backlog() {
    let env = crate::common::TestEnv::new();
    let open = |agent: &str| Orchestron::open(&super::opts(env.path(), Some(agent))).unwrap();
    let mut alice = open("alice");
    let tasks: Vec<String> = (0..99).map(|i| ordinary(&mut alice, i)).collect();
    let big = big_task(&mut alice);
    for n in 0..3 {
        alice
            .clarify(
                &big,
                &format!(
                    "Clarification {n}: {}",
                    "finance wants ISO dates and the VAT column ".repeat(6)
                ),
            )
            .unwrap();
    }
    let mut claude = open("claude");
    claude.claim(Some(&big), None).unwrap();
    let long = "Rounded the totals half-even and streamed the CSV writer ".repeat(4);
    claude
        .handoff(orchestron::api::HandoffInput {
            task: big.clone(),
            completed_work: vec![long.clone(); 5],
            remaining_work: vec![long.clone(); 5],
            notes: Some(long.repeat(3)),
            force: false,
        })
        .unwrap();
    claude
        .update_task(
            &big,
            TaskPatch {
                progress: Some(70),
                ..TaskPatch::default()
            },
        )
        .unwrap();
    while claude.updates(None, 500).unwrap().more {}
    for t in tasks.iter().take(25) {
        alice.set_priority(t, Priority::Critical, false).unwrap();
        alice
            .update_task(
                t,
                TaskPatch {
                    notes: vec!["Moved up after the planning call".into()],
                    ..TaskPatch::default()
                },
            )
            .unwrap();
    }
    let budget = budget("orchestron prime (100 open, 50 updates)");
    for form in ["--mcp", "--cli"] {
        let text = env.ok(&["--agent", "claude", "prime", form]);
        eprintln!("prime {form}: {} B\n{text}", text.len());
        assert!(
            text.len() <= budget,
            "prime {form}: {} B > {budget}:\n{text}",
            text.len()
        );
        assert!(
            text.contains(&format!("- {big} Rework the billing export")),
            "{text}"
        );
        assert!(
            text.contains("Clarification 2"),
            "the newest clarification: {text}"
        );
        assert!(
            text.contains("Latest handoff on") && text.contains("remaining: "),
            "{text}"
        );
        assert!(text.contains("50 updates since your last check"), "{text}");
        assert!(text.contains("Ready next:"), "{text}");
        assert!(text.contains("handoff due"), "{text}");
    }
    let json = env.json(&["--agent", "claude", "prime"]);
    assert_eq!(json["agent"], "claude");
    assert_eq!(json["updates"]["total"], 50);
    assert_eq!(json["handoff_due"], json!([big]));
    // A fresh handoff settles it: no reminder at stop.
    env.ok(&[
        "--agent",
        "claude",
        "handoff",
        &big,
        "--remaining",
        "ISO dates",
    ]);
    let json = env.json(&["--agent", "claude", "prime"]);
    assert_eq!(json["handoff_due"], json!([]), "{json}");
    assert_eq!(env.ok(&["--agent", "claude", "prime", "--stop-hook"]), "");
}
