//! Many claimers at once — CLI processes and MCP sessions, in two worktrees of
//! one clone — and two `depend` calls that would close a cycle together.

use crate::common::TestEnv;
use crate::wire::{Wire, call};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Barrier;

/// What one claimer got.
#[derive(Debug, PartialEq)]
enum Got {
    Task(String),
    Nothing,
    Error(String),
}

fn cli_claim(env: &TestEnv, dir: &Path, agent: &str) -> Got {
    let out = env
        .command(crate::common::BIN)
        .current_dir(dir)
        .args(["--agent", agent, "task", "claim", "--json"])
        .output()
        .expect("run orchestron");
    if !out.status.success() {
        return Got::Error(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    match serde_json::from_slice::<Value>(&out.stdout) {
        Ok(Value::Null) => Got::Nothing,
        Ok(v) => Got::Task(v["task"]["id"].as_str().unwrap_or_default().to_string()),
        Err(e) => Got::Error(format!("not JSON: {e}")),
    }
}

fn mcp_claim(w: &mut Wire, id: u64) -> Got {
    let r = w.request(call(id, "orchestron_task_claim", json!({})));
    let result = &r["result"];
    if result["isError"] == true || r.get("error").is_some() {
        return Got::Error(r.to_string());
    }
    match &result["structuredContent"]["task"] {
        Value::Null => Got::Nothing,
        t => Got::Task(t["id"].as_str().unwrap_or_default().to_string()),
    }
}

#[test]
fn sixteen_claimers_in_two_worktrees_get_eight_distinct_tasks_and_eight_nothing_ready() {
    const ROUNDS: usize = 20;
    let env = TestEnv::new();
    let (_outside, second) = super::add_worktree(&env, "second");
    let dirs = [env.path().to_path_buf(), second.clone()];
    let mut every_winner: HashMap<String, String> = HashMap::new();
    for round in 0..ROUNDS {
        for i in 0..8 {
            env.create(&[&format!("round {round} task {i}")]);
        }
        env.git(&["add", "-A"]);
        env.git(&["commit", "-q", "-m", &format!("round {round}")]);
        let merge = env
            .command("git")
            .current_dir(&second)
            .args(["merge", "-q", "--no-edit", "main"])
            .output()
            .expect("git merge");
        assert!(
            merge.status.success(),
            "{}",
            String::from_utf8_lossy(&merge.stderr)
        );

        // 8 MCP sessions, half of them in the second worktree; new names each
        // round, since a claimer's own task in progress is ready for it.
        let mut sessions: Vec<Wire> = (0..8)
            .map(|i| {
                let root = dirs[i % 2].display().to_string();
                let mut w = Wire::start_with(&env, &[], &[("ORCHESTRON_ROOT", &root)]);
                w.initialize(&format!("mcp-{round}-{i}"));
                w
            })
            .collect();
        let barrier = Barrier::new(16);
        let results: Vec<(String, Got)> = std::thread::scope(|s| {
            let mut handles = Vec::new();
            for (i, w) in sessions.iter_mut().enumerate() {
                let barrier = &barrier;
                handles.push(s.spawn(move || {
                    barrier.wait();
                    (format!("mcp-{round}-{i}"), mcp_claim(w, 1))
                }));
            }
            for i in 0..8 {
                let (barrier, env, dir) = (&barrier, &env, &dirs[i % 2]);
                handles.push(s.spawn(move || {
                    let agent = format!("cli-{round}-{i}");
                    barrier.wait();
                    let got = cli_claim(env, dir, &agent);
                    (agent, got)
                }));
            }
            handles
                .into_iter()
                .map(|h| h.join().expect("claimer"))
                .collect()
        });
        for w in sessions {
            w.finish();
        }
        let errors: Vec<&(String, Got)> = results
            .iter()
            .filter(|(_, g)| matches!(g, Got::Error(_)))
            .collect();
        assert!(errors.is_empty(), "round {round}: errors {errors:?}");
        let won: Vec<(&String, &String)> = results
            .iter()
            .filter_map(|(who, g)| match g {
                Got::Task(id) => Some((who, id)),
                _ => None,
            })
            .collect();
        let distinct: HashSet<&String> = won.iter().map(|(_, id)| *id).collect();
        assert_eq!(won.len(), 8, "round {round}: 8 winners, got {results:?}");
        assert_eq!(
            distinct.len(),
            8,
            "round {round}: 0 tasks with two holders: {won:?}"
        );
        let nothing = results.iter().filter(|(_, g)| *g == Got::Nothing).count();
        assert_eq!(nothing, 8, "round {round}: 8 \"nothing ready\"");
        for (who, id) in won {
            assert!(
                every_winner.insert(id.clone(), who.clone()).is_none(),
                "round {round}: {id} was already held from an earlier round"
            );
        }
    }
    // The registry agrees, seen from either worktree: one holder per task.
    for (id, who) in &every_winner {
        let show = env.json(&["task", "show", id]);
        assert_eq!(show["claim"]["holder"], who.as_str(), "{id}");
    }
    assert_eq!(every_winner.len(), 8 * ROUNDS);
}

#[test]
fn a_task_held_in_another_worktree_shows_its_holder_and_branch_and_is_not_ready_there() {
    let w = super::closed::TwoWorktrees::new(1);
    let (env, id) = (&w.env, w.ids[0].clone());
    let in_second = |args: &[&str]| w.in_second(args);
    let r = in_second(&["--agent", "bob", "task", "claim", &id]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The main worktree's file still says TODO: the registry says otherwise.
    let show = env.json(&["task", "show", &id]);
    assert_eq!(show["status"], "TODO");
    assert_eq!(show["claim"]["holder"], "bob");
    assert_eq!(show["claim"]["branch"], "feature");
    assert!(
        show["claim"]["worktree"]
            .as_str()
            .unwrap()
            .ends_with("second")
    );
    let ready = env.json(&["--agent", "alice", "task", "list", "--ready"]);
    assert_eq!(ready["total"], 0, "held elsewhere is not ready: {ready}");
    assert!(
        env.ok(&["status"])
            .contains(&format!("{id}  bob (worktree"))
    );
    assert!(
        env.ok(&["task", "list"])
            .contains(&format!("{id} is claimed by bob"))
    );
    let r = env.run(&["--agent", "alice", "task", "claim", &id]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("held by bob (worktree"), "{}", r.stderr);
    assert!(r.stderr.contains("branch feature"), "{}", r.stderr);
    let r = env.run(&["--agent", "alice", "task", "claim", "--json"]);
    assert_eq!(r.stdout.trim(), "null", "nothing ready for alice");
}

#[test]
fn a_list_in_a_linked_worktree_shows_a_claim_taken_in_the_main_worktree() {
    // The other way round from the test above: the claim registry is found
    // from the linked work tree's `.git` file as from the main `.git` folder.
    let w = super::closed::TwoWorktrees::new(2);
    let (env, id) = (&w.env, w.ids[1].clone());
    let r = env.run(&["--agent", "carol", "task", "claim", &id]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = w.in_second(&["task", "list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(
        list.stdout
            .contains(&format!("{id} is claimed by carol (worktree ")),
        "{}",
        list.stdout
    );
    assert!(list.stdout.contains("branch main"), "{}", list.stdout);
    let show = w.in_second(&["task", "show", &id, "--json"]);
    let show: Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(show["claim"]["holder"], "carol");
}

#[test]
fn two_concurrent_depends_closing_a_cycle_one_is_refused() {
    let env = TestEnv::new();
    for round in 0..10 {
        let a = env.create(&[&format!("a{round}")]);
        let b = env.create(&[&format!("b{round}")]);
        let barrier = Barrier::new(2);
        let pairs = [(a.clone(), b.clone()), (b.clone(), a.clone())];
        let codes: Vec<i32> = std::thread::scope(|s| {
            let handles: Vec<_> = pairs
                .iter()
                .map(|(x, y)| {
                    let (env, barrier) = (&env, &barrier);
                    s.spawn(move || {
                        barrier.wait();
                        env.run(&["task", "depend", x, "--on", y]).code
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("depend"))
                .collect()
        });
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            vec![0, 5],
            "round {round}: one wins, one is refused"
        );
        let check = env.run(&["check"]);
        assert_eq!(check.code, 0, "no cycle on disk: {}", check.stdout);
    }
}
