//! What a bulk load derives from all its live tasks at once, counted in
//! memory as they arrive rather than by queries over the full tables at the
//! end (at 100,000 tasks those cost 0.2 s for readiness and 0.1 s for the
//! counts, on the thread a rebuild waits on):
//! - readiness: each live task's `open_deps` (its distinct dependencies
//!   that are not a closed task — a dependency on no task counts as open)
//!   and `unblocks` (how many open tasks depend on it), what
//!   `apply::recompute_all_blocking` gets from two joins; written as one
//!   `UPDATE` per task whose numbers are not zero;
//! - `task_counts`: the tasks per (archived, status), what the count
//!   triggers keep afterwards.
//!
//! The index tests compare both with what the incremental apply leaves.

use super::super::error::IndexError;
use super::super::statements::Run;
use crate::model::{Status, Task};
use rusqlite::params;
use std::collections::HashMap;

/// What readiness and the counts need of a live task.
pub(super) struct LiveTask {
    status: Status,
    /// Whether its file lies under `archive/` (as `tasks.archived`).
    archived: bool,
    /// Its dependencies, each once (as `task_deps` holds them).
    deps: Vec<String>,
}

impl LiveTask {
    pub(super) fn of(t: &Task, path: &str) -> LiveTask {
        let mut deps: Vec<String> = Vec::with_capacity(t.depends_on.len());
        for d in &t.depends_on {
            if !deps.iter().any(|seen| seen == d.as_str()) {
                deps.push(d.to_string());
            }
        }
        LiveTask {
            status: t.status,
            archived: path.starts_with("archive/"),
            deps,
        }
    }

    fn closed(&self) -> bool {
        self.status.is_closed()
    }
}

/// Writes the readiness of `tasks` — every live task, as (id, rid, task) —
/// into their rows, which were inserted with zeros, and their counts into
/// `task_counts`, which is empty.
pub(super) fn write(db: &impl Run, tasks: &[(&str, i64, &LiveTask)]) -> Result<(), IndexError> {
    write_readiness(db, tasks)?;
    let mut counts: HashMap<(bool, Status), i64> = HashMap::new();
    for (_, _, t) in tasks {
        *counts.entry((t.archived, t.status)).or_default() += 1;
    }
    for ((archived, status), n) in counts {
        db.run(
            "INSERT INTO task_counts (archived, status, n) VALUES (?1, ?2, ?3)",
            params![archived, status.as_str(), n],
            "counting the tasks",
        )?;
    }
    Ok(())
}

fn write_readiness(db: &impl Run, tasks: &[(&str, i64, &LiveTask)]) -> Result<(), IndexError> {
    let closed: HashMap<&str, bool> = tasks.iter().map(|(id, _, t)| (*id, t.closed())).collect();
    let mut unblocks: HashMap<&str, i64> = HashMap::new();
    for (_, _, t) in tasks.iter().filter(|(_, _, t)| !t.closed()) {
        for d in &t.deps {
            *unblocks.entry(d.as_str()).or_default() += 1;
        }
    }
    for (id, rid, t) in tasks {
        let open = t
            .deps
            .iter()
            .filter(|d| closed.get(d.as_str()) != Some(&true))
            .count() as i64;
        let unblocks = unblocks.get(id).copied().unwrap_or(0);
        if open == 0 && unblocks == 0 {
            continue;
        }
        db.run(
            "UPDATE tasks SET open_deps = ?2, unblocks = ?3 WHERE rid = ?1",
            params![rid, open, unblocks],
            "computing which tasks are ready",
        )?;
    }
    Ok(())
}
