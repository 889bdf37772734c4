//! `orchestron prime`: renders [`Prime`] for the start of a session or right
//! after compaction (hooks put it in front of the model), in a few hundred
//! bytes: the house rules name the MCP tools when the server is configured,
//! the CLI commands otherwise. `--stop-hook` answers Claude Code's Stop hook
//! instead: a reminder when a held task has no handoff since the agent's last
//! write to it (a `systemMessage`, never a block), else nothing.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use crate::api::{Digest, HandoffBrief, Prime};
use crate::model::short;
use clap::Args;

#[derive(Debug, Args)]
pub struct PrimeArgs {
    /// The MCP server is configured (a plugin's hook says so): the short
    /// form, whose rules name the tools. Default: read the project's client
    /// configs (.mcp.json, .codex/config.toml, …).
    #[arg(long, conflicts_with = "cli")]
    mcp: bool,
    /// The long form, whose rules name the CLI commands.
    #[arg(long)]
    cli: bool,
    /// Answer Claude Code's Stop hook: `{"systemMessage": …}` when a task you
    /// hold has no handoff since your last write to it; nothing otherwise.
    #[arg(long)]
    stop_hook: bool,
}

pub fn run(ctx: &Ctx, args: PrimeArgs) -> CmdResult {
    let o = ctx.open()?;
    let mcp = match (args.mcp, args.cli) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let prime = o.prime(mcp)?;
    if args.stop_hook {
        if let Some(message) = stop_reminder(&prime) {
            output::json(&serde_json::json!({ "systemMessage": message }))?;
        }
        return Ok(Code::Ok);
    }
    if ctx.json {
        output::json(&prime)?;
    } else {
        output::text(render(&prime).trim_end())?;
    }
    Ok(Code::Ok)
}

/// The Stop hook's reminder, when a handoff is due.
fn stop_reminder(p: &Prime) -> Option<String> {
    if p.handoff_due.is_empty() {
        return None;
    }
    let ids: Vec<String> = p.handoff_due.iter().map(ToString::to_string).collect();
    let how = if p.mcp {
        "orchestron_handoff_prepare"
    } else {
        "orchestron handoff ID --done … --remaining …"
    };
    Some(format!(
        "Orchestron: {} has no handoff since your last change to it — hand off before you end ({how}).",
        ids.join(", ")
    ))
}

/// The text form: one short section per fact, empty ones left out.
fn render(p: &Prime) -> String {
    let mut s = format!(
        "# Orchestron: you are \"{}\" (tasks: .orchestron/, YAML in git)\n",
        p.agent
    );
    holding(&mut s, p);
    if let Some(h) = &p.handoff {
        handoff(&mut s, h);
    }
    updates(&mut s, &p.updates, p.mcp);
    if !p.ready.is_empty() {
        s.push_str("Ready next:\n");
        for t in &p.ready {
            s.push_str(&format!("- {} {}\n", t.id, short(&t.title, TITLE_CHARS)));
        }
    }
    s.push_str(if p.mcp { MCP_RULES } else { CLI_RULES });
    s
}

fn holding(s: &mut String, p: &Prime) {
    if p.holding.is_empty() {
        s.push_str("You hold no task.\n");
        return;
    }
    s.push_str("You hold:\n");
    for t in &p.holding {
        let due = if p.handoff_due.contains(&t.id) {
            ", handoff due"
        } else {
            ""
        };
        s.push_str(&format!(
            "- {} {} ({}%, {}/{} criteria open{due})\n",
            t.id,
            short(&t.title, TITLE_CHARS),
            t.progress,
            t.criteria_open,
            t.criteria
        ));
        for c in &t.clarifications {
            s.push_str(&format!(
                "  {} clarified, {}: {}\n",
                c.by,
                c.at.format("%Y-%m-%d"),
                c.text
            ));
        }
    }
    if p.holding_more > 0 {
        s.push_str(&format!("  (and {} more)\n", p.holding_more));
    }
}

fn handoff(s: &mut String, h: &HandoffBrief) {
    let task = h
        .task
        .as_ref()
        .map_or(String::new(), |t| format!(" on {t}"));
    s.push_str(&format!(
        "Latest handoff{task} ({}, {}):\n",
        h.by,
        h.at.format("%Y-%m-%d %H:%MZ")
    ));
    for (label, items) in [("done", &h.done), ("remaining", &h.remaining)] {
        if !items.is_empty() {
            s.push_str(&format!(
                "  {label}: {}\n",
                short(&items.join("; "), LINE_CHARS)
            ));
        }
    }
    if let Some(n) = &h.notes {
        s.push_str(&format!("  notes: {n}\n"));
    }
}

fn updates(s: &mut String, d: &Digest, mcp: bool) {
    if d.is_empty() {
        return;
    }
    // With the MCP server, the first tool result of the session carries the
    // updates notice anyway: a count is enough here.
    if mcp {
        s.push_str(&format!(
            "{} since your last check (orchestron_check_updates).\n",
            count_updates(d.total)
        ));
        return;
    }
    s.push_str(&format!(
        "{} since your last check:\n",
        count_updates(d.total)
    ));
    if let Some(earlier) = d.earlier_line() {
        s.push_str(&format!("- {}\n", short(&earlier, LINE_CHARS)));
    }
    for c in &d.recent {
        let what = if c.fields.is_empty() {
            c.op.as_str().to_string()
        } else {
            crate::model::describe_changes(&c.fields, "; ")
        };
        s.push_str(&format!("- {} {} ({})\n", c.id, short(&what, 80), c.by));
    }
    s.push_str("  (all: `orchestron updates`)\n");
}

fn count_updates(n: usize) -> String {
    if n == 1 {
        "1 update".to_string()
    } else {
        format!("{n} updates")
    }
}

/// Longest title, and longest line of joined items, printed.
const TITLE_CHARS: usize = 45;
const LINE_CHARS: usize = 90;

const MCP_RULES: &str = "Rules: claim before work (orchestron_task_claim), record progress \
(orchestron_task_update), hand off before you stop (orchestron_handoff_prepare), then \
`orchestron sync`.\n";

const CLI_RULES: &str = "Rules: claim before work (`orchestron task claim [ID]`), record \
progress (`orchestron task update ID --progress N --note …`), hand off before you stop \
(`orchestron handoff ID --done … --remaining …`), then `orchestron sync`.\n";
