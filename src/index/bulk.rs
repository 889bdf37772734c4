//! The bulk load of `index rebuild`: batches of parsed files streamed into an
//! empty index by a single writer, in one transaction, while other threads
//! are still parsing. Memory stays bounded by the batches in flight, not by
//! the backlog: each batch is written and dropped before the next is taken.
//! When two files claim one id, the live record is elected as
//! [`super::Index::apply`] does (the file named after its id, else the first
//! by path), switching as better claimants arrive. Readiness is computed once
//! at the end, and the load is the generation's baseline (no feed rows).

use super::apply::{recompute_all_blocking, write_problems};
use super::derive::{insert_derived, remove_derived};
use super::error::{Context, IndexError};
use super::row::{key_lines_json, location_ok, to_json};
use super::types::FileUpdate;
use super::{Index, exec, meta, meta_set};
use crate::model::IdKind;
use rusqlite::params;
use std::collections::HashMap;

/// The live claimant of an id so far.
struct Claim {
    rid: i64,
    kind: IdKind,
    name_ok: bool,
    path: String,
}

impl Index {
    /// Loads every batch into the (freshly cleared) index; returns the number
    /// of files loaded. A failed batch source leaves nothing committed.
    pub fn bulk_load(
        &mut self,
        batches: impl IntoIterator<Item = Vec<FileUpdate>>,
    ) -> Result<usize, IndexError> {
        let now = chrono::Utc::now();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .ctx("locking the database to rebuild it")?;
        let mut live: HashMap<String, Claim> = HashMap::new();
        let mut files = 0;
        for batch in batches {
            for update in batch {
                files += 1;
                let s = update.stamp;
                exec(
                    &tx,
                    "INSERT OR REPLACE INTO files (path, size, mtime_ns, hash) VALUES (?1, ?2, ?3, ?4)",
                    params![update.path, s.size as i64, s.mtime_ns, s.hash as i64],
                    "storing a file stamp",
                )?;
                write_problems(&tx, &update.path, &update.problems)?;
                let Some(record) = &update.record else {
                    continue;
                };
                let json = to_json("record", record)?;
                let lines = key_lines_json(&update.key_lines)?;
                let (name_ok, dir_ok) = location_ok(&update.path, record.kind(), record.id());
                let name_ok = name_ok && dir_ok;
                let id = record.id().as_str();
                exec(
                    &tx,
                    "INSERT INTO records (path, id, kind, name_ok, json, key_lines)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        update.path,
                        id,
                        record.kind().as_str(),
                        name_ok,
                        json,
                        lines
                    ],
                    "storing a record",
                )?;
                let rid = tx.last_insert_rowid();
                let wins = live.get(id).is_none_or(|c| {
                    (name_ok, std::cmp::Reverse(update.path.as_str()))
                        > (c.name_ok, std::cmp::Reverse(c.path.as_str()))
                });
                if !wins {
                    continue;
                }
                if let Some(old) = live.get(id) {
                    remove_derived(&tx, id, old.rid, old.kind)?;
                }
                insert_derived(&tx, id, rid, record)?;
                live.insert(
                    id.to_string(),
                    Claim {
                        rid,
                        kind: record.kind(),
                        name_ok,
                        path: update.path.clone(),
                    },
                );
            }
        }
        recompute_all_blocking(&tx)?;
        let now_ns = now.timestamp_nanos_opt().unwrap_or(i64::MAX);
        meta_set(&tx, meta::LAST_REFRESH_NS, &now_ns.to_string())?;
        meta_set(&tx, meta::BASELINED, "1")?;
        tx.commit().ctx("committing a rebuild")?;
        Ok(files)
    }
}
