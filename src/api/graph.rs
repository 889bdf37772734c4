//! Use-cases on the task graph: dependencies (a cycle is refused) and the
//! parent hierarchy (a loop is refused).

use super::write::Intent;
use super::{Error, Orchestron, Result, Updated};
use crate::model::RecordId;

impl Orchestron {
    /// Adds (or with `remove`, drops) the dependency `id` → `on`; refuses a
    /// cycle, and a task another agent holds unless `force`.
    pub fn depend(&mut self, id: &str, on: &str, remove: bool, force: bool) -> Result<Updated> {
        // The cycle check decides from what it reads: it runs under the lock
        // that the write takes, so two `depend` calls cannot close a cycle
        // together.
        let _lock = self.locked_fresh()?;
        let id = self.existing_task_id(id)?;
        let on = self.existing_task_id(on)?;
        if !remove {
            if id == on {
                return Err(Error::Cycle {
                    id: id.to_string(),
                    on: on.to_string(),
                    path: format!("{id} → {id}"),
                });
            }
            if let Some(path) = self.dependency_path(&on, &id)? {
                return Err(Error::Cycle {
                    id: id.to_string(),
                    on: on.to_string(),
                    path: format!("{id} → {}", path.join(" → ")),
                });
            }
        }
        self.write_task(&id, Intent::Change { force }, |_, task| {
            if remove {
                task.depends_on.retain(|d| d != &on);
            } else if !task.depends_on.contains(&on) {
                task.depends_on.push(on.clone());
            }
            Ok(())
        })
    }

    /// A dependency path from `from` to `to`, if `from` (transitively) depends on `to`.
    fn dependency_path(&self, from: &RecordId, to: &RecordId) -> Result<Option<Vec<String>>> {
        let mut queue = std::collections::VecDeque::from([vec![from.clone()]]);
        let mut seen = std::collections::HashSet::from([from.clone()]);
        while let Some(path) = queue.pop_front() {
            let Some(last) = path.last() else { continue };
            if last == to {
                return Ok(Some(path.iter().map(|i| i.to_string()).collect()));
            }
            if let Some(t) = self.index.task(last)? {
                for d in t.depends_on {
                    if seen.insert(d.clone()) {
                        let mut next = path.clone();
                        next.push(d);
                        queue.push_back(next);
                    }
                }
            }
        }
        Ok(None)
    }

    /// True when `id` is already an ancestor of `candidate_parent`, so making
    /// `candidate_parent` the parent of `id` would close a loop. A chain longer
    /// than any sane hierarchy is treated as a loop too.
    pub(super) fn is_ancestor(&self, id: &RecordId, candidate_parent: &RecordId) -> Result<bool> {
        let mut cur = self.index.task(candidate_parent)?.and_then(|t| t.parent);
        let mut hops = 0;
        while let Some(p) = cur {
            if &p == id {
                return Ok(true);
            }
            hops += 1;
            if hops > 1000 {
                return Ok(true);
            }
            cur = self.index.task(&p)?.and_then(|t| t.parent);
        }
        Ok(false)
    }
}
