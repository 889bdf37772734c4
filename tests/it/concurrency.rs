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
