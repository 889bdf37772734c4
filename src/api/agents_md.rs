//! Agent instructions in the project's own instruction files: `orchestron
//! init` (and `init --agents` alone) writes a short Orchestron section into
//! AGENTS.md — and into CLAUDE.md (GEMINI.md) when that file exists or Claude
//! Code (Gemini CLI) is the client being set up — between begin/end markers. Only the text between the
//! markers is ever replaced; every byte outside them is kept, and a second
//! run with the same template changes nothing.

use super::{McpClient, Result};
use crate::store::{read_text_if_exists, write_file};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The section's text (templates/agents-section.md), at most ~40 lines.
const SECTION: &str = include_str!("../../templates/agents-section.md");

/// The marker lines around the section.
pub const BEGIN: &str =
    "<!-- orchestron:begin (written by `orchestron init`; edits inside are replaced) -->";
pub const END: &str = "<!-- orchestron:end -->";

/// What happened to one instruction file.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AgentFile {
    pub path: PathBuf,
    pub outcome: SectionOutcome,
}

/// What a run did to the section of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SectionOutcome {
    /// The file did not exist; it now holds the section.
    Created,
    /// The file had no section; it was appended.
    Added,
    /// The section's text changed (a newer template).
    Updated,
    /// Nothing to do.
    Unchanged,
}

/// Writes the section into `AGENTS.md` of `project`, and into `CLAUDE.md`
/// (`GEMINI.md`) when it exists or `client` is Claude Code (Gemini CLI).
pub fn write_agent_instructions(
    project: &Path,
    client: Option<McpClient>,
) -> Result<Vec<AgentFile>> {
    let mut out = Vec::new();
    for (name, wanted) in [
        ("AGENTS.md", true),
        ("CLAUDE.md", client == Some(McpClient::Claude)),
        ("GEMINI.md", client == Some(McpClient::Gemini)),
    ] {
        let path = project.join(name);
        let current = read_text_if_exists(&path)?;
        if current.is_none() && !wanted {
            continue;
        }
        let (text, outcome) = with_section(current.as_deref());
        if outcome != SectionOutcome::Unchanged {
            write_file(&path, text.as_bytes())?;
        }
        out.push(AgentFile { path, outcome });
    }
    Ok(out)
}

/// The file's text with the section in place, and what changed.
fn with_section(current: Option<&str>) -> (String, SectionOutcome) {
    let block = format!("{BEGIN}\n{}{END}\n", SECTION);
    let Some(text) = current else {
        return (block, SectionOutcome::Created);
    };
    if let Some(start) = text.find(BEGIN)
        && let Some(end_at) = text[start..].find(END)
    {
        let end = start + end_at + END.len();
        // The marker line's own newline belongs to the block.
        let end = if text[end..].starts_with('\n') {
            end + 1
        } else {
            end
        };
        let mut new = String::with_capacity(text.len() + block.len());
        new.push_str(&text[..start]);
        new.push_str(&block);
        new.push_str(&text[end..]);
        let outcome = if new == text {
            SectionOutcome::Unchanged
        } else {
            SectionOutcome::Updated
        };
        return (new, outcome);
    }
    let mut new = text.to_string();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    if !new.is_empty() {
        new.push('\n');
    }
    new.push_str(&block);
    (new, SectionOutcome::Added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_is_short() {
        assert!(SECTION.lines().count() <= 40, "{}", SECTION.lines().count());
    }

    #[test]
    fn only_the_text_between_markers_changes() {
        let before = "# Mine\n\nkeep  this\r\n";
        let after = "\n## After\n";
        let old = format!("{before}{BEGIN}\nold words\n{END}\n{after}");
        let (new, outcome) = with_section(Some(&old));
        assert_eq!(outcome, SectionOutcome::Updated);
        assert!(new.starts_with(before) && new.ends_with(after), "{new}");
        let (again, outcome) = with_section(Some(&new));
        assert_eq!(
            (again.as_str(), outcome),
            (new.as_str(), SectionOutcome::Unchanged)
        );
    }

    #[test]
    fn a_file_without_the_section_gets_it_appended() {
        let (new, outcome) = with_section(Some("text without newline"));
        assert_eq!(outcome, SectionOutcome::Added);
        assert!(new.starts_with("text without newline\n\n<!-- orchestron:begin"));
    }
}
