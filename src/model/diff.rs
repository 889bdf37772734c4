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
        if self.field == "acceptance_criteria"
            && let Some(text) = describe_criteria(&self.old, &self.new)
        {
            return text;
        }
        format!("{} {} → {}", self.field, show(&self.old), show(&self.new))
    }
}

/// A change of the criteria list item by item, numbered from 1 as `task show`
/// prints them: `criterion 2 done`, `criterion 3 added: "text"`. `None` when
/// either side is not a list of criteria (then the generic form is used).
pub fn describe_criteria(old: &Value, new: &Value) -> Option<String> {
    let items = |v: &Value| -> Option<Vec<(String, bool)>> {
        match v {
            Value::Null => Some(Vec::new()),
            Value::Array(a) => a
                .iter()
                .map(|c| {
                    Some((
                        c.get("text")?.as_str()?.to_string(),
                        c.get("done").and_then(Value::as_bool).unwrap_or(false),
                    ))
                })
                .collect(),
            _ => None,
        }
    };
    let (old, new) = (items(old)?, items(new)?);
    let mut parts = Vec::new();
    for (i, n) in new.iter().enumerate() {
        let number = i + 1;
        match old.get(i) {
            None => parts.push(format!("criterion {number} added: \"{}\"", short(&n.0, 60))),
            Some(o) if o.0 != n.0 => {
                parts.push(format!("criterion {number} now \"{}\"", short(&n.0, 60)))
            }
            Some(o) if o.1 != n.1 => parts.push(format!(
                "criterion {number} {}",
                if n.1 { "done" } else { "not done" }
            )),
            Some(_) => {}
        }
    }
    for number in new.len() + 1..=old.len() {
        parts.push(format!("criterion {number} removed"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
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

#[cfg(test)]
mod tests {
    use super::FieldChange;
    use serde_json::json;

    fn criteria(old: serde_json::Value, new: serde_json::Value) -> String {
        FieldChange {
            field: "acceptance_criteria".into(),
            old,
            new,
        }
        .describe()
    }

    #[test]
    fn criteria_changes_read_item_by_item() {
        let a = json!({"text": "A", "done": false});
        let b = json!({"text": "B", "done": false});
        let b_done = json!({"text": "B", "done": true});
        let c = json!({"text": "Cover the edge cases", "done": false});
        assert_eq!(
            criteria(json!([a, b]), json!([a, b_done])),
            "criterion 2 done"
        );
        assert_eq!(
            criteria(json!([a, b]), json!([a, b, c])),
            "criterion 3 added: \"Cover the edge cases\""
        );
        assert_eq!(
            criteria(json!([a, b_done]), json!([a, b])),
            "criterion 2 not done"
        );
        assert_eq!(criteria(json!([a, b]), json!([a])), "criterion 2 removed");
    }
}
