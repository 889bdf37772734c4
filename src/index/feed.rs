//! Reading the change feed and the cursors into it. A cursor is the opaque
//! string `<generation>.<seq>`: the generation is a random id minted when the
//! cache is created or cleared, so a cursor from before a rebuild is recognised
//! and answered with `resync` instead of silently skipping or repeating changes.
//! Agents' own cursors ("check": their last check for updates, "seen": their
//! last tool call) are kept per agent and slot. Rows are appended here too, by
//! `apply`, from the difference between the JSON the index last held for a
//! record and the new one.

use super::error::{Context, IndexError};
use super::row::{self, parse_id, parse_kind, parse_timestamp, timestamp, to_json};
use super::types::ChangesSince;
use super::{Index, exec, meta, meta_get, meta_set};
use crate::model::{Change, ChangeOp};
use crate::model::{FieldChange, IdKind, diff_fields};
use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The live record of an id as it was before this refresh (what the
/// feed compares the new one with; filled in by `apply`).
pub(super) struct Live {
    pub rid: i64,
    pub kind: IdKind,
    pub json: String,
}

/// The affected ids that a file holding no valid record speaks for, before
/// and after a refresh: a record that vanishes while such a file remains was
/// broken, not deleted, and one that reappears from it was repaired.
pub(super) struct Broken {
    pub before: HashSet<String>,
    pub after: HashSet<String>,
}

impl Index {
    /// Changes after `cursor` (from the start of this generation when `None`),
    /// oldest first, at most `limit` of them (0 = all). The returned cursor
    /// points after the last change returned, so paging loses nothing.
    pub fn changes_since(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ChangesSince, IndexError> {
        let generation = self.generation()?;
        let floor = self.feed_floor()?;
        let after = match cursor {
            None => floor,
            Some(text) => {
                let (cursor_gen, seq) = parse_cursor(text)?;
                if cursor_gen != generation || seq < floor {
                    return Ok(ChangesSince {
                        changes: Vec::new(),
                        cursor: self.head_cursor()?,
                        resync: true,
                    });
                }
                seq
            }
        };
        let limit = if limit == 0 {
            -1
        } else {
            i64::try_from(limit).unwrap_or(i64::MAX)
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, at, actor, kind, id, title, op, fields FROM changes
                 WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .ctx("reading the change feed")?;
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
        );
        let rows: Vec<Row> = stmt
            .query_map([after, limit], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .and_then(|rows| rows.collect())
            .ctx("reading the change feed")?;
        let mut changes = Vec::with_capacity(rows.len());
        for (seq, at, by, kind, id, title, op, fields) in rows {
            changes.push(Change {
                seq,
                at: parse_timestamp(&at)?,
                by,
                kind: parse_kind(&kind)?,
                id: parse_id(&id)?,
                title,
                op: parse_op(&op)?,
                fields: super::row::from_json::<Vec<FieldChange>>("field changes", &fields)?,
            });
        }
        let cursor = match changes.last() {
            Some(last) => format!("{generation}.{}", last.seq),
            None => self.head_cursor()?,
        };
        Ok(ChangesSince {
            changes,
            cursor,
            resync: false,
        })
    }

    /// The cursor of the newest change: "nothing new" from this point on.
    /// When the feed last saw `id` change (any op), if it ever did.
    pub fn last_change_at(
        &self,
        kind: IdKind,
        id: &crate::model::RecordId,
    ) -> Result<Option<chrono::DateTime<Utc>>, IndexError> {
        let at: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT at FROM changes WHERE kind = ?1 AND id = ?2 ORDER BY seq DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![kind.as_str(), id.as_str()], |r| r.get(0))
                    .optional()
            })
            .ctx("reading a record's last change")?;
        at.as_deref().map(parse_timestamp).transpose()
    }

    /// When `actor` changed task `id`, oldest first (as far back as the
    /// feed reaches).
    pub fn task_changes_by(
        &self,
        id: &crate::model::RecordId,
        actor: &str,
    ) -> Result<Vec<chrono::DateTime<Utc>>, IndexError> {
        let ats: Vec<String> = self
            .conn
            .prepare_cached(
                "SELECT at FROM changes WHERE kind = ?1 AND id = ?2 AND actor = ?3 ORDER BY seq",
            )
            .and_then(|mut s| {
                s.query_map(params![IdKind::Task.as_str(), id.as_str(), actor], |r| {
                    r.get(0)
                })?
                .collect()
            })
            .ctx("reading a task's changes")?;
        ats.iter().map(|a| parse_timestamp(a)).collect()
    }

    pub fn head_cursor(&self) -> Result<String, IndexError> {
        let generation = self.generation()?;
        let max: i64 = self
            .conn
            .prepare_cached("SELECT coalesce(max(seq), 0) FROM changes")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .ctx("reading the change feed")?;
        Ok(format!("{generation}.{}", max.max(self.feed_floor()?)))
    }

    /// An agent's saved cursor in `slot` ("check" or "seen").
    pub fn agent_cursor(&self, agent: &str, slot: &str) -> Result<Option<String>, IndexError> {
        self.conn
            .prepare_cached("SELECT cursor FROM agent_cursors WHERE agent = ?1 AND slot = ?2")
            .and_then(|mut s| s.query_row([agent, slot], |r| r.get(0)).optional())
            .ctx("reading an agent's cursor")
    }

    pub fn set_agent_cursor(
        &mut self,
        agent: &str,
        slot: &str,
        cursor: &str,
    ) -> Result<(), IndexError> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO agent_cursors (agent, slot, cursor) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut s| s.execute([agent, slot, cursor]))
            .ctx("saving an agent's cursor")?;
        Ok(())
    }

    fn generation(&self) -> Result<String, IndexError> {
        self.meta_get(meta::GENERATION)?
            .ok_or_else(|| IndexError::BadRow {
                what: "meta key",
                value: meta::GENERATION.to_string(),
                detail: "missing".to_string(),
            })
    }

    fn feed_floor(&self) -> Result<i64, IndexError> {
        Ok(self
            .meta_get(meta::FEED_FLOOR)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }
}

fn parse_cursor(text: &str) -> Result<(&str, i64), IndexError> {
    let invalid = || IndexError::InvalidCursor {
        cursor: text.chars().take(80).collect(),
    };
    let (generation, seq) = text.trim().rsplit_once('.').ok_or_else(invalid)?;
    let seq: i64 = seq.parse().map_err(|_| invalid())?;
    if generation.is_empty() || seq < 0 {
        return Err(invalid());
    }
    Ok((generation, seq))
}

fn parse_op(text: &str) -> Result<ChangeOp, IndexError> {
    [
        ChangeOp::Created,
        ChangeOp::Modified,
        ChangeOp::Deleted,
        ChangeOp::Broken,
        ChangeOp::Repaired,
        ChangeOp::MaybeChanged,
    ]
    .into_iter()
    .find(|op| op.as_str() == text)
    .ok_or_else(|| IndexError::BadRow {
        what: "change op",
        value: text.to_string(),
        detail: "expected created, modified, deleted, broken or repaired".to_string(),
    })
}

pub(super) fn append_feed(
    conn: &Connection,
    affected: &BTreeSet<String>,
    before: &HashMap<String, Live>,
    after: &HashMap<String, (IdKind, String)>,
    broken: &Broken,
    actor: &str,
    now: chrono::DateTime<Utc>,
) -> Result<usize, IndexError> {
    // Users read these times: to the millisecond, like context snapshots
    // (events within one second keep their order; nanoseconds are noise).
    let at = timestamp(&chrono::SubsecRound::trunc_subsecs(now, 3));
    let mut appended = 0;
    for id in affected {
        let old = before.get(id).map(|l| (l.kind, l.json.as_str()));
        let new = after.get(id).map(|(k, j)| (*k, j.as_str()));
        let (kind, op, title, fields) = match (old, new) {
            (None, None) => continue,
            (None, Some((kind, json))) => {
                let op = if broken.before.contains(id) {
                    ChangeOp::Repaired
                } else {
                    ChangeOp::Created
                };
                (kind, op, title_of(kind, json), vec![])
            }
            (Some((kind, json)), None) => {
                let op = if broken.after.contains(id) {
                    ChangeOp::Broken
                } else {
                    ChangeOp::Deleted
                };
                (kind, op, title_of(kind, json), vec![])
            }
            (Some((_, old_json)), Some((kind, new_json))) => {
                if old_json == new_json {
                    continue;
                }
                let fields = diff_fields(&parse_value(old_json)?, &parse_value(new_json)?);
                if fields.is_empty() {
                    continue;
                }
                (kind, ChangeOp::Modified, title_of(kind, new_json), fields)
            }
        };
        insert_change(conn, &at, actor, kind, id, title, op, &fields)?;
        appended += 1;
    }
    Ok(appended)
}

#[allow(clippy::too_many_arguments)]
fn insert_change(
    conn: &Connection,
    at: &str,
    actor: &str,
    kind: IdKind,
    id: &str,
    title: Option<String>,
    op: ChangeOp,
    fields: &[FieldChange],
) -> Result<(), IndexError> {
    exec(
        conn,
        "INSERT INTO changes (at, actor, kind, id, title, op, fields)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            at,
            actor,
            kind.as_str(),
            id,
            title,
            op.as_str(),
            to_json("field changes", &fields)?
        ],
        "appending to the change feed",
    )?;
    Ok(())
}

fn parse_value(json: &str) -> Result<serde_json::Value, IndexError> {
    row::from_json("record", json)
}

/// What the feed shows beside an id: a task's title, a sprint's name, a
/// context's checkpoint.
fn title_of(kind: IdKind, json: &str) -> Option<String> {
    let key = match kind {
        IdKind::Task => "title",
        IdKind::Sprint => "name",
        IdKind::Context => "checkpoint",
    };
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    value.get(key)?.as_str().map(str::to_string)
}

/// Keeps the newest `keep` feed rows and remembers where the kept part starts.
pub(super) fn trim_feed(conn: &Connection, keep: i64) -> Result<(), IndexError> {
    let max: i64 = conn
        .query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
            r.get(0)
        })
        .ctx("trimming the change feed")?;
    let cut = max - keep;
    if cut <= 0 {
        return Ok(());
    }
    let removed = exec(
        conn,
        "DELETE FROM changes WHERE seq <= ?1",
        [cut],
        "trimming the change feed",
    )?;
    if removed > 0 {
        let floor: i64 = meta_get(conn, meta::FEED_FLOOR)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        meta_set(conn, meta::FEED_FLOOR, &floor.max(cut).to_string())?;
    }
    Ok(())
}
