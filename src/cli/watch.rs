//! `orchestron watch`: a process that only watches the record files and
//! lends its file monitor to CLI commands over the workspace's socket (see
//! `api::Orchestron::lend_monitor`). In the foreground it prints one line once
//! it serves, then runs until it is stopped; a socket it leaves behind is
//! stale, which clients detect and the next watcher replaces.
//!
//! `--background` is the watcher a command starts by itself (`watcher: auto`,
//! see `api/monitor_loan.rs`): detached from the terminal, silent, and gone
//! once no command asked it anything for the idle time (`watcher_idle:`, 30
//! minutes) or once its workspace folder is gone.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use clap::Args;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Started by a command: no output, exit when idle or when the workspace is gone.
    #[arg(long, hide = true)]
    background: bool,
}

pub fn run(ctx: &Ctx, args: WatchArgs) -> CmdResult {
    if args.background {
        return background(ctx);
    }
    super::logging::init("warn");
    let mut o = ctx.open()?;
    let socket = o.lend_monitor()?;
    let on = if o.watcher_status().enabled {
        "CLI commands here use it"
    } else {
        "CLI commands here do not use it: `watcher: off` in config.yaml or ORCHESTRON_WATCHER=0"
    };
    // The watcher keeps serving even when nobody reads its stdout.
    let _ = output::text(&format!(
        "Watching {} for CLI commands on {} ({on}); stop with Ctrl-C",
        o.root().display(),
        socket.display()
    ));
    loop {
        std::thread::park();
    }
}

/// The watcher a command started: serves until idle or until the workspace
/// folder is gone, then returns (which removes its socket).
fn background(ctx: &Ctx) -> CmdResult {
    // Without a refresh: the first command that asks gets "everything" and
    // runs the full pass itself; this process only watches.
    let mut o = ctx.open_for_rebuild()?;
    let idle = o.watcher_idle()?;
    if o.lend_monitor().is_err() {
        // Another watcher won the race to serve: it is the one to use.
        return Ok(Code::Ok);
    }
    let tick = (idle / 4).clamp(Duration::from_millis(20), Duration::from_secs(5));
    loop {
        std::thread::sleep(tick);
        if !o.workspace_exists() || o.monitor_idle_for() >= idle {
            return Ok(Code::Ok);
        }
    }
}
