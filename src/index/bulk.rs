//! The bulk load of `index rebuild` and of a cache's first build: batches of
//! parsed files streamed by a single writer into a new generation of the
//! cache (a new file, see `generation`), in one transaction, while other
//! threads are still parsing. Memory stays bounded by the batches in flight, not by
//! the backlog: each batch is written and dropped before the next is taken.
//! When two files claim one id, the live record is elected as
//! [`super::Index::apply`] does (the file named after its id, else the first
//! by path), switching as better claimants arrive. The load is the
//! generation's baseline (no feed rows), and its statements are prepared
//! once (see `statements::Held`).
//! The secondary indexes are dropped for the load and built again once at the
//! end: one sort per index instead of a B-tree insert per row. The task-count
//! triggers are off too: readiness and `task_counts` are counted in memory
//! once every claimant is in (see `tasks`).

mod tasks;

use super::apply::{write_problems, write_record_row, write_stamp};
use super::derive::{insert_query_rows, remove_query_rows};
use super::error::{Context, IndexError};
use super::row::{key_lines_text, record_json};
use super::statements::{Held, Run};
use super::types::FileUpdate;
use super::{Index, exec, generation, meta, meta_set, new_generation};
use crate::model::{IdKind, Record};
use rusqlite::params;
use std::collections::HashMap;

/// The live claimant of an id so far.
struct Claim {
    rid: i64,
    kind: IdKind,
    name_ok: bool,
    path: String,
    /// What a task's readiness and count need.
    task: Option<tasks::LiveTask>,
}

/// A parsed file with its record's JSON already encoded: the parsing threads
/// build these, so that the single writer only inserts.
pub struct BulkRow {
    update: FileUpdate,
    json: Option<String>,
    key_lines: String,
}

/// What a bulk load starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkStart {
    /// An empty index awaiting its baseline (a deleted cache, a new schema).
    Baseline,
    /// Whatever the index holds, emptied first (`index rebuild`).
    Rebuild,
}

/// A batch of rows, or why one of them could not be encoded.
pub type BulkBatch = Result<Vec<BulkRow>, IndexError>;

impl BulkRow {
    pub fn encode(update: FileUpdate) -> Result<BulkRow, IndexError> {
        let json = update.record.as_ref().map(record_json).transpose()?;
        let key_lines = key_lines_text(&update.key_lines);
        Ok(BulkRow {
            update,
            json,
            key_lines,
        })
    }
}

impl Index {
    /// Loads every batch, `expected` files in all, into a new generation of
    /// the cache (see `generation`) and returns the number of files loaded;
    /// the new file is published, and this index moves to it, only once all
    /// of them are in. Fewer than `expected` (a parsing thread died) or a
    /// failed batch discards the new file, so the index stays as it was.
    /// `Baseline` loads what an index that awaits its baseline
    /// ([`Index::awaits_baseline`]) would get; `Rebuild` starts a new feed
    /// generation (every older cursor gets `resync`). The meta values and
    /// the agents' cursors are carried over. Each batch is handed to `done`
    /// once inserted, so that the caller can free it on another thread
    /// (freeing a batch's records is a tenth of the writer's time, and the
    /// writer is what a rebuild waits on). The caller holds the workspace
    /// lock: one bulk load at a time.
    pub fn bulk_load(
        &mut self,
        start: BulkStart,
        batches: impl IntoIterator<Item = BulkBatch>,
        expected: usize,
        mut done: impl FnMut(Vec<BulkRow>),
    ) -> Result<usize, IndexError> {
        self.follow()?;
        let t = crate::timing::Phase::start();
        let file = generation::fresh_name(&self.base);
        let loaded = self
            .load_into(
                &file,
                batches,
                expected,
                &mut done,
                start == BulkStart::Rebuild,
            )
            .map_err(|e| e.at(&file))
            .and_then(|n| {
                t.lap("bulk: load");
                generation::publish(&self.base, &file).map(|()| n)
            });
        let n = match loaded {
            Ok(n) => n,
            Err(e) => {
                generation::discard(&file);
                return Err(e);
            }
        };
        t.lap("bulk: publish");
        self.reopen()?;
        generation::remove_others(&self.base, &self.path);
        t.lap("bulk: reopen + remove the old file");
        Ok(n)
    }

    fn load_into(
        &self,
        file: &std::path::Path,
        batches: impl IntoIterator<Item = BulkBatch>,
        expected: usize,
        done: &mut impl FnMut(Vec<BulkRow>),
        rebuild: bool,
    ) -> Result<usize, IndexError> {
        // The system clock, not the records' clock: the refresh stamp is
        // compared with file mtimes (see `LAST_REFRESH_NS`).
        let now = chrono::Utc::now();
        let t = crate::timing::Phase::start();
        let mut conn = open_for_load(file)?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .ctx("starting the load of a new index cache")?;
        carry_over(&self.conn, &tx)?;
        let secondary = drop_secondary(&tx)?;
        if rebuild {
            new_generation(&tx)?;
        }
        set_fts_hash(&tx, FTS_LOAD_HASH)?;
        let mut live: HashMap<String, Claim> = HashMap::new();
        let mut files = 0;
        // How long the writer waited for the parsing threads: the part of
        // the inserts that faster parsing would save (ORCHESTRON_TIMINGS).
        let mut waited = std::time::Duration::ZERO;
        let mut batches = batches.into_iter();
        let held = Held::new(&tx);
        loop {
            let asked = std::time::Instant::now();
            let Some(batch) = batches.next() else { break };
            waited += asked.elapsed();
            let batch = batch?;
            for row in &batch {
                files += 1;
                load_row(&held, row, &mut live)?;
            }
            done(batch);
        }
        if files != expected {
            return Err(IndexError::Incomplete {
                loaded: files,
                expected,
            });
        }
        t.lap(&format!(
            "bulk: inserts (of which waiting for parsed files {:.0} ms)",
            waited.as_secs_f64() * 1e3
        ));
        write_live(&held, live)?;
        drop(held);
        set_fts_hash(&tx, FTS_DEFAULT_HASH)?;
        t.lap("bulk: live records, readiness, counts");
        // The pages SQLite has handed to the system so far go to disk while
        // it builds the indexes: `publish`'s sync then waits only for the
        // rest (at 100,000 tasks most of the file is written by now).
        let early_sync = {
            let file = file.to_path_buf();
            std::thread::spawn(move || std::fs::File::open(file).and_then(|f| f.sync_data()))
        };
        finish_load(tx, &secondary, now, &t)?;
        // Its failure is `publish`'s to report, which syncs again.
        let _ = early_sync.join();
        // The journal mode every other connection expects (recorded in the
        // file's header); closing then removes the empty WAL.
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
            .ctx("switching the new index cache to WAL")?;
        drop(conn);
        t.lap("bulk: close");
        Ok(files)
    }
}

/// A connection to the new, unpublished file of a bulk load. No journal and
/// no syncing: until it is published nobody else opens it, and a load that
/// fails or is cut short by a crash is discarded whole (`publish` syncs the
/// file before the pointer names it).
fn open_for_load(file: &std::path::Path) -> Result<rusqlite::Connection, IndexError> {
    let open_err = |source| IndexError::Open {
        path: file.to_path_buf(),
        source,
    };
    let mut conn = rusqlite::Connection::open(file).map_err(open_err)?;
    conn.execute_batch(
        "PRAGMA journal_mode = OFF;
         PRAGMA synchronous = OFF;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -32000;",
    )
    .map_err(open_err)?;
    super::fts::register(&conn).map_err(open_err)?;
    super::schema::ensure(&mut conn)?;
    Ok(conn)
}

/// Copies what is not derived from the record files — the meta values and
/// the agents' saved cursors — from the current generation into the new one.
fn carry_over(old: &rusqlite::Connection, new: &rusqlite::Connection) -> Result<(), IndexError> {
    let read = |sql: &str| -> Result<Vec<[String; 3]>, IndexError> {
        let mut stmt = old.prepare(sql).ctx("reading what a rebuild keeps")?;
        let rows = stmt
            .query_map([], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?]))
            .ctx("reading what a rebuild keeps")?;
        rows.collect::<Result<_, _>>()
            .ctx("reading what a rebuild keeps")
    };
    for [key, value, _] in read("SELECT key, value, '' FROM meta")? {
        meta_set(new, &key, &value)?;
    }
    for row in read("SELECT agent, slot, cursor FROM agent_cursors")? {
        exec(
            new,
            "INSERT OR REPLACE INTO agent_cursors (agent, slot, cursor) VALUES (?1, ?2, ?3)",
            row,
            "keeping the agents' cursors",
        )?;
    }
    Ok(())
}

/// Stores one loaded file: its stamp, its problems and, when it parsed, its
/// record; the record's derived rows (task, links, search text) belong to the
/// copy that wins its id (a well-named file, then the first path).
fn load_row(
    db: &Held<'_>,
    row: &BulkRow,
    live: &mut HashMap<String, Claim>,
) -> Result<(), IndexError> {
    let update = &row.update;
    write_stamp(db, update)?;
    write_problems(db, &update.path, &update.problems)?;
    let (Some(record), Some(json)) = (&update.record, &row.json) else {
        return Ok(());
    };
    let id = record.id().as_str();
    let (rid, name_ok) = write_record_row(db, &update.path, record, json, &row.key_lines)?;
    let wins = live.get(id).is_none_or(|c| {
        (name_ok, std::cmp::Reverse(update.path.as_str()))
            > (c.name_ok, std::cmp::Reverse(c.path.as_str()))
    });
    if !wins {
        return Ok(());
    }
    if let Some(old) = live.get(id) {
        remove_query_rows(db, old.rid, old.kind)?;
    }
    insert_query_rows(db, rid, record)?;
    live.insert(
        id.to_string(),
        Claim {
            rid,
            kind: record.kind(),
            name_ok,
            path: update.path.clone(),
            task: match record {
                Record::Task(t) => Some(tasks::LiveTask::of(t, &update.path)),
                _ => None,
            },
        },
    );
    Ok(())
}

/// How much text FTS5 gathers in memory before it writes a segment, during a
/// bulk load: with its default (1 MB) a load of 100,000 tasks writes ~50
/// small segments and merges them again and again; 16 MB writes a few.
const FTS_LOAD_HASH: i64 = 16 << 20;
/// FTS5's own default, put back for the applies that follow.
const FTS_DEFAULT_HASH: i64 = 1 << 20;

fn set_fts_hash(tx: &rusqlite::Transaction<'_>, bytes: i64) -> Result<(), IndexError> {
    exec(
        tx,
        "INSERT INTO task_fts (task_fts, rank) VALUES ('hashsize', ?1)",
        [bytes],
        "sizing the full-text load",
    )?;
    Ok(())
}

/// The `live` row of every id, once its claimants are all in: in id order,
/// so that each lands at the end of the table's tree. Then the readiness and
/// the counts of the live tasks.
fn write_live(db: &Held<'_>, live: HashMap<String, Claim>) -> Result<(), IndexError> {
    let mut rows: Vec<(String, Claim)> = live.into_iter().collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (id, claim) in &rows {
        db.run(
            "INSERT INTO live (id, rid, kind) VALUES (?1, ?2, ?3)",
            params![id, claim.rid, claim.kind.as_str()],
            "marking the live record",
        )?;
    }
    let live_tasks: Vec<(&str, i64, &tasks::LiveTask)> = rows
        .iter()
        .filter_map(|(id, c)| c.task.as_ref().map(|t| (id.as_str(), c.rid, t)))
        .collect();
    tasks::write(db, &live_tasks)
}

/// After the inserts, readiness and counts: the dropped indexes re-created,
/// the refresh time, then the commit.
fn finish_load(
    tx: rusqlite::Transaction<'_>,
    secondary: &[String],
    now: chrono::DateTime<chrono::Utc>,
    t: &crate::timing::Phase,
) -> Result<(), IndexError> {
    for sql in secondary {
        tx.execute_batch(sql)
            .ctx("re-creating an index after a rebuild")?;
    }
    t.lap("bulk: indexes");
    let now_ns = now.timestamp_nanos_opt().unwrap_or(i64::MAX);
    meta_set(&tx, meta::LAST_REFRESH_NS, &now_ns.to_string())?;
    meta_set(&tx, meta::BASELINED, "1")?;
    super::checks::content_changed(&tx)?;
    tx.commit().ctx("committing a rebuild")?;
    t.lap("bulk: commit");
    Ok(())
}

/// Drops every index the schema declared (not the ones behind PRIMARY KEY and
/// UNIQUE constraints) and every trigger (the task counts), and returns the
/// statements that re-create them.
fn drop_secondary(conn: &rusqlite::Connection) -> Result<Vec<String>, IndexError> {
    let mut stmt = conn
        .prepare(
            "SELECT type, name, sql FROM sqlite_schema
             WHERE type IN ('index', 'trigger') AND sql IS NOT NULL",
        )
        .ctx("listing the indexes")?;
    let indexes: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .ctx("listing the indexes")?
        .collect::<Result<_, _>>()
        .ctx("listing the indexes")?;
    drop(stmt);
    for (kind, name, _) in &indexes {
        let quoted = name.replace('"', "\"\"");
        let kind = if kind == "trigger" {
            "TRIGGER"
        } else {
            "INDEX"
        };
        conn.execute_batch(&format!("DROP {kind} \"{quoted}\""))
            .ctx("dropping an index for a rebuild")?;
    }
    Ok(indexes.into_iter().map(|(_, _, sql)| sql).collect())
}
