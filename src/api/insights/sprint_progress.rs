//! Sprint progress beyond counts: done and remaining in tasks and in estimate
//! points, days left, a burndown series (what remained open at the end of each
//! day from the start to today or the end) and the scope added since the start
//! (tasks of the sprint created after it began). Pure over the sprint's tasks
//! and their [`WorkTimes`].

use super::when::WorkTimes;
use crate::model::{RecordId, Sprint, Task};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// One day of the burndown.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BurnDay {
    pub date: NaiveDate,
    /// Tasks of the sprint that existed and were open at the end of the day.
    pub remaining: usize,
    pub remaining_points: u32,
}

/// What `sprint show` adds to the counts.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Burndown {
    pub remaining: usize,
    pub points_done: u32,
    pub points_remaining: u32,
    /// Calendar days until the end date, counting today; `null` without one.
    pub days_left: Option<i64>,
    /// Oldest first; empty until the sprint has a start date in the past.
    pub series: Vec<BurnDay>,
    /// Tasks created after the sprint started (at most 10 ids).
    pub scope_added: Vec<RecordId>,
    pub scope_added_total: usize,
}

/// The longest series drawn (a sprint left open for years stays small).
const MAX_DAYS: i64 = 90;

pub fn burndown(
    sprint: &Sprint,
    tasks: &[&Task],
    times: &HashMap<RecordId, WorkTimes>,
    now: DateTime<Utc>,
) -> Burndown {
    let today = now.date_naive();
    let closed_at = |t: &Task| times.get(&t.id).and_then(|w| w.closed);
    let open_now: Vec<&&Task> = tasks.iter().filter(|t| !t.status.is_closed()).collect();
    let points = |it: &mut dyn Iterator<Item = &&Task>| it.filter_map(|t| t.estimate).sum::<u32>();
    let mut series = Vec::new();
    if let Some(start) = sprint.start {
        let last = sprint.end.map_or(today, |e| e.min(today));
        let first = start.max(last - Duration::days(MAX_DAYS - 1));
        let mut d = first;
        while d <= last {
            let open_on = |t: &&&Task| {
                t.created.date_naive() <= d
                    && match closed_at(t) {
                        Some(c) => c.date_naive() > d,
                        // Closed at an unknown time: counted open until today.
                        None => !t.status.is_closed() || d < today,
                    }
            };
            let open: Vec<&&Task> = tasks.iter().filter(open_on).collect();
            series.push(BurnDay {
                date: d,
                remaining: open.len(),
                remaining_points: open.iter().filter_map(|t| t.estimate).sum(),
            });
            d += Duration::days(1);
        }
    }
    let mut added: Vec<RecordId> = match sprint.start {
        Some(start) => tasks
            .iter()
            .filter(|t| t.created.date_naive() > start)
            .map(|t| t.id.clone())
            .collect(),
        None => Vec::new(),
    };
    added.sort();
    let scope_added_total = added.len();
    added.truncate(super::LIST_CAP);
    Burndown {
        remaining: open_now.len(),
        points_done: points(&mut tasks.iter().filter(|t| t.status.is_closed())),
        points_remaining: points(&mut open_now.iter().copied()),
        days_left: sprint.end.map(|e| ((e - today).num_days() + 1).max(0)),
        series,
        scope_added: added,
        scope_added_total,
    }
}
