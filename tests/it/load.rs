//! Proof under load: eight writers at once on one repository — four CLI
//! agents (a process per write) and four MCP servers (one process each) —
//! making mixed writes (create, note, clarify, depend, claim, release,
//! context save, handoff), while a reader lists and a human-style editor
//! rewrites other records in place. Afterwards every write was applied or
//! refused with a clear error (both counted), no applied note, clarification
//! or snapshot is missing, no task is held by two agents, `check` is clean
//! and the index answers what a fresh rebuild answers.
//!
//! `ORCHESTRON_LOAD_WRITES` (default 20) sets the writes per writer; the long
//! run (250) and its figures are in docs/RELIABILITY.md.

use crate::common::{TestEnv, assert_index_equals_a_fresh_rebuild};
use crate::rng::Rng;
use crate::wire::{Wire, call};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};

const WRITERS: usize = 8;

/// One writer's account of what it did.
#[derive(Default, Debug)]
struct Tally {
    applied: usize,
    refused: usize,
    /// Texts of notes and clarifications that were applied.
    entries: Vec<String>,
    /// Context snapshots (saves and handoffs) that were applied.
    contexts: usize,
    /// Tasks this agent holds at the end.
    held: BTreeSet<String>,
    /// The refusals by kind.
    reasons: BTreeMap<String, usize>,
}

/// A refusal's kind: its first words, ids and agents left out.
fn reason(message: &str) -> String {
    message
        .trim_start_matches("error: ")
        .split_whitespace()
        .filter(|w| !w.contains("TASK-") && !w.starts_with("agent-") && !w.starts_with('('))
        .take(4)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One write, as the arguments of either adapter.
enum Write {
    Create(String),
    Note(String, String),
    Clarify(String, String),
    Depend(String, String),
    Claim(String),
    Release(String),
    Save(String),
    Handoff(String, String),
}

fn pick_write(rng: &mut Rng, me: usize, i: usize, shared: &[String], tally: &Tally) -> Write {
    let task = rng.pick(shared).clone();
    let text = format!("w{me} #{i}");
    match rng.below(10) {
        0 => Write::Create(text),
        1 | 2 => Write::Note(task, text),
        3 => Write::Clarify(task, text),
        4 => Write::Depend(task, rng.pick(shared).clone()),
        5 => Write::Claim(task),
        6 => match tally.held.iter().next() {
            Some(held) => Write::Release(held.clone()),
            None => Write::Claim(task),
        },
        7 => Write::Save(text),
        8 => Write::Handoff(task, text),
        _ => Write::Note(task, text),
    }
}

/// Books one write's outcome: `Ok` applied, `Err(message)` refused.
fn book(tally: &mut Tally, write: &Write, outcome: Result<(), String>) {
    match outcome {
        Ok(()) => {
            tally.applied += 1;
            match write {
                Write::Note(_, t) | Write::Clarify(_, t) => tally.entries.push(t.clone()),
                Write::Save(_) | Write::Handoff(..) => tally.contexts += 1,
                Write::Claim(id) => {
                    tally.held.insert(id.clone());
                }
                Write::Release(id) => {
                    tally.held.remove(id);
                }
                Write::Create(_) | Write::Depend(..) => {}
            }
        }
        Err(message) => {
            assert!(!message.trim().is_empty(), "a refusal without a word");
            assert!(!message.contains("panicked"), "{message}");
            tally.refused += 1;
            *tally.reasons.entry(reason(&message)).or_default() += 1;
        }
    }
}

fn cli_writer(env: &TestEnv, me: usize, writes: usize, shared: &[String]) -> Tally {
    let agent = format!("agent-{me}");
    let mut rng = Rng(0x10ad + me as u64);
    let mut tally = Tally::default();
    for i in 0..writes {
        let w = pick_write(&mut rng, me, i, shared, &tally);
        let args: Vec<String> = match &w {
            Write::Create(t) => vec!["task".into(), "create".into(), t.clone()],
            Write::Note(id, t) => vec![
                "task".into(),
                "update".into(),
                id.clone(),
                "--note".into(),
                t.clone(),
            ],
            Write::Clarify(id, t) => vec!["task".into(), "clarify".into(), id.clone(), t.clone()],
            Write::Depend(id, on) => vec![
                "task".into(),
                "depend".into(),
                id.clone(),
                "--on".into(),
                on.clone(),
            ],
            Write::Claim(id) => vec!["task".into(), "claim".into(), id.clone(), "--force".into()],
            Write::Release(id) => vec!["task".into(), "release".into(), id.clone()],
            Write::Save(t) => vec![
                "context".into(),
                "save".into(),
                "--set".into(),
                format!("step={t}"),
            ],
            Write::Handoff(id, t) => vec!["handoff".into(), id.clone(), "--done".into(), t.clone()],
        };
        let mut full = vec!["--agent", agent.as_str()];
        full.extend(args.iter().map(String::as_str));
        let r = env.run(&full);
        let outcome = if r.code == 0 { Ok(()) } else { Err(r.stderr) };
        book(&mut tally, &w, outcome);
    }
    tally
}

fn mcp_writer(env: &TestEnv, me: usize, writes: usize, shared: &[String]) -> Tally {
    let agent = format!("agent-{me}");
    let mut wire = Wire::start_with(env, &["--agent", &agent], &[]);
    wire.initialize("load-test");
    let mut rng = Rng(0x10ad + me as u64);
    let mut tally = Tally::default();
    for i in 0..writes {
        let w = pick_write(&mut rng, me, i, shared, &tally);
        let (tool, args) = match &w {
            Write::Create(t) => ("orchestron_task_create", json!({"title": t})),
            Write::Note(id, t) => (
                "orchestron_task_update",
                json!({"taskId": id, "notes": [t]}),
            ),
            Write::Clarify(id, t) => ("orchestron_task_clarify", json!({"taskId": id, "text": t})),
            Write::Depend(id, on) => ("orchestron_task_depend", json!({"taskId": id, "on": on})),
            Write::Claim(id) => (
                "orchestron_task_claim",
                json!({"taskId": id, "force": true}),
            ),
            Write::Release(id) => (
                "orchestron_task_claim",
                json!({"taskId": id, "release": true}),
            ),
            Write::Save(t) => ("orchestron_context_save", json!({"context": {"step": t}})),
            Write::Handoff(id, t) => (
                "orchestron_handoff_prepare",
                json!({"taskId": id, "completedWork": t}),
            ),
        };
        let answer = wire.request(call(i as u64 + 10, tool, args));
        let result = &answer["result"];
        let outcome = if result["isError"] == Value::Bool(false) {
            Ok(())
        } else {
            Err(result["content"][0]["text"]
                .as_str()
                .map_or_else(|| answer.to_string(), str::to_string))
        };
        book(&mut tally, &w, outcome);
    }
    assert!(wire.close().success(), "server {me} exits cleanly");
    tally
}

/// Rewrites `files` in place (truncate, then write) as an editor saving
/// does, changing only their descriptions; returns how many saves it made.
fn editor(files: &[std::path::PathBuf], stop: &AtomicBool) -> usize {
    let mut saves = 0;
    while !stop.load(Ordering::Relaxed) {
        for f in files {
            let text = std::fs::read_to_string(f).unwrap();
            let kept: Vec<&str> = text
                .lines()
                .filter(|l| !l.starts_with("description:"))
                .collect();
            let edited = format!("{}\ndescription: edit {saves}\n", kept.join("\n"));
            std::fs::write(f, edited).unwrap();
            saves += 1;
        }
    }
    saves
}

#[test]
fn eight_mixed_writers_a_reader_and_an_editor_lose_nothing() {
    let writes = std::env::var("ORCHESTRON_LOAD_WRITES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let env = TestEnv::new();
    let shared: Vec<String> = (0..6)
        .map(|i| env.create(&[&format!("shared {i}")]))
        .collect();
    let edited: Vec<String> = (0..3)
        .map(|i| env.create(&[&format!("edited {i}")]))
        .collect();
    let edited_files: Vec<_> = edited.iter().map(|id| env.task_path(id)).collect();
    let stop = AtomicBool::new(false);
    let (tallies, saves, lists) = std::thread::scope(|s| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|me| {
                let (env, shared) = (&env, &shared);
                s.spawn(move || {
                    if me % 2 == 0 {
                        cli_writer(env, me, writes, shared)
                    } else {
                        mcp_writer(env, me, writes, shared)
                    }
                })
            })
            .collect();
        let (env_r, stop_r) = (&env, &stop);
        let reader = s.spawn(move || {
            let mut lists = 0;
            while !stop_r.load(Ordering::Relaxed) {
                let r = env_r.run(&["task", "list", "--limit", "0", "--json"]);
                assert_eq!(r.code, 0, "the reader failed: {}", r.stderr);
                serde_json::from_str::<Value>(&r.stdout).expect("list is JSON");
                lists += 1;
            }
            lists
        });
        let (files, stop_e) = (&edited_files, &stop);
        let editor = s.spawn(move || editor(files, stop_e));
        let tallies: Vec<Tally> = writers.into_iter().map(|w| w.join().unwrap()).collect();
        stop.store(true, Ordering::Relaxed);
        (tallies, editor.join().unwrap(), reader.join().unwrap())
    });
    let applied: usize = tallies.iter().map(|t| t.applied).sum();
    let refused: usize = tallies.iter().map(|t| t.refused).sum();
    assert_eq!(
        applied + refused,
        WRITERS * writes,
        "every write is counted"
    );
    // No lost update: every applied note and clarification is there, once.
    let mut found: BTreeMap<String, usize> = BTreeMap::new();
    for id in &shared {
        let t = env.json(&["task", "show", id]);
        for key in ["notes", "clarifications"] {
            for n in t[key].as_array().into_iter().flatten() {
                let text = n["text"].as_str().unwrap_or_default().to_string();
                *found.entry(text).or_default() += 1;
            }
        }
    }
    let mut lost = 0;
    for t in tallies.iter().flat_map(|t| &t.entries) {
        match found.get(t) {
            Some(1) => {}
            Some(n) => panic!("{t:?} written {n} times"),
            None => lost += 1,
        }
    }
    assert_eq!(lost, 0, "lost updates");
    let contexts = std::fs::read_dir(env.ws().join("contexts"))
        .unwrap()
        .count();
    let saved: usize = tallies.iter().map(|t| t.contexts).sum();
    assert_eq!(
        contexts, saved,
        "one snapshot file per applied save or handoff"
    );
    // No task held by two agents.
    let mut holders: BTreeMap<&String, usize> = BTreeMap::new();
    for (me, t) in tallies.iter().enumerate() {
        for id in &t.held {
            if let Some(other) = holders.insert(id, me) {
                panic!("{id} is held by agent-{other} and agent-{me}");
            }
            let shown = env.json(&["task", "show", id]);
            assert_eq!(shown["assignee"], format!("agent-{me}"), "{id}: {shown}");
        }
    }
    // The editor's last save is what the index shows.
    for (id, f) in edited.iter().zip(&edited_files) {
        let on_disk = env.read(f);
        let shown = env.json(&["task", "show", id]);
        let description = shown["description"].as_str().unwrap_or_default();
        assert!(
            on_disk.contains(&format!("description: {description}")),
            "{id}"
        );
    }
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(check.stdout.contains("0 error(s)"), "{}", check.stdout);
    assert_index_equals_a_fresh_rebuild(&env);
    let mut reasons: BTreeMap<&String, usize> = BTreeMap::new();
    for (why, n) in tallies.iter().flat_map(|t| &t.reasons) {
        *reasons.entry(why).or_default() += n;
    }
    eprintln!(
        "load: {WRITERS} writers x {writes} writes: {applied} applied, {refused} refused \
         ({reasons:?}), 0 lost; reader listed {lists} times, editor saved {saves} times; \
         peak child memory {} KiB",
        crate::common::children_peak_kib()
    );
}
