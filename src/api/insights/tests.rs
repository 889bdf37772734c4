//! Insights on constructed backlogs with known answers: every number checked
//! exactly, with the clock fixed by the `now` argument.

use super::bottlenecks::{Settings, analyze};
use super::flow::{cycle_time, flow};
use super::forecast::{Target, add_working_days, daily_throughput, forecast};
use super::sprint_progress::burndown;
use super::when::{Step, work_times};
use crate::model::{RecordId, Sprint, SprintStatus, Status, Task};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

fn id(s: &str) -> RecordId {
    RecordId::parse(s).unwrap()
}
/// Noon on day `d` of March 2026 (Monday 2 March is a working day).
fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, 12, 0, 0).unwrap()
}
fn task(name: &str, status: Status) -> Task {
    let mut t = Task::new(id(name), name.to_string(), day(1));
    t.status = status;
    t
}
fn settings() -> Settings {
    Settings { wip_limit: 2 }
}
fn target() -> Target {
    Target {
        id: id("TASK-goal"),
        kind: "task".into(),
        title: "goal".into(),
    }
}

#[test]
fn a_chain_has_one_root_blocker_blocking_five_and_is_the_critical_path() {
    let names = ["TASK-a", "TASK-b", "TASK-c", "TASK-d", "TASK-e", "TASK-f"];
    let mut tasks: Vec<Task> = names.iter().map(|n| task(n, Status::Todo)).collect();
    for i in 1..tasks.len() {
        tasks[i].depends_on = vec![id(names[i - 1])];
    }
    // A closed task others depended on blocks nothing.
    let mut done = task("TASK-z", Status::Done);
    done.depends_on = vec![];
    tasks[0].depends_on = vec![id("TASK-z")];
    tasks.push(done);
    let refs: Vec<&Task> = tasks.iter().collect();
    let b = analyze(
        &refs,
        &Default::default(),
        &cycle_time(&[], &Default::default(), day(20)),
        &settings(),
        vec![],
        day(20),
    );
    assert_eq!(b.root_blockers.len(), 1);
    assert_eq!(
        (b.root_blockers[0].id.as_str(), b.root_blockers[0].blocks),
        ("TASK-a", 5)
    );
    assert_eq!(b.totals.root_blockers, 1);
    let path: Vec<&str> = b.critical_path.iter().map(RecordId::as_str).collect();
    assert_eq!(path, names);
    assert_eq!(b.totals.critical_path, 6);
    assert!(b.cycles.is_empty());
}

#[test]
fn a_cycle_is_reported_once_and_never_looped_on() {
    let mut x = task("TASK-x", Status::Todo);
    let mut y = task("TASK-y", Status::Todo);
    let mut z = task("TASK-z", Status::Todo);
    x.depends_on = vec![id("TASK-y")];
    y.depends_on = vec![id("TASK-z")];
    z.depends_on = vec![id("TASK-x")];
    // A task waiting on the cycle is behind it, not on it.
    let mut w = task("TASK-w", Status::Todo);
    w.depends_on = vec![id("TASK-x")];
    let tasks = [x, y, z, w];
    let refs: Vec<&Task> = tasks.iter().collect();
    let b = analyze(
        &refs,
        &Default::default(),
        &cycle_time(&[], &Default::default(), day(20)),
        &settings(),
        vec![],
        day(20),
    );
    assert_eq!(b.totals.cycles, 1);
    let ids: Vec<&str> = b.cycles[0].ids.iter().map(RecordId::as_str).collect();
    assert_eq!(ids, ["TASK-x", "TASK-y", "TASK-z", "TASK-x"]);
    assert!(b.cycles[0].why.starts_with("3 wait on one another"));
    // Nothing in the cycle is a root, and no path runs through it.
    assert!(b.root_blockers.is_empty());
    assert!(b.critical_path.is_empty());
}

/// Ten tasks started the working day before they finished, one a day, on the
/// ten working days 2–13 March 2026; `now` is Monday 16 March.
fn one_a_day() -> (Vec<Task>, Vec<Step>) {
    let working: Vec<u32> = vec![2, 3, 4, 5, 6, 9, 10, 11, 12, 13];
    let mut tasks = Vec::new();
    let mut steps = Vec::new();
    for (i, d) in working.iter().enumerate() {
        let name = format!("TASK-d{i}");
        tasks.push(task(&name, Status::Done));
        steps.push(Step {
            id: id(&name),
            at: day(*d) - Duration::hours(8),
            from: Some(Status::Todo),
            to: Some(Status::InProgress),
        });
        steps.push(Step {
            id: id(&name),
            at: day(*d),
            from: Some(Status::InProgress),
            to: Some(Status::Done),
        });
    }
    (tasks, steps)
}

#[test]
fn one_task_a_day_with_ten_left_finishes_ten_working_days_out() {
    let (mut tasks, steps) = one_a_day();
    let times = work_times(&tasks, &steps, &[]);
    let now = day(16);
    let (samples, finished) = daily_throughput(&tasks, &times, now);
    assert_eq!(samples, vec![1; 10]);
    assert_eq!(finished, 10);
    for i in 0..10 {
        tasks.push(task(&format!("TASK-o{i}"), Status::Todo));
    }
    let open: Vec<&Task> = tasks.iter().filter(|t| t.status == Status::Todo).collect();
    let f = forecast(target(), &open, vec![], Some(0.3), &samples, finished, now);
    let ten_out = add_working_days(now.date_naive(), 10);
    assert_eq!(ten_out, NaiveDate::from_ymd_opt(2026, 3, 30).unwrap());
    assert_eq!(f.p50, Some(ten_out));
    assert_eq!((f.p85, f.p95), (Some(ten_out), Some(ten_out)));
    assert_eq!(f.remaining, 10);
    assert_eq!((f.basis.window_days, f.basis.samples), (10, 10));
    assert_eq!(f.basis.throughput_per_day, 1.0);
    assert!(f.basis.trials >= 1000);
    assert!(!f.insufficient_history);
}

#[test]
fn the_forecast_is_deterministic_for_the_same_input() {
    let samples = [0, 2, 1, 0, 3, 1, 1, 0, 2, 4];
    let tasks: Vec<Task> = (0..25)
        .map(|i| task(&format!("TASK-o{i}"), Status::Todo))
        .collect();
    let open: Vec<&Task> = tasks.iter().collect();
    let a = forecast(target(), &open, vec![], None, &samples, 14, day(16));
    let b = forecast(target(), &open, vec![], None, &samples, 14, day(16));
    assert_eq!(a, b);
    assert!(a.p50 <= a.p85 && a.p85 <= a.p95);
    assert!(a.p50.is_some());
}

#[test]
fn a_backlog_with_no_history_gets_no_date() {
    let tasks: Vec<Task> = (0..3)
        .map(|i| task(&format!("TASK-o{i}"), Status::Todo))
        .collect();
    let times = work_times(&tasks, &[], &[]);
    let (samples, finished) = daily_throughput(&tasks, &times, day(16));
    assert_eq!((samples.len(), finished), (0, 0));
    let open: Vec<&Task> = tasks.iter().collect();
    let f = forecast(target(), &open, vec![], None, &samples, finished, day(16));
    assert!(f.insufficient_history);
    assert_eq!((f.p50, f.p85, f.p95), (None, None, None));
    assert_eq!(
        f.missing.as_deref(),
        Some(
            "0 task(s) finished in the 84 days before today (today is excluded: it is not over); a forecast needs at least 5"
        )
    );
    let fl = flow(&tasks, &times, day(16));
    assert_eq!(fl.cycle_time.samples, 0);
    assert_eq!(fl.cycle_time.median_days, None);
    assert!(fl.throughput_per_week.iter().all(|w| w.done == 0));
}

#[test]
fn a_dependency_chain_longer_than_the_forecast_is_its_floor() {
    let (mut tasks, steps) = one_a_day();
    let times = work_times(&tasks, &steps, &[]);
    let now = day(16);
    let (samples, finished) = daily_throughput(&tasks, &times, now);
    for i in 0..3 {
        tasks.push(task(&format!("TASK-c{i}"), Status::Todo));
    }
    let open: Vec<&Task> = tasks.iter().filter(|t| t.status == Status::Todo).collect();
    let chain = vec![id("TASK-c0"), id("TASK-c1"), id("TASK-c2")];
    // Three tasks at one a day: 3 working days; a chain of 3 at 2 days each: 6.
    let f = forecast(target(), &open, chain, Some(1.5), &samples, finished, now);
    let floor = f.floor.expect("a floor");
    assert_eq!(floor.date, add_working_days(now.date_naive(), 6));
    assert_eq!((floor.length, f.p50), (3, Some(floor.date)));
}

#[test]
fn flow_counts_throughput_cycle_and_lead_times_exactly() {
    let (mut tasks, steps) = one_a_day();
    let mut wip = task("TASK-w", Status::InProgress);
    wip.assignee = Some("ann".into());
    wip.started = Some(day(2));
    tasks.push(wip);
    let times = work_times(&tasks, &steps, &[]);
    let f = flow(&tasks, &times, day(16));
    // Weeks of 2 and 9 March: 5 each; the week of 16 March: 0.
    let last: Vec<usize> = f
        .throughput_per_week
        .iter()
        .rev()
        .take(3)
        .map(|w| w.done)
        .collect();
    assert_eq!(last, vec![0, 5, 5]);
    assert_eq!(f.cycle_time.median_days, Some(0.3));
    assert_eq!(f.cycle_time.p85_days, Some(0.3));
    assert_eq!(f.cycle_time.samples, 10);
    // Created 1 March noon; finished 2…13 March noon: nearest-rank median day 6.
    assert_eq!(f.lead_time.median_days, Some(5.0));
    assert_eq!(f.lead_time.p85_days, Some(11.0));
    assert_eq!(f.wip_by_status.get(&Status::InProgress), Some(&1));
    assert_eq!(f.wip_by_assignee.items[0].wip, 1);
    assert_eq!(f.aging.items[0].days, 14.0);
    assert!(f.aging.items[0].over_p85);
}

#[test]
fn bottlenecks_name_long_running_review_and_overloaded_work() {
    let (mut tasks, steps) = one_a_day();
    for (name, status, hours_ago) in [
        ("TASK-p1", Status::InProgress, 24 * 3),
        ("TASK-p2", Status::InProgress, 1),
        ("TASK-r1", Status::InReview, 5),
    ] {
        let mut t = task(name, status);
        t.assignee = Some("ann".into());
        t.started = Some(day(16) - Duration::hours(hours_ago));
        tasks.push(t);
    }
    let times = work_times(&tasks, &steps, &[]);
    let refs: Vec<&Task> = tasks.iter().collect();
    let cycle = cycle_time(&tasks, &times, day(16));
    let b = analyze(&refs, &times, &cycle, &settings(), vec![], day(16));
    let long: Vec<&str> = b.long_running.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(long, ["TASK-p1"]);
    assert_eq!(
        b.long_running[0].why,
        "IN_PROGRESS for 3 days; 85 % of tasks finished within 0.3"
    );
    assert_eq!(b.review_queue[0].id.as_str(), "TASK-r1");
    assert_eq!(b.review_queue[0].days, 0.2);
    assert_eq!(b.overloaded.len(), 1);
    assert_eq!(
        (
            b.overloaded[0].assignee.as_str(),
            b.overloaded[0].wip,
            b.overloaded[0].limit
        ),
        ("ann", 3, 2)
    );
}

#[test]
fn a_sprint_burns_down_from_feed_steps_on_known_days() {
    let sprint = Sprint {
        id: id("SPRINT-s1"),
        name: "s1".into(),
        status: SprintStatus::Active,
        goal: None,
        start: NaiveDate::from_ymd_opt(2026, 3, 2),
        end: NaiveDate::from_ymd_opt(2026, 3, 6),
        created: day(1),
    };
    let mut tasks: Vec<Task> = (0..4)
        .map(|i| task(&format!("TASK-s{i}"), Status::Done))
        .collect();
    for (i, t) in tasks.iter_mut().enumerate() {
        t.estimate = Some(u32::try_from(i).unwrap() + 1);
    }
    // Added on day 3 and still open.
    let mut late = task("TASK-late", Status::Todo);
    late.created = day(3);
    late.estimate = Some(5);
    tasks.push(late);
    // s0 done on the 2nd, s1 on the 3rd, s2 and s3 on the 4th (the feed's days).
    let feed: Vec<Step> = [(0, 2), (1, 3), (2, 4), (3, 4)]
        .iter()
        .map(|&(i, d)| Step {
            id: id(&format!("TASK-s{i}")),
            at: day(d),
            from: Some(Status::InProgress),
            to: Some(Status::Done),
        })
        .collect();
    let times = work_times(&tasks, &[], &feed);
    let refs: Vec<&Task> = tasks.iter().collect();
    let b = burndown(&sprint, &refs, &times, day(5));
    let series: Vec<(u32, usize, u32)> = b
        .series
        .iter()
        .map(|d| {
            (
                chrono::Datelike::day(&d.date),
                d.remaining,
                d.remaining_points,
            )
        })
        .collect();
    assert_eq!(series, vec![(2, 3, 9), (3, 3, 12), (4, 1, 5), (5, 1, 5)]);
    assert_eq!((b.remaining, b.points_done, b.points_remaining), (1, 10, 5));
    assert_eq!(b.days_left, Some(2));
    let added: Vec<&str> = b.scope_added.iter().map(RecordId::as_str).collect();
    assert_eq!((added, b.scope_added_total), (vec!["TASK-late"], 1));
}
