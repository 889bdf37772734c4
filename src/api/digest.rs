//! A bounded account of many change-feed entries: the newest few in full
//! (field by field), everything older aggregated into groups ("100 tasks
//! created by alice", "TASK-x: 21 changes by editor"), and the total. Both the
//! notice attached to an agent's next tool result and each page of
//! `updates` / `orchestron_check_updates` are told this way, so that a bulk
//! change (an import, a script, an editor saving in a loop) costs a few lines
//! instead of one per entry. Entries are fed oldest first, one at a time, so a
//! digest of any number of entries holds only `detail + max_groups` of them.

use crate::model::{Change, ChangeOp};
use crate::model::{IdKind, RecordId};
use serde::Serialize;
use std::collections::{HashMap, HashSet, VecDeque};

/// Changes to records, in brief.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Digest {
    /// How many entries the digest covers (in `recent`, `earlier` and `others`).
    pub total: usize,
    /// The newest entries, oldest first, field by field.
    pub recent: Vec<Change>,
    /// The older entries, aggregated, in order of first appearance.
    pub earlier: Vec<ChangeGroup>,
    /// Older entries counted only, past the last group shown.
    #[serde(skip_serializing_if = "is_zero")]
    pub others: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Entries told as one line: the creations (or deletions) of one kind by one
/// actor, or one actor's modifications of one record.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ChangeGroup {
    /// "100 tasks created by alice", "TASK-x: 21 changes by editor (progress, notes)".
    pub summary: String,
    pub count: usize,
    pub by: String,
    pub op: ChangeOp,
    /// The records concerned: the one record of a modification group; those
    /// of a creation or deletion group only when the digest keeps ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<RecordId>,
    /// The fields a modification group touched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// How many records a group of many records' changes touched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<usize>,
    #[serde(skip)]
    kind: IdKind,
    #[serde(skip)]
    touched: HashSet<RecordId>,
}

impl ChangeGroup {
    fn describe(&self) -> String {
        match self.op {
            ChangeOp::Modified => {
                let noun = if self.count == 1 { "change" } else { "changes" };
                let mut s = match (self.records, self.ids.first()) {
                    (None, Some(id)) => format!("{id}: {} {noun} by {}", self.count, self.by),
                    (records, _) => format!(
                        "{} {noun} to {} {}s by {}",
                        self.count,
                        records.unwrap_or(0),
                        self.kind.as_str(),
                        self.by
                    ),
                };
                if !self.fields.is_empty() {
                    s.push_str(&format!(" ({})", self.fields.join(", ")));
                }
                s
            }
            op => {
                let kind = self.kind.as_str();
                let plural = if self.count == 1 { "" } else { "s" };
                format!(
                    "{} {kind}{plural} {} by {}",
                    self.count,
                    op.as_str(),
                    self.by
                )
            }
        }
    }
}

/// What groups an entry: creations and deletions by actor and kind, changes
/// by actor and record — and, once the groups are all taken, further changes
/// by actor and kind ("81 changes to 41 tasks by alice").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Bulk(String, &'static str, &'static str),
    Record(String, RecordId),
}

/// Builds a [`Digest`] from entries fed oldest first.
#[derive(Debug)]
pub struct Digester {
    detail: usize,
    max_groups: usize,
    keep_ids: bool,
    total: usize,
    recent: VecDeque<Change>,
    groups: Vec<ChangeGroup>,
    by_key: HashMap<Key, usize>,
    others: usize,
}

/// The most field names a modification group lists.
const FIELDS_SHOWN: usize = 4;

impl Digester {
    /// Keeps the newest `detail` entries in full and at most `max_groups`
    /// groups; `keep_ids` lists each group's record ids.
    pub fn new(detail: usize, max_groups: usize, keep_ids: bool) -> Self {
        Digester {
            detail,
            max_groups,
            keep_ids,
            total: 0,
            recent: VecDeque::new(),
            groups: Vec::new(),
            by_key: HashMap::new(),
            others: 0,
        }
    }

    pub fn push(&mut self, change: Change) {
        self.total += 1;
        self.recent.push_back(change);
        if self.recent.len() > self.detail
            && let Some(old) = self.recent.pop_front()
        {
            self.group(old);
        }
    }

    fn group(&mut self, c: Change) {
        let bulk = Key::Bulk(c.by.clone(), c.kind.as_str(), c.op.as_str());
        let mut key = match c.op {
            ChangeOp::Modified => Key::Record(c.by.clone(), c.id.clone()),
            _ => bulk.clone(),
        };
        let full = self.groups.len() >= self.max_groups;
        let spill = c.op == ChangeOp::Modified && full && !self.by_key.contains_key(&key);
        if spill {
            key = bulk;
        }
        let slot = match self.by_key.get(&key) {
            Some(&i) => i,
            // Spilled changes may open a group past the bound, one per actor
            // and kind, at most as many again.
            None if full && !(spill && self.groups.len() < 2 * self.max_groups) => {
                self.others += 1;
                return;
            }
            None => {
                self.groups.push(ChangeGroup {
                    summary: String::new(),
                    count: 0,
                    by: c.by.clone(),
                    op: c.op,
                    ids: Vec::new(),
                    fields: Vec::new(),
                    records: spill.then_some(0),
                    kind: c.kind,
                    touched: HashSet::new(),
                });
                self.by_key.insert(key, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        let g = &mut self.groups[slot];
        g.count += 1;
        if g.records.is_some() {
            g.touched.insert(c.id.clone());
            g.records = Some(g.touched.len());
        } else if (self.keep_ids || c.op == ChangeOp::Modified) && !g.ids.contains(&c.id) {
            g.ids.push(c.id);
        }
        for f in c.fields {
            if g.fields.len() < FIELDS_SHOWN && !g.fields.contains(&f.field) {
                g.fields.push(f.field);
            }
        }
    }

    pub fn finish(self) -> Digest {
        let keep_ids = self.keep_ids;
        let earlier = self
            .groups
            .into_iter()
            .map(|mut g| {
                g.summary = g.describe();
                if !keep_ids && g.op != ChangeOp::Modified {
                    g.ids.clear();
                }
                g
            })
            .collect();
        Digest {
            total: self.total,
            recent: self.recent.into(),
            earlier,
            others: self.others,
        }
    }
}

impl Digest {
    /// The digest of `changes` (oldest first).
    pub fn of(
        changes: impl IntoIterator<Item = Change>,
        detail: usize,
        max_groups: usize,
        keep_ids: bool,
    ) -> Digest {
        let mut d = Digester::new(detail, max_groups, keep_ids);
        for c in changes {
            d.push(c);
        }
        d.finish()
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The aggregated part as one line: "earlier: 100 tasks created by alice;
    /// TASK-x: 2 changes by bob; 5 more", or `None` when everything is in `recent`.
    pub fn earlier_line(&self) -> Option<String> {
        if self.earlier.is_empty() && self.others == 0 {
            return None;
        }
        let mut parts: Vec<String> = self.earlier.iter().map(|g| g.summary.clone()).collect();
        if self.others > 0 {
            parts.push(format!("{} more", self.others));
        }
        Some(parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FieldChange;
    use serde_json::json;

    fn change(seq: i64, id: &str, by: &str, op: ChangeOp) -> Change {
        Change {
            seq,
            at: chrono::DateTime::UNIX_EPOCH,
            by: by.into(),
            kind: IdKind::Task,
            id: RecordId::parse(id).unwrap(),
            title: Some("T".into()),
            op,
            fields: if op == ChangeOp::Modified {
                vec![FieldChange {
                    field: "progress".into(),
                    old: json!(1),
                    new: json!(2),
                }]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn bulk_creations_and_repeated_edits_are_one_line_each() {
        let mut all: Vec<Change> = (0..100)
            .map(|i| change(i, &format!("TASK-a{i}"), "alice", ChangeOp::Created))
            .collect();
        all.extend((0..21).map(|i| change(100 + i, "TASK-x", "editor", ChangeOp::Modified)));
        let d = Digest::of(all, 3, 8, false);
        assert_eq!(d.total, 121);
        assert_eq!(d.recent.len(), 3);
        assert_eq!(
            d.earlier_line().unwrap(),
            "100 tasks created by alice; TASK-x: 18 changes by editor (progress)"
        );
        assert!(d.earlier[0].ids.is_empty(), "no ids asked for");
        let counted: usize = d.recent.len() + d.earlier.iter().map(|g| g.count).sum::<usize>();
        assert_eq!(counted, d.total);
    }

    #[test]
    fn changes_past_the_bound_are_grouped_by_actor_then_counted() {
        let mut all: Vec<Change> = (0..50)
            .map(|i| change(i, &format!("TASK-m{i}"), "bob", ChangeOp::Modified))
            .collect();
        all.extend(
            (0..20).map(|i| change(50 + i, &format!("TASK-c{i}"), "eve", ChangeOp::Created)),
        );
        all.extend(
            (0..20).map(|i| change(70 + i, &format!("TASK-c{i}"), "ann", ChangeOp::Deleted)),
        );
        let d = Digest::of(all, 2, 5, true);
        assert_eq!(d.total, 90);
        assert_eq!(d.earlier.len(), 6);
        assert_eq!(
            d.earlier[5].summary,
            "45 changes to 45 tasks by bob (progress)"
        );
        assert!(d.earlier[5].ids.is_empty());
        assert_eq!(d.others, 38, "no group left for eve's and ann's");
        let counted: usize = d.earlier.iter().map(|g| g.count).sum::<usize>() + d.others + 2;
        assert_eq!(counted, d.total);
    }
}
