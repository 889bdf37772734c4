//! Every reader against every hostile file, one file at a time, each run
//! under a deadline: `check`, `task list`, `task show`, `task history`,
//! `diff`, the merge driver, and the MCP server's tools and resources (whose
//! refreshes come from its file watcher). Besides the byte corpus of
//! `hostile.rs`, the files that are not files: a FIFO, a device, a socket, a
//! directory, symbolic links out of the workspace, dangling or looping. Each
//! case is reported at `path:line:col` or refused by name; nothing hangs,
//! nothing crashes, the valid record stays usable, and the peak memory of
//! every process stays bounded.

use crate::common::TestEnv;
use crate::hostile::{VALID, corpus, tolerated};
use crate::wire::{Wire, call};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

/// Far above what any reader needs here; a hang shows up as a failure.
const DEADLINE: Duration = Duration::from_secs(30);

/// No process may need more than this (KiB), whatever the file.
const MEMORY_BOUND_KIB: u64 = 256 * 1024;

/// How a non-file case is set up, and the phrase its refusal must contain.
type Special = (&'static str, fn(&Path, &Path), &'static str);

fn specials() -> Vec<Special> {
    fn fifo(at: &Path, _: &Path) {
        let c = std::ffi::CString::new(at.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
    }
    fn device(at: &Path, _: &Path) {
        // /dev/zero's numbers (1, 5): reading it would never end.
        let c = std::ffi::CString::new(at.to_str().unwrap()).unwrap();
        let r = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o644, libc::makedev(1, 5)) };
        assert_eq!(r, 0, "mknod: {}", std::io::Error::last_os_error());
    }
    fn socket(at: &Path, _: &Path) {
        let l = std::os::unix::net::UnixListener::bind(at).unwrap();
        std::mem::forget(l);
    }
    fn directory(at: &Path, _: &Path) {
        std::fs::create_dir(at).unwrap();
        std::fs::write(at.join("inner.yaml"), VALID).unwrap();
    }
    fn link_out(at: &Path, outside: &Path) {
        let target = outside.join("secret.yaml");
        std::fs::write(&target, "id: TASK-linkout\ntitle: secret\n").unwrap();
        std::os::unix::fs::symlink(target, at).unwrap();
    }
    fn link_dev(at: &Path, _: &Path) {
        std::os::unix::fs::symlink("/dev/zero", at).unwrap();
    }
    fn dangling(at: &Path, outside: &Path) {
        std::os::unix::fs::symlink(outside.join("gone.yaml"), at).unwrap();
    }
    fn looping(at: &Path, _: &Path) {
        let other = at.with_file_name("TASK-loopb.yaml");
        std::os::unix::fs::symlink(&other, at).unwrap();
        std::os::unix::fs::symlink(at, other).unwrap();
    }
    vec![
        ("TASK-fifo", fifo, "FIFO"),
        ("TASK-device", device, "a device"),
        ("TASK-socket", socket, "a socket"),
        ("TASK-dir", directory, "a directory"),
        ("TASK-linkout", link_out, "outside the workspace folder"),
        ("TASK-linkdev", link_dev, "outside the workspace folder"),
        ("TASK-dangling", dangling, "cannot read the file"),
        ("TASK-loopa", looping, "cannot read the file"),
    ]
}

fn remove(path: &Path) {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path).unwrap(),
        Ok(_) => std::fs::remove_file(path).unwrap(),
        Err(_) => {}
    }
}

/// The readers that take a record's id or a file, for one case; returns the
/// largest peak memory seen.
fn run_readers(env: &TestEnv, wire: &mut Wire, name: &str, bytes: Option<&[u8]>) -> u64 {
    let stem = name.trim_end_matches(".yaml");
    let mut peak = 0;
    let mut run = |args: &[&str]| {
        let (r, kib) = env.run_within(args, DEADLINE);
        peak = peak.max(kib);
        assert!(
            !r.stderr.contains("panicked"),
            "{name}: {args:?} panicked:\n{}",
            r.stderr
        );
        r
    };
    let list = run(&["task", "list", "--limit", "0", "--json"]);
    assert_eq!(list.code, 0, "{name}: {}", list.stderr);
    assert!(
        list.stdout.contains("TASK-good1"),
        "{name}: {}",
        list.stdout
    );
    let show = run(&["task", "show", stem]);
    if show.code != 0 {
        assert!(!show.stderr.is_empty(), "{name}: a refusal says why");
    }
    run(&["task", "history", stem]);
    let diff = run(&["diff", "HEAD~1..HEAD", "--json"]);
    assert_eq!(diff.code, 0, "{name}: {}", diff.stderr);
    // Against the work tree, the file is read through the store's record
    // reader: shown, or refused naming the file (a symlink loop names
    // either of its two) — never a hang.
    let work_tree = run(&["diff", "--json"]);
    assert!(
        work_tree.code == 0 || work_tree.stderr.contains("tasks/TASK-"),
        "{name}: {}",
        work_tree.stderr
    );
    if let Some(bytes) = bytes {
        let dir = tempfile::tempdir().unwrap();
        let (base, ours, theirs) = (
            dir.path().join("base"),
            dir.path().join("ours"),
            dir.path().join("theirs"),
        );
        std::fs::write(&base, VALID).unwrap();
        std::fs::write(&ours, bytes).unwrap();
        std::fs::write(&theirs, VALID.replace("Valid task", "Theirs")).unwrap();
        let path = format!(".orchestron/tasks/{name}");
        let merged = run(&[
            "merge-driver",
            base.to_str().unwrap(),
            ours.to_str().unwrap(),
            theirs.to_str().unwrap(),
            &path,
        ]);
        assert!(merged.code >= 0, "{name}: the merge driver was killed");
    }
    // The server learns of the file from its watcher.
    for (n, request) in [
        call(1, "orchestron_task_list", json!({"limit": 0})),
        call(2, "orchestron_task_get", json!({"taskId": stem})),
        json!({"jsonrpc": "2.0", "id": 3, "method": "resources/read",
               "params": {"uri": format!("orchestron://tasks/{stem}")}}),
    ]
    .into_iter()
    .enumerate()
    {
        let answer = wire.request(request);
        assert!(
            answer.get("result").is_some() || answer.get("error").is_some(),
            "{name}: MCP request {n}: {answer}"
        );
    }
    peak
}

/// The `check` lines for a case: at least one, at a line, or naming `phrase`.
fn assert_reported(env: &TestEnv, name: &str, line: usize, phrase: &str) -> u64 {
    let (check, kib) = env.run_within(&["check"], DEADLINE);
    let prefix = format!(".orchestron/tasks/{name}:").replace("tasks/../", "");
    let found: Vec<&str> = check
        .stdout
        .lines()
        .filter(|l| l.starts_with(&prefix))
        .collect();
    assert!(!found.is_empty(), "{name} not reported:\n{}", check.stdout);
    assert!(
        found.iter().all(|l| {
            let mut parts = l[prefix.len()..].split(':');
            parts.next().is_some_and(|n| n.parse::<usize>().is_ok())
                && parts.next().is_some_and(|n| n.parse::<usize>().is_ok())
        }),
        "{name}: every report is path:line:col: {found:?}"
    );
    if line > 0 || !phrase.is_empty() {
        let at = format!("{prefix}{line}:");
        assert!(
            found
                .iter()
                .any(|l| (line == 0 || l.starts_with(&at)) && l.contains(phrase)),
            "{name}: expected line {line} and {phrase:?}, got {found:?}"
        );
    }
    kib
}

#[test]
fn every_reader_survives_every_hostile_file_within_a_deadline() {
    let env = TestEnv::new();
    let outside = tempfile::tempdir().unwrap();
    let tasks = env.ws().join("tasks");
    std::fs::write(tasks.join("TASK-good1.yaml"), VALID).unwrap();
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "valid"]);
    let mut wire = Wire::start_with(&env, &[], &[]);
    wire.initialize("hostile-test");
    let mut peak = 0;
    let mut cases = 0;
    let commit = |msg: &str| {
        env.git(&["add", "-A"]);
        env.git(&["commit", "-q", "--allow-empty", "-m", msg]);
    };
    for (name, bytes, line, phrase) in corpus() {
        let path = tasks.join(&name);
        std::fs::write(&path, &bytes).unwrap();
        commit(&name);
        peak = peak.max(assert_reported(&env, &name, line, phrase));
        peak = peak.max(run_readers(&env, &mut wire, &name, Some(&bytes)));
        remove(&path);
        commit("removed");
        cases += 1;
    }
    for (stem, make, phrase) in specials() {
        let name = format!("{stem}.yaml");
        let path = tasks.join(&name);
        make(&path, outside.path());
        commit(&name);
        peak = peak.max(assert_reported(&env, &name, 1, phrase));
        peak = peak.max(run_readers(&env, &mut wire, &name, None));
        remove(&path);
        remove(&tasks.join("TASK-loopb.yaml"));
        commit("removed");
        cases += 1;
    }
    for (name, bytes) in tolerated() {
        let path = tasks.join(&name);
        std::fs::write(&path, &bytes).unwrap();
        commit(&name);
        let stem = name.trim_end_matches(".yaml");
        let shown = env.json(&["task", "show", stem]);
        assert_eq!(shown["id"], stem, "{name}: {shown}");
        // And it can be edited: the note lands, the file still loads.
        env.ok(&["task", "update", stem, "--note", "edited"]);
        let shown = env.json(&["task", "show", stem]);
        let notes = shown["notes"].as_array().unwrap();
        assert_eq!(notes.last().unwrap()["text"], "edited", "{name}: {shown}");
        peak = peak.max(run_readers(&env, &mut wire, &name, Some(&bytes)));
        remove(&path);
        commit("removed");
        cases += 1;
    }
    let closed = wire.close();
    assert!(closed.success(), "the server survived every case: {closed}");
    eprintln!("hostile cases through every reader: {cases}, peak memory {peak} KiB");
    assert!(cases >= 40, "{cases} cases");
    assert!(peak < MEMORY_BOUND_KIB, "peak memory {peak} KiB");
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn a_symlinked_workspace_folder_pointing_outside_the_project_is_refused() {
    let env = TestEnv::bare();
    let elsewhere = TestEnv::new();
    std::os::unix::fs::symlink(elsewhere.ws(), env.path().join(".orchestron")).unwrap();
    let r = env.run(&["task", "list"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stderr.contains("symbolic link") && r.stderr.contains("outside"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_file_rewritten_while_it_is_read_is_either_whole_or_reported() {
    let env = TestEnv::new();
    let id = env.create(&["Churn"]);
    let path = env.task_path(&id);
    let good = env.read(&path);
    let broken = good.replace("status: TODO", "status: [unclosed");
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        // A human-style editor that saves in place (truncate, then write),
        // so readers can see an empty, a half or a whole file.
        let editor = s.spawn(|| {
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let text = if n.is_multiple_of(2) { &good } else { &broken };
                std::fs::write(&path, text).unwrap();
                n += 1;
            }
            n
        });
        for _ in 0..15 {
            let (r, _) = env.run_within(&["task", "show", &id, "--json"], DEADLINE);
            assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
            if r.code == 0 {
                let v: Value = serde_json::from_str(&r.stdout).unwrap();
                assert_eq!(v["id"], id.as_str());
            } else {
                assert!(r.stderr.contains(&format!("{id}.yaml")), "{}", r.stderr);
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(editor.join().unwrap() > 0);
    });
    std::fs::write(&path, &good).unwrap();
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}
