//! Gemini CLI 0.61.0: a folder's servers stay "Disabled" until the folder is
//! trusted; then `gemini mcp list` connects to the server `init --mcp gemini`
//! registers in `.gemini/settings.json` (and GEMINI.md gets the section), or
//! to the one the extension in `plugins/gemini/` brings.

use super::{Home, mcp_list_before_and_after_trust, run_client, run_each};
use crate::common::TestEnv;
use std::path::Path;

#[test]
fn gemini_mcp_list_shows_the_initialised_server_connected_once_trusted() {
    let (env, untrusted, run) =
        mcp_list_before_and_after_trust("gemini", |home, project| home.trust_gemini(&[project]));
    // Gemini CLI prints its server list on stderr.
    let listed = format!("{}{}", untrusted.stdout, untrusted.stderr);
    assert!(
        listed.contains("orchestron") && listed.contains("Disabled"),
        "an untrusted folder's server is disabled: {listed}"
    );
    let listed = format!("{}{}", run.stdout, run.stderr);
    let line = listed
        .lines()
        .find(|l| l.contains("orchestron:"))
        .unwrap_or_else(|| panic!("no orchestron server listed: {listed}"));
    assert!(line.contains("orchestron mcp"), "{line}");
    assert!(line.contains("Connected"), "{line}");
    let section = env.read(&env.path().join("GEMINI.md"));
    assert!(section.contains("orchestron_task_claim"), "{section}");
}

#[test]
fn the_gemini_extension_installs_and_connects() {
    let extension = Path::new(env!("CARGO_MANIFEST_DIR")).join("plugins/gemini");
    let env = TestEnv::new();
    let home = Home::new();
    home.trust_gemini(&[env.path(), &extension]);
    let path = extension.to_str().unwrap();
    run_each(
        &env,
        &home,
        "gemini",
        &[
            &["extensions", "validate", path],
            &["extensions", "install", path, "--consent"],
        ],
    );
    let run = run_client(&env, &home, "gemini", &["mcp", "list"]);
    let listed = format!("{}{}", run.stdout, run.stderr);
    let line = listed
        .lines()
        .find(|l| l.contains("orchestron (from orchestron)"))
        .unwrap_or_else(|| panic!("the extension's server is not listed: {listed}"));
    assert!(line.contains("Connected"), "{line}");
}
