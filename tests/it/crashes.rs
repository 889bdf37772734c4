//! Writers that die: a CLI write killed with SIGKILL at seeded random points,
//! a server killed with requests in flight, the temporary file a killed write
//! leaves. Afterwards every record parses, no temporary file is taken for a
//! record or seen by git, the next command removes what was left (but never a
//! live writer's file), no lock outlives its process, and the index answers
//! what a fresh rebuild answers.
//!
//! `ORCHESTRON_CRASH_WRITES` (default 60) sets how many writes the kill run
//! makes, `ORCHESTRON_CRASH_SEED` its seed; docs/RELIABILITY.md has the long run.

use crate::common::{BIN, TestEnv, assert_index_equals_a_fresh_rebuild};
use crate::rng::Rng;
use crate::wire::{Wire, call};
use serde_json::json;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// The temporary files (ours, and anything else hidden) in the record folders.
fn hidden_files(ws: &Path) -> Vec<PathBuf> {
    ["tasks", "sprints", "contexts"]
        .iter()
        .filter_map(|d| std::fs::read_dir(ws.join(d)).ok())
        .flat_map(|entries| entries.flatten())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect()
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn a_temp_file_left_by_a_killed_write_is_git_ignored_and_removed_by_the_next_command() {
    let env = TestEnv::new();
    let id = env.create(&["Kept"]);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "task"]);
    // Exactly what a write killed between its temp file and the rename leaves.
    let temp = env.ws().join(format!("tasks/.{id}.yaml.k1ll3d00.tmp"));
    std::fs::write(&temp, "id: half a rec").unwrap();
    let status = env.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(status, "", "git must not see the temporary file");
    let list = env.json(&["task", "list", "--limit", "0"]);
    assert_eq!(list["tasks"].as_array().unwrap().len(), 1, "{list}");
    assert!(
        !temp.exists(),
        "the next command removes the stale temp file"
    );
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn a_temp_file_is_kept_while_another_process_holds_the_lock() {
    let env = TestEnv::new();
    let id = env.create(&["Kept"]);
    // An old file, indexed: the next read needs no lock of its own.
    let old = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let file = std::fs::File::options()
        .write(true)
        .open(env.task_path(&id))
        .unwrap();
    file.set_modified(old).unwrap();
    env.ok(&["task", "list"]);
    let temp = env.ws().join("tasks/.TASK-livew.yaml.l1ve0000.tmp");
    std::fs::write(&temp, "being written").unwrap();
    // Another process (this one) holds the workspace lock, as a live writer
    // does while its temporary file exists.
    let lock = std::fs::File::open(env.ws().join("cache/write.lock")).unwrap();
    lock.lock().unwrap();
    env.ok(&["task", "list"]);
    assert!(
        temp.exists(),
        "a possibly live writer's temp file was removed"
    );
    lock.unlock().unwrap();
    env.ok(&["task", "list"]);
    assert!(
        !temp.exists(),
        "once the lock is free the temp file is stale"
    );
}

/// One write of the kill run: its arguments and the note it adds (if any).
fn write_args(rng: &mut Rng, i: usize, tasks: &[String]) -> (Vec<String>, Option<String>) {
    let task = rng.pick(tasks).clone();
    let s = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    match rng.below(5) {
        0 => (s(&["task", "create", &format!("crash {i}")]), None),
        1 => {
            let status = *rng.pick(&["todo", "in_progress", "in_review"]);
            (s(&["task", "update", &task, "--status", status]), None)
        }
        2 => {
            let text = format!("clarified {i}");
            (s(&["task", "clarify", &task, &text]), Some(text))
        }
        _ => {
            let text = format!("note {i}");
            (s(&["task", "update", &task, "--note", &text]), Some(text))
        }
    }
}

/// The notes and clarifications of `tasks`, as texts.
fn entries(env: &TestEnv, tasks: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for id in tasks {
        let t = env.json(&["task", "show", id]);
        for key in ["notes", "clarifications"] {
            for n in t[key].as_array().into_iter().flatten() {
                out.push(n["text"].as_str().unwrap_or_default().to_string());
            }
        }
    }
    out
}

#[test]
fn writers_killed_at_seeded_random_points_leave_every_record_whole() {
    let writes = env_number("ORCHESTRON_CRASH_WRITES", 60) as usize;
    let seed = env_number("ORCHESTRON_CRASH_SEED", 0x15c0_ffee);
    let mut rng = Rng(seed);
    let env = TestEnv::new();
    let tasks: Vec<String> = (0..4)
        .map(|i| env.create(&[&format!("target {i}")]))
        .collect();
    // How long one write takes here: kill points are spread over it.
    let started = Instant::now();
    env.ok(&["task", "update", &tasks[0], "--note", "calibration"]);
    let span = started.elapsed().as_micros().max(1000) as u64;
    let mut applied: Vec<String> = vec!["calibration".into()];
    let mut killed: Vec<String> = Vec::new();
    let (mut kills, mut temps_left) = (0, 0);
    for i in 0..writes {
        let (args, text) = write_args(&mut rng, i, &tasks);
        let mut cmd = env.command(BIN);
        cmd.args(&args)
            .env("ORCHESTRON_LOCK_WAIT_MS", "5000")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("spawn a writer");
        let kill = rng.chance(60);
        if kill {
            // The kill point, not a synchronisation: the seeded delay lands
            // anywhere from start-up to after the rename.
            std::thread::sleep(Duration::from_micros(rng.next() % (span * 6 / 5)));
            let _ = child.kill();
        }
        let status = child.wait().expect("wait for a writer");
        match (status.code(), text) {
            (Some(0), Some(t)) => applied.push(t),
            (Some(0), None) => {}
            (None, t) => {
                kills += 1;
                killed.extend(t);
                temps_left += hidden_files(&env.ws()).len();
            }
            (Some(code), _) => panic!("write {i} {args:?} refused with exit {code}"),
        }
    }
    eprintln!(
        "kill run: {writes} writes, {kills} killed, {} completed, \
         {temps_left} temp files left by kills, seed {seed:#x}, peak child memory {} KiB",
        writes - kills,
        crate::common::children_peak_kib()
    );
    // The next command heals everything: the lock is free, the temp files go.
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}\n{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("0 error(s)"),
        "every record parses: {}",
        check.stdout
    );
    assert_eq!(hidden_files(&env.ws()), Vec::<PathBuf>::new());
    let untracked = env.git(&["status", "--porcelain", "--untracked-files=all"]);
    assert!(!untracked.contains(".tmp"), "{untracked}");
    // Every completed write is there exactly once; a killed one at most once.
    let found = entries(&env, &tasks);
    let unique: HashSet<&String> = found.iter().collect();
    assert_eq!(unique.len(), found.len(), "an entry was written twice");
    for t in &applied {
        assert!(unique.contains(t), "completed write lost: {t}");
    }
    let allowed: HashSet<&String> = applied.iter().chain(&killed).collect();
    assert!(unique.iter().all(|t| allowed.contains(t)));
    assert_index_equals_a_fresh_rebuild(&env);
}

#[test]
fn a_server_killed_with_requests_in_flight_leaves_the_workspace_usable() {
    let env = TestEnv::new();
    let id = env.create(&["Served"]);
    let mut wire = Wire::start_with(&env, &[], &[]);
    wire.initialize("crash-test");
    // One answered write, then a burst the server is still working through
    // when it is killed.
    let first = wire.request(call(
        1,
        "orchestron_task_update",
        json!({"taskId": id, "notes": ["answered"]}),
    ));
    assert_eq!(first["result"]["isError"], false, "{first}");
    wire.kill_after_sending((2..40).map(|n| {
        call(
            n,
            "orchestron_task_update",
            json!({"taskId": id, "notes": [format!("in flight {n}")]}),
        )
    }));
    // No lock outlives the server: a write with a short wait goes through.
    let r = env.run_with(
        &["task", "update", &id, "--note", "after the kill"],
        &[("ORCHESTRON_LOCK_WAIT_MS", "2000")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(hidden_files(&env.ws()), Vec::<PathBuf>::new());
    let notes = entries(&env, std::slice::from_ref(&id));
    assert!(notes.contains(&"answered".to_string()), "{notes:?}");
    assert!(notes.contains(&"after the kill".to_string()), "{notes:?}");
    assert_index_equals_a_fresh_rebuild(&env);
}
