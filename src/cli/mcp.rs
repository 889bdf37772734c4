//! `orchestron mcp`: serve the MCP server on stdio. stdout carries only the
//! protocol; logs go to stderr (`RUST_LOG` sets the level, default `warn`).

use super::Ctx;
use super::exit::{CliError, CmdResult, Code};
use clap::Args;

#[derive(Debug, Args)]
pub struct McpArgs {}

pub fn run(ctx: &Ctx, _args: McpArgs) -> CmdResult {
    super::log_to_stderr();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Server(format!("cannot start the async runtime: {e}")))?;
    match runtime.block_on(crate::mcp::serve_stdio(ctx.opts.clone())) {
        Ok(()) => Ok(Code::Ok),
        Err(e) => match e.downcast::<crate::api::Error>() {
            Ok(api) => Err(CliError::Api(api)),
            Err(other) => Err(CliError::Server(format!("{other:#}"))),
        },
    }
}
