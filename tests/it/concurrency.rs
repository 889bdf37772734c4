//! Several writer processes at once: the workspace lock and atomic writes must
//! lose no update, mint no duplicate id and leave no corrupt file.

use crate::common::TestEnv;
use std::collections::HashSet;

#[test]
fn eight_processes_creating_and_noting_lose_nothing() {
    const PROCS: usize = 8;
    const EACH: usize = 25;
    let env = TestEnv::new();
    let shared = env.create(&["Shared task"]);
    std::thread::scope(|s| {
        for p in 0..PROCS {
            let env = &env;
            let shared = &shared;
            s.spawn(move || {
                let agent = format!("agent-{p}");
                for i in 0..EACH {
                    let r = env.run(&[
                        "--agent",
                        &agent,
                        "task",
                        "create",
                        &format!("p{p} task {i}"),
                    ]);
                    assert_eq!(r.code, 0, "{}", r.stderr);
                    let r = env.run(&[
                        "--agent",
                        &agent,
                        "task",
                        "update",
                        shared,
                        "--note",
                        &format!("p{p} note {i}"),
                    ]);
                    assert_eq!(r.code, 0, "{}", r.stderr);
                }
            });
        }
    });
    let files = std::fs::read_dir(env.ws().join("tasks")).unwrap().count();
    assert_eq!(
        files,
        PROCS * EACH + 1,
        "one file per task, no temporaries left"
    );
    let list = env.json(&["task", "list", "--limit", "0"]);
    let ids: HashSet<&str> = list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), PROCS * EACH + 1);
    let task = env.json(&["task", "show", &shared]);
    let notes: HashSet<&str> = task["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), PROCS * EACH, "every note kept exactly once");
    for p in 0..PROCS {
        for i in 0..EACH {
            assert!(notes.contains(format!("p{p} note {i}").as_str()));
        }
    }
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(
        check.stdout.contains("0 error(s), 0 warning(s)"),
        "{}",
        check.stdout
    );
}

/// How many times a CLI command took the workspace lock from the OS (the
/// store logs each time it does, not each re-entry), with a hand edit of
/// `task` made just before, so that the command's refresh has a file to
/// read under the lock.
fn workspace_locks(env: &TestEnv, task: &str, n: usize, args: &[&str]) -> usize {
    let path = env.task_path(task);
    let text = env.read(&path);
    let edited = text.replacen("title: ", &format!("title: edited by hand {n}, "), 1);
    assert_ne!(text, edited);
    std::fs::write(&path, edited).unwrap();
    let r = env.run_with(args, &[("RUST_LOG", "orchestron=debug")]);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r.stderr
        .lines()
        .filter(|l| l.contains("took the lock") && l.contains("write.lock"))
        .count()
}

/// Every CLI command that writes holds the workspace lock once across its
/// refresh and its write (it took it twice: for the refresh that read a
/// changed file, then for the write), and the hand edit its refresh read is
/// in the index it wrote from.
#[test]
fn a_cli_write_takes_the_workspace_lock_once() {
    let env = TestEnv::new();
    let t = env.create(&["Locked once"]);
    let other = env.create(&["Waited for"]);
    let export = env.path().join("export.json");
    std::fs::write(&export, env.ok(&["export", "--json"])).unwrap();
    let export = export.to_str().unwrap();
    let writes: &[&[&str]] = &[
        &["task", "create", "Another"],
        &[
            "task",
            "update",
            &t,
            "--progress",
            "40",
            "--note",
            "counted",
        ],
        &["task", "clarify", &t, "which one?"],
        &["task", "priority", &t, "--set", "HIGH"],
        &["task", "depend", &t, "--on", &other],
        &["task", "claim", &t, "--force"],
        &["task", "release", &t],
        &["sprint", "create", "Sprint one"],
        &["sprint", "start", "Sprint one"],
        &["sprint", "close", "Sprint one"],
        &["context", "save", "--notes", "saved", "--task", &t],
        &["handoff", &t, "--done", "the lock", "--remaining", "docs"],
        &["archive", "--dry-run"],
        &["import", "json", export],
    ];
    for (n, args) in writes.iter().enumerate() {
        assert_eq!(workspace_locks(&env, &t, n, args), 1, "{args:?}");
    }
    let shown = env.json(&["task", "show", &t]);
    let title = shown["title"].as_str().unwrap();
    assert!(title.starts_with("edited by hand 13, "), "{title}");
    let listed = env.json(&["task", "list", "--query", "hand 13"]);
    assert_eq!(listed["total"], 1, "{listed}");
}

/// The commands that read the archive too (export, check, archive and its
/// restore, import) go over the record files once: one stat pass of the live
/// and the archived files together, under one hold of the lock (they ran a
/// live pass, then a second one with the archive). The one pass still sees a
/// hand edit of a live and of an archived file.
#[test]
fn an_archive_reading_command_stats_the_files_once() {
    let env = TestEnv::new();
    let done = env.create(&["Archived"]);
    let live = env.create(&["Live"]);
    env.ok(&["task", "update", &done, "--status", "DONE"]);
    env.ok(&["archive", "--before", "2099-01-01"]);
    let archived = env.ws().join("archive/tasks").join(format!("{done}.yaml"));
    let export = env.path().join("export.json");
    std::fs::write(&export, env.ok(&["export", "--json"])).unwrap();
    let export = export.to_str().unwrap();
    let commands: &[&[&str]] = &[
        &["export", "--json"],
        &["check"],
        &["archive", "--dry-run"],
        &["archive", "--restore", &done, "--dry-run"],
        &["import", "json", export],
    ];
    for (n, args) in commands.iter().enumerate() {
        for (path, what) in [(&archived, "archived"), (&env.task_path(&live), "live")] {
            let text = env.read(path);
            let edited = text.replacen("title: ", &format!("title: {what} edit {n}, "), 1);
            std::fs::write(path, edited).unwrap();
        }
        let r = env.run_with(args, &[("RUST_LOG", "orchestron=debug")]);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let count = |a: &str, b: &str| {
            let lines = r.stderr.lines();
            lines.filter(|l| l.contains(a) && l.contains(b)).count()
        };
        let passes = count("stat pass", "archive included: true");
        assert_eq!(passes, 1, "{args:?}: {}", r.stderr);
        assert_eq!(count("stat pass", "false"), 0, "{args:?}: {}", r.stderr);
        assert_eq!(
            count("took the lock", "write.lock"),
            1,
            "{args:?}: {}",
            r.stderr
        );
        if n == 0 {
            assert!(r.stdout.contains("archived edit 0, "), "{}", r.stdout);
            assert!(r.stdout.contains("live edit 0, "), "{}", r.stdout);
        }
    }
    let shown = env.json(&["task", "show", &done]);
    assert!(
        shown["title"]
            .as_str()
            .unwrap()
            .starts_with("archived edit 4, "),
        "{shown}"
    );
}
