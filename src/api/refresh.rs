//! Keeping the index true to the files. Every use-case starts here: a stat pass
//! over every record file (on both cores), and only files whose size or mtime
//! changed — or that were written so recently that their mtime cannot be trusted
//! — are read and parsed. A long-running process (the MCP server) instead asks
//! its file monitor which paths changed since its last refresh, behind a
//! barrier that guarantees every earlier event was seen, and re-reads only
//! those; whenever the monitor cannot vouch, it runs the full stat pass. A
//! CLI command may borrow such a process's monitor (`monitor_loan.rs`).
//!
//! Files are read and applied under the workspace lock, so that no process can
//! apply an older read of a file after another applied a newer one (a
//! refresh that trusts its monitor would never look at that file again).

use super::{Orchestron, Result};
use crate::index::{BulkBatch, BulkRow, BulkStart, FileStamp, FileUpdate, Refresh};
use crate::store::{self, Changes, LoadedFile, Monitor, ScannedFile, Scope};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Files per batch of a rebuild, and how many parsed batches may wait for
/// the writer: together they bound a rebuild's memory.
const REBUILD_BATCH: usize = 256;
const QUEUED_BATCHES: usize = 4;

/// How long a refresh waits for its monitor's barrier before it falls back
/// to the full stat pass (the cookie's event normally takes microseconds).
const BARRIER_WAIT: Duration = Duration::from_millis(500);

/// A file whose mtime is this close to the last refresh may have been changed
/// again within the filesystem's timestamp granularity, so its content hash is
/// checked instead of trusting the stamp ("racily clean", as git calls it).
pub(super) const RACY_WINDOW_NS: i64 = 2_000_000_000;

/// A refresh that rewrites at least this many files checkpoints the WAL
/// afterwards (see [`crate::index::Index::settle`]).
const LARGE_WRITE: usize = 256;

impl Orchestron {
    /// Brings the index up to date with the files; hand edits and deletions are
    /// credited to `editor` in the change feed, changes that arrived through git
    /// (a pull, a merge) to the author of the commit that made them.
    pub fn refresh(&mut self) -> Result<usize> {
        self.index.follow()?;
        match self.monitor.clone() {
            Some(m) => self.refresh_watched(&m),
            None if self.borrows_monitor() => self.refresh_via_lent_monitor(),
            None => self.refresh_all(Scope::Live),
        }
    }

    /// Refreshes and runs `write` under one hold of the workspace lock: the
    /// lock is re-entrant, so the write's own lock (and the refresh's) only
    /// count up, and a request that writes takes the OS lock once, not once
    /// for its refresh and again for its write.
    /// Inside `write`, [`Orchestron::locked_fresh`] does not refresh again.
    pub fn refresh_then<T>(&mut self, write: impl FnOnce(&mut Self) -> T) -> Result<T> {
        let lock = self.ws.lock()?;
        self.refresh()?;
        self.fresh_in_hold = Some(lock.hold());
        Ok(write(self))
    }

    /// [`Orchestron::refresh`] with the archive too: for the use-cases that
    /// read archived records (`task show` of an archived id, `--archived`
    /// lists, `check`, export). Ordinary commands leave the archive's files
    /// alone — nothing rewrites them, and a move into or out of it shows as a
    /// live file going away, which makes the refresh look at the archive.
    ///
    /// The first call within [`Orchestron::refresh_with_archive_then`]'s hold
    /// is that hold's pass, not a second one; a later call in the hold (after
    /// archive's moves) refreshes again.
    pub(super) fn refresh_with_archive(&mut self) -> Result<usize> {
        let lock = self.ws.lock()?;
        if self.archive_fresh_in_hold.take() == Some(lock.hold()) {
            return Ok(0);
        }
        self.index.follow()?;
        self.refresh_all(Scope::WithArchive)
    }

    /// [`Orchestron::refresh_then`] for a use-case that reads the archive
    /// too (export, archive, import, check): one stat pass over the live and
    /// the archived files, under the hold that runs `then` — not a live
    /// refresh and then a second pass with the archive.
    pub fn refresh_with_archive_then<T>(&mut self, then: impl FnOnce(&mut Self) -> T) -> Result<T> {
        let lock = self.ws.lock()?;
        self.index.follow()?;
        self.refresh_all(Scope::WithArchive)?;
        self.fresh_in_hold = Some(lock.hold());
        self.archive_fresh_in_hold = Some(lock.hold());
        Ok(then(self))
    }

    /// Starts this process's file monitor on the workspace (once; later
    /// calls return the same one): from now on each refresh asks it what
    /// changed instead of stat'ing every file, and live updates and the
    /// monitor lent to CLI commands are built on it — one watch per process
    /// (for a long-running process; `ORCHESTRON_WATCH_LIMIT` bounds the paths
    /// it remembers).
    pub fn start_monitor(&mut self) -> Result<()> {
        self.monitor().map(drop)
    }

    /// This process's file monitor, started on first use.
    pub(super) fn monitor(&mut self) -> Result<Arc<Monitor>> {
        if let Some(m) = &self.monitor {
            return Ok(Arc::clone(m));
        }
        let limit = std::env::var("ORCHESTRON_WATCH_LIMIT")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(store::DEFAULT_LIMIT);
        let monitor = Arc::new(Monitor::start(self.ws.root(), limit)?);
        self.monitor = Some(Arc::clone(&monitor));
        self.monitor_token = None;
        Ok(monitor)
    }

    /// The refresh of a process with a monitor: the barrier, then only the
    /// changed paths — or everything, when the monitor cannot vouch.
    fn refresh_watched(&mut self, monitor: &Monitor) -> Result<usize> {
        let _lock = self.ws.lock()?;
        let (token, changes) = monitor.since(self.monitor_token, BARRIER_WAIT);
        let n = match changes {
            Changes::All(why) => {
                tracing::debug!("full stat pass: {why}");
                self.refresh_all(Scope::Live)?
            }
            Changes::Paths(paths) => {
                tracing::debug!("watched refresh: {} changed paths", paths.len());
                self.refresh_paths(paths)?
            }
        };
        // Only once the index holds everything up to the token.
        self.monitor_token = Some(token);
        Ok(n)
    }

    /// Re-stats and re-reads only `paths` (relative to the workspace root).
    pub(super) fn refresh_paths(&mut self, paths: Vec<String>) -> Result<usize> {
        if paths.is_empty() {
            return Ok(0);
        }
        let old = self.index.stamps_of(&paths)?;
        let mut candidates = Vec::with_capacity(paths.len());
        let mut deleted = Vec::new();
        for rel in paths {
            match store::stat_file(self.ws.root(), &rel) {
                Some(f) => candidates.push(f),
                None if old.contains_key(&rel) => deleted.push(rel),
                None => {}
            }
        }
        if !deleted.is_empty() {
            // Perhaps moved into the archive (or out of it): look there too.
            return self.refresh_all(Scope::WithArchive);
        }
        self.apply_found(candidates, &old, deleted, false)
    }

    /// The full stat pass: every record file in `scope` is stat'ed. A live
    /// pass that finds a file gone, or a cache with no baseline yet, goes
    /// over the archive as well.
    pub(super) fn refresh_all(&mut self, scope: Scope) -> Result<usize> {
        if self.index.awaits_baseline()? {
            return self.build_baseline();
        }
        let t = crate::timing::Phase::start();
        let index = &self.index;
        // The stamps are read from the index while other threads list and stat
        // the files; both come out sorted by path and are merged in one pass.
        // All paths in one buffer: no allocation per indexed file.
        let mut paths = String::new();
        let mut stamps: Vec<(usize, usize, FileStamp)> = Vec::new();
        let mut fresh = true;
        let mut old: HashMap<String, FileStamp> = Default::default();
        let mut candidates: Vec<ScannedFile> = Vec::new();
        let mut deleted: Vec<String> = Vec::new();
        let with_archive = scope == Scope::WithArchive;
        tracing::debug!("stat pass, archive included: {with_archive}");
        let (listing, last) = store::scan_while(self.ws.root(), scope, || -> Result<i64> {
            let last = index.last_refresh_ns()?;
            index.for_each_stamp(with_archive, |path, stamp| {
                fresh = false;
                let start = paths.len();
                paths.push_str(path);
                stamps.push((start, paths.len(), stamp));
            })?;
            Ok(last)
        })?;
        let last = last?;
        t.lap("refresh: stat pass + read stamps");
        self.remove_stale_temps(&listing.temps)?;
        let mut scanned = listing.files.into_iter().peekable();
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
        if !with_archive && (fresh || !deleted.is_empty()) {
            return self.refresh_all(Scope::WithArchive);
        }
        // A fresh cache must record its (possibly empty) baseline, so that the
        // next hand edit is reported as a change rather than taken as the baseline.
        if candidates.is_empty() && deleted.is_empty() && !fresh {
            return Ok(0);
        }
        self.apply_found(candidates, &old, deleted, fresh)
    }

    /// The first build of a cache (deleted by hand, a new schema) is a
    /// rebuild: every file, the archive's included, listed by name (no stat
    /// pass: each stamp comes from the handle it is read through) and
    /// streamed in, in bounded memory. A baseline appends no feed rows.
    fn build_baseline(&mut self) -> Result<usize> {
        let t = crate::timing::Phase::start();
        let lock = self.ws.lock()?;
        let store::Listing { files, temps } = store::list(self.ws.root())?;
        store::remove_stale_temps(&lock, &temps);
        t.lap("refresh: list");
        let bar = self.build_progress;
        self.stream_in(
            &files,
            bar.as_ref().map(|f| f as &Progress),
            BulkStart::Baseline,
        )?;
        self.index.settle()?;
        t.lap("refresh: bulk load");
        Ok(0)
    }

    /// Removes what killed writers left behind (`temps`, from the stat pass)
    /// when the lock is free now; while another process holds it, one of
    /// them may be its live write, and a later command cleans up instead.
    fn remove_stale_temps(&self, temps: &[std::path::PathBuf]) -> Result<()> {
        if temps.is_empty() {
            return Ok(());
        }
        if let Some(lock) = self.ws.try_lock()? {
            store::remove_stale_temps(&lock, temps);
        }
        Ok(())
    }

    /// Reads the candidates (under the lock), keeps the ones whose content
    /// changed, and applies them with the deletions, credited to whoever made them.
    fn apply_found(
        &mut self,
        candidates: Vec<ScannedFile>,
        old: &HashMap<String, FileStamp>,
        deleted: Vec<String>,
        fresh: bool,
    ) -> Result<usize> {
        let t = crate::timing::Phase::start();
        let _lock = self.ws.lock()?;
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
    ///
    /// Every core but the writer's parses batches of files while this thread
    /// inserts them, streaming: a bounded queue of batches sits between them,
    /// so memory does not grow with the backlog. The whole rebuild holds the
    /// workspace lock, so no other process applies a file between our read of
    /// it and the end of the load.
    pub fn rebuild_index(&mut self, progress: Option<&Progress>) -> Result<usize> {
        let t = crate::timing::Phase::start();
        let lock = self.ws.lock()?;
        // Names only: each file's stamp is taken on the handle it is read through.
        let store::Listing { files, temps } = store::list(self.ws.root())?;
        store::remove_stale_temps(&lock, &temps);
        t.lap("rebuild: list");
        let count = self.stream_in(&files, progress, BulkStart::Rebuild)?;
        t.lap("rebuild: clear + read + parse + insert");
        self.index.settle()?;
        t.lap("rebuild: checkpoint");
        Ok(count)
    }

    /// Reads, parses and bulk-loads `files` (the caller holds the lock):
    /// workers parse batches while this thread inserts them — after emptying
    /// the index, for a rebuild.
    fn stream_in(
        &mut self,
        files: &[ScannedFile],
        progress: Option<&Progress>,
        start: BulkStart,
    ) -> Result<usize> {
        let root = self.ws.root();
        let total = files.len();
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let index = &mut self.index;
        let parse = |tx: std::sync::mpsc::SyncSender<BulkBatch>| {
            loop {
                let start = next.fetch_add(REBUILD_BATCH, Ordering::Relaxed);
                if start >= total {
                    break;
                }
                let chunk = &files[start..total.min(start + REBUILD_BATCH)];
                let batch: BulkBatch = store::read_batch(root, chunk)
                    .into_iter()
                    .map(|f| BulkRow::encode(update_of(f)))
                    .collect();
                let n = done.fetch_add(chunk.len(), Ordering::Relaxed) + chunk.len();
                if let Some(report) = progress {
                    report(n, total);
                }
                if tx.send(batch).is_err() {
                    break;
                }
            }
        };
        // A failed load rolls back (a rebuild's clear with it): the index is
        // as it was, and the error is the command's. A worker that panics
        // sends no more batches, so the load comes up short and fails too.
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<BulkBatch>(QUEUED_BATCHES);
            // Loaded batches are freed here, off the writer's thread.
            let (spent_tx, spent_rx) = std::sync::mpsc::channel::<Vec<BulkRow>>();
            let freer = s.spawn(move || spent_rx.iter().for_each(drop));
            let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
            let parse = &parse;
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let tx = tx.clone();
                    s.spawn(move || parse(tx))
                })
                .collect();
            drop(tx);
            let spent = |batch| {
                // Freed here after all if the freeing thread is gone.
                let _ = spent_tx.send(batch);
            };
            let loaded = index.bulk_load(start, rx.iter(), total, spent);
            drop(spent_tx);
            let joined = store::join_all(workers, "rebuild");
            let _ = freer.join();
            loaded.map_err(super::Error::from).and_then(|n| {
                joined?;
                Ok(n)
            })
        })
    }

    /// Puts a file this process just wrote into the index at once, credited to
    /// the actor (the caller holds the workspace lock). The store handed back
    /// its stamp and load, so nothing is stat'ed or parsed again.
    ///
    /// The file is the write: once it is in place the write has happened, so
    /// an index that cannot take it (a full disk, a cache that cannot grow)
    /// is warned about, not reported as a failed write — a caller told
    /// "failed" would retry and add its note twice. The index keeps the old
    /// stamp of the file, so the next refresh reads the file again.
    pub(super) fn index_written(&mut self, written: LoadedFile) -> Result<()> {
        self.index_written_all(vec![written])
    }

    /// [`Orchestron::index_written`] for many files in one update of the
    /// index: a batch import indexes once.
    pub(super) fn index_written_all(&mut self, written: Vec<LoadedFile>) -> Result<()> {
        let Some(first) = written.first().map(|w| w.rel.clone()) else {
            return Ok(());
        };
        let what = match written.len() {
            1 => format!("{first} was"),
            n => format!("{first} and {} other record(s) were", n - 1),
        };
        let actor = self.actor().to_string();
        // A large batch (an import) leaves a WAL that every later process
        // would read whole when it opens the cache: checkpointed, as a
        // refresh that rewrites as many files is.
        let large = written.len() >= LARGE_WRITE;
        let indexed = self.index.apply(Refresh {
            updates: written.into_iter().map(update_of).collect(),
            deleted: Vec::new(),
            actor,
            at: self.clock().now_millis(),
        });
        if indexed.is_ok()
            && large
            && let Err(e) = self.index.settle()
        {
            // Only later opens are slower; nothing is lost.
            tracing::warn!(
                "{what} indexed, but the index cache could not be checkpointed ({})",
                crate::model::with_causes(&e)
            );
        }
        if let Err(e) = indexed {
            tracing::warn!(
                "{what} written, but the index cache could not take it ({}); \
                 the next command reads it again",
                crate::model::with_causes(&e)
            );
        }
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
