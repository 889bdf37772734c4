//! The monitor's event side: what runs on the watcher's thread for each raw
//! event. A record file's change is stamped with the open epoch, a cookie of
//! ours coming back releases the barrier, and anything the monitor cannot
//! vouch for (a watcher error, an overflow, a record folder or the workspace
//! moved, too many changes) is recorded as a loss. Also the start-up check
//! for record files that are symbolic links.

use super::{Shared, lock};
use crate::model::IdKind;
use crate::store::RecordPath;
use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Runs on the watcher's thread for every raw event.
pub(super) struct Handler {
    pub(super) shared: Arc<Shared>,
    pub(super) root: PathBuf,
    pub(super) cookie_prefix: String,
}

impl Handler {
    pub(super) fn on_event(&self, event: notify::Result<Event>) {
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                let mut st = lock(&self.shared);
                st.rearm = true;
                st.lose(format!("the watcher failed: {e}"));
                drop(st);
                self.shared.wake();
                return;
            }
        };
        if event.need_rescan() {
            lock(&self.shared).lose("the event queue overflowed");
            self.shared.wake();
            return;
        }
        // Reads (ours included) change nothing; the watches do not ask for
        // them (`event_kinds`), this is for a backend that cannot filter.
        if matches!(event.kind, EventKind::Access(a) if a != AccessKind::Close(AccessMode::Write)) {
            return;
        }
        let news = event
            .paths
            .iter()
            .fold(false, |news, path| self.on_path(path, &event.kind) | news);
        if news {
            self.shared.wake();
        }
    }

    /// Records one path of an event; true when [`Monitor::since`] now has
    /// something new to say (a record changed, or a loss).
    fn on_path(&self, path: &Path, kind: &EventKind) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        let parts: Vec<&str> = rel.iter().filter_map(|c| c.to_str()).collect();
        match parts.as_slice() {
            [] => {
                let mut st = lock(&self.shared);
                st.rearm = true;
                st.lose("the workspace folder was moved or removed");
                true
            }
            [dir] if IdKind::ALL.iter().any(|k| k.dir() == *dir) => {
                let mut st = lock(&self.shared);
                st.rearm = true;
                st.lose(format!("the {dir} folder was created, moved or removed"));
                true
            }
            ["cache"] | ["cache", "watch"] if matches!(kind, EventKind::Remove(_)) => {
                lock(&self.shared).rearm = true;
                false
            }
            [dir, name] => self.on_record(path, dir, name, kind),
            ["cache", "watch", name] if matches!(kind, EventKind::Create(_)) => {
                self.on_cookie(name);
                false
            }
            _ => false,
        }
    }

    /// Stamps a changed record file with the open epoch; true if it is one.
    fn on_record(&self, path: &Path, dir: &str, name: &str, kind: &EventKind) -> bool {
        let Some(k) = IdKind::ALL.into_iter().find(|k| k.dir() == dir) else {
            return false;
        };
        if RecordPath::in_dir(k, name).is_none() {
            return false;
        }
        let linked = matches!(kind, EventKind::Create(_) | EventKind::Modify(_))
            && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let key = format!("{dir}/{name}");
        let mut st = lock(&self.shared);
        st.linked |= linked;
        if st.changed.len() >= st.limit && !st.changed.contains_key(&key) {
            let limit = st.limit;
            st.lose(format!("more than {limit} record files changed"));
            return true;
        }
        let epoch = st.epoch;
        st.changed.insert(key, epoch);
        true
    }

    /// A cookie of ours came back: every earlier event has been recorded.
    fn on_cookie(&self, name: &str) {
        let Some(n) = name
            .strip_prefix(self.cookie_prefix.as_str())
            .and_then(|n| n.parse::<u64>().ok())
        else {
            return;
        };
        let mut st = lock(&self.shared);
        st.cookie = st.cookie.max(n);
        drop(st);
        self.shared.cookie_seen.notify_all();
    }
}

/// Whether any record file is a symbolic link (the watch sees the link, not
/// its target). Names only: `read_dir` knows each entry's type without a stat.
pub(super) fn any_linked(root: &Path) -> bool {
    IdKind::ALL.iter().any(|k| {
        std::fs::read_dir(root.join(k.dir())).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                e.file_type().is_ok_and(|t| t.is_symlink())
                    && e.file_name()
                        .to_str()
                        .is_some_and(RecordPath::is_record_name)
            })
        })
    })
}
