//! Helpers shared by the MCP tests on top of `tests/common`: the text of a
//! tool result's contents, and a redacted JSON view of a result for snapshots.
#![allow(dead_code)]

pub mod inprocess;

use crate::common::Redactor;
use rmcp::model::CallToolResult;
use serde_json::Value;

/// The text of `content[i]`.
pub fn text(r: &CallToolResult, i: usize) -> String {
    r.content
        .get(i)
        .and_then(|c| c.as_text())
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

/// A tool result as JSON, redacted, with text contents that hold JSON parsed
/// so snapshots stay readable.
pub fn result_json(r: &CallToolResult, red: &mut Redactor) -> Value {
    let content: Vec<Value> = r
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| match serde_json::from_str::<Value>(&t.text) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => v,
            _ => Value::String(t.text.clone()),
        })
        .collect();
    let v = serde_json::json!({
        "isError": r.is_error.unwrap_or(false),
        "content": content,
        "structuredContent": r.structured_content,
    });
    normalize(red.value(&v))
}

/// Makes a redacted value stable: `dirty` path lists sorted (random ids sort
/// in random order before redaction) and `cursor: …` lines in texts hidden.
fn normalize(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(
            s.lines()
                .map(|l| {
                    if l.starts_with("cursor: ") {
                        "cursor: [cursor]"
                    } else {
                        l
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(normalize).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, x)| {
                    let x = match (k.as_str(), normalize(x)) {
                        ("dirty", Value::Array(mut a)) => {
                            a.sort_by_key(|x| x.to_string());
                            Value::Array(a)
                        }
                        (_, x) => x,
                    };
                    (k, x)
                })
                .collect(),
        ),
        other => other,
    }
}
