//! Reading and loading many record files at once, on every core (parsing
//! dominates a cold rebuild). Nothing is dropped: a file that cannot be read
//! comes back as a problem at its path, and a worker that panicked fails the
//! whole pass rather than return fewer files.

use super::{
    Loaded, LoadedFile, ScannedFile, Stamp, StoreError, content_hash, load_record_at, mtime_ns,
    read_listed_record_file, read_record_file,
};
use crate::model::Problem;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::ScopedJoinHandle;

/// Reads and loads `files` (from the stat pass or a listing) under `root`; `progress` is
/// told (files read, files in all) as they are read, from worker threads.
pub fn read_all(
    root: &Path,
    files: &[ScannedFile],
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<Vec<LoadedFile>, StoreError> {
    let total = files.len();
    let done = AtomicUsize::new(0);
    let load = |chunk: &[ScannedFile]| -> Vec<LoadedFile> {
        chunk
            .iter()
            .map(|f| {
                if let Some(report) = progress {
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n.is_multiple_of(256) || n == total {
                        report(n, total);
                    }
                }
                read_one(root, f)
            })
            .collect()
    };
    if files.len() < 64 {
        return Ok(load(files));
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|c| s.spawn(move || load(c)))
            .collect();
        join_all(handles, "file loading").map(|parts| parts.into_iter().flatten().collect())
    })
}

/// Reads and loads `files` on the calling thread: a rebuild hands out
/// batches to its own workers and streams them to the index.
pub fn read_batch(root: &Path, files: &[ScannedFile]) -> Vec<LoadedFile> {
    files.iter().map(|f| read_one(root, f)).collect()
}

fn read_one(root: &Path, f: &ScannedFile) -> LoadedFile {
    let path = root.join(&f.rel);
    let read = if f.regular {
        read_listed_record_file(&path)
    } else {
        read_record_file(root, &path)
    };
    match read {
        // The stamp is the handle's own `fstat`, taken before the read: it
        // describes these bytes (the listing's stat, if any, is older).
        Ok((bytes, meta)) => {
            let mtime_ns = mtime_ns(&meta);
            LoadedFile {
                rel: f.rel.clone(),
                stamp: Stamp {
                    size: meta.len(),
                    mtime_ns,
                    hash: content_hash(&bytes),
                },
                loaded: load_record_at(f.kind, &f.rel, &bytes, file_time(mtime_ns)),
            }
        }
        Err(e) => LoadedFile {
            rel: f.rel.clone(),
            // A stamp no stat matches, so the file is read again by every
            // refresh until it can be (fixing its mode leaves its mtime alone).
            stamp: Stamp {
                size: f.size,
                mtime_ns: i64::MIN,
                hash: 0,
            },
            loaded: Loaded {
                record: None,
                problems: vec![Problem::error(
                    f.rel.as_str(),
                    1,
                    1,
                    crate::model::with_causes(&e),
                )],
                key_lines: Vec::new(),
                claims: None,
            },
        },
    }
}

/// A stat's modification time as a record's time (whole seconds, the
/// precision records are written in); `None` when the stat had none.
pub(crate) fn file_time(mtime_ns: i64) -> Option<chrono::DateTime<chrono::Utc>> {
    let secs = mtime_ns.div_euclid(1_000_000_000);
    (mtime_ns > 0)
        .then(|| chrono::DateTime::from_timestamp(secs, 0))
        .flatten()
}

/// Joins scoped worker threads; one that panicked is an error for the `pass`.
pub(crate) fn join_all<T>(
    handles: Vec<ScopedJoinHandle<'_, T>>,
    pass: &'static str,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::with_capacity(handles.len());
    let mut panicked = false;
    // Every handle is joined, even after a panic, so no thread outlives the pass.
    for h in handles {
        match h.join() {
            Ok(v) => out.push(v),
            Err(_) => panicked = true,
        }
    }
    if panicked {
        return Err(StoreError::WorkerPanicked { pass });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IdKind;

    #[test]
    fn panicking_worker_is_an_error_not_an_empty_result() {
        let result = std::thread::scope(|s| {
            let ok = s.spawn(|| vec![1]);
            let bad = s.spawn(|| -> Vec<i32> { panic!("worker died") });
            join_all(vec![ok, bad], "file loading")
        });
        assert!(
            matches!(
                result,
                Err(StoreError::WorkerPanicked {
                    pass: "file loading"
                })
            ),
            "{result:?}"
        );
    }

    /// What the listing by name hands the reader: no size, no time.
    fn listed(rel: &str) -> ScannedFile {
        ScannedFile {
            kind: IdKind::Task,
            rel: rel.into(),
            size: 0,
            mtime_ns: 0,
            regular: true,
        }
    }

    #[test]
    fn a_listed_file_gets_its_stamp_from_the_handle_it_was_read_through() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("tasks")).unwrap();
        let text = "id: TASK-7k2mq\ntitle: t\nstatus: TODO\n";
        let path = dir.path().join("tasks/TASK-7k2mq.yaml");
        std::fs::write(&path, text).unwrap();
        let files = read_batch(dir.path(), &[listed("tasks/TASK-7k2mq.yaml")]);
        let stat = std::fs::metadata(&path).unwrap();
        assert_eq!(
            files[0].stamp,
            Stamp {
                size: stat.len(),
                mtime_ns: mtime_ns(&stat),
                hash: content_hash(text.as_bytes()),
            }
        );
        assert!(files[0].loaded.record.is_some(), "{:?}", files[0].loaded);
    }

    #[test]
    fn a_listed_file_that_vanished_before_its_read_is_a_problem_no_stat_matches() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("tasks")).unwrap();
        let files = read_batch(dir.path(), &[listed("tasks/TASK-gone1.yaml")]);
        let f = &files[0];
        assert!(f.loaded.record.is_none());
        assert_eq!(f.loaded.problems[0].path, "tasks/TASK-gone1.yaml");
        assert_eq!(f.stamp.mtime_ns, i64::MIN, "the stamp must not look clean");
    }

    #[test]
    fn unreadable_file_is_reported_as_a_problem_at_its_path() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the stat pass saw a file: reading it fails even as
        // root, which a mode-000 file would not.
        std::fs::create_dir_all(dir.path().join("tasks/TASK-7k2mq.yaml")).unwrap();
        let scanned = ScannedFile {
            kind: IdKind::Task,
            rel: "tasks/TASK-7k2mq.yaml".into(),
            size: 10,
            mtime_ns: 5,
            regular: true,
        };
        let files = read_all(dir.path(), &[scanned], None).unwrap();
        assert_eq!(files.len(), 1);
        let f = &files[0];
        assert!(f.loaded.record.is_none());
        let p = &f.loaded.problems[0];
        assert_eq!(p.path, "tasks/TASK-7k2mq.yaml");
        assert!(
            p.message.contains("not a regular file but a directory"),
            "{p}"
        );
        assert_ne!(f.stamp.mtime_ns, 5, "the stamp must not look clean");
    }
}
