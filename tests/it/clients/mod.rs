//! The real agent clients, from npm and pinned in `tests/clients/package.json`
//! (Claude Code, Codex, Gemini CLI; `.ci/setup` installs them): each runs with
//! a temporary HOME of its own ([`Home`], with the trust and approval files it
//! needs for the project) and none of the caller's client settings or keys.
//! Claude Code talks to [`MessagesApi`], a scripted Anthropic Messages API on
//! loopback (`tests/clients/messages_api.js`) that plays a script of tool
//! calls and records every request body: the tool definitions, the system
//! prompt and each tool result exactly as the model would read them.
//! Without the clients these tests fail saying so — never skip.

mod claude;
mod codex;
mod gemini;
mod plugin;
mod resume;

use crate::common::{Run, TestEnv, to_run};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// `tests/clients/`: the npm packages and the scripted Messages API.
fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// The installed client `name` (`claude`, `codex`, `gemini`).
pub fn client_bin(name: &str) -> PathBuf {
    let bin = clients_dir().join("node_modules/.bin").join(name);
    assert!(
        bin.exists(),
        "{} is missing: run .ci/setup (installs tests/clients/package-lock.json)",
        bin.display()
    );
    bin
}

/// Environment variables a client would take from whoever runs the tests
/// (keys, endpoints, config homes, an enclosing Claude Code session): none
/// reaches the client under test.
const FOREIGN_ENV: &[&str] = &[
    "ANTHROPIC_",
    "CLAUDE",
    "OPENAI_",
    "CODEX_",
    "GEMINI_",
    "GOOGLE_",
    "XDG_",
    "ORCHESTRON_",
    "MCP_",
];

/// A client's home folder, with the files that say the project is trusted.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Home {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write_json(&self, rel: &str, value: &Value) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    }

    /// Claude Code: the project's trust dialog accepted and its `.mcp.json`
    /// server approved (else it stays "Pending approval").
    pub fn trust_claude(&self, project: &Path) {
        let key = project.display().to_string();
        self.write_json(
            ".claude.json",
            &json!({"projects": {key: {
                "hasTrustDialogAccepted": true,
                "enabledMcpjsonServers": ["orchestron"],
            }}}),
        );
    }

    /// Codex: reads a project's `.codex/config.toml` only once it is trusted.
    pub fn trust_codex(&self, project: &Path) {
        let path = self.path().join(".codex/config.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = format!(
            "[projects.{}]\ntrust_level = \"trusted\"\n",
            serde_json::to_string(&project.display().to_string()).unwrap()
        );
        std::fs::write(path, text).unwrap();
    }

    /// Gemini CLI: disables a folder's servers until the folder is trusted,
    /// and installs an extension only from a trusted folder.
    pub fn trust_gemini(&self, folders: &[&Path]) {
        let trusted: serde_json::Map<String, Value> = folders
            .iter()
            .map(|f| (f.display().to_string(), json!("TRUST_FOLDER")))
            .collect();
        self.write_json(".gemini/trustedFolders.json", &Value::Object(trusted));
    }
}

/// `client` (a path from [`client_bin`]) run in `env`'s project with `home`
/// as HOME, `orchestron` (the binary under test) first on PATH, and no
/// client settings, keys or endpoints from the caller's environment.
pub fn client_command(env: &TestEnv, home: &Home, client: &Path) -> Command {
    let mut c = env.command(client.to_str().unwrap());
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if FOREIGN_ENV.iter().any(|p| k.starts_with(p)) {
            c.env_remove(&key);
        }
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_orchestron"))
        .parent()
        .unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    c.env("PATH", std::env::join_paths(dirs).unwrap())
        .env("HOME", home.path())
        .env("DISABLE_AUTOUPDATER", "1")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("NO_BROWSER", "1")
        .stdin(Stdio::null());
    c
}

/// Runs `client args…` to the end (see [`client_command`]).
pub fn run_client(env: &TestEnv, home: &Home, client: &str, args: &[&str]) -> Run {
    let out = client_command(env, home, &client_bin(client))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {client}: {e}"));
    to_run(out)
}

/// `client mcp list` in a workspace set up with `init --mcp client`, before
/// and after `trust` trusts the project in the client's own home; the
/// trusted listing must succeed.
pub fn mcp_list_before_and_after_trust(
    client: &str,
    trust: impl FnOnce(&Home, &Path),
) -> (TestEnv, Run, Run) {
    let env = TestEnv::new();
    env.ok(&["init", "--mcp", client]);
    let home = Home::new();
    let untrusted = run_client(&env, &home, client, &["mcp", "list"]);
    trust(&home, env.path());
    let trusted = run_client(&env, &home, client, &["mcp", "list"]);
    assert_eq!(trusted.code, 0, "{}\n{}", trusted.stdout, trusted.stderr);
    (env, untrusted, trusted)
}

/// Runs `client` with each of `commands` in turn (a plugin's or an
/// extension's install steps), each of which must succeed.
pub fn run_each(env: &TestEnv, home: &Home, client: &str, commands: &[&[&str]]) {
    for args in commands {
        let run = run_client(env, home, client, args);
        assert_eq!(
            run.code, 0,
            "{client} {args:?}: {}\n{}",
            run.stdout, run.stderr
        );
    }
}

/// One turn of a [`MessagesApi`] script.
pub enum Turn {
    /// The model calls this tool (Claude Code's name, `mcp__orchestron__…`);
    /// a value `{"$result": "/json/pointer"}` in the input is what that
    /// pointer finds in the newest tool result the model was shown.
    Tool(&'static str, Value),
    /// The model answers with this text and ends its turn.
    Text(&'static str),
}

/// The scripted Messages API (`tests/clients/messages_api.js`) on a free
/// loopback port; killed when dropped.
pub struct MessagesApi {
    child: Child,
    port: u16,
    record: PathBuf,
    _dir: tempfile::TempDir,
}

impl MessagesApi {
    /// Starts the server with `turns` and waits until it listens.
    pub fn start(turns: &[Turn]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let script: Vec<Value> = turns
            .iter()
            .map(|t| match t {
                Turn::Tool(name, input) => json!({"tool": name, "input": input}),
                Turn::Text(text) => json!({"text": text}),
            })
            .collect();
        let script_path = dir.path().join("script.json");
        std::fs::write(&script_path, json!({ "turns": script }).to_string()).unwrap();
        let record = dir.path().join("requests.jsonl");
        let mut child = Command::new("node")
            .arg(clients_dir().join("messages_api.js"))
            .arg(&script_path)
            .arg(&record)
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("node runs tests/clients/messages_api.js (run .ci/setup)");
        // Its first line says it listens: read it, not a clock.
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the scripted Messages API did not start: {line:?}"));
        MessagesApi {
            child,
            port,
            record,
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request so far, in order: `{n, method, path, turn, input, body}`
    /// (`input`: the tool input answered, references resolved).
    pub fn requests(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.record).unwrap_or_default();
        text.lines()
            .map(|l| serde_json::from_str(l).expect("a recorded request"))
            .collect()
    }

    /// The bodies of the agent's own loop (requests that offered tools), in
    /// order: the first one is what the model saw before any tool call.
    pub fn loop_bodies(&self) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| r["body"]["tools"].as_array().is_some_and(|t| !t.is_empty()))
            .map(|r| r["body"].clone())
            .collect()
    }
}

impl Drop for MessagesApi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Claude Code in `env`'s project, talking to `api` (see [`client_command`]).
pub fn claude_command(env: &TestEnv, home: &Home, api: &MessagesApi) -> Command {
    let mut c = client_command(env, home, &client_bin("claude"));
    c.env("ANTHROPIC_BASE_URL", api.url())
        .env("ANTHROPIC_API_KEY", "sk-ant-test-scripted");
    c
}

/// A headless Claude Code session (`claude -p PROMPT --output-format json`)
/// in `env`'s project against `api`, allowed to use Orchestron's tools.
pub fn claude_session(env: &TestEnv, home: &Home, api: &MessagesApi, prompt: &str) -> Value {
    let out = claude_command(env, home, api)
        .args(["-p", prompt, "--output-format", "json"])
        .args(["--allowedTools", "mcp__orchestron"])
        .output()
        .expect("run claude");
    let run = to_run(out);
    assert_eq!(
        run.code, 0,
        "claude -p failed: {}\n{}",
        run.stdout, run.stderr
    );
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("claude -p printed no JSON ({e}): {}", run.stdout))
}

/// A headless Claude Code run with `--output-format stream-json --verbose`:
/// every event, hooks' output included, one JSON value each.
pub fn claude_stream(env: &TestEnv, home: &Home, api: &MessagesApi, args: &[&str]) -> Vec<Value> {
    let out = claude_command(env, home, api)
        .args(args)
        .args(["--output-format", "stream-json", "--verbose"])
        .output()
        .expect("run claude");
    let run = to_run(out);
    assert_eq!(run.code, 0, "claude failed: {}\n{}", run.stdout, run.stderr);
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a stream-json event"))
        .collect()
}

/// The texts of every `tool_result` in a request body, in order, as the
/// model reads them.
pub fn tool_results(body: &Value) -> Vec<String> {
    tool_result_blocks(body)
        .into_iter()
        .map(|(t, _)| t)
        .collect()
}

/// Every `tool_result` in a request body, in order: its text as the model
/// reads it, and whether Claude Code marked it an error (`is_error`).
pub fn tool_result_blocks(body: &Value) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for m in body["messages"].as_array().into_iter().flatten() {
        for block in m["content"].as_array().into_iter().flatten() {
            if block["type"] != "tool_result" {
                continue;
            }
            let text = match &block["content"] {
                Value::String(s) => s.clone(),
                Value::Array(parts) => parts
                    .iter()
                    .filter_map(|p| p["text"].as_str())
                    .collect::<Vec<_>>()
                    .join("\n"),
                other => other.to_string(),
            };
            out.push((text, block["is_error"] == true));
        }
    }
    out
}

/// Every text the model was shown in a request: the system prompt and each
/// message's text blocks (hook context arrives as such a block).
pub fn shown_texts(body: &Value) -> String {
    let mut out = String::new();
    let mut push = |v: &Value| match v {
        Value::String(s) => out.push_str(s),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str())
            .for_each(|t| {
                out.push_str(t);
                out.push('\n');
            }),
        _ => {}
    };
    push(&body["system"]);
    for m in body["messages"].as_array().into_iter().flatten() {
        push(&m["content"]);
    }
    out
}
