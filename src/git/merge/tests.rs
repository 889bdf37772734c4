//! Unit tests of the field-level merge rules.

use super::*;
use crate::model::{Priority, SprintStatus, Status};

fn ts(s: &str) -> DateTime<Utc> {
    format!("2026-11-25T{s}Z").parse().unwrap()
}

fn entry(at: &str, by: &str, text: &str) -> Entry {
    Entry {
        at: ts(at),
        by: by.into(),
        text: text.into(),
    }
}

fn base() -> Task {
    let mut t = Task::new(
        RecordId::parse("TASK-7k2mq").unwrap(),
        "Reset".into(),
        ts("08:00:00"),
    );
    t.labels = vec!["auth".into(), "api".into()];
    t.notes = vec![entry("09:00:00", "claude", "started")];
    t.acceptance_criteria = vec![
        Criterion {
            text: "a".into(),
            done: false,
        },
        Criterion {
            text: "b".into(),
            done: false,
        },
    ];
    t
}

#[test]
fn different_fields_on_each_side_are_both_applied() {
    let b = base();
    let mut o = b.clone();
    o.status = Status::InProgress;
    o.notes.push(entry("10:00:00", "claude", "ours"));
    let mut t = b.clone();
    t.priority = Priority::High;
    t.notes.push(entry("09:30:00", "alice", "theirs"));
    t.clarifications
        .push(entry("09:45:00", "alice", "use OAuth2"));
    let m = merge_tasks(Some(&b), &o, &t, ts("12:00:00")).unwrap();
    assert!(m.conflicts.is_empty());
    assert_eq!(m.record.status, Status::InProgress);
    assert_eq!(m.record.priority, Priority::High);
    let texts: Vec<_> = m.record.notes.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["started", "theirs", "ours"], "time order");
    assert_eq!(m.record.clarifications, t.clarifications);
}

#[test]
fn same_note_added_on_both_sides_is_kept_once() {
    let b = base();
    let mut o = b.clone();
    o.notes.push(entry("10:00:00", "claude", "same"));
    let t = o.clone();
    let m = merge_tasks(Some(&b), &o, &t, ts("12:00:00")).unwrap();
    assert_eq!(m.record, o);
}

#[test]
fn same_field_conflict_newer_activity_wins_and_loser_is_noted() {
    let b = base();
    let mut o = b.clone();
    o.priority = Priority::Low;
    let mut t = b.clone();
    t.priority = Priority::Critical;
    t.notes.push(entry("11:00:00", "bob", "escalated"));
    let m = merge_tasks(Some(&b), &o, &t, ts("12:00:00")).unwrap();
    assert_eq!(m.record.priority, Priority::Critical);
    assert_eq!(m.conflicts.len(), 1);
    assert_eq!(m.conflicts[0].kept, MergeSide::Theirs);
    let last = m.record.notes.last().unwrap();
    assert_eq!(last.by, MERGE_AUTHOR);
    assert_eq!(last.at, ts("12:00:00"));
    assert!(
        last.text.contains("priority") && last.text.contains("LOW"),
        "{}",
        last.text
    );
    assert!(m.record.validate().is_ok());
}

#[test]
fn conflict_tie_goes_to_ours() {
    let b = base();
    let mut o = b.clone();
    o.assignee = Some("claude".into());
    let mut t = b.clone();
    t.assignee = Some("codex".into());
    let m = merge_tasks(Some(&b), &o, &t, ts("12:00:00")).unwrap();
    assert_eq!(m.record.assignee.as_deref(), Some("claude"));
    assert_eq!(m.conflicts[0].kept, MergeSide::Ours);
    assert_eq!(m.conflicts[0].theirs, "codex");
}

#[test]
fn labels_and_dependencies_merge_as_sets() {
    let b = base();
    let mut o = b.clone();
    o.labels = vec!["auth".into(), "ui".into()]; // removed api, added ui
    let mut t = b.clone();
    t.labels = vec!["auth".into(), "api".into(), "db".into()]; // added db
    t.depends_on = vec![RecordId::parse("TASK-aaaaa").unwrap()];
    let m = merge_tasks(Some(&b), &o, &t, ts("12:00:00")).unwrap();
    assert_eq!(m.record.labels, ["auth", "ui", "db"]);
    assert_eq!(m.record.depends_on, t.depends_on);
    assert!(m.conflicts.is_empty());
}

#[test]
fn criteria_merge_per_item() {
    let b = base();
    let mut o = b.clone();
    o.acceptance_criteria[0].done = true;
    o.acceptance_criteria.push(Criterion {
        text: "c".into(),
        done: false,
    });
    let mut t = b.clone();
    t.acceptance_criteria[1].done = true;
    t.acceptance_criteria.insert(
        1,
        Criterion {
            text: "a2".into(),
            done: false,
        },
    );
    let m = merge_tasks(Some(&b), &o, &t, ts("12:00:00")).unwrap();
    let got: Vec<_> = m
        .record
        .acceptance_criteria
        .iter()
        .map(|c| (c.text.as_str(), c.done))
        .collect();
    assert_eq!(got, [("a", true), ("a2", false), ("b", true), ("c", false)]);
}

#[test]
fn removals_apply_and_edits_replace() {
    let b = base();
    let mut o = b.clone();
    o.notes[0].text = "started (edited)".into();
    let t = b.clone();
    let m = merge_tasks(Some(&b), &o, &t, ts("12:00:00")).unwrap();
    assert_eq!(m.record.notes, o.notes);
    // Edited differently on both sides: both versions survive.
    let mut t2 = b.clone();
    t2.notes[0].text = "started (theirs)".into();
    let m = merge_tasks(Some(&b), &o, &t2, ts("12:00:00")).unwrap();
    assert_eq!(m.record.notes.len(), 2);
}

#[test]
fn without_a_base_lists_union_and_scalars_conflict() {
    let b = base();
    let mut o = b.clone();
    o.title = "Ours".into();
    let mut t = b.clone();
    t.notes.push(entry("10:00:00", "x", "n"));
    let m = merge_tasks(None, &o, &t, ts("12:00:00")).unwrap();
    assert_eq!(m.record.title, "Reset", "theirs is newer");
    assert_eq!(m.record.notes.len(), 3); // started, n, the conflict note
}

#[test]
fn different_ids_refuse() {
    let b = base();
    let mut t = b.clone();
    t.id = RecordId::parse("TASK-zzzzz").unwrap();
    assert!(matches!(
        merge_tasks(Some(&b), &b, &t, ts("12:00:00")),
        Err(MergeError::DifferentIds(..))
    ));
}

#[test]
fn sprint_status_later_stage_wins_other_fields_ours() {
    let b = Sprint {
        id: RecordId::parse("SPR-abcde").unwrap(),
        name: "w48".into(),
        status: SprintStatus::Active,
        goal: None,
        start: None,
        end: None,
        created: ts("08:00:00"),
    };
    let mut o = b.clone();
    o.status = SprintStatus::Planned;
    o.name = "ours".into();
    let mut t = b.clone();
    t.status = SprintStatus::Closed;
    t.name = "theirs".into();
    t.goal = Some("ship".into());
    let m = merge_sprints(Some(&b), &o, &t).unwrap();
    assert_eq!(m.record.status, SprintStatus::Closed);
    assert_eq!(m.record.name, "ours");
    assert_eq!(m.record.goal.as_deref(), Some("ship"));
    assert_eq!(m.conflicts.len(), 2);
}

#[test]
fn long_losing_values_are_clipped_to_a_valid_note() {
    let b = base();
    let mut o = b.clone();
    o.description = Some("o".repeat(40_000));
    let mut t = b.clone();
    t.description = Some("t".repeat(40_000));
    let m = merge_tasks(Some(&b), &o, &t, ts("12:00:00")).unwrap();
    assert!(m.record.validate().is_ok());
}

#[test]
fn descriptions_changed_on_both_sides_use_the_text_merge_first() {
    let mut b = base();
    b.description = Some("one\ntwo\n".into());
    let mut o = b.clone();
    o.description = Some("ONE\ntwo\n".into());
    let mut t = b.clone();
    t.description = Some("one\nTWO\n".into());
    let fake = |base: &str, ours: &str, theirs: &str| {
        assert_eq!(
            (base, ours, theirs),
            ("one\ntwo\n", "ONE\ntwo\n", "one\nTWO\n")
        );
        Some("ONE\nTWO\n".to_string())
    };
    let m = merge_tasks_with(Some(&b), &o, &t, ts("12:00:00"), &fake).unwrap();
    assert_eq!(m.record.description.as_deref(), Some("ONE\nTWO\n"));
    assert!(m.conflicts.is_empty());
    // A conflicting text merge falls back to the rule.
    let m = merge_tasks_with(Some(&b), &o, &t, ts("12:00:00"), &|_, _, _| None).unwrap();
    assert_eq!(m.conflicts.len(), 1);
    assert_eq!(m.record.description, o.description);
}

/// Every field of `Task`, each changed on one side only, is taken from that
/// side, whichever side it is; the list is checked against the fields the
/// record serialises, so a new field must be added here (and to the merge).
#[test]
fn every_task_field_changed_on_one_side_is_taken_from_that_side() {
    let mut b = base();
    b.parent = Some(RecordId::parse("TASK-parnt").unwrap());
    b.assignee = Some("ann".into());
    b.estimate = Some(3);
    b.sprint = Some(RecordId::parse("SPRINT-aaaaa").unwrap());
    b.started = Some(ts("08:30:00"));
    b.closed = Some(ts("08:40:00"));
    b.external = Some("github#1".into());
    b.description = Some("text".into());
    b.depends_on = vec![RecordId::parse("TASK-depnd").unwrap()];
    b.clarifications = vec![entry("09:10:00", "bob", "why")];
    type Change = fn(&mut Task);
    let changes: &[(&str, Change)] = &[
        ("title", |t| t.title = "Other".into()),
        ("status", |t| t.status = Status::Done),
        ("type", |t| t.kind = crate::model::TaskType::Epic),
        ("priority", |t| t.priority = Priority::Critical),
        ("parent", |t| t.parent = None),
        ("assignee", |t| t.assignee = Some("zed".into())),
        ("created", |t| t.created = ts("07:00:00")),
        ("progress", |t| t.progress = 70),
        ("estimate", |t| t.estimate = Some(8)),
        ("sprint", |t| t.sprint = None),
        ("labels", |t| t.labels.push("ui".into())),
        ("depends_on", |t| t.depends_on.clear()),
        ("started", |t| t.started = Some(ts("08:31:00"))),
        ("closed", |t| t.closed = None),
        ("external", |t| t.external = Some("github#2".into())),
        ("description", |t| t.description = Some("new text".into())),
        ("acceptance_criteria", |t| {
            t.acceptance_criteria[0].done = true;
        }),
        ("clarifications", |t| {
            t.clarifications.push(entry("10:00:00", "ann", "more"));
        }),
        ("notes", |t| t.notes.push(entry("10:05:00", "ann", "done"))),
    ];
    let mut fields: Vec<String> = serde_json::to_value(&b)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "id")
        .cloned()
        .collect();
    fields.sort();
    let mut named: Vec<String> = changes.iter().map(|(n, _)| n.to_string()).collect();
    named.sort();
    assert_eq!(named, fields, "a Task field without a merge test");
    for (name, change) in changes {
        let mut changed = b.clone();
        change(&mut changed);
        assert_ne!(changed, b, "{name}: the change changes nothing");
        let theirs = merge_tasks(Some(&b), &b, &changed, ts("12:00:00")).unwrap();
        assert_eq!(theirs.record, changed, "{name} changed on their side");
        let ours = merge_tasks(Some(&b), &changed, &b, ts("12:00:00")).unwrap();
        assert_eq!(ours.record, changed, "{name} changed on our side");
    }
}

/// The same for every field of `Sprint`.
#[test]
fn every_sprint_field_changed_on_one_side_is_taken_from_that_side() {
    let b = Sprint {
        id: RecordId::parse("SPRINT-aaaaa").unwrap(),
        name: "W1".into(),
        status: SprintStatus::Active,
        goal: Some("ship".into()),
        start: "2026-11-02".parse().ok(),
        end: "2026-11-13".parse().ok(),
        created: ts("08:00:00"),
    };
    type Change = fn(&mut Sprint);
    let changes: &[(&str, Change)] = &[
        ("name", |s| s.name = "W2".into()),
        ("status", |s| s.status = SprintStatus::Closed),
        ("goal", |s| s.goal = None),
        ("start", |s| s.start = "2026-11-03".parse().ok()),
        ("end", |s| s.end = None),
        ("created", |s| s.created = ts("07:00:00")),
    ];
    let mut fields: Vec<String> = serde_json::to_value(&b)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "id")
        .cloned()
        .collect();
    fields.sort();
    let mut named: Vec<String> = changes.iter().map(|(n, _)| n.to_string()).collect();
    named.sort();
    assert_eq!(named, fields, "a Sprint field without a merge test");
    for (name, change) in changes {
        let mut changed = b.clone();
        change(&mut changed);
        assert_ne!(changed, b, "{name}: the change changes nothing");
        let theirs = merge_sprints(Some(&b), &b, &changed).unwrap();
        assert_eq!(theirs.record, changed, "{name} changed on their side");
        let ours = merge_sprints(Some(&b), &changed, &b).unwrap();
        assert_eq!(ours.record, changed, "{name} changed on our side");
    }
}
