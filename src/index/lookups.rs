//! Lookups of single records and their links: a task by id, whether (and
//! where) a record is archived, the tasks that depend on a task or are its
//! children, the status counts and the archived ids. Records come back from
//! their stored JSON, links in the task list order of [`super::query`].

use super::Index;
use super::error::{Context, IndexError};
use super::query::ORDER;
use super::row::{from_json, parse_id};
use crate::model::{RecordId, Status, Task, TaskRef};
use rusqlite::OptionalExtension;

impl Index {
    /// The task with this id, if one is indexed.
    pub fn task(&self, id: &RecordId) -> Result<Option<Task>, IndexError> {
        let json: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT r.json FROM tasks t JOIN records r ON r.rid = t.rid WHERE t.id = ?1",
            )
            .and_then(|mut s| s.query_row([id.as_str()], |r| r.get(0)).optional())
            .ctx("reading a task")?;
        json.map(|j| from_json("task", &j)).transpose()
    }

    /// Whether the record that speaks for `id` lies in the archive (`None`
    /// when no record does).
    pub fn archived(&self, id: &RecordId) -> Result<Option<bool>, IndexError> {
        self.conn
            .prepare_cached(
                "SELECT substr(r.path, 1, 8) = 'archive/'
                 FROM live l JOIN records r ON r.rid = l.rid WHERE l.id = ?1",
            )
            .and_then(|mut s| s.query_row([id.as_str()], |r| r.get(0)).optional())
            .ctx("finding a record's file")
    }

    /// The file (relative to the workspace) of the record that speaks for
    /// `id` — normally `<dir>/<id>.yaml`, but a misnamed or duplicated file
    /// may be the one in use.
    #[cfg(test)]
    pub fn path_of(&self, id: &RecordId) -> Result<Option<String>, IndexError> {
        self.conn
            .prepare_cached(
                "SELECT r.path FROM live l JOIN records r ON r.rid = l.rid WHERE l.id = ?1",
            )
            .and_then(|mut s| s.query_row([id.as_str()], |r| r.get(0)).optional())
            .ctx("finding a record's file")
    }

    /// Tasks that list `id` in their `depends_on`.
    pub fn dependents(&self, id: &RecordId) -> Result<Vec<TaskRef>, IndexError> {
        self.task_refs(
            &format!(
                "SELECT t.id, t.title, t.status FROM task_deps d JOIN tasks t ON t.rid = d.rid
                 WHERE d.dep = ?1 ORDER BY {ORDER}"
            ),
            id,
        )
    }

    /// Tasks whose `parent` is `id`.
    pub fn children(&self, id: &RecordId) -> Result<Vec<TaskRef>, IndexError> {
        self.task_refs(
            &format!(
                "SELECT t.id, t.title, t.status FROM tasks t WHERE t.parent = ?1 ORDER BY {ORDER}"
            ),
            id,
        )
    }

    /// How many tasks are in each status, every status listed (zeros included).
    pub fn status_counts(&self) -> Result<Vec<(Status, usize)>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT status, n FROM task_counts WHERE archived = 0")
            .ctx("counting tasks by status")?;
        let rows: Vec<(String, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .ctx("counting tasks by status")?;
        Ok(Status::ALL
            .iter()
            .map(|s| {
                let n = rows
                    .iter()
                    .find(|(name, _)| name == s.as_str())
                    .map_or(0, |(_, n)| usize::try_from(*n).unwrap_or(0));
                (*s, n)
            })
            .collect())
    }

    /// The ids of every record whose file lies in the archive, sorted.
    pub fn archived_ids(&self) -> Result<Vec<RecordId>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT l.id FROM live l JOIN records r ON r.rid = l.rid
                 WHERE r.path >= 'archive/' AND r.path < 'archive0' ORDER BY l.id",
            )
            .ctx("listing archived records")?;
        let ids: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .ctx("listing archived records")?;
        ids.iter().map(|id| parse_id(id)).collect()
    }

    fn task_refs(&self, sql: &str, id: &RecordId) -> Result<Vec<TaskRef>, IndexError> {
        let mut stmt = self.conn.prepare_cached(sql).ctx("reading task links")?;
        let rows: Vec<(String, String, String)> = stmt
            .query_map([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .ctx("reading task links")?;
        rows.into_iter()
            .map(|(id, title, status)| {
                Ok(TaskRef {
                    id: parse_id(&id)?,
                    title,
                    status: status.parse().map_err(|e: crate::model::ModelError| {
                        IndexError::BadRow {
                            what: "status",
                            value: status.clone(),
                            detail: e.to_string(),
                        }
                    })?,
                })
            })
            .collect()
    }
}
