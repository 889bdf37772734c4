//! Codex 0.169.0: it ignores a project's `.codex/config.toml` until the
//! project is trusted in `~/.codex/config.toml`; then `codex mcp list` shows
//! the server `init --mcp codex` registers as enabled. The Codex plugin in
//! this repository (`.agents/plugins/marketplace.json`, the plugin's
//! `.codex-plugin/plugin.json`) installs from the checkout and brings the
//! server without any project file.

use super::{Home, mcp_list_before_and_after_trust, run_client, run_each};
use crate::common::TestEnv;

#[test]
fn codex_mcp_list_shows_the_server_enabled_once_the_project_is_trusted() {
    let (_env, untrusted, run) = mcp_list_before_and_after_trust("codex", Home::trust_codex);
    assert!(
        !untrusted.stdout.contains("orchestron"),
        "an untrusted project's servers are ignored: {}",
        untrusted.stdout
    );
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("orchestron "))
        .unwrap_or_else(|| panic!("no orchestron server listed: {}", run.stdout));
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(&cols[..3], ["orchestron", "orchestron", "mcp"], "{line}");
    assert!(cols.contains(&"enabled"), "{line}");
}

#[test]
fn the_codex_plugin_installs_from_the_checkout_and_enables_the_server() {
    let env = TestEnv::new();
    let home = Home::new();
    let repo = env!("CARGO_MANIFEST_DIR");
    run_each(
        &env,
        &home,
        "codex",
        &[
            &["plugin", "marketplace", "add", repo],
            &["plugin", "add", "orchestron@orchestron"],
        ],
    );
    let run = run_client(&env, &home, "codex", &["mcp", "list"]);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("orchestron "))
        .unwrap_or_else(|| panic!("the plugin's server is not listed: {}", run.stdout));
    assert!(line.split_whitespace().any(|c| c == "enabled"), "{line}");
    let installed = home
        .path()
        .join(".codex/plugins/cache/orchestron/orchestron/0.1.0/skills/orchestron/SKILL.md");
    assert!(installed.exists(), "the skill comes with the plugin");
}
