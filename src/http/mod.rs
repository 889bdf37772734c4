//! HTTP adapter infrastructure shared by every HTTP front end (the MCP
//! Streamable HTTP server, the board): the safety rules in [`guard`] — which
//! addresses may be bound, which `Host` and `Origin` a request may carry,
//! the optional bearer token, the body size limit. Like every adapter it never
//! names the files, the cache or git; the use-cases come from `api`.

pub mod guard;

pub use guard::{Caller, Guard, GuardError, Tokens, check_bind, parse_addr};
