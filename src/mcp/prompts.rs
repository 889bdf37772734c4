//! Prompts for the two moments that matter. `orchestron_resume` opens a
//! session: the latest context or handoff, the tasks in progress, what changed
//! since this agent last looked, and the next ready task. `orchestron_handoff`
//! closes one: what to record, for which tasks, with which tools.

use super::error::Failure;
use super::notice;
use super::tools::context_object;
use crate::api::Orchestron;
use rmcp::model::{GetPromptResult, Prompt, PromptArgument, PromptMessage, Role};
use serde_json::{Map, Value};

pub const RESUME: &str = "orchestron_resume";
pub const HANDOFF: &str = "orchestron_handoff";

/// `prompts/list`.
pub fn list() -> Vec<Prompt> {
    vec![
        Prompt::new(
            RESUME,
            Some("Start a session: latest handoff/context, work in progress, updates, next task"),
            None,
        ),
        Prompt::new(
            HANDOFF,
            Some("End a session: record progress and prepare a handoff"),
            Some(vec![PromptArgument::new("taskId").with_description(
                "the task to hand off (default: your tasks in progress)",
            )]),
        ),
    ]
}

fn task_line(t: &crate::model::Task) -> String {
    format!(
        "- {} [{} {} {}%] {}{}",
        t.id,
        t.status,
        t.priority,
        t.progress,
        t.title,
        t.assignee
            .as_deref()
            .map_or(String::new(), |a| format!(" (assignee {a})"))
    )
}

/// `prompts/get`: the prompt's text, or a message naming what was wrong.
pub fn get(
    o: &mut Orchestron,
    name: &str,
    args: Option<&Map<String, Value>>,
) -> Result<GetPromptResult, Failure> {
    let err = Failure::from;
    let text = match name {
        RESUME => resume(o).map_err(err)?,
        HANDOFF => {
            let task = args
                .and_then(|a| a.get("taskId").or_else(|| a.get("task_id")))
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string);
            handoff(o, task.as_deref()).map_err(err)?
        }
        other => {
            return Err(Failure::not_found(format!(
                "unknown prompt {other:?}; prompts: {RESUME}, {HANDOFF}"
            )));
        }
    };
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]).with_description(
            if name == RESUME {
                "Resume work with Orchestron"
            } else {
                "Hand off work with Orchestron"
            },
        ),
    )
}

fn resume(o: &mut Orchestron) -> crate::api::Result<String> {
    let me = o.actor().to_string();
    let mut s = format!(
        "You are resuming work as \"{me}\" on a project tracked by Orchestron.\n\n## Latest context\n"
    );
    match o.context(None)? {
        Some(view) => {
            let m = context_object(Some(&view));
            s.push_str(&serde_json::to_string_pretty(&m).unwrap_or_default());
            s.push('\n');
        }
        None => s.push_str("No context saved yet.\n"),
    }
    s.push_str("\n## In progress\n");
    let current = o.in_progress(None, 20)?;
    if current.tasks.is_empty() {
        s.push_str("Nothing is in progress.\n");
    }
    for t in &current.tasks {
        s.push_str(&task_line(t));
        s.push('\n');
    }
    s.push_str("\n## Updates since your last check\n");
    let updates = o.updates(None)?;
    if updates.changes.is_empty() {
        s.push_str("None.\n");
    }
    for c in updates.changes.iter().take(30) {
        s.push_str(&format!("- {}\n", notice::describe(c)));
    }
    if updates.changes.len() > 30 {
        s.push_str(&format!(
            "- … {} more (orchestron_check_updates with since)\n",
            updates.changes.len() - 30
        ));
    }
    s.push_str("\n## Next ready task\n");
    match o.next_task()? {
        Some(t) => s.push_str(&format!("{}\n", task_line(&t))),
        None => s.push_str("No task is ready.\n"),
    }
    s.push_str(
        "\nRead any clarifications on your tasks (orchestron_task_get) before you continue. \
         Claim work with orchestron_task_claim, record progress and notes with \
         orchestron_task_update, and save context at milestones with orchestron_context_save.\n",
    );
    Ok(s)
}

fn handoff(o: &mut Orchestron, task: Option<&str>) -> crate::api::Result<String> {
    let me = o.actor().to_string();
    let tasks = match task {
        Some(id) => vec![o.task(id)?],
        None => o.in_progress(Some(&me), 20)?.tasks,
    };
    let mut s = format!("You are ending a session as \"{me}\". Before you stop:\n\n");
    s.push_str(
        "1. For each task you worked on, call orchestron_task_update with its status \
         (IN_REVIEW or DONE when finished), progress (0-100), criteriaDone (numbered from 1) \
         and a short note of what changed.\n\
         2. Call orchestron_handoff_prepare for the main task with completedWork (what is \
         done), remainingWork (what is left, concretely, in order) and notes (decisions, \
         traps, where to look). The git branch and HEAD are recorded for you.\n\
         3. Create tasks (orchestron_task_create) for follow-up work you discovered.\n\n",
    );
    if tasks.is_empty() {
        s.push_str("You have no task in progress; hand off the task you worked on by id.\n");
    } else {
        s.push_str("Your tasks:\n");
        for t in &tasks {
            s.push_str(&task_line(t));
            s.push('\n');
            let open: Vec<String> = t
                .acceptance_criteria
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.done)
                .map(|(i, c)| format!("    [ ] {}. {}", i + 1, c.text))
                .collect();
            for line in open {
                s.push_str(&line);
                s.push('\n');
            }
        }
    }
    Ok(s)
}
