//! Insights from the records: flow metrics, sprint burndown, completion
//! forecasts and bottlenecks, answered from the records, the change feed and
//! git history — no model, no network — with the basis of every number shown.
//! This module gathers the inputs once (every task from the index, the status
//! steps from git and the feed, the times they give: [`when`]) and hands them
//! to pure computations ([`flow`], [`forecast`], [`bottlenecks`],
//! [`sprint_progress`]) that take `now` as an argument, so tests fix the clock.

pub mod bottlenecks;
pub mod flow;
pub mod forecast;
pub mod sprint_progress;
pub mod when;

#[cfg(test)]
mod tests;

use super::{Error, Orchestron, Result, SprintView};
use crate::model::{IdKind, RecordId, Task, TaskType};
use bottlenecks::{Bottlenecks, Settings, StaleClaim};
use chrono::{DateTime, Utc};
use flow::Flow;
use forecast::{Forecast, Target};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use when::{Step, WorkTimes};

/// Lists in insight results show at most this many entries (with a total).
pub const LIST_CAP: usize = 10;
/// How many commits the history walk reads at most.
const GIT_COMMITS: usize = 2000;

/// A list cut to [`LIST_CAP`] entries, with how many there are in all.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Capped<T> {
    pub items: Vec<T>,
    pub total: usize,
}

impl<T> Capped<T> {
    pub fn of(mut items: Vec<T>, cap: usize) -> Self {
        let total = items.len();
        items.truncate(cap);
        Capped { items, total }
    }
}

/// Calendar days from `a` to `b`, fractional.
pub fn days_between(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a).num_seconds() as f64 / 86_400.0
}

/// Where the times came from, for the reader of a report.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct HistorySources {
    /// The workspace is in a git repository whose history was read.
    pub git: bool,
    /// The history is cut (a shallow clone, or longer than the walk reads).
    pub git_cut: bool,
    /// Status changes seen by the change feed.
    pub feed_steps: usize,
}

/// `orchestron report`: flow, the active sprint and bottlenecks together.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Report {
    pub now: DateTime<Utc>,
    pub flow: Flow,
    pub sprint: Option<SprintView>,
    pub bottlenecks: Bottlenecks,
    pub sources: HistorySources,
}

/// `analyze_bottlenecks` as agents get it: the findings and the flow metrics
/// they are judged against, from one gathering of the inputs.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Analysis {
    #[serde(flatten)]
    pub bottlenecks: Bottlenecks,
    pub flow: Flow,
}

/// The inputs every insight starts from, gathered once.
pub(super) struct Inputs {
    /// Every task as an outline: the fields insights read, without labels,
    /// description, criteria, clarifications or notes (`Index::task_outlines`).
    pub tasks: Vec<Task>,
    pub times: HashMap<RecordId, WorkTimes>,
    pub sources: HistorySources,
    pub now: DateTime<Utc>,
}

impl Orchestron {
    /// Every task and when its work happened.
    pub(super) fn insight_inputs(&self) -> Result<Inputs> {
        let t = crate::timing::Phase::start();
        let tasks = self.index.task_outlines()?;
        t.lap("insights: tasks");
        let feed: Vec<Step> = self
            .index
            .status_steps()?
            .into_iter()
            .map(|s| Step {
                id: s.id,
                at: s.at,
                from: s.from,
                to: s.to,
            })
            .collect();
        let mut sources = HistorySources {
            git: false,
            git_cut: false,
            feed_steps: feed.len(),
        };
        let mut git = Vec::new();
        if let Some(repo) = self.git()? {
            let dir = self.ws.root().join(IdKind::Task.dir());
            if let Some(rel) = repo.rel_path(&dir) {
                let timeline = repo.status_timeline(&rel, GIT_COMMITS)?;
                sources.git = true;
                sources.git_cut = timeline.shallow || timeline.cut;
                git = timeline
                    .steps
                    .into_iter()
                    .filter_map(|s| {
                        Some(Step {
                            id: RecordId::parse(&s.id).ok()?,
                            at: s.at,
                            from: s.from,
                            to: s.to,
                        })
                    })
                    .collect();
            }
        }
        t.lap("insights: history");
        let times = when::work_times(&tasks, &git, &feed);
        Ok(Inputs {
            tasks,
            times,
            sources,
            now: self.clock().now(),
        })
    }

    /// True when a status change must be stamped into the record (`started`,
    /// `closed`): git will not remember it (no repository, or a shallow clone).
    pub(super) fn needs_status_stamps(&self) -> bool {
        match self.git() {
            Ok(Some(repo)) => repo.is_shallow(),
            _ => true,
        }
    }

    /// `report flow`.
    pub fn flow_report(&self) -> Result<Flow> {
        let i = self.insight_inputs()?;
        Ok(flow::flow(&i.tasks, &i.times, i.now))
    }

    /// `analyze_bottlenecks`, over the whole backlog or one sprint's tasks.
    pub fn bottlenecks(&self, sprint: Option<&str>) -> Result<Bottlenecks> {
        let i = self.insight_inputs()?;
        let sprint = sprint.map(|s| self.sprint_id(s)).transpose()?;
        self.bottlenecks_of(&i, sprint.as_ref())
    }

    /// The bottlenecks (of one sprint, when given) with the flow metrics.
    pub fn analyze(&self, sprint: Option<&str>) -> Result<Analysis> {
        let i = self.insight_inputs()?;
        let sprint = sprint.map(|s| self.sprint_id(s)).transpose()?;
        Ok(Analysis {
            bottlenecks: self.bottlenecks_of(&i, sprint.as_ref())?,
            flow: flow::flow(&i.tasks, &i.times, i.now),
        })
    }

    fn bottlenecks_of(&self, i: &Inputs, sprint: Option<&RecordId>) -> Result<Bottlenecks> {
        let scope: Vec<&Task> = i
            .tasks
            .iter()
            .filter(|t| sprint.is_none_or(|s| t.sprint.as_ref() == Some(s)))
            .collect();
        let cycle = flow::cycle_time(&i.tasks, &i.times, i.now);
        let settings = Settings {
            wip_limit: self.ws.config.wip_limit,
        };
        let stale = self.stale_claims(&scope)?;
        Ok(bottlenecks::analyze(
            &scope, &i.times, &cycle, &settings, stale, i.now,
        ))
    }

    /// The claims on `tasks` whose lease has expired, asked of the claim
    /// registry (the one place that knows leases).
    fn stale_claims(&self, tasks: &[&Task]) -> Result<Vec<StaleClaim>> {
        let titles: HashMap<&str, &Task> = tasks.iter().map(|t| (t.id.as_str(), *t)).collect();
        Ok(self
            .notable_claims()?
            .into_iter()
            .filter(|h| h.claim.stale)
            .filter_map(|h| {
                let t = titles.get(h.id.as_str())?;
                Some(StaleClaim {
                    id: t.id.clone(),
                    title: t.title.clone(),
                    why: format!(
                        "{} holds it; the lease expired {}",
                        h.claim.holder,
                        h.claim
                            .expires
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    ),
                    holder: h.claim.holder,
                    expired: h.claim.expires,
                })
            })
            .collect())
    }

    /// `predict_completion` for a task (with its subtree and what it depends
    /// on) or a sprint (id or name).
    pub fn predict(&self, target: &str) -> Result<Forecast> {
        let i = self.insight_inputs()?;
        let by_id: HashMap<&RecordId, &Task> = i.tasks.iter().map(|t| (&t.id, t)).collect();
        let (target, set): (Target, Vec<&Task>) = match RecordId::parse(target)
            .ok()
            .and_then(|id| by_id.get(&id).copied())
        {
            Some(task) => (
                Target {
                    id: task.id.clone(),
                    kind: match task.kind {
                        TaskType::Epic => "epic",
                        TaskType::Story => "story",
                        _ => "task",
                    }
                    .to_string(),
                    title: task.title.clone(),
                },
                work_of(task, &i.tasks, &by_id),
            ),
            None => {
                let sprint = self.resolve_sprint(target).map_err(|e| match e {
                    Error::NotFound { .. } => self.not_found("task or sprint", target),
                    e => e,
                })?;
                let set = i
                    .tasks
                    .iter()
                    .filter(|t| t.sprint.as_ref() == Some(&sprint.id))
                    .collect();
                (
                    Target {
                        id: sprint.id,
                        kind: "sprint".into(),
                        title: sprint.name,
                    },
                    set,
                )
            }
        };
        let remaining: Vec<&Task> = set.into_iter().filter(|t| !t.status.is_closed()).collect();
        let g = bottlenecks::Graph::of(remaining.iter().copied());
        let chain = g
            .longest_chain()
            .into_iter()
            .map(|n| g.open[n].id.clone())
            .collect();
        let cycle = flow::cycle_time(&i.tasks, &i.times, i.now);
        let (samples, finished) = forecast::daily_throughput(&i.tasks, &i.times, i.now);
        Ok(forecast::forecast(
            target,
            &remaining,
            chain,
            cycle.median_days,
            &samples,
            finished,
            i.now,
        ))
    }

    /// `orchestron report`.
    pub fn report(&self) -> Result<Report> {
        let i = self.insight_inputs()?;
        let sprint = match self.index.active_sprint()? {
            Some(s) => self.show_sprint_with(s, &i)?,
            None => None,
        };
        Ok(Report {
            now: i.now,
            flow: flow::flow(&i.tasks, &i.times, i.now),
            bottlenecks: self.bottlenecks_of(&i, None)?,
            sprint,
            sources: i.sources.clone(),
        })
    }
}

/// A task's work: itself, its subtree (children, transitively), and every task
/// any of them depends on, transitively. Each task is visited once, so a cycle
/// in the links cannot loop.
fn work_of<'a>(
    root: &'a Task,
    tasks: &'a [Task],
    by_id: &HashMap<&RecordId, &'a Task>,
) -> Vec<&'a Task> {
    let mut children: HashMap<&RecordId, Vec<&Task>> = HashMap::new();
    for t in tasks {
        if let Some(p) = &t.parent {
            children.entry(p).or_default().push(t);
        }
    }
    let mut seen: HashSet<&RecordId> = HashSet::from([&root.id]);
    let mut stack = vec![root];
    let mut out = Vec::new();
    while let Some(t) = stack.pop() {
        out.push(t);
        let kids = children.get(&t.id).into_iter().flatten().copied();
        let deps = t.depends_on.iter().filter_map(|d| by_id.get(d).copied());
        for next in kids.chain(deps) {
            if seen.insert(&next.id) {
                stack.push(next);
            }
        }
    }
    out
}
