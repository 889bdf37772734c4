//! The one integration-test binary: every test that drives the real
//! `orchestron` binary, the MCP server or the crate's public API from outside.
//! One binary links the crate once (separate `tests/*.rs` files each linked it
//! again, which dominated a cold `cargo test` on two cores). A new area of
//! tests is a new module here, never a new file directly under `tests/`
//! (`layers::tests_folder_holds_only_the_one_binary` guards that).

// The whole binary is test code, helpers included (clippy.toml's
// allow-unwrap-in-tests covers only `#[test]` functions): a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agents_md;
mod archive;
mod board;
mod claims;
mod cli;
mod cli_watcher;
mod clients;
mod clock;
mod common;
mod concurrency;
mod crashes;
mod damage;
mod editing;
mod git;
mod hand_written;
mod hostile;
mod hostile_readers;
#[cfg(feature = "http")]
mod http;
mod import;
mod init;
mod insights;
mod layers;
mod load;
mod mcp;
mod merge_fractions;
mod merge_sim;
mod newcomer;
mod output_paths;
mod paths;
mod rebuild;
mod rng;
mod schemas;
mod skill;
mod sync;
mod watched;
mod wire;
