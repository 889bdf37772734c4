//! The safety rules every HTTP adapter shares, as one axum layer
//! ([`Guard::protect`]) plus the start-time checks ([`parse_addr`],
//! [`check_bind`], [`Tokens::load`]).
//!
//! - Bind policy: loopback only; a non-loopback address is refused at start
//!   unless `--allow-remote` is given *and* a token is configured.
//! - DNS-rebinding protection: on a loopback bind the `Host` header must name
//!   the bound address and port (or `localhost` and the port); an `Origin`, if
//!   present, must be a loopback origin or the request's own host. Anything
//!   else is answered 403 with a body saying why, before any handler runs.
//! - An optional bearer token (`--token-file` or `ORCHESTRON_TOKEN`), compared
//!   in constant time; a token file may bind a token to an agent's name, which
//!   the request then carries as a [`Caller`] extension.
//! - A request body size limit (413 past it), and never a CORS wildcard: the
//!   guard answers no preflight and strips `Access-Control-Allow-Origin: *`.

use crate::api::Orchestron;
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use http::uri::Authority;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The largest request body accepted unless [`Guard::with_max_body`] says
/// otherwise: generous for any tool call, small enough to refuse a flood.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// The shortest token accepted: a remote bind relies on it alone.
pub const MIN_TOKEN_LEN: usize = 16;

/// What stops a server from starting.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error(
        "refusing to listen on {addr}: not a loopback address (pass --allow-remote together \
         with a token from --token-file or ORCHESTRON_TOKEN to serve other machines)"
    )]
    NotLoopback { addr: SocketAddr },
    #[error(
        "refusing to listen on {addr}: --allow-remote needs a token (--token-file or \
         ORCHESTRON_TOKEN)"
    )]
    RemoteWithoutToken { addr: SocketAddr },
    #[error(
        "{value:?} is not an address to listen on: give PORT, :PORT, localhost:PORT or IP:PORT \
         (such as 127.0.0.1:{default_port})"
    )]
    BadAddr { value: String, default_port: u16 },
    /// The source names the file.
    #[error("reading the token file")]
    TokenFile(#[source] crate::api::Error),
    #[error("the token file {} holds no token", path.display())]
    NoToken { path: PathBuf },
    #[error("{}:{line}: a line is `TOKEN` or `AGENT TOKEN`, not {fields} words", path.display())]
    TokenLine {
        path: PathBuf,
        line: usize,
        fields: usize,
    },
    #[error("{source_name}: a token must be at least {MIN_TOKEN_LEN} characters")]
    ShortToken { source_name: String },
}

/// Reads a listen address: `PORT`, `:PORT`, `localhost[:PORT]`, `IP` or
/// `IP:PORT` (IPv6 in brackets). Host names other than `localhost` are not
/// resolved: say which address you mean.
pub fn parse_addr(value: &str, default_port: u16) -> Result<SocketAddr, GuardError> {
    let bad = || GuardError::BadAddr {
        value: value.to_string(),
        default_port,
    };
    let v = value.trim();
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    if let Ok(port) = v.trim_start_matches(':').parse::<u16>() {
        return Ok(SocketAddr::new(loopback, port));
    }
    if let Ok(addr) = v.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Ok(ip) = v
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        return Ok(SocketAddr::new(ip, default_port));
    }
    let (host, port) = match v.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad())?),
        None => (v, default_port),
    };
    if host.eq_ignore_ascii_case("localhost") {
        Ok(SocketAddr::new(loopback, port))
    } else {
        Err(bad())
    }
}

/// The bind policy: loopback always; anything else only with `allow_remote`
/// and at least one token.
pub fn check_bind(addr: SocketAddr, allow_remote: bool, tokens: &Tokens) -> Result<(), GuardError> {
    if is_loopback(addr.ip()) {
        Ok(())
    } else if !allow_remote {
        Err(GuardError::NotLoopback { addr })
    } else if tokens.is_empty() {
        Err(GuardError::RemoteWithoutToken { addr })
    } else {
        Ok(())
    }
}

fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// One accepted token, optionally bound to the agent it stands for.
struct Token {
    agent: Option<String>,
    secret: Vec<u8>,
}

/// The accepted bearer tokens (none: no token is asked for). `Debug` never
/// shows a secret.
#[derive(Default)]
pub struct Tokens(Vec<Token>);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} configured)", self.0.len())
    }
}

impl Tokens {
    /// No token: every request that passes the Host/Origin rules is served.
    pub fn none() -> Tokens {
        Tokens::default()
    }

    /// One token standing for no particular agent (what `ORCHESTRON_TOKEN`
    /// gives).
    pub fn single(secret: &str, source_name: &str) -> Result<Tokens, GuardError> {
        Ok(Tokens(vec![token(None, secret, source_name)?]))
    }

    /// The tokens from `--token-file` (one per line: `TOKEN`, or `AGENT TOKEN`
    /// to bind a token to an agent's name; `#` starts a comment) and from
    /// `ORCHESTRON_TOKEN` (pass its value, `None` when unset).
    pub fn load(file: Option<&Path>, env_token: Option<&str>) -> Result<Tokens, GuardError> {
        let mut tokens = Vec::new();
        if let Some(path) = file {
            let text = Orchestron::read_input_file(path).map_err(GuardError::TokenFile)?;
            tokens.extend(parse_token_file(&text, path)?);
        }
        if let Some(secret) = env_token.filter(|t| !t.trim().is_empty()) {
            tokens.push(token(None, secret.trim(), "ORCHESTRON_TOKEN")?);
        }
        Ok(Tokens(tokens))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The token equal to `presented`, comparing against every configured
    /// token in constant time (no early exit on the first match).
    fn find(&self, presented: &[u8]) -> Option<&Token> {
        let mut found = None;
        for t in &self.0 {
            if bool::from(t.secret.as_slice().ct_eq(presented)) {
                found = found.or(Some(t));
            }
        }
        found
    }
}

fn token(agent: Option<String>, secret: &str, source_name: &str) -> Result<Token, GuardError> {
    if secret.chars().count() < MIN_TOKEN_LEN {
        return Err(GuardError::ShortToken {
            source_name: source_name.to_string(),
        });
    }
    Ok(Token {
        agent,
        secret: secret.as_bytes().to_vec(),
    })
}

fn parse_token_file(text: &str, path: &Path) -> Result<Vec<Token>, GuardError> {
    let mut tokens = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        let words: Vec<&str> = line.split_whitespace().collect();
        let source_name = format!("{}:{}", path.display(), n + 1);
        match words.as_slice() {
            [] => {}
            [secret] => tokens.push(token(None, secret, &source_name)?),
            [agent, secret] => {
                tokens.push(token(Some((*agent).to_string()), secret, &source_name)?)
            }
            more => {
                return Err(GuardError::TokenLine {
                    path: path.to_path_buf(),
                    line: n + 1,
                    fields: more.len(),
                });
            }
        }
    }
    if tokens.is_empty() {
        return Err(GuardError::NoToken {
            path: path.to_path_buf(),
        });
    }
    Ok(tokens)
}

/// Who a request authenticated as, put into the request's extensions when a
/// token was presented: the agent's name when the token file binds one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub agent: Option<String>,
}

/// Why a request was turned away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// 403: a Host or Origin this server does not answer.
    Forbidden(String),
    /// 401: a token is required and was missing or wrong.
    Unauthorized(String),
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let (status, text) = match self {
            Rejection::Forbidden(t) => (StatusCode::FORBIDDEN, t),
            Rejection::Unauthorized(t) => (StatusCode::UNAUTHORIZED, t),
        };
        let mut response = (status, format!("{text}\n")).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The rules for one bound listener; cheap to clone.
#[derive(Clone)]
pub struct Guard {
    bound: SocketAddr,
    tokens: Arc<Tokens>,
    max_body: usize,
}

/// At most this much of a header value is quoted back in a rejection.
const QUOTE_MAX: usize = 80;

fn quoted(value: &str) -> String {
    let shown: String = value.chars().take(QUOTE_MAX).collect();
    format!("{shown:?}")
}

impl Guard {
    /// The rules for a listener bound at `bound` (its real address, after
    /// binding, so that port 0 is resolved).
    pub fn new(bound: SocketAddr, tokens: Tokens) -> Guard {
        Guard {
            bound,
            tokens: Arc::new(tokens),
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Sets the largest request body accepted (413 past it).
    pub fn with_max_body(mut self, bytes: usize) -> Guard {
        self.max_body = bytes;
        self
    }

    pub fn bound(&self) -> SocketAddr {
        self.bound
    }

    /// Whether the listener is loopback-only (then Host is checked strictly).
    pub fn is_loopback(&self) -> bool {
        is_loopback(self.bound.ip())
    }

    /// Wraps every route of `router` in the guard. Call it last: routes added
    /// afterwards are not protected.
    pub fn protect<S: Clone + Send + Sync + 'static>(&self, router: Router<S>) -> Router<S> {
        router
            .layer(tower_http::limit::RequestBodyLimitLayer::new(self.max_body))
            .layer(middleware::from_fn_with_state(self.clone(), guard_request))
    }

    /// Decides on a request's headers: the caller it authenticated as
    /// (`None` when no token is configured), or why it is refused.
    pub fn admit(
        &self,
        headers: &HeaderMap,
        uri_authority: Option<&Authority>,
    ) -> Result<Option<Caller>, Rejection> {
        let host = self.check_host(headers, uri_authority)?;
        self.check_origin(headers, host.as_ref())?;
        self.check_token(headers)
    }

    fn expected_hosts(&self) -> String {
        let b = self.bound;
        format!("{b} or localhost:{}", b.port())
    }

    fn check_host(
        &self,
        headers: &HeaderMap,
        uri_authority: Option<&Authority>,
    ) -> Result<Option<Authority>, Rejection> {
        let raw = match headers.get(header::HOST) {
            Some(v) => Some(v.to_str().map_err(|_| {
                Rejection::Forbidden("forbidden: the Host header is not readable text".into())
            })?),
            None => None,
        };
        let authority = match raw {
            Some(raw) => Some(raw.parse::<Authority>().map_err(|_| {
                Rejection::Forbidden(format!(
                    "forbidden: the Host header {} is not host[:port]",
                    quoted(raw)
                ))
            })?),
            None => uri_authority.cloned(),
        };
        if !self.is_loopback() {
            // A remote bind always has a token: a page that rebinds a name to
            // this address cannot present it, so any Host may pass.
            return Ok(authority);
        }
        let Some(authority) = authority else {
            return Err(Rejection::Forbidden(format!(
                "forbidden: the request names no Host (this server answers {})",
                self.expected_hosts()
            )));
        };
        let port = authority.port_u16().unwrap_or(80);
        let host = authority.host();
        let names_us = host.eq_ignore_ascii_case("localhost")
            || parse_host_ip(host).is_some_and(|ip| ip == self.bound.ip());
        if names_us && port == self.bound.port() {
            Ok(Some(authority))
        } else {
            Err(Rejection::Forbidden(format!(
                "forbidden: the Host header {} does not name this server (it answers {}); \
                 this protects local servers from DNS rebinding",
                quoted(authority.as_str()),
                self.expected_hosts()
            )))
        }
    }

    fn check_origin(&self, headers: &HeaderMap, host: Option<&Authority>) -> Result<(), Rejection> {
        let Some(value) = headers.get(header::ORIGIN) else {
            return Ok(());
        };
        let refuse = |shown: &str| {
            Rejection::Forbidden(format!(
                "forbidden: Origin {} may not call this server (only loopback origins such as \
                 http://localhost:{} may); this protects local servers from DNS rebinding",
                quoted(shown),
                self.bound.port()
            ))
        };
        let text = value.to_str().map_err(|_| refuse("(not text)"))?;
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(refuse(text));
        };
        if !matches!(scheme, "http" | "https") {
            return Err(refuse(text));
        }
        let Ok(authority) = rest.parse::<Authority>() else {
            return Err(refuse(text));
        };
        let h = authority.host();
        let loopback =
            h.eq_ignore_ascii_case("localhost") || parse_host_ip(h).is_some_and(is_loopback);
        let same_origin =
            host.is_some_and(|own| own.as_str().eq_ignore_ascii_case(authority.as_str()));
        if loopback || same_origin {
            Ok(())
        } else {
            Err(refuse(text))
        }
    }

    fn check_token(&self, headers: &HeaderMap) -> Result<Option<Caller>, Rejection> {
        let tokens = &self.tokens;
        if tokens.is_empty() {
            return Ok(None);
        }
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Err(Rejection::Unauthorized(
                "unauthorized: this server needs `Authorization: Bearer TOKEN`".into(),
            ));
        };
        let bytes = value.as_bytes();
        let presented = match bytes.get(..7) {
            Some(scheme) if scheme.eq_ignore_ascii_case(b"bearer ") => bytes[7..].trim_ascii(),
            _ => {
                return Err(Rejection::Unauthorized(
                    "unauthorized: the Authorization header is not `Bearer TOKEN`".into(),
                ));
            }
        };
        match tokens.find(presented) {
            Some(t) => Ok(Some(Caller {
                agent: t.agent.clone(),
            })),
            None => Err(Rejection::Unauthorized(
                "unauthorized: the bearer token is not one this server accepts".into(),
            )),
        }
    }
}

/// `127.0.0.1` or `[::1]` as an address; a name is `None`.
fn parse_host_ip(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .ok()
}

/// The middleware: refuse, or serve with the caller attached, and never let a
/// wildcard CORS header out.
async fn guard_request(State(guard): State<Guard>, mut request: Request, next: Next) -> Response {
    match guard.admit(request.headers(), request.uri().authority()) {
        Err(rejection) => {
            tracing::warn!(
                method = %request.method(),
                path = %request.uri().path(),
                "refused: {rejection:?}"
            );
            rejection.into_response()
        }
        Ok(caller) => {
            if let Some(caller) = caller {
                request.extensions_mut().insert(caller);
            }
            let mut response = next.run(request).await;
            let headers = response.headers_mut();
            if headers
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_some_and(|v| v.as_bytes() == b"*")
            {
                headers.remove(header::ACCESS_CONTROL_ALLOW_ORIGIN);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests;
