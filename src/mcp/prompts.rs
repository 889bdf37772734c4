//! Prompts for the two moments that matter. `orchestron_resume` opens a
//! session: the latest context or handoff (a line per key, long values cut),
//! the tasks in progress, a digest of what changed since this agent last
//! checked (it moves no cursor: `orchestron_check_updates` still pages through
//! the detail), and the next ready task. `orchestron_handoff`
//! closes one: what to record, for which tasks, with which tools.

use super::error::Failure;
use super::notice;
use crate::api::{ContextView, Orchestron};
use crate::model::short;
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

/// The most characters of one saved context value the resume prompt shows.
const CONTEXT_VALUE_CHARS: usize = 240;
/// The newest pending updates the resume prompt spells out.
const RESUME_DETAIL: usize = 5;
/// The most groups of older pending updates it shows.
const RESUME_GROUPS: usize = 6;

/// The saved context: what it is, the session before it, then one line per
/// saved key, long values cut (`orchestron_context_get` has them in full).
fn context_lines(view: &ContextView) -> String {
    let c = &view.snapshot;
    let mut s = format!(
        "{} {} by {} at {}",
        c.kind.as_str(),
        c.id,
        c.by,
        c.at.format("%Y-%m-%d %H:%M UTC")
    );
    if let Some(t) = &c.task {
        s.push_str(&format!(", task {t}"));
    }
    if let Some(g) = &c.git {
        let head: String = g.head.as_deref().unwrap_or("").chars().take(8).collect();
        s.push_str(&format!(
            ", on {} {head}",
            g.branch.as_deref().unwrap_or("detached")
        ));
    }
    s.push('\n');
    if let Some(l) = &view.last_session {
        s.push_str(&format!(
            "(before it: {} {} by {} at {})\n",
            l.kind.as_str(),
            l.id,
            l.by,
            l.at.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    if let Some(h) = &view.handoff {
        s.push_str(&format!("then handoff {} by {}\n", h.id, h.by));
    }
    let keys = view.saved_keys();
    for (k, v) in &keys {
        let text = match v {
            Value::Null => continue,
            Value::String(t) => t.clone(),
            other => other.to_string(),
        };
        s.push_str(&format!("- {k}: {}\n", short(&text, CONTEXT_VALUE_CHARS)));
    }
    if let Some(n) = &c.notes
        && !keys.contains_key("notes")
    {
        s.push_str(&format!("- notes: {}\n", short(n, CONTEXT_VALUE_CHARS)));
    }
    s
}

fn resume(o: &mut Orchestron) -> crate::api::Result<String> {
    let me = o.actor().to_string();
    let mut s = format!(
        "You are resuming work as \"{me}\" on a project tracked by Orchestron.\n\n## Latest context\n"
    );
    match o.context(None)? {
        Some(view) => s.push_str(&context_lines(&view)),
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
    let claims = o.notable_claims()?;
    if !claims.is_empty() {
        s.push_str("\n## Claims held elsewhere or stale\n");
        for h in &claims {
            s.push_str(&format!("- {} claimed by {}\n", h.id, h.claim.describe()));
        }
    }
    s.push_str("\n## Updates since your last check\n");
    let pending = o.pending_updates(RESUME_DETAIL, RESUME_GROUPS)?;
    if pending.is_empty() {
        s.push_str("None.\n");
    } else {
        if let Some(earlier) = pending.earlier_line() {
            s.push_str(&format!("- first: {earlier}\n"));
        }
        for c in &pending.recent {
            s.push_str(&format!("- {}\n", notice::describe(c)));
        }
        s.push_str(&format!(
            "({} in all; orchestron_check_updates pages through them)\n",
            pending.total
        ));
    }
    s.push_str("\n## Next ready task\n");
    match o.next_task()? {
        Some(t) => s.push_str(&format!("{}\n", task_line(&t))),
        None => s.push_str("No task is ready.\n"),
    }
    s.push_str(
        "\nRead any clarifications on your tasks (orchestron_task_get) before you continue. \
         Claim work with orchestron_task_claim (it holds for a lease: any write of yours to \
         the task renews it, claiming it again does too; release: true gives it back), record \
         progress and notes with orchestron_task_update, and save context at milestones with \
         orchestron_context_save. A stale claim (lease expired) may be taken over. If the \
         backlog is shared via git, run `orchestron sync` after a handoff and before ending.\n",
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
         3. Create tasks (orchestron_task_create) for follow-up work you discovered.\n\
         4. Where the backlog is shared through git, run `orchestron sync` in a shell \
         (it commits .orchestron/ only, pulls, pushes).\n\n",
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
