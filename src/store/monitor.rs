//! The file monitor of a long-running process: a raw (not debounced) watcher
//! on the record folders that records every changed path the moment its event
//! arrives, so that a refresh can re-read only those paths instead of stat'ing
//! every record file. It stands in for the stat pass only while it can vouch
//! for every change; otherwise it says "look at everything".
//!
//! Soundness rests on three rules, the ones git's `core.fsmonitor` and
//! watchman follow:
//! - **A barrier before every answer.** The caller's question is answered only
//!   after a *cookie* file, created in the watched tree at that moment, has
//!   come back as an event. inotify delivers one instance's events in order, so
//!   every change made before the question was asked has then been recorded.
//!   Cookies live in `cache/watch/` inside the workspace: inside the watched
//!   tree (the same inotify instance), git-ignored with the rest of `cache/`,
//!   and never a record folder. A cookie that does not come back before the
//!   deadline means "look at everything".
//! - **Tokens and epochs.** Every event is stamped with the open epoch; each
//!   answer closes it and hands back its number as a token. A caller that
//!   brought everything up to date after its last token asks "what changed
//!   since token T" and gets the paths stamped later than T.
//! - **Anything unvouched is a loss.** A queue overflow, a watcher error, a
//!   record folder (or the workspace folder) removed, moved or created, more
//!   changed paths than the monitor keeps, a record file that is a symbolic
//!   link (its target may change out of sight), a token from another monitor
//!   or from the future: the answer is "everything", and the caller runs the
//!   full stat pass. A dropped watch is set up again before the next answer.
//!
//! Only Linux's inotify is trusted (one ordered queue per instance); elsewhere
//! the monitor does not start and callers keep the full stat pass.

use super::StoreError;
use crate::model::IdKind;
use notify::{Config, EventKindMask, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

mod events;

use events::{Handler, any_linked};

/// The folder of the cookie files, relative to the workspace root.
pub const COOKIE_DIR: &str = "cache/watch";

/// How many changed paths the monitor remembers before it gives up and
/// answers "everything" (a `git checkout` of another branch can swap
/// thousands). `ORCHESTRON_WATCH_LIMIT` overrides it (tests force the loss
/// with a tiny limit).
pub const DEFAULT_LIMIT: usize = 4096;

/// The events the watches ask the kernel for: creations, removals, writes,
/// attribute changes and renames, and a close after a write (what an
/// editor's save ends with). Not the opens and read-only closes: inotify
/// would queue one for every *read* of a record file by anyone (`index
/// rebuild`, `git status`, grep), which costs the reader and this process
/// and can overflow the kernel's queue (a loss) when nothing changed.
fn event_kinds() -> EventKindMask {
    EventKindMask::CORE | EventKindMask::ACCESS_CLOSE
}

/// Where a caller stands: everything changed up to this epoch of this
/// monitor has been seen. Written `instance.epoch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub instance: u64,
    pub epoch: u64,
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:x}.{}", self.instance, self.epoch)
    }
}

impl std::str::FromStr for Token {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let (i, e) = s.split_once('.').ok_or(())?;
        Ok(Token {
            instance: u64::from_str_radix(i, 16).map_err(|_| ())?,
            epoch: e.parse().map_err(|_| ())?,
        })
    }
}

/// What changed since a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changes {
    /// The monitor cannot vouch; the reason is for a debug log.
    All(String),
    /// These record paths (relative to the workspace root) may have changed;
    /// nothing else did.
    Paths(Vec<String>),
}

/// A running monitor; dropping it stops the watch.
pub struct Monitor {
    shared: Arc<Shared>,
    watcher: Mutex<RecommendedWatcher>,
    root: PathBuf,
    instance: u64,
    next_cookie: AtomicU64,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor").field("root", &self.root).finish()
    }
}

struct Shared {
    state: Mutex<State>,
    cookie_seen: Condvar,
    /// Woken (at most one pending signal each) whenever a record path is
    /// recorded or a loss happens: see [`Monitor::wake_on_change`].
    listeners: Mutex<Vec<SyncSender<()>>>,
}

impl Shared {
    /// Tells every listener that [`Monitor::since`] has news; a listener
    /// that is gone is forgotten.
    fn wake(&self) {
        let mut listeners = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        listeners.retain(|l| !matches!(l.try_send(()), Err(TrySendError::Disconnected(()))));
    }
}

struct State {
    /// The open epoch: events arriving now are stamped with it.
    epoch: u64,
    /// Every changed record path with the epoch of its latest event.
    changed: HashMap<String, u64>,
    /// The epoch of the latest loss: older tokens get "everything".
    lost_at: u64,
    lost_why: String,
    /// A watch was dropped and must be set up again.
    rearm: bool,
    /// A record file is a symbolic link.
    linked: bool,
    /// The highest cookie number of ours seen so far.
    cookie: u64,
    limit: usize,
}

impl State {
    fn lose(&mut self, why: impl Into<String>) {
        self.lost_at = self.epoch;
        self.lost_why = why.into();
        self.changed.clear();
    }
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, State> {
    shared.state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Monitor {
    /// Starts watching the workspace at `root` (`limit`: see [`DEFAULT_LIMIT`]).
    pub fn start(root: &Path, limit: usize) -> Result<Monitor, StoreError> {
        let unsupported = |message: String| StoreError::Invalid {
            path: root.to_path_buf(),
            line: 0,
            column: 0,
            message,
        };
        if !cfg!(target_os = "linux") {
            return Err(unsupported(
                "the file monitor only trusts Linux's inotify".into(),
            ));
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                epoch: 1,
                changed: HashMap::new(),
                lost_at: 1,
                lost_why: "the watch has just started".into(),
                rearm: false,
                linked: any_linked(root),
                cookie: 0,
                limit: limit.max(1),
            }),
            cookie_seen: Condvar::new(),
            listeners: Mutex::default(),
        });
        let instance = std::process::id() as u64 ^ (u64::from(getrandom::u32().unwrap_or(0)) << 32);
        let handler = Handler {
            shared: Arc::clone(&shared),
            root: root.to_path_buf(),
            cookie_prefix: format!("cookie-{instance:x}-"),
        };
        let config = Config::default().with_event_kinds(event_kinds());
        let watcher = RecommendedWatcher::new(move |e| handler.on_event(e), config)
            .map_err(|e| unsupported(format!("cannot watch the workspace: {e}")))?;
        std::fs::create_dir_all(root.join(COOKIE_DIR))
            .map_err(|e| StoreError::io(root.join(COOKIE_DIR), e))?;
        let monitor = Monitor {
            shared,
            watcher: Mutex::new(watcher),
            root: root.to_path_buf(),
            instance,
            next_cookie: AtomicU64::new(0),
        };
        monitor
            .arm()
            .map_err(|e| unsupported(format!("cannot watch the workspace: {e}")))?;
        Ok(monitor)
    }

    /// (Re)installs the watches: the workspace folder (a record folder
    /// created, removed or replaced), each record folder, the cookie folder.
    /// A record folder that does not exist yet is seen appearing.
    fn arm(&self) -> notify::Result<()> {
        let mut w = self.watcher.lock().unwrap_or_else(PoisonError::into_inner);
        let root = self.root.as_path();
        let _ = w.unwatch(root);
        w.watch(root, RecursiveMode::NonRecursive)?;
        let cookies = root.join(COOKIE_DIR);
        let _ = std::fs::create_dir_all(&cookies);
        let _ = w.unwatch(&cookies);
        w.watch(&cookies, RecursiveMode::NonRecursive)?;
        for kind in IdKind::ALL {
            let dir = root.join(kind.dir());
            let _ = w.unwatch(&dir);
            if dir.is_dir() {
                w.watch(&dir, RecursiveMode::NonRecursive)?;
            }
        }
        Ok(())
    }

    /// What changed since `since`, after a barrier that waits at most `wait`
    /// for this moment's cookie; and the token to ask with next time. The
    /// caller must bring itself up to date (only the paths, or everything)
    /// *after* this returns for the token to hold.
    pub fn since(&self, since: Option<Token>, wait: Duration) -> (Token, Changes) {
        let rearm = std::mem::take(&mut lock(&self.shared).rearm);
        if rearm {
            // Watches are installed without the state lock: the watcher's
            // thread takes it for every event.
            let armed = self.arm();
            let linked = any_linked(&self.root);
            let mut st = lock(&self.shared);
            st.linked = linked;
            match armed {
                // Everything older than now is unvouched; the log keeps the cause.
                Ok(()) => {
                    let why = std::mem::take(&mut st.lost_why);
                    st.lose(why);
                }
                Err(e) => {
                    st.rearm = true;
                    st.lose(format!("cannot watch the workspace: {e}"));
                }
            }
        }
        if lock(&self.shared).linked {
            let linked = any_linked(&self.root);
            lock(&self.shared).linked = linked;
        }
        let synced = self.barrier(wait);
        let mut st = lock(&self.shared);
        let token = Token {
            instance: self.instance,
            epoch: st.epoch,
        };
        st.epoch += 1;
        let changes = match since {
            _ if !synced => {
                let why = "the watcher did not confirm the barrier in time";
                st.rearm = true;
                st.lose(why);
                Changes::All(why.into())
            }
            _ if st.linked => Changes::All("a record file is a symbolic link".into()),
            None => Changes::All("first refresh from this watcher".into()),
            Some(t) if t.instance != self.instance => {
                Changes::All("a token from another watcher".into())
            }
            Some(t) if t.epoch >= token.epoch => Changes::All("an unknown token".into()),
            Some(t) if t.epoch < st.lost_at => Changes::All(st.lost_why.clone()),
            Some(t) => {
                let mut paths: Vec<String> = st
                    .changed
                    .iter()
                    .filter(|(_, e)| **e > t.epoch)
                    .map(|(p, _)| p.clone())
                    .collect();
                paths.sort_unstable();
                Changes::Paths(paths)
            }
        };
        (token, changes)
    }

    /// A channel that gets a signal whenever a record file changes or the
    /// monitor loses track (signals coalesce: one pending at most). It only
    /// says "ask [`Monitor::since`]"; what changed comes from there. The
    /// sender half is returned too, so its owner can wake the receiver itself.
    pub fn wake_on_change(&self) -> (SyncSender<()>, Receiver<()>) {
        let (tx, rx) = sync_channel(1);
        self.shared
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(tx.clone());
        (tx, rx)
    }

    /// The workspace root this monitor watches.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates a cookie and waits for its event; false on a timeout or when
    /// the cookie cannot be written.
    fn barrier(&self, wait: Duration) -> bool {
        let n = self.next_cookie.fetch_add(1, Ordering::Relaxed) + 1;
        let dir = self.root.join(COOKIE_DIR);
        let path = dir.join(format!("cookie-{:x}-{n}", self.instance));
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path);
        if let Err(e) = created {
            tracing::debug!("cannot write the watch cookie {}: {e}", path.display());
            return false;
        }
        let deadline = Instant::now() + wait;
        let mut st = lock(&self.shared);
        let seen = loop {
            if st.cookie >= n {
                break true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break false;
            }
            st = match self.shared.cookie_seen.wait_timeout(st, left) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        };
        drop(st);
        let _ = std::fs::remove_file(&path);
        seen
    }
}

#[cfg(test)]
mod tests;
