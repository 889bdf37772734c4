//! The bulk load of `index rebuild` against the incremental apply: after a
//! history of applies (creations, edits, deletions, a duplicate id, broken
//! files, the archive), a rebuild from the same files must leave every table
//! exactly as the applies left it — row for row, with row ids compared by the
//! path of the file they stand for (the two ways number rows differently).

use super::*;
use crate::model::{Priority, Status};
use rusqlite::types::Value;
use std::collections::HashMap;

/// Every derived table, each row as text with `rid` (or the full-text
/// table's `rowid`) replaced by its record's path, sorted.
fn dump(index: &Index) -> Vec<(String, Vec<String>)> {
    let conn = &index.conn;
    let mut paths: HashMap<i64, String> = HashMap::new();
    let mut stmt = conn.prepare("SELECT rid, path FROM records").unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    for row in rows {
        let (rid, path) = row.unwrap();
        paths.insert(rid, path);
    }
    // Every data table but the feed (only the applies write one).
    let tables = crate::index::schema::DATA_TABLES
        .iter()
        .filter(|t| **t != "changes");
    let mut out = Vec::new();
    let mut each = |name: &str, sql: &str| {
        let mut stmt = conn.prepare(sql).unwrap();
        let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let mut line = Vec::new();
                for (i, column) in columns.iter().enumerate() {
                    let value: Value = r.get(i)?;
                    let text = match (column.as_str(), value) {
                        ("rid", Value::Integer(rid)) => {
                            format!("@{}", paths.get(&rid).expect("a row of a record"))
                        }
                        (_, v) => format!("{v:?}"),
                    };
                    line.push(format!("{column}={text}"));
                }
                Ok(line.join(" "))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.sort();
        out.push((name.to_string(), rows));
    };
    for table in tables {
        each(table, &format!("SELECT * FROM {table}"));
    }
    each(
        "task_fts",
        "SELECT rowid AS rid, title, description, notes, clarifications FROM task_fts",
    );
    out
}

fn done(mut t: Task) -> Task {
    t.status = Status::Done;
    t
}

#[test]
fn a_rebuild_leaves_every_table_as_the_incremental_apply_left_it() {
    let (_dir, mut index) = fresh();
    let mut files: HashMap<String, FileUpdate> = HashMap::new();
    let mut apply = |index: &mut Index, updates: Vec<FileUpdate>, deleted: &[&str]| {
        for u in &updates {
            files.insert(u.path.clone(), u.clone());
        }
        for d in deleted {
            files.remove(*d);
        }
        index
            .apply(Refresh {
                updates,
                deleted: deleted.iter().map(|d| d.to_string()).collect(),
                actor: "editor".to_string(),
                at: chrono::Utc::now(),
            })
            .expect("apply");
    };
    // A first build: tasks with dependencies, labels, notes, a parent, a
    // sprint, sprints and a context.
    let mut first = Vec::new();
    for i in 0..40 {
        let mut t = task(&format!("TASK-r{i:03}"), &format!("task {i} café"), i);
        if i % 3 == 0 && i > 0 {
            t.depends_on = vec![id(&format!("TASK-r{:03}", i - 1)), id("TASK-ghost")];
        }
        // Readiness's corners: a dependency listed twice, on itself, on a
        // closed task (r001, r007), on a task whose only claimant is broken.
        if i == 8 || i == 16 {
            t.depends_on = [
                "TASK-r007",
                "TASK-r007",
                "TASK-r008",
                "TASK-r001",
                "TASK-r030",
            ]
            .map(id)
            .to_vec();
        }
        if i % 4 == 0 {
            t.labels = vec!["backend".into(), "Perf".into()];
        }
        if i % 5 == 0 {
            t.notes = vec![entry("alice", &format!("note {i}"), i)];
            t.clarifications = vec![entry("bob", "why?", i + 1)];
            t.description = Some(format!("described {i} 🚀"));
        }
        if i % 7 == 0 {
            t.priority = Priority::High;
            t.assignee = Some("claude".into());
            t.status = Status::InProgress;
        }
        if i % 6 == 1 {
            t = done(t);
        }
        if i > 10 && i % 9 == 0 {
            t.parent = Some(id("TASK-r001"));
            t.sprint = Some(id("SPRINT-one"));
        }
        first.push(update(t));
    }
    first.push(update(sprint(
        "SPRINT-one",
        SprintStatus::Active,
        Some("2026-11-01"),
    )));
    first.push(update(sprint("SPRINT-two", SprintStatus::Planned, None)));
    first.push(update(context("CTX-one", 3)));
    apply(&mut index, first, &[]);
    // Edits: a status change that unblocks, a retitle, a deletion, a move
    // into the archive, a duplicate id under another name, broken files (one
    // that claims the id of a record it used to hold).
    let mut second = vec![
        update(done(task("TASK-r002", "task 2 closed", 2))),
        update(task("TASK-r010", "task 10 retitled", 10)),
        update_at(
            "archive/tasks/TASK-r020.yaml",
            done(task("TASK-r020", "archived", 20)),
        ),
        // A copy that loses its id: its dependencies count for nothing.
        update_at("tasks/TASK-copy.yaml", {
            let mut copy = task("TASK-r005", "a copy", 50);
            copy.depends_on = vec![id("TASK-r004"), id("TASK-r006")];
            copy
        }),
        broken("tasks/TASK-junk.yaml", "not YAML"),
    ];
    let mut claimed = broken("tasks/TASK-r030.yaml", "broken by hand");
    claimed.claims = Some("TASK-r030".to_string());
    second.push(claimed);
    apply(
        &mut index,
        second,
        &["tasks/TASK-r011.yaml", "tasks/TASK-r020.yaml"],
    );
    apply(
        &mut index,
        vec![update(task("TASK-r012", "task 12 again", 12))],
        &["tasks/TASK-r013.yaml"],
    );
    let incremental = dump(&index);
    assert!(
        incremental
            .iter()
            .any(|(t, rows)| t == "files" && rows.iter().any(|r| r.contains("claims=Text"))),
        "the history holds a broken file that claims an id"
    );

    let mut all: Vec<FileUpdate> = files.into_values().collect();
    all.sort_by(|a, b| a.path.cmp(&b.path));
    let (_dir2, mut rebuilt) = fresh();
    assert_eq!(rebuild(&mut rebuilt, all.clone()), all.len());
    let bulk = dump(&rebuilt);
    for ((table, a), (_, b)) in incremental.iter().zip(&bulk) {
        let only_a: Vec<&String> = a.iter().filter(|r| !b.contains(r)).collect();
        let only_b: Vec<&String> = b.iter().filter(|r| !a.contains(r)).collect();
        assert!(
            a == b,
            "table {table}: only incremental {only_a:#?}, only rebuilt {only_b:#?}"
        );
    }
    // A rebuild over the incremental index itself (emptied first) too.
    rebuild(&mut index, all);
    assert_eq!(dump(&index), incremental);
}
