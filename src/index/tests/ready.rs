//! Readiness and the default order, including the denormalized columns that
//! keep both fast, checked against a full recount.

use super::*;
use crate::model::TaskQuery;
use crate::model::{Priority, Status};

fn list(index: &Index, q: TaskQuery) -> Vec<String> {
    ids(&index.tasks(&q).expect("query").tasks)
}

#[test]
fn ready_means_todo_with_every_dependency_closed() {
    let (_dir, mut index) = fresh();
    let done = {
        let mut t = task("TASK-done", "done", 0);
        t.status = Status::Done;
        t
    };
    let cancelled = {
        let mut t = task("TASK-canc", "cancelled", 0);
        t.status = Status::Cancelled;
        t
    };
    let open = task("TASK-open", "open dependency", 0);
    let mut ok = task("TASK-ok", "deps closed", 1);
    ok.depends_on = vec![done.id.clone(), cancelled.id.clone()];
    let mut waits = task("TASK-waits", "waits for open", 2);
    waits.depends_on = vec![done.id.clone(), open.id.clone()];
    let mut dangling = task("TASK-dang", "depends on nothing real", 3);
    dangling.depends_on = vec![id("TASK-ghost")];
    let mut mine = task("TASK-mine", "my in-progress work", 4);
    mine.status = Status::InProgress;
    mine.assignee = Some("claude".into());
    let mut theirs = task("TASK-theirs", "someone else's", 5);
    theirs.status = Status::InProgress;
    theirs.assignee = Some("alice".into());
    put(
        &mut index,
        "editor",
        [
            &done, &cancelled, &open, &ok, &waits, &dangling, &mine, &theirs,
        ]
        .into_iter()
        .map(|t| update(t.clone()))
        .collect(),
    );
    let ready = |index: &Index, me: Option<&str>| {
        let mut got = list(
            index,
            TaskQuery {
                ready: true,
                ready_for: me.map(str::to_string),
                ..Default::default()
            },
        );
        got.sort();
        got
    };
    assert_eq!(ready(&index, None), ["TASK-ok", "TASK-open"]);
    assert_eq!(
        ready(&index, Some("claude")),
        ["TASK-mine", "TASK-ok", "TASK-open"]
    );

    // Finishing the open dependency frees its dependent, in a later refresh.
    let mut open_done = open.clone();
    open_done.status = Status::Done;
    put(&mut index, "editor", vec![update(open_done)]);
    assert_eq!(ready(&index, None), ["TASK-ok", "TASK-waits"]);

    // The dangling dependency appearing, closed, frees that task too.
    let mut ghost = task("TASK-ghost", "now exists", 9);
    ghost.status = Status::Cancelled;
    put(&mut index, "editor", vec![update(ghost)]);
    assert_eq!(ready(&index, None), ["TASK-dang", "TASK-ok", "TASK-waits"]);

    // Deleting a dependency makes it dangling again: not done.
    delete(&mut index, "editor", &["tasks/TASK-done.yaml"]);
    assert_eq!(ready(&index, None), ["TASK-dang"]);
}

#[test]
fn default_order_is_open_first_then_priority_then_unblocked_work_then_age_then_id() {
    let (_dir, mut index) = fresh();
    let mut crit = task("TASK-crit", "critical, newest", 50);
    crit.priority = Priority::Critical;
    let old = task("TASK-old", "medium, oldest", 0);
    let blocker = task("TASK-blk", "medium, blocks two", 20);
    let mut w1 = task("TASK-w1", "waits", 30);
    w1.depends_on = vec![blocker.id.clone()];
    w1.priority = Priority::Low;
    let mut w2 = task("TASK-w2", "waits too", 30);
    w2.depends_on = vec![blocker.id.clone()];
    w2.priority = Priority::Low;
    let same_time_a = task("TASK-aa", "medium, same time", 10);
    let same_time_b = task("TASK-ab", "medium, same time", 10);
    let mut finished = task("TASK-fin", "critical but done", 0);
    finished.priority = Priority::Critical;
    finished.status = Status::Done;
    put(
        &mut index,
        "editor",
        [
            &crit,
            &old,
            &blocker,
            &w1,
            &w2,
            &same_time_b,
            &same_time_a,
            &finished,
        ]
        .into_iter()
        .map(|t| update(t.clone()))
        .collect(),
    );
    let order = list(&index, TaskQuery::default());
    assert_eq!(
        order,
        [
            "TASK-crit",
            "TASK-blk",
            "TASK-old",
            "TASK-aa",
            "TASK-ab",
            "TASK-w1",
            "TASK-w2",
            "TASK-fin"
        ]
    );
    // Once its dependents are done, the blocker unblocks nothing and sorts by age.
    let mut w1_done = w1.clone();
    w1_done.status = Status::Done;
    let mut w2_done = w2.clone();
    w2_done.status = Status::Cancelled;
    put(&mut index, "editor", vec![update(w1_done), update(w2_done)]);
    let order = list(&index, TaskQuery::default());
    assert_eq!(
        order,
        [
            "TASK-crit",
            "TASK-old",
            "TASK-aa",
            "TASK-ab",
            "TASK-blk",
            "TASK-fin",
            "TASK-w1",
            "TASK-w2"
        ]
    );
}

/// The readiness columns kept up to date row by row must equal a full
/// recomputation after any sequence of small refreshes.
#[test]
fn incremental_readiness_matches_a_full_recount() {
    let (_dir, mut index) = fresh();
    let mut rand = xorshift(0x9e37_79b9_7f4a_7c15);
    let n = 40;
    let name = |i: u64| format!("TASK-r{i}");
    let make = |i: u64, rand: &mut dyn FnMut(u64) -> u64| {
        let mut t = task(&name(i), "random", i as i64);
        t.status = [
            Status::Todo,
            Status::Done,
            Status::InProgress,
            Status::Cancelled,
        ][rand(4) as usize];
        // Dependencies may point past the end: dangling until created.
        t.depends_on = (0..rand(3)).map(|_| id(&name(rand(n + 5)))).collect();
        t
    };
    let initial: Vec<_> = (0..n).map(|i| update(make(i, &mut rand))).collect();
    put(&mut index, "editor", initial);
    let recount = |index: &Index| -> Vec<(String, i64, i64, i64, i64)> {
        let mut stmt = index
            .conn
            .prepare(
                "SELECT t.id, t.open_deps, t.unblocks,
                   (SELECT count(*) FROM task_deps d LEFT JOIN tasks t2 ON t2.id = d.dep
                     WHERE d.rid = t.rid AND coalesce(t2.closed, 0) = 0),
                   (SELECT count(*) FROM task_deps d JOIN tasks t2 ON t2.rid = d.rid
                     WHERE d.dep = t.id AND t2.closed = 0)
                 FROM tasks t ORDER BY t.id",
            )
            .expect("prepare");
        stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
    };
    for step in 0..150 {
        let i = rand(n + 5);
        if rand(5) == 0 {
            delete(&mut index, "editor", &[&format!("tasks/{}.yaml", name(i))]);
        } else {
            put(&mut index, "editor", vec![update(make(i, &mut rand))]);
        }
        for (tid, open, unblocks, want_open, want_unblocks) in recount(&index) {
            assert_eq!(
                (open, unblocks),
                (want_open, want_unblocks),
                "{tid} after step {step}"
            );
        }
    }
}

/// `task_counts`, kept by triggers, must equal a count of the rows after any
/// sequence of creations, status changes, moves into the archive and
/// deletions, and after a clear; a list's total must be that count.
#[test]
fn task_counts_kept_by_triggers_equal_a_count_of_the_rows() {
    let (_dir, mut index) = fresh();
    let mut rand = xorshift(0x2545_f491_4f6c_dd1d);
    let name = |i: u64| format!("TASK-c{i}");
    let kept = |index: &Index| -> Vec<(i64, String, i64)> {
        let mut stmt = index
            .conn
            .prepare("SELECT archived, status, n FROM task_counts WHERE n <> 0 ORDER BY 1, 2")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    let counted = |index: &Index| -> Vec<(i64, String, i64)> {
        let mut stmt = index
            .conn
            .prepare("SELECT archived, status, count(*) FROM tasks GROUP BY 1, 2 ORDER BY 1, 2")
            .expect("prepare");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    };
    let statuses = [
        Status::Todo,
        Status::InProgress,
        Status::Done,
        Status::Cancelled,
    ];
    for step in 0..200 {
        let i = rand(30);
        let live = format!("tasks/{}.yaml", name(i));
        let archived = format!("archive/tasks/{}.yaml", name(i));
        match rand(6) {
            0 => {
                delete(&mut index, "editor", &[&live, &archived]);
            }
            1 => {
                // Moved into the archive: gone from tasks/, present under archive/.
                let mut t = task(&name(i), "archived", i as i64);
                t.status = Status::Done;
                delete(&mut index, "editor", &[&live]);
                put(&mut index, "editor", vec![update_at(&archived, t)]);
            }
            _ => {
                let mut t = task(&name(i), "live", i as i64);
                t.status = statuses[rand(4) as usize];
                delete(&mut index, "editor", &[&archived]);
                put(&mut index, "editor", vec![update_at(&live, t)]);
            }
        }
        assert_eq!(kept(&index), counted(&index), "after step {step}");
        let page = index
            .tasks(&TaskQuery {
                limit: 5,
                ..TaskQuery::default()
            })
            .expect("list");
        let live_rows: i64 = counted(&index)
            .iter()
            .filter(|(a, _, _)| *a == 0)
            .map(|(_, _, n)| n)
            .sum();
        assert_eq!(page.total as i64, live_rows, "list total after step {step}");
    }
    assert!(!kept(&index).is_empty());
    rebuild(&mut index, Vec::new());
    assert_eq!(kept(&index), Vec::new());
    // A rebuild drops the triggers to empty `tasks` fast: they must be back.
    put(
        &mut index,
        "editor",
        vec![update(task("TASK-after", "after", 1))],
    );
    assert_eq!(kept(&index), vec![(0, "TODO".to_string(), 1)]);
}
