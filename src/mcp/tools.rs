//! What each tool does: read its arguments, make one call into the use-case
//! API (the same code path as the CLI), and shape the answer — a short text
//! for the model in `content[0]` (exactly the seed's wording where the seed
//! fixed one) and a JSON object for `structuredContent`. A refusal (bad
//! argument, unknown id, held task, cycle) is an `Err` with a message that
//! names the value and the valid choices; the API refuses before it writes,
//! so a refused call changes no file.

use super::args::Args;
use super::catalog;
use super::error::Failure;
use super::notice;
use crate::api::{
    ContextView, HandoffInput, NewSprint, NewTask, Orchestron, SaveContext, TaskPatch, TaskQuery,
    TaskSummary, Updated,
};
use crate::model::{ContextSnapshot, Priority, SprintStatus, Status, TaskType};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// A tool's successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// `content[0]`.
    pub text: String,
    /// Further text contents (an empty state's explanation).
    pub extra: Vec<String>,
    /// `structuredContent`: always an object.
    pub structured: Map<String, Value>,
}

type Res = Result<Output, Failure>;

fn api<T>(r: crate::api::Result<T>) -> Result<T, Failure> {
    r.map_err(Failure::from)
}

fn to_map<T: Serialize>(v: &T) -> Map<String, Value> {
    match serde_json::to_value(v) {
        Ok(Value::Object(m)) => m,
        Ok(other) => Map::from_iter([("value".to_string(), other)]),
        Err(_) => Map::new(),
    }
}

fn obj(pairs: Vec<(&str, Value)>) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn compact(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_string())
}

/// Runs tool `name` with its raw arguments.
pub fn run(o: &mut Orchestron, name: &str, raw: Option<&Map<String, Value>>) -> Res {
    let Some(def) = catalog::find(name) else {
        let names: Vec<&str> = catalog::tools().iter().map(|t| t.name).collect();
        return Err(Failure::not_found(format!(
            "unknown tool {name:?}; tools: {}",
            names.join(", ")
        )));
    };
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
        _ => Err(Failure::internal(format!("tool {name} is not implemented"))),
    }
}

fn task_create(o: &mut Orchestron, a: &Args) -> Res {
    let estimate = a.int_in("estimate", 0, i64::from(u32::MAX))?;
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
    Ok(Output {
        text: format!("Created task {}: {}", task.id, task.title),
        extra: Vec::new(),
        structured: obj(vec![("task", json!(task))]),
    })
}

fn task_list(o: &mut Orchestron, a: &Args) -> Res {
    let limit = a.int_in("limit", 0, 10_000)?.unwrap_or(50);
    let offset = a.int_in("offset", 0, i64::from(u32::MAX))?.unwrap_or(0);
    let query = TaskQuery {
        status: a.enum_list::<Status>("status")?,
        assignee: a.str("assignee")?,
        kind: a.enum_list::<TaskType>("type")?,
        priority: a.enum_list::<Priority>("priority")?,
        label: a.str("label")?,
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
    Ok(Output {
        text: compact(&tasks),
        extra: Vec::new(),
        structured: obj(vec![
            ("tasks", json!(tasks)),
            ("total", json!(page.total)),
            ("next_offset", json!(page.next_offset)),
        ]),
    })
}

fn task_get(o: &mut Orchestron, a: &Args) -> Res {
    let view = api(o.show_task(&a.req_str("taskId")?))?;
    Ok(Output {
        text: compact(&view),
        extra: Vec::new(),
        structured: to_map(&view),
    })
}

/// The text of a write: "<verb> <ID>: field old → new; …".
fn updated(verb: &str, u: &Updated) -> Output {
    let text = format!(
        "{verb} {}: {}",
        u.task.id,
        crate::model::describe_changes(&u.changes, "; ")
    );
    Output {
        text,
        extra: Vec::new(),
        structured: obj(vec![("task", json!(u.task)), ("changes", json!(u.changes))]),
    }
}

fn task_update(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.req_str("taskId")?;
    let criteria = a
        .int_list("criteriaDone")?
        .into_iter()
        .map(|n| {
            usize::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| {
                format!("criteriaDone: acceptance criteria are numbered from 1, got {n}")
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let clearable = |key: &str| -> Result<Option<Option<String>>, Failure> {
        Ok(a.str(key)?
            .map(|s| Some(s).filter(|s| !s.trim().is_empty())))
    };
    let estimate = a
        .int_in("estimate", 0, i64::from(u32::MAX))?
        .map(|e| u32::try_from(e).ok());
    let patch = TaskPatch {
        status: a.enum_val::<Status>("status")?,
        progress: a.int("progress")?,
        notes: a.str_list("notes")?,
        priority: a.enum_val::<Priority>("priority")?,
        assignee: clearable("assignee")?,
        title: a.str("title")?,
        description: a.str("description")?,
        labels: a.has("labels").then(|| a.str_list("labels")).transpose()?,
        sprint: clearable("sprint")?,
        parent: clearable("parent")?,
        estimate,
        criteria_done: criteria,
        ..TaskPatch::default()
    };
    let u = api(o.update_task(&id, patch))?;
    Ok(updated("Updated", &u))
}

fn task_claim(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.str("taskId")?.filter(|s| !s.trim().is_empty());
    let assignee = a.str("assignee")?.filter(|s| !s.trim().is_empty());
    match api(o.claim(id.as_deref(), assignee.as_deref()))? {
        Some(u) => {
            let mut out = updated("Claimed", &u);
            out.text = format!(
                "Claimed {}: {} (assignee {}, {})",
                u.task.id,
                u.task.title,
                u.task.assignee.as_deref().unwrap_or("none"),
                u.task.status
            );
            Ok(out)
        }
        None => Ok(Output {
            text: "No task is ready to claim.".to_string(),
            extra: Vec::new(),
            structured: obj(vec![("task", Value::Null), ("changes", json!([]))]),
        }),
    }
}

fn task_depend(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.req_str("taskId")?;
    let on = a.req_str("on")?;
    let remove = a.bool("remove")?.unwrap_or(false);
    let u = api(o.depend(&id, &on, remove))?;
    let mut out = updated("Updated", &u);
    let target = crate::model::RecordId::parse(&on).map_or(on.clone(), |i| i.to_string());
    out.text = if remove {
        format!("{} no longer depends on {target}", u.task.id)
    } else {
        format!("{} now depends on {target}", u.task.id)
    };
    Ok(out)
}

fn task_clarify(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.req_str("taskId")?;
    let text = a.req_str("text")?;
    let u = api(o.clarify(&id, &text))?;
    let mut out = updated("Updated", &u);
    out.text = format!("Clarification added to {}", u.task.id);
    Ok(out)
}

/// The context envelope: the saved keys at top level, then `snapshot` and
/// `lastSession` (which win over saved keys of the same name).
pub fn context_object(view: Option<&ContextView>) -> Map<String, Value> {
    let Some(view) = view else {
        return obj(vec![("snapshot", Value::Null)]);
    };
    let s = &view.snapshot;
    let mut m = s.context.clone();
    m.insert("snapshot".into(), snapshot_meta(s));
    let last = view.last_session.as_ref().map(|l| {
        json!({
            "id": l.id, "kind": l.kind, "at": l.at, "by": l.by,
            "taskId": l.task, "notes": l.notes, "checkpoint": l.checkpoint,
        })
    });
    m.insert("lastSession".into(), last.unwrap_or(Value::Null));
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
    Ok(Output {
        text: compact(&m),
        extra: if view.is_none() {
            vec!["No context saved yet.".to_string()]
        } else {
            Vec::new()
        },
        structured: m,
    })
}

fn saved(text: String, s: &ContextSnapshot) -> Output {
    Output {
        text,
        extra: Vec::new(),
        structured: obj(vec![("id", json!(s.id)), ("snapshot", snapshot_meta(s))]),
    }
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
        completed_work: a.str("completedWork")?,
        remaining_work: a.str("remainingWork")?,
        notes: a.str("notes")?,
    };
    let s = api(o.handoff(input))?;
    let task = s
        .task
        .as_ref()
        .map_or(String::new(), |t| format!(" for {t}"));
    Ok(saved(format!("Handoff saved with ID: {}{task}", s.id), &s))
}

fn check_updates(o: &mut Orchestron, a: &Args) -> Res {
    let since = a.str("since")?.filter(|s| !s.trim().is_empty());
    let u = api(o.updates(since.as_deref()))?;
    let mut text = match u.changes.len() {
        0 => "No updates.".to_string(),
        1 => "1 update:".to_string(),
        n => format!("{n} updates:"),
    };
    if u.resync {
        text = format!("The cache was rebuilt since that cursor; records that differ: {text}");
    }
    for c in &u.changes {
        text.push_str("\n- ");
        text.push_str(&notice::describe(c));
    }
    text.push_str(&format!("\ncursor: {}", u.cursor));
    Ok(Output {
        text,
        extra: Vec::new(),
        structured: to_map(&u),
    })
}

fn sprint_get(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.str("sprintId")?.filter(|s| !s.trim().is_empty());
    match api(o.show_sprint(id.as_deref()))? {
        Some(view) => Ok(Output {
            text: compact(&view),
            extra: Vec::new(),
            structured: to_map(&view),
        }),
        None => {
            let m = obj(vec![("sprint", Value::Null)]);
            Ok(Output {
                text: compact(&m),
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
    Ok(Output {
        text: format!("Created sprint {}: {}", s.id, s.name),
        extra: Vec::new(),
        structured: obj(vec![("sprint", json!(s))]),
    })
}

fn sprint_update(o: &mut Orchestron, a: &Args) -> Res {
    let id = a.req_str("sprintId")?;
    let status = a
        .enum_val::<SprintStatus>("status")?
        .ok_or_else(|| "missing required argument \"status\"".to_string())?;
    let s = api(o.set_sprint_status(&id, status))?;
    Ok(Output {
        text: format!("Sprint {} ({}) is {}", s.id, s.name, s.status),
        extra: Vec::new(),
        structured: obj(vec![("sprint", json!(s))]),
    })
}
