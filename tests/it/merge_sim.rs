//! The clean-merge measurement: many random pairs of concurrent edits to one task
//! file, each merged by plain `git merge-file` (what a forge's web merge or a
//! clone without the driver does) and by the Orchestron merge driver.
//!
//! Both sides start from one random base task and each applies 1–3 random edits
//! the way Orchestron writes them (lossless edits of the canonical layout):
//! status, priority, assignee, progress, sprint, labels, a note, a
//! clarification, a description line. A merge counts as clean when it exits 0
//! and the result parses; for the driver we also check that nothing was lost
//! (every side's notes and clarifications are in the result) and count the
//! same-field conflicts resolved by the rule. A third column shows what a plain
//! merge would do if files carried an `updated:` timestamp rewritten by every
//! write — the layout Orchestron's records avoid for this reason (no `updated:`
//! field, docs/GIT.md).
//!
//! Shared by the test `merge_fractions` (300 seeded pairs, lower bounds
//! asserted: `cargo test --test it merge_fractions`) and the bench that prints
//! the tables quoted in docs/GIT.md (2,000 pairs:
//! `cargo bench --bench merge_fractions`), which includes this file
//! by path. It goes through the API only.

use crate::rng::Rng;
use orchestron::api::Orchestron;
use orchestron::model::{Criterion, Entry, Priority, RecordId, Status, Task, render};

const PEOPLE: &[&str] = &["claude", "codex", "alice", "bob", "carol"];
const LABELS: &[&str] = &["auth", "api", "ui", "db", "perf", "docs", "bug"];
const SPRINTS: &[&str] = &["SPRINT-w47aa", "SPRINT-w48bb", "SPRINT-w49cc"];
const WORDS: &[&str] = &[
    "token",
    "reset",
    "endpoint",
    "cache",
    "retry",
    "schema",
    "review",
    "deploy",
    "flaky",
    "migration",
    "timeout",
    "header",
];

fn sprint(rng: &mut Rng) -> RecordId {
    let name: &str = SPRINTS[rng.below(SPRINTS.len())];
    RecordId::parse(name).unwrap()
}

fn time(minutes: u64) -> chrono::DateTime<chrono::Utc> {
    let start: chrono::DateTime<chrono::Utc> = "2026-11-20T08:00:00Z".parse().unwrap();
    start + chrono::Duration::minutes(minutes as i64)
}

fn sentence(rng: &mut Rng) -> String {
    let n = 3 + rng.below(5);
    let words: Vec<&str> = (0..n).map(|_| *rng.pick(WORDS)).collect();
    let mut s = words.join(" ");
    s.push_str(&format!(" #{}", rng.below(10_000)));
    s
}

fn entry(rng: &mut Rng, minutes: u64) -> Entry {
    Entry {
        at: time(minutes),
        by: rng.pick(PEOPLE).to_string(),
        text: sentence(rng),
    }
}

pub fn base_task(rng: &mut Rng) -> Task {
    let mut t = Task::new(
        RecordId::parse("TASK-7k2mq").unwrap(),
        sentence(rng),
        time(0),
    );
    t.status = *rng.pick(&[Status::Todo, Status::InProgress, Status::Blocked]);
    t.priority = *rng.pick(Priority::ALL);
    if rng.chance(60) {
        t.assignee = Some(rng.pick(PEOPLE).to_string());
    }
    t.progress = (rng.below(10) * 10) as u8;
    if rng.chance(50) {
        t.sprint = Some(sprint(rng));
    }
    for _ in 0..rng.below(3) {
        let l = rng.pick(LABELS).to_string();
        if !t.labels.contains(&l) {
            t.labels.push(l);
        }
    }
    if rng.chance(70) {
        let lines: Vec<String> = (0..2 + rng.below(4)).map(|_| sentence(rng)).collect();
        t.description = Some(lines.join("\n") + "\n");
    }
    for _ in 0..rng.below(4) {
        t.acceptance_criteria.push(Criterion {
            text: sentence(rng),
            done: rng.chance(30),
        });
    }
    for i in 0..rng.below(3) {
        let e = entry(rng, 10 + i as u64);
        t.clarifications.push(e);
    }
    for i in 0..rng.below(5) {
        let e = entry(rng, 20 + i as u64);
        t.notes.push(e);
    }
    t
}

/// One random edit, as a tool call would make it. Times of new entries fall
/// after everything in the base, in an order that differs between the sides.
fn edit(rng: &mut Rng, t: &mut Task, kinds: usize) -> usize {
    let kind = rng.below(kinds);
    edit_kind(rng, t, kind);
    kind
}

pub const KINDS: [&str; 10] = [
    "status",
    "priority",
    "assignee",
    "progress",
    "sprint",
    "labels",
    "note",
    "clarification",
    "description",
    "depends_on",
];

/// The edit kinds the headline figures use (the fields the issue lists);
/// `KINDS.len()` adds `depends_on`.
pub const LISTED_KINDS: usize = KINDS.len() - 1;
const DEPS: &[&str] = &["TASK-aaaaa", "TASK-bbbbb", "TASK-ccccc", "TASK-ddddd"];

pub fn edit_kind(rng: &mut Rng, t: &mut Task, kind: usize) {
    match kind {
        0 => t.status = *rng.pick(Status::ALL),
        1 => t.priority = *rng.pick(Priority::ALL),
        2 => t.assignee = Some(rng.pick(PEOPLE).to_string()),
        3 => t.progress = (rng.below(11) * 10) as u8,
        4 => t.sprint = Some(sprint(rng)),
        5 => {
            let l = rng.pick(LABELS).to_string();
            if let Some(i) = t.labels.iter().position(|x| *x == l) {
                t.labels.remove(i);
            } else {
                t.labels.push(l);
            }
        }
        6 => {
            let minutes = 100 + rng.below(1000) as u64;
            let e = entry(rng, minutes);
            t.notes.push(e);
        }
        7 => {
            let minutes = 100 + rng.below(1000) as u64;
            let e = entry(rng, minutes);
            t.clarifications.push(e);
        }
        9 => {
            let d = RecordId::parse(DEPS[rng.below(DEPS.len())]).unwrap();
            if let Some(i) = t.depends_on.iter().position(|x| *x == d) {
                t.depends_on.remove(i);
            } else {
                t.depends_on.push(d);
            }
        }
        _ => {
            let mut lines: Vec<String> = t
                .description
                .as_deref()
                .unwrap_or("")
                .lines()
                .map(String::from)
                .collect();
            if lines.is_empty() || rng.chance(30) {
                lines.push(sentence(rng));
            } else {
                let i = rng.below(lines.len());
                lines[i] = sentence(rng);
            }
            t.description = Some(lines.join("\n") + "\n");
        }
    }
}

#[derive(Default, Debug)]
pub struct Tally {
    pub pairs: usize,
    pub plain_clean: usize,
    pub driver_clean: usize,
    pub driver_by_rule: usize,
    pub driver_lost: usize,
    pub updated_clean: usize,
    /// Plain merges if `labels:` came after `depends_on:` (a candidate layout).
    pub relayout_clean: usize,
    /// Pairs whose sides edited different kinds of field.
    pub disjoint: usize,
    pub plain_clean_disjoint: usize,
}

/// The same file with the `labels:` line moved after `depends_on:`, so that it no
/// longer sits next to `sprint:` (a layout candidate, measured, not adopted).
fn labels_after_depends_on(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    if let Some(i) = lines.iter().position(|l| l.starts_with("labels:")) {
        let labels = lines.remove(i);
        if let Some(j) = lines.iter().position(|l| l.starts_with("depends_on:")) {
            lines.insert(j + 1, labels);
        } else {
            lines.insert(i, labels);
        }
    }
    lines.join("\n") + "\n"
}

fn with_updated(text: &str, stamp: &str) -> String {
    text.replacen("\nprogress:", &format!("\nupdated: {stamp}\nprogress:"), 1)
}

pub fn measure(seed: u64, pairs: usize, kinds: usize) -> Tally {
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let tasks = dir.path().join(".orchestron/tasks");
    std::fs::create_dir_all(&tasks).unwrap();
    let mut tally = Tally::default();
    for _ in 0..pairs {
        let base = base_task(&mut rng);
        let base_text = render::task(&base, "");
        let edit_kinds = kinds;
        let side = |rng: &mut Rng| {
            let mut t = base.clone();
            let mut kinds = Vec::new();
            for _ in 0..1 + rng.below(3) {
                kinds.push(edit(rng, &mut t, edit_kinds));
            }
            let text = Orchestron::edited_task_text(&base_text, &base, &t);
            (t, text, kinds)
        };
        let (ours, ours_text, ours_kinds) = side(&mut rng);
        let (theirs, theirs_text, theirs_kinds) = side(&mut rng);
        tally.pairs += 1;
        let disjoint = !ours_kinds.iter().any(|k| theirs_kinds.contains(k));
        if disjoint {
            tally.disjoint += 1;
        }

        let plain = Orchestron::merge_lines(&ours_text, &base_text, &theirs_text).unwrap();
        if plain.conflicts == 0 && Orchestron::parse_task_text(&plain.text).is_ok() {
            tally.plain_clean += 1;
            if disjoint {
                tally.plain_clean_disjoint += 1;
            }
        }
        let r = Orchestron::merge_lines(
            &labels_after_depends_on(&ours_text),
            &labels_after_depends_on(&base_text),
            &labels_after_depends_on(&theirs_text),
        )
        .unwrap();
        if r.conflicts == 0 && Orchestron::parse_task_text(&r.text).is_ok() {
            tally.relayout_clean += 1;
        }
        let u = Orchestron::merge_lines(
            &with_updated(&ours_text, "2026-11-25T10:00:01Z"),
            &with_updated(&base_text, "2026-11-25T09:00:00Z"),
            &with_updated(&theirs_text, "2026-11-25T10:00:02Z"),
        )
        .unwrap();
        if u.conflicts == 0 {
            tally.updated_clean += 1;
        }

        let (o, b, t) = (
            dir.path().join("o"),
            dir.path().join("b"),
            dir.path().join("t"),
        );
        std::fs::write(&o, &ours_text).unwrap();
        std::fs::write(&b, &base_text).unwrap();
        std::fs::write(&t, &theirs_text).unwrap();
        let out =
            Orchestron::merge_driver(&b, &o, &t, ".orchestron/tasks/TASK-7k2mq.yaml").unwrap();
        let merged_text = std::fs::read_to_string(&o).unwrap();
        let Ok(merged) = Orchestron::parse_task_text(&merged_text) else {
            continue;
        };
        if out.unresolved == 0 {
            tally.driver_clean += 1;
            if !out.resolved.is_empty() {
                tally.driver_by_rule += 1;
            }
        }
        let kept = |list: &[Entry], all: &[Entry]| list.iter().all(|e| all.contains(e));
        if !(kept(&ours.notes, &merged.notes)
            && kept(&theirs.notes, &merged.notes)
            && kept(&ours.clarifications, &merged.clarifications)
            && kept(&theirs.clarifications, &merged.clarifications))
        {
            tally.driver_lost += 1;
        }
    }
    tally
}

pub fn pct(n: usize, of: usize) -> f64 {
    100.0 * n as f64 / of as f64
}

pub fn report(t: &Tally) -> String {
    format!(
        "pairs: {}\nplain git merge-file, clean: {:.1}% (pairs that edited different fields: {:.1}% of {})\ndriver, clean: {:.1}% (of which same-field conflicts resolved by the rule: {:.1}% of all pairs)\ndriver, pairs that lost a note or clarification: {}\nplain merge if files had an `updated:` line: {:.1}%\nplain merge if `labels` came after `depends_on`: {:.1}%",
        t.pairs,
        pct(t.plain_clean, t.pairs),
        pct(t.plain_clean_disjoint, t.disjoint),
        t.disjoint,
        pct(t.driver_clean, t.pairs),
        pct(t.driver_by_rule, t.pairs),
        t.driver_lost,
        pct(t.updated_clean, t.pairs),
        pct(t.relayout_clean, t.pairs),
    )
}
