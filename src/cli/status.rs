//! `orchestron status`, `orchestron updates` and `orchestron index …`.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output::{self, Table, task_table};
use crate::model::render::timestamp;
use clap::{Args, Subcommand};

pub fn status(ctx: &Ctx) -> CmdResult {
    let o = ctx.open()?;
    let v = o.overview()?;
    if ctx.json {
        output::json(&v)?;
        return Ok(Code::Ok);
    }
    let mut s = format!("Orchestron — {}\n\n", o.root().display());
    let counts: Vec<String> = v
        .by_status
        .iter()
        .map(|(st, n)| format!("{st} {n}"))
        .collect();
    s.push_str(&format!(
        "Tasks: {} ({})\n",
        v.total,
        if counts.is_empty() {
            "none yet".into()
        } else {
            counts.join(", ")
        }
    ));
    match &v.active_sprint {
        Some(sp) => {
            let bar_len = 20;
            let filled = usize::from(sp.percent) * bar_len / 100;
            s.push_str(&format!(
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
            ));
            if let Some(goal) = &sp.sprint.goal {
                s.push_str(&format!(
                    "        goal: {}\n",
                    goal.trim().lines().next().unwrap_or("")
                ));
            }
        }
        None => s.push_str("Sprint: none active\n"),
    }
    s.push_str("\nIn progress\n");
    if v.in_progress.is_empty() {
        s.push_str("  (nothing)\n");
    } else {
        for line in task_table(&v.in_progress).render().lines() {
            s.push_str(&format!("  {line}\n"));
        }
    }
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
    s.push_str("\nReady next\n");
    if v.ready.is_empty() {
        s.push_str("  (nothing ready)\n");
    } else {
        for line in task_table(&v.ready).render().lines() {
            s.push_str(&format!("  {line}\n"));
        }
    }
    if let Some(c) = &v.latest_context {
        s.push_str(&format!(
            "\nLatest {}: {} by {} at {}{}\n",
            c.kind.as_str(),
            c.id,
            c.by,
            timestamp(&c.at),
            c.task
                .as_ref()
                .map_or(String::new(), |t| format!(" on {t}"))
        ));
        for key in ["completedWork", "remainingWork"] {
            if let Some(text) = c.context.get(key).and_then(|v| v.as_str()) {
                s.push_str(&format!("  {key}: {}\n", text.trim()));
            }
        }
        if let Some(n) = &c.notes {
            s.push_str(&format!("  notes: {}\n", n.trim()));
        }
    }
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

#[derive(Debug, Args)]
pub struct UpdatesArgs {
    /// A cursor from an earlier answer (default: your last check).
    #[arg(long)]
    since: Option<String>,
    /// At most this many changes (default and most: 500); run again for the next page.
    #[arg(long, default_value_t = 0)]
    limit: usize,
    /// Show the changes without marking them read (the next `updates`
    /// shows them again).
    #[arg(long)]
    peek: bool,
}

/// Prints a page and marks it read only once it is written in full: output
/// cut short (a closed pipe) leaves it unread. A reader that stops early
/// after the whole page was written (`| head`) cannot be told apart, so
/// `--peek` and `--limit` are the ways to look at part of it.
pub fn updates(ctx: &Ctx, a: UpdatesArgs) -> CmdResult {
    let mut o = ctx.open()?;
    let u = o.peek_updates(a.since.as_deref(), a.limit)?;
    let written = if ctx.json {
        output::json(&u)
    } else {
        output::text(&updates_text(&u))
    };
    if let Err(e) = written {
        // Not marked read: nobody saw it. A closed pipe is still success.
        return Err(e.into());
    }
    if !a.peek {
        o.mark_updates_read(&u)?;
    }
    Ok(Code::Ok)
}

fn updates_text(u: &crate::api::Updates) -> String {
    let mut s = String::new();
    if u.resync {
        s.push_str("Your cursor predates the cache (it was rebuilt); showing what is known.\n");
    }
    if u.changes.is_empty() {
        s.push_str("No updates.\n");
    } else {
        let mut t = Table::new(&["AT", "BY", "RECORD", "CHANGE"]);
        for c in &u.changes {
            let what = if c.op == crate::api::ChangeOp::MaybeChanged {
                let title = c
                    .title
                    .as_deref()
                    .map(|t| format!("{t}: "))
                    .unwrap_or_default();
                format!("{title}may have changed while the cache was rebuilt")
            } else if c.fields.is_empty() {
                format!("{:?}", c.op).to_lowercase()
            } else {
                crate::model::describe_changes(&c.fields, "; ")
            };
            t.row(vec![timestamp(&c.at), c.by.clone(), c.id.to_string(), what]);
        }
        s.push_str(&t.render());
    }
    if u.more {
        s.push_str("More changes follow: run `orchestron updates` again.\n");
    }
    s.push_str(&format!("cursor: {}\n", u.cursor));
    s
}

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Drop the cache and rebuild it from the YAML files.
    Rebuild,
}

pub fn index(ctx: &Ctx, cmd: IndexCommand) -> CmdResult {
    let mut o = ctx.open_for_rebuild()?;
    match cmd {
        IndexCommand::Rebuild => {
            let started = std::time::Instant::now();
            let bar = |done: usize, total: usize| output::progress_bar(done, total, "files");
            let tty = output::wants_progress(ctx.json);
            let n = o.rebuild_index(if tty { Some(&bar) } else { None })?;
            if tty {
                output::clear_progress();
            }
            if ctx.json {
                output::json(
                    &serde_json::json!({ "files": n, "ms": started.elapsed().as_millis() }),
                )?;
            } else {
                output::text(&format!(
                    "Indexed {n} files in {} ms",
                    started.elapsed().as_millis()
                ))?;
            }
        }
    }
    Ok(Code::Ok)
}
