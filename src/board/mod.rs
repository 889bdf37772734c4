//! The board adapter: the backlog at a glance. `crate::api::Orchestron::board`
//! builds the board once as plain data (columns, cards, the sprint with its
//! burndown, the latest handoff); this module draws it for browsers — as one
//! self-contained HTML page ([`html`]) and live (`serve`, with the `http`
//! cargo feature: the page over loopback HTTP, new boards pushed by
//! server-sent events as the files change, status changes in write mode).
//! The terminal board is the CLI's (`cli::board`), drawn with its text helpers.
//! Like every adapter it reaches files, the cache and git only through `api`.

pub mod html;
#[cfg(feature = "http")]
pub mod serve;
