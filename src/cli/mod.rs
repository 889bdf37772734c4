//! The command-line adapter for humans and scripts. Each command group is its
//! own module; each parses its arguments with clap (doc comments are the help
//! text), calls the API, and prints a readable table or, with `--json`, the
//! API's records as stable JSON. Errors become a message on stderr and an exit
//! code (see [`exit`]); a closed pipe (`orchestron task list | head`) is success.

mod archive;
mod board;
mod check;
mod context;
mod diff;
mod exit;
mod export;
mod git;
mod history;
mod import;
mod init;
mod listen;
mod logging;
mod mcp;
mod merge_driver;
mod output;
mod prime;
mod rebuild;
mod report;
#[cfg(feature = "http")]
mod serve;
mod sprint;
mod status;
mod sync;
mod task;
mod updates;
mod watch;

use crate::api::{OpenOptions, Orchestron};
use crate::model::Clock;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Orchestron: a task tracker for AI coding agents and the humans who work with them.
///
/// Records live as YAML files in `.orchestron/` inside your git repository;
/// agents use the same records through `orchestron mcp`.
#[derive(Debug, Parser)]
#[command(
    name = "orchestron",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Workspace to use: a project folder holding `.orchestron/`, or a workspace
    /// folder itself (such as `.orchestron-example/`). Default: discover upward.
    #[arg(long, global = true, value_name = "DIR", env = "ORCHESTRON_ROOT")]
    root: Option<PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    /// Who is acting (recorded as author/assignee); wins over `ORCHESTRON_AGENT`.
    /// Default: `ORCHESTRON_AGENT`, then git user.name, then $USER.
    #[arg(long, global = true, value_name = "NAME")]
    agent: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create `.orchestron/` in the current directory (or --root).
    Init(init::InitArgs),
    /// The overview: tasks by status, the active sprint, work in progress, what
    /// is ready next, the latest handoff, and any problems.
    Status,
    /// The backlog at a glance: status columns of cards (`--html FILE` for one
    /// self-contained page).
    Board(board::BoardArgs),
    /// Create, list, show and change tasks.
    #[command(subcommand)]
    Task(task::TaskCommand),
    /// Plan and follow sprints.
    #[command(subcommand)]
    Sprint(sprint::SprintCommand),
    /// Save and read context snapshots for the next session.
    #[command(subcommand)]
    Context(context::ContextCommand),
    /// Leave a handoff for the next session and note it on the task.
    Handoff(context::HandoffArgs),
    /// What changed since you last looked (your cursor is kept in the cache).
    Updates(updates::UpdatesArgs),
    /// What an agent needs at the start of a session or after compaction: who
    /// it is, what it holds, the latest handoff, updates, what is ready, the rules.
    Prime(prime::PrimeArgs),
    /// Validate every record; print each problem as path:line:col; exit non-zero on errors.
    Check,
    /// Put closed tasks and sprints away in `.orchestron/archive/` (git mv):
    /// lists, ready, prompts and updates leave them out; `task show` finds them.
    Archive(archive::ArchiveArgs),
    /// Bring tasks in from GitHub issues, Claude Code task lists, Backlog.md,
    /// Beads or an Orchestron export (idempotent: a second run creates nothing).
    Import(import::ImportArgs),
    /// The whole backlog as one JSON document (`--json`, the default), or the
    /// open work as Markdown (`--markdown`).
    Export(export::ExportArgs),
    /// Manage the SQLite index cache.
    #[command(subcommand)]
    Index(rebuild::IndexCommand),
    /// The board live in a browser: the HTML page over loopback HTTP, updated
    /// as files change; `--write` lets cards move between columns.
    #[cfg(feature = "http")]
    Serve(serve::ServeArgs),
    /// Serve the MCP server on stdio (for Claude Code, Codex, Cursor, VS Code…).
    Mcp(mcp::McpArgs),
    /// Watch the record files and tell CLI commands what changed, so that they
    /// need not stat every file. Commands start one by themselves in a large
    /// workspace (`watcher: auto` in config.yaml, the default); this one runs
    /// until stopped.
    Watch(watch::WatchArgs),
    /// Insights: flow metrics, the sprint's burndown, bottlenecks (or one part).
    Report(report::ReportArgs),
    /// Forecast when a task (with its subtree and dependencies) or a sprint is done.
    Predict(report::PredictArgs),
    /// What a range of commits does to the backlog (for a PR description):
    /// tasks created, closed, moved, re-prioritised, re-assigned, clarified.
    Diff(diff::DiffArgs),
    /// Share the backlog: commit what changed under `.orchestron/` (only),
    /// pull through the merge driver, push; when another push won, waits a
    /// random, growing while and tries again until `--timeout`.
    Sync(sync::SyncArgs),
    /// Git integration: `git setup` installs the merge driver in this clone.
    #[command(subcommand)]
    Git(git::GitCommand),
    /// The merge driver git runs for record files (configured by `git setup`):
    /// a field-level three-way merge; exit 0 when merged cleanly.
    #[command(hide = true)]
    MergeDriver(merge_driver::MergeDriverArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
}

/// Shared by every command: the parsed global flags.
pub(crate) struct Ctx {
    pub json: bool,
    pub(crate) opts: OpenOptions,
}

impl Ctx {
    /// Opens the workspace for a command that reads; on a terminal, the
    /// first command on a new cache shows `index rebuild`'s progress bar
    /// while it builds the index.
    pub fn open(&self) -> crate::api::Result<Orchestron> {
        let opened = Orchestron::open(&self.open_options());
        output::clear_building_bar();
        opened
    }

    /// Opens the workspace for a command that writes and runs its use-case:
    /// the refresh and `write` under one hold of the workspace lock
    /// ([`Orchestron::open_to_write`]). Every command that changes a record
    /// file comes through here; printing the result waits until the lock is
    /// let go.
    pub fn write<T>(
        &self,
        write: impl FnOnce(&mut Orchestron) -> crate::api::Result<T>,
    ) -> crate::api::Result<T> {
        let written = Orchestron::open_to_write(&self.open_options(), |o| {
            output::clear_building_bar();
            write(o)
        });
        output::clear_building_bar();
        written
    }

    /// [`Ctx::write`] for a command whose use-case reads the archive too
    /// (export, archive, import, check): one stat pass over live and
    /// archived files ([`Orchestron::open_with_archive`]), not two.
    pub fn with_archive<T>(
        &self,
        then: impl FnOnce(&mut Orchestron) -> crate::api::Result<T>,
    ) -> crate::api::Result<T> {
        let done = Orchestron::open_with_archive(&self.open_options(), |o| {
            output::clear_building_bar();
            then(o)
        });
        output::clear_building_bar();
        done
    }

    /// The options every command opens with: a background watcher may be
    /// started, and on a terminal a new cache is built behind a progress bar.
    fn open_options(&self) -> OpenOptions {
        OpenOptions {
            build_progress: output::wants_progress(self.json).then_some(output::building_bar as _),
            start_watcher: Some(crate::api::start_background_watcher),
            ..self.opts.clone()
        }
    }

    /// Opens without refreshing, for `index rebuild`.
    pub fn open_for_rebuild(&self) -> crate::api::Result<Orchestron> {
        Orchestron::open_for_rebuild(&self.opts)
    }

    /// The project folder `init` works in: `--root` or the current directory.
    pub fn project_dir(&self) -> PathBuf {
        match &self.opts.root {
            Some(r) if r.is_absolute() => r.clone(),
            Some(r) => self.opts.cwd.join(r),
            None => self.opts.cwd.clone(),
        }
    }
}

/// A command line clap refuses. A bad value (an unknown enum value, a number
/// that is not one) is invalid input, exit 4 as everywhere else; a malformed
/// command line stays clap's usage error, exit 2; `--help` and `--version`
/// print and succeed.
fn usage_error(e: &clap::Error) -> i32 {
    use clap::error::ErrorKind;
    let code = match e.kind() {
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => exit::Code::InvalidInput as i32,
        _ => e.exit_code(),
    };
    // Printed through clap (it knows stdout for help, stderr for errors); a
    // closed stream is ignored like every other write at the edge.
    let _ = e.print();
    code
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let t = crate::timing::Phase::start();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    t.lap("cli: parse arguments");
    logging::init_if_asked();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let ctx = Ctx {
        json: cli.json,
        opts: OpenOptions {
            root: cli.root.clone(),
            cwd,
            agent: cli.agent.clone(),
            build_progress: None,
            start_watcher: None,
            // The one place a process reads `ORCHESTRON_NOW`: every command,
            // `orchestron mcp` and `board --serve` open with this clock.
            clock: Clock::from_override(std::env::var("ORCHESTRON_NOW").ok().as_deref()),
        },
    };
    let result = match cli.command {
        Command::Init(args) => init::run(&ctx, args),
        Command::Status => status::status(&ctx),
        Command::Board(args) => board::run(&ctx, args),
        Command::Task(cmd) => task::run(&ctx, cmd),
        Command::Sprint(cmd) => sprint::run(&ctx, cmd),
        Command::Context(cmd) => context::run(&ctx, cmd),
        Command::Handoff(args) => context::handoff(&ctx, args),
        Command::Updates(args) => updates::updates(&ctx, args),
        Command::Prime(args) => prime::run(&ctx, args),
        Command::Check => check::run(&ctx),
        Command::Archive(args) => archive::run(&ctx, args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Index(cmd) => rebuild::index(&ctx, cmd),
        Command::Mcp(args) => mcp::run(&ctx, args),
        Command::Watch(args) => watch::run(&ctx, args),
        #[cfg(feature = "http")]
        Command::Serve(args) => serve::run(&ctx, args),
        Command::Report(args) => report::report(&ctx, args),
        Command::Predict(args) => report::predict(&ctx, args),
        Command::Diff(args) => diff::diff(&ctx, args),
        Command::Sync(args) => sync::run(&ctx, args),
        Command::Git(cmd) => git::setup(&ctx, cmd),
        Command::MergeDriver(args) => merge_driver::merge_driver(args),
        Command::Completions { shell } => {
            // clap_complete unwraps its writes: generate into memory so that a
            // closed pipe (`… | head -1`) is our `BrokenPipe`, not its panic.
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "orchestron", &mut script);
            output::write_all(&script)
                .map(|()| exit::Code::Ok)
                .map_err(exit::CliError::from)
        }
    };
    t.lap("cli: command");
    exit::finish(result)
}
