//! `orchestron watch`: a process that only watches the record files and
//! lends its file monitor to CLI commands over the workspace's socket (see
//! `api::Orchestron::lend_monitor`). It prints one line once it serves, then
//! runs until it is stopped; a socket it leaves behind is stale, which
//! clients detect and the next watcher replaces.

use super::Ctx;
use super::exit::CmdResult;
use super::output;

pub fn run(ctx: &Ctx) -> CmdResult {
    super::logging::init("warn");
    let mut o = ctx.open()?;
    let socket = o.lend_monitor()?;
    let on = if o.watcher_status().enabled {
        "CLI commands here use it"
    } else {
        "turn it on for CLI commands with `watcher: true` in config.yaml or ORCHESTRON_WATCHER=1"
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
