//! `orchestron archive`: put closed tasks and sprints away in
//! `.orchestron/archive/` (by date, by sprint, or by the policy in
//! config.yaml), or bring some back with `--restore`.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use crate::api::{ArchiveReport, ArchiveRequest};
use clap::Args;

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// Archive tasks closed before this day (YYYY-MM-DD, UTC). Without
    /// --before or --sprint, config.yaml's `archive.closed_for_days` (30
    /// unless set) decides.
    #[arg(long, value_name = "DATE")]
    before: Option<String>,
    /// Archive the closed tasks of this sprint (id or name), and the sprint
    /// itself once it is CLOSED and all its tasks are archived.
    #[arg(long, value_name = "SPRINT")]
    sprint: Option<String>,
    /// Bring these archived tasks or sprints back.
    #[arg(long, value_name = "ID", num_args = 1.., conflicts_with_all = ["before", "sprint"])]
    restore: Vec<String>,
    /// Only list what would move.
    #[arg(long)]
    dry_run: bool,
    /// Move tasks another agent still holds (their claims end; they are told).
    #[arg(long)]
    force: bool,
}

pub fn run(ctx: &Ctx, args: ArchiveArgs) -> CmdResult {
    let report = ctx.with_archive(|o| {
        if args.restore.is_empty() {
            o.archive(&ArchiveRequest {
                before: args.before,
                sprint: args.sprint,
                dry_run: args.dry_run,
                force: args.force,
            })
        } else {
            o.restore(&args.restore, args.dry_run, args.force)
        }
    })?;
    if ctx.json {
        output::json(&report)?;
    } else {
        output::text(&describe(&report))?;
    }
    Ok(Code::Ok)
}

fn describe(r: &ArchiveReport) -> String {
    let restoring = r.restore;
    let verb = match (restoring, r.dry_run) {
        (true, true) => "Would restore",
        (true, false) => "Restored",
        (false, true) => "Would archive",
        (false, false) => "Archived",
    };
    let mut s = format!(
        "{verb} {} task(s) and {} sprint(s)",
        r.tasks.len(),
        r.sprints.len()
    );
    if !restoring {
        s.push_str(&format!(": {}", r.rule));
    }
    s.push('\n');
    if r.dry_run {
        for id in r.tasks.iter().chain(&r.sprints) {
            s.push_str(&format!("  {id}\n"));
        }
    } else if r.moved_by_git > 0 {
        s.push_str(&format!(
            "  {} file(s) moved with git mv (commit them to share the move)\n",
            r.moved_by_git
        ));
    }
    if !r.closed_at_unknown.is_empty() {
        s.push_str(&format!(
            "  {} closed task(s) kept: when they were closed is unknown (archive them with --sprint, or close them again)\n",
            r.closed_at_unknown.len()
        ));
    }
    s
}
