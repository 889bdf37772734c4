//! Problems for `orchestron check`: those the store found in single files
//! (stored by `apply`) plus those only visible across records, found here:
//! duplicate ids, a file name that is not the id, references to records that do
//! not exist, dependency and parent cycles, and several ACTIVE sprints. Each
//! points at the line of the key concerned, from the key lines stored at apply.

use super::Index;
use super::error::{Context, IndexError};
use super::row::{key_line, location_ok, parse_id, parse_kind};
use crate::model::{Problem, Severity};
use rusqlite::OptionalExtension;
use std::collections::{BTreeMap, HashMap};

impl Index {
    /// Every known problem, sorted by path, line and column.
    pub fn problems(&self) -> Result<Vec<Problem>, IndexError> {
        let mut out = self.file_problems()?;
        self.location_problems(&mut out)?;
        self.dangling_problems(&mut out)?;
        self.cycle_problems(&mut out)?;
        self.active_sprint_problems(&mut out)?;
        out.sort_by(|a, b| {
            (&a.path, a.line, a.column, &a.message).cmp(&(&b.path, b.line, b.column, &b.message))
        });
        out.dedup();
        Ok(out)
    }

    /// The first error of a file that holds no valid record but speaks for
    /// `id` (its `id:` line or its name): a record broken or misnamed by hand.
    pub fn broken_file(&self, id: &str) -> Result<Option<Problem>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT p.path, p.line, p.col, p.message FROM files f
                 JOIN file_problems p ON p.path = f.path
                 WHERE f.claims = ?1 AND p.severity = 'error'
                 ORDER BY p.path, p.line, p.col LIMIT 1",
            )
            .ctx("finding a broken file")?;
        stmt.query_row([id], |r| {
            Ok(Problem::error(
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?.max(1) as usize,
                r.get::<_, i64>(2)?.max(1) as usize,
                r.get::<_, String>(3)?,
            ))
        })
        .optional()
        .ctx("finding a broken file")
    }

    fn file_problems(&self) -> Result<Vec<Problem>, IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT path, line, col, severity, message FROM file_problems")
            .ctx("reading stored problems")?;
        let rows = stmt
            .query_map([], |r| {
                let severity: String = r.get(3)?;
                Ok(Problem {
                    path: r.get(0)?,
                    line: r.get::<_, i64>(1)?.max(1) as usize,
                    column: r.get::<_, i64>(2)?.max(1) as usize,
                    severity: if severity == "warning" {
                        Severity::Warning
                    } else {
                        Severity::Error
                    },
                    message: r.get(4)?,
                })
            })
            .and_then(|rows| rows.collect())
            .ctx("reading stored problems")?;
        Ok(rows)
    }

    /// Duplicate ids and records whose file is not `<dir>/<id>.yaml`.
    fn location_problems(&self, out: &mut Vec<Problem>) -> Result<(), IndexError> {
        let mut stmt = self
            .conn
            // Only suspects: the covering index on (id, name_ok, …) answers
            // this without reading every record, which keeps `status` fast.
            .prepare_cached(
                "SELECT path, id, kind, key_lines FROM records
                 WHERE name_ok = 0 OR id IN (SELECT id FROM records GROUP BY id HAVING count(*) > 1)
                 ORDER BY id, path",
            )
            .ctx("checking record locations")?;
        let rows: Vec<(String, String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .and_then(|rows| rows.collect())
            .ctx("checking record locations")?;
        let mut by_id: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (path, id, _, _) in &rows {
            by_id.entry(id).or_default().push(path);
        }
        for (path, id, kind, lines) in &rows {
            let line = || key_line(lines, "id");
            let others: Vec<&str> = by_id
                .get(id.as_str())
                .into_iter()
                .flatten()
                .copied()
                .filter(|p| p != path)
                .collect();
            if !others.is_empty() {
                out.push(Problem::error(
                    path,
                    line(),
                    1,
                    format!("duplicate id {id}: also in {}", others.join(", ")),
                ));
            }
            let kind = parse_kind(kind)?;
            let record_id = parse_id(id)?;
            let (name_ok, dir_ok) = location_ok(path, kind, &record_id);
            if !name_ok {
                out.push(Problem::error(
                    path,
                    line(),
                    1,
                    format!(
                        "the file name does not match the id {id}: expected {}",
                        record_id.file_name()
                    ),
                ));
            } else if !dir_ok {
                out.push(Problem::error(
                    path,
                    line(),
                    1,
                    format!("a {} record belongs in {}/", kind.as_str(), kind.dir()),
                ));
            }
        }
        Ok(())
    }

    /// `depends_on`, `parent` and `sprint` values that name no live record.
    fn dangling_problems(&self, out: &mut Vec<Problem>) -> Result<(), IndexError> {
        let queries = [
            (
                "depends_on",
                "depends on",
                "SELECT r.path, r.key_lines, d.dep FROM task_deps d
                 JOIN records r ON r.rid = d.rid
                 LEFT JOIN tasks t ON t.id = d.dep WHERE t.rid IS NULL",
                "task",
            ),
            (
                "parent",
                "has parent",
                "SELECT r.path, r.key_lines, c.parent FROM tasks c
                 JOIN records r ON r.rid = c.rid
                 LEFT JOIN tasks p ON p.id = c.parent
                 WHERE c.parent IS NOT NULL AND p.rid IS NULL",
                "task",
            ),
            (
                "sprint",
                "is in sprint",
                "SELECT r.path, r.key_lines, c.sprint FROM tasks c
                 JOIN records r ON r.rid = c.rid
                 LEFT JOIN sprints s ON s.id = c.sprint
                 WHERE c.sprint IS NOT NULL AND s.rid IS NULL",
                "sprint",
            ),
        ];
        for (key, verb, sql, kind) in queries {
            let mut stmt = self.conn.prepare_cached(sql).ctx("checking references")?;
            let rows: Vec<(String, String, String)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .and_then(|rows| rows.collect())
                .ctx("checking references")?;
            for (path, lines, target) in rows {
                out.push(Problem::error(
                    &path,
                    key_line(&lines, key),
                    1,
                    format!("{key}: {verb} {target}, but no {kind} has that id"),
                ));
            }
        }
        Ok(())
    }

    /// Every task on a dependency cycle, and every task on a parent cycle,
    /// with one such cycle spelled out. Only links between existing tasks can
    /// close a cycle, so the graph is built from those alone.
    fn cycle_problems(&self, out: &mut Vec<Problem>) -> Result<(), IndexError> {
        let links = [
            (
                "depends_on",
                "dependency cycle",
                "SELECT t.id, d.dep FROM task_deps d JOIN tasks t ON t.rid = d.rid
                 WHERE EXISTS (SELECT 1 FROM tasks t2 WHERE t2.id = d.dep)
                 ORDER BY t.id, d.dep",
            ),
            (
                "parent",
                "parent cycle",
                "SELECT t.id, t.parent FROM tasks t
                 WHERE EXISTS (SELECT 1 FROM tasks p WHERE p.id = t.parent)
                 ORDER BY t.id",
            ),
        ];
        for (key, what, sql) in links {
            let mut stmt = self.conn.prepare_cached(sql).ctx("checking for cycles")?;
            let edges: Vec<(String, String)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .and_then(|rows| rows.collect())
                .ctx("checking for cycles")?;
            let mut names: Vec<&str> = Vec::new();
            let mut index: HashMap<&str, usize> = HashMap::new();
            let mut graph: Vec<Vec<usize>> = Vec::new();
            for (from, to) in &edges {
                let [a, b] = [from.as_str(), to.as_str()].map(|name| {
                    *index.entry(name).or_insert_with(|| {
                        names.push(name);
                        graph.push(Vec::new());
                        names.len() - 1
                    })
                });
                graph[a].push(b);
            }
            for component in super::cycles::cyclic_components(&graph) {
                for &n in &component {
                    let cycle = super::cycles::cycle_through(&graph, n, &component);
                    let ids: Vec<&str> = cycle.iter().map(|&c| names[c]).collect();
                    let Some((file, lines)) = self.task_file(names[n])? else {
                        continue;
                    };
                    out.push(Problem::error(
                        &file,
                        key_line(&lines, key),
                        1,
                        format!("{key}: {what}: {}", ids.join(" → ")),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Live closed tasks (not archived) with a child that is still open, by id.
    pub fn closed_with_open_children(&self) -> Result<Vec<String>, IndexError> {
        const WHAT: &str = "finding closed tasks with open children";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT p.id FROM tasks p JOIN tasks c ON c.parent = p.id
                 WHERE p.closed = 1 AND p.archived = 0 AND c.closed = 0 ORDER BY p.id",
            )
            .ctx(WHAT)?;
        stmt.query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .ctx(WHAT)
    }

    /// How many live tasks sprint `id` holds, and how many of them are closed.
    pub fn sprint_tally(&self, id: &str) -> Result<(usize, usize), IndexError> {
        const WHAT: &str = "counting a sprint's tasks";
        self.conn
            .prepare_cached(
                "SELECT count(*), coalesce(sum(closed), 0) FROM tasks
                 WHERE sprint = ?1 AND archived = 0",
            )
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize))
                })
            })
            .ctx(WHAT)
    }

    /// The open tasks of sprint `id` (archived ones too), in list order.
    pub fn open_sprint_members(&self, id: &str) -> Result<Vec<String>, IndexError> {
        const WHAT: &str = "finding a sprint's open tasks";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT t.id FROM tasks t WHERE t.sprint = ?1 AND t.closed = 0
                 ORDER BY t.closed, t.priority_rank, t.unblocks DESC, t.created_us, t.id",
            )
            .ctx(WHAT)?;
        stmt.query_map([id], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .ctx(WHAT)
    }

    /// The file and stored key lines of a live task.
    fn task_file(&self, id: &str) -> Result<Option<(String, String)>, IndexError> {
        self.conn
            .prepare_cached(
                "SELECT r.path, r.key_lines FROM tasks t JOIN records r ON r.rid = t.rid
                 WHERE t.id = ?1",
            )
            .and_then(|mut s| s.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .ctx("checking for cycles")
    }

    fn active_sprint_problems(&self, out: &mut Vec<Problem>) -> Result<(), IndexError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT s.id, r.path, r.key_lines FROM sprints s JOIN records r ON r.rid = s.rid
                 WHERE s.status = 'ACTIVE'
                 ORDER BY s.start_date IS NULL, s.start_date DESC, s.created DESC, s.id DESC",
            )
            .ctx("checking active sprints")?;
        let rows: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .ctx("checking active sprints")?;
        if rows.len() < 2 {
            return Ok(());
        }
        let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        for (_, path, lines) in &rows {
            out.push(Problem::warning(
                path,
                key_line(lines, "status"),
                1,
                format!(
                    "{} sprints are ACTIVE ({}); {} (the latest start) counts as the active one",
                    rows.len(),
                    ids.join(", "),
                    ids[0]
                ),
            ));
        }
        Ok(())
    }
}
