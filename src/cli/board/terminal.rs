//! The board in a terminal: the sprint line (progress and a one-line burndown),
//! the latest handoff, then the status columns side by side when each gets at
//! least [`MIN_COLUMN`] columns of the terminal, else stacked one under the
//! other. A card shows its id and priority, title, assignee and progress, a
//! blocked marker with what it waits on, and the claim holder's branch and
//! work tree. Colour (priority, blocked) only when asked: the CLI asks when
//! stdout is a terminal and `NO_COLOR` is not set.

use crate::api::{Board, BoardColumn, BoardSprint, Card};
use crate::cli::output::{cut, width};
use crate::cli::report::{burndown_peak, sprint_summary};
use crate::model::{ContextSnapshot, Priority, Status};

/// How to draw: the terminal's width and whether to colour.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub width: usize,
    pub colour: bool,
}

/// The narrowest side-by-side column; below it the columns stack.
pub const MIN_COLUMN: usize = 18;
/// Between side-by-side columns.
const GAP: &str = "  ";

/// The whole board as text.
pub fn render(board: &Board, style: Style) -> String {
    let width = style.width.max(20);
    let mut out = format!("{} board", board.project);
    if !board.filters.is_empty() {
        let f: Vec<String> = board
            .filters
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        out.push_str(&format!(" ({})", f.join(", ")));
    }
    out.push('\n');
    let lines = board
        .sprint
        .as_ref()
        .map(sprint_line)
        .into_iter()
        .chain(board.handoff.as_ref().map(handoff_line));
    for line in lines {
        for l in wrap(&line, width, 3) {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out.push('\n');
    let n = board.columns.len().max(1);
    let column_width = (width.saturating_sub(GAP.len() * (n - 1))) / n;
    if column_width >= MIN_COLUMN {
        out.push_str(&side_by_side(&board.columns, column_width, style.colour));
    } else {
        out.push_str(&stacked(&board.columns, width, style.colour));
    }
    out
}

fn sprint_line(s: &BoardSprint) -> String {
    let p = &s.progress;
    let mut line = sprint_summary(&s.sprint, (s.done, s.total, s.percent), p, ": ");
    if !p.series.is_empty() {
        line.push_str(&format!("  burndown {}", sparkline(p)));
    }
    line
}

/// The burndown in one line: a block per day, scaled to the largest count.
fn sparkline(p: &crate::api::Burndown) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = burndown_peak(p);
    p.series
        .iter()
        .map(|d| LEVELS[(d.remaining * 7).div_ceil(max).min(7)])
        .collect()
}

fn handoff_line(h: &ContextSnapshot) -> String {
    let mut line = format!("Latest handoff {} by {}", h.id, h.by);
    if let Some(t) = &h.task {
        line.push_str(&format!(" on {t}"));
    }
    let remaining = h.context.get("remainingWork").and_then(|v| v.as_str());
    match (remaining, &h.notes) {
        (Some(r), _) => line.push_str(&format!(": remaining {r}")),
        (None, Some(n)) => line.push_str(&format!(": {n}")),
        (None, None) => {}
    }
    line
}

/// ANSI colour, or nothing.
struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 && !s.is_empty() {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn priority(&self, p: Priority, s: &str) -> String {
        let code = match p {
            Priority::Critical => "1;31",
            Priority::High => "33",
            Priority::Medium => "36",
            Priority::Low => "2",
        };
        self.wrap(code, s)
    }
}

/// The header of a column: `IN_PROGRESS (2)`, `DONE (10 of 41)`.
fn header(c: &BoardColumn) -> String {
    if c.cards.len() < c.total {
        format!("{} ({} of {})", c.status, c.cards.len(), c.total)
    } else {
        format!("{} ({})", c.status, c.total)
    }
}

/// A line of a card: plain text (to measure) and how to paint it.
struct Line {
    text: String,
    code: Option<&'static str>,
    priority: Option<Priority>,
}

impl Line {
    fn plain(text: String) -> Self {
        Line {
            text,
            code: None,
            priority: None,
        }
    }
    fn coded(text: String, code: &'static str) -> Self {
        Line {
            text,
            code: Some(code),
            priority: None,
        }
    }
    /// The line cut to `w` columns, painted, padded to `pad` columns.
    fn show(&self, w: usize, paint: &Paint, pad: bool) -> String {
        let text = cut(&self.text, w);
        let fill = if pad {
            " ".repeat(w.saturating_sub(width(&text)))
        } else {
            String::new()
        };
        let painted = match (self.priority, self.code) {
            (Some(p), _) => paint.priority(p, &text),
            (None, Some(code)) => paint.wrap(code, &text),
            (None, None) => text,
        };
        format!("{painted}{fill}")
    }
}

/// A card as lines no wider than `w` (the title wraps onto two lines).
fn card_lines(card: &Card, w: usize) -> Vec<Line> {
    let head = format!("{} {}", card.id, card.priority);
    // The priority moves to the details when it does not fit beside the id.
    let beside = width(&head) <= w;
    let mut lines = vec![Line {
        text: if beside { head } else { card.id.to_string() },
        code: None,
        priority: Some(card.priority),
    }];
    lines.extend(wrap(&card.title, w, 2).into_iter().map(Line::plain));
    let mut meta = Vec::new();
    if !beside {
        meta.push(card.priority.to_string());
    }
    if let Some(a) = &card.assignee {
        meta.push(format!("@{a}"));
    }
    if card.progress > 0 || card.status == Status::InProgress {
        meta.push(format!("{}%", card.progress));
    }
    if let Some(e) = card.estimate {
        meta.push(format!("{e}pt"));
    }
    if !meta.is_empty() {
        lines.push(Line::coded(meta.join(" "), "2"));
    }
    if card.blocked {
        let ids: Vec<&str> = card.waiting_on.iter().map(|i| i.as_str()).collect();
        let what = match (card.status == Status::Blocked, ids.is_empty()) {
            (true, true) => "BLOCKED".to_string(),
            (true, false) => format!("BLOCKED, waits on {}", ids.join(", ")),
            (false, _) => format!("waits on {}", ids.join(", ")),
        };
        lines.extend(wrap(&what, w, 2).into_iter().map(|l| Line::coded(l, "31")));
    }
    if let Some(c) = &card.claim {
        if let Some(b) = &c.branch {
            lines.push(Line::coded(format!("branch {b}"), "35"));
        }
        if let Some(wt) = &c.worktree {
            lines.push(Line::coded(format!("worktree {wt}"), "35"));
        }
        if c.stale {
            lines.push(Line::coded("lease expired".into(), "31"));
        }
    }
    lines
}

/// `text` in lines of at most `w` columns, at most `max` lines (the last cut
/// with `…` when more remains). Words longer than a line are cut.
fn wrap(text: &str, w: usize, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate) <= w || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max {
        // The rest on the last line, cut with `…` below.
        let rest = lines.split_off(max - 1).join(" ");
        lines.push(rest);
    }
    lines.into_iter().map(|l| cut(&l, w)).collect()
}

fn side_by_side(columns: &[BoardColumn], w: usize, colour: bool) -> String {
    let paint = Paint(colour);
    let blocks: Vec<Vec<Line>> = columns
        .iter()
        .map(|c| {
            let mut lines = vec![Line::coded(header(c), "1"), Line::plain("─".repeat(w))];
            for (i, card) in c.cards.iter().enumerate() {
                if i > 0 {
                    lines.push(Line::plain(String::new()));
                }
                lines.extend(card_lines(card, w));
            }
            lines
        })
        .collect();
    let height = blocks.iter().map(Vec::len).max().unwrap_or(0);
    let empty = Line::plain(String::new());
    let mut out = String::new();
    for row in 0..height {
        let cells: Vec<String> = blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let last = i + 1 == blocks.len();
                b.get(row).unwrap_or(&empty).show(w, &paint, !last)
            })
            .collect();
        out.push_str(cells.join(GAP).trim_end());
        out.push('\n');
    }
    out
}

fn stacked(columns: &[BoardColumn], w: usize, colour: bool) -> String {
    let paint = Paint(colour);
    let mut out = String::new();
    for c in columns {
        out.push_str(&Line::coded(header(c), "1").show(w, &paint, false));
        out.push('\n');
        for card in &c.cards {
            for (i, line) in card_lines(card, w.saturating_sub(2)).iter().enumerate() {
                let bullet = if i == 0 { "- " } else { "  " };
                out.push_str(bullet);
                out.push_str(&line.show(w.saturating_sub(2), &paint, false));
                out.push('\n');
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_keeps_words_and_cuts_the_last_line() {
        assert_eq!(
            wrap("Add password reset endpoint", 12, 2),
            ["Add password", "reset endpo…"]
        );
        assert_eq!(wrap("short", 12, 2), ["short"]);
        assert_eq!(wrap("a b c", 3, 2), ["a b", "c"]);
    }
}
