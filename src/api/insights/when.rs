//! When work happened: the moment each task was started, entered review and was
//! closed, from three sources — the `started` / `closed` fields (written once at
//! the status change, where git cannot remember it: no repository, a shallow
//! clone), the git history of the task's file, and the change feed. The rule
//! (also in docs/INSIGHTS.md): a written field wins, it was set at the moment
//! itself; otherwise the earliest time any source saw the change, because each
//! source can only see a change late (a commit is made after the edit, a refresh
//! notices a pulled change after it was committed), never early.

use crate::model::{RecordId, Status, Task};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// One status change of one task, from git or the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub id: RecordId,
    pub at: DateTime<Utc>,
    pub from: Option<Status>,
    pub to: Option<Status>,
}

/// Where a time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Field,
    Git,
    Feed,
}

/// The times insights need for one task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkTimes {
    /// First move out of TODO (unknown for a task that is TODO now).
    pub started: Option<DateTime<Utc>>,
    /// The move into its current closed status (only for a closed task).
    pub closed: Option<DateTime<Utc>>,
    /// The latest move into IN_REVIEW (only for a task in review now).
    pub review_since: Option<DateTime<Utc>>,
    /// The newest status change any source saw.
    pub last_step: Option<DateTime<Utc>>,
    pub started_from: Option<Source>,
    pub closed_from: Option<Source>,
}

/// What one source saw of one task.
#[derive(Default, Clone, Copy)]
struct Seen {
    started: Option<DateTime<Utc>>,
    closed: Option<DateTime<Utc>>,
    review: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

fn seen(steps: &[Step]) -> HashMap<&RecordId, Seen> {
    let mut out: HashMap<&RecordId, Seen> = HashMap::new();
    for s in steps {
        let e = out.entry(&s.id).or_default();
        let Some(to) = s.to else { continue };
        let is_start = to != Status::Todo && s.from.is_none_or(|f| f == Status::Todo);
        if is_start {
            e.started = Some(e.started.map_or(s.at, |t| t.min(s.at)));
        }
        if to.is_closed() && !s.from.is_some_and(Status::is_closed) {
            e.closed = Some(e.closed.map_or(s.at, |t| t.max(s.at)));
        }
        if to == Status::InReview {
            e.review = Some(e.review.map_or(s.at, |t| t.max(s.at)));
        }
        e.last = Some(e.last.map_or(s.at, |t| t.max(s.at)));
    }
    out
}

fn earliest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<(DateTime<Utc>, Source)> {
    match (a, b) {
        (Some(g), Some(f)) if f < g => Some((f, Source::Feed)),
        (Some(g), _) => Some((g, Source::Git)),
        (None, Some(f)) => Some((f, Source::Feed)),
        (None, None) => None,
    }
}

/// The times of every task, from its fields, the git steps and the feed steps.
pub fn work_times(tasks: &[Task], git: &[Step], feed: &[Step]) -> HashMap<RecordId, WorkTimes> {
    let (g, f) = (seen(git), seen(feed));
    let mut out = HashMap::with_capacity(tasks.len());
    for t in tasks {
        let (gs, fs) = (
            g.get(&t.id).copied().unwrap_or_default(),
            f.get(&t.id).copied().unwrap_or_default(),
        );
        let mut w = WorkTimes::default();
        if t.status != Status::Todo {
            let found = t
                .started
                .map(|s| (s, Source::Field))
                .or_else(|| earliest(gs.started, fs.started));
            w.started = found.map(|(s, _)| s);
            w.started_from = found.map(|(_, s)| s);
        }
        if t.status.is_closed() {
            let found = t
                .closed
                .map(|s| (s, Source::Field))
                .or_else(|| earliest(gs.closed, fs.closed));
            w.closed = found.map(|(s, _)| s);
            w.closed_from = found.map(|(_, s)| s);
            // A task created closed was started when it was closed, at the latest.
            if w.started.is_none() {
                w.started = w.closed;
                w.started_from = w.closed_from;
            }
        }
        if t.status == Status::InReview {
            w.review_since = earliest(gs.review, fs.review).map(|(s, _)| s);
        }
        w.last_step = gs.last.max(fs.last);
        out.insert(t.id.clone(), w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 12, 0, 0).unwrap()
    }
    fn task(id: &str, status: Status) -> Task {
        let mut t = Task::new(RecordId::parse(id).unwrap(), "t".into(), day(1));
        t.status = status;
        t
    }
    fn step(id: &str, at: u32, from: Option<Status>, to: Status) -> Step {
        Step {
            id: RecordId::parse(id).unwrap(),
            at: day(at),
            from,
            to: Some(to),
        }
    }

    #[test]
    fn a_written_field_wins_over_git_and_the_feed() {
        let mut t = task("TASK-a", Status::Done);
        t.closed = Some(day(9));
        let git = [step("TASK-a", 5, Some(Status::InProgress), Status::Done)];
        let w = work_times(&[t], &git, &[])[&RecordId::parse("TASK-a").unwrap()];
        assert_eq!(
            (w.closed, w.closed_from),
            (Some(day(9)), Some(Source::Field))
        );
    }

    #[test]
    fn without_a_field_the_earliest_source_wins() {
        let t = task("TASK-a", Status::Done);
        let git = [
            step("TASK-a", 3, Some(Status::Todo), Status::InProgress),
            step("TASK-a", 6, Some(Status::InProgress), Status::Done),
        ];
        let feed = [
            step("TASK-a", 2, Some(Status::Todo), Status::InProgress),
            step("TASK-a", 7, Some(Status::InProgress), Status::Done),
        ];
        let w = work_times(&[t], &git, &feed)[&RecordId::parse("TASK-a").unwrap()];
        assert_eq!(
            (w.started, w.started_from),
            (Some(day(2)), Some(Source::Feed))
        );
        assert_eq!((w.closed, w.closed_from), (Some(day(6)), Some(Source::Git)));
    }

    #[test]
    fn a_reopened_and_closed_again_task_counts_its_last_closing() {
        let t = task("TASK-a", Status::Done);
        let git = [
            step("TASK-a", 3, Some(Status::InProgress), Status::Done),
            step("TASK-a", 4, Some(Status::Done), Status::InProgress),
            step("TASK-a", 8, Some(Status::InProgress), Status::Done),
        ];
        let w = work_times(&[t], &git, &[])[&RecordId::parse("TASK-a").unwrap()];
        assert_eq!(w.closed, Some(day(8)));
    }

    #[test]
    fn a_todo_task_has_no_times_whatever_history_says() {
        let t = task("TASK-a", Status::Todo);
        let git = [step("TASK-a", 3, Some(Status::Todo), Status::InProgress)];
        let w = work_times(&[t], &git, &[])[&RecordId::parse("TASK-a").unwrap()];
        assert_eq!((w.started, w.closed), (None, None));
    }
}
