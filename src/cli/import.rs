//! `orchestron import github|claude|backlog|beads|json PATH [--dry-run]`:
//! bring a backlog in from where it lives today (`-` reads stdin). Each
//! import is idempotent: a second run creates nothing.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use crate::api::{ImportInput, ImportReport, ImportRequest, ImportSource};
use clap::Args;
use std::io::Read;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// github (a `gh issue list --state all --json number,title,body,labels,
    /// state,assignees,milestone,createdAt,closedAt,comments` file), claude
    /// (`~/.claude/tasks/<list>/`), backlog (a Backlog.md project or its
    /// `backlog/` folder), beads (a JSONL export) or json (`orchestron export
    /// --json`).
    source: String,
    /// The file or folder to read; `-` reads stdin.
    path: PathBuf,
    /// Only list what would be created.
    #[arg(long)]
    dry_run: bool,
}

pub fn run(ctx: &Ctx, args: ImportArgs) -> CmdResult {
    let source: ImportSource = args.source.parse()?;
    let input = if args.path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes)?;
        ImportInput::Bytes(bytes)
    } else {
        ImportInput::Path(ctx.opts.cwd.join(&args.path))
    };
    let mut o = ctx.open()?;
    let bar = |done: usize, total: usize| output::progress_bar(done, total, "records");
    let tty = output::wants_progress(ctx.json);
    let report = o.import(
        &ImportRequest {
            source,
            input,
            dry_run: args.dry_run,
        },
        if tty { Some(&bar) } else { None },
    )?;
    if tty {
        output::clear_progress();
    }
    if ctx.json {
        output::json(&report)?;
    } else {
        output::text(&describe(&report))?;
    }
    Ok(Code::Ok)
}

fn describe(r: &ImportReport) -> String {
    let verb = if r.dry_run { "Would create" } else { "Created" };
    let mut s = format!(
        "{}: {} item(s) found; {verb} {} task(s) and {} sprint(s); {} already imported\n",
        r.source,
        r.found,
        r.created.len(),
        r.sprints.len(),
        r.existing
    );
    let shown = if r.dry_run { r.created.len() } else { 0 };
    for t in r.created.iter().take(shown) {
        s.push_str(&format!("  {}  {}\n", t.external, t.title));
    }
    if !r.unmapped.is_empty() {
        s.push_str(&format!(
            "{} field(s) had no place in a task and were kept in a note:\n",
            r.unmapped.len()
        ));
        for u in &r.unmapped {
            s.push_str(&format!("  {u}\n"));
        }
    }
    if !r.skipped.is_empty() {
        s.push_str(&format!("{} could not be imported:\n", r.skipped.len()));
        for u in &r.skipped {
            s.push_str(&format!("  {u}\n"));
        }
    }
    s
}
