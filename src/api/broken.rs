//! What can still be shown of a record whose file does not load (bad YAML, an
//! unknown status, a name that is not its id): the problem at `path:line:col`
//! and the file's own lines around it, so a human can inspect and repair it
//! through the tool instead of being told the id is unknown.

use super::{Orchestron, Result};
use crate::model::RecordId;
use serde::Serialize;

/// Lines shown before and after the problem's line.
const CONTEXT_LINES: usize = 3;

/// A broken record file, as much of it as can be shown.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BrokenRecordView {
    /// Relative to the workspace, e.g. `tasks/TASK-7k2mq.yaml`.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The file's lines around the problem, numbered as an editor numbers them.
    pub excerpt: Vec<(usize, String)>,
}

impl Orchestron {
    /// The broken file behind `id`, or `None` when `id` names no broken file.
    pub fn broken_record(&self, id: &str) -> Result<Option<BrokenRecordView>> {
        let Ok(id) = RecordId::parse(id) else {
            return Ok(None);
        };
        let Some(p) = self.index.broken_file(id.as_str())? else {
            return Ok(None);
        };
        let text = crate::store::read_text_if_exists(&self.ws.abs(&p.path))
            .ok()
            .flatten()
            .unwrap_or_default();
        let first = p.line.saturating_sub(CONTEXT_LINES).max(1);
        let excerpt = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.to_string()))
            .skip(first - 1)
            .take(2 * CONTEXT_LINES + 1)
            .collect();
        Ok(Some(BrokenRecordView {
            path: p.path,
            line: p.line,
            column: p.column,
            message: p.message,
            excerpt,
        }))
    }
}
