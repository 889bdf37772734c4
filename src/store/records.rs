//! Typed record I/O: read a record of a kind (validated, with `path:line:col`
//! for a broken file), create one, or modify one under the workspace lock with
//! the lossless edit. Every write is atomic and hands back what the index needs
//! — the stamp of the bytes written and the file as the loader reads it — so a
//! write loads the text it wrote once (the load that checks the edit) and
//! stats it once, through the open file. A modify reads the file once, through
//! its handle ([`read_record_file`]).

use super::{
    Editable, Loaded, RecordPath, RecordReadError, StoreError, Workspace, WorkspaceLock,
    content_hash, edit::edit_checked, load_record, load_record_at, read_record_file, write_atomic,
};
use crate::model::{ContextSnapshot, IdKind, Record, RecordId, Sprint, Task, render};

/// A record kind stored as one file per record.
pub trait StoredRecord: Clone + PartialEq + Sized {
    const KIND: IdKind;
    fn id(&self) -> &RecordId;
    fn from_record(record: Record) -> Option<Self>;
    fn into_record(self) -> Record;
    /// The file text of a new record.
    fn render(&self) -> Result<String, String>;
}

/// The parts of [`StoredRecord`] every kind spells the same way.
macro_rules! stored_record {
    ($t:ty, $kind:ident, $record:expr) => {
        impl StoredRecord for $t {
            const KIND: IdKind = IdKind::$kind;
            fn id(&self) -> &RecordId {
                &self.id
            }
            fn from_record(record: Record) -> Option<Self> {
                match record {
                    Record::$kind(r) => Some(r),
                    _ => None,
                }
            }
            fn into_record(self) -> Record {
                Record::$kind(self)
            }
            fn render(&self) -> Result<String, String> {
                $record(self)
            }
        }
    };
}

stored_record!(Task, Task, |t| Ok(render::task(t, "")));
stored_record!(Sprint, Sprint, |s| Ok(render::sprint(s, "")));
// A snapshot carries free-form JSON, so it is written as serde lays it out
// (after the modeline every record file starts with); its file is never
// edited afterwards.
stored_record!(ContextSnapshot, Context, |c| yaml_serde::to_string(c)
    .map(|yaml| format!("{}{yaml}", render::CONTEXT_MODELINE))
    .map_err(|e| e.to_string()));

/// A file's size, modification time and content hash: what the index compares
/// to decide whether a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: i64,
    pub hash: u64,
}

/// A record file as the loader read it, with its stamp.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// Relative to the workspace root (`tasks/TASK-7k2mq.yaml`).
    pub rel: String,
    pub stamp: Stamp,
    pub loaded: Loaded,
}

/// A record read from its file, with the text it was read from.
#[derive(Debug, Clone)]
pub struct RecordFile<T> {
    pub text: String,
    pub record: T,
}

/// The outcome of [`Workspace::modify`]: the record before and after, and the
/// file written (`None` when the change left the record as it was).
#[derive(Debug)]
pub struct Modified<T> {
    pub old: T,
    pub new: T,
    pub written: Option<LoadedFile>,
}

impl Workspace {
    /// Reads record `id` of kind `T` through the same tolerant loader the index
    /// uses. A missing file is [`StoreError::Missing`]; a file that does not
    /// hold a valid record is [`StoreError::Broken`] at its first error.
    pub fn read<T: StoredRecord>(&self, id: &RecordId) -> Result<RecordFile<T>, StoreError> {
        let rel = RecordPath::of(T::KIND, id).rel();
        let path = self.abs(&rel);
        let (bytes, modified) = match read_record_file(self.root(), &path) {
            // The file's time stands in for a `created` it leaves out.
            Ok((b, meta)) => (b, super::read::file_time(super::mtime_ns(&meta))),
            Err(e) if e.is_missing() => return Err(StoreError::Missing { path: rel }),
            Err(RecordReadError::Io(e)) => return Err(StoreError::io(path, e)),
            Err(refused) => {
                return Err(StoreError::Broken {
                    path: rel,
                    line: 1,
                    column: 1,
                    message: refused.to_string(),
                });
            }
        };
        let Loaded {
            record, problems, ..
        } = load_record_at(T::KIND, &rel, &bytes, modified);
        match record.and_then(T::from_record) {
            Some(record) => Ok(RecordFile {
                // The loader accepted the bytes, so they are UTF-8; an edit
                // starts from the text the loader parsed (no byte order mark).
                text: String::from_utf8_lossy(&bytes)
                    .trim_start_matches('\u{feff}')
                    .to_string(),
                record,
            }),
            None => Err(broken(&rel, &problems)),
        }
    }

    /// Writes a new record (the caller holds the lock and minted its id).
    pub fn create<T: StoredRecord>(
        &self,
        lock: &WorkspaceLock,
        record: &T,
    ) -> Result<LoadedFile, StoreError> {
        self.create_in(lock, record, false)
    }

    /// Writes a new record in the archive (`archived`) or among the live
    /// ones: what an import of an exported backlog puts back where it was.
    pub fn create_in<T: StoredRecord>(
        &self,
        _lock: &WorkspaceLock,
        record: &T,
        archived: bool,
    ) -> Result<LoadedFile, StoreError> {
        let path = if archived {
            RecordPath::archived(T::KIND, record.id())
        } else {
            RecordPath::of(T::KIND, record.id())
        };
        let rel = path.rel();
        let text = record.render().map_err(|message| StoreError::Encode {
            path: rel.clone(),
            message,
        })?;
        let loaded = load_record(T::KIND, &rel, text.as_bytes());
        self.write_loaded(rel, &text, loaded, record)
    }

    /// Writes many new records at once (an import): each `(record, archived)`
    /// rendered and checked like [`Workspace::create_in`], then every file
    /// written and made durable together ([`super::atomic::write_batch`]).
    /// Returns what the index needs, in the order given.
    pub fn create_all<T: StoredRecord>(
        &self,
        lock: &WorkspaceLock,
        records: &[(T, bool)],
    ) -> Result<Vec<LoadedFile>, StoreError> {
        self.create_all_from(lock, records, &std::collections::BTreeMap::new())
    }

    /// [`Workspace::create_all`], where `texts` may hold a record's file text
    /// by its path (`tasks/TASK-7k2mq.yaml`, an exported file): written as it
    /// is — comments, unknown keys and layout included — when it holds
    /// exactly that record, else the record is rendered in canonical layout.
    pub fn create_all_from<T: StoredRecord>(
        &self,
        lock: &WorkspaceLock,
        records: &[(T, bool)],
        texts: &std::collections::BTreeMap<String, String>,
    ) -> Result<Vec<LoadedFile>, StoreError> {
        let mut staged = Vec::with_capacity(records.len());
        for (record, archived) in records {
            let path = if *archived {
                RecordPath::archived(T::KIND, record.id())
            } else {
                RecordPath::of(T::KIND, record.id())
            };
            let rel = path.rel();
            let given = texts.get(&rel).and_then(|text| {
                let loaded = load_record(T::KIND, &rel, text.as_bytes());
                let same = loaded.record.clone().and_then(T::from_record).as_ref() == Some(record);
                same.then(|| (text.clone(), loaded))
            });
            let (text, mut loaded) = match given {
                Some(given) => given,
                None => {
                    let text = record.render().map_err(|message| StoreError::Encode {
                        path: rel.clone(),
                        message,
                    })?;
                    let loaded = load_record(T::KIND, &rel, text.as_bytes());
                    (text, loaded)
                }
            };
            if loaded.record.is_none() {
                loaded.record = Some(record.clone().into_record());
            }
            staged.push((rel, text, loaded));
        }
        let files: Vec<(std::path::PathBuf, &[u8])> = staged
            .iter()
            .map(|(rel, text, _)| (self.abs(rel), text.as_bytes()))
            .collect();
        let metas = super::atomic::write_batch(lock, &files)?;
        Ok(staged
            .into_iter()
            .zip(metas)
            .map(|((rel, text, loaded), meta)| LoadedFile {
                stamp: Stamp {
                    size: meta.len(),
                    mtime_ns: super::mtime_ns(&meta),
                    hash: content_hash(text.as_bytes()),
                },
                rel,
                loaded,
            })
            .collect())
    }

    /// Reads record `id`, applies `change`, and when the record changed writes
    /// it back losslessly (the caller holds the lock across the index update
    /// too, so no other writer slips in between).
    pub fn modify<T, E>(
        &self,
        _lock: &WorkspaceLock,
        id: &RecordId,
        change: impl FnOnce(&mut T) -> Result<(), E>,
    ) -> Result<Modified<T>, E>
    where
        T: StoredRecord + Editable,
        E: From<StoreError>,
    {
        let RecordFile { text, record: old } = self.read::<T>(id)?;
        let mut new = old.clone();
        change(&mut new)?;
        if new == old {
            return Ok(Modified {
                old,
                new,
                written: None,
            });
        }
        let rel = RecordPath::of(T::KIND, id).rel();
        // The edit is checked by loading its result, and that load is the one
        // the index gets: the written text is parsed once.
        let (out, loaded) = edit_checked(&text, &old, &new, |out| {
            let loaded = load_record(T::KIND, &rel, out.as_bytes());
            let same = loaded.record.clone().and_then(T::from_record).as_ref() == Some(&new);
            same.then_some(loaded)
        });
        let loaded = loaded.unwrap_or_else(|| load_record(T::KIND, &rel, out.as_bytes()));
        let written = self.write_loaded(rel, &out, loaded, &new)?;
        Ok(Modified {
            old,
            new,
            written: Some(written),
        })
    }

    /// Writes `text` and returns it as loaded; should the loader not accept
    /// what was validated and rendered, the index still gets the record.
    fn write_loaded<T: StoredRecord>(
        &self,
        rel: String,
        text: &str,
        mut loaded: Loaded,
        record: &T,
    ) -> Result<LoadedFile, StoreError> {
        if loaded.record.is_none() {
            loaded.record = Some(record.clone().into_record());
        }
        let meta = write_atomic(&self.abs(&rel), text.as_bytes())?;
        Ok(LoadedFile {
            stamp: Stamp {
                size: meta.len(),
                mtime_ns: super::mtime_ns(&meta),
                hash: content_hash(text.as_bytes()),
            },
            rel,
            loaded,
        })
    }

    /// How many entries the folder of `kind` holds, with its archive (0 when
    /// missing): what id lengths are chosen by.
    pub fn count(&self, kind: IdKind) -> usize {
        let archived = self.abs(&RecordPath::dir(kind, true));
        [self.dir(kind), archived]
            .iter()
            .map(|dir| std::fs::read_dir(dir).map_or(0, |d| d.count()))
            .sum()
    }

    /// Whether a file for record `id` exists, in the archive or out of it
    /// (a new id must be new to both).
    pub fn exists(&self, kind: IdKind, id: &RecordId) -> bool {
        self.path(kind, id).exists() || self.abs(&RecordPath::archived(kind, id).rel()).exists()
    }

    /// Makes sure the folder `rel` (relative to the workspace root) exists.
    pub fn ensure_dir(&self, rel: &str) -> Result<(), StoreError> {
        let dir = self.abs(rel);
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(dir, e))
    }

    /// Moves a record file (paths relative to the workspace root), unless it
    /// is no longer at `from` (git moved it already); true when this moved it.
    /// The caller holds the lock.
    pub fn move_record(
        &self,
        _lock: &WorkspaceLock,
        from: &RecordPath,
        to: &RecordPath,
    ) -> Result<bool, StoreError> {
        let (src, dst) = (self.abs(&from.rel()), self.abs(&to.rel()));
        if !src.exists() {
            return Ok(false);
        }
        if let Some(dir) = dst.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
        }
        std::fs::rename(&src, &dst).map_err(|e| StoreError::io(&src, e))?;
        Ok(true)
    }

    /// Files in the record folders that the tool does not read (`TASK-x.yml`,
    /// `notes.txt`), as paths relative to the workspace root: a record saved
    /// under the wrong extension would otherwise vanish without a word.
    /// Hidden files (editor swap files, our temporaries) are not listed.
    pub fn strays(&self) -> Vec<String> {
        let mut out = Vec::new();
        for kind in IdKind::ALL {
            let Ok(entries) = std::fs::read_dir(self.dir(kind)) else {
                continue;
            };
            for e in entries.flatten() {
                let Ok(name) = e.file_name().into_string() else {
                    continue;
                };
                let is_file = e.file_type().is_ok_and(|t| !t.is_dir());
                if is_file && !name.starts_with('.') && !RecordPath::is_record_name(&name) {
                    out.push(format!("{}/{name}", kind.dir()));
                }
            }
        }
        out.sort();
        out
    }

    /// Each live record folder (relative to the root) with its mtime in ns,
    /// `None` when it cannot be stat'ed: what [`Workspace::strays`] depends on.
    pub fn record_dir_mtimes(&self) -> Vec<(String, Option<i64>)> {
        IdKind::ALL
            .into_iter()
            .map(|kind| {
                let mtime = std::fs::metadata(self.dir(kind))
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .and_then(|d| i64::try_from(d.as_nanos()).ok());
                (kind.dir().to_string(), mtime)
            })
            .collect()
    }

    /// The current text of a record file and when it was last modified, or
    /// `None` when it is missing or unreadable.
    pub fn current(&self, path: &RecordPath) -> Option<(String, Option<std::time::SystemTime>)> {
        let abs = self.abs(&path.rel());
        let (bytes, meta) = read_record_file(self.root(), &abs).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        Some((text, meta.modified().ok()))
    }
}

/// The error for a file that holds no valid record: its first error.
fn broken(rel: &str, problems: &[crate::model::Problem]) -> StoreError {
    let first = problems
        .iter()
        .find(|p| p.severity == crate::model::Severity::Error)
        .or(problems.first());
    StoreError::Broken {
        path: rel.into(),
        line: first.map_or(1, |p| p.line),
        column: first.map_or(1, |p| p.column),
        message: first.map_or_else(|| "not a record".into(), |p| p.message.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn workspace() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        super::super::init(dir.path()).unwrap();
        let ws = Workspace::open(Some(dir.path()), dir.path()).unwrap();
        (dir, ws)
    }

    fn task(ws: &Workspace) -> Task {
        let id = RecordId::parse("TASK-7k2mq").unwrap();
        let task = Task::new(id, "Reset".into(), "2026-11-24T16:02:11Z".parse().unwrap());
        ws.create(&ws.lock().unwrap(), &task).unwrap();
        task
    }

    #[test]
    fn read_returns_the_validated_record_and_its_text() {
        let (_dir, ws) = workspace();
        let task = task(&ws);
        let file = ws.read::<Task>(&task.id).unwrap();
        assert_eq!(file.record, task);
        assert_eq!(file.text, render::task(&task, ""));
    }

    #[test]
    fn read_of_a_broken_file_names_its_position() {
        let (_dir, ws) = workspace();
        let task = task(&ws);
        let path = ws.path(IdKind::Task, &task.id);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("status: TODO", "status: SOON")).unwrap();
        let line = text.lines().position(|l| l.starts_with("status:")).unwrap() + 1;
        match ws.read::<Task>(&task.id) {
            Err(StoreError::Broken {
                path,
                line: l,
                message,
                ..
            }) => {
                assert_eq!(path, "tasks/TASK-7k2mq.yaml");
                assert_eq!(l, line);
                assert!(message.contains("SOON"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_batch_of_more_records_than_open_file_descriptors_is_written_whole() {
        let (_dir, ws) = workspace();
        let lock = ws.lock().unwrap();
        let at = chrono::DateTime::from_timestamp(0, 0).unwrap();
        let tasks: Vec<(Task, bool)> = (0..3_000)
            .map(|n| {
                let id = RecordId::parse(&format!("TASK-b{n:04}")).unwrap();
                (Task::new(id, format!("Task {n}"), at), n % 3 == 0)
            })
            .collect();
        let written = ws.create_all(&lock, &tasks).unwrap();
        assert_eq!(written.len(), 3_000);
        for ((task, archived), file) in tasks.iter().zip(&written) {
            let path = if *archived {
                RecordPath::archived(IdKind::Task, &task.id)
            } else {
                RecordPath::of(IdKind::Task, &task.id)
            };
            assert_eq!(file.rel, path.rel());
            let text = std::fs::read_to_string(ws.abs(&file.rel)).unwrap();
            assert_eq!(text.len() as u64, file.stamp.size);
        }
        let temps = std::fs::read_dir(ws.dir(IdKind::Task))
            .unwrap()
            .flatten()
            .filter(|e| super::super::is_temp_name(&e.file_name().to_string_lossy()))
            .count();
        assert_eq!(temps, 0);
    }

    #[test]
    fn read_of_a_missing_record_is_missing() {
        let (_dir, ws) = workspace();
        let id = RecordId::parse("TASK-zzzzz").unwrap();
        assert!(matches!(
            ws.read::<Task>(&id),
            Err(StoreError::Missing { path }) if path == "tasks/TASK-zzzzz.yaml"
        ));
    }

    #[test]
    fn modify_is_a_one_line_diff_and_returns_the_stamp_of_what_it_wrote() {
        let (_dir, ws) = workspace();
        let task = task(&ws);
        let path = ws.path(IdKind::Task, &task.id);
        let before = std::fs::read_to_string(&path).unwrap();
        let lock = ws.lock().unwrap();
        let m = ws
            .modify(&lock, &task.id, |t: &mut Task| {
                t.status = Status::InReview;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert_eq!(m.old, task);
        assert_eq!(m.new.status, Status::InReview);
        let after = std::fs::read_to_string(&path).unwrap();
        let changed = before
            .lines()
            .zip(after.lines())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(
            (changed, before.lines().count()),
            (1, after.lines().count())
        );
        let written = m.written.unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(
            written.stamp,
            Stamp {
                size: meta.len(),
                mtime_ns: super::super::mtime_ns(&meta),
                hash: content_hash(after.as_bytes()),
            }
        );
        assert_eq!(written.rel, "tasks/TASK-7k2mq.yaml");
        assert_eq!(written.loaded.record, Some(Record::Task(m.new)));
    }

    #[test]
    fn modify_without_a_change_writes_nothing() {
        let (_dir, ws) = workspace();
        let task = task(&ws);
        let lock = ws.lock().unwrap();
        let m = ws
            .modify(&lock, &task.id, |_: &mut Task| Ok::<_, StoreError>(()))
            .unwrap();
        assert!(m.written.is_none());
    }
}
