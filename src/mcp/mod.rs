//! The MCP adapter for agents: tools, resources, prompts and live updates over
//! stdio (and, with the `http` feature, Streamable HTTP: [`http`]), built on rmcp. Like the CLI it calls only the use-case API — never
//! files, SQL or git — so whatever an agent can do here a human can do through
//! the CLI, by the same code path. stdout belongs to the protocol; logs go to
//! stderr.
//!
//! Modules, one concept each: [`catalog`] (tool names, schemas, annotations),
//! [`args`] (reading a model's arguments), [`brief`] (results cut to size), [`error`] (the one error edge), [`output`] (a tool's answer), [`tools`] (what each tool does),
//! [`notice`] (the "N updates since your last call" line), [`resources`],
//! [`complete`] (id completion),
//! [`prompts`], [`push`] (live updates → notifications), [`insights`] (the
//! two insight tools) and [`server`] (the
//! rmcp handler that ties them together). [`ServeError`] is why serving
//! stopped.

pub mod args;
pub mod brief;
pub mod catalog;
pub mod complete;
pub mod error;
#[cfg(feature = "http")]
pub mod http;
pub mod insights;
pub mod notice;
pub mod output;
pub mod prompts;
pub mod push;
pub mod resources;
pub mod server;
pub mod tools;

pub use server::OrchestronServer;

use crate::api::{OpenOptions, Orchestron};
use rmcp::ServiceExt;

/// Why the MCP server could not start or stopped with a failure. A workspace
/// that cannot be opened is not one of them: the server waits for it (see
/// [`OrchestronServer::lazy`]).
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The blocking task that opens the workspace panicked or was cancelled.
    #[error("opening the workspace")]
    Open(#[source] tokio::task::JoinError),
    /// The client's handshake was not an MCP handshake.
    #[error("the MCP handshake failed")]
    Handshake(#[source] Box<rmcp::service::ServerInitializeError>),
    /// The task serving the session panicked or was cancelled.
    #[error("the MCP session failed")]
    Session(#[source] tokio::task::JoinError),
    #[error("cannot listen on {addr}")]
    Bind {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the HTTP server failed")]
    Http(#[source] std::io::Error),
}

/// Opens the workspace, or a server that waits for one (see
/// [`OrchestronServer::lazy`]).
async fn open_server(opts: OpenOptions) -> Result<OrchestronServer, ServeError> {
    let retry = opts.clone();
    Ok(
        match tokio::task::spawn_blocking(move || Orchestron::open(&opts))
            .await
            .map_err(ServeError::Open)?
        {
            Ok(o) => OrchestronServer::new(o),
            Err(e) => {
                tracing::warn!(
                    "{}; serving anyway, each call will say so until `orchestron init`",
                    crate::model::with_causes(&e)
                );
                OrchestronServer::lazy(retry)
            }
        },
    )
}

/// Opens the workspace (or waits for one, see [`OrchestronServer::lazy`]) and
/// serves MCP on stdin/stdout until the client leaves.
pub async fn serve_stdio(opts: OpenOptions) -> Result<(), ServeError> {
    let server = open_server(opts).await?;
    let running = match server.serve(rmcp::transport::stdio()).await {
        Ok(running) => running,
        // A client may leave before the handshake — the 2026-07-28 era lets it
        // ask `server/discover` and go. Leaving is not the server's failure.
        Err(rmcp::service::ServerInitializeError::ConnectionClosed(_)) => return Ok(()),
        Err(e) => return Err(ServeError::Handshake(Box::new(e))),
    };
    running.waiting().await.map_err(ServeError::Session)?;
    Ok(())
}
