//! Bounded JSON shapes for tool results. Every byte of a result is paid in the
//! agent's context, in whichever view its client shows (Claude Code and VS
//! Code give the model only `structuredContent`, other clients only
//! `content`), so what a write or a notice carries is cut to a size that does
//! not grow with the record: a task as its id, title and status, a field
//! change with long values shortened, a digest of changes as its newest few
//! entries and its groups. `orchestron_task_get` and `orchestron_check_updates`
//! have the rest.

use crate::api::Digest;
use crate::model::Change;
use crate::model::{FieldChange, Task, short};
use serde_json::{Map, Value, json};

/// A string value longer than this many characters is shortened.
const TEXT_CHARS: usize = 60;
/// A list or object whose JSON is longer than this is shown as shortened text.
const JSON_CHARS: usize = 80;

/// `v`, with long strings shortened and large lists or objects shown as a
/// shortened JSON text.
pub fn clip(v: &Value) -> Value {
    match v {
        Value::String(s) if s.chars().count() > TEXT_CHARS => json!(short(s, TEXT_CHARS)),
        Value::Array(_) | Value::Object(_) => {
            let text = v.to_string();
            if text.chars().count() > JSON_CHARS {
                json!(short(&text, TEXT_CHARS))
            } else {
                v.clone()
            }
        }
        other => other.clone(),
    }
}

/// A field change with its values clipped. An added note or clarification
/// shows only its text; acceptance criteria whose texts stayed the same show
/// as the numbers of those done (`criteria_done` `[1]` → `[1, 2]`).
pub fn change(c: &FieldChange) -> Value {
    if c.field == "acceptance_criteria"
        && let (Some(old), Some(new)) = (criteria(&c.old), criteria(&c.new))
        && old.0 == new.0
    {
        return json!({"field": "criteria_done", "old": old.1, "new": new.1});
    }
    let new = match c.new.get("text") {
        Some(text) if c.old.is_null() => clip(text),
        _ => clip(&c.new),
    };
    json!({"field": c.field, "old": clip(&c.old), "new": new})
}

/// The texts of a criteria list and the numbers (from 1) of those done.
fn criteria(v: &Value) -> Option<(Vec<&str>, Vec<usize>)> {
    let list = v.as_array()?;
    let texts = list
        .iter()
        .map(|c| c.get("text").and_then(Value::as_str))
        .collect::<Option<Vec<_>>>()?;
    let done = list
        .iter()
        .enumerate()
        .filter(|(_, c)| c.get("done") == Some(&Value::Bool(true)))
        .map(|(i, _)| i + 1)
        .collect();
    Some((texts, done))
}

pub fn changes(cs: &[FieldChange]) -> Value {
    Value::Array(cs.iter().map(change).collect())
}

/// The changes as one line, from their clipped form: `status TODO → DONE;
/// note added: "…"; description changed`.
pub fn describe(cs: &[FieldChange]) -> String {
    if cs.is_empty() {
        return "no change".to_string();
    }
    let shown = |v: &Value| match v {
        Value::Null => "none".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    cs.iter()
        .map(|c| {
            let b = change(c);
            match (c.field.as_str(), c.old.is_null(), c.new.get("text")) {
                ("description", _, _) => "description changed".to_string(),
                // One wording for criteria everywhere: `criterion 2 done`.
                ("acceptance_criteria", _, _) => c.describe(),
                (_, true, Some(_)) => {
                    let noun = c.field.strip_suffix('s').unwrap_or(&c.field);
                    format!("{noun} added: \"{}\"", shown(&b["new"]))
                }
                _ => format!(
                    "{} {} → {}",
                    b["field"].as_str().unwrap_or(""),
                    shown(&b["old"]),
                    shown(&b["new"])
                ),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A task by its id, title and status (`task_get` has the rest).
pub fn task(t: &Task) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(t.id));
    m.insert("title".into(), json!(short(&t.title, TEXT_CHARS)));
    m.insert("status".into(), json!(t.status));
    if let Some(a) = &t.assignee {
        m.insert("assignee".into(), json!(a));
    }
    Value::Object(m)
}

/// A change-feed entry, its fields clipped.
pub fn feed_entry(c: &Change) -> Value {
    let mut m = Map::new();
    m.insert("seq".into(), json!(c.seq));
    m.insert("at".into(), json!(c.at));
    m.insert("by".into(), json!(c.by));
    m.insert("kind".into(), json!(c.kind.as_str()));
    m.insert("id".into(), json!(c.id));
    if let Some(t) = &c.title {
        m.insert("title".into(), json!(short(t, TEXT_CHARS)));
    }
    m.insert("op".into(), json!(c.op));
    if !c.fields.is_empty() {
        m.insert("fields".into(), changes(&c.fields));
    }
    Value::Object(m)
}

/// A digest: its total, the newest entries and the groups of the older ones.
pub fn digest(d: &Digest) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("total".into(), json!(d.total));
    m.insert(
        "recent".into(),
        Value::Array(d.recent.iter().map(feed_entry).collect()),
    );
    if !d.earlier.is_empty() {
        m.insert("earlier".into(), json!(d.earlier));
    }
    if d.others > 0 {
        m.insert("others".into(), json!(d.others));
    }
    m
}

/// The digest attached to another tool's result, beside its notice line: the
/// notice already tells each change in words, so the entries keep only what a
/// program would act on — `recent` as {seq, id, by, op, fields}, `earlier`
/// without the groups' sentences. It is paid on every call that follows a
/// change (`orchestron_check_updates` has the whole entries).
pub fn notice_digest(d: &Digest) -> Map<String, Value> {
    let recent = d
        .recent
        .iter()
        .map(|c| {
            let mut m = Map::new();
            m.insert("seq".into(), json!(c.seq));
            m.insert("id".into(), json!(c.id));
            m.insert("by".into(), json!(c.by));
            m.insert("op".into(), json!(c.op));
            if !c.fields.is_empty() {
                m.insert("fields".into(), changes(&c.fields));
            }
            Value::Object(m)
        })
        .collect();
    let mut m = Map::new();
    m.insert("total".into(), json!(d.total));
    m.insert("recent".into(), Value::Array(recent));
    if !d.earlier.is_empty() {
        let earlier = d
            .earlier
            .iter()
            .map(|g| {
                let mut v = json!(g);
                if let Some(o) = v.as_object_mut() {
                    o.remove("summary");
                }
                v
            })
            .collect();
        m.insert("earlier".into(), Value::Array(earlier));
    }
    if d.others > 0 {
        m.insert("others".into(), json!(d.others));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_clipped_and_short_ones_kept() {
        let long = "word ".repeat(100);
        let c = FieldChange {
            field: "description".into(),
            old: json!(long),
            new: json!(["a", "b"]),
        };
        let v = change(&c);
        assert_eq!(v["old"].as_str().unwrap().chars().count(), TEXT_CHARS + 1);
        assert_eq!(v["new"], json!(["a", "b"]));
        let big: Vec<String> = (0..50).map(|i| format!("criterion {i}")).collect();
        assert!(clip(&json!(big)).is_string());
    }
}
