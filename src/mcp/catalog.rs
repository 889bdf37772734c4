//! The tool catalog: each tool's name, description, input schema, shallow
//! output schema and annotations, exactly as `tools/list` shows them. Tool
//! schemas cost tokens in every prompt of every client, so descriptions are
//! short and exact and output schemas list only top-level keys (the task shape
//! is the record's own, documented once in `docs/MCP.md`); the whole list stays
//! well under 12 KB of JSON (a test holds it there, with room for the tools
//! other work adds). The input schemas are also the single source of the
//! argument names each tool accepts.
//!
//! Claude Code defers a server's tools behind its tool search unless a tool
//! says `_meta["anthropic/alwaysLoad"]: true`, and a deferred tool is often
//! never called. [`ALWAYS_LOADED`] are the four a session cannot do without:
//! `orchestron_context_get` starts it, `orchestron_task_list` finds the work,
//! `orchestron_task_update` records progress (and takes a task: IN_PROGRESS
//! assigns the caller) and `orchestron_handoff_prepare` ends it. Updates need
//! no tool (they ride on every result); the rest are found when needed.
//!
//! This file holds what every tool shares (the declaration, the annotations,
//! the order of `tools/list`); [`schema`] writes the schemas, and the tools
//! are declared by concept: [`tasks`], [`sessions`] (context, handoff,
//! updates), [`sprints`] and [`insights`].

mod insights;
mod schema;
mod sessions;
mod sprints;
mod tasks;

use insights::{analyze_bottlenecks, predict_completion};
use rmcp::model::{MetaObject, Tool, ToolAnnotations};
use serde_json::{Map, Value, json};
use sessions::{check_updates, context_get, context_save, handoff_prepare};
use sprints::{sprint_create, sprint_get, sprint_update};
use std::sync::{Arc, OnceLock};
use tasks::{task_claim, task_clarify, task_create, task_depend, task_get, task_list, task_update};

/// One tool as the catalog declares it.
pub struct ToolDef {
    pub name: &'static str,
    pub tool: Tool,
    /// The canonical (camelCase) argument names.
    pub args: Vec<String>,
}

impl ToolDef {
    /// Whether the tool may write a record (not annotated read-only): the
    /// server then holds the workspace lock across its refresh and the call.
    pub fn writes(&self) -> bool {
        self.tool
            .annotations
            .as_ref()
            .and_then(|a| a.read_only_hint)
            != Some(true)
    }
}

/// The tools Claude Code keeps loaded in every session (see the module notes).
pub const ALWAYS_LOADED: &[&str] = &[
    "orchestron_context_get",
    "orchestron_task_list",
    "orchestron_task_update",
    "orchestron_handoff_prepare",
];

/// Reads only, writes no record.
const READ: (bool, bool, bool) = (true, false, true);
/// Adds a record or entry; calling twice adds twice.
const ADD: (bool, bool, bool) = (false, false, false);
/// Sets a state; calling twice is the same as once.
const SET: (bool, bool, bool) = (false, false, true);

/// `force` on a write another agent's claim would refuse.
const FORCE: &str = "override another's claim";

/// One tool: its schemas, its annotations (`READ`, `ADD`, `SET` or a triple
/// of its own) and, for [`ALWAYS_LOADED`] tools, the meta that keeps it loaded.
fn def(
    name: &'static str,
    description: &'static str,
    input: Value,
    out: Value,
    (read_only, destructive, idempotent): (bool, bool, bool),
) -> ToolDef {
    let args = input["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let as_obj = |v: Value| Arc::new(v.as_object().cloned().unwrap_or_default());
    let mut tool = Tool::new(name, description, as_obj(input))
        .with_raw_output_schema(as_obj(out))
        .with_annotations(
            ToolAnnotations::new()
                .read_only(read_only)
                .destructive(destructive)
                .idempotent(idempotent)
                .open_world(false),
        );
    if ALWAYS_LOADED.contains(&name) {
        let meta = Map::from_iter([("anthropic/alwaysLoad".to_string(), json!(true))]);
        tool = tool.with_meta(MetaObject(meta));
    }
    ToolDef { name, tool, args }
}

fn build() -> Vec<ToolDef> {
    vec![
        task_create(),
        task_list(),
        task_get(),
        task_update(),
        task_claim(),
        task_depend(),
        task_clarify(),
        context_get(),
        context_save(),
        handoff_prepare(),
        check_updates(),
        sprint_get(),
        sprint_create(),
        sprint_update(),
        predict_completion(),
        analyze_bottlenecks(),
    ]
}

/// Every tool, in the order `tools/list` shows them.
pub fn tools() -> &'static [ToolDef] {
    static TOOLS: OnceLock<Vec<ToolDef>> = OnceLock::new();
    TOOLS.get_or_init(build)
}

/// The tool named `name`.
pub fn find(name: &str) -> Option<&'static ToolDef> {
    tools().iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_annotations_and_an_object_output_schema() {
        assert_eq!(tools().len(), 16);
        for t in tools() {
            let a = t.tool.annotations.as_ref().expect("annotations");
            assert!(a.read_only_hint.is_some() && a.destructive_hint.is_some());
            assert!(a.idempotent_hint.is_some());
            assert_eq!(a.open_world_hint, Some(false));
            let out = t.tool.output_schema.as_ref().expect("output schema");
            assert_eq!(out.get("type"), Some(&json!("object")));
        }
    }
}
