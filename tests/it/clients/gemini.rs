//! Gemini CLI 0.61.0: a folder's servers stay "Disabled" until the folder is
//! trusted; then `gemini mcp list` connects to the server `init --mcp gemini`
//! registers in `.gemini/settings.json`.

use super::{Home, run_client};
use crate::common::TestEnv;

#[test]
fn gemini_mcp_list_shows_the_initialised_server_connected_once_trusted() {
    let env = TestEnv::new();
    env.ok(&["init", "--mcp", "gemini"]);
    let home = Home::new();
    let untrusted = run_client(&env, &home, "gemini", &["mcp", "list"]);
    // Gemini CLI prints its server list on stderr.
    let listed = format!("{}{}", untrusted.stdout, untrusted.stderr);
    assert!(
        listed.contains("orchestron") && listed.contains("Disabled"),
        "an untrusted folder's server is disabled: {listed}"
    );
    home.trust_gemini(env.path());
    let run = run_client(&env, &home, "gemini", &["mcp", "list"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let listed = format!("{}{}", run.stdout, run.stderr);
    let line = listed
        .lines()
        .find(|l| l.contains("orchestron:"))
        .unwrap_or_else(|| panic!("no orchestron server listed: {listed}"));
    assert!(line.contains("orchestron mcp"), "{line}");
    assert!(line.contains("Connected"), "{line}");
}
