//! The sprint record: a named, time-boxed goal that tasks join via their `sprint` field.

use super::{Limits, ModelError, RecordId, SprintStatus};
use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A sprint. Its id is random (a name-derived id would collide across branches);
/// `name` is what people call it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Sprint {
    pub id: RecordId,
    pub name: String,
    #[serde(default = "planned")]
    pub status: SprintStatus,
    #[serde(default)]
    pub goal: Option<String>,
    #[serde(default)]
    pub start: Option<NaiveDate>,
    #[serde(default)]
    pub end: Option<NaiveDate>,
    /// When the sprint was made; as for a task, the file's modification time
    /// is assumed when a file written by hand leaves it out.
    #[serde(default = "super::unset_time")]
    #[schemars(transform = super::drop_default)]
    pub created: DateTime<Utc>,
}

fn planned() -> SprintStatus {
    SprintStatus::Planned
}

impl Sprint {
    /// The top-level keys a sprint file may hold, in canonical order.
    pub const KEYS: &'static [&'static str] =
        &["id", "name", "status", "goal", "start", "end", "created"];

    pub fn validate(&self) -> Result<(), ModelError> {
        Limits::check_line("name", &self.name, Limits::NAME_CHARS)?;
        if let Some(goal) = &self.goal {
            Limits::check_text("goal", goal, Limits::DESCRIPTION_CHARS)?;
        }
        if let (Some(start), Some(end)) = (self.start, self.end)
            && end < start
        {
            return Err(ModelError::EndBeforeStart {
                start: start.to_string(),
                end: end.to_string(),
            });
        }
        Ok(())
    }
}

/// Parses a `YYYY-MM-DD` date given by a user.
pub fn parse_date(input: &str) -> Result<NaiveDate, ModelError> {
    NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d").map_err(|_| ModelError::InvalidDate {
        value: input.to_string(),
    })
}
