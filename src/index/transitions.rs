//! Status changes as the change feed saw them, for insights: every feed row of
//! a task whose fields include `status`, oldest first. The feed sees edits made
//! by any means (CLI, MCP, an editor, a pull) at the moment a refresh notices
//! them, including ones not committed yet; it starts when the cache does.

use super::Index;
use super::error::{Context, IndexError};
use super::row::{from_json, parse_id, parse_timestamp};
use crate::model::{FieldChange, IdKind, RecordId, Status};
use chrono::{DateTime, Utc};

/// One status change of a task seen by the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedStep {
    pub id: RecordId,
    pub at: DateTime<Utc>,
    pub from: Option<Status>,
    pub to: Option<Status>,
}

impl Index {
    /// Every task status change in the feed, oldest first.
    pub fn status_steps(&self) -> Result<Vec<FeedStep>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT at, id, fields FROM changes
                 WHERE kind = ?1 AND op = 'modified' AND fields LIKE '%\"status\"%'
                 ORDER BY seq",
            )
            .ctx("reading status changes from the feed")?;
        let rows: Vec<(String, String, String)> = stmt
            .query_map([IdKind::Task.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .and_then(|rows| rows.collect())
            .ctx("reading status changes from the feed")?;
        let mut out = Vec::new();
        for (at, id, fields) in rows {
            let fields: Vec<FieldChange> = from_json("field changes", &fields)?;
            let Some(change) = fields.iter().find(|f| f.field == "status") else {
                continue;
            };
            let status = |v: &serde_json::Value| v.as_str().and_then(|s| s.parse().ok());
            out.push(FeedStep {
                id: parse_id(&id)?,
                at: parse_timestamp(&at)?,
                from: status(&change.old),
                to: status(&change.new),
            });
        }
        Ok(out)
    }
}
