//! `orchestron status`: the overview a newcomer (human or agent) sees first —
//! tasks by status, the active sprint and its progress, what is in progress and
//! by whom, what is ready next, the latest handoff, and any problems.

use super::{Orchestron, Result, sprints::percent};
use crate::model::{ContextSnapshot, Problem, Sprint, Status, Task};
use crate::model::{TaskPage, TaskQuery};
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
    /// Claims held in other work trees of this clone, or stale.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<super::HeldTask>,
    /// Claims that ended in the last days because someone forced a write
    /// over them (docs/CLAIMS.md).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claims_ended: Vec<super::ClaimLost>,
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
                let (total, done) = self.index.sprint_tally(sprint.id.as_str())?;
                Some(SprintProgress {
                    total,
                    done,
                    percent: percent(done, total),
                    sprint,
                })
            }
            None => None,
        };
        let in_progress = self.in_progress(None, 20)?.tasks;
        let (held_elsewhere, ready_anyway) = self.readiness_here(self.actor())?;
        let ready = self
            .index
            .tasks(&TaskQuery {
                ready: true,
                held_elsewhere,
                ready_anyway,
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
            problems: self.check()?,
            claims: self.notable_claims()?,
            claims_ended: self.lost_claims()?,
        })
    }

    /// [`Orchestron::check`] after re-reading the archive too, so that a
    /// hand edit of an archived file is judged (`orchestron check`).
    pub fn check_with_archive(&mut self) -> Result<Vec<crate::model::Problem>> {
        self.refresh_with_archive()?;
        self.check()
    }

    /// Every problem in every record file (`orchestron check`, and the
    /// problems of `status`: the two never disagree).
    pub fn check(&self) -> Result<Vec<crate::model::Problem>> {
        let mut problems = self.backlog_problems()?;
        problems.extend(self.stale_claim_problems()?);
        problems.extend(self.ws.config_problems());
        problems.extend(self.strays()?.into_iter().map(|path| {
            crate::model::Problem::warning(
                path,
                1,
                1,
                "not a record file (records end in `.yaml`), so it is ignored",
            )
        }));
        problems.sort_by(|a, b| {
            (&a.path, a.line, a.column, &a.message).cmp(&(&b.path, b.line, b.column, &b.message))
        });
        Ok(problems)
    }

    /// The problems that follow from the records alone — the index's checks
    /// across records, merge-decided claims, closed work with open parts —
    /// computed once per content of the index and kept with it, so that a
    /// backlog that did not change is not walked again by every `status`.
    fn backlog_problems(&self) -> Result<Vec<Problem>> {
        let version = self.index.content_version()?;
        if let Some(kept) = self.index.kept_checks(&version)? {
            return Ok(kept);
        }
        let mut problems = self.index.problems()?;
        problems.extend(self.claim_conflicts()?);
        problems.extend(self.closed_but_open_problems()?);
        if let Err(e) = self.index.keep_checks(&version, &problems) {
            tracing::debug!(
                "problems not kept in the index: {}",
                crate::model::with_causes(&e)
            );
        }
        Ok(problems)
    }

    /// Files in the record folders that are not records ([`crate::store::Workspace::strays`]).
    /// Listing a folder of 100,000 files costs more than the rest of a
    /// watched command, so the listing is kept in the index with each
    /// folder's mtime and reused while none changed: adding, removing or
    /// renaming a file always changes its folder's mtime. A folder changed
    /// within the timestamp granularity of the last listing is listed again.
    fn strays(&self) -> Result<Vec<String>> {
        let dirs = self.ws.record_dir_mtimes();
        let now_ns = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
        if let Some(kept) = self.index.kept_listing()?
            && kept.dirs == dirs
            && dirs.iter().all(|(_, m)| {
                m.is_some_and(|m| {
                    m < kept
                        .listed_at_ns
                        .saturating_sub(super::refresh::RACY_WINDOW_NS)
                })
            })
        {
            return Ok(kept.strays);
        }
        let strays = self.ws.strays();
        let listing = crate::index::KeptListing {
            dirs: self.ws.record_dir_mtimes(),
            listed_at_ns: now_ns,
            strays,
        };
        // Only if no folder changed while it was listed.
        if listing.dirs == dirs
            && let Err(e) = self.index.keep_listing(&listing)
        {
            tracing::debug!(
                "folder listing not kept in the index: {}",
                crate::model::with_causes(&e)
            );
        }
        Ok(listing.strays)
    }

    /// Closed containers with open children and closed sprints with open
    /// tasks: allowed (the write warned), and still worth a line in `check`.
    fn closed_but_open_problems(&self) -> Result<Vec<Problem>> {
        use crate::model::{IdKind, SprintStatus, key_line};
        use crate::store::RecordPath;
        let mut out = Vec::new();
        let mut push = |kind: IdKind, id: &crate::model::RecordId, message: String| {
            let path = RecordPath::of(kind, id);
            let line = self
                .ws
                .current(&path)
                .map_or(1, |(text, _)| key_line(&text, "status"));
            out.push(Problem::warning(path.rel(), line, 1, message));
        };
        // Candidates from one query each, instead of a lookup per closed
        // task; the warnings are the ones the writes give.
        for id in self.index.closed_with_open_children()? {
            let Ok(id) = crate::model::RecordId::parse(&id) else {
                continue;
            };
            if let Some(task) = self.index.task(&id)?
                && let Some(w) = self.open_children_warning(&task)?
            {
                push(IdKind::Task, &task.id, w);
            }
        }
        for sprint in self.index.sprints()? {
            if sprint.status == SprintStatus::Closed
                && let Some(w) = self.open_tasks_warning(&sprint)?
            {
                push(IdKind::Sprint, &sprint.id, w);
            }
        }
        Ok(out)
    }
}
