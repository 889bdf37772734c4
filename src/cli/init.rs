//! `orchestron init`: create the workspace in the current project.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use crate::api::Orchestron;
use clap::Args;

#[derive(Debug, Args)]
pub struct InitArgs {}

pub fn run(ctx: &Ctx, _args: InitArgs) -> CmdResult {
    let project = ctx.project_dir();
    let report = Orchestron::init(&project)?;
    if ctx.json {
        output::json(&report)?;
    } else if report.created.is_empty() {
        output::text(&format!("{} is already set up.", report.root.display()))?;
    } else {
        let mut s = format!("Initialised {}\n", report.root.display());
        for c in &report.created {
            s.push_str(&format!("  created {c}\n"));
        }
        output::text(&s)?;
    }
    Ok(Code::Ok)
}
