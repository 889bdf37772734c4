//! Claiming work: `task claim` / `orchestron_task_claim` take a task atomically
//! (under the workspace lock, re-reading the file), and `task next` names the
//! task to do next in the one order shared with `task list`.

use super::{Error, Orchestron, Result, Updated};
use crate::index::TaskQuery;
use crate::model::{Status, Task};

impl Orchestron {
    /// Takes `id` (or the best ready task) for `assignee` (default: the caller):
    /// assigns it and moves it to IN_PROGRESS. Refuses a task another agent holds.
    /// `Ok(None)` when no task is ready.
    pub fn claim(&mut self, id: Option<&str>, assignee: Option<&str>) -> Result<Option<Updated>> {
        let who = match assignee {
            Some(a) => self.ws.config.actor_name(a.trim()),
            None => self.actor().to_string(),
        };
        // Pick and take under one lock, on an index refreshed inside it: a
        // concurrent claimer either sees this claim or waits for it, so it
        // picks another task instead of losing a race to "held by".
        let _lock = self.locked_fresh()?;
        let id = match id {
            Some(id) => self.existing_task_id(id)?,
            None => {
                match self.next_ready(&who)? {
                    Some(t) => t.id,
                    None => return Ok(None),
                }
            }
        };
        let result = self.modify_task(&id, |_, task| {
            if task.status.is_closed() {
                return Err(Error::Invalid(format!(
                    "{} is {}: nothing to claim",
                    task.id, task.status
                )));
            }
            if let Some(holder) = held_by_other(task, &who) {
                return Err(Error::Held {
                    id: task.id.to_string(),
                    holder,
                });
            }
            task.assignee = Some(who.clone());
            task.status = Status::InProgress;
            Ok(())
        })?;
        Ok(Some(result))
    }

    /// The task the caller should do next: ready, in the one order shared by
    /// claim and list (priority, then what it unblocks, then age).
    pub fn next_task(&self) -> Result<Option<Task>> {
        self.next_ready(self.actor())
    }

    fn next_ready(&self, who: &str) -> Result<Option<Task>> {
        let page = self.index.tasks(&TaskQuery {
            ready: true,
            ready_for: Some(who.to_string()),
            limit: 50,
            ..TaskQuery::default()
        })?;
        Ok(page
            .tasks
            .into_iter()
            .find(|t| held_by_other(t, who).is_none()))
    }
}

/// The holder's name when `task` is IN_PROGRESS and assigned to someone else.
pub(crate) fn held_by_other(task: &Task, who: &str) -> Option<String> {
    match &task.assignee {
        Some(a) if task.status == Status::InProgress && a != who => Some(a.clone()),
        _ => None,
    }
}
