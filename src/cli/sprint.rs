//! `orchestron sprint …`: create, start, close, show, list.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output::{self, Table};
use crate::api::NewSprint;
use crate::model::SprintStatus;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum SprintCommand {
    /// Plan a sprint.
    Create {
        name: String,
        #[arg(long)]
        goal: Option<String>,
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        start: Option<String>,
        /// Last day, YYYY-MM-DD.
        #[arg(long)]
        end: Option<String>,
    },
    /// Make a sprint the active one (by id or name).
    Start { sprint: String },
    /// Close a sprint (by id or name).
    Close { sprint: String },
    /// A sprint's tasks and progress (default: the active sprint).
    Show { sprint: Option<String> },
    /// All sprints.
    #[command(alias = "ls")]
    List,
}

/// A command that writes runs under [`Ctx::write`], one that reads opens
/// with [`Ctx::open`].
pub fn run(ctx: &Ctx, cmd: SprintCommand) -> CmdResult {
    match cmd {
        SprintCommand::Create {
            name,
            goal,
            start,
            end,
        } => {
            let new = NewSprint {
                name,
                goal,
                start,
                end,
            };
            let s = ctx.write(|o| o.create_sprint(new))?;
            if ctx.json {
                output::json(&s)?;
            } else {
                output::text(&format!("Created sprint {}: {}", s.id, s.name))?;
            }
        }
        SprintCommand::Start { sprint } => return set(ctx, &sprint, SprintStatus::Active),
        SprintCommand::Close { sprint } => return set(ctx, &sprint, SprintStatus::Closed),
        SprintCommand::Show { sprint } => match ctx.open()?.show_sprint(sprint.as_deref())? {
            Some(v) if ctx.json => output::json(&v)?,
            Some(v) => {
                let s = &v.sprint;
                let mut text = format!("{}  {}  [{}]\n", s.id, s.name, s.status);
                if let Some(goal) = &s.goal {
                    text.push_str(&format!("  goal      {}\n", goal.trim()));
                }
                if let (Some(a), Some(b)) = (s.start, s.end) {
                    text.push_str(&format!("  dates     {a} → {b}\n"));
                }
                text.push_str(&format!(
                    "  progress  {}/{} done ({}%)\n",
                    v.done, v.total, v.percent
                ));
                let tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
                text.push_str(&super::report::burndown_text(&v.progress, tty));
                text.push('\n');
                let mut t = Table::new(&["ID", "STATUS", "TITLE"]);
                for r in &v.tasks {
                    t.row(vec![
                        r.id.to_string(),
                        r.status.to_string(),
                        r.title.clone(),
                    ]);
                }
                text.push_str(&t.render());
                output::text(&text)?;
            }
            None if ctx.json => output::json(&serde_json::Value::Null)?,
            None => {
                output::text("No active sprint. Start one with `orchestron sprint start NAME`.")?
            }
        },
        SprintCommand::List => {
            let sprints = ctx.open()?.list_sprints()?;
            if ctx.json {
                output::json(&sprints)?;
            } else if sprints.is_empty() {
                output::text("No sprints yet.")?;
            } else {
                let mut t = Table::new(&["ID", "STATUS", "START", "END", "NAME"]);
                for s in &sprints {
                    let date =
                        |d: Option<chrono::NaiveDate>| d.map_or("-".into(), |d| d.to_string());
                    t.row(vec![
                        s.id.to_string(),
                        s.status.to_string(),
                        date(s.start),
                        date(s.end),
                        s.name.clone(),
                    ]);
                }
                output::text(&t.render())?;
            }
        }
    }
    Ok(Code::Ok)
}

fn set(ctx: &Ctx, sprint: &str, status: SprintStatus) -> CmdResult {
    let u = ctx.write(|o| o.set_sprint_status(sprint, status))?;
    for w in &u.warnings {
        super::exit::warn(&format!("warning: {w}"));
    }
    let s = u.sprint;
    if ctx.json {
        output::json(&s)?;
    } else {
        output::text(&format!("Sprint {} ({}) is {}", s.id, s.name, s.status))?;
    }
    Ok(Code::Ok)
}
