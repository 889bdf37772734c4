//! `orchestron task …`: the task commands, including the three whose spelling
//! humans' scripts already use and which therefore never change: `clarify`,
//! `priority --set` and `depend --on`.

use super::Ctx;
use super::exit::{CliError, CmdResult, Code};
use super::output::{self, task_table, task_view};
use crate::api::{NewTask, Orchestron, TaskPatch, Updated};
use crate::model::{ArchiveScope, TaskPage, TaskQuery};
use crate::model::{Priority, Status, TaskType, Vocabulary, describe_changes};
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Create a task.
    Create(CreateArgs),
    /// List tasks: by priority, then what they unblock, then age.
    #[command(alias = "ls")]
    List(ListArgs),
    /// Show one task with its criteria, notes, clarifications and dependencies.
    Show { id: String },
    /// Change a task.
    Update(UpdateArgs),
    /// Add a clarification (agents see it on their next call).
    Clarify { id: String, text: String },
    /// Set a task's priority.
    Priority {
        id: String,
        #[arg(long, value_parser = parse::<Priority>())]
        set: Priority,
        /// Write although another agent holds the task (its claim ends,
        /// a note says whose it was, and it is told).
        #[arg(long)]
        force: bool,
    },
    /// Make a task depend on another (refuses a cycle).
    Depend {
        id: String,
        /// The task it waits for.
        #[arg(long)]
        on: String,
        /// Remove the dependency instead.
        #[arg(long)]
        remove: bool,
        /// Write although another agent holds the task (its claim ends,
        /// a note says whose it was, and it is told).
        #[arg(long)]
        force: bool,
    },
    /// Take a task (or the best ready leaf task): assign it, move it to
    /// IN_PROGRESS and hold it for a lease. Claiming it again renews the lease.
    Claim {
        id: Option<String>,
        /// Claim for someone else.
        #[arg(long)]
        assignee: Option<String>,
        /// How long the claim holds without a write by its holder: 90s, 30m,
        /// 2h (default: `claims.lease` in config.yaml, else 2h).
        #[arg(long)]
        lease: Option<String>,
        /// Claim although dependencies are still open, or although the task
        /// was closed in another worktree or clone (not merged here yet).
        #[arg(long)]
        force: bool,
    },
    /// Give a task you hold back: TODO, unassigned, its claim ended.
    Release {
        id: String,
        /// Write although another agent holds the task (its holder is told).
        #[arg(long)]
        force: bool,
    },
    /// Show the task you should do next (ready, highest priority).
    Next,
    /// Who changed what in a task, commit by commit (from git), newest first.
    History {
        id: String,
        /// How many entries to show (0 = all).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

/// Reads an enum flag leniently (as the model does) and offers the enum's own
/// values to clap, which lists them in `--help` and in shell completions.
#[derive(Clone)]
pub(crate) struct EnumArg<T>(std::marker::PhantomData<T>);

pub(crate) fn parse<T: Vocabulary>() -> EnumArg<T> {
    EnumArg(std::marker::PhantomData)
}

impl<T: Vocabulary> clap::builder::TypedValueParser for EnumArg<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let text = value.to_string_lossy();
        text.parse().map_err(|e: crate::model::ModelError| {
            // The model's message already names the value and the valid ones:
            // prefix only the flag, so nothing is said twice.
            let flag = arg
                .and_then(clap::Arg::get_long)
                .map_or_else(String::new, |l| format!("--{l}: "));
            clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{flag}{e}\n"))
                .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            T::all()
                .iter()
                .map(|v| clap::builder::PossibleValue::new(v.name())),
        ))
    }
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    pub title: String,
    /// The kind of task (default TASK).
    #[arg(long = "type", value_parser = parse::<TaskType>())]
    pub kind: Option<TaskType>,
    /// How urgent (default MEDIUM).
    #[arg(long, value_parser = parse::<Priority>())]
    pub priority: Option<Priority>,
    #[arg(long, short)]
    pub description: Option<String>,
    #[arg(long)]
    pub parent: Option<String>,
    #[arg(long)]
    pub assignee: Option<String>,
    /// A label (repeat or comma-separate).
    #[arg(long = "label", value_delimiter = ',')]
    pub labels: Vec<String>,
    /// A task this one waits for (repeat or comma-separate).
    #[arg(long = "depends-on", value_delimiter = ',')]
    pub depends_on: Vec<String>,
    /// Sprint id or name.
    #[arg(long)]
    pub sprint: Option<String>,
    /// An acceptance criterion (repeat).
    #[arg(long = "criterion")]
    pub criteria: Vec<String>,
    /// Size in points, 0–1000.
    #[arg(long, allow_negative_numbers = true, value_parser = estimate_points)]
    pub estimate: Option<u32>,
    /// Start from a template: feature, bug or spike.
    #[arg(long)]
    pub template: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only these statuses (repeat or comma-separate).
    #[arg(long, value_delimiter = ',', value_parser = parse::<Status>())]
    pub status: Vec<Status>,
    #[arg(long)]
    pub assignee: Option<String>,
    /// Only these types (repeat or comma-separate).
    #[arg(long = "type", value_delimiter = ',', value_parser = parse::<TaskType>())]
    pub kind: Vec<TaskType>,
    /// Only these priorities (repeat or comma-separate).
    #[arg(long, value_delimiter = ',', value_parser = parse::<Priority>())]
    pub priority: Vec<Priority>,
    /// Only tasks with every one of these labels (repeat or comma-separate).
    #[arg(long = "label", value_delimiter = ',')]
    pub labels: Vec<String>,
    /// Sprint id or name.
    #[arg(long)]
    pub sprint: Option<String>,
    #[arg(long)]
    pub parent: Option<String>,
    /// Full-text search over titles, descriptions, notes and clarifications.
    #[arg(long, short)]
    pub query: Option<String>,
    /// Only tasks ready to work on: TODO with every dependency DONE or
    /// CANCELLED, plus your own IN_PROGRESS tasks (the work you already hold).
    #[arg(long)]
    pub ready: bool,
    /// Only archived tasks (`orchestron archive`); lists leave them out otherwise.
    #[arg(long, conflicts_with = "with_archived")]
    pub archived: bool,
    /// Archived tasks as well as live ones (a search of the whole history).
    #[arg(long)]
    pub with_archived: bool,
    /// At most this many (0 = all).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    pub id: String,
    #[arg(long, value_parser = parse::<Status>())]
    pub status: Option<Status>,
    /// 0–100.
    #[arg(long, allow_negative_numbers = true)]
    pub progress: Option<i64>,
    /// Append a note (repeat for several).
    #[arg(long = "note")]
    pub notes: Vec<String>,
    #[arg(long, value_parser = parse::<Priority>())]
    pub priority: Option<Priority>,
    #[arg(long = "type", value_parser = parse::<TaskType>())]
    pub kind: Option<TaskType>,
    /// Assign to NAME ("" unassigns).
    #[arg(long)]
    pub assignee: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// Add a label (repeat or comma-separate).
    #[arg(long = "label", value_delimiter = ',')]
    pub labels: Vec<String>,
    /// Remove a label.
    #[arg(long = "remove-label", value_delimiter = ',')]
    pub remove_labels: Vec<String>,
    /// Sprint id or name ("" removes it from its sprint).
    #[arg(long)]
    pub sprint: Option<String>,
    /// Parent task ("" detaches it).
    #[arg(long)]
    pub parent: Option<String>,
    /// Size in points, 0–1000.
    #[arg(long, allow_negative_numbers = true, value_parser = estimate_points)]
    pub estimate: Option<u32>,
    /// Mark acceptance criterion N (from 1) done; repeat for several.
    #[arg(long = "criterion-done")]
    pub criteria_done: Vec<usize>,
    /// Mark acceptance criterion N not done.
    #[arg(long = "criterion-undone")]
    pub criteria_undone: Vec<usize>,
    /// Add an acceptance criterion.
    #[arg(long = "add-criterion")]
    pub add_criteria: Vec<String>,
    /// Write although another agent holds the task (its claim ends, a note
    /// says whose it was, and it is told). Notes need no force.
    #[arg(long)]
    pub force: bool,
}

/// A command that writes runs under [`Ctx::write`] (its refresh and write
/// under one hold of the workspace lock); one that reads opens with
/// [`Ctx::open`].
pub fn run(ctx: &Ctx, cmd: TaskCommand) -> CmdResult {
    match cmd {
        TaskCommand::Create(a) => create(ctx, a)?,
        TaskCommand::List(a) => list(ctx, a)?,
        TaskCommand::Show { id } => show(ctx, &ctx.open()?, &id)?,
        TaskCommand::Update(a) => {
            let id = a.id.clone();
            let patch = update_patch(a);
            report(ctx, &ctx.write(|o| o.update_task(&id, patch))?)?;
        }
        TaskCommand::Clarify { id, text } => {
            report(ctx, &ctx.write(|o| o.clarify(&id, &text))?)?;
        }
        TaskCommand::Priority { id, set, force } => {
            report(ctx, &ctx.write(|o| o.set_priority(&id, set, force))?)?;
        }
        TaskCommand::Depend {
            id,
            on,
            remove,
            force,
        } => report(ctx, &ctx.write(|o| o.depend(&id, &on, remove, force))?)?,
        TaskCommand::Claim {
            id,
            assignee,
            lease,
            force,
        } => {
            let opts = crate::api::ClaimOptions { lease, force };
            match ctx.write(|o| o.claim_with(id.as_deref(), assignee.as_deref(), &opts))? {
                Some(updated) => report_as(ctx, "Claimed", &updated)?,
                None if ctx.json => output::json(&serde_json::Value::Null)?,
                None => output::text("No ready task to claim.")?,
            }
        }
        TaskCommand::Release { id, force } => {
            report(ctx, &ctx.write(|o| o.release(&id, force))?)?;
        }
        TaskCommand::History { id, limit } => {
            return super::history::history(&ctx.open()?, ctx, &id, limit);
        }
        TaskCommand::Next => match ctx.open()?.next_task()? {
            Some(t) if ctx.json => output::json(&t)?,
            Some(t) => output::text(&task_table(std::slice::from_ref(&t)))?,
            None if ctx.json => output::json(&serde_json::Value::Null)?,
            None => output::text("No ready task.")?,
        },
    }
    Ok(Code::Ok)
}

/// `task list`.
fn list(ctx: &Ctx, a: ListArgs) -> Result<(), CliError> {
    let o = ctx.open()?;
    let t = crate::timing::Phase::start();
    let query = TaskQuery {
        status: a.status,
        assignee: a.assignee,
        kind: a.kind,
        priority: a.priority,
        labels: a.labels,
        query: a.query,
        ready: a.ready,
        archived: match (a.archived, a.with_archived) {
            (true, _) => ArchiveScope::Archived,
            (_, true) => ArchiveScope::All,
            _ => ArchiveScope::Live,
        },
        limit: a.limit,
        offset: a.offset,
        ..TaskQuery::default()
    };
    // A table shows a few columns: outlines, not whole records.
    let page = if ctx.json {
        o.find_tasks(query, a.sprint.as_deref(), a.parent.as_deref())?
    } else {
        o.find_task_outlines(query, a.sprint.as_deref(), a.parent.as_deref())?
    };
    t.lap("task list: query");
    print_page(ctx, &o, &page, a.offset)
}

fn report(ctx: &Ctx, u: &Updated) -> std::io::Result<()> {
    report_as(ctx, "Updated", u)
}

/// A write's report under `verb` ("Claimed", as MCP says it, or "Updated").
fn report_as(ctx: &Ctx, verb: &str, u: &Updated) -> std::io::Result<()> {
    for w in &u.warnings {
        super::exit::warn(&format!("warning: {w}"));
    }
    if ctx.json {
        return output::json(u);
    }
    if u.changes.is_empty() {
        return output::text(&format!("{}: {}", u.task.id, describe_changes(&[], "")));
    }
    output::text(&format!(
        "{verb} {}: {}\n{}",
        u.task.id,
        u.task.title,
        output::changes(&u.changes)
    ))
}

/// The lines of a broken record around its problem, the problem's line marked.
fn broken_view(b: &crate::api::BrokenRecordView) -> String {
    let mut s = format!("{} cannot be read as a task; its lines:\n", b.path);
    for (n, line) in &b.excerpt {
        let mark = if *n == b.line { '>' } else { ' ' };
        s.push_str(&format!("{mark}{n:>4} | {line}\n"));
    }
    s
}

/// `--estimate`: points within the model's bound, in the model's words (the
/// same as MCP's), a negative number included — not clap's "unexpected
/// argument" or the bound of a u32.
fn estimate_points(s: &str) -> Result<u32, String> {
    let max = crate::model::Limits::ESTIMATE_POINTS;
    let bound = |got: &str| format!("estimate must be between 0 and {max}, got {got}");
    let n: i64 = s.trim().parse().map_err(|_| bound(s))?;
    u32::try_from(n)
        .ok()
        .filter(|n| *n <= max)
        .ok_or_else(|| bound(s))
}

/// `task create`.
fn create(ctx: &Ctx, a: CreateArgs) -> Result<(), CliError> {
    let new = NewTask {
        title: a.title,
        kind: a.kind,
        description: a.description,
        priority: a.priority,
        parent: a.parent,
        assignee: a.assignee,
        labels: a.labels,
        depends_on: a.depends_on,
        sprint: a.sprint,
        acceptance_criteria: a.criteria,
        estimate: a.estimate,
        template: a.template,
    };
    let task = ctx.write(|o| o.create_task(new))?;
    if ctx.json {
        output::json(&task)?;
    } else {
        output::text(&format!("Created task {}: {}", task.id, task.title))?;
    }
    Ok(())
}

/// `task list`'s answer: the page, or why it is empty; a table notes the
/// listed tasks' claims and how to see more.
fn print_page(ctx: &Ctx, o: &Orchestron, page: &TaskPage, offset: usize) -> Result<(), CliError> {
    if ctx.json {
        output::json(page)?;
    } else if page.tasks.is_empty() && page.total > 0 {
        let noun = if page.total == 1 {
            "task matches"
        } else {
            "tasks match"
        };
        output::text(&format!(
            "offset {offset} is past the end: {} {noun}",
            page.total
        ))?;
    } else if page.tasks.is_empty() {
        output::text("No tasks match.")?;
    } else {
        let mut s = task_table(&page.tasks);
        let held = o.notable_claims()?;
        // Most lists have no claim to note: no set of the listed ids then.
        if !held.is_empty() {
            let listed: std::collections::HashSet<&str> =
                page.tasks.iter().map(|t| t.id.as_str()).collect();
            for h in held {
                if listed.contains(h.id.as_str()) {
                    s.push_str(&format!("{} is claimed by {}\n", h.id, h.claim.describe()));
                }
            }
        }
        if let Some(next) = page.next_offset {
            s.push_str(&format!(
                "… {} of {} shown; more with --offset {next} (or --limit 0 for all)\n",
                page.tasks.len(),
                page.total
            ));
        }
        output::text(&s)?;
    }
    Ok(())
}

/// `task show`: the task in full, or what a broken file still holds (the
/// error, exit 6, follows).
fn show(ctx: &Ctx, o: &Orchestron, id: &str) -> Result<(), CliError> {
    let view = match o.show_task(id) {
        Ok(view) => view,
        Err(e) => {
            if let Ok(Some(b)) = o.broken_record(id) {
                if ctx.json {
                    output::json(&b)?;
                } else {
                    output::text(&broken_view(&b))?;
                }
            }
            return Err(e.into());
        }
    };
    if ctx.json {
        output::json(&view)?;
    } else {
        output::text(&task_view(&view))?;
    }
    Ok(())
}

/// `task update`'s flags as a patch: `--label` adds, the rest set.
fn update_patch(a: UpdateArgs) -> TaskPatch {
    TaskPatch {
        status: a.status,
        progress: a.progress,
        notes: a.notes,
        priority: a.priority,
        kind: a.kind,
        assignee: a.assignee.map(Some),
        title: a.title,
        description: a.description,
        labels: None,
        add_labels: a.labels,
        remove_labels: a.remove_labels,
        sprint: a.sprint.map(Some),
        parent: a.parent.map(Some),
        estimate: a.estimate.map(Some),
        criteria_done: a.criteria_done,
        criteria_undone: a.criteria_undone,
        add_criteria: a.add_criteria,
        force: a.force,
    }
}
