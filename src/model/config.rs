//! The workspace settings in `config.yaml`: the format marker, id prefixes, and the
//! agent-name mapping that turns an MCP client's name into an assignee, and the
//! work-in-progress limit insights hold assignees to.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format version written by `init`; `config.yaml`'s `orchestron:` key.
pub const FORMAT_VERSION: u32 = 1;

/// `config.yaml`. Every field has a default so a hand-trimmed file still works.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Config {
    /// The format version; its presence marks a folder as a workspace.
    pub orchestron: u32,
    #[serde(default = "default_task_prefix")]
    pub prefix: String,
    #[serde(default = "default_sprint_prefix")]
    pub sprint_prefix: String,
    #[serde(default = "default_context_prefix")]
    pub context_prefix: String,
    /// Maps MCP client names to the names recorded as assignee/author.
    #[serde(default = "default_agents")]
    pub agents: BTreeMap<String, String>,
    /// Work in progress one assignee may hold before insights call them
    /// overloaded (IN_PROGRESS and IN_REVIEW tasks).
    #[serde(default = "default_wip_limit")]
    pub wip_limit: u32,
    /// How claims are held: the lease length, the remote shared by clones.
    #[serde(default, skip_serializing_if = "ClaimsConfig::is_default")]
    pub claims: ClaimsConfig,
    /// Whether CLI commands ask a running watcher (`orchestron watch`, or an
    /// `orchestron mcp` of this workspace) what changed instead of stat'ing
    /// every record file, and start one in the background, as git's builtin
    /// fsmonitor does: `auto` (the default: ask one that runs, start one in a
    /// large workspace), `manual` (ask one that runs, never start one: run
    /// `orchestron watch` yourself), `off`.
    /// `ORCHESTRON_WATCHER` overrides it.
    #[serde(default, skip_serializing_if = "WatcherMode::is_default")]
    pub watcher: WatcherMode,
    /// How long a watcher started in the background serves without a
    /// question before it exits: `90s`, `30m` (the default), `2h`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watcher_idle: Option<String>,
    /// What `orchestron archive` with no arguments puts away (docs/ARCHIVE.md).
    #[serde(default, skip_serializing_if = "ArchiveConfig::is_default")]
    pub archive: ArchiveConfig,
}

/// `watcher:` in `config.yaml`; `true`/`on` and `false` are read as `manual` and `off`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WatcherMode {
    /// Ask a running watcher; start one when the workspace is large.
    #[default]
    Auto,
    /// Ask a running watcher; never start one.
    Manual,
    /// Stat every record file; never ask or start a watcher.
    Off,
}

impl WatcherMode {
    fn is_default(&self) -> bool {
        *self == WatcherMode::Auto
    }

    /// `auto`, `manual`/`on`/`true`/`1`/`yes`, `off`/`false`/`0`/`no`.
    pub fn parse(text: &str) -> Option<WatcherMode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(WatcherMode::Auto),
            "manual" | "on" | "true" | "1" | "yes" => Some(WatcherMode::Manual),
            "off" | "false" | "0" | "no" => Some(WatcherMode::Off),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WatcherMode::Auto => "auto",
            WatcherMode::Manual => "manual",
            WatcherMode::Off => "off",
        }
    }
}

impl<'de> Deserialize<'de> for WatcherMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Switch(bool),
            Word(String),
        }
        match Written::deserialize(d)? {
            Written::Switch(true) => Ok(WatcherMode::Manual),
            Written::Switch(false) => Ok(WatcherMode::Off),
            Written::Word(w) => WatcherMode::parse(&w).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "invalid watcher {w:?}: expected auto, manual or off"
                ))
            }),
        }
    }
}

/// `archive:` in `config.yaml`: the policy `orchestron archive` applies when
/// it is given no `--before` / `--sprint`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArchiveConfig {
    /// Archive tasks closed (DONE or CANCELLED) more than this many days ago,
    /// and closed sprints whose tasks are all archived. Unset: 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_for_days: Option<u32>,
}

impl ArchiveConfig {
    /// The policy's age when none is configured.
    pub const DEFAULT_DAYS: u32 = 30;

    fn is_default(&self) -> bool {
        self == &ArchiveConfig::default()
    }

    /// How many days a task must have been closed before the policy archives it.
    pub fn days(&self) -> u32 {
        self.closed_for_days.unwrap_or(Self::DEFAULT_DAYS)
    }
}

/// `claims:` in `config.yaml` (see docs/CLAIMS.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClaimsConfig {
    /// How long a claim holds without a write by its holder: `90s`, `30m`,
    /// `2h` (the default), `1d`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<String>,
    /// A git remote on which every claim is also taken (one ref per task,
    /// `refs/orchestron/claims/<id>`), so that clones on several machines
    /// never both hold a task. Claiming then needs that remote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// How long a close is remembered for the other worktrees (and, with
    /// `remote`, the other clones) whose files do not show it yet, so they
    /// do not hand the task out again: `30m`, `12h`, `1d` (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_mark: Option<String>,
}

impl ClaimsConfig {
    fn is_default(&self) -> bool {
        self == &ClaimsConfig::default()
    }
}

fn default_task_prefix() -> String {
    "TASK".into()
}
fn default_sprint_prefix() -> String {
    "SPRINT".into()
}
fn default_context_prefix() -> String {
    "CTX".into()
}
fn default_wip_limit() -> u32 {
    3
}
fn default_agents() -> BTreeMap<String, String> {
    BTreeMap::from([("claude-code".to_string(), "claude".to_string())])
}

impl Default for Config {
    fn default() -> Self {
        Config {
            orchestron: FORMAT_VERSION,
            prefix: default_task_prefix(),
            sprint_prefix: default_sprint_prefix(),
            context_prefix: default_context_prefix(),
            agents: default_agents(),
            wip_limit: default_wip_limit(),
            claims: ClaimsConfig::default(),
            watcher: WatcherMode::Auto,
            watcher_idle: None,
            archive: ArchiveConfig::default(),
        }
    }
}

impl Config {
    /// The name to record for an agent or user, after the `agents` mapping.
    pub fn actor_name(&self, raw: &str) -> String {
        self.agents
            .get(raw)
            .cloned()
            .unwrap_or_else(|| raw.to_string())
    }
}
