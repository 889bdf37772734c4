//! Path and identity safety: ids, `--root`, `ORCHESTRON_DB`, template names,
//! context ids, MCP tool arguments and resource URIs never reach outside the
//! workspace — traversal, absolute paths, encoded separators and over-long
//! values are refused with an error that names what was refused, and nothing
//! outside the workspace is read, created or changed.

use crate::common::TestEnv;
use crate::wire::{Wire, call};
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;

/// Hostile values for anything that becomes a file name.
fn hostile_ids() -> Vec<String> {
    let mut v: Vec<String> = [
        "../../../etc/passwd",
        "..",
        ".",
        "/etc/passwd",
        "TASK-../../x",
        "TASK-..%2F..%2Fconfig",
        "%2e%2e%2fconfig",
        "TASK-a/../../config",
        "TASK-a\\..\\..\\config",
        "tasks/TASK-a",
        "TASK-a.yaml",
        "TASK-",
        "-TASK",
        "TASK-\u{202e}lmay",
        "TASK-a\u{0}b",
        " TASK-a",
        "~/TASK-a",
        "CTX-../../../../tmp/x",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    v.push(format!("TASK-{}", "a".repeat(5000)));
    v.push("../".repeat(200));
    v
}

/// Every path under `dir` (relative), skipping the cache and git's folder.
fn tree(dir: &Path) -> BTreeSet<String> {
    walk(dir, dir)
}

fn walk(base: &Path, dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
        if rel == ".git" || rel.ends_with("/cache") || rel == ".orchestron/cache" {
            continue;
        }
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            out.extend(walk(base, &p));
        }
        out.insert(rel);
    }
    out
}

/// `cmd` with `{}` replaced by each hostile id must fail without a panic and
/// change no file anywhere in the project or beside it.
fn refused_everywhere(env: &TestEnv, outside: &Path, cmds: &[&[&str]]) -> usize {
    let before = (tree(env.path()), tree(outside));
    let mut n = 0;
    for id in hostile_ids() {
        if id.contains('\0') {
            continue; // argv cannot carry a NUL; the MCP test sends it.
        }
        for cmd in cmds {
            let args: Vec<String> = cmd.iter().map(|a| a.replace("{}", &id)).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = env.run(&args);
            assert_ne!(r.code, 0, "{args:?} was accepted:\n{}", r.stdout);
            assert!(
                !r.stderr.contains("panicked") && !r.stderr.is_empty(),
                "{args:?}: {}",
                r.stderr
            );
            n += 1;
        }
    }
    assert_eq!(
        (tree(env.path()), tree(outside)),
        before,
        "a refused command changed files"
    );
    n
}

#[test]
fn hostile_ids_never_become_paths_from_the_cli() {
    let env = TestEnv::new();
    let outside = tempfile::tempdir().unwrap();
    let real = env.create(&["Real"]);
    let real = real.as_str();
    let n = refused_everywhere(
        &env,
        outside.path(),
        &[
            &["task", "show", "{}"],
            &["task", "update", "{}", "--note", "x"],
            &["task", "clarify", "{}", "x"],
            &["task", "depend", real, "--on", "{}"],
            &["task", "depend", "{}", "--on", real],
            &["task", "claim", "{}"],
            &["task", "release", "{}"],
            &["task", "history", "{}"],
            &["task", "create", "x", "--parent", "{}"],
            &["task", "create", "x", "--depends-on", "{}"],
            &["task", "create", "x", "--sprint", "{}"],
            &["task", "create", "x", "--template", "{}"],
            &["context", "show", "{}"],
            &["handoff", "{}", "--done", "x"],
            &["sprint", "show", "{}"],
            &["predict", "{}"],
        ],
    );
    assert!(n > 300, "{n}");
}

#[test]
fn a_root_outside_any_workspace_is_refused_by_name() {
    let env = TestEnv::new();
    let long = format!("/{}", "x/".repeat(3000));
    for root in ["/etc", "/", "../../..", "/dev/null", "/proc/self", &long] {
        let r = env.run(&["--root", root, "task", "list"]);
        assert_ne!(r.code, 0, "--root {root}: {}", r.stdout);
        assert!(
            r.stderr.contains("not an Orchestron workspace") || r.stderr.contains("File name"),
            "--root {root}: {}",
            r.stderr
        );
    }
}

#[test]
fn orchestron_db_outside_the_project_or_over_a_user_file_is_refused() {
    let env = TestEnv::new();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(env.path().join("README.md"), "precious").unwrap();
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let escape = format!(
        "../{}/new.db",
        outside.path().file_name().unwrap().to_str().unwrap()
    );
    let new_db = outside.path().join("new.db");
    let values = [
        victim.to_str().unwrap(),
        new_db.to_str().unwrap(),
        &escape,
        "README.md",
        ".orchestron",
        "/etc/passwd",
    ];
    for value in values {
        let r = env.run_with(&["task", "list"], &[("ORCHESTRON_DB", value)]);
        assert_ne!(r.code, 0, "ORCHESTRON_DB={value}: {}", r.stdout);
        assert!(
            r.stderr.contains("ORCHESTRON_DB=") && r.stderr.contains("refused"),
            "{value}: {}",
            r.stderr
        );
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(env.read(&env.path().join("README.md")), "precious");
    assert!(!outside.path().join("new.db").exists());
    // Inside the project it still moves the cache.
    let r = env.run_with(&["task", "list"], &[("ORCHESTRON_DB", "var/orchestron.db")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files = crate::common::cache_files_in(&env.path().join("var"), "orchestron.db");
    assert!(files.iter().any(|f| f.ends_with(".db")), "{files:?}");
}

#[test]
fn hostile_ids_and_uris_never_become_paths_over_mcp() {
    let env = TestEnv::new();
    let outside = tempfile::tempdir().unwrap();
    let before = (tree(env.path()), tree(outside.path()));
    let mut wire = Wire::start_with(&env, &[], &[]);
    wire.initialize("path-test");
    let mut n = 10;
    for id in hostile_ids() {
        for (tool, args) in [
            ("orchestron_task_get", json!({"taskId": id})),
            (
                "orchestron_task_update",
                json!({"taskId": id, "notes": ["x"]}),
            ),
            (
                "orchestron_task_clarify",
                json!({"taskId": id, "text": "x"}),
            ),
            ("orchestron_task_depend", json!({"taskId": id, "on": id})),
            ("orchestron_context_get", json!({"id": id})),
            ("orchestron_sprint_get", json!({"sprintId": id})),
        ] {
            n += 1;
            let answer = wire.request(call(n, tool, args));
            assert_eq!(
                answer["result"]["isError"], true,
                "{tool} accepted {id:?}: {answer}"
            );
        }
        let encoded: String = id
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<Vec<_>>()
            .concat();
        for uri in [
            format!("orchestron://tasks/{id}"),
            format!("orchestron://tasks/{encoded}"),
            format!("orchestron://contexts/{encoded}"),
            format!("orchestron://sprints/{encoded}"),
            format!("orchestron://tasks/{encoded}/history"),
            format!("orchestron://{id}"),
        ] {
            n += 1;
            let answer = wire.request(json!({"jsonrpc": "2.0", "id": n,
                "method": "resources/read", "params": {"uri": uri}}));
            assert!(answer.get("error").is_some(), "{uri} was read: {answer}");
        }
    }
    assert!(wire.close().success());
    assert_eq!(
        (tree(env.path()), tree(outside.path())),
        before,
        "a refused request changed files"
    );
}
