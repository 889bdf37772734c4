//! `orchestron import json`: reads back what `orchestron export --json`
//! wrote. Records keep their ids and every field, and archived ones go back
//! into the archive, so an export imported into an empty workspace gives the
//! same records (and the same export); a record's exported file text is
//! written back byte for byte when it still holds the record's fields. A
//! record whose id is already taken is
//! left alone and counted as unchanged: a second run creates nothing.

use super::{ImportReport, ImportSource, Imported, text_of};
use crate::api::export::{BacklogExport, EXPORT_FORMAT};
use crate::api::{Error, Orchestron, Progress, Result};
use crate::model::IdKind;
use crate::store::SourceFile;

impl Orchestron {
    pub(super) fn import_export(
        &mut self,
        files: &[SourceFile],
        dry_run: bool,
        progress: Option<&Progress>,
    ) -> Result<ImportReport> {
        let mut report = ImportReport::new(ImportSource::Json, dry_run);
        let mut docs = Vec::new();
        for file in files {
            let doc: BacklogExport = text_of(file)
                .and_then(|t| {
                    serde_json::from_str(t)
                        .map_err(|e| format!("{}: not an Orchestron export: {e}", file.name))
                })
                .map_err(Error::Invalid)?;
            if doc.orchestron_export > EXPORT_FORMAT {
                return Err(Error::Invalid(format!(
                    "{}: export format {} is newer than this build reads ({EXPORT_FORMAT})",
                    file.name, doc.orchestron_export
                )));
            }
            docs.push(doc);
        }
        let lock = self.ws.lock()?;
        self.refresh_with_archive()?;
        let total: usize = docs
            .iter()
            .map(|d| d.tasks.len() + d.sprints.len() + d.contexts.len())
            .sum();
        let mut batch = Batch::default();
        let mut done = 0;
        for doc in docs {
            report.found += doc.tasks.len() + doc.sprints.len() + doc.contexts.len();
            batch.files.extend(doc.files);
            let archived = |id: &crate::model::RecordId| doc.archived.contains(id);
            for s in doc.sprints {
                s.validate()?;
                let exists =
                    self.index.sprint(&s.id)?.is_some() || self.ws.exists(IdKind::Sprint, &s.id);
                let (title, at) = (s.name.clone(), archived(&s.id));
                take_record(
                    (s, title, at),
                    exists,
                    &mut batch.sprints,
                    &mut batch.ids,
                    &mut report,
                );
                done += 1;
                tick(progress, done, total);
            }
            for t in doc.tasks {
                t.validate()?;
                let exists =
                    self.index.task(&t.id)?.is_some() || self.ws.exists(IdKind::Task, &t.id);
                let (title, at) = (t.title.clone(), archived(&t.id));
                take_record(
                    (t, title, at),
                    exists,
                    &mut batch.tasks,
                    &mut batch.ids,
                    &mut report,
                );
                done += 1;
                tick(progress, done, total);
            }
            for c in doc.contexts {
                c.validate()?;
                let exists =
                    self.index.context_exists(&c.id)? || self.ws.exists(IdKind::Context, &c.id);
                let title = c
                    .checkpoint
                    .clone()
                    .unwrap_or_else(|| c.kind.as_str().into());
                take_record(
                    (c, title, false),
                    exists,
                    &mut batch.contexts,
                    &mut batch.ids,
                    &mut report,
                );
                done += 1;
                tick(progress, done, total);
            }
        }
        if !report.dry_run {
            let texts = &batch.files;
            let mut written = self.ws.create_all_from(&lock, &batch.sprints, texts)?;
            written.extend(self.ws.create_all_from(&lock, &batch.tasks, texts)?);
            written.extend(self.ws.create_all_from(&lock, &batch.contexts, texts)?);
            self.index_written_all(written)?;
        }
        Ok(report)
    }
}

/// Takes one exported record `(record, title, archived)` into the batch
/// unless its id is taken (by the workspace, or by an earlier record of
/// this import).
fn take_record<T: crate::store::StoredRecord>(
    (record, title, archived): (T, String, bool),
    exists: bool,
    batch: &mut Vec<(T, bool)>,
    taken: &mut std::collections::HashSet<crate::model::RecordId>,
    report: &mut ImportReport,
) {
    if exists || !taken.insert(record.id().clone()) {
        report.unchanged += 1;
        return;
    }
    let imported = Imported {
        id: Some(record.id().clone()),
        external: record.id().to_string(),
        title,
    };
    match T::KIND {
        IdKind::Sprint => report.sprints.push(imported),
        IdKind::Context => report.contexts.push(imported),
        IdKind::Task => report.created.push(imported),
    }
    batch.push((record, archived));
}

/// The records of an export to write, by kind, each with whether it goes
/// to the archive.
#[derive(Default)]
struct Batch {
    sprints: Vec<(crate::model::Sprint, bool)>,
    tasks: Vec<(crate::model::Task, bool)>,
    contexts: Vec<(crate::model::ContextSnapshot, bool)>,
    ids: std::collections::HashSet<crate::model::RecordId>,
    /// The exported file texts, by path (`BacklogExport::files`).
    files: crate::api::export::RecordTexts,
}

fn tick(progress: Option<&Progress>, done: usize, total: usize) {
    if let Some(report) = progress {
        report(done, total);
    }
}
