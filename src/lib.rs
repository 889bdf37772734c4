//! Orchestron: a task tracker for AI coding agents and the humans who work with
//! them. Records are YAML files in the project's git repository; a SQLite index
//! makes queries fast; an MCP server and a CLI share one API of use-cases.
//!
//! Layers (each depends only on those below it):
//! `model` ← `store` / `index` / `git` ← `api` ← `cli` / `mcp` / `board` / `http`
//! (`http`, the shared HTTP guard, exists with the `http` cargo feature).
//! Only what an adapter may use is public: the files, the cache and git are
//! crate-private, so benches, examples and tests reach them through `api` like
//! any adapter. Inside the crate `cli`, `mcp`, `board` and `http` name none of them either
//! (`tests/it/layers/` fails if they do).

pub mod api;
pub mod board;
pub mod cli;
pub(crate) mod git;
#[cfg(feature = "http")]
pub mod http;
pub(crate) mod index;
pub mod mcp;
pub mod model;
pub(crate) mod store;
pub mod timing;
