//! The index cache: a SQLite file derived from the YAML records, so that lists,
//! searches and "what changed" answers never re-read every file. It owns the
//! database's life cycle (open, schema version, corruption recovery, clear),
//! the per-file stamps the store compares against, and the meta values (the
//! feed's generation, the last refresh time). Writes arrive only through
//! [`Index::apply`], fed by the store after it read the files, so the cache
//! never holds anything the files do not. Depends only on `crate::model`.

mod apply;
mod bulk;
mod checks;
mod cycles;
mod derive;
mod error;
mod feed;
mod fts;
mod generation;
mod lookups;
mod outlines;
mod problems;
mod query;
mod row;
mod schema;
mod similar;
mod sprints_contexts;
mod statements;
mod task_json;
mod transitions;
mod types;

#[cfg(test)]
mod tests;

pub use apply::EDITOR;
pub use bulk::{BulkBatch, BulkRow, BulkStart};
pub use checks::KeptListing;
pub use cycles::{cycle_through, cyclic_components};
pub use error::IndexError;

pub use types::{FileStamp, FileUpdate, Refresh};

use error::Context;
use rusqlite::{Connection, ErrorCode, OptionalExtension};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why [`Index::open`] started from an empty cache, for a caller that wants to say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reset {
    /// No cache file existed yet.
    Created,
    /// The file was written by a build with another schema version.
    SchemaChanged,
    /// The file was not a readable SQLite database; it was deleted.
    Corrupt,
}

/// An open index cache.
pub struct Index {
    conn: Connection,
    /// Where the cache is configured to be; see `generation`.
    base: PathBuf,
    /// The generation file `conn` is open on.
    path: PathBuf,
    reset: Option<Reset>,
    /// How many feed rows to keep; see [`Index::set_feed_limit`].
    feed_keep: i64,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("path", &self.path).finish()
    }
}

/// Keys of the `meta` table.
mod meta {
    pub const GENERATION: &str = "generation";
    pub const LAST_REFRESH_NS: &str = "last_refresh_ns";
    /// Set once the first refresh of a generation is applied; until then new
    /// records are the baseline and make no feed rows.
    pub const BASELINED: &str = "baselined";
    /// The highest feed `seq` deleted by trimming; older cursors must resync.
    pub const FEED_FLOOR: &str = "feed_floor";
    /// The token of the watcher the index was last brought up to date with
    /// (`instance.epoch`, see `store::monitor`).
    pub const WATCH_TOKEN: &str = "watch_token";
    /// A counter moved on by every change of the records' rows (see `checks`).
    pub const CONTENT_VERSION: &str = "content_version";
    /// `check`'s problems with the content version they were computed at.
    pub const CHECKS: &str = "checks";
    /// The record folders' stray files with the folders' mtimes.
    pub const LISTING: &str = "listing";
}

/// How long a statement waits for another process's write lock.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl Index {
    /// Opens (or creates) the cache at `path`. A file from another schema
    /// version is emptied and a file that is not a database is replaced: the
    /// caller then sees no stamps and feeds every file again.
    pub fn open(path: &Path) -> Result<Index, IndexError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| IndexError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        // A bulk load may publish a new generation between reading the
        // pointer and opening the file it named (and then remove that file,
        // which the open would create again, empty): open until the pointer
        // still names what was opened.
        loop {
            let file = generation::current(path)?;
            let index = Self::open_file(path, &file)?;
            if generation::current(path)? == file {
                return Ok(index);
            }
        }
    }

    /// Follows the cache to its newest generation when a bulk load of
    /// another process published one since this one was opened: the refresh
    /// calls this first, and [`Index::apply`] under the workspace lock.
    pub fn follow(&mut self) -> Result<(), IndexError> {
        if generation::current(&self.base)? == self.path {
            return Ok(());
        }
        self.reopen()
    }

    /// Opens the cache's current generation in place of this one's,
    /// keeping this handle's settings.
    fn reopen(&mut self) -> Result<(), IndexError> {
        let feed_keep = self.feed_keep;
        *self = Index::open(&self.base)?;
        self.feed_keep = feed_keep;
        Ok(())
    }

    /// Opens the generation `path` of the cache configured at `base`.
    fn open_file(base: &Path, path: &Path) -> Result<Index, IndexError> {
        let existed = path.exists();
        if !existed {
            // The WAL is kept between processes (see `open_inner`): a cache file
            // deleted by hand may leave its WAL behind, which must not be replayed
            // into the new file.
            generation::remove_files(path)?;
        }
        match Self::open_inner(base, path, existed) {
            Err(IndexError::Open { source, .. }) | Err(IndexError::Sqlite { source, .. })
                if is_corrupt(&source) =>
            {
                tracing::warn!(
                    "the index cache {} is not a readable database ({source}); recreating it",
                    path.display()
                );
                generation::remove_files(path)?;
                let mut index = Self::open_inner(base, path, false)?;
                index.reset = Some(Reset::Corrupt);
                Ok(index)
            }
            other => other,
        }
    }

    fn open_inner(base: &Path, path: &Path, existed: bool) -> Result<Index, IndexError> {
        let open_err = |source| IndexError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open_err)?;
        // busy_timeout first: another process (the MCP server, a second CLI) may
        // hold the write lock. journal_mode=WAL lets readers run beside a writer
        // and is a no-op read when already set. synchronous=NORMAL is safe with
        // WAL (a crash may lose the last commit, never corrupt), and a lost
        // commit only means the next refresh re-reads those files.
        conn.busy_timeout(BUSY_WAIT).map_err(open_err)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::debug!("index cache journal mode is {mode}, not WAL");
        }
        // No mmap: every page a command touches through a mapping counts in its
        // resident memory (100 MB for a warm list of 100,000 tasks, 37 MB
        // without), and reads through the page cache were no slower.
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -32000;
             PRAGMA mmap_size = 0;",
        )
        .map_err(open_err)?;
        // Every command is a short process. Checkpointing the WAL into the
        // database (with an fsync) and deleting it at every close cost more than
        // the rest of a small write, so the WAL is kept between processes. But
        // each process's first connection re-reads the whole WAL to rebuild its
        // index, so it is kept small: an automatic checkpoint every 256 pages
        // (1 MB), and `settle` truncates it after a large write.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .map_err(open_err)?;
        conn.execute_batch("PRAGMA wal_autocheckpoint = 256;")
            .map_err(open_err)?;
        fts::register(&conn).map_err(open_err)?;
        let old_version = schema::user_version(&conn).map_err(|e| match e {
            IndexError::Sqlite { source, .. } => open_err(source),
            other => other,
        })?;
        let created = schema::ensure(&mut conn)?;
        let mut index = Index {
            conn,
            base: base.to_path_buf(),
            path: path.to_path_buf(),
            reset: None,
            feed_keep: apply::FEED_KEEP,
        };
        if created {
            index.reset = Some(if existed && old_version != 0 {
                Reset::SchemaChanged
            } else {
                Reset::Created
            });
            let tx = index.conn.transaction().ctx("starting a generation")?;
            new_generation(&tx)?;
            tx.commit().ctx("starting a generation")?;
        }
        Ok(index)
    }

    /// Moves everything in the WAL into the database file and truncates the
    /// WAL; call after a large write (a rebuild, a big pull), so that the next
    /// processes do not each re-read a large WAL when they open the cache.
    pub fn settle(&self) -> Result<(), IndexError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .ctx("checkpointing the index")
            .map_err(|e| e.at(&self.path))
    }

    /// The file this index lives in: the generation it is open on.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bounds the change feed to the newest `keep` rows (default 10,000); a
    /// cursor older than what is kept gets `resync`. Takes effect on the next apply.
    #[cfg(test)]
    pub fn set_feed_limit(&mut self, keep: usize) {
        self.feed_keep = i64::try_from(keep.max(1)).unwrap_or(i64::MAX);
    }

    /// Why this open started from an empty cache, if it did.
    #[cfg(test)]
    pub fn reset(&self) -> Option<Reset> {
        self.reset
    }

    /// The stamp of every indexed file, keyed by relative path. One scan of a
    /// narrow table: this runs before every command.
    pub fn stamps(&self) -> Result<HashMap<String, FileStamp>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT path, size, mtime_ns, hash FROM files")
            .ctx("reading file stamps")?;
        // Sizing the map first halves the cost at 100k files (no rehashing);
        // count(*) walks the b-tree without decoding rows.
        let count: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM files")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .ctx("counting file stamps")?;
        let mut rows = stmt.query([]).ctx("reading file stamps")?;
        let mut out = HashMap::with_capacity(usize::try_from(count).unwrap_or(0));
        while let Some(row) = rows.next().ctx("reading file stamps")? {
            let stamp = FileStamp {
                size: row.get::<_, i64>(1).ctx("reading file stamps")? as u64,
                mtime_ns: row.get(2).ctx("reading file stamps")?,
                hash: row.get::<_, i64>(3).ctx("reading file stamps")? as u64,
            };
            out.insert(row.get(0).ctx("reading file stamps")?, stamp);
        }
        Ok(out)
    }

    /// The stamps of the given files that are indexed, for a refresh that
    /// knows which paths changed (one indexed lookup each).
    pub fn stamps_of(&self, paths: &[String]) -> Result<HashMap<String, FileStamp>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT size, mtime_ns, hash FROM files WHERE path = ?1")
            .ctx("reading file stamps")?;
        let mut out = HashMap::with_capacity(paths.len());
        for path in paths {
            let stamp = stmt
                .query_row([path], |row| {
                    Ok(FileStamp {
                        size: row.get::<_, i64>(0)? as u64,
                        mtime_ns: row.get(1)?,
                        hash: row.get::<_, i64>(2)? as u64,
                    })
                })
                .optional()
                .ctx("reading file stamps")?;
            if let Some(stamp) = stamp {
                out.insert(path.clone(), stamp);
            }
        }
        Ok(out)
    }

    /// The same stamps as [`Index::stamps`], as a list sorted by path (byte
    /// order). About three times cheaper at 100k files than building the map,
    /// for a caller that merges it with a sorted directory scan.
    #[cfg(test)]
    pub fn stamp_list(&self) -> Result<Vec<(String, FileStamp)>, IndexError> {
        let mut out = Vec::new();
        self.for_each_stamp(true, |path, stamp| out.push((path.to_string(), stamp)))?;
        Ok(out)
    }

    /// Calls `f` with every indexed file's path and stamp, in path order (byte
    /// order, as Rust compares `str`), without allocating per row: the
    /// no-change check of every command merges this with the stat pass.
    /// `with_archive: false` leaves out the archived files, as the stat pass
    /// of an ordinary command does.
    pub fn for_each_stamp(
        &self,
        with_archive: bool,
        mut f: impl FnMut(&str, FileStamp),
    ) -> Result<usize, IndexError> {
        // Without the archive (`archive/…`, see store::RecordPath): the paths
        // before `archive/` and from `archive0` (`0` follows `/`) on — two
        // range scans of the key, still in path order.
        let ranges: &[&str] = if with_archive {
            &["SELECT path, size, mtime_ns, hash FROM files ORDER BY path"]
        } else {
            &[
                "SELECT path, size, mtime_ns, hash FROM files WHERE path < 'archive/' ORDER BY path",
                "SELECT path, size, mtime_ns, hash FROM files WHERE path >= 'archive0' ORDER BY path",
            ]
        };
        let mut n = 0;
        for sql in ranges {
            let mut stmt = self.conn.prepare_cached(sql).ctx("reading file stamps")?;
            let mut rows = stmt.query([]).ctx("reading file stamps")?;
            while let Some(row) = rows.next().ctx("reading file stamps")? {
                let stamp = FileStamp {
                    size: row.get::<_, i64>(1).ctx("reading file stamps")? as u64,
                    mtime_ns: row.get(2).ctx("reading file stamps")?,
                    hash: row.get::<_, i64>(3).ctx("reading file stamps")? as u64,
                };
                let path = row
                    .get_ref(0)
                    .and_then(|v| v.as_str().map_err(Into::into))
                    .ctx("reading file stamps")?;
                f(path, stamp);
                n += 1;
            }
        }
        Ok(n)
    }

    /// Whether the index is empty and its generation has no baseline yet,
    /// so that loading every file makes no feed rows ([`Index::bulk_load`]
    /// gives the same result as [`Index::apply`] then).
    pub fn awaits_baseline(&self) -> Result<bool, IndexError> {
        let empty: bool = self
            .conn
            .query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM files) AND NOT EXISTS (SELECT 1 FROM records)",
                [],
                |r| r.get(0),
            )
            .ctx("checking for an empty index")?;
        Ok(empty && self.meta_get(meta::BASELINED)?.as_deref() != Some("1"))
    }

    /// Wall-clock time (ns since the Unix epoch) at which the last refresh was
    /// applied; 0 before the first. A file whose mtime is not older than this
    /// may have changed again within the same mtime tick ("racily clean").
    pub fn last_refresh_ns(&self) -> Result<i64, IndexError> {
        Ok(self
            .meta_get(meta::LAST_REFRESH_NS)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// The watcher token this index is up to date with, if any.
    pub fn watch_token(&self) -> Result<Option<String>, IndexError> {
        self.meta_get(meta::WATCH_TOKEN)
    }

    /// Records that the index now holds every change up to `token`.
    pub fn set_watch_token(&mut self, token: &str) -> Result<(), IndexError> {
        meta_set(&self.conn, meta::WATCH_TOKEN, token)
    }

    /// Records that a stat pass just confirmed every file (racy ones included,
    /// by hash) without finding a change. Without it, a file written shortly
    /// before the last apply stays "racily clean" and is re-hashed by every
    /// later command until something else changes.
    #[cfg(test)]
    pub fn mark_refreshed(&mut self) -> Result<(), IndexError> {
        let now_ns = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
        meta_set(&self.conn, meta::LAST_REFRESH_NS, &now_ns.to_string())
    }

    fn meta_get(&self, key: &str) -> Result<Option<String>, IndexError> {
        meta_get(&self.conn, key)
    }
}

fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>, IndexError> {
    conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")
        .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
        .ctx("reading the meta table")
}

/// Starts a new feed generation on an emptied cache.
fn new_generation(conn: &Connection) -> Result<(), IndexError> {
    let generation = crate::model::new_suffix(10);
    for (key, value) in [
        (meta::GENERATION, generation.as_str()),
        (meta::LAST_REFRESH_NS, "0"),
        (meta::BASELINED, "0"),
        (meta::FEED_FLOOR, "0"),
    ] {
        meta_set(conn, key, value)?;
    }
    Ok(())
}

fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<(), IndexError> {
    conn.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")
        .and_then(|mut s| s.execute([key, value]))
        .ctx("writing the meta table")?;
    Ok(())
}

/// Runs one cached statement: apply issues the same few statements thousands
/// of times in a cold build.
fn exec(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    context: &'static str,
) -> Result<usize, IndexError> {
    conn.prepare_cached(sql)
        .and_then(|mut s| s.execute(params))
        .ctx(context)
}

fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}
