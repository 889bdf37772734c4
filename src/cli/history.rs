//! `orchestron task history`: what each commit (and the work tree) changed
//! in one task, field by field.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use crate::api::{HistoryOp, Orchestron, TaskHistory};
use crate::model::render::timestamp;
use std::fmt::Write;

pub fn history(o: &Orchestron, ctx: &Ctx, id: &str, limit: usize) -> CmdResult {
    let h = o.task_history(id, limit)?;
    if ctx.json {
        output::json(&h)?;
    } else {
        output::text(&history_text(&h))?;
    }
    Ok(Code::Ok)
}

pub fn history_text(h: &TaskHistory) -> String {
    let mut s = String::new();
    if !h.git {
        let _ = writeln!(s, "{}: not in a git repository, no history.", h.id);
        return s;
    }
    if h.entries.is_empty() {
        let _ = writeln!(s, "{}: never committed.", h.id);
        return s;
    }
    for e in &h.entries {
        let head = match &e.commit {
            Some(c) => format!(
                "{} {}  {}  {}",
                &c[..c.len().min(10)],
                timestamp(&e.time),
                e.author,
                e.summary
            ),
            None => format!("(uncommitted) {}", timestamp(&e.time)),
        };
        let op = match e.op {
            HistoryOp::Created => " [created]",
            HistoryOp::Deleted => " [deleted]",
            HistoryOp::Archived => " [archived]",
            HistoryOp::Restored => " [restored]",
            HistoryOp::Modified => "",
        };
        let _ = writeln!(s, "{head}{op}");
        if let Some(err) = &e.error {
            let _ = writeln!(s, "  unreadable: {err}");
        }
        s.push_str(&output::changes(&e.changes));
    }
    if h.truncated {
        s.push_str("… older entries not shown (--limit 0 shows all)\n");
    }
    s
}
