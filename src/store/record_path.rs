//! Where a record lives: `<kind folder>/<stem>.yaml` under the workspace root.
//! The one place that turns a path into (kind, id) and back, so the stat pass,
//! the loader, the file monitor, the change feed and the git diff agree on which
//! files are records. The stem is kept as written: a file whose name is not a
//! valid id is still a record file (the loader reports the mismatch).
//! Archived tasks and sprints live under `archive/<kind folder>/` (see
//! docs/ARCHIVE.md); they are records like any other, in their own place.

use crate::model::{IdKind, RecordId};

/// A record file's place, relative to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordPath {
    kind: IdKind,
    stem: String,
    archived: bool,
}

/// The folder, under the workspace root, that holds archived records.
pub const ARCHIVE_DIR: &str = "archive";

/// The record kinds that can be archived (contexts are a history already).
pub const ARCHIVED_KINDS: [IdKind; 2] = [IdKind::Task, IdKind::Sprint];

impl RecordPath {
    /// The file of record `id`.
    pub fn of(kind: IdKind, id: &RecordId) -> Self {
        RecordPath {
            kind,
            stem: id.as_str().to_string(),
            archived: false,
        }
    }

    /// The archived file of record `id`.
    pub fn archived(kind: IdKind, id: &RecordId) -> Self {
        RecordPath {
            archived: true,
            ..Self::of(kind, id)
        }
    }

    /// The folder of `kind`'s records, relative to the workspace root:
    /// `tasks` or `archive/tasks`.
    pub fn dir(kind: IdKind, archived: bool) -> String {
        if archived {
            format!("{ARCHIVE_DIR}/{}", kind.dir())
        } else {
            kind.dir().to_string()
        }
    }

    /// A file named `name` inside the folder of `kind`, if it is a record file:
    /// `*.yaml` and not hidden (editor swap files, our own temporaries).
    pub fn in_dir(kind: IdKind, name: &str) -> Option<Self> {
        Self::is_record_name(name).then(|| RecordPath {
            kind,
            stem: name[..name.len() - ".yaml".len()].to_string(),
            archived: false,
        })
    }

    /// Whether a file name inside a record folder names a record file (the
    /// stat pass asks this of every file, so it allocates nothing).
    pub fn is_record_name(name: &str) -> bool {
        name.len() > ".yaml".len() && name.ends_with(".yaml") && !name.starts_with('.')
    }

    /// Parses `tasks/TASK-7k2mq.yaml` (relative to the workspace root, `/`
    /// separators).
    /// `archive/tasks/TASK-7k2mq.yaml` is the archived task.
    pub fn parse(rel: &str) -> Option<Self> {
        let (archived, rel) = match rel.strip_prefix(ARCHIVE_DIR) {
            Some(rest) => (true, rest.strip_prefix('/')?),
            None => (false, rel),
        };
        let (dir, name) = rel.split_once('/')?;
        let kind = IdKind::ALL.into_iter().find(|k| k.dir() == dir)?;
        if archived && !ARCHIVED_KINDS.contains(&kind) {
            return None;
        }
        let mut path = Self::in_dir(kind, name)?;
        path.archived = archived;
        Some(path)
    }

    /// Whether this file lies in the archive.
    pub fn is_archived(&self) -> bool {
        self.archived
    }

    pub fn kind(&self) -> IdKind {
        self.kind
    }

    /// The file name without `.yaml`: the id the name claims.
    pub fn stem(&self) -> &str {
        &self.stem
    }

    /// The id the file name claims, when it is a valid one.
    pub fn id(&self) -> Option<RecordId> {
        RecordId::parse(&self.stem).ok()
    }

    /// `tasks/TASK-7k2mq.yaml` (`archive/tasks/TASK-7k2mq.yaml` once archived).
    pub fn rel(&self) -> String {
        self.to_string()
    }
}

impl std::fmt::Display for RecordPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.archived {
            write!(f, "{ARCHIVE_DIR}/")?;
        }
        write!(f, "{}/{}.yaml", self.kind.dir(), self.stem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_path_round_trips_and_skips_hidden_and_foreign_files() {
        let p = RecordPath::parse("tasks/TASK-7k2mq.yaml").unwrap();
        assert_eq!(p.kind(), IdKind::Task);
        assert_eq!(p.id().unwrap().as_str(), "TASK-7k2mq");
        assert_eq!(p.rel(), "tasks/TASK-7k2mq.yaml");
        assert_eq!(p, RecordPath::of(IdKind::Task, &p.id().unwrap()));
        assert_eq!(RecordPath::parse("sprints/x y.yaml").unwrap().id(), None);
        assert!(RecordPath::parse("tasks/.TASK-7k2mq.yaml.x1.tmp").is_none());
        assert!(RecordPath::parse("tasks/.hidden.yaml").is_none());
        assert!(RecordPath::parse("tasks/TASK-7k2mq.json").is_none());
        assert!(RecordPath::parse("cache/index.yaml").is_none());
        assert!(RecordPath::parse("config.yaml").is_none());
    }

    #[test]
    fn archived_paths_round_trip_and_only_tasks_and_sprints_are_archived() {
        let p = RecordPath::parse("archive/tasks/TASK-7k2mq.yaml").unwrap();
        assert!(p.is_archived());
        assert_eq!(p.kind(), IdKind::Task);
        assert_eq!(p.rel(), "archive/tasks/TASK-7k2mq.yaml");
        assert_eq!(p, RecordPath::archived(IdKind::Task, &p.id().unwrap()));
        assert!(RecordPath::parse("archive/sprints/SPRINT-a.yaml").is_some());
        assert!(RecordPath::parse("archive/contexts/CTX-a.yaml").is_none());
        assert!(RecordPath::parse("archived/tasks/TASK-a.yaml").is_none());
        assert!(
            !RecordPath::parse("tasks/TASK-7k2mq.yaml")
                .unwrap()
                .is_archived()
        );
    }
}
