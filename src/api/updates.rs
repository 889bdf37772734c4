//! What changed since someone last looked, from the index's change feed: the
//! `updates` command, `orchestron_check_updates`, and the one-line notice the MCP
//! server attaches to an agent's next tool result when a human (or another
//! agent) changed something.

use super::{Orchestron, Result};
use crate::index::{Change, ChangeOp};
use crate::model::IdKind;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The answer to "what changed since …".
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Updates {
    pub changes: Vec<Change>,
    /// Pass this back as `since` next time.
    pub cursor: String,
    /// True when the given cursor predates the cache (it was rebuilt or trimmed):
    /// the feed cannot say field by field what changed, so `changes` lists every
    /// record whose file changed since the cursor's time (without field detail).
    pub resync: bool,
}

const CHECK_SLOT: &str = "check";
const SEEN_SLOT: &str = "seen";
const MAX_CHANGES: usize = 500;

impl Orchestron {
    /// Changes since `since`, or since this actor's previous check; moves the
    /// actor's check cursor forward.
    pub fn updates(&mut self, since: Option<&str>) -> Result<Updates> {
        let actor = self.actor().to_string();
        let since = match since {
            Some(s) => Some(s.to_string()),
            None => self.index.agent_cursor(&actor, CHECK_SLOT)?,
        };
        let (feed_cursor, since_ms) = match since.as_deref() {
            Some(c) => split_cursor(c),
            None => (None, None),
        };
        let feed = self.index.changes_since(feed_cursor, MAX_CHANGES)?;
        let changes = if feed.resync {
            self.changed_files_since(since_ms.unwrap_or(0))?
        } else {
            feed.changes
        };
        let cursor = join_cursor(&feed.cursor);
        self.index.set_agent_cursor(&actor, CHECK_SLOT, &cursor)?;
        self.index.set_agent_cursor(&actor, SEEN_SLOT, &cursor)?;
        Ok(Updates {
            changes,
            cursor,
            resync: feed.resync,
        })
    }

    /// Changes made by others since this actor's last call, and marks them seen.
    /// The first call of a new actor only sets the mark.
    pub fn unseen_changes(&mut self) -> Result<Vec<Change>> {
        let actor = self.actor().to_string();
        let Some(seen) = self.index.agent_cursor(&actor, SEEN_SLOT)? else {
            let head = join_cursor(&self.index.head_cursor()?);
            self.index.set_agent_cursor(&actor, SEEN_SLOT, &head)?;
            return Ok(Vec::new());
        };
        let (feed_cursor, _) = split_cursor(&seen);
        let feed = self.index.changes_since(feed_cursor, MAX_CHANGES)?;
        if feed_cursor != Some(feed.cursor.as_str()) {
            self.index
                .set_agent_cursor(&actor, SEEN_SLOT, &join_cursor(&feed.cursor))?;
        }
        Ok(feed.changes.into_iter().filter(|c| c.by != actor).collect())
    }

    /// Every record whose file was modified at or after `since_ms` (Unix time in
    /// milliseconds), oldest first: the best answer once the precise feed is gone.
    fn changed_files_since(&self, since_ms: i64) -> Result<Vec<Change>> {
        let since_ns = since_ms.saturating_mul(1_000_000);
        let mut found: Vec<(i64, Change)> = Vec::new();
        for (path, stamp) in self.index.stamps()? {
            if stamp.mtime_ns < since_ns {
                continue;
            }
            let Some(record) = crate::store::RecordPath::parse(&path) else {
                continue;
            };
            let (kind, Some(id)) = (record.kind(), record.id()) else {
                continue;
            };
            let title = match kind {
                IdKind::Task => self.index.task(&id)?.map(|t| t.title),
                IdKind::Sprint => self.index.sprint(&id)?.map(|s| s.name),
                IdKind::Context => None,
            };
            let change = Change {
                seq: 0,
                at: DateTime::<Utc>::from_timestamp_nanos(stamp.mtime_ns),
                by: "unknown".to_string(),
                kind,
                id,
                title,
                op: ChangeOp::Modified,
                fields: Vec::new(),
            };
            found.push((stamp.mtime_ns, change));
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        Ok(found
            .into_iter()
            .map(|(_, c)| c)
            .take(MAX_CHANGES)
            .collect())
    }
}

/// Our cursors are the feed's cursor plus the Unix time they were issued
/// (`<feed cursor>~<milliseconds>`), so that a cursor the feed no longer knows (the
/// cache was rebuilt) can still be answered with what changed since that time.
fn join_cursor(feed_cursor: &str) -> String {
    format!("{feed_cursor}~{}", Utc::now().timestamp_millis())
}

fn split_cursor(cursor: &str) -> (Option<&str>, Option<i64>) {
    match cursor.rsplit_once('~') {
        Some((feed, ms)) => (Some(feed), ms.parse().ok()),
        None => (Some(cursor), None),
    }
}
