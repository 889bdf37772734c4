//! `orchestron index rebuild`: drops the cache and builds it again from the
//! YAML files.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Drop the cache and rebuild it from the YAML files.
    Rebuild,
}

pub fn index(ctx: &Ctx, cmd: IndexCommand) -> CmdResult {
    let mut o = ctx.open_for_rebuild()?;
    match cmd {
        IndexCommand::Rebuild => {
            let started = std::time::Instant::now();
            let bar = |done: usize, total: usize| output::progress_bar(done, total, "files");
            let tty = output::wants_progress(ctx.json);
            let n = o.rebuild_index(if tty { Some(&bar) } else { None })?;
            if tty {
                output::clear_progress();
            }
            if ctx.json {
                output::json(
                    &serde_json::json!({ "files": n, "ms": started.elapsed().as_millis() }),
                )?;
            } else {
                output::text(&format!(
                    "Indexed {n} files in {} ms",
                    started.elapsed().as_millis()
                ))?;
            }
        }
    }
    Ok(Code::Ok)
}
