//! `orchestron init`: create the workspace in the current project.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use crate::api::{AgentFile, McpClient, Orchestron, SectionOutcome, SkillCopy, SkillOutcome};
use clap::Args;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Also register the MCP server in this client's project-level config:
    /// claude (.mcp.json), codex (.codex/config.toml), cursor (.cursor/mcp.json),
    /// gemini (.gemini/settings.json) or vscode (.vscode/mcp.json). Other
    /// entries in the file are kept.
    #[arg(long, value_name = "CLIENT")]
    mcp: Option<String>,
    /// Only write the Orchestron section of AGENTS.md (and of CLAUDE.md or
    /// GEMINI.md when it exists or --mcp claude/gemini is given) and the
    /// orchestron skill, for an existing workspace. Plain `init` writes them
    /// too; text outside the section's markers is kept.
    #[arg(long)]
    agents: bool,
    /// Create a workspace here even inside another workspace's project (a
    /// nested one; without it, init names the workspace already in use), and
    /// replace skill files whose text differs from this version's (your edits
    /// to .claude/skills/orchestron/ and .agents/skills/orchestron/).
    #[arg(long)]
    force: bool,
}

pub fn run(ctx: &Ctx, args: InitArgs) -> CmdResult {
    let project = ctx.project_dir();
    let client = args
        .mcp
        .as_deref()
        .map(str::parse::<McpClient>)
        .transpose()?;
    if args.agents {
        let files = Orchestron::write_agent_instructions(&project, client)?;
        let skills = Orchestron::install_skill(&project, args.force)?;
        if let Some(c) = client {
            Orchestron::install_mcp_config(&project, c)?;
        }
        if ctx.json {
            output::json(&serde_json::json!({"files": files, "skills": skills}))?;
        } else {
            output::text(&format!("{}{}", agent_lines(&files), skill_lines(&skills)))?;
        }
        return Ok(Code::Ok);
    }
    let report = Orchestron::init(&project, args.force)?;
    let agents = Orchestron::write_agent_instructions(&project, client)?;
    let skills = Orchestron::install_skill(&project, args.force)?;
    let mcp = match client {
        Some(c) => Some(Orchestron::install_mcp_config(&project, c)?),
        None => None,
    };
    // In a git repository, install the merge driver too (the same as `git setup`).
    // A failure here does not undo the workspace: say so and go on.
    let git = Orchestron::git_setup(&report.root).unwrap_or_else(|e| {
        super::exit::warn(&format!(
            "warning: merge driver not configured ({}); run `orchestron git setup`",
            crate::model::with_causes(&e)
        ));
        None
    });
    if ctx.json {
        let mut v = serde_json::to_value(&report).map_err(std::io::Error::other)?;
        if let (Some(obj), Some(g)) = (v.as_object_mut(), &git) {
            obj.insert(
                "git".into(),
                serde_json::to_value(g).map_err(std::io::Error::other)?,
            );
        }
        if let Some(obj) = v.as_object_mut() {
            obj.insert(
                "agents".into(),
                serde_json::to_value(&agents).map_err(std::io::Error::other)?,
            );
            obj.insert(
                "skills".into(),
                serde_json::to_value(&skills).map_err(std::io::Error::other)?,
            );
        }
        if let (Some(obj), Some(m)) = (v.as_object_mut(), &mcp) {
            obj.insert(
                "mcp".into(),
                serde_json::to_value(m).map_err(std::io::Error::other)?,
            );
        }
        output::json(&v)?;
    } else if report.created.is_empty() {
        output::text(&format!("{} is already set up.", report.root.display()))?;
        output::text(&agent_lines(&agents))?;
        output::text(&skill_lines(&skills))?;
    } else {
        let mut s = format!("Initialised {}\n", report.root.display());
        for c in &report.created {
            s.push_str(&format!("  created {c}\n"));
        }
        if let Some(g) = &git {
            s.push_str(&format!("  configured the merge driver ({})\n", g.driver));
        }
        s.push_str(&agent_lines(&agents));
        s.push_str(&skill_lines(&skills));
        output::text(&s)?;
    }
    // With --json the report is in the JSON (`mcp`), not printed after it.
    if let (false, Some(m)) = (ctx.json, &mcp) {
        let what = if m.added {
            "registered the MCP server in"
        } else {
            "the MCP server is already registered in"
        };
        output::text(&format!(
            "{}: {what} {}",
            m.client.as_str(),
            m.path.display()
        ))?;
        if let Some(step) = &m.next_step {
            output::text(&format!("  next: {step}"))?;
        }
    }
    Ok(Code::Ok)
}

/// One line per instruction file: `  AGENTS.md: added the Orchestron section`.
fn agent_lines(files: &[AgentFile]) -> String {
    files
        .iter()
        .map(|f| {
            let name = f.path.file_name().map_or_else(
                || f.path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let what = match f.outcome {
                SectionOutcome::Created => "created with the Orchestron section",
                SectionOutcome::Added => "added the Orchestron section",
                SectionOutcome::Updated => "updated the Orchestron section",
                SectionOutcome::Unchanged => "the Orchestron section is up to date",
            };
            format!("  {name}: {what}\n")
        })
        .collect()
}

/// One line per copy of the skill: `  .claude/skills/orchestron: created`.
fn skill_lines(copies: &[SkillCopy]) -> String {
    copies
        .iter()
        .map(|c| {
            let dir = c.path.components().rev().take(3).collect::<Vec<_>>();
            let name: std::path::PathBuf = dir.into_iter().rev().collect();
            let what = match c.outcome {
                SkillOutcome::Created => "created the orchestron skill".to_string(),
                SkillOutcome::Updated => "updated the orchestron skill".to_string(),
                SkillOutcome::Unchanged => "the orchestron skill is up to date".to_string(),
                SkillOutcome::Kept => format!(
                    "kept your version of {} (--force replaces it)",
                    c.kept.join(", ")
                ),
            };
            format!("  {}: {what}\n", name.display())
        })
        .collect()
}
