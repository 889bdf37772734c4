//! The change feed: baseline, field-level rows, credit, cursors, generations.

use super::*;
use crate::index::IndexError;
use crate::model::ChangeOp;
use crate::model::{IdKind, Priority, Status};
use serde_json::json;

fn feed(index: &Index) -> Vec<crate::model::Change> {
    let all = index.changes_since(None, 0).expect("feed");
    assert!(!all.resync);
    all.changes
}

#[test]
fn the_first_build_is_a_baseline_and_later_files_are_created() {
    let (_dir, mut index) = fresh();
    let n = put(
        &mut index,
        "editor",
        vec![
            update(task("TASK-a", "a", 0)),
            update(task("TASK-b", "b", 0)),
        ],
    );
    assert_eq!(n, 0);
    assert!(feed(&index).is_empty());
    let n = put(
        &mut index,
        "editor",
        vec![update(task("TASK-c", "new one", 0))],
    );
    assert_eq!(n, 1);
    let rows = feed(&index);
    assert_eq!(rows.len(), 1);
    let c = &rows[0];
    assert_eq!(
        (
            c.op,
            c.kind,
            c.id.as_str(),
            c.title.as_deref(),
            c.by.as_str()
        ),
        (
            ChangeOp::Created,
            IdKind::Task,
            "TASK-c",
            Some("new one"),
            "editor"
        )
    );
    assert!(c.fields.is_empty());
}

#[test]
fn a_write_by_the_api_on_a_fresh_cache_is_reported() {
    // A new workspace has no files, so the stat pass applies nothing; the
    // first apply is the agent's own create, which must not vanish as baseline.
    let (_dir, mut index) = fresh();
    let n = put(
        &mut index,
        "claude",
        vec![update(task("TASK-first", "first", 0))],
    );
    assert_eq!(n, 1);
    assert_eq!(feed(&index)[0].by, "claude");
    // And the baseline is over: a hand-made file is news too.
    assert_eq!(
        put(
            &mut index,
            "editor",
            vec![update(task("TASK-hand", "h", 0))]
        ),
        1
    );
}

#[test]
fn modifications_are_reported_field_by_field() {
    let (_dir, mut index) = fresh();
    let mut t = task("TASK-x", "Original", 0);
    t.labels = vec!["auth".into()];
    put(&mut index, "editor", vec![update(t.clone())]);

    // A status change and a priority change, credited to the API's actor.
    let mut v2 = t.clone();
    v2.status = Status::InProgress;
    v2.priority = Priority::Critical;
    assert_eq!(put(&mut index, "claude", vec![update(v2.clone())]), 1);
    // A new note.
    let mut v3 = v2.clone();
    let note = entry("alice", "Please use OAuth2", 5);
    v3.notes.push(note.clone());
    put(&mut index, "editor", vec![update(v3.clone())]);
    // A label change.
    let mut v4 = v3.clone();
    v4.labels = vec!["auth".into(), "api".into()];
    put(&mut index, "editor", vec![update(v4.clone())]);
    // The same record again (say, only a comment changed): no row.
    assert_eq!(put(&mut index, "editor", vec![update(v4.clone())]), 0);
    // Deletion.
    assert_eq!(delete(&mut index, "editor", &["tasks/TASK-x.yaml"]), 1);

    let rows = feed(&index);
    assert_eq!(rows.len(), 4, "{rows:#?}");
    let fields = |i: usize| -> Vec<(String, serde_json::Value, serde_json::Value)> {
        rows[i]
            .fields
            .iter()
            .map(|f| (f.field.clone(), f.old.clone(), f.new.clone()))
            .collect()
    };
    assert_eq!(rows[0].by, "claude");
    assert_eq!(rows[0].op, ChangeOp::Modified);
    assert_eq!(
        fields(0),
        vec![
            ("status".into(), json!("TODO"), json!("IN_PROGRESS")),
            ("priority".into(), json!("MEDIUM"), json!("CRITICAL")),
        ]
    );
    assert_eq!(
        fields(1),
        vec![(
            "notes".into(),
            serde_json::Value::Null,
            serde_json::to_value(&note).expect("json")
        )]
    );
    assert_eq!(
        fields(2),
        vec![("labels".into(), json!(["auth"]), json!(["auth", "api"]))]
    );
    assert_eq!(rows[3].op, ChangeOp::Deleted);
    assert_eq!(rows[3].title.as_deref(), Some("Original"));
    assert!(rows.windows(2).all(|w| w[0].seq < w[1].seq));
}

#[test]
fn changes_serialize_as_snake_case_json() {
    let (_dir, mut index) = fresh();
    put(&mut index, "editor", vec![]);
    put(
        &mut index,
        "claude",
        vec![update(sprint("SPRINT-s", SprintStatus::Planned, None))],
    );
    let since = index.changes_since(None, 0).expect("feed");
    let v = serde_json::to_value(&since.changes).expect("json");
    assert_eq!(v[0]["kind"], json!("sprint"));
    assert_eq!(v[0]["op"], json!("created"));
    assert_eq!(v[0]["title"], json!("sprint SPRINT-s"));
    assert!(!since.resync);
    assert!(!since.cursor.is_empty());
}

#[test]
fn cursors_page_through_the_feed_and_survive_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut index = open(&dir);
    put(&mut index, "editor", vec![]);
    for i in 0..5 {
        put(
            &mut index,
            "claude",
            vec![update(task(&format!("TASK-n{i}"), "n", i))],
        );
    }
    let head = index.head_cursor().expect("head");
    let first = index.changes_since(None, 2).expect("page");
    assert_eq!(first.changes.len(), 2);
    let second = index.changes_since(Some(&first.cursor), 2).expect("page");
    assert_eq!(
        second
            .changes
            .iter()
            .map(|c| c.id.to_string())
            .collect::<Vec<_>>(),
        ["TASK-n2", "TASK-n3"]
    );
    let rest = index.changes_since(Some(&second.cursor), 0).expect("rest");
    assert_eq!(rest.changes.len(), 1);
    assert_eq!(rest.cursor, head);
    let none = index.changes_since(Some(&head), 0).expect("none");
    assert!(none.changes.is_empty() && !none.resync);
    assert_eq!(none.cursor, head);

    index
        .set_agent_cursor("claude", "check", &second.cursor)
        .expect("save");
    drop(index);
    let mut index = open(&dir);
    assert_eq!(index.head_cursor().expect("head"), head);
    let saved = index.agent_cursor("claude", "check").expect("read");
    assert_eq!(saved.as_deref(), Some(second.cursor.as_str()));
    assert_eq!(index.agent_cursor("claude", "seen").expect("read"), None);
    let after_reopen = index.changes_since(saved.as_deref(), 0).expect("feed");
    assert_eq!(after_reopen.changes.len(), 1);
    assert!(!after_reopen.resync);
    // New changes after the reopen continue the sequence.
    put(
        &mut index,
        "editor",
        vec![update(task("TASK-late", "late", 9))],
    );
    let next = index.changes_since(Some(&head), 0).expect("feed");
    assert_eq!(next.changes.len(), 1);
    assert_eq!(next.changes[0].id.as_str(), "TASK-late");
}

#[test]
fn a_cursor_from_before_a_rebuild_asks_for_resync() {
    let (_dir, mut index) = fresh();
    put(&mut index, "editor", vec![update(task("TASK-a", "a", 0))]);
    put(&mut index, "claude", vec![update(task("TASK-b", "b", 0))]);
    let old = index.head_cursor().expect("head");
    index
        .set_agent_cursor("claude", "check", &old)
        .expect("save");
    // The rebuild is a new baseline: the files it loads are no news.
    assert_eq!(
        rebuild(
            &mut index,
            vec![
                update(task("TASK-a", "a", 0)),
                update(task("TASK-c", "c", 0))
            ]
        ),
        2
    );
    assert_eq!(index.stamps().expect("stamps").len(), 2);
    assert_eq!(index.task(&id("TASK-b")).expect("task"), None);
    assert!(index.task(&id("TASK-c")).expect("task").is_some());
    let saved = index.agent_cursor("claude", "check").expect("cursor");
    assert_eq!(saved.as_deref(), Some(old.as_str()));
    let answer = index.changes_since(saved.as_deref(), 0).expect("feed");
    assert!(answer.resync);
    assert!(answer.changes.is_empty());
    assert_ne!(answer.cursor, old);
    // The new cursor works normally.
    let fresh_answer = index.changes_since(Some(&answer.cursor), 0).expect("feed");
    assert!(!fresh_answer.resync);
}

#[test]
fn bad_cursors_are_errors_not_panics() {
    let (_dir, index) = fresh();
    for bad in ["", "garbage", "abc.", ".5", "abc.-1", "abc.x"] {
        assert!(
            matches!(
                index.changes_since(Some(bad), 0),
                Err(IndexError::InvalidCursor { .. })
            ),
            "{bad:?}"
        );
    }
    // A well-formed cursor of another generation is a resync, not an error.
    assert!(index.changes_since(Some("zzzz.3"), 0).expect("feed").resync);
}

#[test]
fn the_feed_is_bounded_and_a_trimmed_cursor_resyncs() {
    let (_dir, mut index) = fresh();
    index.set_feed_limit(3);
    put(&mut index, "editor", vec![]);
    put(&mut index, "claude", vec![update(task("TASK-t0", "t", 0))]);
    let early = index.head_cursor().expect("head");
    for i in 1..6 {
        put(
            &mut index,
            "claude",
            vec![update(task(&format!("TASK-t{i}"), "t", i))],
        );
    }
    let all = index.changes_since(None, 0).expect("feed");
    assert_eq!(
        all.changes
            .iter()
            .map(|c| c.id.to_string())
            .collect::<Vec<_>>(),
        ["TASK-t3", "TASK-t4", "TASK-t5"]
    );
    assert!(index.changes_since(Some(&early), 0).expect("feed").resync);
    let kept = format!(
        "{}.{}",
        early.rsplit_once('.').expect("dot").0,
        all.changes[0].seq - 1
    );
    let ok = index.changes_since(Some(&kept), 0).expect("feed");
    assert!(!ok.resync);
    assert_eq!(ok.changes.len(), 3);
}

#[test]
fn a_duplicate_file_or_a_rename_is_not_a_change() {
    let (_dir, mut index) = fresh();
    let t = task("TASK-r", "renamed", 0);
    put(
        &mut index,
        "editor",
        vec![update_at("tasks/wrong-name.yaml", t.clone())],
    );
    // git mv to the right name: delete + add of the same record.
    let n = index
        .apply(Refresh {
            updates: vec![update(t.clone())],
            deleted: vec!["tasks/wrong-name.yaml".into()],
            actor: "editor".into(),
            at: chrono::Utc::now(),
        })
        .expect("apply");
    assert_eq!(n, 0);
    assert_eq!(
        put(&mut index, "editor", vec![update_at("tasks/copy.yaml", t)]),
        0
    );
}
