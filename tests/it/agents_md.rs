//! `orchestron init` writes its section into AGENTS.md (and CLAUDE.md)
//! between markers: the rest of the file kept byte for byte, idempotent.

use crate::common::TestEnv;

const THEIRS: &str = "# Agents\r\n\r\nUse tabs.\tAlways.\n\n## Testing\n\nRun `make test`   \n<!-- a comment of theirs -->\n\u{1F600} trailing text without newline";

#[test]
fn init_keeps_agents_md_byte_for_byte_and_is_idempotent() {
    let env = TestEnv::bare();
    env.git(&["init", "-q", "-b", "main"]);
    let agents = env.path().join("AGENTS.md");
    std::fs::write(&agents, THEIRS).unwrap();
    env.ok(&["init"]);
    let once = std::fs::read(&agents).unwrap();
    assert!(
        once.starts_with(THEIRS.as_bytes()),
        "their text was changed"
    );
    let text = String::from_utf8(once.clone()).unwrap();
    let section = &text[THEIRS.len()..];
    assert!(section.contains("orchestron_task_claim"), "{section}");
    assert!(section.lines().count() <= 42, "{section}");
    // No CLAUDE.md was asked for or there.
    assert!(!env.path().join("CLAUDE.md").exists());
    env.ok(&["init"]);
    env.ok(&["init", "--agents"]);
    assert_eq!(std::fs::read(&agents).unwrap(), once);

    // Text after the section, and a stale section, are handled in place.
    let stale = text.replace("orchestron_task_claim", "an old tool name") + "\n## After\nkept\n";
    std::fs::write(&agents, &stale).unwrap();
    let out = env.ok(&["init", "--agents"]);
    assert!(out.contains("updated"), "{out}");
    let fixed = env.read(&agents);
    assert_eq!(fixed, text.clone() + "\n## After\nkept\n");
}

#[test]
fn claude_md_gets_the_section_when_it_exists_or_claude_is_set_up() {
    let env = TestEnv::bare();
    std::fs::write(env.path().join("CLAUDE.md"), "Be brief.\n").unwrap();
    env.ok(&["init"]);
    let claude = env.read(&env.path().join("CLAUDE.md"));
    assert!(
        claude.starts_with("Be brief.\n\n<!-- orchestron:begin"),
        "{claude}"
    );
    let other = TestEnv::bare();
    other.ok(&["init", "--agents", "--mcp", "claude"]);
    assert!(other.path().join("CLAUDE.md").exists());
    assert!(other.path().join("AGENTS.md").exists());
    assert!(other.path().join(".mcp.json").exists());
}

/// The model cannot run an MCP prompt (Claude Code offers prompts to the
/// human as slash commands): what the model is told to do is tools only, and
/// the prompts are named as the human's.
#[test]
fn the_model_is_told_only_what_it_can_do_itself() {
    let env = TestEnv::bare();
    env.git(&["init", "-q", "-b", "main"]);
    std::fs::write(env.path().join("AGENTS.md"), "# Agents\n").unwrap();
    env.ok(&["init"]);
    let section = env.read(&env.path().join("AGENTS.md"));
    let instructions = orchestron::mcp::server::INSTRUCTIONS;
    for (what, text) in [
        ("AGENTS.md", section.as_str()),
        ("instructions", instructions),
    ] {
        assert!(text.contains("orchestron_context_get"), "{what}: {text}");
        // One bullet of the section, one sentence of the instructions.
        for line in text.split("\n- ").flat_map(|b| b.split(". ")) {
            if line.contains("orchestron_resume") {
                assert!(
                    line.contains("human") || line.contains("slash command"),
                    "{what}: a prompt offered to the model: {line:?}"
                );
            }
        }
        assert!(text.contains("slash command"), "{what}: {text}");
    }
}
