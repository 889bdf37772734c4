//! Opening, stamps, schema versions, corruption, clearing.

use super::*;
use crate::index::Reset;
use crate::index::schema::SCHEMA_VERSION;
use crate::model::TaskQuery;

#[test]
fn stamps_round_trip_and_deletions_drop_them() {
    let (_dir, mut index) = fresh();
    assert_eq!(index.reset(), Some(Reset::Created));
    assert!(index.stamps().expect("stamps").is_empty());
    assert_eq!(index.last_refresh_ns().expect("last"), 0);
    let mut a = update(task("TASK-a", "a", 0));
    // Hashes use all 64 bits; sizes and mtimes are stored exactly.
    a.stamp = FileStamp {
        size: 12_345,
        mtime_ns: 1_764_000_000_123_456_789,
        hash: u64::MAX - 7,
    };
    let b = broken("tasks/TASK-b.yaml", "bad");
    let b_stamp = b.stamp;
    let before = Utc::now().timestamp_nanos_opt().expect("ns");
    put(&mut index, "editor", vec![a.clone(), b]);
    let last = index.last_refresh_ns().expect("last");
    assert!(last >= before, "{last} < {before}");
    index.mark_refreshed().expect("mark");
    assert!(index.last_refresh_ns().expect("last") >= last);
    let stamps = index.stamps().expect("stamps");
    assert_eq!(stamps.len(), 2);
    assert_eq!(stamps["tasks/TASK-a.yaml"], a.stamp);
    assert_eq!(stamps["tasks/TASK-b.yaml"], b_stamp);
    assert_eq!(
        index.stamp_list().expect("list"),
        vec![
            ("tasks/TASK-a.yaml".to_string(), a.stamp),
            ("tasks/TASK-b.yaml".to_string(), b_stamp)
        ]
    );
    delete(&mut index, "editor", &["tasks/TASK-a.yaml"]);
    let stamps = index.stamps().expect("stamps");
    assert_eq!(stamps.keys().collect::<Vec<_>>(), ["tasks/TASK-b.yaml"]);
    assert_eq!(index.task(&id("TASK-a")).expect("task"), None);
}

#[test]
fn the_cache_persists_and_uses_wal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut index = open(&dir);
    put(&mut index, "editor", vec![update(task("TASK-a", "a", 0))]);
    let path = index.path().to_path_buf();
    drop(index);
    let index = open(&dir);
    assert_eq!(index.reset(), None);
    assert_eq!(index.stamps().expect("stamps").len(), 1);
    assert!(index.task(&id("TASK-a")).expect("task").is_some());
    let raw = rusqlite::Connection::open(&path).expect("raw");
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "wal");
}

#[test]
fn another_schema_version_rebuilds_from_scratch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut index = open(&dir);
    put(&mut index, "editor", vec![update(task("TASK-a", "a", 0))]);
    index
        .set_agent_cursor("claude", "check", "x.1")
        .expect("cursor");
    let path = index.path().to_path_buf();
    drop(index);
    {
        let raw = rusqlite::Connection::open(&path).expect("raw");
        raw.execute_batch(&format!(
            "PRAGMA user_version = {}; CREATE TABLE leftover (x);",
            SCHEMA_VERSION + 1
        ))
        .expect("bump");
    }
    let mut index = open(&dir);
    assert_eq!(index.reset(), Some(Reset::SchemaChanged));
    assert!(index.stamps().expect("stamps").is_empty());
    assert_eq!(index.tasks(&TaskQuery::default()).expect("list").total, 0);
    assert_eq!(index.agent_cursor("claude", "check").expect("cursor"), None);
    // Refeeding works and is a baseline again.
    assert_eq!(
        put(&mut index, "editor", vec![update(task("TASK-a", "a", 0))]),
        0
    );
    let raw = rusqlite::Connection::open(&path).expect("raw");
    let leftovers: i64 = raw
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'leftover'",
            [],
            |r| r.get(0),
        )
        .expect("schema");
    assert_eq!(leftovers, 0);
}

#[test]
fn a_file_that_is_not_a_database_is_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cache").join("index.sqlite");
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &path,
        b"this is not a SQLite database, just some text".repeat(100),
    )
    .expect("write");
    let mut index = Index::open(&path).expect("open recovers");
    assert_eq!(index.reset(), Some(Reset::Corrupt));
    assert!(index.stamps().expect("stamps").is_empty());
    put(&mut index, "editor", vec![update(task("TASK-a", "a", 0))]);
    assert!(index.task(&id("TASK-a")).expect("task").is_some());
}

#[test]
fn open_creates_missing_directories() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a").join("b").join("c.sqlite");
    let index = Index::open(&path).expect("open");
    assert!(path.exists());
    assert_eq!(index.path(), path.as_path());
}

#[test]
fn two_handles_see_each_others_writes() {
    // The MCP server and a CLI command may hold the same cache open.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = open(&dir);
    let b = open(&dir);
    put(&mut a, "editor", vec![update(task("TASK-a", "a", 0))]);
    assert!(b.task(&id("TASK-a")).expect("task").is_some());
    assert_eq!(
        a.head_cursor().expect("head"),
        b.head_cursor().expect("head")
    );
}
