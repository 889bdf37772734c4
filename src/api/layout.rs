//! The record layout without a workspace, for tools that study it from
//! outside the crate (the merge measurement in `benches/merge_fractions.rs`
//! and its test): the text a write turns a task file into, whether a text is a
//! valid task, and git's plain line merge of three texts. Each is the store's
//! or git's own function, so what is measured is what Orchestron does.

use super::{Orchestron, Result};
use crate::model::Task;

/// The result of a line-based three-way merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMerge {
    /// The merged text, with standard conflict markers where both sides
    /// changed the same lines.
    pub text: String,
    /// How many conflicting hunks remain (0 = clean).
    pub conflicts: usize,
}

impl Orchestron {
    /// The text of a task file that held `old` as `original` after a write of
    /// `new`: the lossless edit every write makes (only changed lines change).
    pub fn edited_task_text(original: &str, old: &Task, new: &Task) -> String {
        crate::store::edit_text(original, old, new)
    }

    /// The task a file's text holds, or where and why it is not a valid one
    /// (line, column, message).
    pub fn parse_task_text(text: &str) -> std::result::Result<Task, (usize, usize, String)> {
        crate::store::parse_task_text(text)
    }

    /// `git merge-file` on three texts, as a forge's web merge or a clone
    /// without the merge driver would merge them.
    pub fn merge_lines(ours: &str, base: &str, theirs: &str) -> Result<LineMerge> {
        let merged = crate::git::merge_file(ours, base, theirs, ["ours", "base", "theirs"])?;
        Ok(LineMerge {
            text: merged.text,
            conflicts: merged.conflicts,
        })
    }
}
