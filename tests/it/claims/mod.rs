//! Claims across processes, worktrees and time: concurrent claimers each get
//! a different task or "nothing ready", a lease expires and is taken over,
//! a renewal leaves the task file alone, and a task held in another worktree
//! of the clone is not ready there. Real processes, real git, no sleeps: the
//! lease clock is moved with `ORCHESTRON_NOW`.

mod closed;
mod concurrent;
mod lease;
pub(crate) mod remote;
