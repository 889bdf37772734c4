//! Lending a file monitor to CLI commands, as git shares its `core.fsmonitor`:
//! a process holding one (`orchestron watch`, the MCP server, any other
//! long-running adapter — what users call "the watcher") lends it on the
//! workspace's socket, and a CLI command asks it what changed since the token
//! stored in the index, re-reads only those paths and stores the new token.
//! Whatever the watcher cannot vouch for, and any watcher that does not answer
//! properly, means the full stat pass, with the reason at debug level.
//!
//! With `watcher: auto` (the default) a command that paid a full pass over a
//! large workspace (≥ 2,000 tasks, [`AUTO_START_TASKS`]) also starts a watcher
//! in the background, as git's builtin fsmonitor daemon starts with
//! `core.fsmonitor=true`; `manual` (or `true`) asks one that runs but never
//! starts one, `off` never asks. Where a watcher cannot vouch for the files — not Linux, a
//! network or FUSE file system — it is off whatever the setting.

use super::{Orchestron, Result};
use crate::model::WatcherMode;
use crate::store::{self, Changes, MonitorServer, Token};
use std::path::PathBuf;
use std::time::Duration;

/// How long the monitor behind the socket waits for its barrier before it
/// answers "everything".
const SERVED_BARRIER: Duration = Duration::from_millis(500);

/// How long a CLI command waits for the watcher at each step before it
/// falls back to the full stat pass (`ORCHESTRON_WATCHER_TIMEOUT_MS`).
const DEFAULT_ASK_TIMEOUT: Duration = Duration::from_millis(1000);

/// With `watcher: auto`, a command that stat'ed the files of a workspace with
/// at least this many tasks starts a watcher (`ORCHESTRON_WATCHER_AUTO_TASKS`).
/// From the benchmark (docs/PERFORMANCE.md, run 6): at 1,000 tasks a warm
/// command with and without a watcher costs the same (~5 ms, the process
/// itself); the stat pass grows by ~1.5 ms per 1,000 files while a watched
/// command stays at ~4 ms, so from ~2,000 on the watcher saves more than its
/// own round trip, and at 10,000 it is 4 ms against 18.
pub const AUTO_START_TASKS: usize = 2_000;

/// How long a watcher started in the background serves without a question
/// before it exits, unless `watcher_idle:` or `ORCHESTRON_WATCHER_IDLE` says.
const DEFAULT_IDLE: Duration = Duration::from_secs(30 * 60);

/// Whether a watcher serves this workspace and whether CLI commands use it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WatcherStatus {
    /// The setting in force (`config.yaml` `watcher:` or `ORCHESTRON_WATCHER`).
    pub mode: WatcherMode,
    /// Why no watcher can work here whatever the setting (not Linux, a
    /// network file system).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub off_because: Option<String>,
    /// CLI commands ask the watcher.
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

    /// How long since a CLI command last asked the monitor this process
    /// lends (zero when it lends none).
    pub fn monitor_idle_for(&self) -> Duration {
        self.lent
            .as_ref()
            .map_or(Duration::ZERO, MonitorServer::idle_for)
    }

    /// Whether a watcher serves this workspace, and whether commands use it.
    pub fn watcher_status(&self) -> WatcherStatus {
        let (serving_pid, why_not) = match store::serving_pid(self.ws.root(), ask_timeout()) {
            Ok(pid) => (Some(pid), None),
            Err(why) => (None, Some(why.0)),
        };
        WatcherStatus {
            mode: self.watcher_mode(),
            off_because: store::unwatchable(self.ws.root()).map(str::to_string),
            enabled: self.borrows_monitor(),
            serving_pid,
            why_not,
            socket: store::socket_path(self.ws.root()),
        }
    }

    /// `ORCHESTRON_WATCHER` (`auto`, `manual`/`1`/`on`, `off`/`0`) wins
    /// over `config.yaml`'s `watcher:`.
    pub(super) fn watcher_mode(&self) -> WatcherMode {
        std::env::var("ORCHESTRON_WATCHER")
            .ok()
            .and_then(|v| WatcherMode::parse(&v))
            .unwrap_or(self.ws.config.watcher)
    }

    /// Whether CLI commands ask a watcher: not when it is off, nor where
    /// none can vouch for the files.
    pub(super) fn borrows_monitor(&self) -> bool {
        self.watcher_mode() != WatcherMode::Off && store::unwatchable(self.ws.root()).is_none()
    }

    /// How long a watcher started in the background waits for a question
    /// before it exits (`ORCHESTRON_WATCHER_IDLE`, `watcher_idle:`; 30 min).
    pub fn watcher_idle(&self) -> Result<Duration> {
        let env = std::env::var("ORCHESTRON_WATCHER_IDLE").ok();
        let Some(text) = env.as_deref().or(self.ws.config.watcher_idle.as_deref()) else {
            return Ok(DEFAULT_IDLE);
        };
        crate::model::parse_lease(text)
            .and_then(|d| d.to_std().ok())
            .ok_or_else(|| {
                super::Error::Invalid(format!(
                    "invalid watcher_idle {text:?}: expected a number and a unit, e.g. 90s, 30m, 2h"
                ))
            })
    }

    /// After a full stat pass that no watcher spared: starts one in the
    /// background when the setting and the workspace's size say so, through
    /// the adapter's starter ([`super::OpenOptions::start_watcher`]).
    fn start_watcher_if_due(&self) -> Result<()> {
        let Some(start) = self.start_watcher else {
            return Ok(());
        };
        let due = match self.watcher_mode() {
            WatcherMode::Off | WatcherMode::Manual => false,
            WatcherMode::Auto => {
                let threshold = std::env::var("ORCHESTRON_WATCHER_AUTO_TASKS")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(AUTO_START_TASKS);
                let tasks: usize = self.index.status_counts()?.iter().map(|(_, n)| n).sum();
                tasks >= threshold
            }
        };
        if due {
            tracing::debug!("starting a watcher in the background");
            start(self.ws.root());
        }
        Ok(())
    }

    /// The refresh of a CLI command with the watcher on: ask it, under the
    /// workspace lock (so that no other process's refresh interleaves between
    /// the answer and the stored token), then re-read only what it names.
    pub(super) fn refresh_via_lent_monitor(&mut self) -> Result<usize> {
        let t = crate::timing::Phase::start();
        if !store::socket_exists(self.ws.root()) {
            // Nobody serves (the common case of a small workspace): no lock,
            // no connection attempt.
            tracing::debug!("full stat pass: no watcher socket");
            let n = self.refresh_all(store::Scope::Live)?;
            self.start_watcher_if_due()?;
            return Ok(n);
        }
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
                let n = self.refresh_all(store::Scope::Live)?;
                self.start_watcher_if_due()?;
                return Ok(n);
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

impl Orchestron {
    /// Whether this workspace's folder is still there (a background watcher
    /// stops once it is gone).
    pub fn workspace_exists(&self) -> bool {
        self.ws.still_exists()
    }
}

/// The starter an adapter hands to [`super::OpenOptions::start_watcher`]:
/// `orchestron watch --background`, detached (the store spawns it).
pub fn start_background_watcher(root: &std::path::Path) {
    store::spawn_background_watcher(root);
}
