//! Where a record lives: `<kind folder>/<stem>.yaml` under the workspace root.
//! The one place that turns a path into (kind, id) and back, so the stat pass,
//! the loader, the watcher, the change feed and the git diff agree on which
//! files are records. The stem is kept as written: a file whose name is not a
//! valid id is still a record file (the loader reports the mismatch).

use crate::model::{IdKind, RecordId};

/// A record file's place, relative to the workspace root.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordPath {
    kind: IdKind,
    stem: String,
}

impl RecordPath {
    /// The file of record `id`.
    pub fn of(kind: IdKind, id: &RecordId) -> Self {
        RecordPath {
            kind,
            stem: id.as_str().to_string(),
        }
    }

    /// A file named `name` inside the folder of `kind`, if it is a record file:
    /// `*.yaml` and not hidden (editor swap files, our own temporaries).
    pub fn in_dir(kind: IdKind, name: &str) -> Option<Self> {
        Self::is_record_name(name).then(|| RecordPath {
            kind,
            stem: name[..name.len() - ".yaml".len()].to_string(),
        })
    }

    /// Whether a file name inside a record folder names a record file (the
    /// stat pass asks this of every file, so it allocates nothing).
    pub fn is_record_name(name: &str) -> bool {
        name.len() > ".yaml".len() && name.ends_with(".yaml") && !name.starts_with('.')
    }

    /// Parses `tasks/TASK-7k2mq.yaml` (relative to the workspace root, `/`
    /// separators).
    pub fn parse(rel: &str) -> Option<Self> {
        let (dir, name) = rel.split_once('/')?;
        let kind = IdKind::ALL.into_iter().find(|k| k.dir() == dir)?;
        Self::in_dir(kind, name)
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

    /// `tasks/TASK-7k2mq.yaml`.
    pub fn rel(&self) -> String {
        format!("{}/{}.yaml", self.kind.dir(), self.stem)
    }
}

impl std::fmt::Display for RecordPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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
}
