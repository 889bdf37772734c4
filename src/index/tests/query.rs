//! Queries: round trips, every filter, readiness, order, paging, full text.

use super::*;
use crate::model::{Priority, Status, TaskType};
use crate::model::{TaskQuery, TaskRef};

fn list(index: &Index, q: TaskQuery) -> Vec<String> {
    ids(&index.tasks(&q).expect("query").tasks)
}

#[test]
fn records_round_trip_through_the_index() {
    let (_dir, mut index) = fresh();
    let mut t = task("TASK-aaaaa", "Add password reset", 0);
    t.description = Some("POST /api/auth/reset\nsends a link".into());
    t.labels = vec!["auth".into(), "api".into()];
    t.depends_on = vec![id("TASK-bbbbb")];
    t.notes.push(entry("claude", "Completed endpoints", 5));
    t.clarifications.push(entry("alice", "Use OAuth2", 3));
    t.estimate = Some(3);
    let s = sprint("SPRINT-s1", SprintStatus::Active, Some("2026-11-02"));
    let c = context("CTX-c1", 10);
    put(
        &mut index,
        "editor",
        vec![update(t.clone()), update(s.clone()), update(c.clone())],
    );
    assert_eq!(index.task(&t.id).expect("task"), Some(t.clone()));
    assert_eq!(index.task(&id("TASK-zzzzz")).expect("task"), None);
    assert_eq!(index.sprint(&s.id).expect("sprint"), Some(s.clone()));
    assert_eq!(index.sprints().expect("sprints"), vec![s.clone()]);
    assert_eq!(index.active_sprint().expect("active"), Some(s));
    assert_eq!(index.context(&c.id).expect("context"), Some(c.clone()));
    assert_eq!(index.contexts(0).expect("contexts"), vec![c]);
    // A sprint id is not a task.
    assert_eq!(index.task(&id("SPRINT-s1")).expect("task"), None);
}

fn filter_fixture() -> (tempfile::TempDir, Index) {
    let (dir, mut index) = fresh();
    let mut a = task("TASK-a1", "Alpha login page", 0);
    a.status = Status::InProgress;
    a.assignee = Some("claude".into());
    a.labels = vec!["auth".into()];
    a.priority = Priority::High;
    a.sprint = Some(id("SPRINT-s1"));
    let mut b = task("TASK-b2", "Beta billing export", 1);
    b.kind = TaskType::Story;
    b.labels = vec!["Billing".into(), "auth".into()];
    b.assignee = Some("Alice".into());
    b.description = Some("Export invoices as CSV".into());
    let mut c = task("TASK-c3", "Gamma cleanup", 2);
    c.status = Status::Done;
    c.parent = Some(id("TASK-b2"));
    c.priority = Priority::Low;
    c.notes.push(entry("bob", "Removed the legacy cron job", 9));
    let mut d = task("TASK-d4", "Delta docs", 3);
    d.parent = Some(id("TASK-b2"));
    d.kind = TaskType::Subtask;
    d.sprint = Some(id("SPRINT-s1"));
    d.clarifications
        .push(entry("alice", "Mention the websocket API", 8));
    put(
        &mut index,
        "editor",
        vec![update(a), update(b), update(c), update(d)],
    );
    (dir, index)
}

#[test]
fn every_filter_narrows_the_list() {
    let (_dir, index) = filter_fixture();
    let all = list(&index, TaskQuery::default());
    assert_eq!(all.len(), 4);
    let q = |f: fn(&mut TaskQuery)| {
        let mut q = TaskQuery::default();
        f(&mut q);
        let mut got = list(&index, q);
        got.sort();
        got
    };
    assert_eq!(q(|q| q.status = vec![Status::Done]), ["TASK-c3"]);
    assert_eq!(
        q(|q| q.status = vec![Status::Done, Status::InProgress]),
        ["TASK-a1", "TASK-c3"]
    );
    assert_eq!(q(|q| q.assignee = Some("alice".into())), ["TASK-b2"]);
    assert_eq!(q(|q| q.kind = vec![TaskType::Subtask]), ["TASK-d4"]);
    assert_eq!(
        q(|q| q.kind = vec![TaskType::Subtask, TaskType::Story]),
        ["TASK-b2", "TASK-d4"]
    );
    assert_eq!(q(|q| q.priority = vec![Priority::Low]), ["TASK-c3"]);
    assert_eq!(
        q(|q| q.labels = vec!["AUTH".into()]),
        ["TASK-a1", "TASK-b2"]
    );
    assert_eq!(q(|q| q.labels = vec!["billing".into()]), ["TASK-b2"]);
    assert_eq!(
        q(|q| q.sprint = Some(id("SPRINT-s1"))),
        ["TASK-a1", "TASK-d4"]
    );
    assert_eq!(
        q(|q| q.parent = Some(id("TASK-b2"))),
        ["TASK-c3", "TASK-d4"]
    );
    assert_eq!(q(|q| q.query = Some("invoices".into())), ["TASK-b2"]);
    assert_eq!(q(|q| q.query = Some("legacy cron".into())), ["TASK-c3"]);
    assert_eq!(q(|q| q.query = Some("websock".into())), ["TASK-d4"]);
    assert_eq!(q(|q| q.query = Some("login".into())), ["TASK-a1"]);
    assert!(q(|q| q.query = Some("login billing".into())).is_empty());
    assert!(q(|q| q.labels = vec!["nope".into()]).is_empty());
    // Filters combine.
    assert_eq!(
        q(|q| {
            q.labels = vec!["auth".into()];
            q.status = vec![Status::Todo];
        }),
        ["TASK-b2"]
    );
}

#[test]
fn hostile_search_input_is_never_a_syntax_error() {
    let (_dir, index) = filter_fixture();
    for input in [
        "foo\"",
        "AND(",
        "\"",
        "*",
        "NEAR(a b)",
        "title:x",
        "-x",
        "^beta",
        "a OR",
        "(",
        ")",
        "'",
        "\\",
        "🚀",
        "beta*",
        "\"beta\"",
        "NOT",
        "{title}: beta",
        "\u{0}",
    ] {
        let q = TaskQuery {
            query: Some(input.into()),
            ..Default::default()
        };
        let page = index.tasks(&q);
        assert!(page.is_ok(), "{input:?}: {page:?}");
    }
    let found = list(
        &index,
        TaskQuery {
            query: Some("\"beta\" AND(".into()),
            ..Default::default()
        },
    );
    // "AND" is a word here, not an operator: nothing has both words.
    assert!(found.is_empty(), "{found:?}");
    // A quote is text to contain, not syntax: no task holds `beta"`.
    let found = list(
        &index,
        TaskQuery {
            query: Some("beta\"".into()),
            ..Default::default()
        },
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_search_for_symbols_or_cjk_finds_the_tasks_containing_them() {
    let (_dir, mut index) = fresh();
    let mut tasks = vec![
        task("TASK-e1", "🚀 Launch the 日本語タイトル page", 0),
        task("TASK-e2", "Fix #12 in the C++ build", 1),
        task("TASK-e3", "Plain words only", 2),
    ];
    tasks[2]
        .notes
        .push(entry("bob", "Mentions x-ray and Straße#5", 4));
    put(
        &mut index,
        "editor",
        tasks.into_iter().map(update).collect(),
    );
    let search = |words: &str| {
        let page = index
            .tasks(&TaskQuery {
                query: Some(words.into()),
                ..Default::default()
            })
            .expect("query");
        let mut got = ids(&page.tasks);
        got.sort();
        assert_eq!(page.total, got.len(), "{words}");
        got
    };
    assert_eq!(search("🚀"), ["TASK-e1"]);
    assert_eq!(search("タイトル"), ["TASK-e1"]);
    assert_eq!(search("日本語"), ["TASK-e1"]);
    assert_eq!(search("#"), ["TASK-e2", "TASK-e3"]);
    assert_eq!(search("#12"), ["TASK-e2"]);
    assert_eq!(search("c++ FIX"), ["TASK-e2"]);
    assert_eq!(search("X-Ray"), ["TASK-e3"]);
    assert_eq!(search("straße#5"), ["TASK-e3"]);
    assert!(search("📝").is_empty());
    assert!(search("#13").is_empty());
    assert_eq!(search("launch 🚀"), ["TASK-e1"]);
}

#[test]
fn paging_reports_total_and_next_offset() {
    let (_dir, mut index) = fresh();
    let tasks: Vec<_> = (0..7)
        .map(|i| update(task(&format!("TASK-p{i}"), "paged", i)))
        .collect();
    put(&mut index, "editor", tasks);
    let page = |limit, offset| {
        index
            .tasks(&TaskQuery {
                limit,
                offset,
                ..Default::default()
            })
            .expect("page")
    };
    let p1 = page(3, 0);
    assert_eq!(
        (ids(&p1.tasks), p1.total, p1.next_offset),
        (
            vec!["TASK-p0".into(), "TASK-p1".into(), "TASK-p2".into()],
            7,
            Some(3)
        )
    );
    let p3 = page(3, 6);
    assert_eq!(
        (ids(&p3.tasks), p3.total, p3.next_offset),
        (vec!["TASK-p6".to_string()], 7, None)
    );
    let exact = page(7, 0);
    assert_eq!((exact.tasks.len(), exact.next_offset), (7, None));
    let all = page(0, 2);
    assert_eq!((all.tasks.len(), all.total, all.next_offset), (5, 7, None));
    let past = page(3, 100);
    assert_eq!(
        (past.tasks.len(), past.total, past.next_offset),
        (0, 7, None)
    );
}

#[test]
fn links_counts_and_similar_ids() {
    let (_dir, index) = filter_fixture();
    let children = index.children(&id("TASK-b2")).expect("children");
    let mut child_ids: Vec<_> = children.iter().map(|r| r.id.to_string()).collect();
    child_ids.sort();
    assert_eq!(child_ids, ["TASK-c3", "TASK-d4"]);
    assert!(children.contains(&TaskRef {
        id: id("TASK-c3"),
        title: "Gamma cleanup".into(),
        status: Status::Done
    }));
    assert!(index.dependents(&id("TASK-b2")).expect("deps").is_empty());
    let counts = index.status_counts().expect("counts");
    assert_eq!(counts.len(), Status::ALL.len());
    let n = |s| counts.iter().find(|(st, _)| *st == s).map(|(_, n)| *n);
    assert_eq!(n(Status::Todo), Some(2));
    assert_eq!(n(Status::InProgress), Some(1));
    assert_eq!(n(Status::Done), Some(1));
    assert_eq!(n(Status::Blocked), Some(0));
}

#[test]
fn similar_ids_suggest_typos_and_shortened_ids() {
    let (_dir, mut index) = fresh();
    put(
        &mut index,
        "editor",
        vec![
            update(task("TASK-7k2mq", "a", 0)),
            update(task("TASK-7k2mz", "b", 0)),
            update(task("TASK-p2c8d", "c", 0)),
            update(sprint("SPRINT-7k2mq", SprintStatus::Planned, None)),
        ],
    );
    let similar = |s| {
        index
            .similar_ids(s)
            .expect("similar")
            .into_iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(similar("TASK-7k2qm"), ["TASK-7k2mq", "TASK-7k2mz"]);
    assert_eq!(similar("task-7K2"), ["TASK-7k2mq", "TASK-7k2mz"]);
    assert_eq!(
        similar("7k2mq"),
        ["SPRINT-7k2mq", "TASK-7k2mq", "TASK-7k2mz"]
    );
    assert_eq!(similar("TASK-p2c8"), ["TASK-p2c8d"]);
    assert!(similar("TASK-zzzzz").is_empty());
    assert!(similar("TASK-").is_empty());
    // Two letters are too short to guess from by edits.
    assert!(similar("TASK-zq").is_empty());
}

#[test]
fn dependents_are_listed() {
    let (_dir, mut index) = fresh();
    let base = task("TASK-base", "base", 0);
    let mut x = task("TASK-x", "x", 1);
    x.depends_on = vec![base.id.clone()];
    put(&mut index, "editor", vec![update(base.clone()), update(x)]);
    let deps = index.dependents(&base.id).expect("dependents");
    assert_eq!(
        deps.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(),
        ["TASK-x"]
    );
}

#[test]
fn sprints_and_contexts_are_ordered() {
    let (_dir, mut index) = fresh();
    let early = sprint("SPRINT-e", SprintStatus::Active, Some("2026-10-01"));
    let late = sprint("SPRINT-l", SprintStatus::Active, Some("2026-11-01"));
    let planned = sprint("SPRINT-p", SprintStatus::Planned, None);
    let c_old = context("CTX-old", 0);
    let c_new = context("CTX-new", 60);
    let c_mid = context("CTX-mid", 30);
    put(
        &mut index,
        "editor",
        vec![
            update(planned.clone()),
            update(late.clone()),
            update(early.clone()),
            update(c_old),
            update(c_new),
            update(c_mid),
        ],
    );
    assert_eq!(
        index.active_sprint().expect("active").map(|s| s.id),
        Some(late.id.clone())
    );
    let order: Vec<_> = index
        .sprints()
        .expect("sprints")
        .into_iter()
        .map(|s| s.id.to_string())
        .collect();
    assert_eq!(order, ["SPRINT-e", "SPRINT-l", "SPRINT-p"]);
    let ctx: Vec<_> = index
        .contexts(2)
        .expect("contexts")
        .into_iter()
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(ctx, ["CTX-new", "CTX-mid"]);
    assert_eq!(index.contexts(0).expect("contexts").len(), 3);
}

#[test]
fn a_duplicate_id_serves_one_record_and_the_other_takes_over() {
    let (_dir, mut index) = fresh();
    let real = task("TASK-dup", "the real one", 0);
    let copy = task("TASK-dup", "a stray copy", 0);
    put(
        &mut index,
        "editor",
        vec![
            update_at("tasks/TASK-copy.yaml", copy.clone()),
            update(real.clone()),
        ],
    );
    assert_eq!(
        index.task(&real.id).expect("task").map(|t| t.title),
        Some("the real one".into())
    );
    assert_eq!(index.tasks(&TaskQuery::default()).expect("list").total, 1);
    assert_eq!(
        index.path_of(&real.id).expect("path").as_deref(),
        Some("tasks/TASK-dup.yaml")
    );
    delete(&mut index, "editor", &["tasks/TASK-dup.yaml"]);
    assert_eq!(
        index.task(&real.id).expect("task").map(|t| t.title),
        Some("a stray copy".into())
    );
    assert_eq!(
        index.path_of(&real.id).expect("path").as_deref(),
        Some("tasks/TASK-copy.yaml")
    );
    delete(&mut index, "editor", &["tasks/TASK-copy.yaml"]);
    assert_eq!(index.task(&real.id).expect("task"), None);
    assert_eq!(index.path_of(&real.id).expect("path"), None);
}

#[test]
fn a_file_listed_twice_in_one_refresh_keeps_the_last_version() {
    let (_dir, mut index) = fresh();
    put(
        &mut index,
        "editor",
        vec![
            update(task("TASK-x", "first", 0)),
            update(task("TASK-x", "second", 0)),
        ],
    );
    assert_eq!(
        index.task(&id("TASK-x")).expect("task").map(|t| t.title),
        Some("second".into())
    );
    assert_eq!(index.stamps().expect("stamps").len(), 1);
    let found = |word: &str| {
        index
            .tasks(&TaskQuery {
                query: Some(word.into()),
                ..Default::default()
            })
            .expect("search")
            .total
    };
    assert_eq!((found("second"), found("first")), (1, 0));
}

#[test]
fn a_file_that_stops_parsing_leaves_the_lists() {
    let (_dir, mut index) = fresh();
    put(&mut index, "editor", vec![update(task("TASK-x", "x", 0))]);
    put(
        &mut index,
        "editor",
        vec![broken("tasks/TASK-x.yaml", "bad YAML")],
    );
    assert_eq!(index.task(&id("TASK-x")).expect("task"), None);
    assert_eq!(index.tasks(&TaskQuery::default()).expect("list").total, 0);
    assert!(
        index
            .stamps()
            .expect("stamps")
            .contains_key("tasks/TASK-x.yaml")
    );
}

#[test]
fn task_outlines_carry_every_field_insights_read_in_list_order() {
    let (_dir, mut index) = fresh();
    let mut a = task("TASK-aaaaa", "First", 0);
    a.status = Status::Done;
    a.priority = Priority::High;
    a.kind = TaskType::Story;
    a.assignee = Some("claude".into());
    a.parent = Some(id("TASK-ccccc"));
    a.sprint = Some(id("SPRINT-s1"));
    a.estimate = Some(5);
    a.progress = 100;
    a.started = Some(t0() + Duration::minutes(30));
    a.closed = Some(t0() + Duration::milliseconds(90_123));
    // Dependencies keep the record's order, not the table's sorted one.
    a.depends_on = vec![id("TASK-zzzzz"), id("TASK-bbbbb"), id("TASK-zzzzz")];
    a.labels = vec!["auth".into()];
    a.description = Some("long text".into());
    a.notes.push(entry("bob", "a note", 9));
    let mut b = task("TASK-bbbbb", "Second", 1);
    b.priority = Priority::Critical;
    let c = task("TASK-ccccc", "Third", 2);
    put(
        &mut index,
        "editor",
        vec![update(a.clone()), update(b), update(c)],
    );
    let full = index
        .tasks(&TaskQuery {
            limit: 0,
            ..TaskQuery::default()
        })
        .expect("tasks")
        .tasks;
    let expected: Vec<crate::model::Task> = full
        .into_iter()
        .map(|mut t| {
            t.labels.clear();
            t.description = None;
            t.acceptance_criteria.clear();
            t.clarifications.clear();
            t.notes.clear();
            let mut seen = std::collections::HashSet::new();
            t.depends_on.retain(|d| seen.insert(d.clone()));
            t
        })
        .collect();
    let outlines = index.task_outlines().expect("outlines");
    assert_eq!(ids(&outlines), ["TASK-bbbbb", "TASK-ccccc", "TASK-aaaaa"]);
    assert_eq!(outlines, expected);
    assert_eq!(outlines[2].depends_on, [id("TASK-zzzzz"), id("TASK-bbbbb")]);
}

/// A search's total is the number of tasks it matches in each archive scope,
/// whether the archive is empty (the count comes from the full-text rows
/// alone) or not (each match's task is looked at).
#[test]
fn a_search_total_counts_its_matches_with_and_without_an_archive() {
    use crate::model::ArchiveScope;
    let (_dir, mut index) = fresh();
    let mut live = Vec::new();
    for i in 0..7 {
        let word = if i % 2 == 0 { "postgres" } else { "redis" };
        live.push(update(task(
            &format!("TASK-l{i}"),
            &format!("{word} work {i}"),
            i,
        )));
    }
    put(&mut index, "editor", live);
    let total = |index: &Index, scope: ArchiveScope| {
        let page = index
            .tasks(&TaskQuery {
                query: Some("postgres".into()),
                archived: scope,
                limit: 1,
                ..TaskQuery::default()
            })
            .expect("search");
        page.total
    };
    assert_eq!(total(&index, ArchiveScope::Live), 4);
    assert_eq!(total(&index, ArchiveScope::All), 4);
    assert_eq!(total(&index, ArchiveScope::Archived), 0);
    let mut done = task("TASK-a1", "postgres archived", 20);
    done.status = Status::Done;
    put(
        &mut index,
        "editor",
        vec![update_at("archive/tasks/TASK-a1.yaml", done)],
    );
    assert_eq!(total(&index, ArchiveScope::Live), 4);
    assert_eq!(total(&index, ArchiveScope::All), 5);
    assert_eq!(total(&index, ArchiveScope::Archived), 1);
}

#[test]
fn latest_context_of_a_kind_skips_newer_contexts_of_the_other_kind() {
    use crate::model::ContextKind;
    let (_dir, mut index) = fresh();
    assert_eq!(
        index.latest_context(ContextKind::Handoff).expect("latest"),
        None
    );
    let mut old_handoff = context("CTX-h1", 1);
    old_handoff.kind = ContextKind::Handoff;
    let mut handoff = context("CTX-h2", 5);
    handoff.kind = ContextKind::Handoff;
    let snapshot = context("CTX-s1", 9);
    put(
        &mut index,
        "editor",
        vec![
            update(old_handoff),
            update(handoff.clone()),
            update(snapshot.clone()),
        ],
    );
    assert_eq!(
        index.latest_context(ContextKind::Handoff).expect("latest"),
        Some(handoff)
    );
    assert_eq!(
        index.latest_context(ContextKind::Snapshot).expect("latest"),
        Some(snapshot)
    );
}

/// A search walks the list order when it has many matches and looks up each
/// match when it has few (`search_in_order`); either way a page is the slice
/// of the whole sorted list of matches, with the same total and next offset.
#[test]
fn a_search_gives_the_same_pages_whichever_way_it_walks() {
    use crate::model::ArchiveScope;
    let (_dir, mut index) = fresh();
    let mut rand = xorshift(0x5851_f42d_4c95_7f2d);
    let mut updates = Vec::new();
    for i in 0..400 {
        let rare = if rand(40) == 0 { " rare" } else { "" };
        let common = if rand(10) < 8 { " common" } else { "" };
        let mut t = task(&format!("TASK-s{i:03}"), &format!("task{common}{rare}"), i);
        t.priority = Priority::ALL[rand(Priority::ALL.len() as u64) as usize];
        t.status = [Status::Todo, Status::InProgress, Status::Done][rand(3) as usize];
        if i > 0 && rand(4) == 0 {
            t.depends_on = vec![id(&format!("TASK-s{:03}", rand(i as u64)))];
        }
        let path = if rand(5) == 0 && t.status == Status::Done {
            format!("archive/tasks/{}.yaml", t.id)
        } else {
            format!("tasks/{}.yaml", t.id)
        };
        updates.push(update_at(&path, t));
    }
    put(&mut index, "editor", updates);
    let mut walked = [0, 0];
    for word in ["common", "rare", "task common"] {
        for scope in [
            ArchiveScope::Live,
            ArchiveScope::Archived,
            ArchiveScope::All,
        ] {
            let q = |offset, limit| TaskQuery {
                query: Some(word.into()),
                archived: scope,
                offset,
                limit,
                ..TaskQuery::default()
            };
            let all = index.tasks(&q(0, 0)).expect("whole search");
            assert_eq!(all.total, all.tasks.len());
            for (offset, limit) in [(0, 1), (0, 5), (0, 50), (3, 7), (40, 20), (390, 50)] {
                let expr = crate::index::fts::Search::parse(word)
                    .and_then(|s| s.words)
                    .expect("words");
                let n = index.match_count(&expr).expect("count");
                walked[usize::from(index.search_in_order(&q(offset, limit), n).expect("plan"))] +=
                    1;
                let page = index.tasks(&q(offset, limit)).expect("page");
                let want: Vec<_> = all.tasks.iter().skip(offset).take(limit).collect();
                assert_eq!(
                    page.tasks.iter().collect::<Vec<_>>(),
                    want,
                    "{word:?} {scope:?} {offset}+{limit}"
                );
                assert_eq!(page.total, all.total, "{word:?} {scope:?}");
                let end = offset + page.tasks.len();
                assert_eq!(page.next_offset, (end < all.total).then_some(end));
            }
        }
    }
    assert!(
        walked[0] > 0 && walked[1] > 0,
        "both ways must be taken (by lookup, in order): {walked:?}"
    );
}

#[test]
fn list_outlines_hold_the_table_fields_of_the_same_pages() {
    let (_dir, mut index) = fresh();
    let mut rand = xorshift(0x2545_f491_4f6c_dd1d);
    let mut updates = Vec::new();
    for i in 0..120 {
        let word = if rand(3) == 0 { " common" } else { "" };
        let mut t = task(&format!("TASK-o{i:03}"), &format!("task {i}{word} ü"), i);
        t.priority = Priority::ALL[rand(Priority::ALL.len() as u64) as usize];
        t.status = [Status::Todo, Status::InProgress, Status::Done][rand(3) as usize];
        t.kind = [TaskType::Task, TaskType::Story, TaskType::Epic][rand(3) as usize];
        t.assignee = (rand(2) == 0).then(|| format!("agent{}", rand(3)));
        t.progress = rand(101) as u8;
        t.description = Some("described".into());
        t.notes = vec![entry("alice", "a note", i)];
        if i > 0 && rand(4) == 0 {
            t.depends_on = vec![id(&format!("TASK-o{:03}", rand(i as u64)))];
        }
        updates.push(update(t));
    }
    put(&mut index, "editor", updates);
    let columns = |t: &Task| {
        (
            t.id.clone(),
            t.title.clone(),
            t.created,
            t.status,
            t.kind,
            t.priority,
            t.assignee.clone(),
            t.progress,
        )
    };
    let queries = [
        TaskQuery::default(),
        TaskQuery {
            query: Some("common".into()),
            ..TaskQuery::default()
        },
        TaskQuery {
            ready: true,
            ..TaskQuery::default()
        },
        TaskQuery {
            status: vec![Status::InProgress],
            limit: 7,
            offset: 3,
            ..TaskQuery::default()
        },
    ];
    for q in queries {
        let full = index.tasks(&q).expect("page");
        let outlines = index.task_list_outlines(&q).expect("outlines");
        assert!(!full.tasks.is_empty(), "{q:?}");
        assert_eq!(outlines.total, full.total);
        assert_eq!(outlines.next_offset, full.next_offset);
        assert_eq!(
            outlines.tasks.iter().map(columns).collect::<Vec<_>>(),
            full.tasks.iter().map(columns).collect::<Vec<_>>(),
            "{q:?}"
        );
    }
}
