//! Putting finished work away: `orchestron archive` moves closed tasks (DONE,
//! CANCELLED) and closed sprints into `.orchestron/archive/` — with `git mv`
//! where git tracks them, so their history follows — and `--restore` brings
//! them back. Archived records stay in the index, found by id and resolving
//! as dependencies, but lists, ready, prompts, the board and updates leave
//! them out (`ArchiveScope`), and no command rewrites them (a write is
//! refused with [`Error::Archived`]). With no rule given, the policy of
//! `config.yaml` (`archive: { closed_for_days: N }`, 30 by default) applies.
//! docs/ARCHIVE.md is the user's page.

use super::{Error, Orchestron, Result};
use crate::model::{IdKind, RecordId, SprintStatus, parse_date};
use crate::store::RecordPath;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashSet;

/// What `orchestron archive` is asked to put away.
#[derive(Debug, Clone, Default)]
pub struct ArchiveRequest {
    /// Tasks closed before this day (`YYYY-MM-DD`, UTC).
    pub before: Option<String>,
    /// The closed tasks of this sprint (id or name), and the sprint itself
    /// once it is CLOSED and all its tasks are put away.
    pub sprint: Option<String>,
    /// Only say what would move.
    pub dry_run: bool,
    /// Archive tasks another agent still holds (their claims end; they are told).
    pub force: bool,
}

/// What an archive (or restore) moved, or would move.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ArchiveReport {
    /// True for `--restore` (records brought back out of the archive).
    pub restore: bool,
    /// The rule applied, in words (empty for a restore).
    pub rule: String,
    pub tasks: Vec<RecordId>,
    pub sprints: Vec<RecordId>,
    /// How many files `git mv` moved (the rest were not tracked by git).
    pub moved_by_git: usize,
    /// Closed tasks left where they are because no source knows when they
    /// were closed (a date rule cannot judge them; `--sprint` can).
    pub closed_at_unknown: Vec<RecordId>,
    pub dry_run: bool,
}

/// One record file to move.
struct Move {
    kind: IdKind,
    from: RecordPath,
    to: RecordPath,
}

impl Orchestron {
    /// Archives what `req` selects (see the module text).
    pub fn archive(&mut self, req: &ArchiveRequest) -> Result<ArchiveReport> {
        let lock = self.ws.lock()?;
        self.refresh_with_archive()?;
        let now = self.clock().now();
        let (cutoff, rule) = match (&req.before, &req.sprint) {
            (Some(day), _) => {
                let day = parse_date(day)?;
                (Some(start_of(day)), format!("closed before {day}"))
            }
            (None, Some(_)) => (None, String::new()),
            (None, None) => {
                let days = self.ws.config.archive.days();
                (
                    Some(now - Duration::days(i64::from(days))),
                    format!(
                        "closed more than {days} days ago (config.yaml archive.closed_for_days)"
                    ),
                )
            }
        };
        let sprint = req
            .sprint
            .as_deref()
            .map(|s| self.resolve_sprint(s))
            .transpose()?;
        let rule = match &sprint {
            Some(s) if rule.is_empty() => format!("closed tasks of sprint {} ({})", s.id, s.name),
            Some(s) => format!("{rule}, of sprint {} ({})", s.id, s.name),
            None => rule,
        };
        let inputs = self.insight_inputs()?;
        let mut tasks = Vec::new();
        let mut unknown = Vec::new();
        // Tasks that stay live afterwards, by sprint: a sprint is put away
        // only with the last of its tasks.
        let mut staying: HashSet<RecordId> = HashSet::new();
        for t in &inputs.tasks {
            if self.index.archived(&t.id)? == Some(true) {
                continue;
            }
            let in_sprint = sprint
                .as_ref()
                .is_none_or(|s| t.sprint.as_ref() == Some(&s.id));
            let closed_at = inputs.times.get(&t.id).and_then(|w| w.closed).or(t.closed);
            let chosen = t.status.is_closed()
                && in_sprint
                && match (cutoff, closed_at) {
                    (None, _) => true,
                    (Some(c), Some(at)) => at < c,
                    (Some(_), None) => {
                        unknown.push(t.id.clone());
                        false
                    }
                };
            if chosen {
                tasks.push(t.id.clone());
            } else if let Some(s) = &t.sprint {
                staying.insert(s.clone());
            }
        }
        let mut sprints = Vec::new();
        for s in self.index.sprints()? {
            let wanted = match &sprint {
                Some(only) => only.id == s.id,
                None => cutoff.is_some_and(|c| {
                    s.end.map_or(s.created, |d| start_of(d) + Duration::days(1)) < c
                }),
            };
            if wanted && s.status == SprintStatus::Closed && !staying.contains(&s.id) {
                sprints.push(s.id);
            }
        }
        let mut report = ArchiveReport {
            restore: false,
            rule,
            tasks,
            sprints,
            moved_by_git: 0,
            closed_at_unknown: unknown,
            dry_run: req.dry_run,
        };
        if !req.dry_run {
            self.check_moves(&report.tasks, req.force)?;
            let moves = planned_moves(&report.tasks, &report.sprints, true);
            report.moved_by_git = self.move_files(&lock, &moves)?;
        }
        Ok(report)
    }

    /// Brings archived tasks or sprints back among the live records.
    pub fn restore(&mut self, ids: &[String], dry_run: bool, force: bool) -> Result<ArchiveReport> {
        let lock = self.ws.lock()?;
        self.refresh_with_archive()?;
        let mut tasks = Vec::new();
        let mut sprints = Vec::new();
        for input in ids {
            let id = RecordId::parse(input)?;
            if self.index.archived(&id)? != Some(true) {
                return Err(if self.index.archived(&id)?.is_some() {
                    Error::Refused(format!("{id} is not archived"))
                } else {
                    self.not_found("archived record", input)
                });
            }
            if self.index.sprint(&id)?.is_some() {
                sprints.push(id);
            } else {
                tasks.push(id);
            }
        }
        let mut report = ArchiveReport {
            restore: true,
            rule: String::new(),
            tasks,
            sprints,
            moved_by_git: 0,
            closed_at_unknown: Vec::new(),
            dry_run,
        };
        if !dry_run {
            self.check_moves(&report.tasks, force)?;
            let moves = planned_moves(&report.tasks, &report.sprints, false);
            report.moved_by_git = self.move_files(&lock, &moves)?;
        }
        Ok(report)
    }

    /// Moves the files — `git mv` for what git tracks, a rename for the
    /// rest — and brings the index up to date with the new places. Returns
    /// how many git moved.
    fn move_files(&mut self, lock: &crate::store::WorkspaceLock, moves: &[Move]) -> Result<usize> {
        if moves.is_empty() {
            return Ok(0);
        }
        let mut by_git = 0;
        let in_git = self.git()?.is_some();
        for kind in [IdKind::Task, IdKind::Sprint] {
            let of_kind: Vec<&Move> = moves.iter().filter(|m| m.kind == kind).collect();
            let Some(first) = of_kind.first() else {
                continue;
            };
            let dest = RecordPath::dir(kind, first.to.is_archived());
            self.ws.ensure_dir(&dest)?;
            if in_git {
                let sources: Vec<String> = of_kind.iter().map(|m| m.from.rel()).collect();
                crate::git::move_tracked(self.ws.root(), &sources, &dest)?;
            }
            for m in of_kind {
                if !self.ws.move_record(lock, &m.from, &m.to)? {
                    by_git += 1;
                }
            }
        }
        self.refresh_with_archive()?;
        Ok(by_git)
    }

    /// Refuses a write to an archived record: the archive is never rewritten.
    pub(super) fn refuse_archived(&self, id: &RecordId) -> Result<()> {
        if self.index.archived(id)? == Some(true) {
            return Err(Error::Archived { id: id.to_string() });
        }
        Ok(())
    }
}

/// The moves into (or out of) the archive of these records.
fn planned_moves(tasks: &[RecordId], sprints: &[RecordId], into: bool) -> Vec<Move> {
    let kinds = tasks
        .iter()
        .map(|id| (IdKind::Task, id))
        .chain(sprints.iter().map(|id| (IdKind::Sprint, id)));
    kinds
        .map(|(kind, id)| {
            let (live, archived) = (RecordPath::of(kind, id), RecordPath::archived(kind, id));
            let (from, to) = if into {
                (live, archived)
            } else {
                (archived, live)
            };
            Move { kind, from, to }
        })
        .collect()
}

/// Midnight UTC at the start of `day`.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}
