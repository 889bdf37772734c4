//! Flow metrics: throughput per week, cycle time (started → done) and lead time
//! (created → done) as median and 85th percentile, work in progress per status
//! and per assignee, and the aging of work in progress against the 85th
//! percentile of past cycle times. Pure functions over the records and their
//! [`WorkTimes`]; percentiles are nearest-rank (an observed value, never an
//! interpolated one), days are calendar days to a tenth.

use super::when::WorkTimes;
use super::{Capped, LIST_CAP, days_between};
use crate::model::{RecordId, Status, Task};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// How far back flow metrics and forecasts look, in calendar days (12 weeks).
pub const WINDOW_DAYS: i64 = 84;

/// A distribution of durations in days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Stat {
    pub median_days: Option<f64>,
    pub p85_days: Option<f64>,
    /// How many finished tasks it is computed from.
    pub samples: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct WeekCount {
    /// The Monday the week starts on.
    pub week: NaiveDate,
    pub done: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AssigneeWip {
    pub assignee: String,
    pub wip: usize,
}

/// One open, started task and how long it has been open.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Aging {
    pub id: RecordId,
    pub title: String,
    pub status: Status,
    pub days: f64,
    /// Older than the 85th percentile of past cycle times.
    pub over_p85: bool,
}

/// Everything `report flow` shows.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Flow {
    pub window_days: i64,
    /// The last 12 weeks, oldest first (DONE tasks by the week they closed).
    pub throughput_per_week: Vec<WeekCount>,
    pub cycle_time: Stat,
    pub lead_time: Stat,
    /// Started, unfinished work by status.
    pub wip_by_status: BTreeMap<Status, usize>,
    /// The assignees holding the most work in progress (IN_PROGRESS, IN_REVIEW).
    pub wip_by_assignee: Capped<AssigneeWip>,
    /// Open started work, oldest first.
    pub aging: Capped<Aging>,
}

/// Nearest-rank percentile of sorted `values` (`p` in 0–100).
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

fn tenth(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn stat(mut values: Vec<f64>) -> Stat {
    values.sort_by(f64::total_cmp);
    Stat {
        median_days: percentile(&values, 50.0).map(tenth),
        p85_days: percentile(&values, 85.0).map(tenth),
        samples: values.len(),
    }
}

/// DONE tasks that closed within the window, with their close time.
pub fn finished_in_window<'a>(
    tasks: &'a [Task],
    times: &'a HashMap<RecordId, WorkTimes>,
    now: DateTime<Utc>,
) -> impl Iterator<Item = (&'a Task, &'a WorkTimes, DateTime<Utc>)> + 'a {
    let from = now - Duration::days(WINDOW_DAYS);
    tasks.iter().filter_map(move |t| {
        let w = times.get(&t.id)?;
        let closed = w.closed?;
        (t.status == Status::Done && closed > from && closed <= now).then_some((t, w, closed))
    })
}

/// Cycle time (started → closed) of the DONE tasks in the window.
pub fn cycle_time(
    tasks: &[Task],
    times: &HashMap<RecordId, WorkTimes>,
    now: DateTime<Utc>,
) -> Stat {
    stat(
        finished_in_window(tasks, times, now)
            .filter_map(|(_, w, closed)| Some(days_between(w.started?, closed)))
            .collect(),
    )
}

pub fn flow(tasks: &[Task], times: &HashMap<RecordId, WorkTimes>, now: DateTime<Utc>) -> Flow {
    let today = now.date_naive();
    let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first_monday = this_monday - Duration::weeks(11);
    let mut weeks: Vec<WeekCount> = (0..12)
        .map(|i| WeekCount {
            week: first_monday + Duration::weeks(i),
            done: 0,
        })
        .collect();
    let mut lead = Vec::new();
    for (t, _, closed) in finished_in_window(tasks, times, now) {
        let d = closed.date_naive();
        if d >= first_monday {
            let i = ((d - first_monday).num_days() / 7) as usize;
            if let Some(w) = weeks.get_mut(i) {
                w.done += 1;
            }
        }
        lead.push(days_between(t.created, closed));
    }
    let cycle = cycle_time(tasks, times, now);
    let mut wip_by_status = BTreeMap::new();
    let mut by_assignee: BTreeMap<&str, usize> = BTreeMap::new();
    let mut aging = Vec::new();
    for t in tasks.iter().filter(|t| is_wip(t.status)) {
        *wip_by_status.entry(t.status).or_insert(0) += 1;
        if matches!(t.status, Status::InProgress | Status::InReview)
            && let Some(a) = &t.assignee
        {
            *by_assignee.entry(a).or_insert(0) += 1;
        }
        let since = times
            .get(&t.id)
            .and_then(|w| w.started)
            .unwrap_or(t.created);
        let days = tenth(days_between(since, now));
        aging.push(Aging {
            id: t.id.clone(),
            title: t.title.clone(),
            status: t.status,
            days,
            over_p85: cycle.p85_days.is_some_and(|p| days > p),
        });
    }
    aging.sort_by(|a, b| b.days.total_cmp(&a.days).then_with(|| a.id.cmp(&b.id)));
    let mut wip: Vec<AssigneeWip> = by_assignee
        .into_iter()
        .map(|(a, n)| AssigneeWip {
            assignee: a.to_string(),
            wip: n,
        })
        .collect();
    wip.sort_by(|a, b| b.wip.cmp(&a.wip).then_with(|| a.assignee.cmp(&b.assignee)));
    Flow {
        window_days: WINDOW_DAYS,
        throughput_per_week: weeks,
        cycle_time: cycle,
        lead_time: stat(lead),
        wip_by_status,
        wip_by_assignee: Capped::of(wip, LIST_CAP),
        aging: Capped::of(aging, LIST_CAP),
    }
}

/// Started and not finished.
pub fn is_wip(s: Status) -> bool {
    matches!(s, Status::InProgress | Status::InReview | Status::Blocked)
}
