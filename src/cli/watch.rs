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
use std::path::Path;
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
    let root = o.root().to_path_buf();
    let tick = (idle / 4).clamp(Duration::from_millis(20), Duration::from_secs(5));
    loop {
        std::thread::sleep(tick);
        if !workspace_exists(&root) || o.monitor_idle_for() >= idle {
            return Ok(Code::Ok);
        }
    }
}

fn workspace_exists(root: &Path) -> bool {
    root.join("config.yaml").is_file()
}

/// Starts `orchestron watch --background` for the workspace at `root`,
/// detached: its own process group (a Ctrl-C at the terminal does not reach
/// it), no standard streams, not waited for. A failure only means the next
/// command stats every file again.
pub fn start_in_background(root: &Path) {
    use std::os::unix::process::CommandExt;
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let started = std::process::Command::new(exe)
        .arg("--root")
        .arg(root)
        .args(["watch", "--background"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn();
    match started {
        Ok(child) => tracing::debug!("started a watcher in the background (pid {})", child.id()),
        Err(e) => tracing::debug!("could not start a watcher: {e}"),
    }
}
