//! `orchestron mcp --http`: the same server over Streamable HTTP, one process
//! for many agents. rmcp's Streamable HTTP service speaks both protocol eras
//! on one endpoint (`/mcp`): an `initialize` handshake opens a session (its
//! pushes arrive on the session's GET stream), and a 2026-07-28 request is
//! served statelessly (`server/discover`, `subscriptions/listen` as a long
//! POST answered by SSE). Every session gets its own handler from
//! [`super::OrchestronServer::for_new_session`] — the workspace, the one watcher and
//! the push channel are shared; subscriptions are its own — and every call is
//! recorded as its own caller ([`Attribution::PerRequest`]), so each agent
//! keeps its own update cursor. The safety rules are the shared
//! [`crate::http::Guard`]'s, wrapped around the whole router.

use super::ServeError;
use super::server::Attribution;
use crate::api::OpenOptions;
use crate::http::{Guard, Tokens};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use std::net::SocketAddr;
use std::sync::Arc;

/// The port `--http` listens on when none is given.
pub const DEFAULT_PORT: u16 = 7373;

/// The path of the MCP endpoint.
pub const ENDPOINT: &str = "/mcp";

/// What the HTTP server listens on and whom it admits (the bind policy has
/// been checked by the caller with [`crate::http::check_bind`]).
pub struct HttpOptions {
    pub addr: SocketAddr,
    pub tokens: Tokens,
}

/// Serves MCP over Streamable HTTP until interrupted (Ctrl-C or SIGTERM).
/// `on_ready` is told the bound address once the listener accepts
/// connections (port 0 picks a free one).
pub async fn serve_http(
    opts: OpenOptions,
    http: HttpOptions,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let server = super::open_server(opts)
        .await?
        .with_attribution(Attribution::PerRequest);
    let bind_error = |source| ServeError::Bind {
        addr: http.addr,
        source,
    };
    let listener = tokio::net::TcpListener::bind(http.addr)
        .await
        .map_err(bind_error)?;
    let bound = listener.local_addr().map_err(bind_error)?;
    let guard = Guard::new(bound, http.tokens);
    let config = StreamableHttpServerConfig::default()
        // The guard checks Host and Origin (and the body size) for every
        // route before rmcp sees a request; rmcp's own list would refuse a
        // remote bind's host names that the guard has already admitted.
        .disable_allowed_hosts()
        .disable_allowed_origins()
        .with_max_request_body_bytes(crate::http::guard::DEFAULT_MAX_BODY);
    let shutdown = config.cancellation_token.clone();
    let service = StreamableHttpService::new(
        move || Ok(server.for_new_session()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let app = guard.protect(axum::Router::new().route_service(ENDPOINT, service));
    on_ready(bound);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            interrupted().await;
            shutdown.cancel();
        })
        .await
        .map_err(ServeError::Http)
}

/// Resolves on Ctrl-C or SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
