//! The tools of a session's life: the saved context that starts one, the
//! snapshot and the handoff that end one, and the updates since the last
//! check.

use super::schema::{boolean, input, int, list, output, s, task_id};
use super::{ADD, FORCE, READ, ToolDef, def};
use serde_json::json;

pub(super) fn context_get() -> ToolDef {
    def(
        "orchestron_context_get",
        "A saved context (default: the latest): its own keys at top level, plus `snapshot` and `lastSession`.",
        input(vec![("id", s("context id"))], &[]),
        output(&[("snapshot", "object?"), ("lastSession", "object?")]),
        READ,
    )
}

pub(super) fn context_save() -> ToolDef {
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

pub(super) fn handoff_prepare() -> ToolDef {
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

pub(super) fn check_updates() -> ToolDef {
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
