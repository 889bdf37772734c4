//! What a field-level merge of two record versions reports about a field both
//! sides changed: the two values and the side kept. The merge in `git`
//! decides, `api` hands the conflicts to the merge driver's caller, and the
//! CLI says which value was kept; plain data, so it lives here.

use serde::Serialize;

/// Which side of a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MergeSide {
    Ours,
    Theirs,
}

/// A field both sides changed to different values, and how it was resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldConflict {
    pub field: &'static str,
    /// Our value, as text (`none` when unset).
    pub ours: String,
    /// Their value, as text.
    pub theirs: String,
    /// The side whose value the merged record holds.
    pub kept: MergeSide,
}
