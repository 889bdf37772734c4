//! Orchestron beside Backlog.md on the same 1,000 tasks, in one run:
//! `ORCHESTRON_BENCH_BACKLOG_MD=/path/to/backlog` (the `backlog` command of
//! the npm package `backlog.md`, 1.52.0 for the figures in
//! docs/PERFORMANCE.md). It writes 1,000 tasks in Backlog.md's own file
//! layout (`backlog/tasks/task-N - Title.md`: front matter, description and
//! acceptance-criteria sections), imports them with `orchestron import
//! backlog`, and times the three everyday reads of both tools as whole
//! processes: the whole list as a table, one task, and a search.

use super::{Run, Sample, run_command, run_with};
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

const TASKS: usize = 1_000;
const WORD: &str = "postgres";

/// (row, Backlog.md's arguments, Orchestron's arguments after `--root R`).
fn rows(view_n: usize, view_id: &str) -> Vec<(&'static str, Vec<String>, Vec<String>)> {
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    vec![
        (
            "list every task as a table",
            s(&["task", "list", "--plain"]),
            s(&["task", "list", "--limit", "0"]),
        ),
        (
            "view one task",
            s(&["task", "view", &view_n.to_string(), "--plain"]),
            s(&["task", "show", view_id]),
        ),
        (
            "search a word",
            s(&["search", WORD, "--plain"]),
            s(&["task", "list", "-q", WORD]),
        ),
    ]
}

/// Runs the comparison and prints its table.
pub fn compare(bin: &str, backlog: &str, runs: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path();
    let ok = |mut c: Command, what: &str| {
        let out = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(out.status.success(), "{what} failed: {out:?}");
        out
    };
    let mut git = Command::new("git");
    git.args(["init", "-q"]).current_dir(project);
    ok(git, "git init");
    let mut init = Command::new(backlog);
    init.args([
        "init",
        "bench",
        "--defaults",
        "--integration-mode",
        "none",
        "--check-branches",
        "false",
        "--include-remote",
        "false",
    ])
    .current_dir(project)
    .stdin(Stdio::null());
    ok(init, "backlog init");
    write_tasks(&project.join("backlog/tasks"));
    let root = project.to_str().expect("utf-8 temp path").to_string();
    let mut oinit = Command::new(bin);
    oinit.args(["init"]).current_dir(project);
    ok(oinit, "orchestron init");
    let mut import = Command::new(bin);
    // The source path is relative to the project (the working directory).
    import
        .args(["--root", &root, "import", "backlog", "backlog", "--json"])
        .current_dir(project);
    let report = ok(import, "orchestron import backlog");
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).expect("JSON report");
    let view_id = report["created"]
        .as_array()
        .and_then(|c| c.get(TASKS / 2 - 1))
        .and_then(|t| t["id"].as_str())
        .expect("the import created the tasks")
        .to_string();
    let mut s = format!(
        "Backlog.md {} vs Orchestron, {TASKS} tasks (median / p90 ms of whole processes; CPU ms median)\n\n\
         | read | Backlog.md | CPU | Orchestron | CPU | ratio of medians |\n|---|---|---|---|---|---|",
        version(backlog)
    );
    for (row, theirs, ours) in rows(TASKS / 2, &view_id) {
        let out = Command::new(backlog)
            .args(&theirs)
            .current_dir(project)
            .output()
            .expect("run backlog");
        assert!(
            out.status.success() && !out.stdout.is_empty(),
            "backlog {theirs:?}: {out:?}"
        );
        let b = sample(runs, || timed(backlog, &theirs, project));
        let mut args = vec!["--root".to_string(), root.clone()];
        args.extend(ours);
        let o = sample(runs, || run_with(&args, &[]));
        let _ = write!(
            s,
            "\n| {row} | {:.1} / {:.1} | {:.1} | {:.1} / {:.1} | {:.1} | {:.0}× |",
            b.percentile(0.5),
            b.percentile(0.9),
            b.cpu_median(),
            o.percentile(0.5),
            o.percentile(0.9),
            o.cpu_median(),
            b.percentile(0.5) / o.percentile(0.5)
        );
    }
    println!("{s}\n");
    if std::env::var_os("ORCHESTRON_BENCH_KEEP").is_some() {
        eprintln!("[Backlog.md] kept {}", dir.keep().display());
    }
}

/// One untimed run, then `runs` timed ones.
fn sample(runs: usize, mut f: impl FnMut() -> Run) -> Sample {
    f();
    let mut out = Sample::new();
    for _ in 0..runs {
        out.push(f());
    }
    out
}

/// A Backlog.md command in `project`, timed as ours are.
fn timed(backlog: &str, args: &[String], project: &Path) -> Run {
    let mut cmd = Command::new(backlog);
    cmd.args(args).current_dir(project);
    run_command(cmd, args)
}

fn version(backlog: &str) -> String {
    Command::new(backlog)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// 1,000 tasks as Backlog.md writes them: ~2 % mention [`WORD`], ~30 %
/// depend on an earlier task, 0–2 labels, one acceptance criterion.
fn write_tasks(dir: &Path) {
    const WORDS: &[&str] = &[
        "add", "parser", "cache", "index", "refresh", "stale", "migrate", "schema", "endpoint",
        "login", "session", "token", "retry", "timeout", "queue", "worker", "deploy", "config",
        "flag", "metrics", "latency", "error", "handler", "payload", "upload", "search", "filter",
    ];
    const LABELS: &[&str] = &["backend", "frontend", "infra", "bug", "perf"];
    const STATUSES: &[&str] = &["To Do", "To Do", "In Progress", "Done"];
    let mut rng = super::Rng(0x0bac_1096);
    let words = |rng: &mut super::Rng, n: usize| {
        (0..n)
            .map(|_| *rng.pick(WORDS))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for i in 1..=TASKS {
        let n = 4 + rng.below(5);
        let mut title = words(&mut rng, n);
        if rng.chance(2) {
            title.push(' ');
            title.push_str(WORD);
        }
        let description = (0..3)
            .map(|_| {
                let n = 6 + rng.below(7);
                words(&mut rng, n)
            })
            .collect::<Vec<_>>()
            .join(". ");
        let list = |items: Vec<String>| {
            if items.is_empty() {
                " []".to_string()
            } else {
                items.iter().map(|i| format!("\n  - {i}")).collect()
            }
        };
        let labels: Vec<String> = (0..rng.below(3))
            .map(|_| rng.pick(LABELS).to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let deps = if i > 1 && rng.chance(30) {
            vec![format!("task-{}", 1 + rng.below(i - 1))]
        } else {
            Vec::new()
        };
        let text = format!(
            "---\nid: TASK-{i}\ntitle: {title}\nstatus: {}\nassignee: []\n\
             created_date: '2026-12-0{} 10:{:02}'\nlabels:{}\ndependencies:{}\n\
             priority: {}\nordinal: {}\n---\n\n## Description\n\n\
             <!-- SECTION:DESCRIPTION:BEGIN -->\n{description}\n<!-- SECTION:DESCRIPTION:END -->\n\n\
             ## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [ ] #1 {}\n<!-- AC:END -->\n",
            rng.pick(STATUSES),
            1 + i % 5,
            i % 60,
            list(labels),
            list(deps),
            rng.pick(&["high", "medium", "low"]),
            i * 1000,
            words(&mut rng, 5),
        );
        let slug: Vec<&str> = title.split(' ').take(4).collect();
        std::fs::write(dir.join(format!("task-{i} - {}.md", slug.join("-"))), text)
            .expect("write a Backlog.md task");
    }
}
