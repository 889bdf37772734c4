//! `orchestron sync` under contention: many clones of one bare remote, started
//! together behind a barrier, each doing operations (create or update a task)
//! with a sync after every one. Every sync gets through (the retry is bounded
//! by time, with backoff and jitter, not by a count of lost races), and the
//! remote ends with every created task exactly once and every update.

use crate::claims::remote::Remote;
use crate::common::{BIN, Run, TestEnv, to_run};
use std::collections::BTreeMap;
use std::sync::Barrier;

/// What one clone did: the tasks it created (title → id), the notes it
/// wrote (task id → texts), the progress it left on its own tasks, and the
/// sync runs (operation, result).
#[derive(Default)]
struct Done {
    created: BTreeMap<String, String>,
    notes: BTreeMap<String, Vec<String>>,
    progress: BTreeMap<String, u64>,
    syncs: Vec<(usize, Run)>,
}

fn run(env: &TestEnv, agent: &str, args: &[&str]) -> Run {
    let mut c = env.command(BIN);
    c.args(["--agent", agent]).args(args);
    to_run(c.output().expect("run orchestron"))
}

/// Clone `c`'s operations: even ones create a task, odd ones update one —
/// alternately its own latest task (progress and a note) and a task every
/// clone updates (a note: the merge driver merges them) — each followed by
/// `orchestron sync`.
fn operate(env: &TestEnv, c: usize, ops: usize, shared: &[String], start: &Barrier) -> Done {
    let agent = format!("agent{c}");
    let mut done = Done::default();
    start.wait();
    for k in 0..ops {
        let own = done.created.values().last().cloned();
        match (k % 4, own) {
            (1, Some(id)) => {
                let text = format!("clone {c} updates its task at op {k}");
                let progress = (k * 5).to_string();
                let r = run(
                    env,
                    &agent,
                    &[
                        "task",
                        "update",
                        &id,
                        "--progress",
                        &progress,
                        "--note",
                        &text,
                    ],
                );
                assert_eq!(r.code, 0, "clone {c} op {k}: {r:?}");
                done.notes.entry(id.clone()).or_default().push(text);
                done.progress.insert(id, k as u64 * 5);
            }
            (3, _) => {
                let id = &shared[(c + k) % shared.len()];
                let text = format!("clone {c} notes a shared task at op {k}");
                let r = run(env, &agent, &["task", "update", id, "--note", &text]);
                assert_eq!(r.code, 0, "clone {c} op {k}: {r:?}");
                done.notes.entry(id.clone()).or_default().push(text);
            }
            _ => {
                let title = format!("clone {c} op {k}");
                let r = run(env, &agent, &["--json", "task", "create", &title]);
                assert_eq!(r.code, 0, "clone {c} op {k}: {r:?}");
                let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
                let id = v["id"].as_str().expect("id").to_string();
                done.created.insert(title, id);
            }
        }
        done.syncs.push((k, run(env, &agent, &["sync"])));
    }
    done
}

/// `clones` clones × `ops` operations at once against one bare remote; then
/// every sync succeeded and a fresh clone holds everything exactly once.
fn contend(clones: usize, ops: usize) {
    let remote = Remote::new(3, false);
    let shared = remote.ids.clone();
    let envs: Vec<TestEnv> = (0..clones).map(|_| remote.clone()).collect();
    let start = Barrier::new(clones);
    let dones: Vec<Done> = std::thread::scope(|s| {
        let handles: Vec<_> = envs
            .iter()
            .enumerate()
            .map(|(c, env)| {
                let (shared, start) = (&shared, &start);
                s.spawn(move || operate(env, c, ops, shared, start))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (c, done) in dones.iter().enumerate() {
        assert_eq!(done.syncs.len(), ops, "clone {c}");
        for (k, r) in &done.syncs {
            assert_eq!(r.code, 0, "clone {c}: the sync after op {k} failed: {r:?}");
        }
    }
    for env in &envs {
        env.ok(&["sync"]);
    }

    let fresh = remote.clone();
    let list = fresh.json(&["task", "list", "--limit", "0"]);
    let tasks = list["tasks"].as_array().expect("tasks");
    let mut ids: Vec<&str> = tasks.iter().filter_map(|t| t["id"].as_str()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "no duplicate ids");
    let created: usize = dones.iter().map(|d| d.created.len()).sum();
    assert_eq!(tasks.len(), shared.len() + created, "every task, once");
    for done in &dones {
        for (title, id) in &done.created {
            let same: Vec<_> = tasks
                .iter()
                .filter(|t| t["title"] == title.as_str())
                .collect();
            assert_eq!(same.len(), 1, "{title} exactly once");
            assert_eq!(same[0]["id"], id.as_str(), "{title}");
        }
        for (id, progress) in &done.progress {
            let t = tasks.iter().find(|t| t["id"] == id.as_str()).expect(id);
            assert_eq!(t["progress"], *progress, "{id}: the last progress");
        }
    }
    let mut notes: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for done in &dones {
        for (id, texts) in &done.notes {
            notes
                .entry(id)
                .or_default()
                .extend(texts.iter().map(String::as_str));
        }
    }
    for (id, texts) in &notes {
        let show = fresh.json(&["task", "show", id]);
        let got: Vec<&str> = show["notes"]
            .as_array()
            .expect("notes")
            .iter()
            .filter_map(|n| n["text"].as_str())
            .collect();
        for t in texts {
            let n = got.iter().filter(|g| *g == t).count();
            assert_eq!(n, 1, "{id}: the note {t:?} exactly once: {got:?}");
        }
    }
    super::assert_check_clean(&fresh, "a fresh clone");
}

#[test]
fn four_clones_syncing_after_each_of_fifteen_operations_at_once_all_get_through() {
    contend(4, 15);
}

#[test]
fn eight_clones_syncing_after_each_of_ten_operations_at_once_all_get_through() {
    contend(8, 10);
}
