//! The `orchestron` Agent Skill (agentskills.io: a folder with SKILL.md and
//! references one level deep), written by `orchestron init` where the
//! clients read skills: `.claude/skills/orchestron/` (Claude Code) and
//! `.agents/skills/orchestron/` (Codex, Gemini CLI, Cursor, Copilot). Its one
//! source is the Claude Code plugin's copy (`plugins/orchestron/skills/`),
//! embedded here. A file already there with other text (the user's edits, or
//! an older version) is kept unless `force` is given; a second run with the
//! same text changes nothing.

use super::Result;
use crate::store::{read_text_if_exists, write_file};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The skill's files, relative to its folder.
const FILES: &[(&str, &str)] = &[
    (
        "SKILL.md",
        include_str!("../../plugins/orchestron/skills/orchestron/SKILL.md"),
    ),
    (
        "references/mcp-tools.md",
        include_str!("../../plugins/orchestron/skills/orchestron/references/mcp-tools.md"),
    ),
    (
        "references/cli.md",
        include_str!("../../plugins/orchestron/skills/orchestron/references/cli.md"),
    ),
    (
        "references/records.md",
        include_str!("../../plugins/orchestron/skills/orchestron/references/records.md"),
    ),
];

/// Where the skill goes, relative to the project.
const TARGETS: &[&str] = &[".claude/skills/orchestron", ".agents/skills/orchestron"];

/// What `init` did to one copy of the skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SkillCopy {
    pub path: PathBuf,
    pub outcome: SkillOutcome,
    /// Files whose text differs from ours, left as they are (without `force`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SkillOutcome {
    /// The folder had none of the files; it now has them all.
    Created,
    /// Missing files were written (and, with `force`, differing ones replaced).
    Updated,
    /// Every file already had our text.
    Unchanged,
    /// Some files differ from ours and were kept; the rest are in place.
    Kept,
}

/// Writes the skill into each client folder of `project`.
pub fn install_skill(project: &Path, force: bool) -> Result<Vec<SkillCopy>> {
    TARGETS
        .iter()
        .map(|t| install_one(&project.join(t), force))
        .collect()
}

fn install_one(dir: &Path, force: bool) -> Result<SkillCopy> {
    let (mut written, mut present, mut kept) = (0, 0, Vec::new());
    for (name, text) in FILES {
        let path = dir.join(name);
        match read_text_if_exists(&path)? {
            Some(current) if current == *text => present += 1,
            Some(_) if !force => {
                present += 1;
                kept.push((*name).to_string());
            }
            _ => {
                write_file(&path, text.as_bytes())?;
                written += 1;
            }
        }
    }
    let outcome = match (written, present, kept.is_empty()) {
        (_, _, false) => SkillOutcome::Kept,
        (0, _, true) => SkillOutcome::Unchanged,
        (_, 0, true) => SkillOutcome::Created,
        _ => SkillOutcome::Updated,
    };
    Ok(SkillCopy {
        path: dir.to_path_buf(),
        outcome,
        kept,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_changes_nothing_and_edits_survive_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let first = install_skill(dir.path(), false).unwrap();
        assert!(first.iter().all(|c| c.outcome == SkillOutcome::Created));
        let again = install_skill(dir.path(), false).unwrap();
        assert!(again.iter().all(|c| c.outcome == SkillOutcome::Unchanged));

        let mine = dir.path().join(".agents/skills/orchestron/SKILL.md");
        std::fs::write(&mine, "my own skill\n").unwrap();
        std::fs::remove_file(
            dir.path()
                .join(".agents/skills/orchestron/references/cli.md"),
        )
        .unwrap();
        let kept = install_skill(dir.path(), false).unwrap();
        assert_eq!(kept[1].outcome, SkillOutcome::Kept);
        assert_eq!(kept[1].kept, vec!["SKILL.md".to_string()]);
        assert_eq!(std::fs::read_to_string(&mine).unwrap(), "my own skill\n");
        assert!(
            dir.path()
                .join(".agents/skills/orchestron/references/cli.md")
                .exists()
        );

        let forced = install_skill(dir.path(), true).unwrap();
        assert_eq!(forced[1].outcome, SkillOutcome::Updated);
        assert_eq!(std::fs::read_to_string(&mine).unwrap(), FILES[0].1);
    }
}
