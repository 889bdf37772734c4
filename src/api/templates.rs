//! Task templates (`task create --template bug`): partial tasks shipped in
//! `templates/tasks/`, filled in under what the caller gives explicitly.

use super::{Error, NewTask, Result};
use crate::model::{Priority, TaskType};
use serde::Deserialize;

/// The built-in templates, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "feature",
        include_str!("../../templates/tasks/feature.yaml"),
    ),
    ("bug", include_str!("../../templates/tasks/bug.yaml")),
    ("spike", include_str!("../../templates/tasks/spike.yaml")),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Template {
    #[serde(rename = "type")]
    kind: Option<TaskType>,
    priority: Option<Priority>,
    #[serde(default)]
    labels: Vec<String>,
    description: Option<String>,
    #[serde(default)]
    acceptance_criteria: Vec<String>,
    estimate: Option<u32>,
}

/// Fills the fields of `task` that the caller left empty from template `name`.
pub(super) fn apply(name: &str, task: &mut NewTask) -> Result<()> {
    let key = name.trim().to_ascii_lowercase();
    let text = TEMPLATES
        .iter()
        .find(|(n, _)| *n == key)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let names: Vec<&str> = TEMPLATES.iter().map(|(n, _)| *n).collect();
            Error::Invalid(format!(
                "unknown template {name:?}: expected one of {}",
                names.join(", ")
            ))
        })?;
    let t: Template = crate::store::parse_yaml(
        std::path::Path::new(&format!("templates/tasks/{key}.yaml")),
        text,
    )?;
    task.kind = task.kind.or(t.kind);
    task.priority = task.priority.or(t.priority);
    task.estimate = task.estimate.or(t.estimate);
    if task.description.is_none() {
        task.description = t.description;
    }
    if task.acceptance_criteria.is_empty() {
        task.acceptance_criteria = t.acceptance_criteria;
    }
    for l in t.labels {
        if !task.labels.contains(&l) {
            task.labels.push(l);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_template_parses_and_explicit_fields_win() {
        for (name, _) in TEMPLATES {
            let mut t = NewTask {
                title: "x".into(),
                priority: Some(Priority::Low),
                ..NewTask::default()
            };
            apply(name, &mut t).unwrap();
            assert_eq!(t.priority, Some(Priority::Low));
            assert!(t.labels.contains(&name.to_string()));
            assert!(!t.acceptance_criteria.is_empty());
        }
    }
}
