//! Orchestron: a task tracker for AI coding agents and the humans who work with
//! them. Records are YAML files in the project's git repository; a SQLite index
//! makes queries fast; an MCP server and a CLI share one API of use-cases.
//!
//! Layers (each depends only on those below it):
//! `model` ← `store` / `index` / `git` ← `api` ← `cli` / `mcp`.

pub mod api;
pub mod cli;
pub mod git;
pub mod index;
pub mod mcp;
pub mod model;
pub mod store;
pub mod timing;
