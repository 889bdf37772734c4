//! `orchestron diff`: a backlog summary of a range of commits, as text,
//! Markdown for a pull-request description, or JSON.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use crate::api::{BacklogDiff, HistoryOp, Move, TaskDiff};
use clap::Args;
use std::fmt::Write;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// `A..B`, `A...B` (from their merge base) or `A` (to the work tree).
    /// Default: from the merge base with the default branch to the work tree.
    pub range: Option<String>,
    /// Print Markdown fit for a pull-request description.
    #[arg(long)]
    pub markdown: bool,
}

pub fn diff(ctx: &Ctx, args: DiffArgs) -> CmdResult {
    let o = ctx.open()?;
    let d = o.backlog_diff(args.range.as_deref())?;
    if ctx.json {
        output::json(&d)?;
    } else if args.markdown {
        output::text(&diff_markdown(&d))?;
    } else {
        output::text(&diff_text(&d))?;
    }
    Ok(Code::Ok)
}

/// The sections of a backlog diff, in reading order: (heading, line per task).
fn sections(d: &BacklogDiff) -> Vec<(&'static str, Vec<(&TaskDiff, String)>)> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "nobody".into());
    let mut created = Vec::new();
    let mut closed = Vec::new();
    let mut moved = Vec::new();
    let mut prio = Vec::new();
    let mut assigned = Vec::new();
    let mut clarified = Vec::new();
    let mut other = Vec::new();
    let mut deleted = Vec::new();
    let mut archived = Vec::new();
    let mut restored = Vec::new();
    for t in &d.tasks {
        match t.op {
            HistoryOp::Created => {
                let status = t.status.as_ref().and_then(|m| m.to).map(|s| s.to_string());
                let priority = t
                    .priority
                    .as_ref()
                    .and_then(|m| m.to)
                    .map(|p| p.to_string());
                let parts: Vec<String> = status.into_iter().chain(priority).collect();
                let extra = format!(" ({})", parts.join(", "));
                created.push((t, extra));
            }
            HistoryOp::Deleted => deleted.push((t, String::new())),
            // A move into or out of the archive is itself a line; what else
            // changed on the way shows as for any other change.
            HistoryOp::Archived | HistoryOp::Restored | HistoryOp::Modified => {
                match t.op {
                    HistoryOp::Archived => archived.push((t, String::new())),
                    HistoryOp::Restored => restored.push((t, String::new())),
                    _ => {}
                }
                if let Some(m) = &t.status {
                    let (f, to) = (m.from.map(|s| s.to_string()), m.to.map(|s| s.to_string()));
                    let line = format!(": {} → {}", opt(&f), opt(&to));
                    if t.closed {
                        closed.push((t, line));
                    } else {
                        moved.push((t, line));
                    }
                }
                if let Some(m) = &t.priority {
                    let f = m.from.map(|p| p.to_string());
                    let to = m.to.map(|p| p.to_string());
                    prio.push((t, format!(": {} → {}", opt(&f), opt(&to))));
                }
                if let Some(m) = &t.assignee {
                    let f = m.from.clone().flatten();
                    let to = m.to.clone().flatten();
                    assigned.push((t, format!(": {} → {}", opt(&f), opt(&to))));
                }
                let shown = ["status", "priority", "assignee", "clarifications", "notes"];
                let rest: Vec<&str> = t
                    .changes
                    .iter()
                    .map(|c| c.field.as_str())
                    .filter(|f| !shown.contains(f))
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                if !rest.is_empty() || t.notes_added > 0 {
                    let mut parts = rest.join(", ");
                    if t.notes_added > 0 {
                        if !parts.is_empty() {
                            parts.push_str(", ");
                        }
                        let _ = write!(parts, "{} note(s) added", t.notes_added);
                    }
                    other.push((t, format!(": {parts}")));
                }
            }
        }
        for c in &t.clarifications {
            clarified.push((t, format!(": {} ({})", c.text, c.by)));
        }
    }
    vec![
        ("Created", created),
        ("Closed", closed),
        ("Status changed", moved),
        ("Re-prioritised", prio),
        ("Re-assigned", assigned),
        ("Clarified", clarified),
        ("Other changes", other),
        ("Archived", archived),
        ("Restored", restored),
        ("Deleted", deleted),
    ]
}

/// One line per sprint that changed: what happened to it.
fn sprint_lines(d: &BacklogDiff) -> Vec<(String, String, String)> {
    d.sprints
        .iter()
        .map(|sp| {
            let what = match sp.op {
                HistoryOp::Created => format!(
                    "created ({})",
                    sp.status
                        .as_ref()
                        .and_then(|m| m.to)
                        .map(|s| s.to_string())
                        .unwrap_or_default()
                ),
                HistoryOp::Deleted => "deleted".to_string(),
                HistoryOp::Archived => "archived".to_string(),
                HistoryOp::Restored => "restored".to_string(),
                HistoryOp::Modified => {
                    let mut parts = Vec::new();
                    if let Some(Move {
                        from: Some(f),
                        to: Some(t),
                    }) = &sp.status
                    {
                        parts.push(format!("{f} → {t}"));
                    }
                    let rest: Vec<&str> = sp
                        .changes
                        .iter()
                        .map(|c| c.field.as_str())
                        .filter(|f| *f != "status")
                        .collect();
                    if !rest.is_empty() {
                        parts.push(format!("changed {}", rest.join(", ")));
                    }
                    parts.join("; ")
                }
            };
            (sp.id.to_string(), sp.name.clone(), what)
        })
        .collect()
}

pub fn diff_text(d: &BacklogDiff) -> String {
    let mut s = format!("Backlog changes, {}:\n", d.range);
    if d.tasks.is_empty() && d.sprints.is_empty() {
        s.push_str("  no task changed.\n");
        return s;
    }
    for (heading, items) in sections(d) {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{heading}:");
        for (t, line) in items {
            let _ = writeln!(s, "  {}  {}{line}", t.id, t.title);
        }
    }
    let sprints = sprint_lines(d);
    if !sprints.is_empty() {
        let _ = writeln!(s, "\nSprints:");
        for (id, name, what) in sprints {
            let _ = writeln!(s, "  {id}  {name}: {what}");
        }
    }
    s
}

pub fn diff_markdown(d: &BacklogDiff) -> String {
    let mut s = String::from("## Backlog changes\n");
    if d.tasks.is_empty() && d.sprints.is_empty() {
        s.push_str("\nNo task changed.\n");
        return s;
    }
    for (heading, items) in sections(d) {
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n### {heading}\n");
        for (t, line) in items {
            let _ = writeln!(
                s,
                "- `{}` {}{}",
                t.id,
                md_escape(&t.title),
                md_escape(&line)
            );
        }
    }
    let sprints = sprint_lines(d);
    if !sprints.is_empty() {
        let _ = writeln!(s, "\n### Sprints\n");
        for (id, name, what) in sprints {
            let _ = writeln!(s, "- `{id}` {}: {what}", md_escape(&name));
        }
    }
    s
}

/// Escapes the characters that would turn a title into Markdown markup. An
/// underscore inside a word (`IN_PROGRESS`) is left alone: GitHub-flavoured
/// Markdown never reads it as emphasis.
fn md_escape(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let intraword = c == '_'
            && i > 0
            && chars[i - 1].is_alphanumeric()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if "\\`*_[]<>#|".contains(c) && !intraword {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
