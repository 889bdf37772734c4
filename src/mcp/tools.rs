//! What each tool does: read its arguments, make one call into the use-case
//! API (the same code path as the CLI), and shape the answer — a short text
//! for the model in `content[0]` (worded exactly as docs/MCP.md's tool table
//! fixes it, e.g. `Created task <ID>: <title>`: agents' scripts parse it) and a JSON object for `structuredContent` that stands on its
//! own (its `summary` is that line), since many clients show the model only
//! one of the two. Writes answer with what changed, not the record; shapes
//! are cut to size by [`super::brief`]. A refusal (bad
//! argument, unknown id, held task, cycle) is an `Err` with a message that
//! names the value and the valid choices; the API refuses before it writes,
//! so a refused call changes no file.

use super::args::Args;
use super::brief;
use super::catalog;
use super::error::Failure;
use super::notice;
use super::output::{Output, Res, api, compact, line, obj, to_map};
use crate::api::{
    ContextView, HandoffInput, NewSprint, NewTask, Orchestron, SaveContext, TaskPatch, TaskSummary,
    Updated,
};
use crate::model::Limits;
use crate::model::short;
use crate::model::{ContextSnapshot, Priority, SprintStatus, Status, TaskQuery, TaskType};
use serde_json::{Map, Value, json};

/// Runs the tool `def` (found in the catalog by the server, which alone
/// answers an unknown name: `invalid_params`) with its raw arguments.
pub fn run(o: &mut Orchestron, def: &catalog::ToolDef, raw: Option<&Map<String, Value>>) -> Res {
    let name = def.name;
    let allowed: Vec<&str> = def.args.iter().map(String::as_str).collect();
    let a = Args::new(raw, &allowed)?;
    match name {
        "orchestron_task_create" => task_create(o, &a),
        "orchestron_task_list" => task_list(o, &a),
        "orchestron_task_get" => task_get(o, &a),
        "orchestron_task_update" => task_update(o, &a),
        "orchestron_task_claim" => task_claim(o, &a),
        "orchestron_task_depend" => task_depend(o, &a),
        "orchestron_task_clarify" => task_clarify(o, &a),
        "orchestron_context_get" => context_get(o, &a),
        "orchestron_context_save" => context_save(o, &a),
        "orchestron_handoff_prepare" => handoff_prepare(o, &a),
        "orchestron_check_updates" => check_updates(o, &a),
        "orchestron_sprint_get" => sprint_get(o, &a),
        "orchestron_sprint_create" => sprint_create(o, &a),
        "orchestron_sprint_update" => sprint_update(o, &a),
        "orchestron_predict_completion" => super::insights::predict_completion(o, &a),
        "orchestron_analyze_bottlenecks" => super::insights::analyze_bottlenecks(o, &a),
        _ => Err(Failure::internal(format!("tool {name} is not implemented"))),
    }
}

fn task_create(o: &mut Orchestron, a: &Args) -> Res {
    let estimate = a.int_in("estimate", 0, i64::from(Limits::ESTIMATE_POINTS))?;
    let input = NewTask {
        title: a.req_str("title")?,
        kind: a.enum_val::<TaskType>("type")?,
        description: a.str("description")?,
        priority: a.enum_val::<Priority>("priority")?,
        parent: a.str("parent")?.filter(|p| !p.trim().is_empty()),
        assignee: a.str("assignee")?.filter(|p| !p.trim().is_empty()),
        labels: a.str_list("labels")?,
        depends_on: a.str_list("dependsOn")?,
        sprint: a.str("sprint")?.filter(|p| !p.trim().is_empty()),
        acceptance_criteria: a.str_list("acceptanceCriteria")?,
        estimate: estimate.and_then(|e| u32::try_from(e).ok()),
        template: a.str("template")?,
    };
    let task = api(o.create_task(input))?;
    Ok(line(
        format!("Created task {}: {}", task.id, task.title),
        obj(vec![("task", brief::task(&task))]),
    ))
}

fn task_list(o: &mut Orchestron, a: &Args) -> Res {
    let limit = a.int_in("limit", 0, 10_000)?.unwrap_or(50);
    let offset = a.int_in("offset", 0, i64::from(u32::MAX))?.unwrap_or(0);
    let query = TaskQuery {
        status: a.enum_list::<Status>("status")?,
        assignee: a.str("assignee")?,
        kind: a.enum_list::<TaskType>("type")?,
        priority: a.enum_list::<Priority>("priority")?,
        labels: a.str_list("label")?,
        query: a.str("query")?.filter(|q| !q.trim().is_empty()),
        ready: a.bool("ready")?.unwrap_or(false),
        limit: usize::try_from(limit).unwrap_or(50),
        offset: usize::try_from(offset).unwrap_or(0),
        ..TaskQuery::default()
    };
    let sprint = a.str("sprint")?;
    let parent = a.str("parent")?;
    let page = api(o.find_tasks(query, sprint.as_deref(), parent.as_deref()))?;
    let tasks: Vec<TaskSummary> = page.tasks.iter().map(TaskSummary::from).collect();
    let first = usize::try_from(offset).unwrap_or(0) + 1;
    let summary = match (tasks.len(), page.next_offset) {
        (0, _) => format!("No tasks match (of {} in total).", page.total),
        (n, Some(next)) => format!(
            "Tasks {first}-{} of {}; more with offset {next}.",
            first + n - 1,
            page.total
        ),
        (n, None) if n == page.total => format!("{n} of {n} tasks."),
        (n, None) => format!("Tasks {first}-{} of {}.", first + n - 1, page.total),
    };
    Ok(Output {
        text: compact(&tasks),
        // content[0] stays the bare array (scripts parse it); the count
        // and the next page are said in a second text when not all fit.
        extra: if page.next_offset.is_some() {
            vec![summary.clone()]
        } else {
            Vec::new()
        },
        summary,
        structured: obj(vec![
            ("tasks", json!(tasks)),
            ("total", json!(page.total)),
            ("next_offset", json!(page.next_offset)),
        ]),
    })
}

fn task_get(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.req_str("taskId")?;
    let view = match o.show_task(&id) {
        Ok(view) => view,
        Err(e) => {
            let mut failure = Failure::from(e);
            // A broken file still shows what it holds, bounded to a few lines.
            if let Ok(Some(b)) = o.broken_record(&id) {
                for (n, line) in &b.excerpt {
                    failure.message.push_str(&format!("\n{n:>4} | {line}"));
                }
            }
            return Err(failure);
        }
    };
    Ok(Output {
        text: compact(&view),
        summary: format!(
            "{}: {} ({})",
            view.task.id,
            short(&view.task.title, 80),
            view.task.status
        ),
        extra: Vec::new(),
        structured: to_map(&view),
    })
}

/// The text of a write: "<verb> <ID>: field old → new; …".
fn updated(verb: &str, u: &Updated) -> Output {
    let mut text = format!("{verb} {}: {}", u.task.id, brief::describe(&u.changes));
    let mut fields = vec![
        ("task", brief::task(&u.task)),
        ("changes", brief::changes(&u.changes)),
    ];
    if !u.warnings.is_empty() {
        text.push_str(&format!("\nWarning: {}", u.warnings.join("\nWarning: ")));
        fields.push(("warnings", json!(u.warnings)));
    }
    line(text, obj(fields))
}

fn task_update(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.req_str("taskId")?;
    let estimate = a
        .int_in("estimate", 0, i64::from(Limits::ESTIMATE_POINTS))?
        .map(|e| u32::try_from(e).ok());
    // Parsing only: what an empty string means (clear) is the API's rule.
    let patch = TaskPatch {
        status: a.enum_val::<Status>("status")?,
        progress: a.int("progress")?,
        notes: a.str_list("notes")?,
        priority: a.enum_val::<Priority>("priority")?,
        kind: a.enum_val::<TaskType>("type")?,
        assignee: a.str("assignee")?.map(Some),
        title: a.str("title")?,
        description: a.str("description")?,
        labels: a.has("labels").then(|| a.str_list("labels")).transpose()?,
        sprint: a.str("sprint")?.map(Some),
        parent: a.str("parent")?.map(Some),
        estimate,
        criteria_done: criterion_numbers(a, "criteriaDone")?,
        criteria_undone: criterion_numbers(a, "criteriaUndone")?,
        add_criteria: a.str_list("addCriteria")?,
        force: a.bool("force")?.unwrap_or(false),
        ..TaskPatch::default()
    };
    let u = api(o.update_task(&id, patch))?;
    Ok(updated("Updated", &u))
}

/// Acceptance criteria by number, from 1 (as `task show` prints them).
fn criterion_numbers(a: &Args, key: &str) -> Result<Vec<usize>, Failure> {
    a.int_list(key)?
        .into_iter()
        .map(|n| {
            usize::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| {
                Failure::from(format!(
                    "{key}: acceptance criteria are numbered from 1, got {n}"
                ))
            })
        })
        .collect()
}

fn task_claim(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.str("taskId")?.filter(|s| !s.trim().is_empty());
    let assignee = a.str("assignee")?.filter(|s| !s.trim().is_empty());
    if a.bool("release")?.unwrap_or(false) {
        let id = id.ok_or_else(|| Failure::invalid("release needs taskId".to_string()))?;
        let force = a.bool("force")?.unwrap_or(false);
        return Ok(updated("Released", &api(o.release(&id, force))?));
    }
    let opts = crate::api::ClaimOptions {
        lease: a.str("lease")?.filter(|s| !s.trim().is_empty()),
        force: a.bool("force")?.unwrap_or(false),
    };
    match api(o.claim_with(id.as_deref(), assignee.as_deref(), &opts))? {
        Some(u) => {
            let mut out = updated("Claimed", &u);
            out.text = format!(
                "Claimed {}: {} (assignee {}, {})",
                u.task.id,
                u.task.title,
                u.task.assignee.as_deref().unwrap_or("none"),
                u.task.status
            );
            out.summary = out.text.clone();
            Ok(out)
        }
        None => Ok(line(
            "No task is ready to claim.".to_string(),
            obj(vec![("task", Value::Null), ("changes", json!([]))]),
        )),
    }
}

fn task_depend(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.req_str("taskId")?;
    let on = a.req_str("on")?;
    let remove = a.bool("remove")?.unwrap_or(false);
    let force = a.bool("force")?.unwrap_or(false);
    let u = api(o.depend(&id, &on, remove, force))?;
    let mut out = updated("Updated", &u);
    let target = crate::model::RecordId::parse(&on).map_or(on.clone(), |i| i.to_string());
    out.text = if remove {
        format!("{} no longer depends on {target}", u.task.id)
    } else {
        format!("{} now depends on {target}", u.task.id)
    };
    out.summary = out.text.clone();
    Ok(out)
}

fn task_clarify(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.req_str("taskId")?;
    let text = a.req_str("text")?;
    let u = api(o.clarify(&id, &text))?;
    let mut out = updated("Updated", &u);
    out.text = format!("Clarification added to {}", u.task.id);
    out.summary = out.text.clone();
    Ok(out)
}

/// The context envelope: the saved keys at top level (the snapshot's as
/// saved, then a newer handoff's), then `snapshot`, `handoff` and
/// `lastSession` (which win over saved keys of the same name); the resume
/// keys (docs/MCP.md, "Resume") are derived only where the agent saved none, richer facts go under
/// `derived`.
pub fn context_object(view: Option<&ContextView>) -> Map<String, Value> {
    let Some(view) = view else {
        return obj(vec![("snapshot", Value::Null)]);
    };
    let mut m = view.saved_keys();
    m.insert("snapshot".into(), snapshot_meta(&view.snapshot));
    if let Some(h) = &view.handoff {
        // Its keys are at top level and the snapshot has the git state in
        // full: what is left is where and when.
        let git = h
            .git
            .as_ref()
            .map(|g| json!({"branch": g.branch, "head": g.head}));
        m.insert(
            "handoff".into(),
            json!({"id": h.id, "kind": h.kind, "at": h.at, "by": h.by, "taskId": h.task, "git": git}),
        );
    }
    let last = view.last_session.as_ref().map(|l| {
        json!({
            "id": l.id, "kind": l.kind, "at": l.at, "by": l.by,
            "taskId": l.task, "notes": l.notes, "checkpoint": l.checkpoint,
        })
    });
    m.insert("lastSession".into(), last.unwrap_or(Value::Null));
    let r = &view.resume;
    for (key, value) in [
        ("lastTask", json!(r.last_task)),
        ("completedToday", json!(r.completed_today)),
        ("nextSteps", json!(r.next_steps)),
    ] {
        m.entry(key).or_insert(value);
    }
    let mut derived = Map::new();
    if let Some(t) = &r.task {
        derived.insert("task".into(), json!(t));
    }
    if !r.done_today.is_empty() {
        derived.insert("doneToday".into(), json!(r.done_today));
    }
    if !derived.is_empty() {
        m.insert("derived".into(), Value::Object(derived));
    }
    m
}

fn snapshot_meta(s: &ContextSnapshot) -> Value {
    json!({
        "id": s.id, "kind": s.kind, "at": s.at, "by": s.by, "taskId": s.task,
        "notes": s.notes, "checkpoint": s.checkpoint, "git": s.git,
    })
}

fn context_get(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.str("id")?.filter(|s| !s.trim().is_empty());
    let view = api(o.context(id.as_deref()))?;
    let m = context_object(view.as_ref());
    let summary = match &view {
        Some(v) => {
            let task = v
                .snapshot
                .task
                .as_ref()
                .map_or(String::new(), |t| format!(" for {t}"));
            let handoff = v.handoff.as_ref().map_or(String::new(), |h| {
                format!(", then handoff {} by {}", h.id, h.by)
            });
            format!(
                "Latest {} {} by {}{task}{handoff}",
                v.snapshot.kind.as_str(),
                v.snapshot.id,
                v.snapshot.by
            )
        }
        None => "No context saved yet.".to_string(),
    };
    Ok(Output {
        text: compact(&m),
        summary,
        extra: if view.is_none() {
            vec!["No context saved yet.".to_string()]
        } else {
            Vec::new()
        },
        structured: m,
    })
}

/// A saved snapshot's answer: its id and metadata, the notes clipped and the
/// uncommitted paths counted (`context_get` has them in full).
fn saved(text: String, s: &ContextSnapshot) -> Output {
    let mut meta = snapshot_meta(s);
    meta["notes"] = brief::clip(&meta["notes"]);
    if let Some(git) = &s.git {
        meta["git"] = json!({"branch": git.branch, "head": git.head, "dirty": git.dirty.len()});
    }
    line(text, obj(vec![("id", json!(s.id)), ("snapshot", meta)]))
}

fn context_save(o: &mut Orchestron, a: &Args) -> Res {
    let input = SaveContext {
        context: a.req_object("context")?,
        notes: a.str("notes")?,
        checkpoint: a.str("checkpoint")?,
        task: a.str("taskId")?,
    };
    let s = api(o.save_context(input))?;
    Ok(saved(format!("Context saved with ID: {}", s.id), &s))
}

fn handoff_prepare(o: &mut Orchestron, a: &Args) -> Res {
    let input = HandoffInput {
        task: a.req_str("taskId")?,
        completed_work: a.str_list("completedWork")?,
        remaining_work: a.str_list("remainingWork")?,
        notes: a.str("notes")?,
        force: a.bool("force")?.unwrap_or(false),
    };
    let s = api(o.handoff(input))?;
    let task = s
        .task
        .as_ref()
        .map_or(String::new(), |t| format!(" for {t}"));
    Ok(saved(format!("Handoff saved with ID: {}{task}", s.id), &s))
}

/// The page size `check_updates` uses when no `limit` is given.
const UPDATES_PAGE: i64 = 25;
/// The newest entries of a page spelled out one by one.
const UPDATES_DETAIL: usize = 10;

fn check_updates(o: &mut Orchestron, a: &Args) -> Res {
    let since = a.str("since")?.filter(|s| !s.trim().is_empty());
    let max = i64::try_from(crate::api::MAX_PAGE).unwrap_or(500);
    let limit = a.int_in("limit", 1, max)?.unwrap_or(UPDATES_PAGE);
    let u = api(o.updates(since.as_deref(), usize::try_from(limit).unwrap_or(25)))?;
    let d = u.digest(UPDATES_DETAIL);
    let mut summary = match d.total {
        0 => "No updates.".to_string(),
        1 => "1 update".to_string(),
        n => format!("{n} updates"),
    };
    if u.more {
        summary.push_str(" (more: call again; since defaults to where this page ended)");
    }
    if u.resync {
        summary =
            format!("The cache was rebuilt since that cursor; records that differ: {summary}");
    }
    let mut text = summary.clone();
    if let Some(earlier) = d.earlier_line() {
        text.push_str(&format!("\n- first: {earlier}"));
    }
    for c in &d.recent {
        text.push_str("\n- ");
        text.push_str(&notice::describe(c));
    }
    text.push_str(&format!("\ncursor: {}", u.cursor));
    let mut m = brief::digest(&d);
    m.insert("cursor".into(), json!(u.cursor));
    m.insert("more".into(), json!(u.more));
    m.insert("resync".into(), json!(u.resync));
    Ok(Output {
        text,
        summary,
        extra: Vec::new(),
        structured: m,
    })
}

fn sprint_get(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.str("sprintId")?.filter(|s| !s.trim().is_empty());
    match api(o.show_sprint(id.as_deref()))? {
        Some(view) => Ok(Output {
            text: compact(&view),
            summary: format!(
                "Sprint {} ({}) is {}: {} of {} tasks closed",
                view.sprint.id, view.sprint.name, view.sprint.status, view.done, view.total
            ),
            extra: Vec::new(),
            structured: to_map(&view),
        }),
        None => {
            let m = obj(vec![("sprint", Value::Null)]);
            Ok(Output {
                text: compact(&m),
                summary: "No active sprint.".to_string(),
                extra: vec!["No active sprint.".to_string()],
                structured: m,
            })
        }
    }
}

fn sprint_create(o: &mut Orchestron, a: &Args) -> Res {
    let input = NewSprint {
        name: a.req_str("name")?,
        goal: a.str("goal")?,
        start: a.str("start")?,
        end: a.str("end")?,
    };
    let s = api(o.create_sprint(input))?;
    Ok(line(
        format!("Created sprint {}: {}", s.id, s.name),
        obj(vec![("sprint", json!(s))]),
    ))
}

fn sprint_update(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.req_str("sprintId")?;
    let status = a
        .enum_val::<SprintStatus>("status")?
        .ok_or_else(|| "missing required argument \"status\"".to_string())?;
    let u = api(o.set_sprint_status(&id, status))?;
    let s = &u.sprint;
    let mut text = format!("Sprint {} ({}) is {}", s.id, s.name, s.status);
    let mut fields = vec![("sprint", json!(s))];
    if !u.warnings.is_empty() {
        text.push_str(&format!("\nWarning: {}", u.warnings.join("\nWarning: ")));
        fields.push(("warnings", json!(u.warnings)));
    }
    Ok(line(text, obj(fields)))
}

#[cfg(test)]
mod tests;
