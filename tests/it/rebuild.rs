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
        if entry.file_name().to_string_lossy().starts_with("index.") {
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

/// The cache's files, by name (a rebuild writes a new generation file and
/// removes the one it replaced, see `index::generation`).
fn cache_files(env: &TestEnv) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(env.ws().join("cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("index."))
        .collect();
    names.sort();
    names
}

#[test]
fn a_server_running_through_a_cli_rebuild_reads_and_writes_the_new_cache() {
    let env = TestEnv::new();
    let ids = crate::watched::tasks(&env, 3);
    let mut server = crate::watched::Server::start(&env, &[]);
    assert_eq!(server.tasks(), crate::watched::full_pass(&env));
    let before = cache_files(&env);
    env.ok(&["index", "rebuild"]);
    let after = cache_files(&env);
    assert_ne!(after, before, "a rebuild publishes a new file");
    // A CLI write after the rebuild lands in the new generation; the server,
    // which still had the replaced file open, must answer from the new one.
    env.ok(&["task", "update", &ids[0], "--status", "in_progress"]);
    crate::watched::retitle(&env, &ids[1], "edited by hand after the rebuild");
    let seen = server.tasks();
    assert_eq!(seen, crate::watched::full_pass(&env));
    assert!(
        seen.iter().any(|t| t.0 == ids[0] && t.2 == "IN_PROGRESS"),
        "{seen:?}"
    );
    // And the server's own write goes to the new generation, where the CLI
    // (which opens only the published file) reads it.
    server.tool(
        "orchestron_task_update",
        serde_json::json!({"taskId": ids[2], "status": "DONE"}),
    );
    let shown = env.json(&["task", "show", &ids[2]]);
    assert_eq!(shown["status"], "DONE", "{shown}");
    assert_eq!(
        cache_files(&env),
        after,
        "no generation file was added or left"
    );
}

#[test]
fn index_path_names_the_file_sqlite3_can_query_after_a_rebuild() {
    let env = TestEnv::new();
    let id = env.create(&["Findable"]);
    env.ok(&["index", "rebuild"]);
    let path = std::path::PathBuf::from(env.ok(&["index", "path"]).trim());
    assert!(
        path.starts_with(env.ws().join("cache")),
        "{}",
        path.display()
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    let title: String = conn
        .query_row("SELECT title FROM tasks WHERE id = ?1", [&id], |r| r.get(0))
        .unwrap();
    assert_eq!(title, "Findable");
    let json = env.json(&["index", "path"]);
    assert_eq!(json["path"], path.to_str().unwrap());
}

/// Record names that are not plain files: a link inside the workspace, one
/// out of it, a dangling one, a FIFO, a directory, a non-UTF-8 name, and a
/// killed write's temporary file.
fn odd_entries(env: &TestEnv, outside: &std::path::Path) {
    use std::os::unix::ffi::OsStrExt;
    let dir = env.ws().join("tasks");
    let text = |id: &str| format!("id: {id}\ntitle: {id}\nstatus: TODO\n");
    std::fs::write(env.ws().join("kept.yaml"), text("TASK-link1")).unwrap();
    std::os::unix::fs::symlink(env.ws().join("kept.yaml"), dir.join("TASK-link1.yaml")).unwrap();
    std::fs::write(outside.join("secret.yaml"), text("TASK-out01")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.yaml"), dir.join("TASK-out01.yaml")).unwrap();
    std::os::unix::fs::symlink(outside.join("gone.yaml"), dir.join("TASK-dangl.yaml")).unwrap();
    let fifo = std::ffi::CString::new(dir.join("TASK-fifo1.yaml").to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    std::fs::create_dir(dir.join("TASK-dir01.yaml")).unwrap();
    let odd = std::ffi::OsStr::from_bytes(b"TASK-\xff\xfe.yaml");
    std::fs::write(dir.join(odd), text("TASK-odd01")).unwrap();
    std::fs::write(dir.join("TASK-plain.yaml"), text("TASK-plain")).unwrap();
}

#[test]
fn a_rebuild_and_a_first_build_list_odd_entries_as_the_stat_pass_does() {
    let env = TestEnv::new();
    let outside = tempfile::tempdir().unwrap();
    env.ok(&["task", "list"]);
    odd_entries(&env, outside.path());
    // An index that saw them through the stat pass and the ordinary apply.
    let incremental = answers(&env);
    assert!(
        incremental.2.contains("TASK-fifo1.yaml"),
        "{}",
        incremental.2
    );
    assert!(
        incremental.2.contains("TASK-out01.yaml"),
        "{}",
        incremental.2
    );
    let temp = env.ws().join("tasks/.TASK-plain.yaml.ab12cd34.tmp");
    std::fs::write(&temp, "half a write").unwrap();
    env.ok(&["index", "rebuild"]);
    assert!(
        !temp.exists(),
        "the rebuild removes a killed write's temp file"
    );
    assert_eq!(answers(&env), incremental, "rebuilt");
    std::fs::write(&temp, "half a write").unwrap();
    drop_cache(&env);
    assert_eq!(answers(&env), incremental, "built from no cache");
    assert!(
        !temp.exists(),
        "the first build removes a killed write's temp file"
    );
}
