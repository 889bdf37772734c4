//! `predict_completion`: a forecast by Monte Carlo simulation over the observed
//! daily throughput. Each trial walks forward one working day (Monday–Friday)
//! at a time from tomorrow, drawing that day's finished-task count from the
//! past working days of the window, until the remaining work is done; the
//! dates at which 50 %, 85 % and 95 % of trials finished are the answer. The
//! generator is seeded with a constant, so the same data gives the same dates.
//! A chain of dependent tasks that cannot be done faster than one after another
//! (at the median cycle time each) is a floor under every date. Too little
//! history (fewer than [`MIN_FINISHED`] tasks finished in the window) gives no
//! date at all, and says what is missing.

use super::flow::{WINDOW_DAYS, finished_in_window};
use super::when::WorkTimes;
use crate::model::{RecordId, Task};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::Serialize;
use std::collections::HashMap;

/// Trials per forecast.
pub const TRIALS: usize = 2000;
/// Finished tasks the window must hold before any date is given.
pub const MIN_FINISHED: usize = 5;
/// Working days a trial may run before it is counted as never finishing.
const MAX_DAYS: usize = 5000;
const SEED: u64 = 0x0C4E_57A0_5EED_0001;

/// What is forecast.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Target {
    pub id: RecordId,
    /// `task`, `epic`, `story` (a subtree with its dependencies) or `sprint`.
    pub kind: String,
    pub title: String,
}

/// What the forecast is based on.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Basis {
    /// The working days sampled (from the first finished task in the last
    /// 84 calendar days up to yesterday).
    pub window_days: usize,
    /// DONE tasks finished in those days.
    pub samples: usize,
    pub throughput_per_day: f64,
    pub trials: usize,
}

/// A dependency chain that sets the earliest possible date.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Floor {
    pub date: NaiveDate,
    /// The chain, first to do first (at most 20 ids).
    pub chain: Vec<RecordId>,
    pub length: usize,
    pub why: String,
}

/// The answer of `predict_completion`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Forecast {
    pub target: Target,
    /// Open tasks left.
    pub remaining: usize,
    /// Their estimate points, where tasks carry them.
    pub remaining_points: u32,
    pub p50: Option<NaiveDate>,
    pub p85: Option<NaiveDate>,
    pub p95: Option<NaiveDate>,
    pub basis: Basis,
    pub insufficient_history: bool,
    /// What is missing for a forecast, when `insufficient_history`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floor: Option<Floor>,
}

fn working(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `days` working days after `from`.
pub fn add_working_days(from: NaiveDate, days: usize) -> NaiveDate {
    let mut d = from;
    let mut left = days;
    while left > 0 {
        d += Duration::days(1);
        if working(d) {
            left -= 1;
        }
    }
    d
}

/// Finished tasks per past working day, oldest first, and how many finished.
pub fn daily_throughput(
    tasks: &[Task],
    times: &HashMap<RecordId, WorkTimes>,
    now: DateTime<Utc>,
) -> (Vec<u32>, usize) {
    let today = now.date_naive();
    let mut per_day: HashMap<NaiveDate, u32> = HashMap::new();
    let mut finished = 0;
    for (_, _, closed) in finished_in_window(tasks, times, now) {
        let d = closed.date_naive();
        if d < today {
            *per_day.entry(d).or_insert(0) += 1;
            finished += 1;
        }
    }
    let Some(first) = per_day.keys().min().copied() else {
        return (Vec::new(), 0);
    };
    let first = first.max(today - Duration::days(WINDOW_DAYS));
    let mut out = Vec::new();
    let mut d = first;
    // Weekend work counts towards the next working day's sample.
    let mut carry = 0;
    while d < today {
        let n = per_day.get(&d).copied().unwrap_or(0);
        if working(d) {
            out.push(n + carry);
            carry = 0;
        } else {
            carry += n;
        }
        d += Duration::days(1);
    }
    (out, finished)
}

/// SplitMix64: small, fast, and the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Working days each trial needed, sorted; `None` for a trial that never finished.
pub fn simulate(samples: &[u32], remaining: usize, trials: usize) -> Vec<Option<usize>> {
    let mut rng = Rng(SEED);
    let mut out: Vec<Option<usize>> = (0..trials)
        .map(|_| {
            let mut done = 0usize;
            for day in 1..=MAX_DAYS {
                let pick = (rng.next() % samples.len() as u64) as usize;
                done += samples[pick] as usize;
                if done >= remaining {
                    return Some(day);
                }
            }
            None
        })
        .collect();
    out.sort_by_key(|d| d.unwrap_or(usize::MAX));
    out
}

fn at_percent(days: &[Option<usize>], p: usize) -> Option<usize> {
    let rank = (p * days.len()).div_ceil(100).clamp(1, days.len().max(1));
    days.get(rank - 1).copied().flatten()
}

/// The forecast for `remaining` open tasks, given the longest dependency chain
/// among them and the median cycle time.
pub fn forecast(
    target: Target,
    remaining: &[&Task],
    chain: Vec<RecordId>,
    median_cycle_days: Option<f64>,
    samples: &[u32],
    finished: usize,
    now: DateTime<Utc>,
) -> Forecast {
    let today = now.date_naive();
    let throughput = if samples.is_empty() {
        0.0
    } else {
        let sum: u32 = samples.iter().sum();
        (f64::from(sum) / samples.len() as f64 * 100.0).round() / 100.0
    };
    let mut f = Forecast {
        target,
        remaining: remaining.len(),
        remaining_points: remaining.iter().filter_map(|t| t.estimate).sum(),
        p50: None,
        p85: None,
        p95: None,
        basis: Basis {
            window_days: samples.len(),
            samples: finished,
            throughput_per_day: throughput,
            trials: 0,
        },
        insufficient_history: false,
        missing: None,
        floor: None,
    };
    if remaining.is_empty() {
        (f.p50, f.p85, f.p95) = (Some(today), Some(today), Some(today));
        return f;
    }
    if finished < MIN_FINISHED {
        f.insufficient_history = true;
        f.missing = Some(format!(
            "{} task(s) finished in the {WINDOW_DAYS} days before today (today is excluded: it is not over); a forecast needs at least {MIN_FINISHED}",
            finished
        ));
        return f;
    }
    let days = simulate(samples, remaining.len(), TRIALS);
    f.basis.trials = TRIALS;
    let date = |p| at_percent(&days, p).map(|d| add_working_days(today, d));
    (f.p50, f.p85, f.p95) = (date(50), date(85), date(95));
    if chain.len() > 1 {
        let per_task = median_cycle_days.unwrap_or(1.0).ceil().max(1.0) as usize;
        let floor_date = add_working_days(today, chain.len() * per_task);
        if f.p50.is_none_or(|p| floor_date > p) {
            for p in [&mut f.p50, &mut f.p85, &mut f.p95] {
                if p.is_none_or(|d| d < floor_date) {
                    *p = Some(floor_date);
                }
            }
            let length = chain.len();
            f.floor = Some(Floor {
                date: floor_date,
                why: format!(
                    "{length} tasks depend on one another in a chain; at {per_task} working day(s) each (the median cycle time) it cannot end sooner"
                ),
                chain: chain.into_iter().take(20).collect(),
                length,
            });
        }
    }
    f
}
