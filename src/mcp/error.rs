//! The MCP adapter's one edge for errors. Every failure — a refused argument,
//! an API error, a workspace that cannot be opened — becomes a [`Failure`]
//! that keeps its class (not found, invalid input, refused, broken record, no
//! workspace, internal). Tools report it as an `isError` result; resources and
//! prompts as a JSON-RPC error whose code is chosen from the class here, once,
//! so the same fault reads the same through every door.

use super::args::ArgError;
use crate::api::{Error as ApiError, ErrorClass};
use rmcp::ErrorData as McpError;
use rmcp::model::ErrorCode;
use serde_json::json;

/// JSON-RPC code of a resource read or prompt that hit a record file that does
/// not parse: the user's file, not a fault of the server (the message names
/// the file, line and column). In the range JSON-RPC leaves to servers.
pub const BROKEN_RECORD: ErrorCode = ErrorCode(-32010);

/// JSON-RPC code of a request that needed a git remote which could not be
/// reached (`claims.remote`): try again later, nothing is wrong with the call.
pub const REMOTE_UNREACHABLE: ErrorCode = ErrorCode(-32011);

/// A failed request as the MCP side reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub class: ErrorClass,
    /// What the caller reads: the message and its causes, each once.
    pub message: String,
}

/// Which kind of request failed: it decides what "not found" is on the wire.
#[derive(Debug, Clone, Copy)]
pub enum Request<'a> {
    /// `resources/read` of this URI: a missing record is "resource not found".
    Resource(&'a str),
    /// `prompts/get`: a missing prompt or task is an invalid parameter (as the
    /// MCP specification has it for prompts).
    Prompt,
}

impl Failure {
    /// A refusal of the caller's input.
    pub fn invalid(message: impl Into<String>) -> Self {
        Failure {
            class: ErrorClass::InvalidInput,
            message: message.into(),
        }
    }

    /// Nothing by that name.
    pub fn not_found(message: impl Into<String>) -> Self {
        Failure {
            class: ErrorClass::NotFound,
            message: message.into(),
        }
    }

    /// A fault on our side.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Failure {
            class: ErrorClass::Internal,
            message: format!("internal error: {message}"),
        }
    }

    /// The one mapping from an API error: its class, and its message with the
    /// causes (an internal fault says so, so that a model does not retry with
    /// other input).
    pub fn from_api(e: &ApiError) -> Self {
        let class = e.class();
        let text = crate::model::with_causes(e);
        match class {
            ErrorClass::Internal => Failure::internal(text),
            _ => Failure {
                class,
                message: text,
            },
        }
    }

    /// The JSON-RPC error for a failed resource read or prompt.
    pub fn rpc(&self, request: Request<'_>) -> McpError {
        let data = match request {
            Request::Resource(uri) => Some(json!({ "uri": uri })),
            Request::Prompt => None,
        };
        let code = match (self.class, request) {
            (ErrorClass::NotFound, Request::Resource(_)) => ErrorCode::RESOURCE_NOT_FOUND,
            (ErrorClass::NotFound, Request::Prompt)
            | (ErrorClass::InvalidInput | ErrorClass::Conflict, _) => ErrorCode::INVALID_PARAMS,
            // Not the caller's parameters: the server cannot serve this folder yet.
            (ErrorClass::NoWorkspace, _) => ErrorCode::INVALID_REQUEST,
            (ErrorClass::BrokenRecord, _) => BROKEN_RECORD,
            (ErrorClass::Unavailable, _) => REMOTE_UNREACHABLE,
            (ErrorClass::Internal, _) => ErrorCode::INTERNAL_ERROR,
        };
        McpError::new(code, self.message.clone(), data)
    }
}

impl From<&ApiError> for Failure {
    fn from(e: &ApiError) -> Self {
        Failure::from_api(e)
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::from_api(&e)
    }
}

/// A tool's own refusals (a bad argument, a number out of range) are the
/// caller's input.
impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::invalid(message)
    }
}

impl From<ArgError> for Failure {
    fn from(e: ArgError) -> Self {
        Failure::invalid(e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_input_stays_invalid_for_resources() {
        let e = ApiError::Invalid("bad id".into());
        let f = Failure::from_api(&e);
        assert_eq!(f.class, ErrorClass::InvalidInput);
        assert_eq!(
            f.rpc(Request::Resource("orchestron://tasks/x")).code,
            ErrorCode::INVALID_PARAMS
        );
    }

    #[test]
    fn no_workspace_is_one_code_for_resources_and_prompts() {
        let f = Failure {
            class: ErrorClass::NoWorkspace,
            message: "no workspace".into(),
        };
        assert_eq!(
            f.rpc(Request::Resource("orchestron://tasks/current")).code,
            f.rpc(Request::Prompt).code
        );
    }
}
