//! Field-level differences between two versions of a record, as the change
//! feed reports them. Works on the records' JSON so that one function serves
//! tasks, sprints and contexts, and so that the old version can come straight
//! from the JSON the index stored when it last saw the record.

use super::types::FieldChange;
use serde_json::{Map, Value};

/// Lists whose entries are appended over time: a new entry is reported on its
/// own rather than as the whole old and new list.
const APPEND_LISTS: &[&str] = &["notes", "clarifications"];

/// The fields that differ between `old` and `new` (JSON objects), in the new
/// record's key order. A missing key and `null` count as the same value.
pub fn field_changes(old: &Value, new: &Value) -> Vec<FieldChange> {
    let empty = Map::new();
    let old = old.as_object().unwrap_or(&empty);
    let new = new.as_object().unwrap_or(&empty);
    let keys = new
        .keys()
        .chain(old.keys().filter(|k| !new.contains_key(*k)));
    let mut out = Vec::new();
    for key in keys {
        let o = old.get(key).unwrap_or(&Value::Null);
        let n = new.get(key).unwrap_or(&Value::Null);
        if o == n {
            continue;
        }
        if APPEND_LISTS.contains(&key.as_str())
            && let Some(added) = appended(o, n)
        {
            out.extend(added.into_iter().map(|entry| FieldChange {
                field: key.clone(),
                old: Value::Null,
                new: entry.clone(),
            }));
            continue;
        }
        out.push(FieldChange {
            field: key.clone(),
            old: o.clone(),
            new: n.clone(),
        });
    }
    out
}

/// The entries of `new` that are not in `old`, when `new` only adds entries:
/// every old entry is still there (a merge may interleave both sides' notes,
/// so order is not required). `None` when an entry was removed or edited.
fn appended<'a>(old: &Value, new: &'a Value) -> Option<Vec<&'a Value>> {
    let old: &[Value] = match old {
        Value::Null => &[],
        Value::Array(a) => a,
        _ => return None,
    };
    let new = new.as_array()?;
    let mut unmatched: Vec<Option<&Value>> = old.iter().map(Some).collect();
    let mut added = Vec::new();
    for entry in new {
        match unmatched.iter_mut().find(|o| **o == Some(entry)) {
            Some(slot) => *slot = None,
            None => added.push(entry),
        }
    }
    unmatched.iter().all(Option::is_none).then_some(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn appended_entries_are_reported_one_by_one() {
        let a = json!({"title": "x", "notes": [{"text": "1"}]});
        let b = json!({"title": "x", "notes": [{"text": "1"}, {"text": "2"}, {"text": "3"}]});
        let changes = field_changes(&a, &b);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].field, "notes");
        assert_eq!(changes[0].old, Value::Null);
        assert_eq!(changes[1].new, json!({"text": "3"}));
    }

    #[test]
    fn interleaved_merge_counts_as_appends_but_removal_does_not() {
        let a = json!({"notes": [{"t": 1}, {"t": 3}]});
        let merged = json!({"notes": [{"t": 1}, {"t": 2}, {"t": 3}]});
        let changes = field_changes(&a, &merged);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].new, json!({"t": 2}));

        let removed = json!({"notes": [{"t": 1}]});
        let changes = field_changes(&a, &removed);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].old, json!([{"t": 1}, {"t": 3}]));
        assert_eq!(changes[0].new, json!([{"t": 1}]));
    }

    #[test]
    fn missing_equals_null_and_removed_keys_are_reported() {
        let a = json!({"a": null, "b": 1, "gone": true});
        let b = json!({"b": 2});
        let changes = field_changes(&a, &b);
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["b", "gone"]);
        assert_eq!(changes[1].new, Value::Null);
    }
}
