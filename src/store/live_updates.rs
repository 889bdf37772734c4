//! Live updates: settled batches of record changes pushed to a callback, for
//! a long-running adapter that tells its clients what changed (the MCP
//! server's resource notifications, the board's server-sent events). They are
//! built on the process's one [`Monitor`] — no second watch: the monitor
//! wakes a thread when a record file changes, the thread lets a burst of
//! writes settle, then asks [`Monitor::since`] with its own token (behind the
//! same cookie barrier as a refresh) and sorts each path into appeared,
//! changed or vanished against the record files it knows. When the monitor
//! cannot vouch (an overflow, a record folder created or removed, a
//! `git checkout` that swapped thousands of files), every record is reported:
//! the appeared and vanished ones by listing the folders again, every other
//! one as changed. Pushes are a courtesy; readers still refresh the index.

use super::{Changes, Monitor, RecordPath};
use crate::model::IdKind;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

/// How a record file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordChange {
    Appeared,
    Changed,
    Vanished,
}

/// How long a burst of writes may go on before its batch is pushed anyway.
const MAX_SETTLE: Duration = Duration::from_secs(2);

/// How long the thread waits for the monitor's barrier.
const BARRIER_WAIT: Duration = Duration::from_millis(500);

/// Keeps the live updates flowing; dropping it stops their thread.
pub struct LiveUpdates {
    stop: Arc<AtomicBool>,
    wake: SyncSender<()>,
}

impl std::fmt::Debug for LiveUpdates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LiveUpdates")
    }
}

impl Drop for LiveUpdates {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.wake.try_send(());
    }
}

impl LiveUpdates {
    /// Starts pushing `monitor`'s record changes to `on_batch` (on a thread
    /// of its own), each batch once no write came for `settle`. Every change
    /// made after this returns is pushed.
    pub fn start(
        monitor: Arc<Monitor>,
        settle: Duration,
        on_batch: impl FnMut(Vec<(RecordPath, RecordChange)>) + Send + 'static,
    ) -> std::io::Result<LiveUpdates> {
        let (wake, woken) = monitor.wake_on_change();
        let known = list_records(monitor.root());
        let (token, _) = monitor.since(None, BARRIER_WAIT);
        let stop = Arc::new(AtomicBool::new(false));
        let follower = Follower {
            monitor,
            token,
            known,
            settle,
            stop: Arc::clone(&stop),
        };
        std::thread::Builder::new()
            .name("orchestron-live-updates".into())
            .spawn(move || follower.run(woken, on_batch))?;
        Ok(LiveUpdates { stop, wake })
    }
}

/// The thread's state: where it stands in the monitor, and which record
/// files exist as far as it has told.
struct Follower {
    monitor: Arc<Monitor>,
    token: super::Token,
    known: HashSet<RecordPath>,
    settle: Duration,
    stop: Arc<AtomicBool>,
}

impl Follower {
    fn run(
        mut self,
        woken: Receiver<()>,
        mut on_batch: impl FnMut(Vec<(RecordPath, RecordChange)>),
    ) {
        while woken.recv().is_ok() {
            if self.stop.load(Ordering::SeqCst) || !self.settled(&woken) {
                break;
            }
            let batch = self.next_batch();
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            if !batch.is_empty() {
                on_batch(batch);
            }
        }
    }

    /// Waits until no signal came for `settle` (or for [`MAX_SETTLE`] in
    /// all); false when it is time to stop.
    fn settled(&self, woken: &Receiver<()>) -> bool {
        let deadline = Instant::now() + MAX_SETTLE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match woken.recv_timeout(self.settle.min(left)) {
                Ok(()) if self.stop.load(Ordering::SeqCst) => return false,
                Ok(()) if !left.is_zero() => continue,
                Ok(()) | Err(RecvTimeoutError::Timeout) => return true,
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
    }

    /// What changed since the last batch.
    fn next_batch(&mut self) -> Vec<(RecordPath, RecordChange)> {
        let (token, changes) = self.monitor.since(Some(self.token), BARRIER_WAIT);
        self.token = token;
        match changes {
            Changes::Paths(paths) => paths
                .iter()
                .filter_map(|rel| RecordPath::parse(rel))
                .filter_map(|path| self.sort(path))
                .collect(),
            Changes::All(why) => {
                tracing::debug!("live updates report every record: {why}");
                self.everything()
            }
        }
    }

    /// Whether `path` appeared, changed or vanished (none: it came and went).
    fn sort(&mut self, path: RecordPath) -> Option<(RecordPath, RecordChange)> {
        let exists = self.monitor.root().join(path.rel()).exists();
        let change = match (exists, self.known.contains(&path)) {
            (true, true) => RecordChange::Changed,
            (true, false) => {
                self.known.insert(path.clone());
                RecordChange::Appeared
            }
            (false, true) => {
                self.known.remove(&path);
                RecordChange::Vanished
            }
            (false, false) => return None,
        };
        Some((path, change))
    }

    /// Every record, when the monitor could not say which changed.
    fn everything(&mut self) -> Vec<(RecordPath, RecordChange)> {
        let now = list_records(self.monitor.root());
        let mut batch: Vec<(RecordPath, RecordChange)> = self
            .known
            .difference(&now)
            .map(|p| (p.clone(), RecordChange::Vanished))
            .collect();
        for path in &now {
            let change = if self.known.contains(path) {
                RecordChange::Changed
            } else {
                RecordChange::Appeared
            };
            batch.push((path.clone(), change));
        }
        self.known = now;
        batch
    }
}

/// The live record files under `root` (names only, no stat).
fn list_records(root: &Path) -> HashSet<RecordPath> {
    IdKind::ALL
        .iter()
        .flat_map(|kind| {
            std::fs::read_dir(root.join(kind.dir()))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|e| RecordPath::in_dir(*kind, e.file_name().to_str()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::DEFAULT_LIMIT;
    use std::sync::mpsc::channel;

    const WAIT: Duration = Duration::from_secs(10);

    fn workspace() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for kind in IdKind::ALL {
            std::fs::create_dir_all(dir.path().join(kind.dir())).unwrap();
        }
        dir
    }

    fn task(rel: &str) -> RecordPath {
        RecordPath::parse(rel).unwrap()
    }

    /// Takes batches until one reports `change` of `rel`; fails after [`WAIT`].
    /// A write's trailing events may come as a batch of their own, so
    /// batches in between are skipped; returns everything taken.
    fn wait_for(
        rx: &Receiver<Vec<(RecordPath, RecordChange)>>,
        rel: &str,
        change: RecordChange,
    ) -> Vec<(RecordPath, RecordChange)> {
        let deadline = Instant::now() + WAIT;
        let mut taken = Vec::new();
        while !taken.contains(&(task(rel), change)) {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(batch) => taken.extend(batch),
                Err(e) => panic!("no {change:?} of {rel} ({e}); got {taken:?}"),
            }
        }
        taken
    }

    fn follow(monitor: Monitor) -> (LiveUpdates, Receiver<Vec<(RecordPath, RecordChange)>>) {
        let (tx, rx) = channel();
        let live = LiveUpdates::start(Arc::new(monitor), Duration::from_millis(20), move |b| {
            let _ = tx.send(b);
        })
        .unwrap();
        (live, rx)
    }

    #[test]
    fn a_write_an_edit_and_a_removal_are_pushed_as_appeared_changed_vanished() {
        let dir = workspace();
        let file = dir.path().join("tasks/TASK-a.yaml");
        let (_live, rx) = follow(Monitor::start(dir.path(), DEFAULT_LIMIT).unwrap());
        std::fs::write(dir.path().join("tasks/.TASK-a.yaml.tmp"), "x").unwrap();
        std::fs::write(&file, "id: TASK-a\n").unwrap();
        let first = wait_for(&rx, "tasks/TASK-a.yaml", RecordChange::Appeared);
        assert!(
            first.iter().all(|(p, _)| p.rel() == "tasks/TASK-a.yaml"),
            "a temporary file is no record: {first:?}"
        );
        std::fs::write(&file, "id: TASK-a\ntitle: x\n").unwrap();
        wait_for(&rx, "tasks/TASK-a.yaml", RecordChange::Changed);
        std::fs::remove_file(&file).unwrap();
        wait_for(&rx, "tasks/TASK-a.yaml", RecordChange::Vanished);
    }

    #[test]
    fn a_lost_track_reports_every_record_and_what_came_and_went() {
        let dir = workspace();
        std::fs::write(dir.path().join("tasks/TASK-old.yaml"), "id: TASK-old\n").unwrap();
        std::fs::write(dir.path().join("tasks/TASK-kept.yaml"), "id: TASK-kept\n").unwrap();
        // A limit of one changed path: the second write loses track.
        let (_live, rx) = follow(Monitor::start(dir.path(), 1).unwrap());
        std::fs::remove_file(dir.path().join("tasks/TASK-old.yaml")).unwrap();
        std::fs::write(dir.path().join("tasks/TASK-new.yaml"), "id: TASK-new\n").unwrap();
        let mut taken = wait_for(&rx, "tasks/TASK-new.yaml", RecordChange::Appeared);
        taken.sort_by_key(|(p, _)| p.rel());
        assert_eq!(
            taken,
            vec![
                (task("tasks/TASK-kept.yaml"), RecordChange::Changed),
                (task("tasks/TASK-new.yaml"), RecordChange::Appeared),
                (task("tasks/TASK-old.yaml"), RecordChange::Vanished),
            ]
        );
    }

    #[test]
    fn dropping_the_handle_stops_the_pushes() {
        let dir = workspace();
        let (live, rx) = follow(Monitor::start(dir.path(), DEFAULT_LIMIT).unwrap());
        drop(live);
        std::fs::write(dir.path().join("tasks/TASK-a.yaml"), "id: TASK-a\n").unwrap();
        // The thread ends and drops its sender: the channel disconnects
        // instead of delivering the write.
        assert_eq!(rx.recv_timeout(WAIT), Err(RecvTimeoutError::Disconnected));
    }
}
