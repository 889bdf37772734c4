//! Helpers shared by the MCP tests: redaction of ids and timestamps for
//! snapshots, and a content reader for tool results.
#![allow(dead_code)]

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

/// Replaces every record id (`TASK-…`, `SPRINT-…`, `CTX-…`), every RFC 3339
/// timestamp, date, cursor and git hash in `s` with stable placeholders,
/// numbering ids in order of first appearance.
pub fn redact_str(s: &str, ids: &mut Vec<String>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().take(40).collect();
        let at_word_start = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if at_word_start {
            if let Some(prefix) = ["TASK-", "SPRINT-", "CTX-"]
                .iter()
                .find(|p| rest.starts_with(**p))
            {
                let mut j = i + prefix.len();
                while j < chars.len() && chars[j].is_ascii_alphanumeric() {
                    j += 1;
                }
                if j > i + prefix.len() {
                    let id: String = chars[i..j].iter().collect();
                    let n = match ids.iter().position(|x| *x == id) {
                        Some(n) => n,
                        None => {
                            ids.push(id);
                            ids.len() - 1
                        }
                    };
                    out.push_str(&format!("{}[{}]", &prefix[..prefix.len() - 1], n + 1));
                    i = j;
                    continue;
                }
            }
            // 2026-11-25 or 2026-11-25T09:12:00.123Z
            let is_date = rest.len() >= 10
                && rest.chars().take(10).enumerate().all(|(k, c)| match k {
                    4 | 7 => c == '-',
                    _ => c.is_ascii_digit(),
                });
            if is_date {
                let mut j = i + 10;
                if j < chars.len() && chars[j] == 'T' {
                    while j < chars.len()
                        && (chars[j].is_ascii_alphanumeric()
                            || matches!(chars[j], ':' | '.' | '+' | '-'))
                    {
                        j += 1;
                    }
                    out.push_str("[time]");
                } else {
                    out.push_str("[date]");
                }
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// [`redact_str`] over every string (and the cursor) in a JSON value.
pub fn redact(v: &Value, ids: &mut Vec<String>) -> Value {
    match v {
        Value::String(s) => Value::String(redact_str(s, ids)),
        Value::Array(a) => Value::Array(a.iter().map(|x| redact(x, ids)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let x = match k.as_str() {
                        "cursor" | "seq" | "head" | "commit" => Value::String("[redacted]".into()),
                        _ => redact(x, ids),
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A tool result as JSON, redacted, with the text contents that hold JSON
/// parsed so snapshots stay readable.
pub fn result_json(r: &CallToolResult, ids: &mut Vec<String>) -> Value {
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
    redact(&v, ids)
}
