//! Keeping the index true to the files. Every use-case starts here: a stat pass
//! over every record file (on both cores), and only files whose size or mtime
//! changed — or that were written so recently that their mtime cannot be trusted
//! — are read and parsed. The cost of a refresh therefore grows with the number
//! of changed files, not with the backlog.

use super::{Orchestron, Result};
use crate::index::{EDITOR, FileStamp, FileUpdate, Refresh};
use crate::store::{self, LoadedFile, ScannedFile};

/// A file whose mtime is this close to the last refresh may have been changed
/// again within the filesystem's timestamp granularity, so its content hash is
/// checked instead of trusting the stamp ("racily clean", as git calls it).
const RACY_WINDOW_NS: i64 = 2_000_000_000;

/// A refresh that rewrites at least this many files checkpoints the WAL
/// afterwards (see [`crate::index::Index::settle`]).
const LARGE_WRITE: usize = 256;

impl Orchestron {
    /// Brings the index up to date with the files; hand edits and deletions are
    /// credited to `editor` in the change feed, changes that arrived through git
    /// (a pull, a merge) to the author of the commit that made them.
    pub fn refresh(&mut self) -> Result<usize> {
        let t = crate::timing::Phase::start();
        let index = &self.index;
        // The stamps are read from the index while other threads list and stat
        // the files; both come out sorted by path and are merged in one pass.
        // All paths in one buffer: no allocation per indexed file.
        let mut paths = String::new();
        let mut stamps: Vec<(usize, usize, FileStamp)> = Vec::new();
        let mut fresh = true;
        let mut old: std::collections::HashMap<String, FileStamp> = Default::default();
        let mut candidates: Vec<ScannedFile> = Vec::new();
        let mut deleted: Vec<String> = Vec::new();
        let (files, last) = store::scan_while(self.ws.root(), || -> Result<i64> {
            let last = index.last_refresh_ns()?;
            index.for_each_stamp(|path, stamp| {
                fresh = false;
                let start = paths.len();
                paths.push_str(path);
                stamps.push((start, paths.len(), stamp));
            })?;
            Ok(last)
        })?;
        let last = last?;
        t.lap("refresh: stat pass + read stamps");
        let mut scanned = files.into_iter().peekable();
        for (start, end, stamp) in stamps {
            let path = &paths[start..end];
            // Files listed before this path are new.
            while let Some(f) = scanned.next_if(|f| f.rel.as_str() < path) {
                candidates.push(f);
            }
            match scanned.next_if(|f| f.rel == path) {
                Some(f) => {
                    let clean = stamp.size == f.size
                        && stamp.mtime_ns == f.mtime_ns
                        && f.mtime_ns < last - RACY_WINDOW_NS;
                    if !clean {
                        old.insert(path.to_string(), stamp);
                        candidates.push(f);
                    }
                }
                None => deleted.push(path.to_string()),
            }
        }
        candidates.extend(scanned);
        t.lap("refresh: compare");
        // A fresh cache must record its (possibly empty) baseline, so that the
        // next hand edit is reported as a change rather than taken as the baseline.
        if candidates.is_empty() && deleted.is_empty() && !fresh {
            return Ok(0);
        }
        let mut updates = load(self.ws.root(), &candidates, None)?;
        t.lap("refresh: read + parse");
        // Racy candidates whose content did not change need no work.
        updates.retain(|u| old.get(&u.path) != Some(&u.stamp));
        // Even when every racy file proved unchanged, the (empty) apply moves the
        // last-refresh time on, so those files stop being racy and are not re-read
        // by every later command.
        // What arrived through git is credited to the commit's author (see credit.rs).
        let large = updates.len() + deleted.len() >= LARGE_WRITE;
        let batches = self.credit(updates, deleted, !fresh);
        let _lock = self.ws.lock()?;
        let mut n = 0;
        for batch in batches {
            n += self.index.apply(batch)?;
        }
        if large {
            self.index.settle()?;
        }
        t.lap("refresh: apply");
        Ok(n)
    }

    /// Drops the index and rebuilds it from the files. `progress` is told
    /// (files read, files in all) as the files are read.
    pub fn rebuild_index(&mut self, progress: Option<&Progress>) -> Result<usize> {
        let t = crate::timing::Phase::start();
        // The files are read and parsed on other threads while this one empties the index.
        let root = self.ws.root();
        let (loaded, cleared) = std::thread::scope(|s| {
            let loader = s.spawn(|| {
                let files = store::scan(root)?;
                Ok::<_, super::Error>((load(root, &files, progress)?, files.len()))
            });
            let cleared = self
                .ws
                .lock()
                .map_err(super::Error::from)
                .and_then(|_lock| Ok(self.index.clear()?));
            let loaded = loader.join().unwrap_or(Err(super::Error::Store(
                store::StoreError::WorkerPanicked { pass: "rebuild" },
            )));
            (loaded, cleared)
        });
        cleared?;
        // A failed read after the clear leaves the index empty; it is an error,
        // and the next command's refresh rebuilds from the files.
        let (updates, count) = loaded?;
        t.lap("rebuild: clear, stat, read + parse");
        let _lock = self.ws.lock()?;
        self.index.apply(Refresh {
            updates,
            deleted: Vec::new(),
            actor: EDITOR.to_string(),
        })?;
        self.index.settle()?;
        t.lap("rebuild: apply");
        Ok(count)
    }

    /// Puts a file this process just wrote into the index at once, credited to
    /// the actor (the caller holds the workspace lock). The store handed back
    /// its stamp and load, so nothing is stat'ed or parsed again.
    pub(crate) fn index_written(&mut self, written: LoadedFile) -> Result<()> {
        let actor = self.actor().to_string();
        self.index.apply(Refresh {
            updates: vec![update_of(written)],
            deleted: Vec::new(),
            actor,
        })?;
        Ok(())
    }
}

/// A progress callback: (files done, files in all). Called from worker threads.
pub type Progress = dyn Fn(usize, usize) + Sync;

/// Reads and parses files on every core (see [`store::read_all`]).
fn load(
    root: &std::path::Path,
    files: &[ScannedFile],
    progress: Option<&Progress>,
) -> Result<Vec<FileUpdate>> {
    Ok(store::read_all(root, files, progress)?
        .into_iter()
        .map(update_of)
        .collect())
}

fn update_of(file: LoadedFile) -> FileUpdate {
    FileUpdate {
        path: file.rel,
        stamp: FileStamp {
            size: file.stamp.size,
            mtime_ns: file.stamp.mtime_ns,
            hash: file.stamp.hash,
        },
        record: file.loaded.record,
        problems: file.loaded.problems,
        key_lines: file.loaded.key_lines,
        claims: file.loaded.claims.map(|id| id.to_string()),
    }
}
