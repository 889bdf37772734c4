//! `orchestron export --json | --markdown`: the whole backlog as one JSON
//! document (`orchestron import json` reads it back), or the open work as a
//! readable Markdown report by epic and status.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use clap::Args;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A readable report of the open work, by epic and status (the default
    /// is the JSON document; `--json` asks for it explicitly).
    #[arg(long)]
    markdown: bool,
}

pub fn run(ctx: &Ctx, args: ExportArgs) -> CmdResult {
    if args.markdown && !ctx.json {
        output::text(&ctx.open()?.export_markdown()?)?;
    } else {
        output::json(&ctx.with_archive(|o| o.export())?)?;
    }
    Ok(Code::Ok)
}
