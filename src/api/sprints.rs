//! Sprint use-cases: create, start, close, show (with its tasks, progress and
//! burndown), list.

use super::{Error, Orchestron, Result};
use crate::model::TaskRef;
use crate::model::{IdKind, Limits, RecordId, Sprint, SprintStatus, Status, parse_date};
use serde::Serialize;

/// What `sprint create` takes.
#[derive(Debug, Clone, Default)]
pub struct NewSprint {
    pub name: String,
    pub goal: Option<String>,
    /// `YYYY-MM-DD`.
    pub start: Option<String>,
    pub end: Option<String>,
}

/// The outcome of a sprint's status change.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SprintUpdated {
    pub sprint: Sprint,
    /// What the change allowed but a reader should know (closed with open
    /// tasks); adapters only show these.
    pub warnings: Vec<String>,
}

/// A sprint with its tasks and how far along it is.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SprintView {
    #[serde(flatten)]
    pub sprint: Sprint,
    pub total: usize,
    pub done: usize,
    /// Closed tasks as a share of all, 0–100.
    pub percent: u8,
    #[serde(serialize_with = "status_counts")]
    #[schemars(with = "std::collections::BTreeMap<String, usize>")]
    pub by_status: Vec<(Status, usize)>,
    pub tasks: Vec<TaskRef>,
    /// Points, days left, the burndown series and the scope added.
    pub progress: super::Burndown,
}

impl Orchestron {
    pub fn create_sprint(&mut self, input: NewSprint) -> Result<Sprint> {
        let lock = self.ws.lock()?;
        let sprint = Sprint {
            id: self.new_id(IdKind::Sprint)?,
            name: input.name.trim().to_string(),
            status: SprintStatus::Planned,
            goal: input.goal.filter(|g| !g.trim().is_empty()),
            start: input.start.as_deref().map(parse_date).transpose()?,
            end: input.end.as_deref().map(parse_date).transpose()?,
            created: self.clock().now(),
        };
        sprint.validate()?;
        if self
            .index
            .sprints()?
            .iter()
            .any(|s| s.name.eq_ignore_ascii_case(&sprint.name))
        {
            return Err(Error::Refused(format!(
                "a sprint named {:?} already exists",
                sprint.name
            )));
        }
        let written = self.ws.create(&lock, &sprint)?;
        self.index_written(written)?;
        Ok(sprint)
    }

    /// Moves a sprint to `status`. Starting one while another is active is refused:
    /// two active sprints make "the active sprint" ambiguous.
    pub fn set_sprint_status(
        &mut self,
        id_or_name: &str,
        status: SprintStatus,
    ) -> Result<SprintUpdated> {
        let sprint = self.resolve_sprint(id_or_name)?;
        if status == SprintStatus::Active
            && let Some(active) = self.index.active_sprint()?
            && active.id != sprint.id
        {
            return Err(Error::Refused(format!(
                "sprint {} ({}) is active; close it first",
                active.id, active.name
            )));
        }
        let lock = self.ws.lock()?;
        self.refuse_archived(&sprint.id)?;
        let today = self.clock().now().date_naive();
        let modified = self
            .ws
            .modify(&lock, &sprint.id, |new: &mut Sprint| {
                new.status = status;
                if status == SprintStatus::Active && new.start.is_none() {
                    new.start = Some(today);
                }
                if status == SprintStatus::Closed && new.end.is_none() {
                    new.end = Some(today);
                }
                Ok::<_, Error>(())
            })
            .map_err(|e| self.record_error("sprint", &sprint.id, e))?;
        if let Some(written) = modified.written {
            self.index_written(written)?;
        }
        let mut warnings = Vec::new();
        if status == SprintStatus::Closed && modified.old.status != SprintStatus::Closed {
            warnings.extend(self.open_tasks_warning(&modified.new)?);
        }
        Ok(SprintUpdated {
            sprint: modified.new,
            warnings,
        })
    }

    /// "closed with open tasks": closing a sprint before its tasks is allowed
    /// (they carry over) but worth saying.
    pub(super) fn open_tasks_warning(&self, sprint: &Sprint) -> Result<Option<String>> {
        let open = self.index.open_sprint_members(sprint.id.as_str())?;
        Ok((!open.is_empty()).then(|| {
            format!(
                "sprint {} ({}) is closed with open tasks {}",
                sprint.id,
                sprint.name,
                open.join(", ")
            )
        }))
    }

    /// The sprint named by id or name, or the active one.
    pub fn show_sprint(&self, id_or_name: Option<&str>) -> Result<Option<SprintView>> {
        let sprint = match id_or_name {
            Some(s) => self.resolve_sprint(s)?,
            None => match self.index.active_sprint()? {
                Some(s) => s,
                None => return Ok(None),
            },
        };
        let inputs = self.insight_inputs()?;
        self.show_sprint_with(sprint, &inputs)
    }

    /// The view of `sprint` from insight inputs already gathered.
    pub(super) fn show_sprint_with(
        &self,
        sprint: Sprint,
        inputs: &super::insights::Inputs,
    ) -> Result<Option<SprintView>> {
        // The sprint's tasks from the outlines already read, in list order.
        let members: Vec<&crate::model::Task> = inputs
            .tasks
            .iter()
            .filter(|t| t.sprint.as_ref() == Some(&sprint.id))
            .collect();
        let total = members.len();
        let done = members.iter().filter(|t| t.status.is_closed()).count();
        let by_status = Status::ALL
            .iter()
            .map(|s| (*s, members.iter().filter(|t| t.status == *s).count()))
            .filter(|(_, n)| *n > 0)
            .collect();
        let progress = super::insights::sprint_progress::burndown(
            &sprint,
            &members,
            &inputs.times,
            inputs.now,
        );
        Ok(Some(SprintView {
            percent: percent(done, total),
            total,
            done,
            by_status,
            progress,
            tasks: members
                .iter()
                .map(|t| TaskRef {
                    id: t.id.clone(),
                    title: t.title.clone(),
                    status: t.status,
                })
                .collect(),
            sprint,
        }))
    }

    pub fn list_sprints(&self) -> Result<Vec<Sprint>> {
        Ok(self.index.sprints()?)
    }

    /// The id of the sprint named by id or name.
    pub fn sprint_id(&self, input: &str) -> Result<RecordId> {
        Ok(self.resolve_sprint(input)?.id)
    }

    /// A sprint by id (any case) or by name.
    pub(super) fn resolve_sprint(&self, input: &str) -> Result<Sprint> {
        Limits::check_required("sprint", input, Limits::NAME_CHARS)?;
        if let Ok(id) = RecordId::parse(input)
            && let Some(s) = self.index.sprint(&id)?
        {
            return Ok(s);
        }
        let wanted = input.trim();
        if let Some(s) = self
            .index
            .sprints()?
            .into_iter()
            .find(|s| s.name.eq_ignore_ascii_case(wanted))
        {
            return Ok(s);
        }
        Err(self.not_found("sprint", input))
    }
}

/// Status counts as a JSON object in status order: `{"TODO": 3, "DONE": 1}`,
/// leaving out statuses with no tasks.
pub(super) fn status_counts<S: serde::Serializer>(
    counts: &[(Status, usize)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(None)?;
    for (status, n) in counts.iter().filter(|(_, n)| *n > 0) {
        map.serialize_entry(status.as_str(), n)?;
    }
    map.end()
}

pub(super) fn percent(done: usize, total: usize) -> u8 {
    if total == 0 {
        return 0;
    }
    u8::try_from(done * 100 / total).unwrap_or(100)
}
