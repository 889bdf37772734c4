//! The one API of use-cases. Both adapters — the CLI for humans and the MCP
//! server for agents — call these methods and nothing below them, so whatever an
//! agent can do a human can do, through the same code path. This layer composes
//! the store (files), the index (queries, change feed) and git; it owns
//! validation, locking and id allocation.

mod agents_md;
mod archive;
mod board;
mod broken;
mod claim;
mod closed_mark;
mod contexts;
mod credit;
mod diff;
mod digest;
mod error;
mod export;
mod git_repo;
mod graph;
mod history;
mod identity;
mod import;
mod init;
pub mod insights;
mod layout;
mod lease;
mod live_updates;
mod mcp_clients;
mod merging;
mod monitor_loan;
mod overview;
mod prime;
mod refresh;
mod remote_claim;
mod remote_lost;
mod skill;
mod sprints;
mod sync;
mod task_patch;
mod tasks;
mod templates;
mod updates;
mod write;

pub use agents_md::{AgentFile, SectionOutcome};
pub use archive::{ArchiveReport, ArchiveRequest};
pub use board::{Board, BoardColumn, BoardQuery, BoardSprint, CLOSED_LIMIT, Card};
pub use broken::BrokenRecordView;
pub use claim::ClaimOptions;
pub use closed_mark::ClosedElsewhere;
pub use contexts::{ContextView, HandoffInput, ResumeFacts, SaveContext, SessionSummary};
pub use diff::{BacklogDiff, Move, SprintDiff, TaskDiff};
pub use digest::{ChangeGroup, Digest, Digester};
pub use error::{Error, ErrorClass, Result};
pub use export::BacklogExport;
pub use history::{HistoryEntry, HistoryOp, TaskHistory};
pub use import::{ImportInput, ImportReport, ImportRequest, ImportSource, Imported, Reimported};
pub use init::InitReport;
pub use insights::Report;
pub use insights::bottlenecks::Bottlenecks;
pub use insights::flow::Flow;
pub use insights::forecast::Forecast;
pub use insights::sprint_progress::Burndown;
pub use layout::LineMerge;
pub use lease::{ClaimView, HeldTask};
pub use live_updates::{LiveUpdates, RecordChange, RecordEvent};
pub use mcp_clients::{McpClient, McpConfigReport};
pub use merging::{DriverOutcome, GitSetup};
pub use monitor_loan::{AUTO_START_TASKS, WatcherStatus, start_background_watcher};
pub use overview::{Overview, SprintProgress};
pub use prime::{HandoffBrief, HeldWork, Prime};
pub use refresh::Progress;
pub use skill::{SkillCopy, SkillOutcome};
pub use sprints::{NewSprint, SprintUpdated, SprintView};
pub use sync::{DEFAULT_SYNC_TIMEOUT, SyncOptions, SyncReport};
pub use task_patch::TaskPatch;
pub use tasks::{NewTask, TaskSummary, TaskView, Updated};
pub use templates::TEMPLATES;
pub use updates::{MAX_PAGE, Updates};
pub use write::ClaimLost;

use crate::index::Index;
use crate::model::Clock;
use crate::store::Workspace;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// How to open a workspace.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// `--root`: a workspace folder or a project folder holding `.orchestron/`.
    pub root: Option<PathBuf>,
    /// Where discovery starts when `root` is not given.
    pub cwd: PathBuf,
    /// `--agent`: who is acting (wins over `ORCHESTRON_AGENT`).
    pub agent: Option<String>,
    /// Told (files read, files in all) while the first command on a new
    /// cache builds the index, for a progress bar.
    pub build_progress: Option<fn(usize, usize)>,
    /// Starts a watcher of the workspace folder given in the background
    /// (see `monitor_loan.rs`); only an adapter knows how (the CLI runs
    /// `orchestron watch --background`). `None`: never started from here.
    pub start_watcher: Option<fn(&Path)>,
    /// The clock every record and lease time is read from: the system clock,
    /// or the one an adapter set from `ORCHESTRON_NOW` at its edge.
    pub clock: Clock,
}

/// An open workspace with its index, refreshed and ready for use-cases.
pub struct Orchestron {
    ws: Workspace,
    index: Index,
    agent: Option<String>,
    client: Option<String>,
    actor: OnceLock<String>,
    claim_scope: OnceLock<lease::ClaimScope>,
    /// The repository around the workspace, once found (see `git_repo.rs`).
    git: OnceLock<crate::git::KeptRepo>,
    /// A long-running process's file monitor (see `refresh.rs`) and where
    /// this index stands in its stream of changes.
    monitor: Option<std::sync::Arc<crate::store::Monitor>>,
    monitor_token: Option<crate::store::Token>,
    /// The hold of the workspace lock (`WorkspaceLock::hold`) under which
    /// [`Orchestron::refresh_then`] last refreshed the index.
    fresh_in_hold: Option<u64>,
    /// The hold under which [`Orchestron::refresh_with_archive_then`] went
    /// over the archive too, until the use-case's refresh takes it.
    archive_fresh_in_hold: Option<u64>,
    /// The socket through which this process lends its monitor to CLI
    /// commands (see `monitor_loan.rs`), while it serves one.
    lent: Option<crate::store::MonitorServer>,
    /// See [`OpenOptions::build_progress`].
    build_progress: Option<fn(usize, usize)>,
    /// See [`OpenOptions::start_watcher`].
    start_watcher: Option<fn(&Path)>,
    /// See [`OpenOptions::clock`].
    clock: Clock,
}

impl Orchestron {
    /// Opens the workspace and brings the index up to date with the files.
    /// A command that writes opens with [`Orchestron::open_to_write`] instead.
    pub fn open(opts: &OpenOptions) -> Result<Self> {
        let mut o = Self::open_unrefreshed(opts)?;
        o.refresh()?;
        Ok(o)
    }

    /// Opens the workspace for one use-case that writes and runs it: the
    /// refresh and `write` under one hold of the workspace lock
    /// ([`Orchestron::refresh_then`]), so the process takes the OS lock once
    /// for both — as an MCP call that writes does — and no other writer
    /// lands between what the refresh read and the write. A read opens with
    /// [`Orchestron::open`], whose refresh locks only when it has files to
    /// read.
    pub fn open_to_write<T>(
        opts: &OpenOptions,
        write: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        Self::open_unrefreshed(opts)?.refresh_then(write)?
    }

    /// [`Orchestron::open_to_write`] for a use-case that reads the archive
    /// too (export, archive, import, check): its one refresh covers both
    /// ([`Orchestron::refresh_with_archive_then`]).
    pub fn open_with_archive<T>(
        opts: &OpenOptions,
        then: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        Self::open_unrefreshed(opts)?.refresh_with_archive_then(then)?
    }

    /// The database file that holds the index cache now (a rebuild writes
    /// a new one, see docs/INDEX.md), for people who query it with `sqlite3`.
    pub fn index_file(&self) -> std::path::PathBuf {
        self.index.path().to_path_buf()
    }

    /// Opens the workspace without bringing the index up to date first: only
    /// for [`Orchestron::rebuild_index`], which replaces the index anyway (on a
    /// missing cache a refresh would build it twice).
    pub fn open_for_rebuild(opts: &OpenOptions) -> Result<Self> {
        Self::open_unrefreshed(&OpenOptions {
            build_progress: None,
            start_watcher: None,
            ..opts.clone()
        })
    }

    /// The workspace and its index, not refreshed: the ways in above
    /// refresh before a use-case reads (or, for a rebuild, replace the index).
    fn open_unrefreshed(opts: &OpenOptions) -> Result<Self> {
        let t = crate::timing::Phase::start();
        let ws = Workspace::open(opts.root.as_deref(), &opts.cwd)?;
        t.lap("open: workspace");
        let index = Index::open(&ws.db_path()?)?;
        t.lap("open: index");
        Ok(Orchestron {
            ws,
            index,
            agent: opts.agent.clone(),
            client: None,
            actor: OnceLock::new(),
            claim_scope: OnceLock::new(),
            git: OnceLock::new(),
            monitor: None,
            monitor_token: None,
            fresh_in_hold: None,
            archive_fresh_in_hold: None,
            lent: None,
            build_progress: opts.build_progress,
            start_watcher: opts.start_watcher,
            clock: opts.clock.clone(),
        })
    }

    /// Writes the Orchestron section of AGENTS.md (and of CLAUDE.md or
    /// GEMINI.md when it exists or that client is being set up) in
    /// `project`; see `agents_md.rs`.
    pub fn write_agent_instructions(
        project: &Path,
        client: Option<McpClient>,
    ) -> Result<Vec<AgentFile>> {
        agents_md::write_agent_instructions(project, client)
    }

    /// Writes the `orchestron` Agent Skill where the clients read skills;
    /// see `skill.rs`.
    pub fn install_skill(project: &Path, force: bool) -> Result<Vec<SkillCopy>> {
        skill::install_skill(project, force)
    }

    /// Writes a file the user named (a rendered board page, …): a new path or
    /// a regular file is replaced atomically, a symbolic link, FIFO or device
    /// is written through (`store::write_file`).
    pub fn write_output_file(path: &Path, bytes: &[u8]) -> Result<()> {
        Ok(crate::store::write_named_file(path, bytes)?)
    }

    /// Reads a small text file the user named (an HTTP token file) through
    /// the store: at most 1 MiB, so a wrong path is refused, not read whole.
    pub fn read_input_file(path: &Path) -> Result<String> {
        const MAX: u64 = 1 << 20;
        Ok(crate::store::read_small_text(path, MAX)?)
    }

    /// The clock this workspace's use-cases read: record timestamps, leases,
    /// claim marks, insights and archive age all ask it.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The workspace folder (`…/.orchestron`), for adapters to show and to
    /// hand back to [`Orchestron::git_setup`].
    pub fn root(&self) -> &Path {
        self.ws.root()
    }

    /// Records the MCP client's name (from `clientInfo`), used as the actor
    /// unless `--agent` or `ORCHESTRON_AGENT` says otherwise.
    pub fn set_client_name(&mut self, name: &str) {
        self.client = Some(name.to_string());
        self.actor = OnceLock::new();
    }
}
