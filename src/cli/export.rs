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
    let mut o = ctx.open()?;
    if args.markdown && !ctx.json {
        output::text(&o.export_markdown()?)?;
    } else {
        output::json(&o.export()?)?;
    }
    Ok(Code::Ok)
}
