//! `orchestron import github|claude|backlog|beads|tk|kanban-md|json PATH
//! [--dry-run]`: bring a backlog in from where it lives today (`-` reads
//! stdin). A second run creates nothing and brings changed items in step.
//! Exit 9 when some item could not be imported (the report lists it).

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
    /// state,assignees,milestone,createdAt,closedAt,comments,url` file),
    /// claude (`~/.claude/tasks/<list>/`), backlog (a Backlog.md project or
    /// its `backlog/` folder), beads (a JSONL export), tk (a project or its
    /// `.tickets/`), kanban-md (a project or its `kanban/`) or json
    /// (`orchestron export --json`).
    source: String,
    /// The file or folder to read; `-` reads stdin.
    path: PathBuf,
    /// Only list what would be created and changed.
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
    let bar = |done: usize, total: usize| output::progress_bar(done, total, "records");
    let tty = output::wants_progress(ctx.json);
    let request = ImportRequest {
        source,
        input,
        dry_run: args.dry_run,
    };
    let report = ctx.with_archive(|o| o.import(&request, if tty { Some(&bar) } else { None }))?;
    if tty {
        output::clear_progress();
    }
    if ctx.json {
        output::json(&report)?;
    } else {
        output::text(&describe(&report))?;
    }
    Ok(if report.incomplete() {
        Code::Incomplete
    } else {
        Code::Ok
    })
}

fn describe(r: &ImportReport) -> String {
    let verb = if r.dry_run { "Would create" } else { "Created" };
    let mut s = format!(
        "{}: {} item(s) found; {verb} {} task(s), {} sprint(s) and {} context(s)\n",
        r.source,
        r.found,
        r.created.len(),
        r.sprints.len(),
        r.contexts.len(),
    );
    let updated = if r.dry_run { "would update" } else { "updated" };
    s.push_str(&format!(
        "Imported before: {} {updated}, {} unchanged, {} conflicted\n",
        r.updated.len(),
        r.unchanged,
        r.conflicted.len()
    ));
    if r.dry_run {
        for t in &r.created {
            s.push_str(&format!("  + {}  {}\n", t.external, t.title));
        }
    }
    for t in &r.updated {
        s.push_str(&format!(
            "  ~ {} {}: {}\n",
            t.id,
            t.external,
            t.fields.join(", ")
        ));
    }
    if !r.conflicted.is_empty() {
        s.push_str(
            "Left as they are here (changed here and in the source since the last import):\n",
        );
        for t in &r.conflicted {
            let why = t
                .reason
                .as_deref()
                .map_or_else(String::new, |r| format!(" ({r})"));
            s.push_str(&format!(
                "  ! {} {}: {}{why}\n",
                t.id,
                t.external,
                t.fields.join(", ")
            ));
        }
    }
    let lists = [
        (
            &r.unmapped,
            "field(s) had no place in a task and were kept in a note:",
        ),
        (&r.ignored, "source bookkeeping not imported:"),
        (&r.skipped, "could not be imported:"),
    ];
    for (list, what) in lists {
        if !list.is_empty() {
            s.push_str(&format!("{} {what}\n", list.len()));
            for u in list {
                s.push_str(&format!("  {u}\n"));
            }
        }
    }
    s
}
