//! `orchestron sync` over a real bare remote: four clones each do 50 mixed
//! operations (create, update, note, clarify, claim/release) in batches with a
//! sync after each batch, round-robin, then sync until quiescent — every
//! operation is then in every clone, `check` is clean everywhere, and no note
//! is lost. And a sync refuses, saying why, when it must not run.

mod contention;
mod staging;

use crate::claims::remote::Remote;
use crate::common::TestEnv;
use std::collections::BTreeMap;

const CLONES: usize = 4;
const BATCHES: usize = 5;
/// Operations per batch (10 × 5 batches = 50 per clone).
const OPS: usize = 10;

/// What every clone must show at the end.
#[derive(Default)]
struct Expected {
    /// Task title → (priority, progress) it must have.
    created: BTreeMap<String, (String, u64)>,
    /// Task id → note texts it must carry.
    notes: BTreeMap<String, Vec<String>>,
    /// Task id → clarification texts.
    clarifications: BTreeMap<String, Vec<String>>,
}

fn batch(env: &TestEnv, c: usize, b: usize, shared: &[String], exp: &mut Expected) -> usize {
    let agent = format!("agent{c}");
    let run = |args: &[&str]| {
        let mut a = vec!["--agent", agent.as_str()];
        a.extend_from_slice(args);
        env.ok(&a)
    };
    let mut ops = 0;
    let own: Vec<String> = (0..2)
        .map(|k| {
            let title = format!("clone {c} batch {b} task {k}");
            ops += 1;
            let id = env.create(&["--agent", &agent, &title]);
            exp.created.insert(title, ("MEDIUM".into(), 0));
            id
        })
        .collect();
    for k in 0..2 {
        let task = &shared[(c + b + k) % shared.len()];
        let text = format!("note from clone {c} batch {b} #{k}");
        run(&["task", "update", task, "--note", &text]);
        exp.notes.entry(task.clone()).or_default().push(text);
        ops += 1;
    }
    let task = &shared[(c * 3 + b) % shared.len()];
    let text = format!("clarified by clone {c} in batch {b}");
    run(&["task", "clarify", task, &text]);
    exp.clarifications
        .entry(task.clone())
        .or_default()
        .push(text);
    ops += 1;
    let (first, second) = (&own[0], &own[1]);
    run(&["task", "update", first, "--priority", "HIGH"]);
    exp.created
        .get_mut(&format!("clone {c} batch {b} task 0"))
        .unwrap()
        .0 = "HIGH".into();
    let text = format!("own note {c}/{b}");
    run(&["task", "update", second, "--note", &text]);
    exp.notes.entry(second.clone()).or_default().push(text);
    run(&["task", "claim", second]);
    run(&["task", "release", second]);
    run(&["task", "update", second, "--progress", "50"]);
    exp.created
        .get_mut(&format!("clone {c} batch {b} task 1"))
        .unwrap()
        .1 = 50;
    ops += 5;
    ops
}

#[test]
fn four_clones_doing_fifty_operations_each_with_sync_converge_and_lose_no_note() {
    let remote = Remote::new(4, false);
    let shared = remote.ids.clone();
    let clones: Vec<TestEnv> = (0..CLONES).map(|_| remote.clone()).collect();
    let mut exp = Expected::default();
    let mut ops = vec![0usize; CLONES];
    for b in 0..BATCHES {
        for (c, env) in clones.iter().enumerate() {
            ops[c] += batch(env, c, b, &shared, &mut exp);
            env.ok(&["sync"]);
        }
    }
    assert_eq!(ops, vec![BATCHES * OPS; CLONES]);
    // Until quiescent: a sync that pulls nothing and pushes nothing, everywhere.
    let mut rounds = 0;
    loop {
        rounds += 1;
        let reports: Vec<serde_json::Value> =
            clones.iter().map(|env| env.json(&["sync"])).collect();
        let moved = reports
            .iter()
            .any(|r| r["pulled"] == true || r["pushed"] == true || r.get("committed").is_some());
        if !moved {
            break;
        }
        assert!(rounds < 3, "sync does not settle: {reports:?}");
    }

    for (c, env) in clones.iter().enumerate() {
        let list = env.json(&["task", "list", "--limit", "0"]);
        let tasks = list["tasks"].as_array().expect("tasks");
        assert_eq!(
            tasks.len(),
            shared.len() + exp.created.len(),
            "clone {c}: every task"
        );
        for (title, (priority, progress)) in &exp.created {
            let t = tasks
                .iter()
                .find(|t| t["title"] == title.as_str())
                .unwrap_or_else(|| panic!("clone {c}: {title} missing"));
            assert_eq!(t["priority"], priority.as_str(), "clone {c}: {title}");
            assert_eq!(t["progress"], *progress, "clone {c}: {title}");
        }
        for (id, notes) in &exp.notes {
            let show = env.json(&["task", "show", id]);
            let texts: Vec<&str> = show["notes"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|n| n["text"].as_str())
                .collect();
            for n in notes {
                assert!(texts.contains(&n.as_str()), "clone {c}: {id} lost {n:?}");
            }
            let ours = texts
                .iter()
                .filter(|t| notes.iter().any(|n| n == *t))
                .count();
            assert_eq!(ours, notes.len(), "clone {c}: {id}: each note once");
        }
        for (id, texts) in &exp.clarifications {
            let show = env.json(&["task", "show", id]);
            let got: Vec<&str> = show["clarifications"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|n| n["text"].as_str())
                .collect();
            for t in texts {
                assert!(got.contains(&t.as_str()), "clone {c}: {id} lost {t:?}");
            }
        }
        assert_check_clean(env, &format!("clone {c}"));
    }
    let notes: usize = exp.notes.values().map(Vec::len).sum();
    assert_eq!(notes, CLONES * BATCHES * 3);
}

/// `orchestron check` in `env` finds nothing at all.
fn assert_check_clean(env: &TestEnv, what: &str) {
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{what}: {}", check.stdout);
    assert!(
        check.stdout.contains("0 error(s), 0 warning(s)"),
        "{what}: {}",
        check.stdout
    );
}

#[test]
fn sync_refuses_with_other_files_staged_or_without_an_upstream() {
    let remote = Remote::new(1, false);
    let env = remote.clone();
    std::fs::write(env.path().join("code.rs"), "fn main() {}\n").unwrap();
    env.git(&["add", "code.rs"]);
    let r = env.run(&["sync"]);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(
        r.stderr
            .contains("files outside the workspace folder are staged (code.rs)"),
        "{}",
        r.stderr
    );
    env.git(&["reset", "-q", "code.rs"]);
    env.git(&["checkout", "-q", "-b", "local-only"]);
    let r = env.run(&["sync"]);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(
        r.stderr.contains("branch local-only has no upstream"),
        "{}",
        r.stderr
    );
}

/// A clone whose pushes go to a second bare remote that has moved on: every
/// push loses the race (`fetch first`) while the pull sees nothing new.
fn pushes_always_lose(remote: &Remote) -> (TestEnv, tempfile::TempDir) {
    let env = remote.clone();
    let moved = tempfile::tempdir().unwrap();
    let moved_path = moved.path().to_str().unwrap();
    remote
        .seed
        .git(&["init", "-q", "--bare", "-b", "main", moved_path]);
    remote
        .seed
        .git(&["commit", "-q", "--allow-empty", "-m", "elsewhere"]);
    remote.seed.git(&["push", "-q", moved_path, "main"]);
    remote.seed.git(&["reset", "-q", "--hard", "HEAD~1"]);
    env.git(&["remote", "set-url", "--push", "origin", moved_path]);
    (env, moved)
}

#[test]
fn a_sync_that_keeps_losing_the_race_gives_up_at_its_timeout_keeping_the_commit() {
    let remote = Remote::new(1, false);
    let (env, _moved) = pushes_always_lose(&remote);
    env.create(&["Made while origin keeps moving"]);
    let r = env.run(&["sync", "--timeout", "1s"]);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(
        r.stderr.contains("origin kept moving: gave up after")
            && r.stderr.contains("attempts in 1s (--timeout 1s)")
            && r.stderr.contains("nothing was lost"),
        "{}",
        r.stderr
    );
    let attempts: u32 = r
        .stderr
        .split("gave up after ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a count of attempts");
    assert!(attempts >= 2, "it retried: {}", r.stderr);
    let subject = env.git(&["log", "-1", "--format=%s"]);
    assert!(
        subject.starts_with("orchestron sync: 1 record"),
        "{subject}"
    );
    assert_eq!(
        env.git(&["status", "--porcelain"]),
        "",
        "the work tree is clean"
    );
    let r = env.run(&["sync", "--timeout", "soon"]);
    assert_eq!(r.code, 4, "{r:?}");
    assert!(
        r.stderr.contains("invalid --timeout \"soon\""),
        "{}",
        r.stderr
    );
}

#[test]
fn a_push_the_remote_refuses_is_not_retried_as_a_lost_race() {
    let remote = Remote::new(1, false);
    let hook = remote.bare.path().join("hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\necho no pushes today >&2\nexit 1\n").unwrap();
    let mut perms = std::fs::metadata(&hook).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&hook, perms).unwrap();
    let env = remote.clone();
    env.create(&["Refused upstream"]);
    let r = env.run(&["sync"]);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(
        r.stderr
            .contains("origin refused the push ([remote rejected] (pre-receive hook declined))"),
        "{}",
        r.stderr
    );
}
