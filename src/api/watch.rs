//! Watching the record files for a long-running adapter (the MCP server): a
//! debounced file watcher on the tasks, sprints and contexts folders that
//! reports which records appeared, changed or vanished — whoever changed them
//! (this process, another agent, a human's editor, a `git pull`). The watcher
//! only signals; readers still go through the refreshed index.

use super::{Error, Orchestron, Result};
use crate::model::IdKind;
use crate::store::RecordPath;
use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How a record file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordChange {
    Appeared,
    Changed,
    Vanished,
}

/// One record whose file changed on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEvent {
    pub kind: IdKind,
    /// The id as the file names it (`TASK-7k2mq`).
    pub id: String,
    pub change: RecordChange,
}

/// Keeps the watch alive; dropping it stops the events.
pub struct RecordWatcher {
    _debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
}

impl std::fmt::Debug for RecordWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecordWatcher")
    }
}

/// How long the watcher waits for a burst of writes to settle.
const SETTLE: Duration = Duration::from_millis(150);

impl Orchestron {
    /// Watches the record folders and calls `on_events` (on the watcher's own
    /// thread) with each settled batch of record changes.
    pub fn watch(
        &self,
        mut on_events: impl FnMut(Vec<RecordEvent>) + Send + 'static,
    ) -> Result<RecordWatcher> {
        let dirs: Vec<(IdKind, PathBuf)> =
            IdKind::ALL.iter().map(|k| (*k, self.ws.dir(*k))).collect();
        let mut known: HashSet<RecordPath> =
            IdKind::ALL.iter().flat_map(|k| self.ws.list(*k)).collect();
        let kinds = dirs.clone();
        let handler = move |result: DebounceEventResult| {
            let Ok(events) = result else { return };
            let mut paths: Vec<PathBuf> = events.into_iter().flat_map(|e| e.event.paths).collect();
            paths.sort();
            paths.dedup();
            let mut out = Vec::new();
            for path in paths {
                let Some(record) = record_path(&kinds, &path) else {
                    continue;
                };
                let change = match (path.exists(), known.contains(&record)) {
                    (true, true) => RecordChange::Changed,
                    (true, false) => {
                        known.insert(record.clone());
                        RecordChange::Appeared
                    }
                    (false, true) => {
                        known.remove(&record);
                        RecordChange::Vanished
                    }
                    (false, false) => continue,
                };
                out.push(RecordEvent {
                    kind: record.kind(),
                    id: record.stem().to_string(),
                    change,
                });
            }
            if !out.is_empty() {
                on_events(out);
            }
        };
        let mut debouncer = new_debouncer(SETTLE, None, handler)
            .map_err(|e| Error::internal("cannot watch the workspace", e))?;
        for (_, dir) in &dirs {
            if dir.is_dir() {
                debouncer
                    .watch(dir, RecursiveMode::NonRecursive)
                    .map_err(|e| Error::internal(format!("cannot watch {}", dir.display()), e))?;
            }
        }
        Ok(RecordWatcher {
            _debouncer: debouncer,
        })
    }
}

/// The record file at `path`, if it is one (not a temporary file of an atomic
/// write) in one of the watched folders.
fn record_path(kinds: &[(IdKind, PathBuf)], path: &Path) -> Option<RecordPath> {
    let (kind, _) = kinds
        .iter()
        .find(|(_, d)| path.parent() == Some(d.as_path()))?;
    RecordPath::in_dir(*kind, path.file_name()?.to_str()?)
}
