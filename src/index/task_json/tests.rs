//! The hand-written task JSON against `serde_json` of the same record: any
//! text (control characters, quotes, backslashes, non-ASCII), every field
//! set or not, and timestamps at every precision chrono writes.

use super::task_json;
use crate::model::strategies::config;
use crate::model::{Criterion, Entry, Priority, Record, RecordId, Status, Task, TaskType};
use chrono::{DateTime, Utc};
use proptest::prelude::*;

fn serde(task: &Task) -> String {
    serde_json::to_string(&Record::Task(task.clone())).unwrap()
}

/// Whole seconds, millis, micros, nanos, a leap second, and years chrono
/// writes with a sign (before 0, after 9999).
fn time() -> impl Strategy<Value = DateTime<Utc>> {
    let nanos = prop_oneof![
        Just(0u32),
        (1u32..1000).prop_map(|m| m * 1_000_000),
        (1u32..1_000_000).prop_map(|u| u * 1_000),
        0u32..1_000_000_000,
    ];
    prop_oneof![
        8 => (0i64..4_000_000_000, nanos).prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap()),
        1 => (-70_000_000_000i64..300_000_000_000, 0u32..1_000_000_000)
            .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap()),
        1 => (0i64..60_000_000, 1_000_000_000u32..2_000_000_000)
            .prop_map(|(m, n)| DateTime::from_timestamp(m * 60 + 59, n).unwrap()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,12}",
        any::<String>(),
        "[\\x00-\\x7f]{0,12}",
        Just("\"quoted\" \\ back\u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f} é ✓ 🚀".to_string()),
    ]
}

fn id() -> impl Strategy<Value = RecordId> {
    "[a-z0-9]{1,8}".prop_map(|s| RecordId::parse(&format!("TASK-{s}")).unwrap())
}

fn entry() -> impl Strategy<Value = Entry> {
    (time(), text(), text()).prop_map(|(at, by, text)| Entry { at, by, text })
}

fn any_task() -> impl Strategy<Value = Task> {
    let scalars = (
        (id(), text(), time()),
        proptest::sample::select(&[Status::Todo, Status::InProgress, Status::Done][..]),
        proptest::sample::select(&[TaskType::Task, TaskType::Epic][..]),
        proptest::sample::select(&[Priority::Low, Priority::Critical][..]),
        proptest::option::of(id()),
        proptest::option::of(text()),
        any::<u8>(),
        proptest::option::of(any::<u32>()),
        proptest::option::of(id()),
    );
    let lists = (
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(id(), 0..3),
        (proptest::option::of(time()), proptest::option::of(time())),
        (proptest::option::of(text()), proptest::option::of(text())),
        proptest::collection::vec((text(), any::<bool>()), 0..3),
        proptest::collection::vec(entry(), 0..3),
        proptest::collection::vec(entry(), 0..3),
    );
    (scalars, lists).prop_map(|(s, l)| {
        let (
            (id, title, created),
            status,
            kind,
            priority,
            parent,
            assignee,
            progress,
            estimate,
            sprint,
        ) = s;
        let (
            labels,
            depends_on,
            (started, closed),
            (external, description),
            criteria,
            clarifications,
            notes,
        ) = l;
        let mut t = Task::new(id, title, created);
        t.status = status;
        t.kind = kind;
        t.priority = priority;
        t.parent = parent;
        t.assignee = assignee;
        t.progress = progress;
        t.estimate = estimate;
        t.sprint = sprint;
        t.labels = labels;
        t.depends_on = depends_on;
        t.started = started;
        t.closed = closed;
        t.external = external;
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

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn a_task_is_written_as_serde_json_writes_it(t in any_task()) {
        prop_assert_eq!(task_json(&t), serde(&t));
    }
}

#[test]
fn timestamps_keep_chrono_s_precision_and_form() {
    let created = "2026-11-24T16:02:11Z";
    let mut t = Task::new(
        RecordId::parse("TASK-7k2mq").unwrap(),
        "T".into(),
        created.parse().unwrap(),
    );
    for (at, written) in [
        ("2026-11-24T16:02:11Z", "2026-11-24T16:02:11Z"),
        ("2026-11-24T16:02:11.250Z", "2026-11-24T16:02:11.250Z"),
        ("2026-11-24T16:02:11.000250Z", "2026-11-24T16:02:11.000250Z"),
        (
            "2026-11-24T16:02:11.000000250Z",
            "2026-11-24T16:02:11.000000250Z",
        ),
        ("2026-11-24T16:02:11.1Z", "2026-11-24T16:02:11.100Z"),
        ("2016-12-31T23:59:60.5Z", "2016-12-31T23:59:60.500Z"),
        ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"),
        (
            "9999-12-31T23:59:59.999999999Z",
            "9999-12-31T23:59:59.999999999Z",
        ),
    ] {
        t.notes = vec![Entry {
            at: at.parse().unwrap(),
            by: "a".into(),
            text: "b".into(),
        }];
        let json = task_json(&t);
        assert_eq!(json, serde(&t), "{at}");
        assert!(
            json.contains(&format!("{{\"at\":\"{written}\"")),
            "{at}: {json}"
        );
    }
    t.started = Some(DateTime::from_timestamp(-62_198_755_200, 0).unwrap());
    t.closed = Some(DateTime::from_timestamp(253_402_300_800, 7).unwrap());
    assert_eq!(task_json(&t), serde(&t));
    assert!(task_json(&t).contains("\"started\":\"-0001-"));
    assert!(task_json(&t).contains("\"closed\":\"+10000-01-01T00:00:00.000000007Z\""));
}

#[test]
fn a_task_of_the_renderer_s_layout_reads_back_to_the_same_json() {
    // The rebuild's path: rendered file → fast reader → JSON.
    let text = "id: TASK-7k2mq\n\
        title: \"Use OAuth2: not SAML \\\"quoted\\\" \\\\ \\U0001f680\"\n\
        status: IN_PROGRESS\n\
        created: 2026-11-24T16:02:11.250Z\n\
        labels: [auth, \"a,b\"]\n\
        description: |\n  caf\u{e9}\n  \ttab\n\
        notes:\n\
        - { at: 2026-11-24T17:30:00Z, by: claude, text: \"Done # not a comment\" }\n";
    let t = crate::store::parse_task_text(text).unwrap();
    assert_eq!(task_json(&t), serde(&t));
    assert!(task_json(&t).contains(r#""title":"Use OAuth2: not SAML \"quoted\" \\ 🚀""#));
}
