//! The change feed's entry: what happened to which record, by whom, field by
//! field. The index writes and reads the feed; `api` gathers entries into
//! updates and digests; the adapters show them (MCP notices and structured
//! content, CLI `updates`). Plain data every layer speaks, hence here, with
//! its JSON Schema.

use super::{FieldChange, IdKind, RecordId};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize, Serializer};

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeOp {
    Created,
    Modified,
    Deleted,
    /// The record's file is still there but no longer loads (a hand edit
    /// broke it, or renamed it so its name no longer matches its id).
    Broken,
    /// A broken file loads again.
    Repaired,
    /// Not from the feed: the record's file changed while the feed could not
    /// see it (before the cache was rebuilt), so what changed is not known.
    #[serde(rename = "maybe-changed")]
    MaybeChanged,
}

impl ChangeOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Created => "created",
            ChangeOp::Modified => "modified",
            ChangeOp::Deleted => "deleted",
            ChangeOp::Broken => "broken",
            ChangeOp::Repaired => "repaired",
            ChangeOp::MaybeChanged => "maybe-changed",
        }
    }
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Change {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub by: String,
    #[serde(serialize_with = "serialize_kind")]
    #[schemars(with = "KindSchema")]
    pub kind: IdKind,
    pub id: RecordId,
    /// The task's title or the sprint's name (the last one known, for a deletion).
    pub title: Option<String>,
    pub op: ChangeOp,
    /// Empty for creations and deletions.
    pub fields: Vec<FieldChange>,
}

/// The JSON Schema of [`Change::kind`]; `IdKind` itself is not a serde type.
#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum KindSchema {
    Task,
    Sprint,
    Context,
}

fn serialize_kind<S: Serializer>(kind: &IdKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.as_str())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_change_has_a_json_schema_naming_its_kinds_and_ops() {
        let schema = serde_json::to_value(schemars::schema_for!(super::Change)).expect("schema");
        let text = schema.to_string();
        for needle in [
            "\"modified\"",
            "\"maybe-changed\"",
            "\"sprint\"",
            "\"fields\"",
        ] {
            assert!(text.contains(needle), "{needle} missing from {text}");
        }
    }
}
