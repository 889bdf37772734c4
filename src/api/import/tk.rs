//! A tk (`ticket`) folder: `.tickets/<id>.md`, each a Markdown file with
//! YAML front matter (`id`, `status` open / in_progress / closed, `deps`,
//! `links`, `created`, `type` bug / feature / task / epic / chore,
//! `priority` 0–4, `assignee`, `parent`, `tags`, `external-ref`), the
//! title as the body's `# ` heading, the description after it, and
//! sections `## Design`, `## Acceptance Criteria` and `## Notes` (entries
//! opened by a `**<RFC 3339 time>**` line). Point the import at the project
//! or at `.tickets/`. tk ids carry their project's prefix (`nw-5c46`), so
//! the key is `tk#<id>`. Deps become `depends_on`, the parent the parent,
//! notes notes (tk does not record who wrote one: "unknown"); links, the
//! external reference and any other key are kept in a note.

use super::markdown::{self, criteria, is_criteria_heading};
use super::{Draft, Parsed, Source, kind_of, numbered_priority, status_of, text_of};
use crate::model::{Entry, Status};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
struct Front {
    id: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    deps: Vec<String>,
    #[serde(default)]
    links: Vec<String>,
    #[serde(default)]
    created: Option<DateTime<Utc>>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    priority: Option<i64>,
    #[serde(default)]
    assignee: Option<String>,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(flatten)]
    other: BTreeMap<String, serde_json::Value>,
}

pub(super) fn parse(source: &Source) -> Parsed {
    let mut out = Parsed::default();
    for file in source.files {
        match text_of(file).and_then(|t| draft(&file.name, t)) {
            Ok(d) => out.drafts.push(d),
            Err(e) => out.skipped.push(e),
        }
    }
    out
}

fn draft(name: &str, text: &str) -> Result<Draft, String> {
    let (yaml, body) = markdown::split(name, text)?;
    let front: Front = markdown::parse(name, &yaml)?;
    let key = |id: &str| format!("tk#{}", id.trim());
    let mut unmapped = Vec::new();
    let word = front.status.unwrap_or_else(|| "open".into());
    let status = status_of(&word).unwrap_or_else(|| {
        unmapped.push(format!("status: {word}"));
        Status::Todo
    });
    let priority = numbered_priority(front.priority, &mut unmapped);
    let mut labels = front.tags;
    let kind = kind_of(front.kind.as_deref(), &mut labels, &mut unmapped);
    for l in &front.links {
        unmapped.push(format!("linked to {}", key(l)));
    }
    for (k, v) in front.other {
        if !v.is_null() && v != "" {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            unmapped.push(format!("{k}: {v}"));
        }
    }
    let mut title = None;
    let mut description = String::new();
    let mut found = Vec::new();
    let mut notes = Vec::new();
    for (heading, text) in markdown::sections(body) {
        match heading {
            None => {
                let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
                let first = lines.next().unwrap_or("");
                let rest: Vec<&str> = match first.strip_prefix("# ") {
                    Some(t) => {
                        title = Some(t.trim().to_string());
                        lines.collect()
                    }
                    None => std::iter::once(first).chain(lines).collect(),
                };
                description.push_str(rest.join("\n").trim());
            }
            Some(h) if is_criteria_heading(h) => found.extend(criteria(&text)),
            Some(h) if h.eq_ignore_ascii_case("notes") => notes.extend(entries(&text)),
            Some(h) => {
                description.push_str(&format!("\n\n## {h}\n\n{}", text.trim()));
            }
        }
    }
    let title = title.ok_or_else(|| format!("{name}: no `# ` title line"))?;
    Ok(Draft {
        external: key(&front.id),
        source_path: Some(name.to_string()),
        title,
        description: Some(description.trim().to_string()),
        status,
        kind,
        priority,
        assignee: front.assignee.filter(|a| !a.trim().is_empty()),
        labels,
        created: front.created,
        criteria: found,
        notes,
        depends_on: front.deps.iter().map(|d| key(d)).collect(),
        parent: front.parent.as_deref().map(key),
        unmapped,
        ..Draft::default()
    })
}

/// The entries of a `## Notes` section: each opened by a `**<time>**`
/// line, its text running to the next.
fn entries(text: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for line in text.lines() {
        let stamp = line
            .trim()
            .strip_prefix("**")
            .and_then(|l| l.strip_suffix("**"))
            .and_then(|t| DateTime::parse_from_rfc3339(t.trim()).ok());
        match (stamp, out.last_mut()) {
            (Some(at), _) => out.push(Entry {
                at: at.to_utc(),
                by: "unknown".into(),
                text: String::new(),
            }),
            (None, Some(e)) => {
                e.text.push_str(line);
                e.text.push('\n');
            }
            (None, None) => {}
        }
    }
    for e in &mut out {
        e.text = e.text.trim().to_string();
    }
    out.retain(|e| !e.text.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_reads_title_sections_and_notes() {
        let text = "---\nid: nw-5c46\nstatus: in_progress\ndeps: [nw-0001]\nlinks: [nw-0002]\ncreated: 2026-01-09T19:42:47Z\ntype: bug\npriority: 1\nassignee: Ray\nparent: nw-0000\ntags: [ui]\nexternal-ref: gh-12\n---\n# Fix the login\n\nIt fails.\n\n## Design\n\nUse a cookie.\n\n## Acceptance Criteria\n\n- [ ] logs in\nSteps:\n- remembers me\n\n## Notes\n\n**2026-01-10T08:00:00Z**\n\nTried Safari.\n\n**2026-01-11T09:30:00Z**\n\nFixed.\nReally.\n";
        let d = draft("nw-5c46.md", text).unwrap();
        assert_eq!(d.external, "tk#nw-5c46");
        assert_eq!(d.title, "Fix the login");
        assert_eq!(d.status, Status::InProgress);
        assert_eq!(
            d.description.as_deref(),
            Some("It fails.\n\n## Design\n\nUse a cookie.")
        );
        assert_eq!(d.criteria.len(), 2);
        assert_eq!(d.notes.len(), 2);
        assert_eq!(d.notes[1].text, "Fixed.\nReally.");
        assert_eq!(d.labels, vec!["ui".to_string(), "bug".to_string()]);
        assert_eq!(d.depends_on, vec!["tk#nw-0001".to_string()]);
        assert_eq!(d.parent.as_deref(), Some("tk#nw-0000"));
        assert!(d.unmapped.iter().any(|u| u == "external-ref: gh-12"));
        assert!(d.unmapped.iter().any(|u| u == "linked to tk#nw-0002"));
    }
}
