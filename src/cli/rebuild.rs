//! `orchestron index rebuild`: drops the cache and builds it again from the
//! YAML files; `orchestron index path`: where the cache is now.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Drop the cache and rebuild it from the YAML files.
    Rebuild,
    /// Print the database file that holds the cache now, for `sqlite3`
    /// (every rebuild writes a new one).
    Path,
}

pub fn index(ctx: &Ctx, cmd: IndexCommand) -> CmdResult {
    match cmd {
        IndexCommand::Rebuild => rebuild(ctx),
        IndexCommand::Path => {
            // Refreshed first: a missing cache is built, and its file named.
            let file = ctx.open()?.index_file();
            if ctx.json {
                output::json(&serde_json::json!({ "path": file }))?;
            } else {
                output::text(&file.display().to_string())?;
            }
            Ok(Code::Ok)
        }
    }
}

fn rebuild(ctx: &Ctx) -> CmdResult {
    let mut o = ctx.open_for_rebuild()?;
    let started = std::time::Instant::now();
    let bar = |done: usize, total: usize| output::progress_bar(done, total, "files");
    let tty = output::wants_progress(ctx.json);
    let n = o.rebuild_index(if tty { Some(&bar) } else { None })?;
    if tty {
        output::clear_progress();
    }
    if ctx.json {
        output::json(&serde_json::json!({ "files": n, "ms": started.elapsed().as_millis() }))?;
    } else {
        output::text(&format!(
            "Indexed {n} files in {} ms",
            started.elapsed().as_millis()
        ))?;
    }
    Ok(Code::Ok)
}
