//! `orchestron init --mcp`: registering the server in each client's project
//! config, next to what is already there.

use crate::common::TestEnv;
use serde_json::{Value, json};

#[test]
fn init_mcp_writes_project_config_without_clobbering() {
    let env = TestEnv::bare();
    std::fs::write(
        env.path().join(".mcp.json"),
        r#"{"mcpServers": {"github": {"command": "gh-mcp"}}}"#,
    )
    .unwrap();
    env.ok(&["init", "--mcp", "claude"]);
    let v: Value = serde_json::from_str(&env.read(&env.path().join(".mcp.json"))).unwrap();
    assert_eq!(v["mcpServers"]["github"]["command"], "gh-mcp");
    assert_eq!(v["mcpServers"]["orchestron"]["command"], "orchestron");
    assert_eq!(v["mcpServers"]["orchestron"]["args"], json!(["mcp"]));
    let again = env.ok(&["init", "--mcp", "claude"]);
    assert!(again.contains("already registered"), "{again}");
    for (client, file) in [
        ("codex", ".codex/config.toml"),
        ("cursor", ".cursor/mcp.json"),
        ("gemini", ".gemini/settings.json"),
        ("vscode", ".vscode/mcp.json"),
    ] {
        env.ok(&["init", "--mcp", client]);
        let text = env.read(&env.path().join(file));
        assert!(
            text.contains("orchestron") && text.contains("mcp"),
            "{file}: {text}"
        );
    }
    let bad = env.run(&["init", "--mcp", "emacs"]);
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr.contains("claude, codex, cursor, gemini, vscode"),
        "{}",
        bad.stderr
    );
}

#[test]
fn init_mcp_codex_and_gemini_say_how_to_trust_the_project() {
    let env = TestEnv::bare();
    let codex = env.ok(&["init", "--mcp", "codex"]);
    let project = env.path().display().to_string();
    assert!(
        codex.contains(&format!("[projects.\"{project}\"]"))
            && codex.contains("trust_level = \"trusted\""),
        "{codex}"
    );
    let gemini = env.ok(&["init", "--mcp", "gemini"]);
    assert!(
        gemini.contains("trustedFolders.json") && gemini.contains(&project),
        "{gemini}"
    );
    let json = env.json(&["init", "--mcp", "codex"]);
    assert!(
        json["mcp"]["next_step"]
            .as_str()
            .is_some_and(|s| s.contains("trust_level")),
        "{json}"
    );
}

#[test]
fn init_inside_a_workspaces_project_names_it_and_nests_only_with_force() {
    let env = TestEnv::new();
    let sub = env.path().join("service");
    std::fs::create_dir(&sub).unwrap();
    let run = |args: &[&str]| {
        crate::common::to_run(
            env.command(crate::common::BIN)
                .current_dir(&sub)
                .args(args)
                .output()
                .unwrap(),
        )
    };
    let r = run(&["init"]);
    assert_eq!(r.code, 5, "{r:?}");
    let outer = env.ws().canonicalize().unwrap();
    assert!(
        r.stderr.contains(&outer.display().to_string()),
        "does not name {outer:?}: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("already uses here; run it there") && !r.stderr.contains("   "),
        "one plain sentence, no runs of spaces from the source: {}",
        r.stderr
    );
    assert!(!sub.join(".orchestron").exists());
    assert!(!sub.join("AGENTS.md").exists());
    let r = run(&["init", "--force"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(sub.join(".orchestron/config.yaml").exists());
    // Once it exists, init there is the usual idempotent run.
    assert_eq!(run(&["init"]).code, 0);
}
