//! `index rebuild` streams batches of parsed files into the index while
//! other threads parse: what it builds must be exactly what a cold refresh
//! (the ordinary apply of every file) builds — the same tasks, the same ready
//! set, the same problems — including ids claimed twice across batches.

use crate::common::{TestEnv, answers};

/// 600 tasks written by hand (more than two rebuild batches): every third
/// depends on the next, every fifth is DONE, one file copies another's id
/// under a wrong name, one is broken.
fn backlog(env: &TestEnv) {
    let dir = env.ws().join("tasks");
    let id = |i: usize| format!("TASK-b{i:04}");
    for i in 0..600 {
        let status = if i % 5 == 0 { "DONE" } else { "TODO" };
        let deps = if i % 3 == 0 && i + 1 < 600 {
            format!("[{}]", id(i + 1))
        } else {
            "[]".to_string()
        };
        let text = format!(
            "id: {}\ntitle: task {i}\nstatus: {status}\ntype: TASK\npriority: MEDIUM\n\
             created: 2026-11-20T10:00:00Z\nprogress: 0\nlabels: []\ndepends_on: {deps}\n",
            id(i)
        );
        std::fs::write(dir.join(format!("{}.yaml", id(i))), text).unwrap();
    }
    let copy = std::fs::read_to_string(dir.join("TASK-b0007.yaml")).unwrap();
    let copy = copy.replace("title: task 7", "title: the copy");
    std::fs::write(dir.join("TASK-azcopy.yaml"), copy).unwrap();
    std::fs::write(dir.join("TASK-broken.yaml"), "id: [unclosed\n").unwrap();
}

fn drop_cache(env: &TestEnv) {
    for entry in std::fs::read_dir(env.ws().join("cache")).unwrap().flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("index.sqlite")
        {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
}

#[test]
fn streamed_rebuild_builds_the_same_index_as_a_cold_refresh() {
    let env = TestEnv::new();
    backlog(&env);
    drop_cache(&env);
    let cold = answers(&env);
    assert_eq!(cold.0["tasks"].as_array().unwrap().len(), 600);
    assert!(cold.2.contains("TASK-broken.yaml"), "{}", cold.2);
    assert!(cold.2.contains("TASK-azcopy.yaml"), "{}", cold.2);
    let titles: Vec<&str> = cold.0["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    assert!(titles.contains(&"task 7") && !titles.contains(&"the copy"));
    let out = env.ok(&["index", "rebuild"]);
    assert!(out.contains("602"), "{out}");
    assert_eq!(answers(&env), cold);
}
