//! The board as plain data: one column per status with its cards (id, title,
//! priority, assignee, progress, labels, open dependencies, the claim holder's
//! branch and work tree), the sprint shown with its progress and burndown (from
//! insights, not recomputed), and the latest handoff. Written once here; the
//! terminal board, the HTML page and the live server (`src/board/`) only
//! render it. A column of closed work holds its latest cards only (newest
//! close first) and says how many there are in all, so a 10,000-task backlog
//! stays a page a browser opens at once. Cards leave out empty fields (the
//! page carries thousands of them).

use super::{Burndown, ClaimView, Orchestron, Result, TaskPatch, Updated};
use crate::model::TaskQuery;
use crate::model::{
    ContextKind, ContextSnapshot, Priority, RecordId, Sprint, Status, Task, TaskType,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// What the board shows: the filters of `task list` that make sense for a
/// board, and how much closed work to carry.
#[derive(Debug, Clone, Default)]
pub struct BoardQuery {
    /// A sprint id or name: only its tasks, and its progress instead of the
    /// active sprint's.
    pub sprint: Option<String>,
    pub assignee: Option<String>,
    /// Every one of these labels (as `task list --label`).
    pub labels: Vec<String>,
    /// Only the direct children of this task.
    pub parent: Option<String>,
    /// Show the CANCELLED column too.
    pub cancelled: bool,
    /// The latest closed cards carried per closed column (DONE, CANCELLED).
    pub closed_limit: usize,
}

/// How many closed cards a board carries per closed column unless asked.
pub const CLOSED_LIMIT: usize = 200;

/// The board: columns in workflow order.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Board {
    /// When the board was made (the workspace's clock, so `ORCHESTRON_NOW` fixes it).
    pub generated: DateTime<Utc>,
    /// The project folder's name, for titles.
    pub project: String,
    pub columns: Vec<BoardColumn>,
    /// The sprint asked for, else the active one.
    pub sprint: Option<BoardSprint>,
    pub handoff: Option<ContextSnapshot>,
    /// The filters applied, as given (for the page to say what it shows).
    pub filters: Vec<(String, String)>,
}

/// One status column.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BoardColumn {
    pub status: Status,
    /// Every task of this status that the filters let through.
    pub total: usize,
    /// The cards carried: all of an open column, the latest `closed_limit`
    /// of a closed one.
    pub cards: Vec<Card>,
}

/// One task on the board.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Card {
    pub id: RecordId,
    pub title: String,
    pub status: Status,
    #[serde(rename = "type")]
    pub kind: TaskType,
    pub priority: Priority,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    pub progress: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimate: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<RecordId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sprint: Option<RecordId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<RecordId>,
    /// Dependencies not yet DONE or CANCELLED (a dangling one counts as open).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waiting_on: Vec<RecordId>,
    /// Open tasks that depend on this one.
    #[serde(skip_serializing_if = "is_zero")]
    pub blocks: usize,
    /// BLOCKED, or open and waiting on an open dependency.
    pub blocked: bool,
    /// Who holds it, from which branch and work tree (claims).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<ClaimView>,
    /// When it was closed, for closed cards (insights' times).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
}

/// The sprint the board shows, with the progress `sprint show` computes.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BoardSprint {
    #[serde(flatten)]
    pub sprint: Sprint,
    pub total: usize,
    pub done: usize,
    pub percent: u8,
    pub progress: Burndown,
}

impl Orchestron {
    /// The board for `query` (see the module text).
    pub fn board(&self, query: &BoardQuery) -> Result<Board> {
        let inputs = self.insight_inputs()?;
        let base = TaskQuery {
            assignee: query.assignee.clone(),
            labels: query.labels.clone(),
            limit: 0,
            ..TaskQuery::default()
        };
        let page = self.find_tasks(base, query.sprint.as_deref(), query.parent.as_deref())?;
        let status_of: HashMap<&RecordId, Status> =
            inputs.tasks.iter().map(|t| (&t.id, t.status)).collect();
        let mut blocks: HashMap<&RecordId, usize> = HashMap::new();
        for t in inputs.tasks.iter().filter(|t| !t.status.is_closed()) {
            for d in &t.depends_on {
                *blocks.entry(d).or_default() += 1;
            }
        }
        // Other clones' claims too, with `claims.remote` (docs/CLAIMS.md).
        let (claims, remote) = self.claims_seen()?;
        // Closed in another work tree or clone: not work to pick up here.
        let closed = self.closed_elsewhere(remote.as_ref())?;
        let mut columns: Vec<BoardColumn> = Status::ALL
            .iter()
            .filter(|s| query.cancelled || **s != Status::Cancelled)
            .map(|s| BoardColumn {
                status: *s,
                total: 0,
                cards: Vec::new(),
            })
            .collect();
        for task in page
            .tasks
            .into_iter()
            .filter(|t| !closed.contains_key(t.id.as_str()))
        {
            let Some(column) = columns.iter_mut().find(|c| c.status == task.status) else {
                continue;
            };
            column.total += 1;
            let waiting_on: Vec<RecordId> = task
                .depends_on
                .iter()
                .filter(|d| !status_of.get(d).is_some_and(|s| s.is_closed()))
                .cloned()
                .collect();
            let open = !task.status.is_closed();
            let claim = if open {
                self.claim_view(&claims, &task.id)?
            } else {
                None
            };
            column.cards.push(Card {
                blocked: task.status == Status::Blocked || (open && !waiting_on.is_empty()),
                waiting_on,
                blocks: blocks.get(&task.id).copied().unwrap_or(0),
                claim,
                closed_at: inputs.times.get(&task.id).and_then(|w| w.closed),
                ..card_of(task)
            });
        }
        for column in columns.iter_mut().filter(|c| c.status.is_closed()) {
            // Newest close first; a close at an unknown time sorts last.
            column
                .cards
                .sort_by(|a, b| b.closed_at.cmp(&a.closed_at).then_with(|| a.id.cmp(&b.id)));
            column.cards.truncate(query.closed_limit);
        }
        let sprint = self.board_sprint(query, &inputs)?;
        let handoff = self.index.latest_context(ContextKind::Handoff)?;
        let filters = board_filters(query);
        Ok(Board {
            generated: inputs.now,
            project: self.project_name(),
            columns,
            sprint,
            handoff,
            filters,
        })
    }

    /// The sprint the board shows (the asked one, else the active one) with its progress.
    fn board_sprint(
        &self,
        query: &BoardQuery,
        inputs: &super::insights::Inputs,
    ) -> Result<Option<BoardSprint>> {
        let sprint = match &query.sprint {
            Some(s) => Some(self.resolve_sprint(s)?),
            None => self.index.active_sprint()?,
        };
        Ok(match sprint {
            Some(s) => self.show_sprint_with(s, inputs)?.map(|v| BoardSprint {
                sprint: v.sprint,
                total: v.total,
                done: v.done,
                percent: v.percent,
                progress: v.progress,
            }),
            None => None,
        })
    }

    /// A card moved to another column: `task update ID --status S` (the same
    /// write path: lock, claim check, lossless one-line write). A task another
    /// agent holds on a live claim is refused unless `force` — a board is a
    /// shared screen, and a drag must not take work from under the agent
    /// doing it by accident.
    pub fn move_card(&mut self, id: &str, status: Status, force: bool) -> Result<Updated> {
        self.update_task(
            id,
            TaskPatch {
                status: Some(status),
                force,
                ..TaskPatch::default()
            },
        )
    }

    /// The project's name for titles: the folder holding `.orchestron/`, or a
    /// workspace folder of another name itself (`.orchestron-example` →
    /// `orchestron-example`).
    fn project_name(&self) -> String {
        let name = |p: &std::path::Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
        match name(self.ws.root()) {
            Some(n) if n == ".orchestron" => name(self.ws.project_dir()).unwrap_or(n),
            Some(n) => n.trim_start_matches('.').to_string(),
            None => "orchestron".into(),
        }
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A task's own fields as a card (the derived ones empty).
fn card_of(task: Task) -> Card {
    Card {
        id: task.id,
        title: task.title,
        status: task.status,
        kind: task.kind,
        priority: task.priority,
        assignee: task.assignee,
        progress: task.progress,
        estimate: task.estimate,
        labels: task.labels,
        parent: task.parent,
        sprint: task.sprint,
        depends_on: task.depends_on,
        waiting_on: Vec::new(),
        blocks: 0,
        blocked: false,
        claim: None,
        closed_at: None,
    }
}

/// The board's filters as (name, value) pairs, in the order the page shows them.
fn board_filters(query: &BoardQuery) -> Vec<(String, String)> {
    let mut filters = Vec::new();
    let mut filter = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            filters.push((k.to_string(), v.clone()));
        }
    };
    filter("sprint", &query.sprint);
    filter("assignee", &query.assignee);
    filter("parent", &query.parent);
    for l in &query.labels {
        filters.push(("label".into(), l.clone()));
    }
    filters
}
