//! A tool's answer, shared by every tool module ([`super::tools`],
//! [`super::insights`]): the text for the model, the structured object beside
//! it, and the small helpers that build both. Kept apart from the tools so
//! that the dispatcher and the tool modules it calls depend on it, not on
//! each other.

use super::error::Failure;
use serde::Serialize;
use serde_json::{Map, Value};

/// A tool's successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// `content[0]`.
    pub text: String,
    /// `structuredContent.summary`: the same line as `text`, or one that says
    /// what a JSON `text` holds.
    pub summary: String,
    /// Further text contents (an empty state's explanation).
    pub extra: Vec<String>,
    /// `structuredContent`: always an object.
    pub structured: Map<String, Value>,
}

pub(super) type Res = Result<Output, Failure>;

pub(super) fn api<T>(r: crate::api::Result<T>) -> Result<T, Failure> {
    r.map_err(Failure::from)
}

pub(super) fn to_map<T: Serialize>(v: &T) -> Map<String, Value> {
    match serde_json::to_value(v) {
        Ok(Value::Object(m)) => m,
        Ok(other) => Map::from_iter([("value".to_string(), other)]),
        Err(_) => Map::new(),
    }
}

pub(super) fn obj(pairs: Vec<(&str, Value)>) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

pub(super) fn compact(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_string())
}

/// An answer whose text is its summary.
pub(super) fn line(text: String, structured: Map<String, Value>) -> Output {
    Output {
        summary: text.clone(),
        text,
        extra: Vec::new(),
        structured,
    }
}
