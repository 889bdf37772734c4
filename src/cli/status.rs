//! `orchestron status`: the workspace at a glance — counts, the active
//! sprint, work in progress, claims, what is ready, the latest handoff,
//! problems and the watcher.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output::{self, task_table};
use crate::api::Overview;
use crate::model::Task;
use crate::model::render::timestamp;

pub fn status(ctx: &Ctx) -> CmdResult {
    let o = ctx.open()?;
    let v = o.overview()?;
    if ctx.json {
        output::json(&v)?;
        return Ok(Code::Ok);
    }
    let mut s = format!("Orchestron — {}\n\n", o.root().display());
    s.push_str(&counts_line(&v));
    s.push_str(&sprint_lines(&v));
    s.push_str(&tasks_section("In progress", "(nothing)", &v.in_progress));
    s.push_str(&claims_sections(&v));
    s.push_str(&tasks_section("Ready next", "(nothing ready)", &v.ready));
    s.push_str(&latest_context_section(&v));
    if !v.problems.is_empty() {
        s.push_str(&format!(
            "\nProblems ({}; run `orchestron check`)\n",
            v.problems.len()
        ));
        for p in v.problems.iter().take(10) {
            s.push_str(&format!("  {}\n", super::check::problem_line(o.root(), p)));
        }
    }
    s.push_str(&watcher_line(&o.watcher_status()));
    output::text(&s)?;
    Ok(Code::Ok)
}

/// `Tasks: N (STATUS n, …)`.
fn counts_line(v: &Overview) -> String {
    let counts: Vec<String> = v
        .by_status
        .iter()
        .map(|(st, n)| format!("{st} {n}"))
        .collect();
    format!(
        "Tasks: {} ({})\n",
        v.total,
        if counts.is_empty() {
            "none yet".into()
        } else {
            counts.join(", ")
        }
    )
}

/// The active sprint with a progress bar and its goal's first line.
fn sprint_lines(v: &Overview) -> String {
    let Some(sp) = &v.active_sprint else {
        return "Sprint: none active\n".to_string();
    };
    let bar_len = 20;
    let filled = usize::from(sp.percent) * bar_len / 100;
    let mut s = format!(
        "Sprint: {} ({}) [{}{}] {}/{} done, {}%{}\n",
        sp.sprint.name,
        sp.sprint.id,
        "#".repeat(filled),
        "-".repeat(bar_len - filled),
        sp.done,
        sp.total,
        sp.percent,
        sp.sprint
            .end
            .map_or(String::new(), |e| format!(", ends {e}")),
    );
    if let Some(goal) = &sp.sprint.goal {
        s.push_str(&format!(
            "        goal: {}\n",
            goal.trim().lines().next().unwrap_or("")
        ));
    }
    s
}

/// A heading and its tasks as an indented table, or `empty` under it.
fn tasks_section(heading: &str, empty: &str, tasks: &[Task]) -> String {
    let mut s = format!("\n{heading}\n");
    if tasks.is_empty() {
        s.push_str(&format!("  {empty}\n"));
    } else {
        for line in task_table(tasks).lines() {
            s.push_str(&format!("  {line}\n"));
        }
    }
    s
}

/// Claims the files do not show, and claims a forced write ended.
fn claims_sections(v: &Overview) -> String {
    let mut s = String::new();
    if !v.claims.is_empty() {
        s.push_str("\nClaims not in these files (other worktrees, or stale)\n");
        for h in &v.claims {
            s.push_str(&format!("  {}  {}\n", h.id, h.claim.describe()));
        }
    }
    if !v.claims_ended.is_empty() {
        s.push_str("\nClaims ended by a forced write\n");
        for l in &v.claims_ended {
            s.push_str(&format!("  {}\n", l.describe()));
        }
    }
    s
}

/// The latest snapshot or handoff: who, when, on what, and what it says is done and left.
fn latest_context_section(v: &Overview) -> String {
    let Some(c) = &v.latest_context else {
        return String::new();
    };
    let mut s = format!(
        "\nLatest {}: {} by {} at {}{}\n",
        c.kind.as_str(),
        c.id,
        c.by,
        timestamp(&c.at),
        c.task
            .as_ref()
            .map_or(String::new(), |t| format!(" on {t}"))
    );
    for key in ["completedWork", "remainingWork"] {
        if let Some(text) = c.context.get(key).and_then(|v| v.as_str()) {
            s.push_str(&format!("  {key}: {}\n", text.trim()));
        }
    }
    if let Some(n) = &c.notes {
        s.push_str(&format!("  notes: {}\n", n.trim()));
    }
    s
}

/// Whether a watcher serves this workspace, whether commands use it, and
/// when one starts by itself.
fn watcher_line(w: &crate::api::WatcherStatus) -> String {
    use crate::model::WatcherMode;
    if let Some(why) = &w.off_because {
        return format!("\nWatcher: off here ({why}); commands stat every file\n");
    }
    match (w.serving_pid, w.mode) {
        (Some(pid), WatcherMode::Off) => format!(
            "\nWatcher: pid {pid} is serving; commands here do not use it (`watcher: off` in config.yaml or ORCHESTRON_WATCHER=0)\n"
        ),
        (None, WatcherMode::Off) => "\nWatcher: off (`watcher: off` in config.yaml or ORCHESTRON_WATCHER=0); commands stat every file\n".to_string(),
        (Some(pid), _) => format!(
            "\nWatcher: pid {pid} serves CLI commands (they re-read only what changed)\n"
        ),
        (None, WatcherMode::Manual) => format!(
            "\nWatcher: manual, none serving ({}); commands stat every file (start `orchestron watch`)\n",
            w.why_not.as_deref().unwrap_or("no answer")
        ),
        (None, WatcherMode::Auto) => format!(
            "\nWatcher: auto, none serving now; a command starts one once the workspace holds {} tasks\n",
            crate::api::AUTO_START_TASKS
        ),
    }
}
