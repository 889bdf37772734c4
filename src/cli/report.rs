//! `orchestron report [flow|sprint|bottlenecks]` and `orchestron predict ID`:
//! the insights for a human at a glance — aligned tables, and a burndown drawn
//! with block characters when stdout is a terminal (plain numbers otherwise,
//! so a pipe or a log stays greppable). `--json` prints the API's results.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output::{self, Table};
use crate::api::insights::Capped;
use crate::api::{Bottlenecks, Burndown, Flow, Forecast, SprintView};
use clap::{Args, Subcommand};
use std::io::IsTerminal;

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    part: Option<ReportPart>,
}

#[derive(Debug, Subcommand)]
enum ReportPart {
    /// Throughput, cycle and lead time, work in progress and its aging.
    Flow,
    /// The active sprint (or SPRINT): progress, points, burndown, scope added.
    Sprint { sprint: Option<String> },
    /// Root blockers, critical path, cycles, long-running and review work,
    /// overloaded assignees, stale claims.
    Bottlenecks {
        /// Only this sprint's tasks (id or name).
        #[arg(long)]
        sprint: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A task, epic or story id, or a sprint id or name.
    target: String,
}

pub fn report(ctx: &Ctx, args: ReportArgs) -> CmdResult {
    let o = ctx.open()?;
    let tty = std::io::stdout().is_terminal();
    match args.part {
        None => {
            let r = o.report()?;
            if ctx.json {
                output::json(&r)?;
            } else {
                let mut text = flow_text(&r.flow);
                text.push('\n');
                match &r.sprint {
                    Some(v) => text.push_str(&sprint_text(v, tty)),
                    None => text.push_str("Sprint: none active.\n"),
                }
                text.push('\n');
                text.push_str(&bottlenecks_text(&r.bottlenecks));
                output::text(text.trim_end())?;
            }
        }
        Some(ReportPart::Flow) => {
            let f = o.flow_report()?;
            if ctx.json {
                output::json(&f)?;
            } else {
                output::text(flow_text(&f).trim_end())?;
            }
        }
        Some(ReportPart::Sprint { sprint }) => match o.show_sprint(sprint.as_deref())? {
            Some(v) if ctx.json => output::json(&v)?,
            Some(v) => output::text(sprint_text(&v, tty).trim_end())?,
            None if ctx.json => output::json(&serde_json::Value::Null)?,
            None => output::text("No active sprint.")?,
        },
        Some(ReportPart::Bottlenecks { sprint }) => {
            let b = o.bottlenecks(sprint.as_deref())?;
            if ctx.json {
                output::json(&b)?;
            } else {
                output::text(bottlenecks_text(&b).trim_end())?;
            }
        }
    }
    Ok(Code::Ok)
}

pub fn predict(ctx: &Ctx, args: PredictArgs) -> CmdResult {
    let o = ctx.open()?;
    let f = o.predict(&args.target)?;
    if ctx.json {
        output::json(&f)?;
    } else {
        output::text(&forecast_text(&f))?;
    }
    Ok(Code::Ok)
}

fn days(v: Option<f64>) -> String {
    v.map_or("-".into(), |d| format!("{d}"))
}

fn more<T>(c: &Capped<T>) -> String {
    if c.total > c.items.len() {
        format!("  … {} more\n", c.total - c.items.len())
    } else {
        String::new()
    }
}

fn flow_text(f: &Flow) -> String {
    let mut s = format!("Flow (last {} days)\n", f.window_days);
    let weeks: Vec<String> = f
        .throughput_per_week
        .iter()
        .map(|w| w.done.to_string())
        .collect();
    s.push_str(&format!("  done per week   {}\n", weeks.join(" ")));
    let mut t = Table::new(&["", "MEDIAN DAYS", "P85 DAYS", "TASKS"]);
    for (name, st) in [("cycle time", &f.cycle_time), ("lead time", &f.lead_time)] {
        t.row(vec![
            format!("  {name}"),
            days(st.median_days),
            days(st.p85_days),
            st.samples.to_string(),
        ]);
    }
    s.push_str(&t.render());
    let wip: Vec<String> = f
        .wip_by_status
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    s.push_str(&format!(
        "  in progress     {}\n",
        if wip.is_empty() {
            "none".into()
        } else {
            wip.join(", ")
        }
    ));
    let who: Vec<String> = f
        .wip_by_assignee
        .items
        .iter()
        .map(|a| format!("{} {}", a.assignee, a.wip))
        .collect();
    if !who.is_empty() {
        s.push_str(&format!("  by assignee     {}\n", who.join(", ")));
    }
    if !f.aging.items.is_empty() {
        s.push_str("\n  Aging work in progress\n");
        let mut t = Table::new(&["  ID", "STATUS", "DAYS", "", "TITLE"]);
        for a in &f.aging.items {
            t.row(vec![
                format!("  {}", a.id),
                a.status.to_string(),
                a.days.to_string(),
                if a.over_p85 {
                    "> p85".into()
                } else {
                    String::new()
                },
                a.title.clone(),
            ]);
        }
        s.push_str(&t.render());
        s.push_str(&more(&f.aging));
    }
    s
}

/// The largest remaining count of the burndown (at least 1): what its bars
/// are scaled to.
pub(crate) fn burndown_peak(b: &Burndown) -> usize {
    b.series
        .iter()
        .map(|d| d.remaining)
        .max()
        .unwrap_or(0)
        .max(1)
}

/// The burndown: one bar per day, in eighths of a block, scaled to the first
/// day's (or the largest) remaining count.
pub(crate) fn burndown_text(b: &Burndown, tty: bool) -> String {
    let mut s = String::new();
    let max = burndown_peak(b);
    const WIDTH: usize = 30;
    const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    for d in &b.series {
        let bar = if tty {
            let eighths = d.remaining * WIDTH * 8 / max;
            let mut bar = "█".repeat(eighths / 8);
            if !eighths.is_multiple_of(8) {
                bar.push(EIGHTHS[eighths % 8 - 1]);
            }
            format!("{bar} ")
        } else {
            String::new()
        };
        s.push_str(&format!(
            "  {}  {bar}{} left ({} pts)\n",
            d.date, d.remaining, d.remaining_points
        ));
    }
    s
}

/// "Sprint SPRINT-w48ab 2026-w48 [ACTIVE]", `sep`, then "done 1/7 (14%),
/// points 5/21, 3 day(s) left": a sprint and its progress (the report puts
/// them on two lines, the terminal board on one).
pub(crate) fn sprint_summary(
    sprint: &crate::model::Sprint,
    (done, total, percent): (usize, usize, u8),
    p: &Burndown,
    sep: &str,
) -> String {
    let mut s = format!(
        "Sprint {} {} [{}]{sep}done {done}/{total} ({percent}%), points {}/{}",
        sprint.id,
        sprint.name,
        sprint.status,
        p.points_done,
        p.points_done + p.points_remaining
    );
    if let Some(d) = p.days_left {
        s.push_str(&format!(", {d} day(s) left"));
    }
    s
}

pub(crate) fn sprint_text(v: &SprintView, tty: bool) -> String {
    let p = &v.progress;
    let mut s = sprint_summary(&v.sprint, (v.done, v.total, v.percent), p, "\n  ");
    s.push('\n');
    if p.scope_added_total > 0 {
        let ids: Vec<&str> = p.scope_added.iter().map(|i| i.as_str()).collect();
        s.push_str(&format!(
            "  scope added     {} ({})\n",
            p.scope_added_total,
            ids.join(", ")
        ));
    }
    s.push_str(&burndown_text(p, tty));
    s
}

fn bottlenecks_text(b: &Bottlenecks) -> String {
    let mut s = String::from("Bottlenecks\n");
    let total = |shown: usize, total: usize| {
        if total > shown {
            format!(" (showing {shown} of {total})")
        } else {
            String::new()
        }
    };
    if b.root_blockers.is_empty() {
        s.push_str("  root blockers   none\n");
    } else {
        s.push_str(&format!(
            "  root blockers{}\n",
            total(b.root_blockers.len(), b.totals.root_blockers)
        ));
        let mut t = Table::new(&["    ID", "BLOCKS", "TITLE"]);
        for r in &b.root_blockers {
            t.row(vec![
                format!("    {}", r.id),
                r.blocks.to_string(),
                r.title.clone(),
            ]);
        }
        s.push_str(&t.render());
    }
    if !b.critical_path.is_empty() {
        let ids: Vec<&str> = b.critical_path.iter().map(|i| i.as_str()).collect();
        s.push_str(&format!(
            "  critical path   {} tasks: {}\n",
            b.totals.critical_path,
            ids.join(" → ")
        ));
    }
    for c in &b.cycles {
        s.push_str(&format!("  cycle           {}\n", c.why));
    }
    let waiting =
        |s: &mut String, name: &str, list: &[crate::api::insights::bottlenecks::Waiting]| {
            for w in list {
                s.push_str(&format!("  {name:<15} {}  {} ({})\n", w.id, w.why, w.title));
            }
        };
    waiting(&mut s, "long running", &b.long_running);
    waiting(&mut s, "review queue", &b.review_queue);
    for o in &b.overloaded {
        s.push_str(&format!(
            "  overloaded      {} holds {} (limit {})\n",
            o.assignee, o.wip, o.limit
        ));
    }
    for c in &b.stale_claims {
        s.push_str(&format!("  stale claim     {}  {}\n", c.id, c.why));
    }
    s
}

fn forecast_text(f: &Forecast) -> String {
    let mut s = format!(
        "{} {} ({}): {} open task(s), {} point(s)\n",
        f.target.id, f.target.title, f.target.kind, f.remaining, f.remaining_points
    );
    if f.insufficient_history {
        s.push_str(&format!(
            "  no forecast: {}\n",
            f.missing.as_deref().unwrap_or("too little history")
        ));
        return s.trim_end().to_string();
    }
    let date = |d: Option<chrono::NaiveDate>| d.map_or("never".into(), |d| d.to_string());
    s.push_str(&format!(
        "  50 % by {}   85 % by {}   95 % by {}\n",
        date(f.p50),
        date(f.p85),
        date(f.p95)
    ));
    s.push_str(&format!(
        "  basis: {} tasks finished over {} working days ({}/day), {} trials\n",
        f.basis.samples, f.basis.window_days, f.basis.throughput_per_day, f.basis.trials
    ));
    if let Some(floor) = &f.floor {
        s.push_str(&format!("  floor {}: {}\n", floor.date, floor.why));
    }
    s.trim_end().to_string()
}
