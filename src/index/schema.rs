//! The SQLite schema of the index cache and its life cycle: creating it, and
//! dropping and recreating it when the stored `PRAGMA user_version` is not the
//! one this build expects. The cache is derived data, so a version change never
//! migrates: it starts empty and the caller re-feeds every file.
//! docs/INDEX.md documents these tables for people who query them with sqlite3.

use super::error::{Context, IndexError};
use rusqlite::{Connection, TransactionBehavior};

/// Bump whenever a table, column or the meaning of a stored value changes.
/// (The FTS table keeps its own copy of the text rather than being contentless:
/// `contentless_delete` needs SQLite 3.43, and users open this file with
/// whatever `sqlite3` their system ships.)
pub const SCHEMA_VERSION: i64 = 11;

const DDL: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE files (
    path     TEXT PRIMARY KEY,
    size     INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash     INTEGER NOT NULL,
    -- the id a file that holds no valid record speaks for (NULL otherwise)
    claims   TEXT
) WITHOUT ROWID;
CREATE INDEX files_claims ON files (claims) WHERE claims IS NOT NULL;

CREATE TABLE file_problems (
    path     TEXT NOT NULL,
    line     INTEGER NOT NULL,
    col      INTEGER NOT NULL,
    severity TEXT NOT NULL,
    message  TEXT NOT NULL
);
CREATE INDEX file_problems_path ON file_problems(path);

CREATE TABLE records (
    rid       INTEGER PRIMARY KEY,
    path      TEXT NOT NULL UNIQUE,
    id        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    name_ok   INTEGER NOT NULL,
    json      TEXT NOT NULL,
    key_lines TEXT NOT NULL
);
CREATE INDEX records_id ON records(id, name_ok, path, kind);

CREATE TABLE live (
    id   TEXT PRIMARY KEY,
    rid  INTEGER NOT NULL,
    kind TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE tasks (
    rid           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    status        TEXT NOT NULL,
    closed        INTEGER NOT NULL,
    type          TEXT NOT NULL,
    priority      TEXT NOT NULL,
    priority_rank INTEGER NOT NULL,
    assignee      TEXT,
    parent        TEXT,
    sprint        TEXT,
    created       TEXT NOT NULL,
    created_us    INTEGER NOT NULL,
    progress      INTEGER NOT NULL,
    estimate      INTEGER,
    started       TEXT,
    closed_at     TEXT,
    open_deps     INTEGER NOT NULL DEFAULT 0,
    unblocks      INTEGER NOT NULL DEFAULT 0,
    -- 1 when the file lies under archive/ (left out of lists by default)
    archived      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tasks_order ON tasks(archived, closed, priority_rank, unblocks DESC, created_us, id);
CREATE INDEX tasks_status ON tasks(status, open_deps, closed, priority_rank, unblocks DESC, created_us, id);
-- Partial: most tasks have no assignee, parent or sprint, and every query
-- on these columns compares them with a value (which implies IS NOT NULL).
CREATE INDEX tasks_assignee ON tasks(assignee COLLATE NOCASE) WHERE assignee IS NOT NULL;
CREATE INDEX tasks_parent ON tasks(parent) WHERE parent IS NOT NULL;
CREATE INDEX tasks_sprint ON tasks(sprint) WHERE sprint IS NOT NULL;

-- How many tasks each (archived, status) pair holds, kept by the triggers of
-- COUNT_TRIGGERS_DDL inside the very statement that changes `tasks`, so it
-- cannot drift: a list that filters on nothing but those two answers its
-- "N of M" without counting every row (a fresh process's page cache is cold;
-- at 100,000 tasks that count was most of a watched command's time).
CREATE TABLE task_counts (
    archived INTEGER NOT NULL,
    status   TEXT NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (archived, status)
) WITHOUT ROWID;

CREATE TABLE task_deps (
    rid INTEGER NOT NULL,
    dep TEXT NOT NULL,
    -- where the record lists it (first mention), so readers keep its order
    idx INTEGER NOT NULL,
    PRIMARY KEY (rid, dep)
) WITHOUT ROWID;
CREATE INDEX task_deps_dep ON task_deps(dep);

CREATE TABLE task_labels (
    rid   INTEGER NOT NULL,
    label TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (rid, label)
) WITHOUT ROWID;
CREATE INDEX task_labels_label ON task_labels(label);

CREATE TABLE task_entries (
    rid    INTEGER NOT NULL,
    list   TEXT NOT NULL,
    idx    INTEGER NOT NULL,
    at     TEXT NOT NULL,
    author TEXT NOT NULL,
    text   TEXT NOT NULL,
    PRIMARY KEY (rid, list, idx)
) WITHOUT ROWID;

CREATE TABLE sprints (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    goal       TEXT,
    start_date TEXT,
    end_date   TEXT,
    created    TEXT NOT NULL,
    archived   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE contexts (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    at         TEXT NOT NULL,
    at_us      INTEGER NOT NULL,
    author     TEXT NOT NULL,
    task       TEXT,
    checkpoint TEXT
);
CREATE INDEX contexts_at ON contexts(at_us DESC, id DESC);

CREATE TABLE changes (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    kind   TEXT NOT NULL,
    id     TEXT NOT NULL,
    title  TEXT,
    op     TEXT NOT NULL,
    fields TEXT NOT NULL
);
-- A record's newest change (`task show`'s `updated`) without a feed scan.
CREATE INDEX changes_record ON changes(kind, id, seq);

CREATE TABLE agent_cursors (
    agent  TEXT NOT NULL,
    slot   TEXT NOT NULL,
    cursor TEXT NOT NULL,
    PRIMARY KEY (agent, slot)
) WITHOUT ROWID;
"#;

/// The full-text table. A rebuild drops and re-creates it: deleting its rows
/// one by one re-tokenizes every document (most of a rebuild's clear).
pub const FTS_DDL: &str = "
CREATE VIRTUAL TABLE task_fts USING fts5(
    title, description, notes, clarifications,
    tokenize = 'unicode61 remove_diacritics 2'
);";

/// The triggers that keep `task_counts`. A bulk load drops them (with the
/// secondary indexes) while it empties `tasks` and fills it — with triggers
/// SQLite deletes row by row instead of truncating — and re-creates them.
pub const COUNT_TRIGGERS_DDL: &str = "
CREATE TRIGGER task_counts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts (archived, status, n) VALUES (new.archived, new.status, 1)
    ON CONFLICT (archived, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER task_counts_delete AFTER DELETE ON tasks BEGIN
    UPDATE task_counts SET n = n - 1 WHERE archived = old.archived AND status = old.status;
END;
CREATE TRIGGER task_counts_update AFTER UPDATE OF archived, status ON tasks BEGIN
    UPDATE task_counts SET n = n - 1 WHERE archived = old.archived AND status = old.status;
    INSERT INTO task_counts (archived, status, n) VALUES (new.archived, new.status, 1)
    ON CONFLICT (archived, status) DO UPDATE SET n = n + 1;
END;
";

/// The tables a rebuild writes afresh (besides the full-text table):
/// everything derived from files plus the feed. `meta` and `agent_cursors`
/// are carried over from the generation before (its cursors name the old
/// feed generation, so they come back as `resync`).
#[cfg(test)]
pub const DATA_TABLES: &[&str] = &[
    "files",
    "file_problems",
    "records",
    "live",
    "tasks",
    "task_counts",
    "task_deps",
    "task_labels",
    "task_entries",
    "sprints",
    "contexts",
    "changes",
];

/// Makes sure the schema of this build is in place. Returns true when it was
/// (re)created, i.e. the database is empty and needs a new generation.
pub fn ensure(conn: &mut Connection) -> Result<bool, IndexError> {
    let version = user_version(conn)?;
    if version == SCHEMA_VERSION {
        return Ok(false);
    }
    // IMMEDIATE: two processes opening a fresh cache at once must not both
    // create tables; the loser re-reads the version inside the lock.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .ctx("locking the database to create its schema")?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .ctx("reading the schema version")?;
    if version == SCHEMA_VERSION {
        return Ok(false);
    }
    drop_all(&tx)?;
    tx.execute_batch(DDL).ctx("creating the schema")?;
    tx.execute_batch(FTS_DDL).ctx("creating the schema")?;
    tx.execute_batch(COUNT_TRIGGERS_DDL)
        .ctx("creating the schema")?;
    tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
        .ctx("writing the schema version")?;
    tx.commit().ctx("committing the new schema")?;
    Ok(true)
}

pub fn user_version(conn: &Connection) -> Result<i64, IndexError> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .ctx("reading the schema version")
}

/// Drops every table, index and trigger, whatever version created them.
fn drop_all(conn: &Connection) -> Result<(), IndexError> {
    let mut stmt = conn
        .prepare(
            "SELECT type, name FROM sqlite_schema
             WHERE name NOT LIKE 'sqlite_%' AND type IN ('table', 'view', 'trigger')
             ORDER BY sql LIKE 'CREATE VIRTUAL%' DESC, rowid",
        )
        .ctx("listing old tables")?;
    let objects: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .ctx("listing old tables")?
        .collect::<Result<_, _>>()
        .ctx("listing old tables")?;
    drop(stmt);
    for (kind, name) in objects {
        // Shadow tables of an FTS5 table vanish with it; dropping them first fails.
        let still_there: bool = conn
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_schema WHERE name = ?1",
                [&name],
                |r| r.get(0),
            )
            .ctx("listing old tables")?;
        if still_there {
            let quoted = name.replace('"', "\"\"");
            conn.execute_batch(&format!("DROP {kind} IF EXISTS \"{quoted}\""))
                .ctx("dropping an old table")?;
        }
    }
    Ok(())
}
