//! The merge driver on files: field merges, the line fallback, contexts, and
//! keys a human added on the other branch.

use super::*;
use crate::model::{ContextKind, ContextSnapshot, Entry, RecordId, Status, Task, render};

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    /// Runs the driver on three texts; returns the outcome and the merged text.
    fn merge(&self, base: &str, ours: &str, theirs: &str, name: &str) -> (DriverOutcome, String) {
        let p = |n: &str| self.dir.path().join(n);
        std::fs::write(p("b"), base).unwrap();
        std::fs::write(p("o"), ours).unwrap();
        std::fs::write(p("t"), theirs).unwrap();
        let out = Orchestron::merge_driver(&p("b"), &p("o"), &p("t"), name).unwrap();
        (out, std::fs::read_to_string(p("o")).unwrap())
    }
}

fn task() -> Task {
    let created = "2026-11-24T16:02:11Z".parse().unwrap();
    Task::new(
        RecordId::parse("TASK-7k2mq").unwrap(),
        "Reset".into(),
        created,
    )
}

const NAME: &str = ".orchestron/tasks/TASK-7k2mq.yaml";

#[test]
fn a_task_merges_field_by_field_and_keeps_ours_comments() {
    let b = task();
    let base = render::task(&b, "");
    let mut o = b.clone();
    o.status = Status::InProgress;
    let ours = format!("# my comment\n{}", edit_text(&base, &b, &o));
    let mut t = b.clone();
    t.notes.push(Entry {
        at: "2026-11-25T10:00:00Z".parse().unwrap(),
        by: "bob".into(),
        text: "hello".into(),
    });
    let theirs = format!("{}reviewer: carol\n", edit_text(&base, &b, &t));
    let (out, text) = Files::new().merge(&base, &ours, &theirs, NAME);
    assert_eq!((out.method, out.unresolved), ("fields", 0));
    assert!(text.starts_with("# my comment\n"), "{text}");
    assert!(
        text.contains("status: IN_PROGRESS") && text.contains("text: hello"),
        "{text}"
    );
    assert!(
        text.contains("reviewer: carol"),
        "a key added on their side survives: {text}"
    );
}

#[test]
fn both_sides_adding_the_file_merge_without_a_base() {
    let mut o = task();
    o.labels = vec!["a".into()];
    let mut t = task();
    t.labels = vec!["b".into()];
    let (out, text) = Files::new().merge("", &render::task(&o, ""), &render::task(&t, ""), NAME);
    assert_eq!(out.method, "fields");
    assert!(text.contains("labels: [a, b]"), "{text}");
}

#[test]
fn an_unparseable_side_falls_back_to_markers() {
    let b = task();
    let base = render::task(&b, "");
    let ours = base.replace("status: TODO", "status: [oops");
    let theirs = base.replace("status: TODO", "status: DONE");
    let (out, text) = Files::new().merge(&base, &ours, &theirs, NAME);
    assert_eq!(out.method, "lines");
    assert_eq!(out.unresolved, 1);
    assert!(out.fallback_reason.unwrap().contains("ours does not parse"));
    assert!(
        text.contains("<<<<<<< ours\nstatus: [oops\n=======\nstatus: DONE\n>>>>>>> theirs\n"),
        "{text}"
    );
}

#[test]
fn other_files_get_the_line_merge() {
    let base = "orchestron: 1\nprefix: TASK\n\nagents: {}\n";
    let ours = "orchestron: 1\nprefix: WORK\n\nagents: {}\n";
    let theirs = "orchestron: 1\nprefix: TASK\n\nagents: {a: b}\n";
    let (out, text) = Files::new().merge(base, ours, theirs, ".orchestron/config.yaml");
    assert_eq!((out.method, out.unresolved), ("lines", 0));
    assert_eq!(text, "orchestron: 1\nprefix: WORK\n\nagents: {a: b}\n");
}

#[test]
fn contexts_merge_only_when_identical() {
    let c = ContextSnapshot {
        id: RecordId::parse("CTX-abcde").unwrap(),
        kind: ContextKind::Snapshot,
        at: "2026-11-25T10:00:00Z".parse().unwrap(),
        by: "claude".into(),
        task: None,
        checkpoint: None,
        notes: Some("one".into()),
        git: None,
        context: Default::default(),
    };
    let text = yaml_serde::to_string(&c).unwrap();
    let name = ".orchestron/contexts/CTX-abcde.yaml";
    let (out, merged) = Files::new().merge(&text, &text, &text, name);
    assert_eq!((out.method, merged.as_str()), ("fields", text.as_str()));
    let mut d = c.clone();
    d.notes = Some("two".into());
    let other = yaml_serde::to_string(&d).unwrap();
    let mut e = c.clone();
    e.notes = Some("three".into());
    let third = yaml_serde::to_string(&e).unwrap();
    let (out, merged) = Files::new().merge(&text, &other, &third, name);
    assert_eq!(out.method, "lines");
    assert!(out.unresolved > 0 && merged.contains("<<<<<<<"), "{merged}");
}

#[test]
fn a_conflict_merges_the_same_way_every_time() {
    let b = task();
    let base = render::task(&b, "");
    let mut o = b.clone();
    o.assignee = Some("claude".into());
    let mut t = b.clone();
    t.assignee = Some("codex".into());
    let (ours, theirs) = (edit_text(&base, &b, &o), edit_text(&base, &b, &t));
    let (first, a) = Files::new().merge(&base, &ours, &theirs, NAME);
    let (_, again) = Files::new().merge(&base, &ours, &theirs, NAME);
    assert_eq!(a, again);
    // No clock in the result: every time in it comes from one of the inputs
    // (the conflict note's `at` included), so merges on two machines agree.
    let times = |text: &str| -> Vec<String> {
        text.split_whitespace()
            .map(|w| w.trim_matches(|c| c == '\'' || c == '"'))
            .filter(|w| w.parse::<chrono::DateTime<chrono::Utc>>().is_ok())
            .map(str::to_string)
            .collect()
    };
    let inputs = [times(&base), times(&ours), times(&theirs)].concat();
    let merged = times(&a);
    assert!(!merged.is_empty(), "{a}");
    for t in &merged {
        assert!(inputs.contains(t), "{t} is in no input:\n{a}");
    }
    assert_eq!(first.resolved.len(), 1);
    assert!(a.contains("by: orchestron-merge"), "{a}");
}

#[test]
fn comments_from_their_side_survive_when_the_line_merge_agrees() {
    let b = task();
    let base = render::task(&b, "");
    let mut o = b.clone();
    o.status = Status::InProgress;
    let ours = edit_text(&base, &b, &o);
    let theirs = base.replace("priority: MEDIUM", "priority: HIGH  # bob: customer asked");
    let (out, text) = Files::new().merge(&base, &ours, &theirs, NAME);
    assert_eq!((out.method, out.unresolved), ("fields", 0));
    assert!(text.contains("status: IN_PROGRESS"), "{text}");
    assert!(
        text.contains("priority: HIGH  # bob: customer asked"),
        "{text}"
    );
}

/// One side's work on a task between the base and the merge.
fn side()
-> impl proptest::strategy::Strategy<Value = (Vec<Entry>, Vec<Entry>, Option<Status>, Option<String>)>
{
    use crate::model::strategies::{entry, line};
    (
        proptest::collection::vec(entry(), 0..3),
        proptest::collection::vec(entry(), 0..3),
        proptest::option::of(proptest::sample::select(
            &[Status::Todo, Status::InProgress, Status::Done][..],
        )),
        proptest::option::of(line()),
    )
}

fn worked(
    base: &Task,
    (notes, clarifications, status, title): (
        Vec<Entry>,
        Vec<Entry>,
        Option<Status>,
        Option<String>,
    ),
) -> Task {
    let mut t = base.clone();
    t.notes.extend(notes);
    t.clarifications.extend(clarifications);
    if let Some(s) = status {
        t.status = s;
    }
    if let Some(title) = title {
        t.title = title;
    }
    t
}

proptest::proptest! {
    #![proptest_config(crate::model::strategies::config(48))]

    #[test]
    fn a_merge_of_three_versions_parses_and_keeps_every_note_and_clarification(
        b in crate::model::strategies::task(),
        ours_work in side(),
        theirs_work in side(),
    ) {
        let (o, t) = (worked(&b, ours_work), worked(&b, theirs_work));
        let base = render::task(&b, "");
        let ours = edit_text(&base, &b, &o);
        let theirs = edit_text(&base, &b, &t);
        let (out, text) = Files::new().merge(&base, &ours, &theirs, NAME);
        proptest::prop_assert_eq!(out.unresolved, 0, "{}", text);
        let merged = crate::store::load_record(crate::model::IdKind::Task, "tasks/TASK-7k2mq.yaml", text.as_bytes());
        let Some(crate::model::Record::Task(m)) = merged.record else {
            return Err(proptest::test_runner::TestCaseError::fail(format!("does not parse: {:?}\n{text}", merged.problems)));
        };
        for e in o.notes.iter().chain(&t.notes) {
            proptest::prop_assert!(m.notes.iter().any(|n| n.text == e.text && n.at == e.at), "lost note {:?}\n{}", e, text);
        }
        for e in o.clarifications.iter().chain(&t.clarifications) {
            proptest::prop_assert!(m.clarifications.contains(e), "lost clarification {:?}\n{}", e, text);
        }
    }
}
