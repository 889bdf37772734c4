//! The board adapter: the backlog at a glance. `crate::api::Orchestron::board`
//! builds the board once as plain data (columns, cards, the sprint with its
//! burndown, the latest handoff); this module only draws it — in a terminal
//! ([`terminal`]), as one self-contained HTML page ([`html`]) and live in a
//! browser (`serve`, with the `http` cargo feature: the page over loopback HTTP, new boards pushed by
//! server-sent events as the files change, status changes in write mode).
//! Like every adapter it reaches files, the cache and git only through `api`.

pub mod html;
#[cfg(feature = "http")]
pub mod serve;
pub mod terminal;
