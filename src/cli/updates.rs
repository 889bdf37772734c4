//! `orchestron updates`: what changed since your last check, a page at a
//! time, marked read once shown.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output::{self, Table};
use crate::model::render::timestamp;
use clap::Args;

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
            let what = if c.op == crate::model::ChangeOp::MaybeChanged {
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
