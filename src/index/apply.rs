//! Applying a refresh: the only way data enters the index. In one transaction
//! it replaces the stamps, problems and records of the files the store re-read,
//! drops deleted files, re-derives the query tables of every id involved, keeps
//! the denormalized "ready" and "unblocks" columns right, and appends the change
//! feed by comparing each record with the JSON the index last held for it.
//!
//! Rows are keyed by file, but queries and the feed speak of ids. When two files
//! claim one id (a bad merge, a copied file), exactly one "live" record serves
//! queries: the one whose file name matches its id, else the first by path.
//! `problems()` reports the duplicate.

use super::derive::{insert_derived, remove_derived};
use super::error::{Context, IndexError};
use super::feed::{Broken, Live, append_feed, trim_feed};
use super::row::{self, key_lines_text, location_ok, parse_kind};
use super::statements::Run;
use super::types::{FileUpdate, Refresh};
use super::{Index, exec, meta, meta_get, meta_set};
use crate::model::Severity;
use crate::model::{IdKind, Record};
use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The actor of changes found by the stat pass (hand edits, git operations).
pub const EDITOR: &str = "editor";

/// The newest feed rows kept; older ones are trimmed and their cursors resync.
pub const FEED_KEEP: i64 = 10_000;

/// Below this many affected ids, readiness is recomputed row by row; above, in
/// one pass over the table.
const BULK_BLOCKING: usize = 1000;

impl Index {
    /// Applies one refresh in a single transaction and returns the number of
    /// change-feed rows appended. The first refresh of a generation that
    /// credits [`EDITOR`] (the build of an empty cache) is the baseline: its new
    /// records make no rows. Records the API wrote (credited to an agent or
    /// user) are always reported as created.
    pub fn apply(&mut self, refresh: Refresh) -> Result<usize, IndexError> {
        // Under the workspace lock: a generation published by a rebuild gets
        // this write, not the file it replaced.
        self.follow()?;
        self.apply_unnamed(refresh).map_err(|e| e.at(&self.path))
    }

    fn apply_unnamed(&mut self, refresh: Refresh) -> Result<usize, IndexError> {
        // The system clock, not the records' clock: this time is compared with
        // file mtimes to tell a racily clean file (see `LAST_REFRESH_NS`).
        let refreshed = Utc::now();
        let feed_keep = self.feed_keep;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .ctx("locking the database to apply a refresh")?;
        // Only what the stat pass finds (credited to the editor) can be the
        // baseline: a file the API wrote itself is news even on a fresh cache,
        // e.g. the first task of a new workspace.
        let baseline =
            meta_get(&tx, meta::BASELINED)?.as_deref() != Some("1") && refresh.actor == EDITOR;
        // An empty index (a cold build) has nothing to compare with, replace
        // or elect against: that saves four statements per file.
        let cold: bool = tx
            .query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM files) AND NOT EXISTS (SELECT 1 FROM records)",
                [],
                |r| r.get(0),
            )
            .ctx("checking for an empty index")?
            // The fast path inserts without replacing: one file listed twice
            // in a refresh needs the ordinary path.
            && {
                let mut seen = HashSet::with_capacity(refresh.updates.len());
                refresh.updates.iter().all(|u| seen.insert(u.path.as_str()))
            };

        let plan = plan(&tx, &refresh, cold)?;
        let mut unblock_targets = BTreeSet::new();
        let before = if cold {
            HashMap::new()
        } else {
            retire(&tx, &plan.affected, &mut unblock_targets)?
        };
        let broken_before = claimed_by_broken(&tx, &plan.affected, cold)?;
        let written = write_files(&tx, &refresh, &plan, cold)?;
        let after = elect_all(
            &tx,
            &plan.affected,
            &written,
            cold,
            &mut unblock_targets,
            !baseline,
        )?;
        unblock_targets.extend(plan.affected.iter().cloned());
        update_blocking(&tx, &plan.affected, &unblock_targets)?;

        let appended = if baseline {
            0
        } else {
            let broken = Broken {
                before: broken_before,
                after: claimed_by_broken(&tx, &plan.affected, false)?,
            };
            append_feed(
                &tx,
                &plan.affected,
                &before,
                &after,
                &broken,
                &refresh.actor,
                refresh.at,
            )?
        };
        if appended > 0 {
            trim_feed(&tx, feed_keep)?;
        }
        if !refresh.updates.is_empty() || !refresh.deleted.is_empty() {
            super::checks::content_changed(&tx)?;
        }
        let now_ns = refreshed.timestamp_nanos_opt().unwrap_or(i64::MAX);
        meta_set(&tx, meta::LAST_REFRESH_NS, &now_ns.to_string())?;
        meta_set(&tx, meta::BASELINED, "1")?;
        tx.commit().ctx("committing a refresh")?;
        Ok(appended)
    }
}

fn claimed_by_broken(
    conn: &Connection,
    affected: &BTreeSet<String>,
    cold: bool,
) -> Result<HashSet<String>, IndexError> {
    let mut out = HashSet::new();
    if cold {
        return Ok(out);
    }
    let mut stmt = conn
        .prepare_cached("SELECT 1 FROM files WHERE claims = ?1 LIMIT 1")
        .ctx("finding broken files")?;
    for id in affected {
        if stmt.exists([id]).ctx("finding broken files")? {
            out.insert(id.clone());
        }
    }
    Ok(out)
}

/// What a refresh will change, worked out before anything is written.
struct Plan {
    /// Every id whose live record may change: old and new ids of changed files.
    affected: BTreeSet<String>,
    /// The JSON of each update's record (same order as `Refresh::updates`).
    json: Vec<Option<String>>,
    /// Updates whose record is exactly what the index already holds (a comment
    /// or formatting change): only their stamp and key lines are rewritten.
    unchanged: Vec<bool>,
}

fn plan(conn: &Connection, refresh: &Refresh, cold: bool) -> Result<Plan, IndexError> {
    let mut plan = Plan {
        affected: BTreeSet::new(),
        json: Vec::with_capacity(refresh.updates.len()),
        unchanged: Vec::with_capacity(refresh.updates.len()),
    };
    if !cold {
        for path in &refresh.deleted {
            if let Some((id, _, _)) = record_at(conn, path)? {
                plan.affected.insert(id);
            }
        }
    }
    for update in &refresh.updates {
        let old = if cold {
            None
        } else {
            record_at(conn, &update.path)?
        };
        let json = match &update.record {
            // The bulk load's encoder too: the JSON compared with the stored
            // one must come from the same writer.
            Some(r) => Some(row::record_json(r)?),
            None => None,
        };
        let same = match (&old, &update.record, &json) {
            (Some((old_id, old_kind, old_json)), Some(r), Some(j)) => {
                old_id == r.id().as_str() && *old_kind == r.kind() && old_json == j
            }
            _ => false,
        };
        if !same {
            if let Some((old_id, _, _)) = old {
                plan.affected.insert(old_id);
            }
            if let Some(r) = &update.record {
                plan.affected.insert(r.id().to_string());
            }
        }
        plan.json.push(json);
        plan.unchanged.push(same);
    }
    Ok(plan)
}

/// Takes the current live records of the affected ids out of the query
/// tables, returning them for the feed and noting whom they depended on.
fn retire(
    conn: &Connection,
    affected: &BTreeSet<String>,
    unblock_targets: &mut BTreeSet<String>,
) -> Result<HashMap<String, Live>, IndexError> {
    let mut before = HashMap::new();
    for id in affected {
        if let Some(live) = live_record(conn, id)? {
            if live.kind == IdKind::Task {
                unblock_targets.extend(task_deps(conn, live.rid)?);
            }
            remove_derived(conn, id, live.rid, live.kind)?;
            before.insert(id.clone(), live);
        }
    }
    Ok(before)
}

/// A record row written by this refresh.
struct Written<'a> {
    rid: i64,
    path: &'a str,
    record: &'a Record,
    json: &'a str,
    name_ok: bool,
}

/// Writes stamps, problems and record rows of the refreshed files. Returns the
/// record rows written, by id.
fn write_files<'a>(
    conn: &Connection,
    refresh: &'a Refresh,
    plan: &'a Plan,
    cold: bool,
) -> Result<HashMap<&'a str, Vec<Written<'a>>>, IndexError> {
    for path in &refresh.deleted {
        for sql in [
            "DELETE FROM files WHERE path = ?1",
            "DELETE FROM file_problems WHERE path = ?1",
            "DELETE FROM records WHERE path = ?1",
        ] {
            exec(conn, sql, params![path], "dropping a deleted file")?;
        }
    }
    let mut written: HashMap<&str, Vec<Written>> = HashMap::with_capacity(refresh.updates.len());
    let rows = refresh.updates.iter().zip(&plan.json).zip(&plan.unchanged);
    for ((update, json), same) in rows {
        write_stamp(conn, update)?;
        if !cold {
            exec(
                conn,
                "DELETE FROM file_problems WHERE path = ?1",
                params![update.path],
                "replacing a file's problems",
            )?;
        }
        write_problems(conn, &update.path, &update.problems)?;
        let lines = key_lines_text(&update.key_lines);
        if *same {
            exec(
                conn,
                "UPDATE records SET key_lines = ?2 WHERE path = ?1",
                params![update.path, lines],
                "updating key lines",
            )?;
            continue;
        }
        if !cold {
            exec(
                conn,
                "DELETE FROM records WHERE path = ?1",
                params![update.path],
                "replacing a record",
            )?;
        }
        if let (Some(record), Some(json)) = (&update.record, json) {
            let (rid, name_ok) = write_record_row(conn, &update.path, record, json, &lines)?;
            written
                .entry(record.id().as_str())
                .or_default()
                .push(Written {
                    rid,
                    path: &update.path,
                    record,
                    json,
                    name_ok,
                });
        }
    }
    Ok(written)
}

/// Stores a parsed file's `records` row; returns its row id and whether the
/// file sits at its id's name and folder. One function for the incremental
/// apply and the bulk load, so that a rebuild writes the row apply writes.
pub(super) fn write_record_row(
    conn: &impl Run,
    path: &str,
    record: &Record,
    json: &str,
    key_lines: &str,
) -> Result<(i64, bool), IndexError> {
    let (name_ok, dir_ok) = location_ok(path, record.kind(), record.id());
    let name_ok = name_ok && dir_ok;
    conn.run(
        "INSERT INTO records (path, id, kind, name_ok, json, key_lines)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            path,
            record.id().as_str(),
            record.kind().as_str(),
            name_ok,
            json,
            key_lines
        ],
        "storing a record",
    )?;
    Ok((conn.conn().last_insert_rowid(), name_ok))
}

/// Stores a file's stamp, and the id it speaks for when it holds no valid
/// record (see [`Broken`]); the bulk load stores it the same way.
pub(super) fn write_stamp(conn: &impl Run, update: &FileUpdate) -> Result<(), IndexError> {
    let s = update.stamp;
    conn.run(
        "INSERT OR REPLACE INTO files (path, size, mtime_ns, hash, claims)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            update.path,
            s.size as i64,
            s.mtime_ns,
            s.hash as i64,
            update.claims.as_deref().filter(|_| update.record.is_none())
        ],
        "storing a file stamp",
    )?;
    Ok(())
}

/// Stores a file's problems, keyed by the file's own path (so the next
/// update replaces them).
pub(super) fn write_problems(
    conn: &impl Run,
    path: &str,
    problems: &[crate::model::Problem],
) -> Result<(), IndexError> {
    for p in problems {
        let severity = match p.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        conn.run(
            "INSERT INTO file_problems (path, line, col, severity, message)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            // Keyed by the file's own path, so the next update replaces them.
            params![path, p.line as i64, p.column as i64, severity, p.message],
            "storing a file's problems",
        )?;
    }
    Ok(())
}

/// Chooses the live record of each affected id and derives its query rows.
/// Returns the new live records' kind and JSON when the feed needs them.
fn elect_all(
    conn: &Connection,
    affected: &BTreeSet<String>,
    written: &HashMap<&str, Vec<Written>>,
    cold: bool,
    unblock_targets: &mut BTreeSet<String>,
    for_feed: bool,
) -> Result<HashMap<String, (IdKind, String)>, IndexError> {
    let mut after = HashMap::new();
    let none = Vec::new();
    for id in affected {
        let mine = written.get(id.as_str()).unwrap_or(&none);
        // On a cold build this refresh wrote every record there is.
        let winner = if cold {
            mine.iter()
                .min_by(|a, b| b.name_ok.cmp(&a.name_ok).then_with(|| a.path.cmp(b.path)))
                .map(|w| (w.rid, w.record.kind()))
        } else {
            elect(conn, id)?
        };
        let Some((rid, kind)) = winner else {
            continue;
        };
        let stored;
        let parsed;
        // Newest first: a file listed twice may reuse the rowid it just freed.
        let (record, json) = match mine.iter().rev().find(|w| w.rid == rid) {
            Some(w) => (w.record, w.json),
            None => {
                stored = record_json(conn, rid)?;
                parsed = row::record_from_json(kind, &stored)?;
                (&parsed, stored.as_str())
            }
        };
        insert_derived(conn, id, rid, record)?;
        if let Record::Task(t) = record {
            unblock_targets.extend(t.depends_on.iter().map(|d| d.to_string()));
        }
        if for_feed {
            after.insert(id.clone(), (kind, json.to_string()));
        }
    }
    Ok(after)
}

/// The record row of a file: (id, kind, json).
fn record_at(
    conn: &Connection,
    path: &str,
) -> Result<Option<(String, IdKind, String)>, IndexError> {
    let row: Option<(String, String, String)> = conn
        .prepare_cached("SELECT id, kind, json FROM records WHERE path = ?1")
        .and_then(|mut s| {
            s.query_row([path], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()
        })
        .ctx("reading a file's record")?;
    row.map(|(id, kind, json)| Ok((id, parse_kind(&kind)?, json)))
        .transpose()
}

fn record_json(conn: &Connection, rid: i64) -> Result<String, IndexError> {
    conn.prepare_cached("SELECT json FROM records WHERE rid = ?1")
        .and_then(|mut s| s.query_row([rid], |r| r.get(0)))
        .ctx("reading a record")
}

fn live_record(conn: &Connection, id: &str) -> Result<Option<Live>, IndexError> {
    let row: Option<(i64, String, String)> = conn
        .prepare_cached(
            "SELECT l.rid, l.kind, r.json FROM live l JOIN records r ON r.rid = l.rid
             WHERE l.id = ?1",
        )
        .and_then(|mut s| {
            s.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()
        })
        .ctx("reading a live record")?;
    row.map(|(rid, kind, json)| {
        Ok(Live {
            rid,
            kind: parse_kind(&kind)?,
            json,
        })
    })
    .transpose()
}

/// The record that speaks for `id`: the one whose file is named after it,
/// else the first by path. Returns its rid and kind. (Chosen here rather
/// than with ORDER BY: a sorter per id costs more than the usual single row.)
fn elect(conn: &Connection, id: &str) -> Result<Option<(i64, IdKind)>, IndexError> {
    let rows: Vec<(i64, String, String, bool)> = conn
        .prepare_cached("SELECT rid, path, kind, name_ok FROM records WHERE id = ?1")
        .and_then(|mut s| {
            s.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect()
        })
        .ctx("electing a record for an id")?;
    let best = rows
        .into_iter()
        .min_by(|a, b| b.3.cmp(&a.3).then_with(|| a.1.cmp(&b.1)));
    best.map(|(rid, _, kind, _)| Ok((rid, parse_kind(&kind)?)))
        .transpose()
}

fn task_deps(conn: &Connection, rid: i64) -> Result<Vec<String>, IndexError> {
    conn.prepare_cached("SELECT dep FROM task_deps WHERE rid = ?1")
        .and_then(|mut s| s.query_map([rid], |r| r.get(0))?.collect())
        .ctx("reading a task's dependencies")
}

const OPEN_DEPS: &str = "(SELECT count(*) FROM task_deps d LEFT JOIN tasks t2 ON t2.id = d.dep
      WHERE d.rid = tasks.rid AND coalesce(t2.closed, 0) = 0)";
// CROSS JOIN keeps `task_deps` (found by `dep`, a few rows) outside: left to
// itself the planner scanned every open task through `tasks_order` and probed
// the dependencies of each, which made every refresh cost O(backlog).
const UNBLOCKS: &str = "(SELECT count(*) FROM task_deps d CROSS JOIN tasks t2 ON t2.rid = d.rid
      WHERE d.dep = tasks.id AND t2.closed = 0)";

/// Recomputes `open_deps` (dependencies not yet done: 0 = unblocked) and
/// `unblocks` (open tasks waiting on this one) where this refresh can have
/// changed them: the affected tasks, the tasks that depend on them, and every
/// task an affected task depended on before or depends on now.
fn update_blocking(
    conn: &Connection,
    affected: &BTreeSet<String>,
    unblock_targets: &BTreeSet<String>,
) -> Result<(), IndexError> {
    let total: i64 = conn
        .query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))
        .ctx("counting tasks")?;
    // A rebuild or a large pull touches most tasks: one pass over the table
    // beats thousands of single-row updates.
    if affected.len() > BULK_BLOCKING || (affected.len() as i64) * 4 > total {
        return recompute_all_blocking(conn);
    }
    let open_sql = format!(
        "UPDATE tasks SET open_deps = {OPEN_DEPS}
         WHERE id = ?1 OR rid IN (SELECT rid FROM task_deps WHERE dep = ?1)"
    );
    for id in affected {
        exec(conn, &open_sql, [id], "computing which tasks are ready")?;
    }
    let unblocks_sql = format!("UPDATE tasks SET unblocks = {UNBLOCKS} WHERE id = ?1");
    for id in unblock_targets {
        exec(
            conn,
            &unblocks_sql,
            [id],
            "computing what each task unblocks",
        )?;
    }
    Ok(())
}

/// Recomputes `open_deps` and `unblocks` of every task in one pass over the
/// table (a large pull): rows with anything to count are reset, then grouped
/// counts joined in once, instead of two correlated subqueries per row. (A
/// bulk load counts them in memory instead: `bulk::tasks`.)
fn recompute_all_blocking(conn: &Connection) -> Result<(), IndexError> {
    conn.execute_batch(
        "UPDATE tasks SET open_deps = 0, unblocks = 0 WHERE open_deps <> 0 OR unblocks <> 0;
         UPDATE tasks SET open_deps = c.n FROM (
             SELECT d.rid AS rid, count(*) AS n FROM task_deps d
             LEFT JOIN tasks t2 ON t2.id = d.dep
             WHERE coalesce(t2.closed, 0) = 0 GROUP BY d.rid
         ) AS c WHERE tasks.rid = c.rid;
         UPDATE tasks SET unblocks = c.n FROM (
             SELECT d.dep AS id, count(*) AS n FROM task_deps d
             JOIN tasks t2 ON t2.rid = d.rid
             WHERE t2.closed = 0 GROUP BY d.dep
         ) AS c WHERE tasks.id = c.id;",
    )
    .ctx("computing which tasks are ready")
}
