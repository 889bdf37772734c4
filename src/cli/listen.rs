//! What the long-running commands share: their async runtime, and for the
//! HTTP ones (`mcp --http`, `serve`) the bearer tokens (`--token-file` and
//! `ORCHESTRON_TOKEN`) checked against the address by the shared guard's bind
//! policy, so both refuse a remote bind the same way.

/// The multi-threaded runtime a server runs on.
pub(super) fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// The tokens an HTTP server at `addr` accepts, once the bind policy allows
/// that address (loopback, or `--allow-remote` with a token).
#[cfg(feature = "http")]
pub(super) fn checked_tokens(
    addr: std::net::SocketAddr,
    allow_remote: bool,
    token_file: Option<&std::path::Path>,
) -> Result<crate::http::Tokens, super::exit::CliError> {
    let usage =
        |e: crate::http::GuardError| super::exit::CliError::Usage(crate::model::with_causes(&e));
    let env_token = std::env::var("ORCHESTRON_TOKEN").ok();
    let tokens = crate::http::Tokens::load(token_file, env_token.as_deref()).map_err(usage)?;
    crate::http::check_bind(addr, allow_remote, &tokens).map_err(usage)?;
    Ok(tokens)
}
