//! One table over every `api::Error` variant (and the store, index and git
//! errors it wraps): the exit code the CLI gives it and the class and
//! JSON-RPC code MCP gives it, so that the README's table and both adapters
//! agree. A new variant does not compile until `variant` names it, and the
//! table must hold an example of each name.

use super::*;
use crate::mcp::error::{Failure, Request};
use rmcp::model::ErrorCode;
use std::path::PathBuf;

/// The name of `e`'s variant; exhaustive on purpose (no `_` arm).
fn variant(e: &Error) -> &'static str {
    match e {
        Error::Store(_) => "Store",
        Error::Index(_) => "Index",
        Error::Model(_) => "Model",
        Error::Git(_) => "Git",
        Error::NotFound { .. } => "NotFound",
        Error::BrokenRecord { .. } => "BrokenRecord",
        Error::Held { .. } => "Held",
        Error::ClosedElsewhere { .. } => "ClosedElsewhere",
        Error::ClaimedByOther { .. } => "ClaimedByOther",
        Error::ImportSource { .. } => "ImportSource",
        Error::Blocked { .. } => "Blocked",
        Error::Cycle { .. } => "Cycle",
        Error::ParentLoop { .. } => "ParentLoop",
        Error::Archived { .. } => "Archived",
        Error::SyncRefused(_) => "SyncRefused",
        Error::Refused(_) => "Refused",
        Error::Invalid(_) => "Invalid",
        Error::Internal { .. } => "Internal",
    }
}

const ALL: &[&str] = &[
    "Store",
    "Index",
    "Model",
    "Git",
    "NotFound",
    "BrokenRecord",
    "Held",
    "ClosedElsewhere",
    "ClaimedByOther",
    "ImportSource",
    "Blocked",
    "Cycle",
    "ParentLoop",
    "Archived",
    "SyncRefused",
    "Refused",
    "Invalid",
    "Internal",
];

fn io() -> std::io::Error {
    std::io::Error::other("disk on fire")
}

fn table() -> Vec<(Error, Code, ErrorClass, ErrorCode)> {
    use crate::git::GitError;
    use crate::index::IndexError;
    use crate::model::ModelError;
    use crate::store::StoreError;
    let path = || PathBuf::from("x");
    let s = |e: &str| e.to_string();
    let (bad, refused, broken, gone, unreachable, internal) = (
        ErrorCode::INVALID_PARAMS,
        ErrorCode::INVALID_PARAMS,
        ErrorCode(-32010),
        ErrorCode::RESOURCE_NOT_FOUND,
        ErrorCode(-32011),
        ErrorCode::INTERNAL_ERROR,
    );
    use ErrorClass as C;
    vec![
        (
            StoreError::NotFound { start: path() }.into(),
            Code::NoWorkspace,
            C::NoWorkspace,
            ErrorCode::INVALID_REQUEST,
        ),
        (
            StoreError::Locked {
                path: path(),
                waited: std::time::Duration::ZERO,
            }
            .into(),
            Code::Conflict,
            C::Conflict,
            refused,
        ),
        (
            StoreError::UserFile {
                path: path(),
                source: io(),
            }
            .into(),
            Code::InvalidInput,
            C::InvalidInput,
            bad,
        ),
        (
            StoreError::Config {
                path: path(),
                line: 2,
                column: 3,
                message: s("bad"),
            }
            .into(),
            Code::Problems,
            C::BrokenRecord,
            broken,
        ),
        (
            StoreError::io(path(), io()).into(),
            Code::Internal,
            C::Internal,
            internal,
        ),
        (
            IndexError::InvalidCursor { cursor: s("c") }.into(),
            Code::InvalidInput,
            C::InvalidInput,
            bad,
        ),
        (
            ModelError::Empty { field: "title" }.into(),
            Code::InvalidInput,
            C::InvalidInput,
            bad,
        ),
        (
            GitError::UnknownRevision {
                rev: s("r"),
                message: s("m"),
            }
            .into(),
            Code::InvalidInput,
            C::InvalidInput,
            bad,
        ),
        (
            GitError::Unreachable {
                remote: s("origin"),
                stderr: s(""),
            }
            .into(),
            Code::Unavailable,
            C::Unavailable,
            unreachable,
        ),
        (
            Error::NotFound {
                kind: "task",
                id: s("TASK-x"),
                suggestions: vec![],
            },
            Code::NotFound,
            C::NotFound,
            gone,
        ),
        (
            Error::BrokenRecord {
                path: s("tasks/TASK-x.yaml"),
                line: 1,
                column: 1,
                message: s("bad"),
            },
            Code::Problems,
            C::BrokenRecord,
            broken,
        ),
        (
            Error::Held {
                id: s("TASK-x"),
                holder: s("bob"),
            },
            Code::Conflict,
            C::Conflict,
            refused,
        ),
        (
            Error::ClaimedByOther {
                id: s("TASK-x"),
                holder: s("bob"),
            },
            Code::Conflict,
            C::Conflict,
            refused,
        ),
        (
            Error::ImportSource {
                path: s("issues.json"),
                source: StoreError::io(path(), io()),
            },
            Code::InvalidInput,
            C::InvalidInput,
            bad,
        ),
        (
            Error::ClosedElsewhere {
                id: s("TASK-x"),
                closed: s("on main by bob"),
            },
            Code::Conflict,
            C::Conflict,
            refused,
        ),
        (
            Error::Blocked {
                id: s("TASK-x"),
                open: s("TASK-y"),
            },
            Code::Conflict,
            C::Conflict,
            refused,
        ),
        (
            Error::Cycle {
                id: s("TASK-x"),
                on: s("TASK-y"),
                path: s("p"),
            },
            Code::Conflict,
            C::Conflict,
            refused,
        ),
        (
            Error::ParentLoop {
                id: s("TASK-x"),
                parent: s("TASK-y"),
            },
            Code::Conflict,
            C::Conflict,
            refused,
        ),
        (
            Error::Archived { id: s("TASK-x") },
            Code::Conflict,
            C::Conflict,
            refused,
        ),
        (
            Error::SyncRefused(s("merging")),
            Code::Conflict,
            C::Conflict,
            refused,
        ),
        (
            Error::Refused(s("TASK-x is DONE")),
            Code::Conflict,
            C::Conflict,
            refused,
        ),
        (
            Error::Invalid(s("bad")),
            Code::InvalidInput,
            C::InvalidInput,
            bad,
        ),
        (
            Error::internal("encoding", io()),
            Code::Internal,
            C::Internal,
            internal,
        ),
    ]
}

#[test]
fn every_error_variant_has_its_readme_exit_code_and_mcp_class() {
    let table = table();
    for name in ALL {
        assert!(
            table.iter().any(|(e, ..)| variant(e) == *name),
            "no example of Error::{name} in the table"
        );
    }
    for (e, code, class, rpc) in table {
        let what = format!("{} ({e})", variant(&e));
        let failure = Failure::from_api(&e);
        assert_eq!(failure.class, class, "{what}: MCP class");
        assert_eq!(
            failure.rpc(Request::Resource("orchestron://tasks/x")).code,
            rpc,
            "{what}: JSON-RPC code"
        );
        // A prompt names what is missing in its parameters (the MCP
        // specification's rule for prompts); every other class reads the same.
        let prompt = if class == ErrorClass::NotFound {
            ErrorCode::INVALID_PARAMS
        } else {
            rpc
        };
        assert_eq!(
            failure.rpc(Request::Prompt).code,
            prompt,
            "{what}: JSON-RPC code of a prompt"
        );
        assert_eq!(code_of(&CliError::Api(e)), code, "{what}: exit code");
    }
}

/// docs/MCP.md's error table names every JSON-RPC code a resource or prompt
/// can answer with, so a client author can tell a broken file from our fault.
#[test]
fn mcp_error_table_in_the_docs_names_every_code() {
    let doc = include_str!("../../../docs/MCP.md");
    for (e, ..) in table() {
        let code = Failure::from_api(&e).rpc(Request::Prompt).code.0;
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "docs/MCP.md's error table has no row for {code} ({})",
            variant(&e)
        );
    }
}

/// The CLI's own failures: an exit code each, and the cause kept as a source
/// (printed once by `with_causes`), never flattened into the message.
#[test]
fn cli_failures_keep_their_cause_and_exit_code() {
    let runtime = CliError::Runtime(io());
    let server = CliError::Server(crate::mcp::ServeError::Bind {
        addr: ([127, 0, 0, 1], 7373).into(),
        source: io(),
    });
    // (error, exit code, how often the io cause shows)
    let cases = vec![
        (CliError::Usage("bad".into()), Code::InvalidInput, 0),
        (CliError::Io(io()), Code::Internal, 1),
        (runtime, Code::Internal, 1),
        (server, Code::Internal, 1),
    ];
    for (e, code, causes) in cases {
        assert_eq!(code_of(&e), code, "{e}: exit code");
        let shown = crate::model::with_causes(&e);
        assert_eq!(shown.matches("disk on fire").count(), causes, "{shown}");
    }
}
