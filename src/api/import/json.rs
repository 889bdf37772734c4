//! `orchestron import json`: reads back what `orchestron export --json`
//! wrote. Records keep their ids and every field, and archived ones go back
//! into the archive, so an export imported into an empty workspace gives the
//! same records (and the same export); a record's exported file text is
//! written back byte for byte when it still holds the record's fields. A record whose id is already taken is
//! left alone and counted as existing: a second run creates nothing.

use super::{ImportReport, ImportSource, Imported, text_of};
use crate::api::export::{BacklogExport, EXPORT_FORMAT, RecordTexts, record_file};
use crate::api::{Error, Orchestron, Progress, Result};
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
        let mut done = 0;
        for doc in docs {
            report.found += doc.tasks.len() + doc.sprints.len() + doc.contexts.len();
            let archived = |id| doc.archived.contains(id);
            let files = &doc.files;
            for s in &doc.sprints {
                s.validate()?;
                let exists = self.index.sprint(&s.id)?.is_some();
                let at = (archived(&s.id), files);
                self.import_record(&lock, s, &s.name, exists, at, &mut report)?;
                done += 1;
                tick(progress, done, total);
            }
            for t in &doc.tasks {
                t.validate()?;
                let exists = self.index.task(&t.id)?.is_some();
                let at = (archived(&t.id), files);
                self.import_record(&lock, t, &t.title, exists, at, &mut report)?;
                done += 1;
                tick(progress, done, total);
            }
            for c in &doc.contexts {
                c.validate()?;
                let exists = self.index.context_exists(&c.id)?;
                let title = c
                    .checkpoint
                    .clone()
                    .unwrap_or_else(|| c.kind.as_str().into());
                self.import_record(&lock, c, &title, exists, (false, files), &mut report)?;
                done += 1;
                tick(progress, done, total);
            }
        }
        Ok(report)
    }

    /// Writes one exported record unless its id is taken: in the archive or
    /// not (`at.0`), from its exported file text when `at.1` holds it.
    fn import_record<T: crate::store::StoredRecord>(
        &mut self,
        lock: &crate::store::WorkspaceLock,
        record: &T,
        title: &str,
        exists: bool,
        at: (bool, &RecordTexts),
        report: &mut ImportReport,
    ) -> Result<()> {
        if exists || self.ws.exists(T::KIND, record.id()) {
            report.existing += 1;
            return Ok(());
        }
        if !report.dry_run {
            let (archived, files) = at;
            let text = files.get(&record_file(T::KIND, record.id(), archived).rel());
            let written = self
                .ws
                .create_in(lock, record, archived, text.map(String::as_str))?;
            self.index_written(written)?;
        }
        let imported = Imported {
            id: Some(record.id().clone()),
            external: record.id().to_string(),
            title: title.to_string(),
        };
        if T::KIND == crate::model::IdKind::Sprint {
            report.sprints.push(imported);
        } else {
            report.created.push(imported);
        }
        Ok(())
    }
}

fn tick(progress: Option<&Progress>, done: usize, total: usize) {
    if let Some(report) = progress {
        report(done, total);
    }
}
