//! Insights through the real binary: a sprint whose history is scripted by
//! commits with fixed dates, the `closed` field written where there is no git,
//! and a backlog with no history. The clock is fixed with `ORCHESTRON_NOW`.

use crate::common::TestEnv;
use serde_json::Value;

fn write_task(env: &TestEnv, id: &str, status: &str, sprint: &str, extra: &str) {
    let text = format!(
        "id: {id}\ntitle: {id}\nstatus: {status}\ncreated: 2026-03-01T09:00:00Z\nestimate: 2\nsprint: {sprint}\n{extra}"
    );
    std::fs::write(env.task_path(id), text).expect("write task");
}

fn commit_on(env: &TestEnv, date: &str, message: &str) {
    env.git(&["add", "-A"]);
    let out = env
        .command("git")
        .args(["commit", "-q", "-m", message])
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git commit");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn at(now: &str, env: &TestEnv, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let r = env.run_with(&a, &[("ORCHESTRON_NOW", now)]);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    serde_json::from_str(&r.stdout).expect("json")
}

#[test]
fn sprint_burndown_follows_commits_with_fixed_dates() {
    let env = TestEnv::new();
    let sprint = env.json(&[
        "sprint",
        "create",
        "s1",
        "--start",
        "2026-03-02",
        "--end",
        "2026-03-06",
    ])["id"]
        .as_str()
        .expect("id")
        .to_string();
    env.ok(&["sprint", "start", &sprint]);
    for id in ["TASK-aaaa1", "TASK-aaaa2", "TASK-aaaa3"] {
        write_task(&env, id, "TODO", &sprint, "");
    }
    commit_on(&env, "2026-03-01T10:00:00Z", "plan");
    write_task(&env, "TASK-aaaa1", "IN_PROGRESS", &sprint, "");
    commit_on(&env, "2026-03-02T09:00:00Z", "start 1");
    write_task(&env, "TASK-aaaa1", "DONE", &sprint, "");
    commit_on(&env, "2026-03-02T17:00:00Z", "finish 1");
    write_task(&env, "TASK-aaaa2", "DONE", &sprint, "");
    write_task(&env, "TASK-aaaa3", "DONE", &sprint, "");
    commit_on(&env, "2026-03-04T17:00:00Z", "finish 2 and 3");

    let v = at("2026-03-05T12:00:00Z", &env, &["sprint", "show", &sprint]);
    let p = &v["progress"];
    let series: Vec<(String, u64, u64)> = p["series"]
        .as_array()
        .expect("series")
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_string(),
                d["remaining"].as_u64().unwrap(),
                d["remaining_points"].as_u64().unwrap(),
            )
        })
        .collect();
    let day = |d: &str, n, pts| (format!("2026-03-0{d}"), n, pts);
    assert_eq!(
        series,
        vec![
            day("2", 2, 4),
            day("3", 2, 4),
            day("4", 0, 0),
            day("5", 0, 0)
        ]
    );
    assert_eq!(
        (p["points_done"].as_u64(), p["days_left"].as_i64()),
        (Some(6), Some(2))
    );
    assert_eq!(p["scope_added_total"], 0);

    // Task 1's cycle time is 8 hours (09:00 → 17:00): git gave both moments.
    let flow = at("2026-03-05T12:00:00Z", &env, &["report", "flow"]);
    assert_eq!(flow["cycle_time"]["samples"], 3);
    assert_eq!(flow["lead_time"]["median_days"], 3.3);

    let report = env.run_with(&["report"], &[("ORCHESTRON_NOW", "2026-03-05T12:00:00Z")]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    assert!(
        report.stdout.contains("2026-03-04  0 left (0 pts)"),
        "{}",
        report.stdout
    );
}

#[test]
fn without_git_a_status_change_writes_closed_once() {
    let env = TestEnv::bare();
    env.ok(&["init"]);
    let id = env.create(&["Ship it"]);
    env.ok(&["task", "update", &id, "--status", "in_progress"]);
    env.ok(&["task", "update", &id, "--status", "done"]);
    let text = env.read(&env.task_path(&id));
    assert_eq!(text.matches("\nstarted: ").count(), 1, "{text}");
    assert_eq!(text.matches("\nclosed: ").count(), 1, "{text}");
    // A later edit of another field leaves both lines alone.
    env.ok(&["task", "update", &id, "--priority", "high"]);
    assert_eq!(
        env.read(&env.task_path(&id))
            .lines()
            .filter(|l| l.starts_with("closed: "))
            .collect::<Vec<_>>(),
        text.lines()
            .filter(|l| l.starts_with("closed: "))
            .collect::<Vec<_>>()
    );
    let flow = env.json(&["report", "flow"]);
    assert_eq!(flow["cycle_time"]["samples"], 1);
}

#[test]
fn a_backlog_with_no_history_is_told_so_plainly() {
    let env = TestEnv::new();
    let id = env.create(&["Someday"]);
    let f = env.json(&["predict", &id]);
    assert_eq!(f["insufficient_history"], true);
    assert_eq!(f["p50"], Value::Null);
    assert_eq!(f["remaining"], 1);
    assert_eq!(
        f["missing"],
        "0 task(s) finished in the 84 days before today (today is excluded: it is not over); \
         a forecast needs at least 5"
    );
    let text = env.ok(&["predict", &id]);
    assert!(text.contains("no forecast: 0 task(s) finished"), "{text}");
    let b = env.json(&["report", "bottlenecks"]);
    assert_eq!(b["totals"]["root_blockers"], 0);
    let unknown = env.run(&["predict", "nope"]);
    assert_ne!(unknown.code, 0);
    assert!(
        unknown.stderr.contains("unknown task or sprint nope"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn an_expired_lease_is_a_stale_claim_in_the_bottlenecks() {
    let env = TestEnv::new();
    let id = env.create(&["Long job"]);
    let claim = env.run_with(
        &["task", "claim", &id],
        &[("ORCHESTRON_NOW", "2026-11-20T10:00:00Z")],
    );
    assert_eq!(claim.code, 0, "{}", claim.stderr);
    let fresh = at("2026-11-20T11:00:00Z", &env, &["report", "bottlenecks"]);
    assert_eq!(fresh["totals"]["stale_claims"], 0);
    let late = at("2026-11-20T13:00:00Z", &env, &["report", "bottlenecks"]);
    assert_eq!(late["totals"]["stale_claims"], 1);
    let stale = &late["stale_claims"][0];
    assert_eq!(
        (stale["id"].as_str(), stale["holder"].as_str()),
        (Some(id.as_str()), Some("alice"))
    );
    assert_eq!(
        stale["why"],
        "alice holds it; the lease expired 2026-11-20T12:00:00Z"
    );
}

#[test]
fn predict_says_today_is_excluded_so_it_does_not_contradict_report() {
    let env = TestEnv::new();
    let done = env.create(&["Finished today"]);
    env.ok(&["task", "update", &done, "--status", "DONE"]);
    let open = env.create(&["Still open"]);
    let text = env.ok(&["predict", &open]);
    assert!(
        text.contains("0 task(s) finished in the 84 days before today (today is excluded"),
        "predict says why today's close is not counted: {text}"
    );
}
