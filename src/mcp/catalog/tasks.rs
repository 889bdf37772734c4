//! The task tools: create, list, get, update, claim, depend and clarify —
//! their names, descriptions, arguments and output keys.

use super::schema::{boolean, choices, input, int, list, output, s, task_id};
use super::{ADD, FORCE, READ, SET, ToolDef, def};
use crate::model::{Priority, Status, TaskType};
use serde_json::json;

const TASK_OUT: &[(&str, &str)] = &[("task", "object"), ("changes", "array")];

pub(super) fn task_create() -> ToolDef {
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

pub(super) fn task_list() -> ToolDef {
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

pub(super) fn task_get() -> ToolDef {
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

pub(super) fn task_update() -> ToolDef {
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

pub(super) fn task_claim() -> ToolDef {
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

pub(super) fn task_depend() -> ToolDef {
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

pub(super) fn task_clarify() -> ToolDef {
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
