//! One-line accounts of change-feed entries, for the notice attached to a tool
//! result ("2 updates since your last call: TASK-x priority HIGH→CRITICAL
//! (alice); TASK-y new clarification (alice)") and for `check_updates`' text.
//! Clients commonly ignore pushed notifications, so this line is how an agent
//! reliably learns of a human's intervention. It is told from a bounded
//! [`Digest`]: the newest few entries one by one, the older ones by group
//! ("100 tasks created by alice"), so it stays short after any bulk change.

use crate::api::Digest;
use crate::model::short;
use crate::model::{Change, ChangeOp};
use serde_json::Value;

/// The newest entries the notice spells out one by one.
pub const DETAIL: usize = 5;
/// The most groups the notice shows for the older ones.
pub const GROUPS: usize = 6;

/// The notice for `d`, or `None` when it is empty.
pub fn notice(d: &Digest) -> Option<String> {
    if d.is_empty() {
        return None;
    }
    let n = d.total;
    let parts: Vec<String> = d.recent.iter().map(describe).collect();
    let noun = if n == 1 { "update" } else { "updates" };
    let mut line = format!("{n} {noun} since your last call: {}", parts.join("; "));
    if let Some(earlier) = d.earlier_line() {
        line.push_str(&format!(
            "; before those: {earlier} (orchestron_check_updates pages through them all)"
        ));
    }
    Some(line)
}

/// One change: the record, what happened to it, and who did it.
pub fn describe(c: &Change) -> String {
    let what = match c.op {
        ChangeOp::Created | ChangeOp::Repaired => match &c.title {
            Some(t) => format!("{} ({})", c.op.as_str(), short(t, 60)),
            None => c.op.as_str().to_string(),
        },
        ChangeOp::Deleted | ChangeOp::Broken => c.op.as_str().to_string(),
        ChangeOp::MaybeChanged => match &c.title {
            Some(t) => format!(
                "({}) may have changed while the cache was rebuilt",
                short(t, 60)
            ),
            None => "may have changed while the cache was rebuilt".to_string(),
        },
        ChangeOp::Modified if c.fields.is_empty() => "modified".to_string(),
        ChangeOp::Modified => c
            .fields
            .iter()
            .map(|f| field(&f.field, &f.old, &f.new))
            .collect::<Vec<_>>()
            .join(", "),
    };
    format!("{} {what} ({})", c.id, c.by)
}

fn field(name: &str, old: &Value, new: &Value) -> String {
    match name {
        "clarifications" | "notes" if old.is_null() => {
            let noun = if name == "notes" {
                "note"
            } else {
                "clarification"
            };
            match new.get("text").and_then(Value::as_str) {
                Some(t) => format!("new {noun} \"{}\"", short(t, 60)),
                None => format!("new {noun}"),
            }
        }
        "depends_on" => {
            let (o, n) = (ids(old), ids(new));
            let added: Vec<&String> = n.iter().filter(|i| !o.contains(i)).collect();
            let removed: Vec<&String> = o.iter().filter(|i| !n.contains(i)).collect();
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("new dependency on {}", join(&added)));
            }
            if !removed.is_empty() {
                parts.push(format!("dependency on {} removed", join(&removed)));
            }
            if parts.is_empty() {
                "dependencies reordered".to_string()
            } else {
                parts.join(", ")
            }
        }
        "description" => "description changed".to_string(),
        "acceptance_criteria" => crate::model::describe_criteria(old, new)
            .unwrap_or_else(|| "acceptance criteria changed".to_string()),
        _ => format!("{name} {}→{}", value(old), value(new)),
    }
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn join(ids: &[&String]) -> String {
    ids.iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn value(v: &Value) -> String {
    match v {
        Value::Null => "none".to_string(),
        Value::String(s) => short(s, 40),
        other => short(&other.to_string(), 40),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FieldChange, IdKind, RecordId};
    use serde_json::json;

    fn change(id: &str, by: &str, fields: Vec<FieldChange>) -> Change {
        Change {
            seq: 1,
            at: chrono::DateTime::UNIX_EPOCH,
            by: by.into(),
            kind: IdKind::Task,
            id: RecordId::parse(id).unwrap(),
            title: Some("T".into()),
            op: ChangeOp::Modified,
            fields,
        }
    }

    fn fc(field: &str, old: Value, new: Value) -> FieldChange {
        FieldChange {
            field: field.into(),
            old,
            new,
        }
    }

    #[test]
    fn notice_reads_like_the_seed() {
        let changes = vec![
            change(
                "TASK-x",
                "alice",
                vec![fc("priority", json!("HIGH"), json!("CRITICAL"))],
            ),
            change(
                "TASK-y",
                "alice",
                vec![fc(
                    "clarifications",
                    Value::Null,
                    json!({"text": "Use OAuth2", "by": "alice"}),
                )],
            ),
            change(
                "TASK-y",
                "bob",
                vec![fc("depends_on", json!([]), json!(["TASK-z"]))],
            ),
        ];
        assert_eq!(
            notice(&Digest::of(changes, DETAIL, GROUPS, false)).unwrap(),
            "3 updates since your last call: TASK-x priority HIGH→CRITICAL (alice); \
             TASK-y new clarification \"Use OAuth2\" (alice); TASK-y new dependency on TASK-z (bob)"
        );
        assert_eq!(notice(&Digest::default()), None);
    }
}
