//! Sprint and context queries: the live sprints in date order, every
//! sprint for an export, one sprint by id, the active one; the newest
//! context snapshots and handoffs, by kind or by task. Each record comes back
//! from its stored JSON, so no query touches a YAML file.

use super::Index;
use super::error::{Context, IndexError};
use super::query::to_i64;
use super::row::from_json;
use crate::model::{ContextKind, ContextSnapshot, RecordId, Sprint};

impl Index {
    /// Every live sprint (archived ones left out), by start date (undated
    /// last), then creation.
    pub fn sprints(&self) -> Result<Vec<Sprint>, IndexError> {
        self.json_rows(
            "SELECT r.json FROM sprints s JOIN records r ON r.rid = s.rid WHERE s.archived = 0
             ORDER BY s.start_date IS NULL, s.start_date, s.created, s.id",
            [],
            "sprint",
        )
    }

    /// Every sprint, archived ones too, by id (an export's order).
    pub fn every_sprint(&self) -> Result<Vec<Sprint>, IndexError> {
        self.json_rows(
            "SELECT r.json FROM sprints s JOIN records r ON r.rid = s.rid ORDER BY s.id",
            [],
            "sprint",
        )
    }

    pub fn sprint(&self, id: &RecordId) -> Result<Option<Sprint>, IndexError> {
        Ok(self
            .json_rows(
                "SELECT r.json FROM sprints s JOIN records r ON r.rid = s.rid WHERE s.id = ?1",
                [id.as_str()],
                "sprint",
            )?
            .pop())
    }

    /// The ACTIVE sprint with the latest start (see `problems` for a warning
    /// when there are several).
    pub fn active_sprint(&self) -> Result<Option<Sprint>, IndexError> {
        Ok(self
            .json_rows(
                "SELECT r.json FROM sprints s JOIN records r ON r.rid = s.rid
                 WHERE s.status = 'ACTIVE'
                 ORDER BY s.start_date IS NULL, s.start_date DESC, s.created DESC, s.id DESC
                 LIMIT 1",
                [],
                "sprint",
            )?
            .pop())
    }

    /// The newest `limit` context snapshots and handoffs (0 = all), newest first.
    pub fn contexts(&self, limit: usize) -> Result<Vec<ContextSnapshot>, IndexError> {
        let limit = if limit == 0 { -1 } else { to_i64(limit) };
        self.json_rows(
            "SELECT r.json FROM contexts c JOIN records r ON r.rid = c.rid
             ORDER BY c.at_us DESC, c.id DESC LIMIT ?1",
            [limit],
            "context",
        )
    }

    /// The newest context of `kind` (the board's latest handoff), found
    /// through `contexts_at` without reading any other record.
    pub fn latest_context(&self, kind: ContextKind) -> Result<Option<ContextSnapshot>, IndexError> {
        Ok(self
            .json_rows(
                "SELECT r.json FROM contexts c JOIN records r ON r.rid = c.rid
                 WHERE c.kind = ?1 ORDER BY c.at_us DESC, c.id DESC LIMIT 1",
                [kind.as_str()],
                "context",
            )?
            .pop())
    }

    /// The newest handoff about `task`.
    pub fn latest_handoff_for(
        &self,
        task: &RecordId,
    ) -> Result<Option<ContextSnapshot>, IndexError> {
        Ok(self
            .json_rows(
                "SELECT r.json FROM contexts c JOIN records r ON r.rid = c.rid
                 WHERE c.kind = ?1 AND c.task = ?2 ORDER BY c.at_us DESC, c.id DESC LIMIT 1",
                [ContextKind::Handoff.as_str(), task.as_str()],
                "context",
            )?
            .pop())
    }

    /// Whether a context with this id is indexed.
    pub fn context_exists(&self, id: &RecordId) -> Result<bool, IndexError> {
        self.conn
            .prepare_cached("SELECT count(*) > 0 FROM contexts WHERE id = ?1")
            .and_then(|mut s| s.query_row([id.as_str()], |r| r.get(0)))
            .ctx("reading a context")
    }

    #[cfg(test)]
    pub fn context(&self, id: &RecordId) -> Result<Option<ContextSnapshot>, IndexError> {
        Ok(self
            .json_rows(
                "SELECT r.json FROM contexts c JOIN records r ON r.rid = c.rid WHERE c.id = ?1",
                [id.as_str()],
                "context",
            )?
            .pop())
    }

    fn json_rows<T: serde::de::DeserializeOwned, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        what: &'static str,
    ) -> Result<Vec<T>, IndexError> {
        let mut stmt = self.conn.prepare_cached(sql).ctx("reading records")?;
        let jsons: Vec<String> = stmt
            .query_map(params, |r| r.get(0))
            .and_then(|rows| rows.collect())
            .ctx("reading records")?;
        jsons.iter().map(|j| from_json(what, j)).collect()
    }
}
