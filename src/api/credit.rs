//! Who a change found by the refresh is credited to. A file whose content is
//! exactly what HEAD holds arrived through git (a pull, a merge, a checkout):
//! the change feed credits the author of the commit that made the change
//! (README, "Who is acting"). Anything else is a hand edit, credited to `editor`.

use super::Orchestron;
use crate::index::{EDITOR, FileUpdate, Refresh};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// How many commits to read, at most, looking for the commits that changed files.
const WALK_LIMIT: usize = 500;

impl Orchestron {
    /// Splits one refresh into one per credited actor. `attribute` is false for
    /// the first build of a cache (its baseline must be credited to the editor).
    pub(super) fn credit(
        &self,
        updates: Vec<FileUpdate>,
        deleted: Vec<String>,
        attribute: bool,
    ) -> Vec<Refresh> {
        let at = self.clock().now_millis();
        let single = |updates, deleted| {
            vec![Refresh {
                updates,
                deleted,
                actor: EDITOR.to_string(),
                at,
            }]
        };
        if !attribute || (updates.is_empty() && deleted.is_empty()) {
            return single(updates, deleted);
        }
        let repo = match self.git() {
            Ok(Some(r)) => r,
            _ => return single(updates, deleted),
        };
        // Every changed path, relative to the repository root, with its content.
        let prefix = repo.rel_path(self.ws.root()).unwrap_or_default();
        let mut files = Vec::new();
        let mut repo_path = BTreeMap::new();
        for (rel, present) in updates
            .iter()
            .map(|u| (&u.path, true))
            .chain(deleted.iter().map(|d| (d, false)))
        {
            let abs = self.ws.abs(rel);
            let Some(path) = repo.rel_path(&abs) else {
                continue;
            };
            let bytes = if present {
                // Through the record reader: what sits at a record's name
                // may be a FIFO, which a plain read would block on forever.
                match crate::store::read_record_bytes(self.ws.root(), &abs) {
                    Ok(b) => Some(b),
                    Err(_) => continue,
                }
            } else {
                None
            };
            repo_path.insert(rel.clone(), path.clone());
            files.push((path, bytes));
        }
        let authors = repo
            .last_change_authors(&prefix, &files, WALK_LIMIT)
            .unwrap_or_else(|e| {
                tracing::warn!(
                    "{}; crediting changes to the editor",
                    crate::model::with_causes(&e)
                );
                BTreeMap::new()
            });
        let who = |rel: &str| -> String {
            repo_path
                .get(rel)
                .and_then(|p| authors.get(p))
                .filter(|a| !a.is_empty())
                .map_or_else(|| EDITOR.to_string(), |a| self.ws.config.actor_name(a))
        };
        let mut groups: BTreeMap<String, Refresh> = BTreeMap::new();
        fn batch(
            groups: &mut BTreeMap<String, Refresh>,
            actor: String,
            at: DateTime<Utc>,
        ) -> &mut Refresh {
            groups.entry(actor.clone()).or_insert_with(|| Refresh {
                updates: Vec::new(),
                deleted: Vec::new(),
                actor,
                at,
            })
        }
        for u in updates {
            let actor = who(&u.path);
            batch(&mut groups, actor, at).updates.push(u);
        }
        for d in deleted {
            let actor = who(&d);
            batch(&mut groups, actor, at).deleted.push(d);
        }
        groups.into_values().collect()
    }
}
