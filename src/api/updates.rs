//! What changed since someone last looked, from the index's change feed: the
//! `updates` command and `orchestron_check_updates` (pages of a limit, each with
//! the cursor of the next), and the digest of others' changes the MCP server
//! attaches to an agent's next tool result. Both are told as a [`Digest`], so
//! a thousand changes cost a few lines, and neither loses an entry: a page's
//! cursor points just after its last entry.

use super::digest::{Digest, Digester};
use super::{Orchestron, Result};
use crate::model::IdKind;
use crate::model::{Change, ChangeOp};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One page of "what changed since …", oldest first.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Updates {
    /// The page's entries (at most the limit asked for).
    pub changes: Vec<Change>,
    /// Pass this back as `since` for the next page; a page never loses or
    /// repeats an entry.
    pub cursor: String,
    /// True when entries remain after this page.
    pub more: bool,
    /// True when the given cursor predates the cache (it was rebuilt or trimmed):
    /// `changes` first lists, as `maybe-changed`, every record whose file changed
    /// since the cursor's time that the feed does not name (the feed cannot say
    /// what changed in the gap), then the feed's entries since the rebuild.
    pub resync: bool,
    /// The feed's head when the page was read (what marking it read marks
    /// as seen).
    #[serde(skip)]
    #[schemars(skip)]
    head: String,
}

impl Updates {
    /// The page told briefly: the newest `detail` entries in full, the rest
    /// aggregated (every record id kept: a page is bounded by its limit).
    pub fn digest(&self, detail: usize) -> Digest {
        Digest::of(
            self.changes.iter().cloned(),
            detail,
            self.changes.len(),
            true,
        )
    }
}

const CHECK_SLOT: &str = "check";
/// Who a `maybe-changed` entry is credited to: no one is known.
const GAP_ACTOR: &str = "-";
const SEEN_SLOT: &str = "seen";
/// The most entries one page (or a resync) returns.
pub const MAX_PAGE: usize = 500;
/// Entries read from the feed at a time when digesting unseen changes.
const READ_BATCH: usize = 1000;

impl Orchestron {
    /// The next page of at most `limit` changes (0 or more than [`MAX_PAGE`]:
    /// [`MAX_PAGE`]) since `since`, or since this actor's previous check; moves
    /// the actor's check cursor to the page's end. The notice mark moves to
    /// the head of the feed: whatever is pending, the caller now knows of it.
    pub fn updates(&mut self, since: Option<&str>, limit: usize) -> Result<Updates> {
        let u = self.peek_updates(since, limit)?;
        self.mark_updates_read(&u)?;
        Ok(u)
    }

    /// [`Orchestron::updates`] without moving any cursor: the page is not
    /// marked read until [`Orchestron::mark_updates_read`] (the CLI marks a
    /// page once it is printed in full; `updates --peek` never does).
    pub fn peek_updates(&self, since: Option<&str>, limit: usize) -> Result<Updates> {
        let limit = if limit == 0 {
            MAX_PAGE
        } else {
            limit.min(MAX_PAGE)
        };
        let since = match since {
            Some(s) => Some(s.to_string()),
            None => self.index.agent_cursor(self.actor(), CHECK_SLOT)?,
        };
        let (feed_cursor, since_ms) = match since.as_deref() {
            Some(c) => split_cursor(c),
            None => (None, None),
        };
        // Read before the page, so that a change landing while the page is
        // read is never marked seen without being told.
        let head = join_cursor(&self.index.head_cursor()?);
        let mut feed = self.index.changes_since(feed_cursor, limit)?;
        let resync = feed.resync;
        let mut changes = Vec::new();
        if resync {
            // What the feed holds since the rebuild is told in full; the gap
            // before it only as "may have changed", for the records the feed
            // does not already name.
            feed = self.index.changes_since(None, limit)?;
            let known: std::collections::HashSet<_> =
                feed.changes.iter().map(|c| c.id.clone()).collect();
            changes = self.changed_files_since(since_ms.unwrap_or(0))?;
            changes.retain(|c| !known.contains(&c.id));
            changes.truncate(MAX_PAGE.saturating_sub(feed.changes.len()));
        }
        let more = !self
            .index
            .changes_since(Some(&feed.cursor), 1)?
            .changes
            .is_empty();
        changes.extend(feed.changes);
        Ok(Updates {
            changes,
            cursor: join_cursor(&feed.cursor),
            more,
            resync,
            head,
        })
    }

    /// Marks a page from [`Orchestron::peek_updates`] read: this actor's
    /// next check starts after it, and what was pending when it was read
    /// is no longer news.
    pub fn mark_updates_read(&mut self, page: &Updates) -> Result<()> {
        let actor = self.actor().to_string();
        self.index
            .set_agent_cursor(&actor, CHECK_SLOT, &page.cursor)?;
        self.index.set_agent_cursor(&actor, SEEN_SLOT, &page.head)?;
        Ok(())
    }

    /// What is pending for this actor's next check, without moving any
    /// cursor: everything since its last check (or since the cache began),
    /// told as a digest.
    pub fn pending_updates(&self, detail: usize, max_groups: usize) -> Result<Digest> {
        let since = self.index.agent_cursor(self.actor(), CHECK_SLOT)?;
        let mut cursor = since
            .as_deref()
            .and_then(|c| split_cursor(c).0)
            .map(str::to_string);
        let mut digest = Digester::new(detail, max_groups, false);
        loop {
            let feed = self.index.changes_since(cursor.as_deref(), READ_BATCH)?;
            if feed.resync {
                // The cursor predates the cache: start from what it holds.
                if cursor.is_none() {
                    break;
                }
                cursor = None;
                continue;
            }
            let n = feed.changes.len();
            for c in feed.changes {
                digest.push(c);
            }
            if n < READ_BATCH {
                break;
            }
            cursor = Some(feed.cursor);
        }
        Ok(digest.finish())
    }

    /// Changes made by others since this actor's last call, told as a digest
    /// (the newest `detail` in full, at most `max_groups` groups), and marks
    /// them all seen. The first call of a new actor only sets the mark.
    pub fn unseen_changes(&mut self, detail: usize, max_groups: usize) -> Result<Digest> {
        let actor = self.actor().to_string();
        let Some(seen) = self.index.agent_cursor(&actor, SEEN_SLOT)? else {
            let head = join_cursor(&self.index.head_cursor()?);
            self.index.set_agent_cursor(&actor, SEEN_SLOT, &head)?;
            return Ok(Digest::default());
        };
        let start = split_cursor(&seen).0.map(str::to_string);
        let mut cursor = start.clone();
        let mut digest = Digester::new(detail, max_groups, false);
        loop {
            let feed = self.index.changes_since(cursor.as_deref(), READ_BATCH)?;
            let n = feed.changes.len();
            for c in feed.changes.into_iter().filter(|c| c.by != actor) {
                digest.push(c);
            }
            cursor = Some(feed.cursor);
            if n < READ_BATCH || feed.resync {
                break;
            }
        }
        if cursor != start
            && let Some(c) = cursor
        {
            self.index
                .set_agent_cursor(&actor, SEEN_SLOT, &join_cursor(&c))?;
        }
        Ok(digest.finish())
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
                by: GAP_ACTOR.to_string(),
                kind,
                id,
                title,
                op: ChangeOp::MaybeChanged,
                fields: Vec::new(),
            };
            found.push((stamp.mtime_ns, change));
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        Ok(found.into_iter().map(|(_, c)| c).take(MAX_PAGE).collect())
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
