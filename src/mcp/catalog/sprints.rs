//! The sprint tools: get (with its tasks and progress), create and update.

use super::schema::{choices, input, output, s};
use super::{ADD, READ, SET, ToolDef, def};
use crate::model::SprintStatus;

pub(super) fn sprint_get() -> ToolDef {
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

pub(super) fn sprint_create() -> ToolDef {
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

pub(super) fn sprint_update() -> ToolDef {
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
