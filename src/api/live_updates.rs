//! Live updates for a long-running adapter (the MCP server's resource
//! notifications, the board's server-sent events): settled batches of record
//! changes — whoever made them (this process, another agent, a human's
//! editor, a `git pull`) — built on this process's one file monitor (see
//! `store::LiveUpdates`). They only signal; readers still go through the
//! refreshed index.

use super::{Orchestron, Result};
use crate::model::IdKind;
use crate::store;
use std::time::Duration;

/// How a record file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordChange {
    Appeared,
    Changed,
    Vanished,
}

/// One record whose file changed on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEvent {
    pub kind: IdKind,
    /// The id as the file names it (`TASK-7k2mq`).
    pub id: String,
    pub change: RecordChange,
}

/// Keeps the live updates flowing; dropping it stops them.
#[derive(Debug)]
pub struct LiveUpdates {
    _running: store::LiveUpdates,
}

/// How long a burst of writes settles before its batch is pushed.
const SETTLE: Duration = Duration::from_millis(150);

impl Orchestron {
    /// Calls `on_events` (on a thread of its own) with each settled batch of
    /// record changes, starting this process's file monitor if it has none
    /// yet (refreshes then ask it too: one watch per process).
    pub fn live_updates(
        &mut self,
        mut on_events: impl FnMut(Vec<RecordEvent>) + Send + 'static,
    ) -> Result<LiveUpdates> {
        let monitor = self.monitor()?;
        let running = store::LiveUpdates::start(monitor, SETTLE, move |batch| {
            on_events(batch.into_iter().map(RecordEvent::of).collect());
        })
        .map_err(|e| super::Error::internal("cannot start the live updates", e))?;
        Ok(LiveUpdates { _running: running })
    }
}

impl RecordEvent {
    /// The event of the store's batch entry: which record, and what happened.
    fn of((path, change): (store::RecordPath, store::RecordChange)) -> Self {
        RecordEvent {
            kind: path.kind(),
            id: path.stem().to_string(),
            change: match change {
                store::RecordChange::Appeared => RecordChange::Appeared,
                store::RecordChange::Changed => RecordChange::Changed,
                store::RecordChange::Vanished => RecordChange::Vanished,
            },
        }
    }
}
