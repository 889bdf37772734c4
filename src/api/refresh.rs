//! Keeping the index true to the files. Every use-case starts here: a stat pass
//! over every record file (on both cores), and only files whose size or mtime
//! changed — or that were written so recently that their mtime cannot be trusted
//! — are read and parsed. The cost of a refresh therefore grows with the number
//! of changed files, not with the backlog.

use super::{Orchestron, Result};
use crate::index::{FileStamp, FileUpdate, Refresh};
use crate::model::{IdKind, Record};
use crate::store::{self, ScannedFile, content_hash, load_record};

/// A file whose mtime is this close to the last refresh may have been changed
/// again within the filesystem's timestamp granularity, so its content hash is
/// checked instead of trusting the stamp ("racily clean", as git calls it).
const RACY_WINDOW_NS: i64 = 2_000_000_000;

impl Orchestron {
    /// Brings the index up to date with the files; hand edits, deletions and
    /// `git pull`s are credited to `editor` in the change feed.
    pub fn refresh(&mut self) -> Result<usize> {
        let files = store::scan(self.ws.root());
        let stamps = self.index.stamps()?;
        let last = self.index.last_refresh_ns()?;
        let mut candidates: Vec<ScannedFile> = Vec::new();
        let mut seen = std::collections::HashSet::with_capacity(files.len());
        for f in files {
            seen.insert(f.rel.clone());
            match stamps.get(&f.rel) {
                Some(s)
                    if s.size == f.size
                        && s.mtime_ns == f.mtime_ns
                        && f.mtime_ns < last - RACY_WINDOW_NS => {}
                _ => candidates.push(f),
            }
        }
        let deleted: Vec<String> = stamps
            .keys()
            .filter(|k| !seen.contains(*k))
            .cloned()
            .collect();
        // A fresh cache must record its (possibly empty) baseline, so that the
        // next hand edit is reported as a change rather than taken as the baseline.
        if candidates.is_empty() && deleted.is_empty() && !stamps.is_empty() {
            return Ok(0);
        }
        let root = self.ws.root().to_path_buf();
        let mut updates = load_parallel(&root, candidates, None);
        // Racy candidates whose content did not change need no work.
        updates.retain(|u| stamps.get(&u.path) != Some(&u.stamp));
        // Even when every racy file proved unchanged, the (empty) apply moves the
        // last-refresh time on, so those files stop being racy and are not re-read
        // by every later command.
        let _lock = self.ws.lock()?;
        let n = self.index.apply(Refresh {
            updates,
            deleted,
            actor: "editor".to_string(),
        })?;
        Ok(n)
    }

    /// Drops the index and rebuilds it from the files. `progress` is told
    /// (files read, files in all) as the files are read.
    pub fn rebuild_index(&mut self, progress: Option<&Progress>) -> Result<usize> {
        let _lock = self.ws.lock()?;
        self.index.clear()?;
        drop(_lock);
        let files = store::scan(self.ws.root());
        let count = files.len();
        let updates = load_parallel(self.ws.root(), files, progress);
        let _lock = self.ws.lock()?;
        self.index.apply(Refresh {
            updates,
            deleted: Vec::new(),
            actor: "editor".to_string(),
        })?;
        Ok(count)
    }

    /// Puts a file this process just wrote into the index at once, credited to
    /// the actor (the caller holds the workspace lock).
    pub(crate) fn index_written(
        &mut self,
        kind: IdKind,
        record: Record,
        bytes: &[u8],
    ) -> Result<()> {
        let rel = store::Workspace::rel_path(kind, record.id());
        let path = self.ws.abs(&rel);
        let meta = std::fs::metadata(&path).map_err(|e| crate::store::StoreError::Io {
            path: path.clone(),
            source: e,
        })?;
        let loaded = load_record(kind, &rel, bytes);
        let update = FileUpdate {
            path: rel,
            stamp: stamp_of(&meta, bytes),
            record: loaded.record.or(Some(record)),
            problems: loaded.problems,
            key_lines: loaded.key_lines,
        };
        let actor = self.actor().to_string();
        self.index.apply(Refresh {
            updates: vec![update],
            deleted: Vec::new(),
            actor,
        })?;
        Ok(())
    }
}

fn stamp_of(meta: &std::fs::Metadata, bytes: &[u8]) -> FileStamp {
    FileStamp {
        size: meta.len(),
        mtime_ns: store::mtime_ns(meta),
        hash: content_hash(bytes),
    }
}

/// A progress callback: (files done, files in all). Called from worker threads.
pub type Progress = dyn Fn(usize, usize) + Sync;

/// Reads and parses files on every core; parsing dominates a cold rebuild.
fn load_parallel(
    root: &std::path::Path,
    files: Vec<ScannedFile>,
    progress: Option<&Progress>,
) -> Vec<FileUpdate> {
    let total = files.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let load = |chunk: &[ScannedFile]| -> Vec<FileUpdate> {
        chunk
            .iter()
            .filter_map(|f| {
                if let Some(report) = progress {
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    if n.is_multiple_of(256) || n == total {
                        report(n, total);
                    }
                }
                let path = root.join(&f.rel);
                let bytes = std::fs::read(&path).ok()?;
                let loaded = load_record(f.kind, &f.rel, &bytes);
                Some(FileUpdate {
                    path: f.rel.clone(),
                    stamp: FileStamp {
                        size: f.size,
                        mtime_ns: f.mtime_ns,
                        hash: content_hash(&bytes),
                    },
                    record: loaded.record,
                    problems: loaded.problems,
                    key_lines: loaded.key_lines,
                })
            })
            .collect()
    };
    if files.len() < 64 {
        return load(&files);
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|c| s.spawn(move || load(c)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}
