//! `orchestron status`: the overview a newcomer (human or agent) sees first —
//! tasks by status, the active sprint and its progress, what is in progress and
//! by whom, what is ready next, the latest handoff, and any problems.

use super::{Orchestron, Result, sprints::percent};
use crate::index::{TaskPage, TaskQuery};
use crate::model::{ContextSnapshot, Problem, Sprint, Status, Task};
use serde::Serialize;

/// Everything `status` shows.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Overview {
    pub total: usize,
    #[serde(serialize_with = "super::sprints::status_counts")]
    #[schemars(with = "std::collections::BTreeMap<String, usize>")]
    pub by_status: Vec<(Status, usize)>,
    pub active_sprint: Option<SprintProgress>,
    pub in_progress: Vec<Task>,
    pub ready: Vec<Task>,
    pub latest_context: Option<ContextSnapshot>,
    pub problems: Vec<Problem>,
}

/// The active sprint and how far along it is.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SprintProgress {
    #[serde(flatten)]
    pub sprint: Sprint,
    pub total: usize,
    pub done: usize,
    pub percent: u8,
}

impl Orchestron {
    /// The tasks in progress — of `assignee` only, when given — at most `limit`
    /// of them (0 = all): the overview, the resume and handoff prompts and the
    /// `tasks/current` resource all ask this one question.
    pub fn in_progress(&self, assignee: Option<&str>, limit: usize) -> Result<TaskPage> {
        Ok(self.index.tasks(&TaskQuery {
            status: vec![Status::InProgress],
            assignee: assignee.map(str::to_string),
            limit,
            ..TaskQuery::default()
        })?)
    }

    pub fn overview(&self) -> Result<Overview> {
        let by_status = self.index.status_counts()?;
        let total = by_status.iter().map(|(_, n)| n).sum();
        let active_sprint = match self.index.active_sprint()? {
            Some(sprint) => {
                let page = self.index.tasks(&TaskQuery {
                    sprint: Some(sprint.id.clone()),
                    limit: 0,
                    ..TaskQuery::default()
                })?;
                let done = page.tasks.iter().filter(|t| t.status.is_closed()).count();
                Some(SprintProgress {
                    total: page.total,
                    done,
                    percent: percent(done, page.total),
                    sprint,
                })
            }
            None => None,
        };
        let in_progress = self.in_progress(None, 20)?.tasks;
        let ready = self
            .index
            .tasks(&TaskQuery {
                ready: true,
                limit: 5,
                ..TaskQuery::default()
            })?
            .tasks;
        Ok(Overview {
            total,
            by_status,
            active_sprint,
            in_progress,
            ready,
            latest_context: self.index.contexts(1)?.into_iter().next(),
            problems: self.index.problems()?,
        })
    }

    /// Every problem in every record file (`orchestron check`).
    pub fn check(&self) -> Result<Vec<crate::model::Problem>> {
        let mut problems = self.index.problems()?;
        problems.extend(self.claim_conflicts()?);
        Ok(problems)
    }
}
