//! `orchestron board`: the backlog at a glance — status columns of cards in
//! the terminal (stacked when the terminal is narrow; colour only on a
//! terminal without `NO_COLOR`), `--html FILE` for one self-contained page,
//! `--json` for the board as data. The board is the API's; the terminal
//! drawing is this command's ([`terminal`], beside the CLI's other text
//! output), the page is `crate::board`'s.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use crate::api::{BoardQuery, CLOSED_LIMIT, Orchestron};
use crate::board::html;
use clap::Args;

mod terminal;
use std::io::IsTerminal;
use std::path::PathBuf;

/// How many closed cards the terminal shows per closed column by default.
const TERMINAL_CLOSED: usize = 5;

/// The board's filters, shared by `board` and `serve`.
#[derive(Debug, Args)]
pub struct BoardFilters {
    /// Only this sprint's tasks (id or name); its progress and burndown are
    /// shown instead of the active sprint's.
    #[arg(long)]
    sprint: Option<String>,
    /// Only tasks assigned to NAME.
    #[arg(long, value_name = "NAME")]
    assignee: Option<String>,
    /// Only tasks carrying every one of these labels (repeat or comma-separate).
    #[arg(long = "label", value_name = "L")]
    labels: Vec<String>,
    /// Only the direct children of this task.
    #[arg(long, value_name = "ID")]
    parent: Option<String>,
    /// Show the CANCELLED column too.
    #[arg(long)]
    cancelled: bool,
    /// How many of the latest closed tasks each closed column carries
    /// (default: 5 in the terminal, 200 in the HTML page).
    #[arg(long, value_name = "N")]
    done: Option<usize>,
}

#[derive(Debug, Args)]
pub struct BoardArgs {
    #[command(flatten)]
    filters: BoardFilters,
    /// Write the board as one self-contained HTML page to FILE (`-` = stdout).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Terminal width to fit (default: the terminal's, else `COLUMNS`, else 100).
    #[arg(long, value_name = "COLS")]
    width: Option<usize>,
}

impl BoardFilters {
    /// The board the flags ask for, carrying `closed` closed cards unless
    /// `--done` says otherwise.
    pub(super) fn query(&self, closed: usize) -> BoardQuery {
        BoardQuery {
            sprint: self.sprint.clone(),
            assignee: self.assignee.clone(),
            labels: self.labels.clone(),
            parent: self.parent.clone(),
            cancelled: self.cancelled,
            closed_limit: self.done.unwrap_or(closed),
        }
    }
}

pub fn run(ctx: &Ctx, args: BoardArgs) -> CmdResult {
    let o = ctx.open()?;
    if let Some(path) = &args.html {
        let board = o.board(&args.filters.query(CLOSED_LIMIT))?;
        let page = html::render(&board, html::Mode::default()).map_err(std::io::Error::other)?;
        if path.as_os_str() == "-" {
            output::write_all(page.as_bytes())?;
        } else {
            Orchestron::write_output_file(path, page.as_bytes())?;
        }
        return Ok(Code::Ok);
    }
    let tty = std::io::stdout().is_terminal();
    let board = o.board(&args.filters.query(TERMINAL_CLOSED))?;
    if ctx.json {
        output::json(&board)?;
        return Ok(Code::Ok);
    }
    let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let style = terminal::Style {
        width: args.width.unwrap_or_else(|| terminal_width(tty)),
        colour: tty && !no_colour,
    };
    output::text(terminal::render(&board, style).trim_end())?;
    Ok(Code::Ok)
}

/// The terminal's width, else `COLUMNS`, else 100.
fn terminal_width(tty: bool) -> usize {
    if tty && let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
        return usize::from(w);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}
