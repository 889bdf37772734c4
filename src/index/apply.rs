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

use super::error::{Context, IndexError};
use super::row::{self, key_lines_json, location_ok, micros, parse_kind, timestamp, to_json};
use super::types::{ChangeOp, Refresh};
use super::{Index, meta, meta_get, meta_set};
use crate::model::{ContextSnapshot, FieldChange, IdKind, Record, Sprint, Task, diff_fields};
use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeSet, HashMap};

/// The actor of changes found by the stat pass (hand edits, git operations).
pub const EDITOR: &str = "editor";

/// The newest feed rows kept; older ones are trimmed and their cursors resync.
pub const FEED_KEEP: i64 = 10_000;

/// The live record of an id as it was before this refresh.
struct Live {
    rid: i64,
    kind: IdKind,
    json: String,
}

impl Index {
    /// Applies one refresh in a single transaction and returns the number of
    /// change-feed rows appended. The first refresh of a generation that
    /// credits [`EDITOR`] (the build of an empty cache) is the baseline: its new
    /// records make no rows. Records the API wrote (credited to an agent or
    /// user) are always reported as created.
    pub fn apply(&mut self, refresh: Refresh) -> Result<usize, IndexError> {
        let now = Utc::now();
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

        // Which ids this refresh touches, and which updates leave their record as it was.
        let mut affected: BTreeSet<String> = BTreeSet::new();
        let mut new_json: Vec<Option<String>> = Vec::with_capacity(refresh.updates.len());
        let mut unchanged: Vec<bool> = Vec::with_capacity(refresh.updates.len());
        for path in &refresh.deleted {
            if let Some((id, _, _)) = record_at(&tx, path)? {
                affected.insert(id);
            }
        }
        for update in &refresh.updates {
            let old = record_at(&tx, &update.path)?;
            let json = match &update.record {
                Some(r) => Some(to_json("record", r)?),
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
                    affected.insert(old_id);
                }
                if let Some(r) = &update.record {
                    affected.insert(r.id().to_string());
                }
            }
            new_json.push(json);
            unchanged.push(same);
        }

        // Take the old live records out of the query tables, remembering them for the feed.
        let mut before: HashMap<String, Live> = HashMap::new();
        let mut unblock_targets: BTreeSet<String> = BTreeSet::new();
        for id in &affected {
            if let Some(live) = live_record(&tx, id)? {
                if live.kind == IdKind::Task {
                    unblock_targets.extend(task_deps(&tx, live.rid)?);
                }
                remove_derived(&tx, live.rid, live.kind)?;
                before.insert(id.clone(), live);
            }
        }

        // The files themselves: stamps, problems, record rows.
        for path in &refresh.deleted {
            for sql in [
                "DELETE FROM files WHERE path = ?1",
                "DELETE FROM file_problems WHERE path = ?1",
                "DELETE FROM records WHERE path = ?1",
            ] {
                exec(&tx, sql, params![path], "dropping a deleted file")?;
            }
        }
        let mut from_update: HashMap<&str, &Record> = HashMap::new();
        for ((update, json), same) in refresh.updates.iter().zip(&new_json).zip(&unchanged) {
            let s = update.stamp;
            exec(
                &tx,
                "INSERT OR REPLACE INTO files (path, size, mtime_ns, hash) VALUES (?1, ?2, ?3, ?4)",
                params![update.path, s.size as i64, s.mtime_ns, s.hash as i64],
                "storing a file stamp",
            )?;
            exec(
                &tx,
                "DELETE FROM file_problems WHERE path = ?1",
                params![update.path],
                "replacing a file's problems",
            )?;
            for p in &update.problems {
                let severity = match p.severity {
                    crate::model::Severity::Error => "error",
                    crate::model::Severity::Warning => "warning",
                };
                exec(
                    &tx,
                    "INSERT INTO file_problems (path, line, col, severity, message)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![p.path, p.line as i64, p.column as i64, severity, p.message],
                    "storing a file's problems",
                )?;
            }
            let lines = key_lines_json(&update.key_lines)?;
            if *same {
                exec(
                    &tx,
                    "UPDATE records SET key_lines = ?2 WHERE path = ?1",
                    params![update.path, lines],
                    "updating key lines",
                )?;
                continue;
            }
            exec(
                &tx,
                "DELETE FROM records WHERE path = ?1",
                params![update.path],
                "replacing a record",
            )?;
            if let (Some(record), Some(json)) = (&update.record, json) {
                let (name_ok, dir_ok) = location_ok(&update.path, record.kind(), record.id());
                exec(
                    &tx,
                    "INSERT INTO records (path, id, kind, name_ok, json, key_lines)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        update.path,
                        record.id().as_str(),
                        record.kind().as_str(),
                        name_ok && dir_ok,
                        json,
                        lines
                    ],
                    "storing a record",
                )?;
                from_update.insert(update.path.as_str(), record);
            }
        }

        // Elect each affected id's live record and derive its query rows.
        let mut after: HashMap<String, (IdKind, String)> = HashMap::new();
        for id in &affected {
            let Some((rid, path, kind, json)) = elect(&tx, id)? else {
                continue;
            };
            let parsed;
            let record = match from_update.get(path.as_str()) {
                Some(r) => *r,
                None => {
                    parsed = row::record_from_json(kind, &json)?;
                    &parsed
                }
            };
            insert_derived(&tx, rid, record)?;
            if let Record::Task(t) = record {
                unblock_targets.extend(t.depends_on.iter().map(|d| d.to_string()));
            }
            exec(
                &tx,
                "UPDATE records SET live = 1 WHERE rid = ?1",
                params![rid],
                "marking the live record",
            )?;
            after.insert(id.clone(), (kind, json));
        }
        unblock_targets.extend(affected.iter().cloned());
        update_blocking(&tx, &affected, &unblock_targets)?;

        let appended = if baseline {
            0
        } else {
            append_feed(&tx, &affected, &before, &after, &refresh.actor, now)?
        };
        if appended > 0 {
            trim_feed(&tx, feed_keep)?;
        }
        let now_ns = now.timestamp_nanos_opt().unwrap_or(i64::MAX);
        meta_set(&tx, meta::LAST_REFRESH_NS, &now_ns.to_string())?;
        meta_set(&tx, meta::BASELINED, "1")?;
        tx.commit().ctx("committing a refresh")?;
        Ok(appended)
    }
}

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

fn live_record(conn: &Connection, id: &str) -> Result<Option<Live>, IndexError> {
    let row: Option<(i64, String, String)> = conn
        .prepare_cached("SELECT rid, kind, json FROM records WHERE id = ?1 AND live = 1")
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

/// The record that speaks for `id`: rid, path, kind, json.
fn elect(conn: &Connection, id: &str) -> Result<Option<(i64, String, IdKind, String)>, IndexError> {
    let row: Option<(i64, String, String, String)> = conn
        .prepare_cached(
            "SELECT rid, path, kind, json FROM records WHERE id = ?1
             ORDER BY name_ok DESC, path LIMIT 1",
        )
        .and_then(|mut s| {
            s.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()
        })
        .ctx("electing a record for an id")?;
    row.map(|(rid, path, kind, json)| Ok((rid, path, parse_kind(&kind)?, json)))
        .transpose()
}

fn task_deps(conn: &Connection, rid: i64) -> Result<Vec<String>, IndexError> {
    conn.prepare_cached("SELECT dep FROM task_deps WHERE rid = ?1")
        .and_then(|mut s| s.query_map([rid], |r| r.get(0))?.collect())
        .ctx("reading a task's dependencies")
}

fn remove_derived(conn: &Connection, rid: i64, kind: IdKind) -> Result<(), IndexError> {
    let sqls: &[&str] = match kind {
        IdKind::Task => &[
            "DELETE FROM tasks WHERE rid = ?1",
            "DELETE FROM task_deps WHERE rid = ?1",
            "DELETE FROM task_labels WHERE rid = ?1",
            "DELETE FROM task_entries WHERE rid = ?1",
            "DELETE FROM task_fts WHERE rowid = ?1",
        ],
        IdKind::Sprint => &["DELETE FROM sprints WHERE rid = ?1"],
        IdKind::Context => &["DELETE FROM contexts WHERE rid = ?1"],
    };
    for sql in sqls {
        exec(conn, sql, [rid], "removing a record's query rows")?;
    }
    exec(
        conn,
        "UPDATE records SET live = 0 WHERE rid = ?1",
        [rid],
        "removing a record's query rows",
    )?;
    Ok(())
}

fn insert_derived(conn: &Connection, rid: i64, record: &Record) -> Result<(), IndexError> {
    match record {
        Record::Task(t) => insert_task(conn, rid, t),
        Record::Sprint(s) => insert_sprint(conn, rid, s),
        Record::Context(c) => insert_context(conn, rid, c),
    }
}

fn insert_task(conn: &Connection, rid: i64, t: &Task) -> Result<(), IndexError> {
    let rank = crate::model::Priority::ALL
        .iter()
        .position(|p| *p == t.priority)
        .unwrap_or(usize::MAX) as i64;
    exec(
        conn,
        "INSERT INTO tasks (rid, id, title, status, closed, type, priority, priority_rank,
                            assignee, parent, sprint, created, created_us, progress, estimate)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            rid,
            t.id.as_str(),
            t.title,
            t.status.as_str(),
            t.status.is_closed(),
            t.kind.as_str(),
            t.priority.as_str(),
            rank,
            t.assignee,
            t.parent.as_ref().map(|p| p.as_str()),
            t.sprint.as_ref().map(|s| s.as_str()),
            timestamp(&t.created),
            micros(&t.created),
            t.progress,
            t.estimate,
        ],
        "indexing a task",
    )?;
    for dep in &t.depends_on {
        exec(
            conn,
            "INSERT OR IGNORE INTO task_deps (rid, dep) VALUES (?1, ?2)",
            params![rid, dep.as_str()],
            "indexing a task's dependencies",
        )?;
    }
    for label in &t.labels {
        exec(
            conn,
            "INSERT OR IGNORE INTO task_labels (rid, label) VALUES (?1, ?2)",
            params![rid, label],
            "indexing a task's labels",
        )?;
    }
    for (list, entries) in [("clarifications", &t.clarifications), ("notes", &t.notes)] {
        for (i, e) in entries.iter().enumerate() {
            exec(
                conn,
                "INSERT INTO task_entries (rid, list, idx, at, author, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![rid, list, i as i64, timestamp(&e.at), e.by, e.text],
                "indexing a task's notes",
            )?;
        }
    }
    let join = |entries: &[crate::model::Entry]| {
        entries
            .iter()
            .map(|e| e.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    exec(
        conn,
        "INSERT INTO task_fts (rowid, title, description, notes, clarifications)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            rid,
            t.title,
            t.description.as_deref().unwrap_or(""),
            join(&t.notes),
            join(&t.clarifications)
        ],
        "indexing a task's text",
    )?;
    Ok(())
}

fn insert_sprint(conn: &Connection, rid: i64, s: &Sprint) -> Result<(), IndexError> {
    exec(
        conn,
        "INSERT INTO sprints (rid, id, name, status, goal, start_date, end_date, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            rid,
            s.id.as_str(),
            s.name,
            s.status.as_str(),
            s.goal,
            s.start.map(|d| d.to_string()),
            s.end.map(|d| d.to_string()),
            timestamp(&s.created),
        ],
        "indexing a sprint",
    )?;
    Ok(())
}

fn insert_context(conn: &Connection, rid: i64, c: &ContextSnapshot) -> Result<(), IndexError> {
    let kind = match c.kind {
        crate::model::ContextKind::Snapshot => "snapshot",
        crate::model::ContextKind::Handoff => "handoff",
    };
    exec(
        conn,
        "INSERT INTO contexts (rid, id, kind, at, at_us, author, task, checkpoint)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            rid,
            c.id.as_str(),
            kind,
            timestamp(&c.at),
            micros(&c.at),
            c.by,
            c.task.as_ref().map(|t| t.as_str()),
            c.checkpoint,
        ],
        "indexing a context",
    )?;
    Ok(())
}

const OPEN_DEPS: &str = "(SELECT count(*) FROM task_deps d LEFT JOIN tasks t2 ON t2.id = d.dep
      WHERE d.rid = tasks.rid AND coalesce(t2.closed, 0) = 0)";
const UNBLOCKS: &str = "(SELECT count(*) FROM task_deps d JOIN tasks t2 ON t2.rid = d.rid
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
    if affected.len() > 1000 || (affected.len() as i64) * 4 > total {
        conn.execute_batch(&format!(
            "UPDATE tasks SET open_deps = {OPEN_DEPS}, unblocks = {UNBLOCKS};"
        ))
        .ctx("computing which tasks are ready")?;
        return Ok(());
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

fn append_feed(
    conn: &Connection,
    affected: &BTreeSet<String>,
    before: &HashMap<String, Live>,
    after: &HashMap<String, (IdKind, String)>,
    actor: &str,
    now: chrono::DateTime<Utc>,
) -> Result<usize, IndexError> {
    let at = timestamp(&now);
    let mut appended = 0;
    for id in affected {
        let old = before.get(id).map(|l| (l.kind, l.json.as_str()));
        let new = after.get(id).map(|(k, j)| (*k, j.as_str()));
        let (kind, op, title, fields) = match (old, new) {
            (None, None) => continue,
            (None, Some((kind, json))) => (kind, ChangeOp::Created, title_of(kind, json), vec![]),
            (Some((kind, json)), None) => (kind, ChangeOp::Deleted, title_of(kind, json), vec![]),
            (Some((_, old_json)), Some((kind, new_json))) => {
                if old_json == new_json {
                    continue;
                }
                let fields = diff_fields(&parse_value(old_json)?, &parse_value(new_json)?);
                if fields.is_empty() {
                    continue;
                }
                (kind, ChangeOp::Modified, title_of(kind, new_json), fields)
            }
        };
        insert_change(conn, &at, actor, kind, id, title, op, &fields)?;
        appended += 1;
    }
    Ok(appended)
}

#[allow(clippy::too_many_arguments)]
fn insert_change(
    conn: &Connection,
    at: &str,
    actor: &str,
    kind: IdKind,
    id: &str,
    title: Option<String>,
    op: ChangeOp,
    fields: &[FieldChange],
) -> Result<(), IndexError> {
    exec(
        conn,
        "INSERT INTO changes (at, actor, kind, id, title, op, fields)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            at,
            actor,
            kind.as_str(),
            id,
            title,
            op.as_str(),
            to_json("field changes", &fields)?
        ],
        "appending to the change feed",
    )?;
    Ok(())
}

fn parse_value(json: &str) -> Result<serde_json::Value, IndexError> {
    row::from_json("record", json)
}

/// What the feed shows beside an id: a task's title, a sprint's name, a
/// context's checkpoint.
fn title_of(kind: IdKind, json: &str) -> Option<String> {
    let key = match kind {
        IdKind::Task => "title",
        IdKind::Sprint => "name",
        IdKind::Context => "checkpoint",
    };
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    value.get(key)?.as_str().map(str::to_string)
}

/// Keeps the newest `keep` feed rows and remembers where the kept part starts.
fn trim_feed(conn: &Connection, keep: i64) -> Result<(), IndexError> {
    let max: i64 = conn
        .query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
            r.get(0)
        })
        .ctx("trimming the change feed")?;
    let cut = max - keep;
    if cut <= 0 {
        return Ok(());
    }
    let removed = exec(
        conn,
        "DELETE FROM changes WHERE seq <= ?1",
        [cut],
        "trimming the change feed",
    )?;
    if removed > 0 {
        let floor: i64 = meta_get(conn, meta::FEED_FLOOR)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        meta_set(conn, meta::FEED_FLOOR, &floor.max(cut).to_string())?;
    }
    Ok(())
}
