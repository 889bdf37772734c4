//! Writing an import: the sprints its milestones need, then every new task
//! in one batch (each file written, the batch made durable once, the index
//! updated once — `Workspace::create_all`), then the tasks an earlier import
//! made brought in step (`update.rs`), and the import's record of what it
//! brought (the baseline the next run compares with).

use super::plan::{to_task, valid_or_skipped};
use super::update::Baseline;
use super::{ImportReport, ImportSource, Imported, Milestone, Parsed};
use crate::api::{Orchestron, Progress, Result};
use crate::model::{IdKind, RecordId, Sprint, SprintStatus, Task};
use crate::store::WorkspaceLock;
use std::collections::HashMap;

impl Orchestron {
    /// Creates the drafts no earlier import wrote and updates the ones it
    /// did, with their links resolved.
    pub(super) fn import_drafts(
        &mut self,
        source: ImportSource,
        parsed: Parsed,
        dry_run: bool,
        progress: Option<&Progress>,
    ) -> Result<ImportReport> {
        let mut report = ImportReport::new(source, dry_run);
        report.found = parsed.drafts.len();
        report.skipped = parsed.skipped;
        report.ignored = parsed.ignored.into_iter().collect();
        let lock = self.ws.lock()?;
        self.refresh_with_archive()?;
        let plan = self.plan(parsed.drafts)?;
        let mut milestones = parsed.milestones;
        let drafts = plan.fresh.iter().map(|(_, d)| d);
        for d in drafts.chain(plan.matched.iter().map(|(_, d)| d)) {
            milestones.extend(d.sprint.clone());
        }
        let sprints = self.import_sprints(&lock, &milestones, dry_run, &mut report)?;
        let mut baseline = Baseline::read(self, source)?;
        let imported_at = self.clock().now();
        let total = plan.fresh.len() + plan.matched.len();
        let mut tasks: Vec<(Task, bool)> = Vec::with_capacity(plan.fresh.len());
        for (n, (id, d)) in plan.fresh.iter().enumerate() {
            let task = to_task(
                id.clone(),
                d,
                &plan,
                &sprints,
                imported_at,
                &mut report.unmapped,
            );
            if !valid_or_skipped(&task, &mut report) {
                continue;
            }
            baseline.remember(&task);
            report.created.push(Imported {
                id: (!dry_run).then(|| task.id.clone()),
                external: d.external.clone(),
                title: task.title.clone(),
            });
            tasks.push((task, d.archived));
            tick(progress, n + 1, total);
        }
        if !dry_run {
            let written = self.ws.create_all(&lock, &tasks)?;
            self.index_written_all(written)?;
        }
        for (n, (task, d)) in plan.matched.iter().enumerate() {
            self.reimport(task, d, &plan, &sprints, &mut baseline, &mut report)?;
            tick(progress, plan.fresh.len() + n + 1, total);
        }
        if !dry_run {
            baseline.write(self, &lock)?;
        }
        Ok(report)
    }

    /// The sprint of each milestone: an existing sprint of that name, else
    /// a new one (written unless `dry_run`), by lowercase name.
    fn import_sprints(
        &mut self,
        lock: &WorkspaceLock,
        milestones: &[Milestone],
        dry_run: bool,
        report: &mut ImportReport,
    ) -> Result<HashMap<String, RecordId>> {
        let mut by_name: HashMap<String, RecordId> = self
            .index
            .sprints()?
            .into_iter()
            .map(|s| (s.name.to_lowercase(), s.id))
            .collect();
        let mut new: Vec<&Milestone> = Vec::new();
        for m in milestones {
            let key = m.name.to_lowercase();
            if !by_name.contains_key(&key) && !new.iter().any(|n| n.name.to_lowercase() == key) {
                new.push(m);
            }
        }
        let ids = self.new_ids(IdKind::Sprint, new.len())?;
        let mut sprints = Vec::new();
        for (id, m) in ids.into_iter().zip(new) {
            let sprint = Sprint {
                id: id.clone(),
                name: m.name.clone(),
                status: SprintStatus::Planned,
                goal: m.goal.clone().filter(|g| !g.trim().is_empty()),
                start: None,
                end: m.end,
                created: self.clock().now(),
            };
            if let Err(e) = sprint.validate() {
                report.skipped.push(format!(
                    "milestone {:?}: {}",
                    m.name,
                    crate::model::with_causes(&e)
                ));
                continue;
            }
            report.sprints.push(Imported {
                id: (!dry_run).then(|| id.clone()),
                external: m.name.clone(),
                title: m.name.clone(),
            });
            by_name.insert(m.name.to_lowercase(), id);
            sprints.push((sprint, false));
        }
        if !dry_run {
            let written = self.ws.create_all(lock, &sprints)?;
            self.index_written_all(written)?;
        }
        Ok(by_name)
    }
}

fn tick(progress: Option<&Progress>, done: usize, total: usize) {
    if let Some(report) = progress {
        report(done, total);
    }
}
