//! The CLI's one edge for errors: every failure becomes a message on stderr (the
//! whole cause chain, each cause once) and a documented exit code. A closed
//! stdout is success, and a closed stderr is ignored rather than a panic.

use crate::api::{Error, ErrorClass};

/// Exit codes (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    Ok = 0,
    /// An unexpected failure (I/O, database).
    Internal = 1,
    // 2 is clap's usage error.
    NotFound = 3,
    InvalidInput = 4,
    /// Refused: held by another agent, a dependency cycle or parent loop.
    Conflict = 5,
    /// `check` found errors, or a record file is broken.
    Problems = 6,
    NoWorkspace = 7,
    /// A git remote the command needs could not be reached (`claims.remote`, `sync`).
    Unavailable = 8,
    /// An import finished, but some items could not be imported (listed).
    Incomplete = 9,
}

/// What a command returns: success with an exit code, or an error.
pub type CmdResult = Result<Code, CliError>;

/// An API error or an output failure.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Api(#[from] Error),
    #[error("writing output")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Usage(String),
    /// A server command (`mcp`, `serve`) could not start its async runtime.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    /// The MCP server could not start or its transport failed.
    #[error("mcp server")]
    Server(#[source] crate::mcp::ServeError),
    /// The board's HTTP server (`orchestron serve`) could not start or failed
    /// (its API errors arrive as [`CliError::Api`]).
    #[cfg(feature = "http")]
    #[error("board server")]
    Board(#[source] crate::board::serve::ServeError),
}

pub fn finish(result: CmdResult) -> i32 {
    match result {
        Ok(code) => code as i32,
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            warn(&format!("error: {}", crate::model::with_causes(&e)));
            code_of(&e) as i32
        }
    }
}

/// The exit code of a failure: its class, as the README's table has it.
fn code_of(e: &CliError) -> Code {
    match e {
        CliError::Api(api) => match api.class() {
            ErrorClass::NotFound => Code::NotFound,
            ErrorClass::InvalidInput => Code::InvalidInput,
            ErrorClass::Conflict => Code::Conflict,
            ErrorClass::BrokenRecord => Code::Problems,
            ErrorClass::NoWorkspace => Code::NoWorkspace,
            ErrorClass::Unavailable => Code::Unavailable,
            ErrorClass::Internal => Code::Internal,
        },
        CliError::Usage(_) => Code::InvalidInput,
        CliError::Io(_) | CliError::Runtime(_) | CliError::Server(_) => Code::Internal,
        #[cfg(feature = "http")]
        CliError::Board(_) => Code::Internal,
    }
}

/// Writes one line to stderr. Unlike `eprintln!`, a closed or full stderr is
/// ignored: there is nowhere left to report it, and a panic would hide the
/// exit code.
pub fn warn(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

#[cfg(test)]
mod tests;
