//! The archive's payoff, measured: `ORCHESTRON_BENCH_ARCHIVE=10000` builds a
//! backlog of that many tasks whose first nine tenths are DONE in one closed
//! sprint, times the default list, ready and the resume prompt (CLI `status`
//! and MCP `orchestron_resume`) before and after `orchestron archive --sprint`
//! puts those nine tenths away, and beside a backlog of one tenth the size
//! with nothing archived. The numbers go into docs/PERFORMANCE.md.

use super::{Backlog, Sample, generate, run};
use std::fmt::Write as _;
use std::path::Path;

const ROWS: &[&str] = &[
    "warm `task list --limit 50`",
    "warm `task list --ready --limit 50`",
    "warm `status` (the CLI's resume view)",
    "MCP `prompts/get orchestron_resume`",
];

/// Runs the comparison for a backlog of `n` tasks and prints its table.
pub fn compare(bin: &str, n: usize, runs: usize) {
    let small = tempfile::tempdir().expect("temp dir");
    let big = tempfile::tempdir().expect("temp dir");
    let baseline = generate(small.path(), n / 10, 0);
    let archived_share = n - n / 10;
    let backlog = generate(big.path(), n, archived_share);
    let before = measure(bin, &backlog, runs);
    let root = backlog.root.to_str().expect("utf-8 temp path").to_string();
    let report = std::process::Command::new(bin)
        .args(["--root", &root, "archive", "--sprint", "Sprint 1", "--json"])
        .output()
        .expect("run archive");
    assert!(report.status.success(), "archive failed: {report:?}");
    let moved: serde_json::Value = serde_json::from_slice(&report.stdout).expect("JSON");
    let count = moved["tasks"].as_array().map_or(0, Vec::len);
    eprintln!("[archive] archived {count} of {n} tasks");
    let after = measure(bin, &backlog, runs);
    let small_rows = measure(bin, &baseline, runs);
    let mut s = format!(
        "| measurement (median / p90 ms) | {} tasks | {n} tasks | {n} tasks, {count} archived |\n|---|---|---|---|",
        n / 10
    );
    for (i, row) in ROWS.iter().enumerate() {
        let cell = |samples: &[Sample]| {
            format!(
                "{:.1} / {:.1}",
                samples[i].percentile(0.5),
                samples[i].percentile(0.9)
            )
        };
        let _ = write!(
            s,
            "\n| {row} | {} | {} | {} |",
            cell(&small_rows),
            cell(&before),
            cell(&after)
        );
    }
    println!("\n{s}");
}

fn measure(bin: &str, b: &Backlog, runs: usize) -> Vec<Sample> {
    let root = b.root.to_str().expect("utf-8 temp path").to_string();
    let args = |rest: &[&str]| -> Vec<String> {
        let mut v = vec!["--root".to_string(), root.clone()];
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    };
    run(&args(&["index", "rebuild"]));
    let mut out: Vec<Sample> = ROWS.iter().map(|_| Sample::new()).collect();
    let cmds = [
        args(&["task", "list", "--limit", "50"]),
        args(&["task", "list", "--ready", "--limit", "50"]),
        args(&["status"]),
    ];
    for (row, a) in cmds.iter().enumerate() {
        run(a);
        for _ in 0..runs {
            out[row].push(run(a));
        }
    }
    for wall in super::mcp::resume_prompt(bin, Path::new(&root), runs) {
        out[3].push(super::Run {
            wall,
            cpu: std::time::Duration::ZERO,
            max_rss_kb: 0,
        });
    }
    out
}
