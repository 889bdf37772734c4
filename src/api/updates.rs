//! What changed since someone last looked, from the index's change feed: the
//! `updates` command, `orchestron_check_updates`, and the one-line notice the MCP
//! server attaches to an agent's next tool result when a human (or another
//! agent) changed something.

use super::{Orchestron, Result};
use crate::index::Change;
use serde::Serialize;

/// The answer to "what changed since …".
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Updates {
    pub changes: Vec<Change>,
    /// Pass this back as `since` next time.
    pub cursor: String,
    /// True when the given cursor predates the cache (it was rebuilt or trimmed):
    /// `changes` then lists every record rather than a precise feed.
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
        let feed = self.index.changes_since(since.as_deref(), MAX_CHANGES)?;
        self.index
            .set_agent_cursor(&actor, CHECK_SLOT, &feed.cursor)?;
        self.index
            .set_agent_cursor(&actor, SEEN_SLOT, &feed.cursor)?;
        Ok(Updates {
            changes: feed.changes,
            cursor: feed.cursor,
            resync: feed.resync,
        })
    }

    /// Changes made by others since this actor's last call, and marks them seen.
    /// The first call of a new actor only sets the mark.
    pub fn unseen_changes(&mut self) -> Result<Vec<Change>> {
        let actor = self.actor().to_string();
        let Some(seen) = self.index.agent_cursor(&actor, SEEN_SLOT)? else {
            let head = self.index.head_cursor()?;
            self.index.set_agent_cursor(&actor, SEEN_SLOT, &head)?;
            return Ok(Vec::new());
        };
        let feed = self.index.changes_since(Some(&seen), MAX_CHANGES)?;
        if feed.cursor != seen {
            self.index
                .set_agent_cursor(&actor, SEEN_SLOT, &feed.cursor)?;
        }
        Ok(feed.changes.into_iter().filter(|c| c.by != actor).collect())
    }
}
