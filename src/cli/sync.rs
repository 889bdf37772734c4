//! `orchestron sync`: commit the workspace folder's changes, pull through the
//! merge driver, push — one command to share the backlog (see docs/CLAIMS.md).

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;

#[derive(clap::Args, Debug)]
pub struct SyncArgs {
    /// How long to keep retrying when other pushes keep winning (90s, 5m, 1h).
    #[arg(long, value_name = "DURATION", default_value = crate::api::DEFAULT_SYNC_TIMEOUT)]
    timeout: String,
}

pub fn run(ctx: &Ctx, args: SyncArgs) -> CmdResult {
    let opts = crate::api::SyncOptions {
        timeout: Some(args.timeout),
    };
    let report = ctx.write(|o| o.sync(&opts))?;
    if ctx.json {
        output::json(&report)?;
        return Ok(Code::Ok);
    }
    let mut out = String::new();
    match &report.committed {
        Some(message) => {
            out.push_str("Committed ");
            out.push_str(message.lines().next().unwrap_or_default());
            out.push('\n');
        }
        None => out.push_str("Nothing to commit under the workspace folder\n"),
    }
    out.push_str(if report.pulled {
        "Pulled changes from the upstream\n"
    } else {
        "Already up to date with the upstream\n"
    });
    if report.pushed {
        out.push_str(&match report.attempts {
            1 => "Pushed\n".to_string(),
            n => format!("Pushed (after {} lost races)\n", n - 1),
        });
    }
    output::text(&out)?;
    Ok(Code::Ok)
}
