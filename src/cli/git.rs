//! `orchestron git setup`: configures a clone for Orchestron (the merge
//! driver in the repo-local git config, and `.orchestron/.gitattributes`).

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use crate::api::Orchestron;
use clap::Subcommand;
use std::fmt::Write;

#[derive(Debug, Subcommand)]
pub enum GitCommand {
    /// Configure this clone for Orchestron: the merge driver (repo-local git
    /// config) and `.orchestron/.gitattributes`. Run once after cloning.
    Setup,
}

pub fn setup(ctx: &Ctx, _cmd: GitCommand) -> CmdResult {
    let o = ctx.open()?;
    match Orchestron::git_setup(o.root())? {
        Some(s) => {
            if ctx.json {
                output::json(&s)?;
            } else {
                let mut out = format!(
                    "Configured the merge driver in {}\n  merge.orchestron.driver = {}\n",
                    s.repository.display(),
                    s.driver
                );
                if let Some(c) = &s.created {
                    let _ = writeln!(out, "  created {}", c.display());
                }
                output::text(&out)?;
            }
            Ok(Code::Ok)
        }
        None => Err(super::exit::CliError::Usage(
            "the workspace is not in a git repository".into(),
        )),
    }
}
