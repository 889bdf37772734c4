//! Field-level differences between two versions of a record: what `task update`
//! reports, what the change feed stores and what `task history` prints. One
//! definition, so every place describes a change the same way.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One field's change, old → new. For a list of entries (notes, clarifications)
/// each new entry is its own change with `old: null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

impl FieldChange {
    /// The change as one line, for people and models alike (CLI reports,
    /// `task history`, `updates`, MCP tool results): `status TODO → DONE`,
    /// `assignee none → claude`, `note added: "text"`.
    pub fn describe(&self) -> String {
        if self.old.is_null()
            && let Some(text) = self.new.get("text").and_then(Value::as_str)
        {
            let noun = self.field.strip_suffix('s').unwrap_or(&self.field);
            return format!("{noun} added: \"{}\"", short(text, 60));
        }
        format!("{} {} → {}", self.field, show(&self.old), show(&self.new))
    }
}

/// Every change on one line, joined by `sep`; `no change` when there is none.
pub fn describe_changes(changes: &[FieldChange], sep: &str) -> String {
    if changes.is_empty() {
        return "no change".to_string();
    }
    changes
        .iter()
        .map(FieldChange::describe)
        .collect::<Vec<_>>()
        .join(sep)
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "none".to_string(),
        Value::String(s) => short(s, 60),
        other => short(&other.to_string(), 60),
    }
}

/// `text` on one line, cut to `max` characters with `…`.
pub fn short(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > max {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    } else {
        one_line
    }
}

/// The fields that differ between two serialisable records, in key order.
pub fn diff_fields<T: Serialize>(old: &T, new: &T) -> Vec<FieldChange> {
    let (Ok(Value::Object(o)), Ok(Value::Object(n))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let keys = n.keys().chain(o.keys().filter(|k| !n.contains_key(*k)));
    for key in keys {
        let (ov, nv) = (
            o.get(key).unwrap_or(&Value::Null),
            n.get(key).unwrap_or(&Value::Null),
        );
        if ov == nv {
            continue;
        }
        if matches!(key.as_str(), "notes" | "clarifications")
            && let (Some(oa), Some(na)) = (ov.as_array(), nv.as_array())
            && na.len() > oa.len()
            && na[..oa.len()] == oa[..]
        {
            for entry in &na[oa.len()..] {
                out.push(FieldChange {
                    field: key.clone(),
                    old: Value::Null,
                    new: entry.clone(),
                });
            }
            continue;
        }
        out.push(FieldChange {
            field: key.clone(),
            old: ov.clone(),
            new: nv.clone(),
        });
    }
    out
}
