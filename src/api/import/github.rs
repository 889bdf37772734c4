//! GitHub issues as `gh issue list --state all --json number,title,body,
//! labels,state,assignees,milestone,createdAt,closedAt,comments` prints them:
//! one JSON array. Comments become notes, the milestone a sprint, a CLOSED
//! issue DONE; the first assignee is the assignee (others are kept in the
//! note of unmapped fields, with the milestone's due date and description
//! going to the sprint). With `url` in the requested fields, keys name the
//! repository (`github:owner/repo#12`); without it they are `github#12`,
//! the form earlier imports wrote, which a keyed run still matches.

use super::{Draft, Milestone, Parsed, status_of, text_of};
use crate::model::{Entry, Status};
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issue {
    number: u64,
    title: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    assignees: Vec<User>,
    #[serde(default)]
    milestone: Option<GhMilestone>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    closed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    comments: Vec<Comment>,
    #[serde(default)]
    url: Option<String>,
    /// Fields asked for beyond the documented set (`--json url,author,…`).
    #[serde(flatten)]
    other: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct Label {
    name: String,
}

#[derive(Debug, Deserialize)]
struct User {
    login: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GhMilestone {
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    due_on: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Comment {
    #[serde(default)]
    author: Option<User>,
    #[serde(default)]
    body: String,
    created_at: DateTime<Utc>,
}

pub(super) fn parse(files: &[crate::store::SourceFile]) -> Parsed {
    let mut out = Parsed::default();
    for file in files {
        let issues: Vec<Issue> = match text_of(file).and_then(|t| {
            serde_json::from_str(t).map_err(|e| format!("{}: not a gh issue list: {e}", file.name))
        }) {
            Ok(v) => v,
            Err(e) => {
                out.skipped.push(e);
                continue;
            }
        };
        out.drafts.extend(issues.into_iter().map(draft));
    }
    out
}

fn draft(i: Issue) -> Draft {
    let mut unmapped = Vec::new();
    let state = i.state.unwrap_or_default();
    let status = match status_of(&state) {
        Some(s) => s,
        None => {
            unmapped.push(format!("state: {state}"));
            Status::Todo
        }
    };
    let mut assignees = i.assignees.into_iter().map(|u| u.login);
    let assignee = assignees.next();
    let others: Vec<String> = assignees.collect();
    if !others.is_empty() {
        unmapped.push(format!("also assigned: {}", others.join(", ")));
    }
    for (key, value) in i.other {
        unmapped.push(format!("{key}: {value}"));
    }
    let legacy = format!("github#{}", i.number);
    let repo = i.url.as_deref().and_then(repository);
    Draft {
        external: repo.map_or_else(|| legacy.clone(), |r| format!("github:{r}#{}", i.number)),
        aliases: vec![legacy],
        title: i.title,
        description: i.body,
        status,
        assignee,
        labels: i.labels.into_iter().map(|l| l.name).collect(),
        created: i.created_at,
        closed: i.closed_at,
        notes: i
            .comments
            .into_iter()
            .filter(|c| !c.body.trim().is_empty())
            .map(|c| Entry {
                at: c.created_at,
                by: c.author.map_or_else(|| "ghost".to_string(), |a| a.login),
                text: c.body.trim().to_string(),
            })
            .collect(),
        sprint: i.milestone.map(|m| Milestone {
            name: m.title,
            goal: m.description,
            end: m.due_on.map(|d| d.date_naive()),
        }),
        unmapped,
        ..Draft::default()
    }
}

/// `owner/repo` of an issue's URL (`https://github.com/owner/repo/issues/12`).
fn repository(url: &str) -> Option<String> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let mut parts = path.split('/').skip(1);
    let (owner, repo) = (parts.next()?, parts.next()?);
    (!owner.is_empty() && !repo.is_empty()).then(|| format!("{owner}/{repo}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn repositories_come_from_issue_urls() {
        assert_eq!(
            super::repository("https://github.com/o/r/issues/12").as_deref(),
            Some("o/r")
        );
        assert_eq!(super::repository("nonsense"), None);
    }
}
