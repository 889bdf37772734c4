//! `orchestron mcp`: serve the MCP server on stdio, or with `--http` over
//! Streamable HTTP for many agents at once (the `http` cargo feature). stdout
//! carries only the protocol; logs go to stderr (`RUST_LOG` sets the level,
//! default `warn`).

use super::Ctx;
use super::exit::{CliError, CmdResult, Code};
use crate::mcp::ServeError;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct McpArgs {
    /// Serve Streamable HTTP at http://ADDR/mcp instead of stdio, one server for
    /// many agents. ADDR is PORT, :PORT, localhost:PORT or IP:PORT; default
    /// 127.0.0.1:7373. Loopback only unless --allow-remote.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "")]
    http: Option<String>,
    /// With --http: allow a non-loopback address; needs a token (--token-file
    /// or ORCHESTRON_TOKEN).
    #[arg(long, requires = "http")]
    allow_remote: bool,
    /// With --http: require `Authorization: Bearer TOKEN`. One token a line, or
    /// `AGENT TOKEN` to record that token's calls as AGENT. ORCHESTRON_TOKEN
    /// adds one more.
    #[arg(long, requires = "http", value_name = "FILE")]
    token_file: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: McpArgs) -> CmdResult {
    super::logging::init("warn");
    let runtime = super::listen::runtime().map_err(CliError::Runtime)?;
    let served = match args.http {
        None => runtime.block_on(crate::mcp::serve_stdio(ctx.opts.clone())),
        Some(addr) => serve_http(ctx, &runtime, &addr, args.allow_remote, args.token_file)?,
    };
    served.map_err(CliError::Server)?;
    Ok(Code::Ok)
}

#[cfg(feature = "http")]
fn serve_http(
    ctx: &Ctx,
    runtime: &tokio::runtime::Runtime,
    addr: &str,
    allow_remote: bool,
    token_file: Option<PathBuf>,
) -> Result<Result<(), ServeError>, CliError> {
    use crate::mcp::http::{DEFAULT_PORT, ENDPOINT, HttpOptions, serve_http};
    let addr = if addr.trim().is_empty() {
        std::net::SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT))
    } else {
        crate::http::parse_addr(addr, DEFAULT_PORT)
            .map_err(|e| CliError::Usage(crate::model::with_causes(&e)))?
    };
    let tokens = super::listen::checked_tokens(addr, allow_remote, token_file.as_deref())?;
    let http = HttpOptions { addr, tokens };
    Ok(
        runtime.block_on(serve_http(ctx.opts.clone(), http, |bound| {
            super::exit::warn(&format!(
                "orchestron: serving MCP on http://{bound}{ENDPOINT}"
            ));
        })),
    )
}

#[cfg(not(feature = "http"))]
fn serve_http(
    _ctx: &Ctx,
    _runtime: &tokio::runtime::Runtime,
    _addr: &str,
    _allow_remote: bool,
    _token_file: Option<PathBuf>,
) -> Result<Result<(), ServeError>, CliError> {
    Err(CliError::Usage(
        "this orchestron was built without HTTP: install it with \
         `cargo install --path . --features http`"
            .into(),
    ))
}
