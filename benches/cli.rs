//! Whole-process CLI benchmark: `cargo bench --bench cli`.
//!
//! Generates realistic backlogs (1,000 / 10,000 / 100,000 tasks of ~700 bytes,
//! written with the crate's own model and renderer so the files are canonical)
//! in a temporary directory, then times the release binary from spawn to exit
//! and prints a Markdown table of medians and 90th percentiles, with the peak
//! RSS of the child process.
//!
//! Environment:
//! - `ORCHESTRON_BENCH_SIZES=1000,10000` picks the backlog sizes (default
//!   `1000,10000,100000`).
//! - `ORCHESTRON_BENCH_RUNS=15` overrides the runs per measurement (default 15,
//!   and 5 at 100,000 tasks and above).
//! - `ORCHESTRON_BENCH_KEEP=1` keeps the generated workspaces (and the
//!   Backlog.md comparison's project) and prints where.
//! - `ORCHESTRON_BENCH_GENERATE_ONLY=1` only generates (and keeps) the
//!   backlogs, measuring nothing: the input of `benches/sync_commit.py`.
//! - `ORCHESTRON_BENCH_ARCHIVE=10000` also compares list, ready and the resume
//!   prompt at that size before and after archiving nine tenths of it, and
//!   at a tenth of the size (see `cli/archive.rs`); `ORCHESTRON_BENCH_SIZES=`
//!   (empty) runs only that comparison.
//! - `ORCHESTRON_BENCH_BACKLOG_MD=/path/to/backlog` also times Backlog.md
//!   (npm `backlog.md`) beside Orchestron on the same 1,000 tasks (see
//!   `cli/backlog_md.rs`).

// A benchmark is a measurement harness like a test: a failed setup step is a
// failed run, so it may panic (the crate's `[lints]` deny this for src only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration as Days, TimeZone, Utc};
use orchestron::model::{
    Criterion, Entry, Priority, RecordId, Sprint, SprintStatus, Status, Task, TaskType, render,
};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

const BIN: &str = env!("CARGO_BIN_EXE_orchestron");
/// The word `task list --query` looks for; about 1 % of tasks mention it.
const QUERY_WORD: &str = "postgres";
/// A search term the word index cannot hold (a symbol): every task's text is
/// scanned for it. Every 100th title carries it.
const QUERY_SYMBOL: &str = "🚀";
/// The clock insights run at: ten weeks into the generated backlog's history
/// (tasks are created ten minutes apart from 2025-01-01).
const INSIGHTS_NOW: &str = "2025-03-15T00:00:00Z";

fn main() {
    let sizes: Vec<usize> = std::env::var("ORCHESTRON_BENCH_SIZES")
        .ok()
        .map(|s| {
            s.split(',')
                .filter_map(|n| n.trim().replace('_', "").parse().ok())
                .collect()
        })
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000]);
    let runs_override: Option<usize> = std::env::var("ORCHESTRON_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok());
    let generate_only = std::env::var_os("ORCHESTRON_BENCH_GENERATE_ONLY").is_some();
    let keep = generate_only || std::env::var_os("ORCHESTRON_BENCH_KEEP").is_some();

    println!("{}", machine());
    println!("binary: {BIN}\n");
    let mut columns = Vec::new();
    for &n in &sizes {
        let runs = runs_override.unwrap_or(if n >= 100_000 { 5 } else { 15 });
        let dir = tempfile::Builder::new()
            .prefix("orchestron-bench-")
            .tempdir()
            .expect("temp dir");
        let started = Instant::now();
        let backlog = generate(dir.path(), n, 0);
        eprintln!(
            "[{n}] generated {} files, {:.0} bytes on average, in {:.1} s",
            backlog.files,
            backlog.bytes as f64 / backlog.files as f64,
            started.elapsed().as_secs_f64()
        );
        if !generate_only {
            columns.push((n, runs, measure(&backlog, runs)));
        }
        if keep {
            eprintln!("[{n}] kept {}", dir.keep().display());
        }
    }
    if !columns.is_empty() {
        print_table(&columns);
    }
    if let Some(n) = std::env::var("ORCHESTRON_BENCH_ARCHIVE")
        .ok()
        .and_then(|s| s.trim().replace('_', "").parse().ok())
    {
        archive::compare(BIN, n, runs_override.unwrap_or(15));
    }
    if let Ok(backlog) = std::env::var("ORCHESTRON_BENCH_BACKLOG_MD") {
        backlog_md::compare(BIN, &backlog, runs_override.unwrap_or(10));
    }
}

/// One measured row: per-run wall times, CPU times (user + system, of the
/// child) and the largest peak RSS seen.
struct Sample {
    times: Vec<Duration>,
    cpu: Vec<Duration>,
    max_rss_kb: u64,
}

impl Sample {
    fn new() -> Self {
        Sample {
            times: Vec::new(),
            cpu: Vec::new(),
            max_rss_kb: 0,
        }
    }
    fn push(&mut self, r: Run) {
        self.times.push(r.wall);
        self.cpu.push(r.cpu);
        self.max_rss_kb = self.max_rss_kb.max(r.max_rss_kb);
    }
    fn percentile(&self, p: f64) -> f64 {
        percentile(&self.times, p)
    }
    fn cpu_median(&self) -> f64 {
        percentile(&self.cpu, 0.5)
    }
}

/// One finished child process.
struct Run {
    wall: Duration,
    cpu: Duration,
    max_rss_kb: u64,
}

/// The nearest-rank percentile `p` (0–1) of `times`, in milliseconds.
fn percentile(times: &[Duration], p: f64) -> f64 {
    let mut v: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

const ROWS: &[&str] = &[
    "read every file (in process, 1 thread)",
    "warm `task list --limit 50`",
    "warm `task show ID`",
    "warm `task list --query WORD`",
    "one file edited, then `task list`",
    "`index rebuild`",
    "first `task list` on a deleted cache",
    "warm `task list --ready --limit 50`",
    "warm `task list --status in_progress --limit 50`",
    "warm `task list --label LABEL --limit 50`",
    "warm `status`",
    "warm `report` (flow, sprint, bottlenecks)",
    "warm `report bottlenecks --json`",
    "warm `predict ID --json`",
    "warm `task list --query 🚀` (a symbol: every text scanned)",
];

fn measure(b: &Backlog, runs: usize) -> Vec<Sample> {
    let mut out: Vec<Sample> = ROWS.iter().map(|_| Sample::new()).collect();
    let root = b.root.to_str().expect("utf-8 temp path").to_string();
    let args = |rest: &[&str]| -> Vec<String> {
        let mut v = vec!["--root".to_string(), root.clone()];
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    };
    // Build the cache once and check the commands do what we time.
    let warm = run(&args(&["index", "rebuild"]));
    eprintln!(
        "[{}] initial rebuild: {:.0} ms",
        b.files,
        warm.wall.as_secs_f64() * 1e3
    );
    check_output(&args(&["task", "list", "--limit", "50"]), 50);
    check_output(&args(&["task", "show", &b.show_id]), 1);
    check_output(&args(&["task", "list", "--query", QUERY_WORD]), 1);

    // 0: reading all files, the floor a rebuild is compared with.
    for _ in 0..runs {
        let wall = read_all(&b.root);
        out[0].push(Run {
            wall,
            cpu: wall,
            max_rss_kb: 0,
        });
    }
    // Warm commands: one untimed run first, then `runs` timed.
    let warm_cmds: [(usize, Vec<String>); 3] = [
        (1, args(&["task", "list", "--limit", "50"])),
        (2, args(&["task", "show", &b.show_id])),
        (3, args(&["task", "list", "--query", QUERY_WORD])),
    ];
    for (row, a) in &warm_cmds {
        run(a);
        for _ in 0..runs {
            out[*row].push(run(a));
        }
    }
    // 4: a hand edit (a new note line, as an editor would save it), then list.
    let list = args(&["task", "list", "--limit", "50"]);
    let original = fs::read_to_string(&b.edit_path).expect("read edit target");
    for i in 0..runs {
        let edited = format!(
            "{original}{}- {{ at: 2026-01-0{}T10:00:00Z, by: editor, text: hand edit {i} }}\n",
            if original.contains("\nnotes:") {
                ""
            } else {
                "notes:\n"
            },
            1 + i % 9
        );
        fs::write(&b.edit_path, edited).expect("edit");
        out[4].push(run(&list));
    }
    fs::write(&b.edit_path, &original).expect("restore");
    run(&list);
    // 5: `index rebuild` on a warm cache, as many runs as every other row
    // (the column's header says how many): with 5, a p90 was the slowest
    // run, one disk hiccup (10,000 tasks: 234.7 / 239.5 ms in one run,
    // 246.0 / 309.9 in the next).
    let rebuild = args(&["index", "rebuild"]);
    for _ in 0..runs {
        out[5].push(run(&rebuild));
    }
    // 6: the first command after the cache was deleted.
    let cache = b.root.join("cache");
    for _ in 0..runs {
        remove_cache(&cache);
        out[6].push(run(&list));
    }
    // 7–10: the index's other queries, warm (the cache was rebuilt by row 6).
    let filtered: [(usize, Vec<String>); 4] = [
        (7, args(&["task", "list", "--ready", "--limit", "50"])),
        (
            8,
            args(&["task", "list", "--status", "in_progress", "--limit", "50"]),
        ),
        (
            9,
            args(&["task", "list", "--label", LABELS[0], "--limit", "50"]),
        ),
        (10, args(&["status"])),
    ];
    for (row, a) in &filtered {
        run(a);
        for _ in 0..runs {
            out[*row].push(run(a));
        }
    }
    // 11–13: insights, which read every task (and here no git history).
    check_output(&args(&["predict", &b.show_id, "--json"]), 1);
    let insights: [(usize, Vec<String>); 3] = [
        (11, args(&["report"])),
        (12, args(&["report", "bottlenecks", "--json"])),
        (13, args(&["predict", &b.show_id, "--json"])),
    ];
    for (row, a) in &insights {
        run(a);
        for _ in 0..runs {
            out[*row].push(run(a));
        }
    }
    // 14: a search for a symbol, which no word index holds.
    let symbol = args(&["task", "list", "--query", QUERY_SYMBOL]);
    check_output(&symbol, 1);
    run(&symbol);
    for _ in 0..runs {
        out[14].push(run(&symbol));
    }
    // 15–20: the same CLI commands with a watcher serving.
    out.extend(watcher::measure(BIN, &b.root, &b.show_id, QUERY_WORD, runs));
    // Then: the MCP server's round trips, from one long-running server.
    for times in mcp::measure(BIN, &b.root, &b.show_id, runs) {
        let mut sample = Sample::new();
        for wall in times {
            sample.push(Run {
                wall,
                cpu: Duration::ZERO,
                max_rss_kb: 0,
            });
        }
        out.push(sample);
    }
    out
}

/// Deletes the index cache: `index.sqlite` or the generation the pointer
/// `index.current.sqlite` names (`index.g….sqlite`), with the pointer and
/// the WAL files — every `index.` file (docs/INDEX.md, "Generations").
fn remove_cache(cache: &Path) {
    for entry in fs::read_dir(cache).into_iter().flatten().flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with("index.") {
            fs::remove_file(entry.path()).expect("remove cache file");
        }
    }
}

/// Reads every record file once on one thread (read_dir + read), as STACK.md's floor.
fn read_all(root: &Path) -> Duration {
    let started = Instant::now();
    let mut total = 0usize;
    for dir in ["tasks", "sprints", "contexts"] {
        for entry in fs::read_dir(root.join(dir)).into_iter().flatten().flatten() {
            total += fs::read(entry.path()).map_or(0, |b| b.len());
        }
    }
    std::hint::black_box(total);
    started.elapsed()
}

/// Runs the binary to completion; returns its wall time, CPU time and peak RSS (KiB).
fn run(args: &[String]) -> Run {
    run_with(args, &[])
}

/// [`run`] with extra environment variables.
fn run_with(args: &[String], vars: &[(&str, &str)]) -> Run {
    run_command(command(args, vars), args)
}

/// The measured program with `args`, in the environment every row shares,
/// plus `vars`.
fn command(args: &[String], vars: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    // Off unless a row says otherwise: the watcher-auto rows are apart.
    // (A check run without this once auto-started a background watcher at
    // 100,000 tasks that stayed up through the "off" rows, and its events
    // cost each later `index rebuild` ~0.35 s.)
    cmd.args(args)
        .env("ORCHESTRON_WATCHER", "off")
        .env_remove("ORCHESTRON_DB")
        .env_remove("ORCHESTRON_ROOT")
        .envs(vars.iter().copied())
        // Insights as of a fixed moment inside the generated history.
        .env("ORCHESTRON_NOW", INSIGHTS_NOW);
    cmd
}

/// Runs `cmd` to completion with no input or output; `args` name it in a failure.
fn run_command(mut cmd: Command, args: &[String]) -> Run {
    let started = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the measured program");
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: plain wait4 on our own child with valid out-pointers; the Child
    // handle is never waited on afterwards (dropping it does not wait).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = started.elapsed();
    assert_eq!(rc, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{args:?} failed with status {status}"
    );
    drop(child);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Run {
        wall: elapsed,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kb: usage.ru_maxrss as u64,
    }
}

/// Runs once with output captured and checks it has at least `min_lines` lines.
fn check_output(args: &[String], min_lines: usize) {
    let out = command(args, &[]).output().expect("run orchestron");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.lines().count() >= min_lines,
        "orchestron {args:?}: status {}, stdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn print_table(columns: &[(usize, usize, Vec<Sample>)]) {
    let mut s = String::from("| measurement |");
    for (n, runs, _) in columns {
        let _ = write!(
            s,
            " {n} tasks: median / p90 ms (runs {runs}) | CPU ms (median) | peak RSS MB |"
        );
    }
    s.push_str("\n|---|");
    for _ in columns {
        s.push_str("---|---|---|");
    }
    let cli_rows = ROWS.len() + watcher::ROWS.len();
    for (i, row) in ROWS
        .iter()
        .chain(watcher::ROWS)
        .chain(mcp::ROWS)
        .enumerate()
    {
        let _ = write!(s, "\n| {row} |");
        for (_, _, samples) in columns {
            let sample = &samples[i];
            let rss = if sample.max_rss_kb == 0 {
                "—".to_string()
            } else {
                format!("{:.1}", sample.max_rss_kb as f64 / 1024.0)
            };
            let cpu = if i == 0 || i >= cli_rows {
                "—".to_string()
            } else {
                format!("{:.1}", sample.cpu_median())
            };
            let _ = write!(
                s,
                " {:.1} / {:.1} | {cpu} | {rss} |",
                sample.percentile(0.5),
                sample.percentile(0.9)
            );
        }
    }
    // Rebuild relative to reading every file.
    let _ = write!(s, "\n| `index rebuild` ÷ read every file |");
    for (_, _, samples) in columns {
        let _ = write!(
            s,
            " {:.1}× | | |",
            samples[5].percentile(0.5) / samples[0].percentile(0.5)
        );
    }
    println!("{s}");
}

fn machine() -> String {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("unknown")
        .trim()
        .to_string();
    let mem = fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .map(|l| l.trim_start_matches("MemTotal:").trim().to_string())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "machine: {cores} cores, {model}, {mem} memory; load average {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

// ---------------------------------------------------------------------------
// Backlog generation

struct Backlog {
    root: PathBuf,
    files: usize,
    bytes: usize,
    show_id: String,
    edit_path: PathBuf,
}

#[path = "cli/mcp.rs"]
mod mcp;
#[path = "cli/watcher.rs"]
mod watcher;

#[path = "cli/archive.rs"]
mod archive;
#[path = "cli/backlog_md.rs"]
mod backlog_md;

#[path = "../tests/it/rng.rs"]
mod rng;
use rng::Rng;

const WORDS: &[&str] = &[
    "add",
    "parser",
    "cache",
    "index",
    "refresh",
    "stale",
    "migrate",
    "schema",
    "endpoint",
    "login",
    "session",
    "token",
    "retry",
    "timeout",
    "queue",
    "worker",
    "deploy",
    "config",
    "flag",
    "metrics",
    "latency",
    "error",
    "handler",
    "payload",
    "upload",
    "download",
    "search",
    "filter",
    "sort",
    "page",
    "render",
    "template",
    "widget",
    "button",
    "dialog",
    "layout",
    "theme",
    "dark",
    "mode",
    "locale",
    "translate",
    "date",
    "format",
    "export",
    "import",
    "csv",
    "json",
    "yaml",
    "report",
    "chart",
    "dashboard",
    "user",
    "admin",
    "role",
    "permission",
    "audit",
    "log",
    "trace",
    "span",
    "profile",
    "memory",
    "leak",
    "crash",
    "panic",
    "fix",
    "refactor",
    "cleanup",
    "rename",
    "split",
    "merge",
    "branch",
    "release",
    "version",
    "bump",
    "dependency",
    "update",
    "security",
    "patch",
    "review",
    "test",
    "flaky",
    "coverage",
    "benchmark",
    "docs",
    "readme",
    "example",
    "tutorial",
    "onboarding",
    "email",
    "notify",
    "webhook",
    "billing",
    "invoice",
    "plan",
    "quota",
    "limit",
    "rate",
    "throttle",
    "backup",
    "restore",
    "snapshot",
    "archive",
    "delete",
    "soft",
    "hard",
    "sync",
    "offline",
    "mobile",
    "desktop",
    "browser",
    "api",
    "client",
    "server",
    "proxy",
    "tls",
    "certificate",
    "dns",
];
const LABELS: &[&str] = &[
    "backend",
    "frontend",
    "infra",
    "bug",
    "feature",
    "perf",
    "security",
    "docs",
    "ux",
    "api",
    "db",
    "ci",
    "mobile",
    "tech-debt",
    "good-first-issue",
    "customer",
    "p1",
    "research",
];
const PEOPLE: &[&str] = &["claude", "codex", "alice", "bob", "carol", "gemini", "dave"];

fn sentence(rng: &mut Rng, min: usize, max: usize) -> String {
    let n = min + rng.below(max - min + 1);
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        let word = rng.pick::<&str>(WORDS);
        s.push_str(word);
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

fn unique_id(rng: &mut Rng, prefix: &str, seen: &mut HashSet<String>) -> RecordId {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    loop {
        let mut suffix = String::new();
        let mut x = rng.next();
        for _ in 0..6 {
            suffix.push(ALPHABET[(x % 36) as usize] as char);
            x /= 36;
        }
        if seen.insert(suffix.clone()) {
            return RecordId::parse(&format!("{prefix}-{suffix}")).expect("valid id");
        }
    }
}

/// A backlog of `n` tasks; the first `closed_first` of them are DONE in the
/// first (closed) sprint, for the archive comparison, and no other task is
/// in that sprint.
fn generate(project: &Path, n: usize, closed_first: usize) -> Backlog {
    orchestron::api::Orchestron::init(project, false).expect("init workspace");
    let root = project.join(".orchestron");
    let mut rng = Rng(0x0bac_c10c ^ n as u64);
    let mut seen = HashSet::new();
    // Files come from a checkout made a while ago, not from this second
    // (a file younger than the last refresh is re-hashed by design).
    let mtime = SystemTime::now() - Duration::from_secs(3 * 86_400);
    let base: DateTime<Utc> = Utc
        .with_ymd_and_hms(2025, 1, 1, 9, 0, 0)
        .single()
        .expect("valid date");
    let mut bytes = 0;
    let mut files = 0;
    let mut write = |path: PathBuf, text: String| {
        bytes += text.len();
        files += 1;
        let f = fs::File::create(&path).expect("create record");
        std::io::Write::write_all(&mut &f, text.as_bytes()).expect("write record");
        f.set_modified(mtime).expect("set mtime");
    };

    let sprints: Vec<RecordId> = (0..5)
        .map(|i| {
            let id = unique_id(&mut rng, "SPRINT", &mut seen);
            let start = base.date_naive() + Days::days(14 * i);
            let sprint = Sprint {
                id: id.clone(),
                name: format!("Sprint {}", i + 1),
                status: match i {
                    0..=2 => SprintStatus::Closed,
                    3 => SprintStatus::Active,
                    _ => SprintStatus::Planned,
                },
                goal: Some(sentence(&mut rng, 5, 10)),
                start: Some(start),
                end: Some(start + Days::days(13)),
                created: base + Days::days(14 * i - 2),
            };
            write(
                root.join("sprints").join(id.file_name()),
                render::sprint(&sprint, ""),
            );
            id
        })
        .collect();

    let mut ids: Vec<RecordId> = Vec::with_capacity(n);
    let mut show_id = None;
    let mut edit_path = None;
    for i in 0..n {
        let id = unique_id(&mut rng, "TASK", &mut seen);
        let created = base + Days::seconds((i as i64) * 600 + rng.below(600) as i64);
        let mut title = sentence(&mut rng, 4, 9);
        if rng.chance(1) {
            title.push(' ');
            title.push_str(QUERY_WORD);
        }
        if i % 100 == 0 {
            title.push(' ');
            title.push_str(QUERY_SYMBOL);
        }
        let mut t = Task::new(id.clone(), title, created);
        t.status = *rng.pick(&[
            Status::Todo,
            Status::Todo,
            Status::Todo,
            Status::InProgress,
            Status::InReview,
            Status::Blocked,
            Status::Done,
            Status::Done,
            Status::Done,
            Status::Cancelled,
        ]);
        if i < closed_first {
            t.status = Status::Done;
        }
        t.kind = *rng.pick(&[
            TaskType::Task,
            TaskType::Task,
            TaskType::Task,
            TaskType::Story,
            TaskType::Subtask,
            TaskType::Todo,
            TaskType::Epic,
        ]);
        t.priority = *rng.pick(&[
            Priority::Critical,
            Priority::High,
            Priority::High,
            Priority::Medium,
            Priority::Medium,
            Priority::Medium,
            Priority::Low,
        ]);
        if rng.chance(40) {
            t.assignee = Some(rng.pick(PEOPLE).to_string());
        }
        if !ids.is_empty() && rng.chance(15) {
            t.parent = Some(ids[rng.below(ids.len())].clone());
        }
        if t.status == Status::Done {
            // Finished a day after creation, as the `closed` field records it.
            t.started = Some(created + Days::hours(3));
            t.closed = Some(created + Days::days(1));
        }
        t.progress = match t.status {
            Status::Done => 100,
            Status::InProgress | Status::InReview => (rng.below(10) * 10) as u8,
            _ => 0,
        };
        if rng.chance(50) {
            t.estimate = Some(*rng.pick(&[1, 2, 3, 5, 8]));
        }
        if rng.chance(20) {
            let open_sprints = if closed_first > 0 {
                &sprints[1..]
            } else {
                &sprints[..]
            };
            t.sprint = Some(rng.pick(open_sprints).clone());
        }
        if i < closed_first {
            t.sprint = Some(sprints[0].clone());
        }
        for _ in 0..rng.below(4) {
            let label = rng.pick(LABELS).to_string();
            if !t.labels.contains(&label) {
                t.labels.push(label);
            }
        }
        if !ids.is_empty() && rng.chance(30) {
            for _ in 0..1 + rng.below(2) {
                // Mostly nearby, older tasks: realistic chains, never a cycle.
                let back = 1 + rng.below(ids.len().min(50));
                let dep = ids[ids.len() - back].clone();
                if !t.depends_on.contains(&dep) {
                    t.depends_on.push(dep);
                }
            }
        }
        let mut description = String::new();
        for _ in 0..2 + rng.below(3) {
            description.push_str(&sentence(&mut rng, 6, 14));
            description.push_str(". ");
        }
        if rng.chance(1) {
            description.push_str(QUERY_WORD);
        }
        t.description = Some(description.trim_end().to_string());
        for _ in 0..rng.below(4) {
            t.acceptance_criteria.push(Criterion {
                text: sentence(&mut rng, 4, 8),
                done: t.status == Status::Done || rng.chance(20),
            });
        }
        let entry = |rng: &mut Rng, k: i64| Entry {
            at: created + Days::hours(k + 1),
            by: rng.pick(PEOPLE).to_string(),
            text: sentence(rng, 5, 12),
        };
        if rng.chance(10) {
            t.clarifications.push(entry(&mut rng, 0));
        }
        if rng.chance(35) {
            for k in 0..1 + rng.below(3) as i64 {
                t.notes.push(entry(&mut rng, k + 1));
            }
        }
        t.validate().expect("generated task is valid");
        let path = root.join("tasks").join(id.file_name());
        if show_id.is_none() && !t.notes.is_empty() && !t.depends_on.is_empty() {
            show_id = Some(id.to_string());
        }
        if edit_path.is_none() && i >= n / 2 {
            edit_path = Some(path.clone());
        }
        write(path, render::task(&t, ""));
        ids.push(id);
    }
    Backlog {
        root,
        files,
        bytes,
        show_id: show_id.unwrap_or_else(|| ids[0].to_string()),
        edit_path: edit_path.expect("a backlog has a task in its second half"),
    }
}
