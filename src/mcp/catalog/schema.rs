//! How the catalog writes a schema: property schemas (`s`, `list`, `int`,
//! `boolean`), an enum's values from the enum itself, an input schema with its
//! required arguments, and the shallow output schema (top-level keys and
//! their JSON types only; docs/MCP.md documents the shapes once).

use serde_json::{Map, Value, json};

/// An enum's values as a schema description, `A|B|C`, from the enum itself.
pub(super) fn choices<T: std::fmt::Display>(all: &[T]) -> String {
    all.iter().map(T::to_string).collect::<Vec<_>>().join("|")
}

/// A property schema of JSON type `ty`, with a description unless it is empty.
fn prop(ty: Value, desc: &str) -> Value {
    let mut p = json!({"type": ty});
    if ty_is_array(&p) {
        p["items"] = json!({"type": "string"});
    }
    if !desc.is_empty() {
        p["description"] = json!(desc);
    }
    p
}
fn ty_is_array(p: &Value) -> bool {
    p["type"] == "array"
}
pub(super) fn s(desc: &str) -> Value {
    prop(json!("string"), desc)
}
pub(super) fn list(desc: &str) -> Value {
    prop(json!("array"), desc)
}
pub(super) fn int(desc: &str) -> Value {
    prop(json!("integer"), desc)
}
pub(super) fn boolean(desc: &str) -> Value {
    prop(json!("boolean"), desc)
}

/// An input schema: `props` in order, `required` among them.
pub(super) fn input(props: Vec<(&str, Value)>, required: &[&str]) -> Value {
    let mut p = Map::new();
    for (k, v) in props {
        p.insert(k.to_string(), v);
    }
    let mut schema = json!({"type": "object", "properties": p});
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

/// A shallow output schema: the tool's own top-level keys and their JSON
/// types. Every result also has `summary` (a string) and may have `updates`
/// (an object); they are documented once (docs/MCP.md), not in each of 14
/// schemas, which would cost 0.8 KB of every prompt.
pub(super) fn output(keys: &[(&str, &str)]) -> Value {
    let mut p = Map::new();
    for (k, t) in keys {
        let ty = match *t {
            "object?" => json!(["object", "null"]),
            "integer?" => json!(["integer", "null"]),
            t => json!(t),
        };
        p.insert(k.to_string(), json!({"type": ty}));
    }
    json!({"type": "object", "properties": p})
}

/// The schema of a task id argument.
pub(super) fn task_id() -> Value {
    s("e.g. TASK-7k2mq")
}
