//! Lending a file monitor to CLI commands, as git shares its `core.fsmonitor`:
//! a process holding one (`orchestron watch`, the MCP server, any other
//! long-running adapter — what users call "the watcher") lends it on the
//! workspace's socket, and a CLI
//! command with the feature on (`watcher: true` in `config.yaml`, or
//! `ORCHESTRON_WATCHER=1`) asks it what changed since the token stored in the
//! index, re-reads only those paths and stores the new token. Whatever the
//! watcher cannot vouch for, and any watcher that does not answer properly,
//! means today's full stat pass (the default), with the reason at debug level.

use super::{Orchestron, Result};
use crate::store::{self, Changes, MonitorServer, Token};
use std::path::PathBuf;
use std::time::Duration;

/// How long the monitor behind the socket waits for its barrier before it
/// answers "everything".
const SERVED_BARRIER: Duration = Duration::from_millis(500);

/// How long a CLI command waits for the watcher at each step before it
/// falls back to the full stat pass (`ORCHESTRON_WATCHER_TIMEOUT_MS`).
const DEFAULT_ASK_TIMEOUT: Duration = Duration::from_millis(1000);

/// Whether a watcher serves this workspace and whether CLI commands use it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WatcherStatus {
    /// CLI commands ask the watcher (`config.yaml` `watcher:` or `ORCHESTRON_WATCHER`).
    pub enabled: bool,
    /// The process serving the socket, if one answers.
    pub serving_pid: Option<u32>,
    /// Why none answers (no socket, a stale one, another user's…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_not: Option<String>,
    pub socket: PathBuf,
}

impl Orchestron {
    /// Lends this process's file monitor to CLI commands on the workspace's
    /// socket (starting the monitor if this process has none yet), for as
    /// long as this `Orchestron` lives. Returns the socket's path. Another
    /// live watcher on the socket is a `Conflict` naming its pid.
    pub fn lend_monitor(&mut self) -> Result<PathBuf> {
        if let Some(lent) = &self.lent {
            return Ok(lent.path().to_path_buf());
        }
        let monitor = self.monitor()?;
        let server = MonitorServer::start(monitor, self.ws.root(), SERVED_BARRIER)?;
        let path = server.path().to_path_buf();
        self.lent = Some(server);
        Ok(path)
    }

    /// Whether a watcher serves this workspace, and whether commands use it.
    pub fn watcher_status(&self) -> WatcherStatus {
        let (serving_pid, why_not) = match store::serving_pid(self.ws.root(), ask_timeout()) {
            Ok(pid) => (Some(pid), None),
            Err(why) => (None, Some(why.0)),
        };
        WatcherStatus {
            enabled: self.borrows_monitor(),
            serving_pid,
            why_not,
            socket: store::socket_path(self.ws.root()),
        }
    }

    /// `ORCHESTRON_WATCHER` (`1`/`true`/`on`, `0`/`false`/`off`) wins over
    /// `config.yaml`'s `watcher:`.
    pub(super) fn borrows_monitor(&self) -> bool {
        match std::env::var("ORCHESTRON_WATCHER").ok().as_deref() {
            Some("1" | "true" | "on" | "yes") => true,
            Some("0" | "false" | "off" | "no") => false,
            _ => self.ws.config.watcher,
        }
    }

    /// The refresh of a CLI command with the watcher on: ask it, under the
    /// workspace lock (so that no other process's refresh interleaves between
    /// the answer and the stored token), then re-read only what it names.
    pub(super) fn refresh_via_lent_monitor(&mut self) -> Result<usize> {
        let t = crate::timing::Phase::start();
        let _lock = self.ws.lock()?;
        let since: Option<Token> = self
            .index
            .watch_token()?
            .and_then(|s| s.parse::<Token>().ok());
        let answer = store::ask_since(self.ws.root(), since, ask_timeout());
        t.lap("refresh: ask the watcher");
        let answer = match answer {
            Ok(a) => a,
            Err(why) => {
                tracing::debug!("full stat pass: {why}");
                return self.refresh_all(store::Scope::Live);
            }
        };
        let n = match answer.changes {
            Changes::All(why) => {
                tracing::debug!(
                    "full stat pass: the watcher (pid {}) says {why}",
                    answer.pid
                );
                self.refresh_all(store::Scope::Live)?
            }
            // Nothing changed since the stored token: it still holds, and
            // keeping it spares every quiet command a write.
            Changes::Paths(paths) if paths.is_empty() && since.is_some() => {
                tracing::debug!("watched refresh: nothing changed (pid {})", answer.pid);
                return Ok(0);
            }
            Changes::Paths(paths) => {
                tracing::debug!(
                    "watched refresh: {} changed paths (pid {})",
                    paths.len(),
                    answer.pid
                );
                self.refresh_paths(paths)?
            }
        };
        // Only once the index holds everything up to the token.
        self.index.set_watch_token(&answer.token.to_string())?;
        t.lap("refresh: from the watcher");
        Ok(n)
    }
}

fn ask_timeout() -> Duration {
    std::env::var("ORCHESTRON_WATCHER_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(DEFAULT_ASK_TIMEOUT, Duration::from_millis)
}
