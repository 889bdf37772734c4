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

use crate::model::{Priority, SprintStatus, Status, TaskType};
use rmcp::model::{MetaObject, Tool, ToolAnnotations};
use serde_json::{Map, Value, json};
use std::sync::{Arc, OnceLock};

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

/// An enum's values as a schema description, `A|B|C`, from the enum itself.
fn choices<T: std::fmt::Display>(all: &[T]) -> String {
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
fn s(desc: &str) -> Value {
    prop(json!("string"), desc)
}
fn list(desc: &str) -> Value {
    prop(json!("array"), desc)
}
fn int(desc: &str) -> Value {
    prop(json!("integer"), desc)
}
fn boolean(desc: &str) -> Value {
    prop(json!("boolean"), desc)
}

/// An input schema: `props` in order, `required` among them.
fn input(props: Vec<(&str, Value)>, required: &[&str]) -> Value {
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
fn output(keys: &[(&str, &str)]) -> Value {
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

/// `force` on a write another agent's claim would refuse.
const FORCE: &str = "override another's claim";

const TASK_OUT: &[(&str, &str)] = &[("task", "object"), ("changes", "array")];

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

/// The schema of a task id argument.
fn task_id() -> Value {
    s("e.g. TASK-7k2mq")
}

fn task_create() -> ToolDef {
    def(
        "orchestron_task_create",
        "Create a task. Returns `Created task <ID>: <title>`.",
        input(
            vec![
                ("title", s("")),
                ("type", s(&choices(TaskType::ALL))),
                ("description", s("")),
                ("priority", s(&choices(Priority::ALL))),
                ("parent", s("parent task id")),
                ("assignee", s("")),
                ("labels", list("")),
                ("dependsOn", list("ids of tasks this waits for")),
                ("sprint", s("sprint id or name")),
                ("acceptanceCriteria", list("")),
                ("estimate", int("points")),
                ("template", s("feature|bug|spike")),
            ],
            &["title"],
        ),
        output(&[("task", "object")]),
        ADD,
    )
}

fn task_list() -> ToolDef {
    def(
        "orchestron_task_list",
        "List tasks, most urgent first, as rows {id, title, status, type, priority, assignee, progress, parent, sprint, labels, depends_on, updated}; a field at its default (TASK, MEDIUM, 0, none) is left out. content[0] is the JSON array of rows. orchestron_task_get has the rest.",
        input(
            vec![
                ("status", list(&choices(Status::ALL))),
                ("assignee", s("")),
                ("type", list(&choices(TaskType::ALL))),
                ("priority", list(&choices(Priority::ALL))),
                ("label", list("")),
                ("sprint", s("sprint id or name")),
                ("parent", s("parent task id")),
                ("query", s("full-text words")),
                ("ready", boolean("only tasks that can start now")),
                ("limit", int("default 50, 0 = all")),
                ("offset", int("")),
            ],
            &[],
        ),
        output(&[
            ("tasks", "array"),
            ("total", "integer"),
            ("next_offset", "integer?"),
        ]),
        READ,
    )
}

fn task_get() -> ToolDef {
    def(
        "orchestron_task_get",
        "A task in full: criteria, clarifications, notes, dependencies both ways, children.",
        input(vec![("taskId", task_id())], &["taskId"]),
        output(&[
            ("id", "string"),
            ("status", "string"),
            ("dependencies", "array"),
            ("dependents", "array"),
            ("children", "array"),
        ]),
        READ,
    )
}

fn task_update() -> ToolDef {
    def(
        "orchestron_task_update",
        "Change a task; answers with each field old → new. IN_PROGRESS assigns you if unassigned.",
        input(
            vec![
                ("taskId", task_id()),
                ("status", s(&choices(Status::ALL))),
                ("progress", int("0-100")),
                ("notes", list("appended")),
                ("priority", s(&choices(Priority::ALL))),
                ("type", s(&choices(TaskType::ALL))),
                ("assignee", s("")),
                ("title", s("")),
                ("description", s("")),
                ("labels", list("replaces the list")),
                ("sprint", s("sprint id or name; empty clears")),
                ("parent", s("empty clears")),
                (
                    "criteriaDone",
                    json!({"type": "array", "items": {"type": "integer"}, "description": "criteria to mark done, from 1"}),
                ),
                (
                    "criteriaUndone",
                    json!({"type": "array", "items": {"type": "integer"}}),
                ),
                ("addCriteria", list("")),
                ("estimate", int("points")),
                ("force", boolean(FORCE)),
            ],
            &["taskId"],
        ),
        output(TASK_OUT),
        (false, true, false),
    )
}

fn task_claim() -> ToolDef {
    def(
        "orchestron_task_claim",
        "Atomically take a task (default: the best ready leaf): assign it, set IN_PROGRESS, hold it for a lease; claim again (or write to it) to renew; release: true gives it back. Refuses a task another agent holds, or with open dependencies unless force.",
        input(
            vec![
                ("taskId", task_id()),
                ("assignee", s("default: you")),
                ("lease", s("90s, 30m, 2h (default: claims.lease or 2h)")),
                ("release", boolean("give taskId back (TODO, unassigned)")),
                ("force", boolean("claim although dependencies are open")),
            ],
            &[],
        ),
        output(&[("task", "object?"), ("changes", "array")]),
        SET,
    )
}

fn task_depend() -> ToolDef {
    def(
        "orchestron_task_depend",
        "Make taskId depend on `on` (or remove it); refuses a cycle.",
        input(
            vec![
                ("taskId", task_id()),
                ("on", s("the task it waits for")),
                ("remove", boolean("")),
                ("force", boolean(FORCE)),
            ],
            &["taskId", "on"],
        ),
        output(TASK_OUT),
        SET,
    )
}

fn task_clarify() -> ToolDef {
    def(
        "orchestron_task_clarify",
        "Add a clarification to a task.",
        input(
            vec![("taskId", task_id()), ("text", s(""))],
            &["taskId", "text"],
        ),
        output(TASK_OUT),
        ADD,
    )
}

fn context_get() -> ToolDef {
    def(
        "orchestron_context_get",
        "A saved context (default: the latest): its own keys at top level, plus `snapshot` and `lastSession`.",
        input(vec![("id", s("context id"))], &[]),
        output(&[("snapshot", "object?"), ("lastSession", "object?")]),
        READ,
    )
}

fn context_save() -> ToolDef {
    def(
        "orchestron_context_save",
        "Save a context snapshot (with the git state). Returns `Context saved with ID: <id>`.",
        input(
            vec![
                ("context", json!({"type": "object"})),
                ("notes", s("")),
                ("checkpoint", s("")),
                ("taskId", task_id()),
            ],
            &["context"],
        ),
        output(&[("id", "string"), ("snapshot", "object")]),
        ADD,
    )
}

fn handoff_prepare() -> ToolDef {
    def(
        "orchestron_handoff_prepare",
        "Save a handoff for the next session and note it on the task.",
        input(
            vec![
                ("taskId", task_id()),
                ("completedWork", list("one text or a list")),
                ("remainingWork", list("one text or a list")),
                ("notes", s("")),
                ("force", boolean(FORCE)),
            ],
            &["taskId"],
        ),
        output(&[("id", "string"), ("snapshot", "object")]),
        ADD,
    )
}

fn check_updates() -> ToolDef {
    def(
        "orchestron_check_updates",
        "What changed (by anyone) since your last check or `since`, a page at a time: the newest entries field by field, older ones grouped; call again while `more`.",
        input(
            vec![
                ("since", s("a cursor")),
                ("limit", int("entries per page, default 25")),
            ],
            &[],
        ),
        output(&[
            ("total", "integer"),
            ("recent", "array"),
            ("earlier", "array"),
            ("cursor", "string"),
            ("more", "boolean"),
            ("resync", "boolean"),
        ]),
        (true, false, false),
    )
}

fn sprint_get() -> ToolDef {
    def(
        "orchestron_sprint_get",
        "A sprint (default: the active one) with its tasks and progress.",
        input(vec![("sprintId", s("id or name"))], &[]),
        output(&[
            ("id", "string"),
            ("status", "string"),
            ("percent", "integer"),
            ("tasks", "array"),
            ("sprint", "null"),
        ]),
        READ,
    )
}

fn sprint_create() -> ToolDef {
    def(
        "orchestron_sprint_create",
        "Create a sprint (PLANNED).",
        input(
            vec![
                ("name", s("")),
                ("goal", s("")),
                ("start", s("YYYY-MM-DD")),
                ("end", s("YYYY-MM-DD")),
            ],
            &["name"],
        ),
        output(&[("sprint", "object")]),
        ADD,
    )
}

fn sprint_update() -> ToolDef {
    def(
        "orchestron_sprint_update",
        "Set a sprint's status (ACTIVE starts it, CLOSED ends it).",
        input(
            vec![
                ("sprintId", s("id or name")),
                ("status", s(&choices(SprintStatus::ALL))),
            ],
            &["sprintId", "status"],
        ),
        output(&[("sprint", "object")]),
        SET,
    )
}

fn predict_completion() -> ToolDef {
    def(
        "orchestron_predict_completion",
        "When a task/epic (with subtree, dependencies) or sprint is done: p50/p85/p95 dates from past throughput, with basis.",
        input(
            vec![("taskId", task_id()), ("sprintId", s("id or name"))],
            &[],
        ),
        output(&[
            ("target", "object"),
            ("remaining", "integer"),
            ("basis", "object"),
            ("insufficient_history", "boolean"),
        ]),
        READ,
    )
}

fn analyze_bottlenecks() -> ToolDef {
    def(
        "orchestron_analyze_bottlenecks",
        "What holds work up: root blockers, critical path, cycles, slow work, review queue, overload, stale claims; flow. See totals.",
        input(vec![("sprintId", s("only this sprint"))], &[]),
        output(&[
            ("root_blockers", "array"),
            ("critical_path", "array"),
            ("totals", "object"),
            ("flow", "object"),
        ]),
        READ,
    )
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
