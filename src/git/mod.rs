//! The git layer: reads of the repository that holds the workspace, and the
//! `git` CLI for anything that must honour the user's hooks and config.

mod identity;
mod state;

pub use identity::user_name;
pub use state::state_of;
