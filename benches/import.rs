//! Whole-process import benchmark: `cargo bench --bench import`.
//!
//! Generates a Backlog.md project and a Beads JSONL export of N items each
//! (realistic: descriptions, criteria, labels, `@` assignees, milestones,
//! dependencies on earlier items, comments), then times the release binary
//! importing each into a fresh workspace (a git repository after `orchestron
//! init`), and a second import of the same source into the filled one (every
//! item matched, nothing changed). Prints a Markdown table of medians and
//! maxima of the wall time.
//!
//! Environment: `ORCHESTRON_BENCH_SIZES=1000,10000` (the default) picks N;
//! `ORCHESTRON_BENCH_RUNS=5` the runs per measurement (default 5, 3 at
//! 10,000 and above).

// A benchmark is a measurement harness like a test: a failed setup step is a
// failed run, so it may panic (the crate's `[lints]` deny this for src only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_orchestron");

fn main() {
    let sizes: Vec<usize> = std::env::var("ORCHESTRON_BENCH_SIZES")
        .ok()
        .map(|s| {
            s.split(',')
                .filter_map(|n| n.trim().replace('_', "").parse().ok())
                .collect()
        })
        .unwrap_or_else(|| vec![1_000, 10_000]);
    let runs_override: Option<usize> = std::env::var("ORCHESTRON_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok());
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "machine: {} cores; load average {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "\n| import | items | first import (median / max) | re-import, unchanged (median / max) |"
    );
    println!("|---|---:|---:|---:|");
    for &n in &sizes {
        let runs = runs_override.unwrap_or(if n >= 10_000 { 3 } else { 5 });
        let dir = tempfile::Builder::new()
            .prefix("orchestron-import-bench-")
            .tempdir()
            .expect("temp dir");
        backlog_md(&dir.path().join("src/backlog"), n);
        beads(&dir.path().join("src/issues.jsonl"), n);
        for (source, path) in [("backlog", "src"), ("beads", "src/issues.jsonl")] {
            let mut first = Vec::new();
            let mut again = Vec::new();
            for run in 0..runs {
                let ws = dir.path().join(format!("ws-{source}-{run}"));
                workspace(&ws);
                let from = dir.path().join(path);
                first.push(import(&ws, source, &from));
                again.push(import(&ws, source, &from));
            }
            println!(
                "| {source} | {n} | {} | {} |",
                stats(&mut first),
                stats(&mut again)
            );
        }
    }
}

/// `median / max` in milliseconds.
fn stats(times: &mut [Duration]) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "{:.0} ms / {:.0} ms",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    )
}

fn command(dir: &Path, program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

fn workspace(dir: &Path) {
    fs::create_dir_all(dir).expect("workspace dir");
    for (program, args) in [("git", &["init", "-q"][..]), (BIN, &["init"][..])] {
        let out = command(dir, program).args(args).output().expect("spawn");
        assert!(out.status.success(), "{program} {args:?}: {out:?}");
    }
}

/// The wall time of one import, spawn to exit.
fn import(ws: &Path, source: &str, from: &Path) -> Duration {
    let started = Instant::now();
    let out = command(ws, BIN)
        .args(["import", source])
        .arg(from)
        .output()
        .expect("spawn import");
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "import {source}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

const WORDS: &[&str] = &[
    "parser", "cache", "index", "login", "session", "token", "retry", "queue", "deploy", "config",
    "metrics", "search", "render", "theme", "export", "report", "audit", "profile", "release",
];

fn words(seed: usize, n: usize) -> String {
    (0..n)
        .map(|k| WORDS[(seed * 7 + k * 13) % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

/// A Backlog.md folder of `n` tasks in its real layout (a tenth completed,
/// milestone files, config).
fn backlog_md(dir: &Path, n: usize) {
    fs::create_dir_all(dir.join("tasks")).expect("tasks dir");
    fs::create_dir_all(dir.join("milestones")).expect("milestones dir");
    fs::write(dir.join("config.yml"), "project_name: \"Bench\"\n").expect("config");
    for m in 1..=5 {
        fs::write(
            dir.join(format!("milestones/m-{m} - phase-{m}.md")),
            format!("---\nid: m-{m}\ntitle: \"Phase {m}\"\n---\n\n## Description\n\nPhase {m} of the plan.\n"),
        )
        .expect("milestone");
    }
    for i in 1..=n {
        let status = ["To Do", "In Progress", "Done", "To Do"][i % 4];
        let deps = if i > 3 {
            format!("[task-{}]", i - 3)
        } else {
            "[]".into()
        };
        let mut text = String::new();
        let _ = write!(
            text,
            "---\nid: task-{i}\ntitle: \"{} {i}\"\nstatus: {status}\nassignee: @dev{}\ncreated_date: '2026-01-01 10:00'\nupdated_date: '2026-02-01 10:00'\nlabels: [{}]\nmilestone: m-{}\ndependencies: {deps}\npriority: high\nordinal: {}\n---\n\n",
            words(i, 4),
            i % 7,
            WORDS[i % WORDS.len()],
            i % 5 + 1,
            i * 1000
        );
        let _ = write!(
            text,
            "## Description\n\n<!-- SECTION:DESCRIPTION:BEGIN -->\n{}.\n{}.\n<!-- SECTION:DESCRIPTION:END -->\n\n## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [x] #1 {}\n- [ ] #2 {}\n<!-- AC:END -->\n\n## Implementation Notes\n\n{}.\n",
            words(i + 1, 12),
            words(i + 2, 10),
            words(i + 3, 5),
            words(i + 4, 5),
            words(i + 5, 9)
        );
        let folder = if i % 10 == 0 { "completed" } else { "tasks" };
        fs::create_dir_all(dir.join(folder)).expect("folder");
        fs::write(
            dir.join(folder)
                .join(format!("task-{i} - {}.md", words(i, 2).replace(' ', "-"))),
            text,
        )
        .expect("task file");
    }
}

/// A Beads JSONL export of `n` issues with `blocks` edges and comments.
fn beads(path: &Path, n: usize) {
    let mut text = String::new();
    for i in 1..=n {
        let deps = if i > 2 {
            format!(
                "[{{\"issue_id\":\"bd-{i}\",\"depends_on_id\":\"bd-{}\",\"type\":\"blocks\"}}]",
                i - 2
            )
        } else {
            "[]".into()
        };
        let _ = writeln!(
            text,
            "{{\"id\":\"bd-{i}\",\"title\":\"{} {i}\",\"description\":\"{}.\",\"acceptance_criteria\":\"- {}\\n- {}\",\"status\":\"{}\",\"priority\":{},\"issue_type\":\"task\",\"labels\":[\"{}\"],\"dependencies\":{deps},\"comments\":[{{\"id\":{i},\"author\":\"dev\",\"text\":\"{}\",\"created_at\":\"2026-01-02T10:00:00Z\"}}],\"created_at\":\"2026-01-01T10:00:00Z\",\"updated_at\":\"2026-01-03T10:00:00Z\",\"compaction_level\":0}}",
            words(i, 4),
            words(i + 1, 20),
            words(i + 2, 4),
            words(i + 3, 4),
            ["open", "in_progress", "closed"][i % 3],
            i % 4,
            WORDS[i % WORDS.len()],
            words(i + 4, 8)
        );
    }
    fs::write(path, text).expect("beads file");
}
