//! The query tables derived from one live record: a task's row with its
//! dependency edges, labels, notes and full-text entry; a sprint's row; a
//! context's row. `apply` removes and re-inserts them whenever the record that
//! speaks for an id changes, so they never hold a stale copy.

use super::error::IndexError;
use super::row::{micros, timestamp};
use super::statements::Run;
use crate::model::{ContextSnapshot, IdKind, Record, Sprint, Task};
use rusqlite::params;

/// Removes the query rows of `id`'s live record (`rid`), and its `live` row.
pub fn remove_derived(conn: &impl Run, id: &str, rid: i64, kind: IdKind) -> Result<(), IndexError> {
    remove_query_rows(conn, rid, kind)?;
    conn.run(
        "DELETE FROM live WHERE id = ?1",
        [id],
        "removing a record's query rows",
    )?;
    Ok(())
}

/// Removes the query rows of record `rid` (its `live` row stays).
pub fn remove_query_rows(conn: &impl Run, rid: i64, kind: IdKind) -> Result<(), IndexError> {
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
        conn.run(sql, [rid], "removing a record's query rows")?;
    }
    Ok(())
}

/// Makes `rid` the live record of `id` and derives its query rows.
pub fn insert_derived(
    conn: &impl Run,
    id: &str,
    rid: i64,
    record: &Record,
) -> Result<(), IndexError> {
    conn.run(
        "INSERT OR REPLACE INTO live (id, rid, kind) VALUES (?1, ?2, ?3)",
        params![id, rid, record.kind().as_str()],
        "marking the live record",
    )?;
    insert_query_rows(conn, rid, record)
}

/// Derives the query rows of record `rid` (not its `live` row: the bulk
/// load writes those once, in id order, when every claimant is known).
pub fn insert_query_rows(conn: &impl Run, rid: i64, record: &Record) -> Result<(), IndexError> {
    match record {
        Record::Task(t) => insert_task(conn, rid, t),
        Record::Sprint(s) => insert_sprint(conn, rid, s),
        Record::Context(c) => insert_context(conn, rid, c),
    }
}

// The last column of both inserts below, `archived`: whether the record file
// of row `?1` lies under `archive/` (see `store::RecordPath`). The SQL is
// written out (not formatted in) so that a load of 100,000 tasks formats no
// statement text per row.

fn insert_task(conn: &impl Run, rid: i64, t: &Task) -> Result<(), IndexError> {
    let rank = crate::model::Priority::ALL
        .iter()
        .position(|p| *p == t.priority)
        .unwrap_or(usize::MAX) as i64;
    conn.run(
        "INSERT INTO tasks (rid, id, title, status, closed, type, priority, priority_rank,
                            assignee, parent, sprint, created, created_us, progress, estimate,
                            started, closed_at, archived)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 coalesce((SELECT substr(path, 1, 8) = 'archive/' FROM records WHERE rid = ?1), 0))",
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
            t.started.as_ref().map(timestamp),
            t.closed.as_ref().map(timestamp),
        ],
        "indexing a task",
    )?;
    for (i, dep) in t.depends_on.iter().enumerate() {
        conn.run(
            "INSERT OR IGNORE INTO task_deps (rid, dep, idx) VALUES (?1, ?2, ?3)",
            params![rid, dep.as_str(), i as i64],
            "indexing a task's dependencies",
        )?;
    }
    for label in &t.labels {
        conn.run(
            "INSERT OR IGNORE INTO task_labels (rid, label) VALUES (?1, ?2)",
            params![rid, label],
            "indexing a task's labels",
        )?;
    }
    for (list, entries) in [("clarifications", &t.clarifications), ("notes", &t.notes)] {
        for (i, e) in entries.iter().enumerate() {
            conn.run(
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
    conn.run(
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

fn insert_sprint(conn: &impl Run, rid: i64, s: &Sprint) -> Result<(), IndexError> {
    conn.run(
        "INSERT INTO sprints (rid, id, name, status, goal, start_date, end_date, created,
                              archived)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                 coalesce((SELECT substr(path, 1, 8) = 'archive/' FROM records WHERE rid = ?1), 0))",
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

fn insert_context(conn: &impl Run, rid: i64, c: &ContextSnapshot) -> Result<(), IndexError> {
    let kind = c.kind.as_str();
    conn.run(
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
