//! Task list queries: filters, full-text search, readiness and paging
//! (archived tasks left out unless asked for), with the counts a page
//! reports. Tasks come back from their stored JSON (or their list columns),
//! so no query touches a YAML file. Single records and links are in
//! [`super::lookups`], sprints and contexts in [`super::sprints_contexts`].
//!
//! One order serves every task list (and claim / `task next`): priority, then
//! how many open tasks it directly unblocks, then oldest first, then id — with
//! closed tasks (DONE, CANCELLED) after all open ones, so that an unfiltered
//! list does not open with finished critical work.

use super::Index;
use super::error::{Context, IndexError};
use super::fts::{CONTAINS_FN, Search};
use super::row::from_json;
use crate::model::{ArchiveScope, RecordId, Task, TaskPage, TaskQuery};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

pub(super) const ORDER: &str = "t.closed, t.priority_rank, t.unblocks DESC, t.created_us, t.id";

/// Binds each id and returns the marks, comma-separated, for an `IN (…)`.
fn bind_ids(args: &mut Vec<Value>, ids: &[RecordId]) -> String {
    ids.iter()
        .map(|id| bind(args, Value::Text(id.to_string())))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Index {
    /// One page of the tasks matching `q`, in the default order.
    pub fn tasks(&self, q: &TaskQuery) -> Result<TaskPage, IndexError> {
        self.page(q, false)
    }

    /// [`Index::tasks`] as outlines: each task holds only what a list's
    /// table shows (see [`super::outlines::LIST_COLUMNS`]), read from the
    /// query columns instead of decoding every task's stored JSON — most of
    /// a 1,000-row table's time.
    pub fn task_list_outlines(&self, q: &TaskQuery) -> Result<TaskPage, IndexError> {
        self.page(q, true)
    }

    fn page(&self, q: &TaskQuery, outlines: bool) -> Result<TaskPage, IndexError> {
        let (mut clauses, mut args) = archive_and_status(q, "t.");
        field_clauses(q, &mut clauses, &mut args);
        // A search takes one of two ways to its page. Driven by its matches
        // (`CROSS JOIN` keeps task_fts outside), each match's task row is
        // looked up and the matches sorted: the way for few matches. Driven
        // by the list order (the `tasks_order` index, which holds every
        // order column), the walk keeps the tasks among the matches and stops
        // once the page is full, reading no task row at all: the way for
        // many matches, where the first walk would read thousands of rows.
        let search = q.query.as_deref().and_then(Search::parse);
        let (matches, from) = self.search_clauses(q, search.as_ref(), &mut clauses, &mut args)?;
        ready_clauses(q, &mut clauses, &mut args);
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };

        let total = self.count_tasks(q, from, &filter, &args, search.is_some(), matches)?;
        let limit_mark = bind(
            &mut args,
            Value::Integer(if q.limit == 0 { -1 } else { to_i64(q.limit) }),
        );
        let offset_mark = bind(&mut args, Value::Integer(to_i64(q.offset)));
        let tasks = if outlines {
            // A table's columns are the task row's own: the page is read off
            // the walk in list order, with no second lookup and no second sort.
            let sql = format!(
                "SELECT {} FROM {from} {filter}
                 ORDER BY {ORDER} LIMIT {limit_mark} OFFSET {offset_mark}",
                super::outlines::LIST_COLUMNS
            );
            self.list_outline_rows(&sql, &args)?
        } else {
            // The page is chosen on the tasks' own columns and only its rows
            // fetch their JSON: sorting the matches with their records would
            // carry every match's JSON through the sorter.
            let sql = format!(
                "SELECT r.json FROM (
                     SELECT t.rid, t.closed, t.priority_rank, t.unblocks, t.created_us, t.id
                     FROM {from} {filter}
                     ORDER BY {ORDER} LIMIT {limit_mark} OFFSET {offset_mark}
                 ) t JOIN records r ON r.rid = t.rid
                 ORDER BY {ORDER}"
            );
            self.task_rows(&sql, &args)?
        };
        let end = q.offset.saturating_add(tasks.len());
        let next_offset = (q.limit != 0 && end < total).then_some(end);
        Ok(TaskPage {
            tasks,
            total,
            next_offset,
        })
    }

    /// The clauses of `search` (see [`Index::page`] for the two ways), with
    /// the tasks' match count when it was taken and the `FROM` to select in.
    fn search_clauses(
        &self,
        q: &TaskQuery,
        search: Option<&Search>,
        clauses: &mut Vec<String>,
        args: &mut Vec<Value>,
    ) -> Result<(Option<usize>, &'static str), IndexError> {
        let mut matches = None;
        let mut from = "tasks t";
        match search {
            Some(Search {
                words: Some(expr),
                texts,
            }) if texts.is_empty() => {
                let m = bind(args, Value::Text(expr.clone()));
                // Both uses of the match count (the plan, the total) are for
                // searches that filter on nothing else: others skip the count.
                if filters_only_archive_and_status(q) {
                    matches = Some(self.match_count(expr)?);
                }
                if let Some(n) = matches
                    && self.search_in_order(q, n)?
                {
                    clauses.push(format!(
                        "t.rid IN (SELECT rowid FROM task_fts WHERE task_fts MATCH {m})"
                    ));
                    from = "tasks t INDEXED BY tasks_order";
                } else {
                    clauses.push(format!("task_fts MATCH {m}"));
                    from = "task_fts f CROSS JOIN tasks t ON t.rid = f.rowid";
                }
            }
            // Text to contain is checked on each candidate's full-text row:
            // the rows holding the words, or every row when there are none.
            Some(Search { words, texts }) => {
                if let Some(expr) = words {
                    let m = bind(args, Value::Text(expr.clone()));
                    clauses.push(format!("task_fts MATCH {m}"));
                }
                for text in texts {
                    let m = bind(args, Value::Text(text.clone()));
                    clauses.push(format!(
                        "{CONTAINS_FN}({m}, f.title, f.description, f.notes, f.clarifications)"
                    ));
                }
                from = "task_fts f CROSS JOIN tasks t ON t.rid = f.rowid";
            }
            None => {}
        }
        Ok((matches, from))
    }

    /// How many tasks match: from `task_counts` when the query filters on
    /// nothing but the archive and the status, from the search's `matches`
    /// when it filters on nothing but the words and no archived task is to
    /// be left out, else by counting the rows.
    fn count_tasks(
        &self,
        q: &TaskQuery,
        from: &str,
        filter: &str,
        args: &[Value],
        searching: bool,
        matches: Option<usize>,
    ) -> Result<usize, IndexError> {
        let plain = filters_only_archive_and_status(q);
        let total: i64 = match matches {
            // Every task has exactly one full-text row (`derive` writes both),
            // so with no archived task to leave out the matches are the count:
            // no lookup of each match's task.
            Some(n) if plain && q.status.is_empty() && self.no_archived_tasks(q.archived)? => {
                return Ok(n);
            }
            None if plain && !searching => {
                let (clauses, count_args) = archive_and_status(q, "");
                let filter = if clauses.is_empty() {
                    String::new()
                } else {
                    format!("WHERE {}", clauses.join(" AND "))
                };
                self.conn
                    .prepare_cached(&format!(
                        "SELECT coalesce(sum(n), 0) FROM task_counts {filter}"
                    ))
                    .and_then(|mut s| {
                        s.query_row(params_from_iter(count_args.iter()), |r| r.get(0))
                    })
                    .ctx("counting tasks")?
            }
            _ => self
                .conn
                .prepare_cached(&format!("SELECT count(*) FROM {from} {filter}"))
                .and_then(|mut s| s.query_row(params_from_iter(args.iter()), |r| r.get(0)))
                .ctx("counting tasks")?,
        };
        Ok(usize::try_from(total).unwrap_or(0))
    }

    /// How many tasks hold the words of the FTS5 expression `expr`, archived
    /// ones included (a read of the words' entries alone).
    pub(super) fn match_count(&self, expr: &str) -> Result<usize, IndexError> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM task_fts WHERE task_fts MATCH ?1")
            .and_then(|mut s| s.query_row([expr], |r| r.get(0)))
            .ctx("counting a search's matches")?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Whether a search with `matches` matches reaches its page faster by
    /// walking the list order than by looking up every match: only for a
    /// page of a search that filters on nothing else but one side of the
    /// archive (the order index leads with it), and when the walk is
    /// expected to be shorter. Walking, a page of `offset + limit` tasks
    /// ends after about `(offset + limit) × tasks / matches` index entries,
    /// some 100 to a page of the file; looking up, each match costs about
    /// one page. Both ways give the same page (tested); this picks the
    /// cheaper.
    pub(super) fn search_in_order(
        &self,
        q: &TaskQuery,
        matches: usize,
    ) -> Result<bool, IndexError> {
        const ENTRIES_PER_PAGE: usize = 100;
        let scoped = matches!(q.archived, ArchiveScope::Live | ArchiveScope::Archived);
        if !scoped || q.limit == 0 || !filters_only_archive_and_status(q) || !q.status.is_empty() {
            return Ok(false);
        }
        let tasks: i64 = self
            .conn
            .prepare_cached("SELECT coalesce(sum(n), 0) FROM task_counts WHERE archived = ?1")
            .and_then(|mut s| {
                s.query_row([i64::from(q.archived == ArchiveScope::Archived)], |r| {
                    r.get(0)
                })
            })
            .ctx("counting tasks")?;
        let tasks = usize::try_from(tasks).unwrap_or(0);
        let page = q.offset.saturating_add(q.limit);
        Ok(matches
            .saturating_mul(matches)
            .saturating_mul(ENTRIES_PER_PAGE)
            > page.saturating_mul(tasks))
    }

    /// Whether no archived task can be in a list of `scope`: an archived-only
    /// list always can, the others when the archive holds no task.
    fn no_archived_tasks(&self, scope: ArchiveScope) -> Result<bool, IndexError> {
        if scope == ArchiveScope::Archived {
            return Ok(false);
        }
        let archived: i64 = self
            .conn
            .prepare_cached("SELECT coalesce(sum(n), 0) FROM task_counts WHERE archived = 1")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .ctx("counting archived tasks")?;
        Ok(archived == 0)
    }

    fn task_rows(&self, sql: &str, args: &[Value]) -> Result<Vec<Task>, IndexError> {
        let mut stmt = self.conn.prepare_cached(sql).ctx("listing tasks")?;
        let jsons: Vec<String> = stmt
            .query_map(params_from_iter(args.iter()), |r| r.get(0))
            .and_then(|rows| rows.collect())
            .ctx("listing tasks")?;
        jsons.iter().map(|j| from_json("task", j)).collect()
    }
}

/// The clauses of `q`'s field filters: type, priority, assignee, labels,
/// sprint and parent.
fn field_clauses(q: &TaskQuery, clauses: &mut Vec<String>, args: &mut Vec<Value>) {
    any_of(
        clauses,
        args,
        "t.type",
        q.kind.iter().map(|k| k.as_str()).collect(),
    );
    any_of(
        clauses,
        args,
        "t.priority",
        q.priority.iter().map(|p| p.as_str()).collect(),
    );
    if let Some(a) = &q.assignee {
        let m = bind(args, Value::Text(a.clone()));
        clauses.push(format!("t.assignee = {m} COLLATE NOCASE"));
    }
    for l in &q.labels {
        let m = bind(args, Value::Text(l.clone()));
        clauses.push(format!(
            "EXISTS (SELECT 1 FROM task_labels l WHERE l.rid = t.rid AND l.label = {m})"
        ));
    }
    if let Some(s) = &q.sprint {
        let m = bind(args, Value::Text(s.to_string()));
        clauses.push(format!("t.sprint = {m}"));
    }
    if let Some(p) = &q.parent {
        let m = bind(args, Value::Text(p.to_string()));
        clauses.push(format!("t.parent = {m}"));
    }
}

/// The clauses of `q.ready` (can start now: TODO, or the asker's own work in
/// progress, with no open dependency, not held elsewhere) and `q.leaf`.
fn ready_clauses(q: &TaskQuery, clauses: &mut Vec<String>, args: &mut Vec<Value>) {
    if q.ready {
        let mut ready = "t.status = 'TODO'".to_string();
        if let Some(me) = &q.ready_for {
            let m = bind(args, Value::Text(me.clone()));
            ready = format!(
                "({ready} OR (t.status = 'IN_PROGRESS' AND t.assignee = {m} COLLATE NOCASE))"
            );
        }
        if !q.ready_anyway.is_empty() {
            let marks = bind_ids(args, &q.ready_anyway);
            ready = format!("({ready} OR t.id IN ({marks}))");
        }
        clauses.push(format!("{ready} AND t.open_deps = 0"));
        if !q.held_elsewhere.is_empty() {
            let marks = bind_ids(args, &q.held_elsewhere);
            clauses.push(format!("t.id NOT IN ({marks})"));
        }
    }
    if q.leaf {
        clauses.push(
            "NOT EXISTS (SELECT 1 FROM tasks c WHERE c.parent = t.id AND c.closed = 0)".into(),
        );
    }
}

/// Adds a bound parameter and returns its placeholder.
fn bind(args: &mut Vec<Value>, v: Value) -> String {
    args.push(v);
    format!("?{}", args.len())
}

/// `col IN (…)` over the given values; nothing when there are none.
/// The clauses (and their arguments) for `q`'s archive scope and statuses,
/// on columns named with `prefix` (`t.` in the task queries, none on
/// `task_counts`).
/// Whether `q` filters on nothing but the archive, the status and (maybe)
/// words: the lists `task_counts` and the match count can answer.
fn filters_only_archive_and_status(q: &TaskQuery) -> bool {
    q.kind.is_empty()
        && q.priority.is_empty()
        && q.assignee.is_none()
        && q.labels.is_empty()
        && q.sprint.is_none()
        && q.parent.is_none()
        && !q.ready
        && !q.leaf
}

fn archive_and_status(q: &TaskQuery, prefix: &str) -> (Vec<String>, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut args = Vec::new();
    match q.archived {
        ArchiveScope::Live => clauses.push(format!("{prefix}archived = 0")),
        ArchiveScope::Archived => clauses.push(format!("{prefix}archived = 1")),
        ArchiveScope::All => {}
    }
    any_of(
        &mut clauses,
        &mut args,
        &format!("{prefix}status"),
        q.status.iter().map(|s| s.as_str()).collect(),
    );
    (clauses, args)
}

fn any_of(clauses: &mut Vec<String>, args: &mut Vec<Value>, col: &str, vals: Vec<&str>) {
    if vals.is_empty() {
        return;
    }
    let marks: Vec<String> = vals
        .into_iter()
        .map(|v| bind(args, Value::Text(v.to_string())))
        .collect();
    clauses.push(format!("{col} IN ({})", marks.join(", ")));
}

pub(super) fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
