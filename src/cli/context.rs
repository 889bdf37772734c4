//! `orchestron context …` and `orchestron handoff`: what a session leaves for the next.

use super::Ctx;
use super::exit::{CliError, CmdResult, Code};
use super::output::{self, Table};
use crate::api::{ContextView, HandoffInput, SaveContext};
use crate::model::ContextSnapshot;
use crate::model::render::timestamp;
use clap::{Args, Subcommand};
use serde_json::{Map, Value};

#[derive(Debug, Subcommand)]
pub enum ContextCommand {
    /// Save a context snapshot.
    Save {
        /// The context as a JSON object.
        #[arg(long)]
        context: Option<String>,
        /// One context key: KEY=VALUE (repeat).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Free-form notes for the next session (what you were thinking).
        #[arg(long)]
        notes: Option<String>,
        /// Mark the snapshot as a checkpoint, optionally named: `--checkpoint`
        /// alone names it "checkpoint", `--checkpoint "tests green"` names it.
        #[arg(long, value_name = "NAME", num_args = 0..=1, default_missing_value = "checkpoint")]
        checkpoint: Option<String>,
        /// The task this context is about.
        #[arg(long)]
        task: Option<String>,
        /// Carry the latest snapshot's keys forward (--context/--set on top)
        /// and default --task to the task you hold: a checkpoint that hides
        /// nothing saved before it (the plugin's PreCompact hook uses it).
        #[arg(long)]
        keep: bool,
    },
    /// Show a snapshot (default: the latest) and the session before it.
    Show { id: Option<String> },
    /// Snapshots and handoffs, newest first.
    #[command(alias = "ls")]
    List {
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

#[derive(Debug, Args)]
pub struct HandoffArgs {
    pub task: String,
    /// What was done.
    #[arg(long)]
    pub done: Option<String>,
    /// What remains.
    #[arg(long)]
    pub remaining: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
    /// Hand off a task another agent holds (its claim ends, and it is told).
    #[arg(long)]
    pub force: bool,
}

/// `context save` runs under [`Ctx::write`]; `show` and `list` open with
/// [`Ctx::open`].
pub fn run(ctx: &Ctx, cmd: ContextCommand) -> CmdResult {
    match cmd {
        ContextCommand::Save {
            context,
            set,
            notes,
            checkpoint,
            task,
            keep,
        } => {
            let input = SaveContext {
                context: context_keys(context, set)?,
                notes,
                checkpoint,
                task,
            };
            let s = ctx.write(|o| {
                if keep {
                    o.save_context_keeping(input)
                } else {
                    o.save_context(input)
                }
            })?;
            if ctx.json {
                output::json(&saved(&s))?;
            } else {
                output::text(&format!("Context saved with ID: {}", s.id))?;
            }
        }
        ContextCommand::Show { id } => match ctx.open()?.context(id.as_deref())? {
            Some(v) if ctx.json => output::json(&v)?,
            Some(v) => output::text(&context_view(&v))?,
            None if ctx.json => output::json(&serde_json::json!({ "snapshot": null }))?,
            None => output::text("No context saved yet.")?,
        },
        ContextCommand::List { limit } => {
            let all = ctx.open()?.list_contexts(limit)?;
            if ctx.json {
                output::json(&all)?;
            } else if all.is_empty() {
                output::text("No context saved yet.")?;
            } else {
                output::text(&context_table(&all))?;
            }
        }
    }
    Ok(Code::Ok)
}

/// The context to save: the `--context` JSON object with each `--set KEY=VALUE` on top.
fn context_keys(context: Option<String>, set: Vec<String>) -> Result<Map<String, Value>, CliError> {
    let mut map = match context {
        Some(json) => match serde_json::from_str::<Value>(&json) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(CliError::Usage("--context must be a JSON object".into())),
            Err(e) => {
                return Err(CliError::Usage(format!("--context is not valid JSON: {e}")));
            }
        },
        None => Map::new(),
    };
    for kv in set {
        let Some((k, v)) = kv.split_once('=') else {
            return Err(CliError::Usage(format!("--set {kv:?}: expected KEY=VALUE")));
        };
        map.insert(k.trim().to_string(), Value::String(v.to_string()));
    }
    Ok(map)
}

/// `context show` as text: the snapshot's header lines, its keys, the session before it.
fn context_view(v: &ContextView) -> String {
    let s = &v.snapshot;
    let mut text = format!(
        "{}  {} by {} at {}\n",
        s.id,
        s.kind.as_str(),
        s.by,
        timestamp(&s.at)
    );
    if let Some(t) = &s.task {
        text.push_str(&format!("  task        {t}\n"));
    }
    if let Some(c) = &s.checkpoint {
        text.push_str(&format!("  checkpoint  {c}\n"));
    }
    if let Some(g) = &s.git {
        text.push_str(&format!(
            "  git         {} @ {} ({} uncommitted)\n",
            g.branch.as_deref().unwrap_or("(detached)"),
            g.head
                .as_deref()
                .map_or("(no commit)", |h| &h[..h.len().min(10)]),
            g.dirty.len()
        ));
    }
    if let Some(n) = &s.notes {
        text.push_str(&format!("  notes       {}\n", n.trim()));
    }
    if let Some(h) = &v.handoff {
        text.push_str(&format!(
            "  handoff     {} by {} at {} (newer)\n",
            h.id,
            h.by,
            timestamp(&h.at)
        ));
    }
    let keys = v.saved_keys();
    if !keys.is_empty() {
        text.push('\n');
        for (k, val) in &keys {
            let val = val.as_str().map_or_else(|| val.to_string(), str::to_string);
            text.push_str(&format!("  {k}: {val}\n"));
        }
    }
    if let Some(prev) = &v.last_session {
        text.push_str(&format!(
            "\nPrevious session: {} by {} at {}\n",
            prev.id,
            prev.by,
            timestamp(&prev.at)
        ));
    }
    text
}

/// `context list` as a table, one snapshot a row with the first line of its notes.
fn context_table(all: &[ContextSnapshot]) -> String {
    let mut t = Table::new(&["ID", "KIND", "AT", "BY", "TASK", "NOTES"]);
    for c in all {
        t.row(vec![
            c.id.to_string(),
            c.kind.as_str().to_string(),
            timestamp(&c.at),
            c.by.clone(),
            c.task.as_ref().map_or("-".into(), |t| t.to_string()),
            c.notes
                .clone()
                .unwrap_or_default()
                .lines()
                .next()
                .unwrap_or("")
                .to_string(),
        ]);
    }
    t.render()
}

pub fn handoff(ctx: &Ctx, a: HandoffArgs) -> CmdResult {
    let input = HandoffInput {
        task: a.task,
        completed_work: a.done.into_iter().collect(),
        remaining_work: a.remaining.into_iter().collect(),
        notes: a.note,
        force: a.force,
    };
    let s = ctx.write(|o| o.handoff(input))?;
    if ctx.json {
        output::json(&saved(&s))?;
    } else {
        output::text(&format!("Handoff saved with ID: {}", s.id))?;
    }
    Ok(Code::Ok)
}

/// What a save prints with `--json`: `{id, snapshot}`, the shape MCP's
/// `context_save` and `handoff_prepare` return.
fn saved(s: &crate::model::ContextSnapshot) -> Value {
    serde_json::json!({ "id": s.id, "snapshot": s })
}
