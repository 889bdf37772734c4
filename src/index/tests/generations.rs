//! Generations of the cache: a bulk load writes a new file and publishes it;
//! an index opened before follows it, a failed load publishes nothing.

use super::*;
use crate::index::{BulkRow, BulkStart, IndexError};

/// The files in the cache folder, by name.
fn cache_files(dir: &tempfile::TempDir) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("cache"))
        .expect("cache folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_rebuild_publishes_a_new_file_that_an_index_opened_before_follows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = open(&dir);
    let mut b = open(&dir);
    put(&mut b, "editor", vec![update(task("TASK-a", "a", 0))]);
    let old = b.path().to_path_buf();
    rebuild(&mut a, vec![update(task("TASK-b", "b", 1))]);
    assert_ne!(a.path(), old.as_path(), "a rebuild writes a new file");
    // Until it follows, `b` reads the old generation, whole and consistent.
    assert!(b.task(&id("TASK-a")).expect("task").is_some());
    b.follow().expect("follow");
    assert_eq!(b.path(), a.path());
    assert!(b.task(&id("TASK-a")).expect("task").is_none());
    assert!(b.task(&id("TASK-b")).expect("task").is_some());
    // Only the new generation (with its WAL files) and the pointer are left.
    let current = a
        .path()
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    for name in cache_files(&dir) {
        assert!(
            name == "index.current.sqlite" || name.starts_with(&current),
            "{name} left behind; current {current}"
        );
    }
}

#[test]
fn an_apply_after_another_process_rebuilt_goes_to_the_new_generation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = open(&dir);
    let mut b = open(&dir);
    rebuild(&mut a, vec![update(task("TASK-a", "a", 0))]);
    // `b` still has the replaced file open: its write must not be lost there.
    put(&mut b, "editor", vec![update(task("TASK-b", "b", 1))]);
    assert!(a.task(&id("TASK-b")).expect("task").is_some());
    assert!(open(&dir).task(&id("TASK-b")).expect("task").is_some());
}

#[test]
fn a_failed_bulk_load_publishes_nothing_and_leaves_no_file() {
    let (dir, mut index) = fresh();
    put(&mut index, "editor", vec![update(task("TASK-a", "a", 0))]);
    let before = cache_files(&dir);
    let path = index.path().to_path_buf();
    let rows = vec![BulkRow::encode(update(task("TASK-b", "b", 1)))];
    let err = index
        .bulk_load(BulkStart::Rebuild, [rows.into_iter().collect()], 2, drop)
        .expect_err("one file short");
    assert!(matches!(err, IndexError::Incomplete { .. }), "{err:?}");
    assert_eq!(index.path(), path.as_path());
    assert_eq!(cache_files(&dir), before);
    assert!(index.task(&id("TASK-a")).expect("task").is_some());
    assert!(open(&dir).task(&id("TASK-b")).expect("task").is_none());
}

#[test]
fn a_rebuild_keeps_the_agents_cursors_and_moves_the_content_version_on() {
    let (dir, mut index) = fresh();
    put(&mut index, "editor", vec![update(task("TASK-a", "a", 0))]);
    let version = index.content_version().expect("version");
    index
        .conn
        .execute(
            "INSERT INTO agent_cursors (agent, slot, cursor) VALUES ('bot', 'main', 'c1')",
            [],
        )
        .expect("cursor");
    rebuild(&mut index, vec![update(task("TASK-a", "a", 0))]);
    let again = open(&dir);
    let cursor: String = again
        .conn
        .query_row(
            "SELECT cursor FROM agent_cursors WHERE agent = 'bot'",
            [],
            |r| r.get(0),
        )
        .expect("kept cursor");
    assert_eq!(cursor, "c1");
    assert_ne!(again.content_version().expect("version"), version);
}

#[test]
fn a_pointer_that_names_no_generation_of_the_cache_is_ignored() {
    let (dir, mut index) = fresh();
    rebuild(&mut index, vec![update(task("TASK-a", "a", 0))]);
    let pointer = dir.path().join("cache/index.current.sqlite");
    for hand_edit in [
        "../../etc/passwd\n",
        "other.db\n",
        "index.g.sqlite\n",
        "index.gab.sqlite.x\n",
    ] {
        std::fs::write(&pointer, hand_edit).expect("edit");
        let base = dir.path().join("cache/index.sqlite");
        assert_eq!(
            crate::index::generation::current(&base).expect("current"),
            base
        );
    }
}
