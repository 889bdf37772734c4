//! `analyze_bottlenecks`: what holds open work up, each finding naming its
//! tasks and saying why — root blockers (open tasks others wait on,
//! transitively, that wait on nothing open themselves), the critical path (the
//! longest dependency chain of open work), dependency cycles (found as strongly
//! connected components, reported and never walked around), work in progress
//! for longer than the 85th percentile of past cycle times, the review queue,
//! assignees over the work-in-progress limit, and stale claims (expired
//! leases, which the API reads from the claim registry and passes in). Pure
//! over the records and their [`WorkTimes`]; every list is capped, with its total.

use super::flow::Stat;
use super::when::WorkTimes;
use super::{LIST_CAP, days_between};
use crate::index::{cycle_through, cyclic_components};
use crate::model::{RecordId, Status, Task};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, VecDeque};

/// The critical path shows at most this many ids.
pub const PATH_CAP: usize = 20;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RootBlocker {
    pub id: RecordId,
    pub title: String,
    /// Open tasks waiting on it, directly or through others.
    pub blocks: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Cycle {
    /// The tasks around the cycle, the first repeated at the end.
    pub ids: Vec<RecordId>,
    pub why: String,
}

/// A task that has waited or run long, with why it is listed.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Waiting {
    pub id: RecordId,
    pub title: String,
    pub days: f64,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Overloaded {
    pub assignee: String,
    pub wip: usize,
    pub limit: u32,
    pub tasks: Vec<RecordId>,
}

/// A claim whose lease ran out (from the claim registry, see docs/CLAIMS.md).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StaleClaim {
    pub id: RecordId,
    pub title: String,
    pub holder: String,
    pub expired: DateTime<Utc>,
    pub why: String,
}

/// How many findings of each kind there are (the lists show at most 10).
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Totals {
    pub root_blockers: usize,
    pub critical_path: usize,
    pub cycles: usize,
    pub long_running: usize,
    pub review_queue: usize,
    pub overloaded: usize,
    pub stale_claims: usize,
}

/// The answer of `analyze_bottlenecks`.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Bottlenecks {
    pub root_blockers: Vec<RootBlocker>,
    /// The longest chain of open dependent tasks, first to do first.
    pub critical_path: Vec<RecordId>,
    pub cycles: Vec<Cycle>,
    pub long_running: Vec<Waiting>,
    pub review_queue: Vec<Waiting>,
    pub overloaded: Vec<Overloaded>,
    pub stale_claims: Vec<StaleClaim>,
    pub totals: Totals,
}

/// What the analysis needs besides the records.
pub struct Settings {
    pub wip_limit: u32,
}

/// The open-work dependency graph: node i is `open[i]`; `deps[i]` the open
/// tasks it waits on, `dependents[i]` the open tasks waiting on it.
pub struct Graph<'a> {
    pub open: Vec<&'a Task>,
    pub deps: Vec<Vec<usize>>,
    pub dependents: Vec<Vec<usize>>,
}

impl<'a> Graph<'a> {
    pub fn of(tasks: impl IntoIterator<Item = &'a Task>) -> Graph<'a> {
        let open: Vec<&Task> = tasks
            .into_iter()
            .filter(|t| !t.status.is_closed())
            .collect();
        let at: HashMap<&RecordId, usize> =
            open.iter().enumerate().map(|(i, t)| (&t.id, i)).collect();
        let mut deps = vec![Vec::new(); open.len()];
        let mut dependents = vec![Vec::new(); open.len()];
        for (i, t) in open.iter().enumerate() {
            for d in &t.depends_on {
                if let Some(&j) = at.get(d)
                    && !deps[i].contains(&j)
                {
                    deps[i].push(j);
                    dependents[j].push(i);
                }
            }
        }
        Graph {
            open,
            deps,
            dependents,
        }
    }

    /// How many nodes reach `start` through dependents (not counting it).
    fn downstream(&self, start: usize, seen: &mut [u32], mark: u32) -> usize {
        let mut queue = VecDeque::from([start]);
        seen[start] = mark;
        let mut n = 0;
        while let Some(v) = queue.pop_front() {
            for &w in &self.dependents[v] {
                if seen[w] != mark {
                    seen[w] = mark;
                    n += 1;
                    queue.push_back(w);
                }
            }
        }
        n
    }

    /// The longest chain (by tasks) of the acyclic part, first to do first;
    /// nodes on or behind a cycle are left out (Kahn's order never reaches them).
    pub fn longest_chain(&self) -> Vec<usize> {
        let n = self.open.len();
        let mut indegree: Vec<usize> = self.deps.iter().map(Vec::len).collect();
        let mut queue: VecDeque<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
        let mut length = vec![1usize; n];
        let mut before: Vec<Option<usize>> = vec![None; n];
        let mut best: Option<usize> = None;
        while let Some(v) = queue.pop_front() {
            if best.is_none_or(|b| length[v] > length[b]) {
                best = Some(v);
            }
            for &w in &self.dependents[v] {
                if length[v] + 1 > length[w] {
                    length[w] = length[v] + 1;
                    before[w] = Some(v);
                }
                indegree[w] -= 1;
                if indegree[w] == 0 {
                    queue.push_back(w);
                }
            }
        }
        let mut path = Vec::new();
        let mut at = best;
        while let Some(v) = at {
            path.push(v);
            at = before[v];
        }
        path.reverse();
        path
    }
}

fn capped<T>(mut v: Vec<T>) -> (Vec<T>, usize) {
    let total = v.len();
    v.truncate(LIST_CAP);
    (v, total)
}

/// The analysis of `tasks` (all of the backlog, or one sprint's).
pub fn analyze(
    tasks: &[&Task],
    times: &HashMap<RecordId, WorkTimes>,
    cycle_time: &Stat,
    settings: &Settings,
    stale_claims: Vec<StaleClaim>,
    now: DateTime<Utc>,
) -> Bottlenecks {
    let g = Graph::of(tasks.iter().copied());
    let mut totals = Totals::default();
    let (root_blockers, n) = capped(root_blockers(&g));
    totals.root_blockers = n;
    let chain = g.longest_chain();
    totals.critical_path = if chain.len() > 1 { chain.len() } else { 0 };
    let critical_path = critical_path(&g, &chain);
    let (cycles, n) = capped(cycles(&g));
    totals.cycles = n;
    let (long_running, n) = capped(long_running(tasks, times, cycle_time, now));
    totals.long_running = n;
    let (review_queue, n) = capped(review_queue(tasks, times, now));
    totals.review_queue = n;
    let (overloaded, n) = capped(overloaded(tasks, settings));
    totals.overloaded = n;
    let (stale, n) = capped(stale_claims);
    totals.stale_claims = n;
    Bottlenecks {
        root_blockers,
        critical_path,
        cycles,
        long_running,
        review_queue,
        overloaded,
        stale_claims: stale,
        totals,
    }
}

/// Open tasks others wait on that wait on nothing open, the most blocking first.
fn root_blockers(g: &Graph) -> Vec<RootBlocker> {
    let mut seen = vec![0u32; g.open.len()];
    let mut roots: Vec<RootBlocker> = Vec::new();
    for i in 0..g.open.len() {
        if g.deps[i].is_empty() && !g.dependents[i].is_empty() {
            let mark = u32::try_from(roots.len() + 1).unwrap_or(u32::MAX);
            roots.push(RootBlocker {
                id: g.open[i].id.clone(),
                title: g.open[i].title.clone(),
                blocks: g.downstream(i, &mut seen, mark),
            });
        }
    }
    roots.sort_by(|a, b| b.blocks.cmp(&a.blocks).then_with(|| a.id.cmp(&b.id)));
    roots
}

/// The ids along the longest chain, at most [`PATH_CAP`]; none for a chain
/// of one task (nothing waits on anything).
fn critical_path(g: &Graph, chain: &[usize]) -> Vec<RecordId> {
    if chain.len() > 1 {
        chain
            .iter()
            .take(PATH_CAP)
            .map(|&i| g.open[i].id.clone())
            .collect()
    } else {
        Vec::new()
    }
}

/// Each dependency cycle, walked once around.
fn cycles(g: &Graph) -> Vec<Cycle> {
    let mut cycles = Vec::new();
    for component in cyclic_components(&g.deps) {
        let ids: Vec<RecordId> = cycle_through(&g.deps, component[0], &component)
            .into_iter()
            .map(|i| g.open[i].id.clone())
            .collect();
        let shown: Vec<&str> = ids.iter().map(RecordId::as_str).collect();
        cycles.push(Cycle {
            why: format!(
                "{} wait on one another ({}): none can start until the cycle is broken",
                component.len(),
                shown.join(" → ")
            ),
            ids,
        });
    }
    cycles
}

/// When work on `t` started: its first move to work, else its creation.
fn started(t: &Task, times: &HashMap<RecordId, WorkTimes>) -> DateTime<Utc> {
    times
        .get(&t.id)
        .and_then(|w| w.started)
        .unwrap_or(t.created)
}

/// Work in progress or review for longer than 85 % of past cycle times, longest first.
fn long_running(
    tasks: &[&Task],
    times: &HashMap<RecordId, WorkTimes>,
    cycle_time: &Stat,
    now: DateTime<Utc>,
) -> Vec<Waiting> {
    let mut long = Vec::new();
    if let Some(p85) = cycle_time.p85_days {
        for t in tasks
            .iter()
            .filter(|t| matches!(t.status, Status::InProgress | Status::InReview))
        {
            let days = tenth(days_between(started(t, times), now));
            if days > p85 {
                long.push(Waiting {
                    id: t.id.clone(),
                    title: t.title.clone(),
                    days,
                    why: format!(
                        "{} for {days} days; 85 % of tasks finished within {p85}",
                        t.status
                    ),
                });
            }
        }
    }
    long.sort_by(|a, b| b.days.total_cmp(&a.days).then_with(|| a.id.cmp(&b.id)));
    long
}

/// Tasks in review, the longest waiting first.
fn review_queue(
    tasks: &[&Task],
    times: &HashMap<RecordId, WorkTimes>,
    now: DateTime<Utc>,
) -> Vec<Waiting> {
    let mut review: Vec<Waiting> = tasks
        .iter()
        .filter(|t| t.status == Status::InReview)
        .map(|t| {
            let since = times
                .get(&t.id)
                .and_then(|w| w.review_since)
                .unwrap_or_else(|| started(t, times));
            let days = tenth(days_between(since, now));
            Waiting {
                id: t.id.clone(),
                title: t.title.clone(),
                days,
                why: format!("waiting for review for {days} days"),
            }
        })
        .collect();
    review.sort_by(|a, b| b.days.total_cmp(&a.days).then_with(|| a.id.cmp(&b.id)));
    review
}

/// Assignees with more work in progress than the limit, the busiest first.
fn overloaded(tasks: &[&Task], settings: &Settings) -> Vec<Overloaded> {
    let mut by_assignee: BTreeMap<&str, Vec<RecordId>> = BTreeMap::new();
    for t in tasks
        .iter()
        .filter(|t| matches!(t.status, Status::InProgress | Status::InReview))
    {
        if let Some(a) = &t.assignee {
            by_assignee.entry(a).or_default().push(t.id.clone());
        }
    }
    let mut over: Vec<Overloaded> = by_assignee
        .into_iter()
        .filter(|(_, ids)| ids.len() > settings.wip_limit as usize)
        .map(|(a, mut ids)| {
            ids.sort();
            let wip = ids.len();
            ids.truncate(LIST_CAP);
            Overloaded {
                assignee: a.to_string(),
                wip,
                limit: settings.wip_limit,
                tasks: ids,
            }
        })
        .collect();
    over.sort_by(|a, b| b.wip.cmp(&a.wip).then_with(|| a.assignee.cmp(&b.assignee)));
    over
}

fn tenth(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}
