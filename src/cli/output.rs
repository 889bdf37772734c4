//! Printing: stable JSON for scripts, and plain aligned tables and record views
//! for people. Everything goes through a locked, buffered stdout so that a
//! closed pipe surfaces as one `BrokenPipe` error the edge treats as success.

use crate::api::TaskView;
use crate::model::{Entry, Task, render::timestamp};
use serde::Serialize;
use std::io::{self, Write};

pub fn json<T: Serialize + ?Sized>(value: &T) -> io::Result<()> {
    // Encoded first and written after, so that a closed pipe is the writer's
    // own `BrokenPipe` (success at the edge), not an encoding error.
    let mut bytes = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
    bytes.push(b'\n');
    write_all(&bytes)
}

/// Writes bytes to stdout as they are (a completion script, JSON).
pub fn write_all(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()
}

pub fn text(s: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(s.as_bytes())?;
    if !s.ends_with('\n') {
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// Whether to draw a progress bar: stderr is a terminal and the output is
/// not JSON for a script.
pub fn wants_progress(json: bool) -> bool {
    !json && io::IsTerminal::is_terminal(&io::stderr())
}

/// Draws `[#####-----] 5000/10000 files` over itself on stderr.
pub fn progress_bar(done: usize, total: usize, unit: &str) {
    let width = 30;
    let filled = done
        .checked_mul(width)
        .and_then(|x| x.checked_div(total))
        .unwrap_or(width)
        .min(width);
    // A closed stderr only loses the bar (`eprint!` would panic).
    let _ = write!(
        io::stderr(),
        "\r[{}{}] {done}/{total} {unit}",
        "#".repeat(filled),
        "-".repeat(width - filled)
    );
}

/// Whether [`building_bar`] has drawn, so that its line is wiped once.
static BUILDING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The progress bar of a command that builds a new index cache first (a
/// fresh clone, a deleted cache): says why the command takes a while.
pub fn building_bar(done: usize, total: usize) {
    BUILDING.store(true, std::sync::atomic::Ordering::Relaxed);
    progress_bar(done, total, "files: building the index cache");
}

/// Wipes [`building_bar`]'s line if it drew one.
pub fn clear_building_bar() {
    if BUILDING.swap(false, std::sync::atomic::Ordering::Relaxed) {
        clear_progress();
    }
}

/// Wipes the progress bar's line.
pub fn clear_progress() {
    let _ = write!(io::stderr(), "\r{}\r", " ".repeat(80));
}

/// Columns aligned by the widest cell, measured in terminal columns (display
/// width: `日本語` takes six, a combining accent none); long cells are cut
/// with `…`.
pub struct Table {
    rows: Vec<Vec<String>>,
    max: usize,
}

/// How many terminal columns `s` takes.
pub(crate) fn width(s: &str) -> usize {
    // Printable ASCII is one column a byte: the common cell, measured
    // without decoding (a 1,000-row table measures every cell twice).
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.len();
    }
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` columns, ending in `…` when cut.
pub(crate) fn cut(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// One table cell, cut to the column limit and measured once.
struct Cell<'a> {
    text: std::borrow::Cow<'a, str>,
    width: usize,
}

impl<'a> Cell<'a> {
    fn of(s: &'a str, max: usize) -> Self {
        let w = width(s);
        if w <= max {
            return Cell {
                text: std::borrow::Cow::Borrowed(s),
                width: w,
            };
        }
        let text = cut(s, max);
        Cell {
            width: width(&text),
            text: std::borrow::Cow::Owned(text),
        }
    }
}

/// The lines of a table: each column as wide as its widest cell plus two
/// spaces, the last cell of a row unpadded, trailing blanks trimmed.
fn render_rows<'a, R: AsRef<[Cell<'a>]>>(rows: &[R]) -> String {
    let cols = rows.iter().map(|r| r.as_ref().len()).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row.as_ref()) {
            *w = (*w).max(cell.width);
        }
    }
    let line_width: usize = widths.iter().map(|w| w + 2).sum();
    let mut out = String::with_capacity(rows.len() * (line_width + 1));
    for row in rows {
        let row = row.as_ref();
        let start = out.len();
        for (i, cell) in row.iter().enumerate() {
            out.push_str(&cell.text);
            if i + 1 < row.len() {
                pad(&mut out, widths[i] - cell.width + 2);
            }
        }
        let kept = out[start..].trim_end().len();
        out.truncate(start + kept);
        out.push('\n');
    }
    out
}

/// Appends `n` spaces, a run at a time rather than a `char` each.
fn pad(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let run = n.min(SPACES.len());
        out.push_str(&SPACES[..run]);
        n -= run;
    }
}

impl Table {
    pub fn new(headers: &[&str]) -> Self {
        Table {
            rows: vec![headers.iter().map(|h| h.to_string()).collect()],
            max: 60,
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let cells: Vec<Vec<Cell>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(|c| Cell::of(c, self.max)).collect())
            .collect();
        render_rows(&cells)
    }
}

/// The task table's columns.
const TASK_COLUMNS: [&str; 7] = ["ID", "STATUS", "PRI", "TYPE", "ASSIGNEE", "PROG", "TITLE"];

/// The tasks as a [`Table`] of [`TASK_COLUMNS`] renders them, without a
/// `String` per cell: cells borrow from the tasks (a 1,000-row `task list`
/// made 7,000 of them).
pub fn task_table(tasks: &[Task]) -> String {
    const MAX: usize = 60;
    let mut rows: Vec<[Cell; 7]> = Vec::with_capacity(tasks.len() + 1);
    rows.push(TASK_COLUMNS.map(|h| Cell::of(h, MAX)));
    for t in tasks {
        let progress = match t.progress {
            0 => std::borrow::Cow::Borrowed("0%"),
            100 => std::borrow::Cow::Borrowed("100%"),
            p => std::borrow::Cow::Owned(format!("{p}%")),
        };
        rows.push([
            Cell::of(t.id.as_str(), MAX),
            Cell::of(t.status.as_str(), MAX),
            Cell::of(t.priority.as_str(), MAX),
            Cell::of(t.kind.as_str(), MAX),
            Cell::of(t.assignee.as_deref().unwrap_or("-"), MAX),
            Cell {
                width: progress.len(),
                text: progress,
            },
            Cell::of(&t.title, MAX),
        ]);
    }
    render_rows(&rows)
}

/// A task as a person reads it.
pub fn task_view(v: &TaskView) -> String {
    let t = &v.task;
    let mut s = format!("{}  {}\n", t.id, t.title);
    let mut field = |k: &str, val: String| s.push_str(&format!("  {k:<12}{val}\n"));
    field("status", format!("{} ({}%)", t.status, t.progress));
    field("type", t.kind.to_string());
    field("priority", t.priority.to_string());
    field("assignee", t.assignee.clone().unwrap_or_else(|| "-".into()));
    if let Some(c) = &v.claim {
        field(
            if c.stale { "stale claim" } else { "claimed by" },
            c.describe(),
        );
    }
    if let Some(l) = &v.claim_ended {
        field("claim ended", l.describe());
    }
    if let Some(p) = &t.parent {
        field("parent", p.to_string());
    }
    if let Some(sp) = &t.sprint {
        field("sprint", sp.to_string());
    }
    if let Some(e) = t.estimate {
        field("estimate", e.to_string());
    }
    if !t.labels.is_empty() {
        field("labels", t.labels.join(", "));
    }
    if let Some(x) = &t.external {
        field("imported", x.clone());
    }
    if v.archived {
        field(
            "archived",
            "yes (read-only; `orchestron archive --restore` brings it back)".into(),
        );
    }
    field("created", timestamp(&t.created));
    field("updated", timestamp(&v.updated));
    if let Some(d) = &t.description {
        s.push_str("\nDescription\n");
        for l in d.trim_end().lines() {
            s.push_str(&format!("  {l}\n"));
        }
    }
    if !t.acceptance_criteria.is_empty() {
        s.push_str("\nAcceptance criteria\n");
        for (i, c) in t.acceptance_criteria.iter().enumerate() {
            let mark = if c.done { "x" } else { " " };
            s.push_str(&format!("  {}. [{mark}] {}\n", i + 1, c.text));
        }
    }
    let refs = |title: &str, items: &[crate::model::TaskRef], s: &mut String| {
        if !items.is_empty() {
            s.push_str(&format!("\n{title}\n"));
            for r in items {
                s.push_str(&format!(
                    "  {}  {:<11}  {}\n",
                    r.id,
                    r.status.to_string(),
                    r.title
                ));
            }
        }
    };
    refs("Depends on", &v.dependencies, &mut s);
    refs("Blocks", &v.dependents, &mut s);
    refs("Children", &v.children, &mut s);
    entries("Clarifications", &t.clarifications, &mut s);
    entries("Notes", &t.notes, &mut s);
    s
}

fn entries(title: &str, items: &[Entry], s: &mut String) {
    if items.is_empty() {
        return;
    }
    s.push_str(&format!("\n{title}\n"));
    for e in items {
        // A multi-line entry keeps its continuation lines under it, indented
        // past the entry's own margin, so the next entry still starts clearly.
        let mut lines = e.text.trim_end().lines();
        let first = lines.next().unwrap_or_default();
        s.push_str(&format!("  {}  {}: {first}\n", timestamp(&e.at), e.by));
        for l in lines {
            s.push_str(&format!("    {l}\n"));
        }
    }
}

/// One indented line per change (the wording is the model's, shared with MCP).
pub fn changes(changes: &[crate::model::FieldChange]) -> String {
    changes
        .iter()
        .map(|c| format!("  {}\n", c.describe()))
        .collect()
}
