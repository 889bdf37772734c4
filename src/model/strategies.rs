//! Property-test generators for records (test builds only): valid tasks with
//! text that stresses YAML — `: `, `#`, quotes, leading spaces, words YAML
//! reads as other types — shared by the loader, editor and merge fuzz
//! targets. Cases default to a quick run inside `cargo test`;
//! `PROPTEST_CASES=100000` makes the long one (docs/RELIABILITY.md).

use super::{Criterion, Entry, Priority, RecordId, Status, Task, TaskType};
use chrono::{DateTime, Utc};
use proptest::prelude::*;

/// The quick run's case count, unless `PROPTEST_CASES` says otherwise.
pub fn config(quick: u32) -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = quick;
    }
    // Found failures become named regression tests, not files on disk.
    c.failure_persistence = None;
    c
}

/// One line of text: mostly words, with YAML's special characters and words.
pub fn line() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-z]{1,8}",
        Just(": ".to_string()),
        Just(" #".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("null".to_string()),
        Just("123".to_string()),
        Just("yes".to_string()),
        Just("- ".to_string()),
        Just("&a *a".to_string()),
        Just("{x}".to_string()),
        Just("é ✓".to_string()),
        Just("\\".to_string()),
    ];
    proptest::collection::vec(piece, 1..6).prop_map(|parts| {
        let s = parts.concat();
        let t = s.trim();
        if t.is_empty() {
            "x".to_string()
        } else {
            t.to_string()
        }
    })
}

/// Free text of a few lines (descriptions).
pub fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(line(), 1..4).prop_map(|l| l.join("\n"))
}

fn time() -> impl Strategy<Value = DateTime<Utc>> {
    (0i64..400_000_000)
        .prop_map(|s| DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap_or_default())
}

fn id() -> impl Strategy<Value = RecordId> {
    "[a-z0-9]{5}".prop_filter_map("valid id", |s| RecordId::parse(&format!("TASK-{s}")).ok())
}

pub fn entry() -> impl Strategy<Value = Entry> {
    (time(), "[a-z]{1,8}", line()).prop_map(|(at, by, text)| Entry { at, by, text })
}

fn pick<T: Clone + std::fmt::Debug + 'static>(items: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(items)
}

/// A valid task (it passes `Task::validate`) with the given id.
pub fn task_with_id(task_id: RecordId) -> impl Strategy<Value = Task> {
    let scalars = (
        line(),
        pick(&[
            Status::Todo,
            Status::InProgress,
            Status::InReview,
            Status::Done,
        ]),
        pick(&[TaskType::Task, TaskType::Story, TaskType::Epic]),
        pick(&[
            Priority::Low,
            Priority::Medium,
            Priority::High,
            Priority::Critical,
        ]),
        proptest::option::of("[a-z]{1,8}"),
        0u8..=100,
        proptest::option::of(0u32..100),
        time(),
    );
    let lists = (
        proptest::collection::vec("[a-z]{1,6}", 0..3),
        proptest::collection::vec(id(), 0..3),
        proptest::option::of(text()),
        proptest::collection::vec((line(), any::<bool>()), 0..3),
        proptest::collection::vec(entry(), 0..3),
        proptest::collection::vec(entry(), 0..3),
    );
    (scalars, lists).prop_map(move |(s, l)| {
        let (title, status, kind, priority, assignee, progress, estimate, created) = s;
        let (mut labels, depends_on, description, criteria, clarifications, notes) = l;
        labels.sort();
        labels.dedup();
        let mut t = Task::new(task_id.clone(), title, created);
        t.status = status;
        t.kind = kind;
        t.priority = priority;
        t.assignee = assignee;
        t.progress = progress;
        t.estimate = estimate;
        t.labels = labels;
        t.depends_on = depends_on.into_iter().filter(|d| *d != t.id).collect();
        t.depends_on.dedup();
        t.description = description;
        t.acceptance_criteria = criteria
            .into_iter()
            .map(|(text, done)| Criterion { text, done })
            .collect();
        t.clarifications = clarifications;
        t.notes = notes;
        t
    })
}

/// A valid task with a fixed id.
pub fn task() -> impl Strategy<Value = Task> {
    task_with_id(RecordId::parse("TASK-7k2mq").expect("a valid id"))
}
