//! `orchestron init`: create the workspace in the current project.

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use crate::api::{McpClient, Orchestron};
use clap::Args;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Also register the MCP server in this client's project-level config:
    /// claude (.mcp.json), codex (.codex/config.toml), cursor (.cursor/mcp.json)
    /// or vscode (.vscode/mcp.json). Other entries in the file are kept.
    #[arg(long, value_name = "CLIENT")]
    mcp: Option<String>,
}

pub fn run(ctx: &Ctx, args: InitArgs) -> CmdResult {
    let project = ctx.project_dir();
    let client = args
        .mcp
        .as_deref()
        .map(str::parse::<McpClient>)
        .transpose()?;
    let report = Orchestron::init(&project)?;
    let mcp = match client {
        Some(c) => Some(Orchestron::install_mcp_config(&project, c)?),
        None => None,
    };
    if ctx.json {
        if let Some(m) = &mcp {
            output::json(&serde_json::json!({"init": report, "mcp": m}))?;
            return Ok(Code::Ok);
        }
        output::json(&report)?;
    } else if report.created.is_empty() {
        output::text(&format!("{} is already set up.", report.root.display()))?;
    } else {
        let mut s = format!("Initialised {}\n", report.root.display());
        for c in &report.created {
            s.push_str(&format!("  created {c}\n"));
        }
        output::text(&s)?;
    }
    if let Some(m) = &mcp {
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
    }
    Ok(Code::Ok)
}
