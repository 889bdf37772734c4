//! `orchestron merge-driver`, which git itself runs during merges of record
//! files (set up by `orchestron git setup`).

use super::exit::{CmdResult, Code};
use crate::api::Orchestron;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct MergeDriverArgs {
    /// %O: the common ancestor's version.
    pub base: PathBuf,
    /// %A: our version; the merge result is written here.
    pub ours: PathBuf,
    /// %B: their version.
    pub theirs: PathBuf,
    /// %P: the path of the file in the repository.
    pub path: String,
}

/// Git runs this with %O %A %B %P. Exit 0 when merged; 1 when conflict markers
/// remain (git then reports the conflict); messages go to stderr.
pub fn merge_driver(args: MergeDriverArgs) -> CmdResult {
    let outcome = Orchestron::merge_driver(&args.base, &args.ours, &args.theirs, &args.path)?;
    for c in &outcome.resolved {
        let (kept, lost) = match c.kept {
            crate::model::MergeSide::Ours => (&c.ours, &c.theirs),
            crate::model::MergeSide::Theirs => (&c.theirs, &c.ours),
        };
        super::exit::warn(&format!(
            "orchestron-merge: {}: both sides changed {}: kept {kept}, the other side's {lost} is kept in a note",
            outcome.path, c.field
        ));
    }
    if let Some(reason) = outcome
        .fallback_reason
        .as_ref()
        .filter(|_| outcome.unresolved > 0)
    {
        super::exit::warn(&format!(
            "orchestron-merge: {}: line merge ({reason}); {} conflict(s)",
            outcome.path, outcome.unresolved
        ));
    }
    Ok(if outcome.unresolved == 0 {
        Code::Ok
    } else {
        Code::Conflict
    })
}
