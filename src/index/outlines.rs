//! Task outlines for insights and for a list's table: every live task with the fields flow metrics,
//! forecasts and bottlenecks read — id, title, status, type, priority, parent,
//! assignee, created, progress, estimate, sprint, dependencies (in the
//! record's order), started, closed — taken from the query columns instead of
//! decoding each task's stored JSON. At 10,000 tasks that decoding was most of
//! a report's time; the columns hold the same values, written by the same
//! `insert_task`. Labels, the description, acceptance criteria, clarifications
//! and notes stay empty: no insight reads them.

use super::Index;
use super::error::{Context, IndexError};
use super::row::{parse_id, parse_timestamp};
use crate::model::{RecordId, Task, Vocabulary};
use rusqlite::params_from_iter;
use rusqlite::types::Value;
use std::collections::HashMap;
use std::str::FromStr;

/// The columns of a list's outline (`t` is the task row), in the order
/// [`Index::list_outline_rows`] reads them.
pub(super) const LIST_COLUMNS: &str =
    "t.id, t.title, t.created, t.status, t.type, t.priority, t.assignee, t.progress";

/// The list order every task query uses, so insights walk tasks in the order
/// `Index::tasks` gives them (ties in the graph computations break the same).
const ORDER: &str = "closed, priority_rank, unblocks DESC, created_us, id";

impl Index {
    /// Every live task as an outline (see the module text), in list order.
    pub fn task_outlines(&self) -> Result<Vec<Task>, IndexError> {
        const WHAT: &str = "reading task outlines";
        let mut deps: HashMap<i64, Vec<RecordId>> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT rid, dep FROM task_deps ORDER BY rid, idx")
                .ctx(WHAT)?;
            let mut rows = stmt.query([]).ctx(WHAT)?;
            while let Some(r) = rows.next().ctx(WHAT)? {
                let rid: i64 = r.get(0).ctx(WHAT)?;
                let dep: String = r.get(1).ctx(WHAT)?;
                deps.entry(rid).or_default().push(parse_id(&dep)?);
            }
        }
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT rid, id, title, status, type, priority, parent, assignee, created,
                        progress, estimate, sprint, started, closed_at
                 FROM tasks ORDER BY {ORDER}"
            ))
            .ctx(WHAT)?;
        let mut rows = stmt.query([]).ctx(WHAT)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().ctx(WHAT)? {
            let rid: i64 = r.get(0).ctx(WHAT)?;
            let text = |i: usize| r.get::<_, String>(i).ctx(WHAT);
            let opt = |i: usize| r.get::<_, Option<String>>(i).ctx(WHAT);
            let mut t = Task::new(parse_id(&text(1)?)?, text(2)?, parse_timestamp(&text(8)?)?);
            t.status = parse_enum("status", &text(3)?)?;
            t.kind = parse_enum("task type", &text(4)?)?;
            t.priority = parse_enum("priority", &text(5)?)?;
            t.parent = opt(6)?.as_deref().map(parse_id).transpose()?;
            t.assignee = opt(7)?;
            t.progress = r.get(9).ctx(WHAT)?;
            t.estimate = r.get(10).ctx(WHAT)?;
            t.sprint = opt(11)?.as_deref().map(parse_id).transpose()?;
            t.started = opt(12)?.as_deref().map(parse_timestamp).transpose()?;
            t.closed = opt(13)?.as_deref().map(parse_timestamp).transpose()?;
            t.depends_on = deps.remove(&rid).unwrap_or_default();
            out.push(t);
        }
        Ok(out)
    }
}

impl Index {
    /// The tasks of a query selecting [`LIST_COLUMNS`], as outlines: id,
    /// title, created, status, type, priority, assignee and progress.
    pub(super) fn list_outline_rows(
        &self,
        sql: &str,
        args: &[Value],
    ) -> Result<Vec<Task>, IndexError> {
        const WHAT: &str = "listing tasks";
        let mut stmt = self.conn.prepare_cached(sql).ctx(WHAT)?;
        let mut rows = stmt.query(params_from_iter(args.iter())).ctx(WHAT)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().ctx(WHAT)? {
            let text = |i: usize| r.get_ref(i).and_then(|v| Ok(v.as_str()?)).ctx(WHAT);
            let mut t = Task::new(
                parse_id(text(0)?)?,
                text(1)?.to_string(),
                parse_timestamp(text(2)?)?,
            );
            t.status = parse_enum("status", text(3)?)?;
            t.kind = parse_enum("task type", text(4)?)?;
            t.priority = parse_enum("priority", text(5)?)?;
            t.assignee = r.get(6).ctx(WHAT)?;
            t.progress = r.get(7).ctx(WHAT)?;
            out.push(t);
        }
        Ok(out)
    }
}

fn parse_enum<T: FromStr + Vocabulary + Copy>(
    what: &'static str,
    text: &str,
) -> Result<T, IndexError>
where
    T::Err: std::fmt::Display,
{
    // The columns hold the canonical spelling: matched without folding.
    if let Some(v) = T::all().iter().find(|v| v.name() == text) {
        return Ok(*v);
    }
    text.parse().map_err(|e: T::Err| IndexError::BadRow {
        what,
        value: text.to_string(),
        detail: e.to_string(),
    })
}
