//! `orchestron init --mcp <client>`: registering the MCP server in a project's
//! own configuration for Claude Code (`.mcp.json`), Cursor (`.cursor/mcp.json`),
//! VS Code (`.vscode/mcp.json`), Codex (`.codex/config.toml`) or Gemini CLI
//! (`.gemini/settings.json`), with what the user must still do (trust or
//! approve the project) before the client starts the server. An existing
//! file keeps every other entry; an existing `orchestron` entry is left as it
//! is; a file that cannot be read as JSON is refused rather than overwritten.

use super::{Error, Orchestron, Result};
use crate::store::{read_text_if_exists, write_file};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The MCP clients whose project-level configuration `init --mcp` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum McpClient {
    Claude,
    Codex,
    Cursor,
    Gemini,
    Vscode,
}

impl McpClient {
    pub const ALL: [McpClient; 5] = [
        McpClient::Claude,
        McpClient::Codex,
        McpClient::Cursor,
        McpClient::Gemini,
        McpClient::Vscode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            McpClient::Claude => "claude",
            McpClient::Codex => "codex",
            McpClient::Cursor => "cursor",
            McpClient::Gemini => "gemini",
            McpClient::Vscode => "vscode",
        }
    }

    /// The project-level file the client reads, relative to the project.
    pub fn config_path(self) -> &'static str {
        match self {
            McpClient::Claude => ".mcp.json",
            McpClient::Codex => ".codex/config.toml",
            McpClient::Cursor => ".cursor/mcp.json",
            McpClient::Gemini => ".gemini/settings.json",
            McpClient::Vscode => ".vscode/mcp.json",
        }
    }

    /// What the user must still do before the client starts a project's
    /// server (each ignores or disables it in a project not yet trusted).
    pub fn next_step(self, project: &Path) -> Option<String> {
        let p = project.display();
        match self {
            McpClient::Claude => Some(
                "Claude Code asks once to approve the project's .mcp.json servers \
                 (or run `claude mcp list` in the project)"
                    .to_string(),
            ),
            McpClient::Codex => Some(format!(
                "Codex reads .codex/config.toml only in a trusted project: trust it when \
                 Codex asks, or add to ~/.codex/config.toml:\n    [projects.\"{p}\"]\n    \
                 trust_level = \"trusted\""
            )),
            McpClient::Gemini => Some(format!(
                "Gemini CLI disables the server until the folder is trusted: trust it when \
                 Gemini asks (or /permissions), or add \"{p}\": \"TRUST_FOLDER\" to \
                 ~/.gemini/trustedFolders.json"
            )),
            McpClient::Cursor | McpClient::Vscode => None,
        }
    }
}

impl FromStr for McpClient {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let key = s.trim().to_ascii_lowercase();
        let found = match key.as_str() {
            "claude" | "claude-code" | "claude_code" => Some(McpClient::Claude),
            "codex" => Some(McpClient::Codex),
            "cursor" => Some(McpClient::Cursor),
            "gemini" | "gemini-cli" => Some(McpClient::Gemini),
            "vscode" | "vs-code" | "code" => Some(McpClient::Vscode),
            _ => None,
        };
        found.ok_or_else(|| {
            Error::Invalid(format!(
                "unknown MCP client {s:?}: expected one of claude, codex, cursor, gemini, vscode"
            ))
        })
    }
}

/// What `init --mcp` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct McpConfigReport {
    pub client: McpClient,
    pub path: PathBuf,
    /// False when an `orchestron` entry was already there (left untouched).
    pub added: bool,
    /// What the user must still do before the client starts the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

/// The server entry: `orchestron mcp` on stdio.
/// Claude Code's entry says `alwaysLoad`: Claude Code otherwise defers the
/// server's tools behind its tool search, and a deferred tool is often never
/// called (the four tools a session needs also say so themselves).
fn entry(client: McpClient) -> Value {
    match client {
        McpClient::Claude => {
            json!({"type": "stdio", "command": "orchestron", "args": ["mcp"], "alwaysLoad": true})
        }
        McpClient::Vscode => {
            json!({"type": "stdio", "command": "orchestron", "args": ["mcp"]})
        }
        _ => json!({"command": "orchestron", "args": ["mcp"]}),
    }
}

impl Orchestron {
    /// Adds the Orchestron server to `client`'s configuration in `project`.
    pub fn install_mcp_config(project: &Path, client: McpClient) -> Result<McpConfigReport> {
        let path = project.join(client.config_path());
        let existing = read_text_if_exists(&path)?;
        let new_text = match client {
            McpClient::Codex => codex_toml(existing.as_deref()),
            _ => json_config(client, existing.as_deref(), &path)?,
        };
        let Some(text) = new_text else {
            return Ok(McpConfigReport {
                client,
                path,
                added: false,
                next_step: client.next_step(project),
            });
        };
        // The client's folder (`.cursor/`, …) is created along with the file.
        write_file(&path, text.as_bytes())?;
        Ok(McpConfigReport {
            client,
            path,
            added: true,
            next_step: client.next_step(project),
        })
    }
}

/// Whether any client's project-level config in `project` registers the
/// server (an unreadable file counts as not registering it).
pub(super) fn registered_anywhere(project: &Path) -> bool {
    McpClient::ALL.iter().any(|&client| {
        let path = project.join(client.config_path());
        match read_text_if_exists(&path) {
            Ok(Some(text)) => match client {
                McpClient::Codex => codex_toml(Some(&text)).is_none(),
                _ => matches!(json_config(client, Some(&text), &path), Ok(None)),
            },
            _ => false,
        }
    })
}

/// The JSON file with our entry added, or `None` when it is already there.
fn json_config(client: McpClient, existing: Option<&str>, path: &Path) -> Result<Option<String>> {
    let key = if client == McpClient::Vscode {
        "servers"
    } else {
        "mcpServers"
    };
    let mut root: Map<String, Value> = match existing.filter(|t| !t.trim().is_empty()) {
        None => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => m,
            _ => {
                return Err(Error::Invalid(format!(
                    "{} is not a plain JSON object (comments?); left it untouched — add \
                     \"orchestron\": {} under \"{key}\" by hand",
                    path.display(),
                    entry(client)
                )));
            }
        },
    };
    let servers = root.entry(key).or_insert_with(|| json!({}));
    let Some(servers) = servers.as_object_mut() else {
        return Err(Error::Invalid(format!(
            "{}: \"{key}\" is not an object; left the file untouched",
            path.display()
        )));
    };
    if servers.contains_key("orchestron") {
        return Ok(None);
    }
    servers.insert("orchestron".into(), entry(client));
    let mut text = serde_json::to_string_pretty(&Value::Object(root))
        .map_err(|e| Error::internal("encoding the MCP client configuration", e))?;
    text.push('\n');
    Ok(Some(text))
}

/// Codex's TOML with our table appended, or `None` when it is already there.
fn codex_toml(existing: Option<&str>) -> Option<String> {
    let text = existing.unwrap_or("");
    let has = text.lines().any(|l| {
        let l = l.trim().replace(' ', "");
        l == "[mcp_servers.orchestron]" || l == "[mcp_servers.\"orchestron\"]"
    });
    if has {
        return None;
    }
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str("[mcp_servers.orchestron]\ncommand = \"orchestron\"\nargs = [\"mcp\"]\n");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_configs_keep_other_servers_and_are_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".mcp.json");
        std::fs::write(
            &path,
            r#"{"mcpServers": {"other": {"command": "x"}}, "keep": 1}"#,
        )
        .unwrap();
        let r = Orchestron::install_mcp_config(dir.path(), McpClient::Claude).unwrap();
        assert!(r.added);
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(v["mcpServers"]["other"]["command"], "x");
        assert_eq!(v["mcpServers"]["orchestron"]["args"], json!(["mcp"]));
        assert_eq!(v["mcpServers"]["orchestron"]["alwaysLoad"], json!(true));
        assert_eq!(v["keep"], 1);
        let again = Orchestron::install_mcp_config(dir.path(), McpClient::Claude).unwrap();
        assert!(!again.added);
    }

    #[test]
    fn a_file_with_comments_is_refused_not_clobbered() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".vscode")).unwrap();
        let path = dir.path().join(".vscode/mcp.json");
        let text = "// mine\n{\"servers\": {}}\n";
        std::fs::write(&path, text).unwrap();
        assert!(Orchestron::install_mcp_config(dir.path(), McpClient::Vscode).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }

    #[test]
    fn codex_gets_a_toml_table_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".codex")).unwrap();
        let path = dir.path().join(".codex/config.toml");
        std::fs::write(&path, "model = \"o3\"").unwrap();
        Orchestron::install_mcp_config(dir.path(), McpClient::Codex).unwrap();
        Orchestron::install_mcp_config(dir.path(), McpClient::Codex).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "model = \"o3\"\n\n[mcp_servers.orchestron]\ncommand = \"orchestron\"\nargs = [\"mcp\"]\n"
        );
    }
}
