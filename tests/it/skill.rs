//! The `orchestron` Agent Skill: the plugin's copy and the copies `init`
//! writes into `.claude/skills/` and `.agents/skills/` pass the reference
//! validator (`agentskills validate`, PyPI skills-ref, pinned in
//! tests/python/skills-ref.txt and installed by .ci/setup into
//! target/py-skills); a second `init` changes nothing, and a user's edit
//! survives until `--force`.

use crate::common::TestEnv;
use std::path::{Path, PathBuf};

fn agentskills() -> PathBuf {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py-skills/bin/agentskills");
    assert!(
        bin.exists(),
        "the skills validator is not installed at {}: run .ci/setup",
        bin.display()
    );
    bin
}

fn validate(dir: &Path) {
    let out = std::process::Command::new(agentskills())
        .arg("validate")
        .arg(dir)
        .output()
        .expect("run agentskills");
    assert!(
        out.status.success(),
        "{}: {}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_skill_passes_the_reference_validator_where_init_puts_it() {
    validate(&Path::new(env!("CARGO_MANIFEST_DIR")).join("plugins/orchestron/skills/orchestron"));
    let env = TestEnv::new();
    for dir in [".claude/skills/orchestron", ".agents/skills/orchestron"] {
        validate(&env.path().join(dir));
    }
}

#[test]
fn init_keeps_a_users_skill_edits_until_force() {
    let env = TestEnv::new();
    let skill = env.path().join(".agents/skills/orchestron/SKILL.md");
    let ours = env.read(&skill);
    let again = env.ok(&["init"]);
    assert!(
        again.contains(".agents/skills/orchestron: the orchestron skill is up to date"),
        "{again}"
    );
    let mine = format!("{ours}\nAlways run the tests before a handoff.\n");
    std::fs::write(&skill, &mine).unwrap();
    let kept = env.ok(&["init", "--agents"]);
    assert!(kept.contains("kept your version of SKILL.md"), "{kept}");
    assert_eq!(env.read(&skill), mine);
    env.ok(&["init", "--agents", "--force"]);
    assert_eq!(env.read(&skill), ours);
}
