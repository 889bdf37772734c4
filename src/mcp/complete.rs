//! Argument completion (`completion/complete`): record ids for the resource
//! templates' `{id}` and for the `orchestron_handoff` prompt's `taskId`, so a
//! client can offer `TASK-7k…` as the user types. Open tasks come first, in
//! the default order; at most 20 values are offered.

use crate::api::Orchestron;
use crate::model::Status;
use crate::model::TaskQuery;
use rmcp::model::{ArgumentInfo, Reference};

const MAX: usize = 20;

/// The values to offer for `arg` of `reference`; empty when there is nothing
/// to complete.
pub fn complete(o: &Orchestron, reference: &Reference, arg: &ArgumentInfo) -> Vec<String> {
    let typed = arg.value.trim().to_ascii_lowercase();
    let candidates: Vec<String> = match reference {
        Reference::Resource(r) if arg.name == "id" => match r.uri.as_str() {
            "orchestron://tasks/{id}" | "orchestron://tasks/{id}/history" => task_ids(o),
            "orchestron://sprints/{id}" => o
                .list_sprints()
                .map(|s| s.into_iter().map(|s| s.id.to_string()).collect())
                .unwrap_or_default(),
            "orchestron://contexts/{id}" => o
                .list_contexts(100)
                .map(|c| c.into_iter().map(|c| c.id.to_string()).collect())
                .unwrap_or_default(),
            _ => Vec::new(),
        },
        Reference::Prompt(p) if p.name == super::prompts::HANDOFF && arg.name == "taskId" => {
            task_ids(o)
        }
        _ => Vec::new(),
    };
    candidates
        .into_iter()
        .filter(|id| id.to_ascii_lowercase().starts_with(&typed))
        .take(MAX)
        .collect()
}

/// Open tasks' ids, in progress first, then the rest in the default order.
fn task_ids(o: &Orchestron) -> Vec<String> {
    let page = |status: Vec<Status>| {
        o.list_tasks(&TaskQuery {
            status,
            limit: 0,
            ..TaskQuery::default()
        })
        .map(|p| p.tasks)
        .unwrap_or_default()
    };
    let mut ids: Vec<String> = page(vec![Status::InProgress])
        .into_iter()
        .map(|t| t.id.to_string())
        .collect();
    let open = vec![Status::Todo, Status::InReview, Status::Blocked];
    ids.extend(page(open).into_iter().map(|t| t.id.to_string()));
    ids
}
