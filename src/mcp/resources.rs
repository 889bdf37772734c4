//! Resources: the three fixed views (`orchestron://tasks/current`,
//! `orchestron://sprint/active`, `orchestron://context/latest`) and the three
//! templates for single records (`orchestron://tasks/{id}`, `…/sprints/{id}`,
//! `…/contexts/{id}`), plus `orchestron://tasks/{id}/history` — who changed
//! what in a task, commit by commit, from git (the newest 20 entries; a
//! resource rather than a field of `task_get`, so the common call stays cheap).
//! Each reads as `application/json` in the same shapes as the tools. `resources/list` holds only the fixed views: records are reached
//! through the templates (listing 10,000 records would help no one).

use super::error::Failure;
use super::tools::context_object;
use crate::api::Orchestron;
use crate::model::IdKind;
use rmcp::model::{Resource, ResourceTemplate};
use serde::Serialize;
use serde_json::{Map, Value, json};

pub const TASKS_CURRENT: &str = "orchestron://tasks/current";
pub const SPRINT_ACTIVE: &str = "orchestron://sprint/active";
pub const CONTEXT_LATEST: &str = "orchestron://context/latest";
const JSON: &str = "application/json";
/// Entries a history resource returns (newest first; `truncated` says if more exist).
const HISTORY_LIMIT: usize = 20;

/// What a URI names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    TasksCurrent,
    SprintActive,
    ContextLatest,
    Record(IdKind, String),
    /// `orchestron://tasks/{id}/history`.
    TaskHistory(String),
}

/// Parses one of our URIs; `None` for anything else.
pub fn parse(uri: &str) -> Option<Target> {
    let rest = uri.strip_prefix("orchestron://")?;
    match rest {
        "tasks/current" => return Some(Target::TasksCurrent),
        "sprint/active" => return Some(Target::SprintActive),
        "context/latest" => return Some(Target::ContextLatest),
        _ => {}
    }
    if let Some(id) = rest
        .strip_prefix("tasks/")
        .and_then(|r| r.strip_suffix("/history"))
        && !id.contains('/')
    {
        return Some(Target::TaskHistory(decode_id(id)?));
    }
    let (dir, id) = rest.split_once('/')?;
    let kind = IdKind::ALL.into_iter().find(|k| k.dir() == dir)?;
    if id.contains('/') {
        return None;
    }
    Some(Target::Record(kind, decode_id(id)?))
}

/// One id segment of a URI, percent-decoded (clients encode the space in
/// `orchestron://sprints/Sprint%201`). Decoded after the split on `/`, and an
/// id that decodes to a `/` or to nothing is no id: `%2F` smuggles no path.
fn decode_id(segment: &str) -> Option<String> {
    let id = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()?;
    (!id.is_empty() && !id.contains('/')).then(|| id.into_owned())
}

/// What a record id must not carry raw inside a URI segment: controls, the
/// space (sprint names have them), and the characters that end or split a
/// segment or start an escape.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// The URI of one record, its id percent-encoded so that what is pushed in a
/// change notification is the URI a client subscribed to
/// (`orchestron://sprints/Sprint%201`) and parses back to the same id.
pub fn record_uri(kind: IdKind, id: &str) -> String {
    let id = percent_encoding::utf8_percent_encode(id, SEGMENT);
    format!("orchestron://{}/{id}", kind.dir())
}

/// `resources/list`: the fixed views.
pub fn list() -> Vec<Resource> {
    let r = |uri: &str, name: &str, desc: &str| {
        Resource::new(uri, name)
            .with_description(desc)
            .with_mime_type(JSON)
    };
    vec![
        r(TASKS_CURRENT, "tasks-current", "Tasks in progress"),
        r(
            SPRINT_ACTIVE,
            "sprint-active",
            "The active sprint with its tasks and progress",
        ),
        r(
            CONTEXT_LATEST,
            "context-latest",
            "The latest context snapshot or handoff",
        ),
    ]
}

/// `resources/templates/list`.
pub fn templates() -> Vec<ResourceTemplate> {
    let t = |uri: &str, name: &str, desc: &str| {
        ResourceTemplate::new(uri, name)
            .with_description(desc)
            .with_mime_type(JSON)
    };
    vec![
        t("orchestron://tasks/{id}", "task", "One task in full"),
        t(
            "orchestron://tasks/{id}/history",
            "task-history",
            "Who changed what in a task, commit by commit (from git), newest first",
        ),
        t(
            "orchestron://sprints/{id}",
            "sprint",
            "One sprint with its tasks",
        ),
        t(
            "orchestron://contexts/{id}",
            "context",
            "One context snapshot or handoff",
        ),
    ]
}

fn text<T: Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string(v).map_err(Failure::internal)
}

/// Reads `uri` as JSON text.
pub fn read(o: &Orchestron, uri: &str) -> Result<String, Failure> {
    let target = parse(uri).ok_or_else(|| {
        Failure::not_found(format!(
            "unknown resource {uri:?}; resources: {TASKS_CURRENT}, {SPRINT_ACTIVE}, \
             {CONTEXT_LATEST}, orchestron://tasks/{{id}}, orchestron://tasks/{{id}}/history, \
             orchestron://sprints/{{id}}, orchestron://contexts/{{id}}"
        ))
    })?;
    match target {
        Target::TasksCurrent => text(&o.in_progress(None, 0).map_err(Failure::from)?),
        Target::SprintActive => match o.show_sprint(None).map_err(Failure::from)? {
            Some(view) => text(&view),
            None => text(&json!({"sprint": null})),
        },
        Target::ContextLatest => {
            let view = o.context(None).map_err(Failure::from)?;
            text(&Value::Object(context_object(view.as_ref())))
        }
        Target::Record(IdKind::Task, id) => text(&o.show_task(&id).map_err(Failure::from)?),
        Target::TaskHistory(id) => {
            text(&o.task_history(&id, HISTORY_LIMIT).map_err(Failure::from)?)
        }
        Target::Record(IdKind::Sprint, id) => {
            match o.show_sprint(Some(&id)).map_err(Failure::from)? {
                Some(view) => text(&view),
                None => Err(Failure::not_found(format!("unknown sprint {id}"))),
            }
        }
        Target::Record(IdKind::Context, id) => {
            let view = o.context(Some(&id)).map_err(Failure::from)?;
            let m: Map<String, Value> = context_object(view.as_ref());
            text(&Value::Object(m))
        }
    }
}

/// The URIs whose content may change when record `id` of `kind` changes.
pub fn affected(kind: IdKind, id: &str) -> Vec<String> {
    let view = match kind {
        IdKind::Task => vec![TASKS_CURRENT, SPRINT_ACTIVE],
        IdKind::Sprint => vec![SPRINT_ACTIVE],
        IdKind::Context => vec![CONTEXT_LATEST],
    };
    let mut uris = vec![record_uri(kind, id)];
    if kind == IdKind::Task {
        uris.push(format!("{}/history", record_uri(kind, id)));
    }
    uris.extend(view.into_iter().map(str::to_string));
    uris
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_parse_and_hostile_ones_do_not() {
        assert_eq!(parse(TASKS_CURRENT), Some(Target::TasksCurrent));
        assert_eq!(
            parse("orchestron://tasks/TASK-7k2mq"),
            Some(Target::Record(IdKind::Task, "TASK-7k2mq".into()))
        );
        assert_eq!(parse("orchestron://tasks/../../etc/passwd"), None);
        assert_eq!(
            parse("orchestron://tasks/TASK-7k2mq/history"),
            Some(Target::TaskHistory("TASK-7k2mq".into()))
        );
        assert_eq!(parse("orchestron://tasks//history"), None);
        assert_eq!(parse("orchestron://tasks/a/b/history"), None);
        assert_eq!(
            parse("orchestron://sprints/Sprint%201"),
            Some(Target::Record(IdKind::Sprint, "Sprint 1".into()))
        );
        assert_eq!(parse("orchestron://tasks/..%2F..%2Fetc"), None);
        assert_eq!(parse("orchestron://tasks/%FF"), None);
        assert_eq!(parse("file:///etc/passwd"), None);
        assert_eq!(parse("orchestron://widgets/x"), None);
    }

    #[test]
    fn record_uris_of_ids_with_spaces_are_encoded_and_parse_back() {
        let uri = record_uri(IdKind::Sprint, "Sprint 1");
        assert_eq!(uri, "orchestron://sprints/Sprint%201");
        assert_eq!(
            parse(&uri),
            Some(Target::Record(IdKind::Sprint, "Sprint 1".into()))
        );
        for id in ["TASK-7k2mq", "Sprint 1 – Ω", "50% done?", "a#b"] {
            assert_eq!(
                parse(&record_uri(IdKind::Sprint, id)),
                Some(Target::Record(IdKind::Sprint, id.into())),
                "{id}"
            );
        }
    }
}
