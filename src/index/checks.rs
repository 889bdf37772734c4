//! Whole-backlog answers kept between commands until the records change:
//! `check`'s problems (cycles, dangling references, duplicate ids, closed
//! containers with open children, …) cost a walk over every task, so they are
//! computed once per *content version* and stored beside it, and the listing
//! of stray files in the record folders is kept with the folders' mtimes.
//!
//! The content version is a counter in `meta` that every apply which changed
//! a file's rows, every bulk load and every clear moves on, inside the same
//! transaction as the change. A cached answer is stored only if the counter
//! still holds the version it was computed at, checked under the write lock,
//! so an answer computed while another process applied a change is dropped
//! instead of kept for the new content.

use super::error::{Context, IndexError};
use super::{Index, meta, meta_get, meta_set};
use crate::model::Problem;
use rusqlite::Connection;
use std::time::Duration;

/// A content version: compare with `==`, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentVersion(String);

/// The record folders' listing as it was kept: each folder's mtime when it
/// was listed, the time of the listing, and the stray names found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeptListing {
    pub dirs: Vec<(String, Option<i64>)>,
    pub listed_at_ns: i64,
    pub strays: Vec<String>,
}

impl Index {
    /// The current content version.
    pub fn content_version(&self) -> Result<ContentVersion, IndexError> {
        Ok(ContentVersion(
            self.meta_get(meta::CONTENT_VERSION)?.unwrap_or_default(),
        ))
    }

    /// The problems kept for `version`, if they were computed at it.
    pub fn kept_checks(
        &self,
        version: &ContentVersion,
    ) -> Result<Option<Vec<Problem>>, IndexError> {
        let Some(kept) = self.meta_get(meta::CHECKS)? else {
            return Ok(None);
        };
        let Some((at, json)) = kept.split_once('\n') else {
            return Ok(None);
        };
        if at != version.0 {
            return Ok(None);
        }
        // A kept answer that no longer reads (another build wrote it) is
        // computed again, like a missing one.
        Ok(serde_json::from_str(json).ok())
    }

    /// Keeps `problems` as the answer at `version`, unless the content moved
    /// on meanwhile. Never waits for another writer: a busy cache keeps
    /// nothing, and the next command computes again.
    pub fn keep_checks(
        &self,
        version: &ContentVersion,
        problems: &[Problem],
    ) -> Result<(), IndexError> {
        let json = serde_json::to_string(problems).map_err(|source| IndexError::Json {
            what: "problems",
            source,
        })?;
        let value = format!("{}\n{json}", version.0);
        self.write_if_current(version, meta::CHECKS, &value)
    }

    /// The stray-file listing kept by [`Index::keep_listing`].
    pub fn kept_listing(&self) -> Result<Option<KeptListing>, IndexError> {
        Ok(self
            .meta_get(meta::LISTING)?
            .and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// Keeps a listing of the record folders (see [`KeptListing`]); like
    /// [`Index::keep_checks`] it never waits for another writer.
    pub fn keep_listing(&self, listing: &KeptListing) -> Result<(), IndexError> {
        let json = serde_json::to_string(listing).map_err(|source| IndexError::Json {
            what: "folder listing",
            source,
        })?;
        let version = self.content_version()?;
        self.write_if_current(&version, meta::LISTING, &json)
    }

    fn write_if_current(
        &self,
        version: &ContentVersion,
        key: &str,
        value: &str,
    ) -> Result<(), IndexError> {
        let conn = &self.conn;
        conn.busy_timeout(Duration::ZERO)
            .ctx("keeping a computed answer")?;
        let kept = write_if_current_in(conn, version, key, value);
        conn.busy_timeout(super::BUSY_WAIT)
            .ctx("keeping a computed answer")?;
        kept.map_err(|e| e.at(&self.path))
    }
}

/// The write of [`Index::keep_checks`] in its own immediate transaction
/// (a reader holds only `&Index`, so the transaction is begun by hand).
fn write_if_current_in(
    conn: &Connection,
    version: &ContentVersion,
    key: &str,
    value: &str,
) -> Result<(), IndexError> {
    const WHAT: &str = "keeping a computed answer";
    conn.execute_batch("BEGIN IMMEDIATE").ctx(WHAT)?;
    let written = (|| {
        if meta_get(conn, meta::CONTENT_VERSION)?.unwrap_or_default() == version.0 {
            meta_set(conn, key, value)?;
        }
        conn.execute_batch("COMMIT").ctx(WHAT)
    })();
    if written.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    written
}

/// Moves the content version on (inside the transaction of a change).
pub(super) fn content_changed(conn: &Connection) -> Result<(), IndexError> {
    let n: u64 = meta_get(conn, meta::CONTENT_VERSION)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    meta_set(conn, meta::CONTENT_VERSION, &(n + 1).to_string())
}
