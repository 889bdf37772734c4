//! Problems: stored per-file ones and the cross-record ones, with lines.

use super::*;
use crate::model::Severity;

fn line_of(u: &FileUpdate, key: &str) -> usize {
    u.key_lines
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, l)| *l)
        .expect("key line")
}

#[test]
fn per_file_problems_are_stored_and_replaced() {
    let (_dir, mut index) = fresh();
    let mut warned = update(task("TASK-w", "w", 0));
    warned.problems = vec![Problem::warning(
        "tasks/TASK-w.yaml",
        20,
        1,
        "unknown key `colour`",
    )];
    put(
        &mut index,
        "editor",
        vec![warned, broken("tasks/TASK-b.yaml", "bad YAML")],
    );
    let problems = index.problems().expect("problems");
    assert_eq!(
        problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        [
            "tasks/TASK-b.yaml:3:7: error: bad YAML",
            "tasks/TASK-w.yaml:20:1: warning: unknown key `colour`",
        ]
    );
    put(&mut index, "editor", vec![update(task("TASK-w", "w", 0))]);
    delete(&mut index, "editor", &["tasks/TASK-b.yaml"]);
    assert!(index.problems().expect("problems").is_empty());
}

#[test]
fn cross_record_problems_point_at_the_key() {
    let (_dir, mut index) = fresh();
    let mut dangling = task("TASK-dang", "dangling refs", 0);
    dangling.depends_on = vec![id("TASK-ghost")];
    dangling.parent = Some(id("TASK-nobody"));
    dangling.sprint = Some(id("SPRINT-none"));
    let mut c1 = task("TASK-c1", "cycle 1", 0);
    c1.depends_on = vec![id("TASK-c2")];
    let mut c2 = task("TASK-c2", "cycle 2", 0);
    c2.depends_on = vec![id("TASK-c3")];
    let mut c3 = task("TASK-c3", "cycle 3", 0);
    c3.depends_on = vec![id("TASK-c1")];
    let mut selfish = task("TASK-self", "depends on itself", 0);
    selfish.depends_on = vec![id("TASK-self")];
    let dup_a = task("TASK-dup", "one", 0);
    let dup_b = task("TASK-dup", "two", 0);
    let misnamed = task("TASK-named", "misnamed", 0);
    let s1 = sprint("SPRINT-a", SprintStatus::Active, Some("2026-10-01"));
    let s2 = sprint("SPRINT-b", SprintStatus::Active, Some("2026-11-01"));
    let fine = task("TASK-fine", "no problem", 0);

    let u_dang = update(dangling);
    let u_c1 = update(c1);
    let u_self = update(selfish);
    let u_dup_a = update(dup_a);
    let u_dup_b = update_at("tasks/TASK-dup-copy.yaml", dup_b);
    let u_misnamed = update_at("tasks/renamed.yaml", misnamed);
    let u_s1 = update(s1);
    let u_s2 = update(s2);
    put(
        &mut index,
        "editor",
        vec![
            u_dang.clone(),
            u_c1.clone(),
            update(c2),
            update(c3),
            u_self.clone(),
            u_dup_a.clone(),
            u_dup_b.clone(),
            u_misnamed.clone(),
            u_s1.clone(),
            u_s2.clone(),
            update(fine),
        ],
    );
    let problems = index.problems().expect("problems");
    let find = |path: &str, needle: &str| {
        problems
            .iter()
            .find(|p| p.path == path && p.message.contains(needle))
            .unwrap_or_else(|| panic!("no problem {needle:?} in {path}: {problems:#?}"))
    };

    let p = find("tasks/TASK-dang.yaml", "TASK-ghost");
    assert_eq!(
        (p.line, p.severity),
        (line_of(&u_dang, "depends_on"), Severity::Error)
    );
    let p = find("tasks/TASK-dang.yaml", "TASK-nobody");
    assert_eq!(p.line, line_of(&u_dang, "parent"));
    let p = find("tasks/TASK-dang.yaml", "SPRINT-none");
    assert_eq!(p.line, line_of(&u_dang, "sprint"));

    let p = find("tasks/TASK-c1.yaml", "dependency cycle");
    assert_eq!(p.line, line_of(&u_c1, "depends_on"));
    assert!(
        p.message.contains("TASK-c1 → TASK-c2 → TASK-c3 → TASK-c1"),
        "{}",
        p.message
    );
    find("tasks/TASK-c2.yaml", "dependency cycle");
    find("tasks/TASK-c3.yaml", "dependency cycle");
    let p = find("tasks/TASK-self.yaml", "dependency cycle");
    assert!(p.message.contains("TASK-self → TASK-self"), "{}", p.message);

    let p = find("tasks/TASK-dup.yaml", "duplicate id TASK-dup");
    assert_eq!(p.line, line_of(&u_dup_a, "id"));
    assert!(p.message.contains("tasks/TASK-dup-copy.yaml"));
    find("tasks/TASK-dup-copy.yaml", "duplicate id TASK-dup");
    find("tasks/TASK-dup-copy.yaml", "does not match the id");

    let p = find("tasks/renamed.yaml", "does not match the id TASK-named");
    assert_eq!(p.line, line_of(&u_misnamed, "id"));

    let p = find("sprints/SPRINT-a.yaml", "2 sprints are ACTIVE");
    assert_eq!(
        (p.line, p.severity),
        (line_of(&u_s1, "status"), Severity::Warning)
    );
    assert!(
        p.message.contains("SPRINT-b (the latest start)"),
        "{}",
        p.message
    );
    find("sprints/SPRINT-b.yaml", "ACTIVE");

    assert!(problems.iter().all(|p| p.path != "tasks/TASK-fine.yaml"));
    let mut sorted = problems.clone();
    sorted.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    assert_eq!(
        problems
            .iter()
            .map(|p| (&p.path, p.line))
            .collect::<Vec<_>>(),
        sorted.iter().map(|p| (&p.path, p.line)).collect::<Vec<_>>()
    );

    // Fixing the data clears the problems: break the cycle, add the ghost.
    let mut c3_fixed = task("TASK-c3", "cycle 3", 0);
    c3_fixed.depends_on = vec![];
    put(
        &mut index,
        "editor",
        vec![update(c3_fixed), update(task("TASK-ghost", "g", 0))],
    );
    let problems = index.problems().expect("problems");
    assert!(
        !problems.iter().any(|p| p.message.contains("TASK-c1 →")),
        "{problems:#?}"
    );
    assert!(
        !problems.iter().any(|p| p.message.contains("TASK-ghost")),
        "{problems:#?}"
    );
}

#[test]
fn a_parent_cycle_is_reported() {
    let (_dir, mut index) = fresh();
    let mut a = task("TASK-pa", "a", 0);
    a.parent = Some(id("TASK-pb"));
    let mut b = task("TASK-pb", "b", 0);
    b.parent = Some(id("TASK-pa"));
    put(&mut index, "editor", vec![update(a), update(b)]);
    let problems = index.problems().expect("problems");
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems.iter().all(|p| p.message.contains("parent cycle")));
}

#[test]
fn kept_checks_are_dropped_by_any_change_and_never_kept_for_newer_content() {
    let (_dir, mut index) = fresh();
    let mut dangling = task("TASK-d", "dangling", 0);
    dangling.depends_on = vec![id("TASK-ghost")];
    put(&mut index, "editor", vec![update(dangling)]);
    let v1 = index.content_version().expect("version");
    assert_eq!(index.kept_checks(&v1).expect("kept"), None);
    let problems = index.problems().expect("problems");
    assert_eq!(problems.len(), 1);
    index.keep_checks(&v1, &problems).expect("keep");
    assert_eq!(
        index.kept_checks(&v1).expect("kept"),
        Some(problems.clone())
    );

    // The dependency is fixed by hand: the kept answer no longer holds.
    put(
        &mut index,
        "editor",
        vec![update(task("TASK-d", "fixed", 0))],
    );
    let v2 = index.content_version().expect("version");
    assert_ne!(v1, v2);
    assert_eq!(index.kept_checks(&v2).expect("kept"), None);
    // An answer computed before the change is not kept as the new one.
    index.keep_checks(&v1, &problems).expect("keep");
    assert_eq!(index.kept_checks(&v2).expect("kept"), None);

    // A deletion and a clear move the version on too.
    index.keep_checks(&v2, &[]).expect("keep");
    assert_eq!(index.kept_checks(&v2).expect("kept"), Some(Vec::new()));
    delete(&mut index, "editor", &["tasks/TASK-d.yaml"]);
    let v3 = index.content_version().expect("version");
    assert_eq!(index.kept_checks(&v3).expect("kept"), None);
    index.keep_checks(&v3, &[]).expect("keep");
    rebuild(&mut index, vec![update(task("TASK-e", "e", 0))]);
    let v4 = index.content_version().expect("version");
    assert_ne!(v3, v4);
    assert_eq!(index.kept_checks(&v4).expect("kept"), None);
}
