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
    // In a git repository, install the merge driver too (the same as `git setup`).
    // A failure here does not undo the workspace: say so and go on.
    let git = Orchestron::git_setup(&report.root).unwrap_or_else(|e| {
        eprintln!("warning: merge driver not configured ({e}); run `orchestron git setup`");
        None
    });
    if ctx.json {
        let mut v = serde_json::to_value(&report).map_err(std::io::Error::other)?;
        if let (Some(obj), Some(g)) = (v.as_object_mut(), &git) {
            obj.insert(
                "git".into(),
                serde_json::to_value(g).map_err(std::io::Error::other)?,
            );
        }
        output::json(&v)?;
    } else if report.created.is_empty() {
        output::text(&format!("{} is already set up.", report.root.display()))?;
    } else {
        let mut s = format!("Initialised {}\n", report.root.display());
        for c in &report.created {
            s.push_str(&format!("  created {c}\n"));
        }
        if let Some(g) = &git {
            s.push_str(&format!("  configured the merge driver ({})\n", g.driver));
        }
        output::text(&s)?;
    }
    Ok(Code::Ok)
}
