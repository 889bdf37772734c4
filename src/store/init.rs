//! `orchestron init`: lays out a new workspace — settings, record folders, the
//! JSON Schemas editors use, and the git plumbing files (`.gitignore` for the
//! cache, `.gitattributes` routing records through our merge driver). Existing
//! files are left alone, so running it twice is harmless.

use super::{StoreError, workspace::DIR_NAME, write_if_missing};
use crate::model::IdKind;
use std::path::{Path, PathBuf};

/// The JSON Schemas shipped with the tool, by file name.
pub const SCHEMAS: &[(&str, &str)] = &[
    (
        "task.schema.json",
        include_str!("../../templates/schemas/task.schema.json"),
    ),
    (
        "sprint.schema.json",
        include_str!("../../templates/schemas/sprint.schema.json"),
    ),
    (
        "context.schema.json",
        include_str!("../../templates/schemas/context.schema.json"),
    ),
    (
        "config.schema.json",
        include_str!("../../templates/schemas/config.schema.json"),
    ),
];

const CONFIG: &str = "\
# yaml-language-server: $schema=schemas/config.schema.json
# Orchestron workspace settings (see the README's \"Files\").
orchestron: 1
# Id prefixes: TASK-7k2mq, SPRINT-…, CTX-…
prefix: TASK
sprint_prefix: SPRINT
context_prefix: CTX
# MCP client names mapped to the names recorded as assignee and author.
agents:
  claude-code: claude
  codex-mcp-client: codex
  gemini-cli-mcp-client: gemini
";

const GITIGNORE: &str = "\
# The index cache is derived from the YAML files and rebuilt on demand.
cache/
*.db
*.db-wal
*.db-shm
*.sqlite
*.sqlite-wal
*.sqlite-shm
# A write interrupted by a crash can leave its temporary file; the next command removes it.
.*.tmp
";

pub const GITATTRIBUTES: &str = "\
# Field-level three-way merges of records (`orchestron git setup` configures the driver).
*.yaml merge=orchestron
";

/// The workspace folder [`init`] made or completed, and what it created
/// (paths relative to the project). `api` reports it to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initialized {
    pub root: PathBuf,
    pub created: Vec<String>,
}

/// Creates `<project>/.orchestron/` (or fills in what is missing).
pub fn init(project: &Path) -> Result<Initialized, StoreError> {
    let root = project.join(DIR_NAME);
    let mut created = Vec::new();
    for dir in IdKind::ALL
        .iter()
        .map(|k| k.dir())
        .chain(["schemas", "cache"])
    {
        let path = root.join(dir);
        if !path.exists() {
            std::fs::create_dir_all(&path).map_err(|e| StoreError::io(&path, e))?;
            created.push(format!("{DIR_NAME}/{dir}/"));
        }
    }
    let mut files: Vec<(String, &str)> = vec![
        ("config.yaml".into(), CONFIG),
        (".gitignore".into(), GITIGNORE),
        (".gitattributes".into(), GITATTRIBUTES),
    ];
    files.extend(SCHEMAS.iter().map(|(n, s)| (format!("schemas/{n}"), *s)));
    for (rel, text) in files {
        if write_if_missing(&root.join(&rel), text.as_bytes())? {
            created.push(format!("{DIR_NAME}/{rel}"));
        }
    }
    Ok(Initialized {
        root: root.canonicalize().unwrap_or(root),
        created,
    })
}

/// Whether `project` holds a workspace folder (`.orchestron/`) of its own.
pub fn has_workspace(project: &Path) -> bool {
    project.join(DIR_NAME).exists()
}
