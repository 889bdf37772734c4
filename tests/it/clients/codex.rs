//! Codex 0.169.0: it ignores a project's `.codex/config.toml` until the
//! project is trusted in `~/.codex/config.toml`; then `codex mcp list` shows
//! the server `init --mcp codex` registers as enabled.

use super::{Home, run_client};
use crate::common::TestEnv;

#[test]
fn codex_mcp_list_shows_the_server_enabled_once_the_project_is_trusted() {
    let env = TestEnv::new();
    env.ok(&["init", "--mcp", "codex"]);
    let home = Home::new();
    let untrusted = run_client(&env, &home, "codex", &["mcp", "list"]);
    assert!(
        !untrusted.stdout.contains("orchestron"),
        "an untrusted project's servers are ignored: {}",
        untrusted.stdout
    );
    home.trust_codex(env.path());
    let run = run_client(&env, &home, "codex", &["mcp", "list"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("orchestron "))
        .unwrap_or_else(|| panic!("no orchestron server listed: {}", run.stdout));
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(&cols[..3], ["orchestron", "orchestron", "mcp"], "{line}");
    assert!(cols.contains(&"enabled"), "{line}");
}
