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
/// The names the MCP clients we test with send (`clientInfo.name`), mapped to
/// the names people use for them.
fn default_agents() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("claude-code".to_string(), "claude".to_string()),
        ("codex-mcp-client".to_string(), "codex".to_string()),
        ("gemini-cli-mcp-client".to_string(), "gemini".to_string()),
    ])
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

impl ClaimsConfig {
    /// Each `claims:` duration the commands cannot read, as (key, the one
    /// wording of the fault): `check` reports it, a claim or a close that
    /// needs it fails with it (`config.yaml:line:col`, exit 6).
    pub fn unreadable_durations(&self) -> Vec<(&'static str, String)> {
        [("lease", &self.lease), ("closed_mark", &self.closed_mark)]
            .into_iter()
            .filter_map(|(key, value)| {
                let value = value.as_deref()?;
                super::lease::parse_lease(value).is_none().then(|| {
                    (
                        key,
                        format!(
                            "claims.{key}: {value:?} is not {}",
                            super::lease::LEASE_FORMAT
                        ),
                    )
                })
            })
            .collect()
    }
}

impl Config {
    /// The name to record for an agent or user: `raw` through `agents:`,
    /// then through the default map (a workspace whose `agents:` predates a
    /// default still gets it; map a name to itself to keep it).
    pub fn actor_name(&self, raw: &str) -> String {
        self.agents
            .get(raw)
            .cloned()
            .or_else(|| default_agents().remove(raw))
            .unwrap_or_else(|| raw.to_string())
    }
}

/// The problems `check` reports in `config.yaml` (`path` relative to the
/// workspace) beyond what loading it refuses: keys its schema does not know
/// (warnings, as for records: a misspelt key would silently do nothing) and
/// values that parse as YAML but not as what the commands read them as
/// (`claims.lease: 30 minutes`).
/// `doc` is the file read as data (the store parses it), `text` its text
/// (for lines).
pub fn config_problems(path: &str, text: &str, doc: &serde_json::Value) -> Vec<super::Problem> {
    let mut out = Vec::new();
    let schema = serde_json::to_value(schemars::schema_for!(Config)).unwrap_or_default();
    unknown_keys(&schema, &schema, doc, &mut Vec::new(), path, text, &mut out);
    if let Ok(config) = serde_json::from_value::<Config>(doc.clone()) {
        for (key, message) in config.claims.unreadable_durations() {
            let (line, column) = nested_key_at(text, &["claims", key]);
            out.push(super::Problem::error(path, line, column, message));
        }
    }
    out
}

/// Warns about each key of `value` that the (sub)schema `node` has no
/// property for, recursing into the properties it has.
fn unknown_keys(
    root: &serde_json::Value,
    node: &serde_json::Value,
    value: &serde_json::Value,
    at: &mut Vec<String>,
    path: &str,
    text: &str,
    out: &mut Vec<super::Problem>,
) {
    let node = resolve(root, node);
    let (Some(props), Some(map)) = (
        node.get("properties").and_then(|p| p.as_object()),
        value.as_object(),
    ) else {
        return;
    };
    for (key, v) in map {
        at.push(key.clone());
        match props.get(key) {
            Some(sub) => unknown_keys(root, sub, v, at, path, text, out),
            None => {
                let keys: Vec<&str> = at.iter().map(String::as_str).collect();
                let (line, column) = nested_key_at(text, &keys);
                out.push(super::Problem::warning(
                    path,
                    line,
                    column,
                    format!(
                        "unknown key `{}` (known here: {})",
                        at.join("."),
                        props.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        at.pop();
    }
}

/// A schema node with a `$ref` (`#/$defs/ClaimsConfig`), or one wrapping
/// a single reference (`allOf`, `anyOf` with null), replaced by its target.
fn resolve<'a>(root: &'a serde_json::Value, node: &'a serde_json::Value) -> &'a serde_json::Value {
    let reference = node.get("$ref").and_then(|r| r.as_str()).or_else(|| {
        ["allOf", "anyOf", "oneOf"].iter().find_map(|k| {
            node.get(*k)?
                .as_array()?
                .iter()
                .find_map(|n| n.get("$ref")?.as_str())
        })
    });
    reference
        .and_then(|r| r.strip_prefix("#/"))
        .and_then(|p| p.split('/').try_fold(root, |n, k| n.get(k)))
        .unwrap_or(node)
}

/// The line and column of the key `keys` (a path of nested keys) in a YAML
/// text: each key searched after its parent's line; (1, 1) when not found.
pub fn nested_key_at(text: &str, keys: &[&str]) -> (usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0;
    let mut found = (1, 1);
    for key in keys {
        let hit = lines.iter().enumerate().skip(from).find(|(_, l)| {
            let t = l.trim_start();
            !t.starts_with('#')
                && (t.strip_prefix(key).is_some_and(|r| r.starts_with(':'))
                    || t.strip_prefix(&format!("\"{key}\""))
                        .is_some_and(|r| r.starts_with(':')))
        });
        match hit {
            Some((i, l)) => {
                found = (i + 1, l.len() - l.trim_start().len() + 1);
                from = i + 1;
            }
            None => return found,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codex_and_gemini_clients_are_recorded_by_short_names_even_with_an_older_agents_map() {
        let mut config = Config {
            agents: BTreeMap::from([("claude-code".to_string(), "claude".to_string())]),
            ..Config::default()
        };
        assert_eq!(config.actor_name("codex-mcp-client"), "codex");
        assert_eq!(config.actor_name("gemini-cli-mcp-client"), "gemini");
        assert_eq!(config.actor_name("claude-code"), "claude");
        config
            .agents
            .insert("codex-mcp-client".into(), "codex-mcp-client".into());
        assert_eq!(config.actor_name("codex-mcp-client"), "codex-mcp-client");
        assert_eq!(config.actor_name("alice"), "alice");
    }

    #[test]
    fn a_lease_commands_cannot_read_and_unknown_keys_are_problems() {
        let text = "orchestron: 1\nclaims:\n  lease: 30 minutes\n  remot: origin\nwip_limt: 4\n";
        let doc = serde_json::json!({"orchestron": 1,
            "claims": {"lease": "30 minutes", "remot": "origin"}, "wip_limt": 4});
        let found: Vec<(usize, usize, String)> = config_problems("config.yaml", text, &doc)
            .into_iter()
            .map(|p| (p.line, p.column, p.message))
            .collect();
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(
            found
                .iter()
                .any(|(l, c, m)| (*l, *c) == (3, 3) && m.contains("claims.lease: \"30 minutes\""))
        );
        assert!(
            found
                .iter()
                .any(|(l, c, m)| (*l, *c) == (4, 3) && m.contains("unknown key `claims.remot`"))
        );
        assert!(
            found
                .iter()
                .any(|(l, c, m)| (*l, *c) == (5, 1) && m.contains("unknown key `wip_limt`"))
        );
        let ok = serde_json::json!({"orchestron": 1, "claims": {"lease": "2h"}});
        assert!(
            config_problems("config.yaml", "orchestron: 1\nclaims: {lease: 2h}\n", &ok).is_empty()
        );
    }
}
