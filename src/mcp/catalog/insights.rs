//! The insight tools: a completion forecast for a task, an epic or a sprint,
//! and what holds work up.

use super::schema::{input, output, s, task_id};
use super::{READ, ToolDef, def};

pub(super) fn predict_completion() -> ToolDef {
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

pub(super) fn analyze_bottlenecks() -> ToolDef {
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
