//! Timings at 10,000 and 100,000 tasks. Ignored by default; run with
//! `cargo test --release --lib index::tests::perf -- --ignored --nocapture`.

use super::*;
use crate::index::TaskQuery;
use crate::model::{Priority, Status};
use std::time::Instant;

fn synthetic(n: usize) -> Vec<FileUpdate> {
    let statuses = [Status::Todo, Status::InProgress, Status::Done, Status::Todo];
    let priorities = [
        Priority::Low,
        Priority::Medium,
        Priority::High,
        Priority::Critical,
    ];
    (0..n)
        .map(|i| {
            let mut t = task(
                &format!("TASK-{i:06}"),
                &format!("Synthetic task number {i} about auth"),
                i as i64,
            );
            t.status = statuses[i % 4];
            t.priority = priorities[(i / 3) % 4];
            t.labels = vec![format!("area{}", i % 20)];
            t.description = Some(format!(
                "Implement the thing {i}.\nIt touches module {}.",
                i % 97
            ));
            if i > 10 {
                t.depends_on = vec![id(&format!("TASK-{:06}", i / 2))];
            }
            t.notes
                .push(entry("claude", &format!("progress note {i}"), i as i64));
            update(t)
        })
        .collect()
}

/// This thread's CPU time in ns (Linux), so that timings taken on a busy
/// machine can be told apart from waiting for a core.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn time<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let cpu = cpu_ns();
    let start = Instant::now();
    let out = f();
    let wall = start.elapsed().as_secs_f64() * 1000.0;
    let cpu = cpu
        .zip(cpu_ns())
        .map_or(f64::NAN, |(a, b)| (b - a) as f64 / 1e6);
    eprintln!("{label:<40} {wall:>9.2} ms wall {cpu:>9.2} ms cpu");
    out
}

#[test]
#[ignore = "timing report; run in release with --ignored --nocapture"]
fn perf_report() {
    for n in std::env::var("PERF_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(vec![10_000, 100_000], |n| vec![n])
    {
        eprintln!("--- {n} tasks");
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("index.sqlite");
        let updates = synthetic(n);
        let mut index = Index::open(&path).expect("open");
        let rows = time("cold apply (one transaction)", || {
            index
                .apply(Refresh {
                    updates,
                    deleted: vec![],
                    actor: "editor".into(),
                })
                .expect("apply")
        });
        assert_eq!(rows, 0);
        drop(index);
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        eprintln!("database size: {:.1} MB", size as f64 / 1e6);
        let index = time("open (warm file)", || Index::open(&path).expect("open"));
        let stamps = time("stamps()", || index.stamps().expect("stamps"));
        assert_eq!(stamps.len(), n);
        let list = time("stamp_list()", || index.stamp_list().expect("stamps"));
        assert_eq!(list.len(), n);
        drop(index);
        let page = time("open + stamps + top-50 list", || {
            let index = Index::open(&path).expect("open");
            let _ = index.stamps().expect("stamps");
            index
                .tasks(&TaskQuery {
                    limit: 50,
                    ..Default::default()
                })
                .expect("list")
        });
        assert_eq!(page.total, n);
        let index = Index::open(&path).expect("open");
        time("top-50 list", || {
            index
                .tasks(&TaskQuery {
                    limit: 50,
                    ..Default::default()
                })
                .expect("list")
        });
        time("top-50 ready list", || {
            index
                .tasks(&TaskQuery {
                    limit: 50,
                    ready: true,
                    ..Default::default()
                })
                .expect("list")
        });
        time("top-50 status=IN_PROGRESS", || {
            index
                .tasks(&TaskQuery {
                    limit: 50,
                    status: vec![Status::InProgress],
                    ..Default::default()
                })
                .expect("list")
        });
        time("top-50 label filter", || {
            index
                .tasks(&TaskQuery {
                    limit: 50,
                    label: Some("area7".into()),
                    ..Default::default()
                })
                .expect("list")
        });
        time("full-text 'module 42'", || {
            index
                .tasks(&TaskQuery {
                    limit: 50,
                    query: Some("module 42".into()),
                    ..Default::default()
                })
                .expect("list")
        });
        time("status_counts", || index.status_counts().expect("counts"));
        time("problems()", || index.problems().expect("problems"));
        time("similar_ids", || {
            index.similar_ids("TASK-00012x").expect("similar")
        });
        drop(index);
        let mut index = Index::open(&path).expect("open");
        let mut t = task("TASK-000042", "Synthetic task number 42 about auth", 42);
        t.status = Status::Done;
        let rows = time("apply one changed file", || {
            index
                .apply(Refresh {
                    updates: vec![update(t)],
                    deleted: vec![],
                    actor: "editor".into(),
                })
                .expect("apply")
        });
        assert_eq!(rows, 1);
    }
}
