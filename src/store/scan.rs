//! The stat pass: every record file's size and modification time, gathered on
//! both cores. This is the hot path of every command (a sound no-change check
//! must look at every file: editors save in place, so directory mtimes lie).

use super::record_path::ARCHIVED_KINDS;
use super::{RecordPath, StoreError, read::join_all};
use crate::model::IdKind;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// One record file as seen by the stat pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedFile {
    pub kind: IdKind,
    /// Relative to the workspace root, with `/` separators.
    pub rel: String,
    pub size: u64,
    pub mtime_ns: i64,
    /// The stat saw a regular file itself, not a link to one (nor anything
    /// else): the reader need not `lstat` it again.
    pub regular: bool,
}

/// What the stat pass found in the record folders.
#[derive(Debug, Default)]
pub struct Listing {
    /// Every record file, sorted by `rel`.
    pub files: Vec<ScannedFile>,
    /// Temporary files of writes (see [`super::is_temp_name`]): stale unless
    /// a writer holds the workspace lock.
    pub temps: Vec<PathBuf>,
}

/// Lists every record file under the workspace's record folders, the
/// archive's included, by name only: no file is stat'ed. A bulk load (a
/// rebuild, the first build of a cache) reads every file anyway and takes
/// each one's stamp from the `fstat` of the handle it reads through, so the
/// stat pass would only repeat that. `size` and `mtime_ns` are 0 here;
/// `regular` comes from the directory entry's own type (`d_type`; a file
/// system that gives none stats the entry, as the stat pass would). As in
/// the stat pass, a link, a FIFO or a directory named like a record is
/// listed as what it is and the reader refuses or follows it by name.
pub fn list(root: &Path) -> Result<Listing, StoreError> {
    let mut listing = Listing::default();
    for (kind, dir) in Scope::WithArchive.dirs() {
        let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let Some(rel) = record_rel(&dir, &entry, &mut listing.temps) else {
                continue;
            };
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            listing.files.push(ScannedFile {
                kind,
                rel,
                size: 0,
                mtime_ns: 0,
                regular: file_type.is_file(),
            });
        }
    }
    listing.files.sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
    Ok(listing)
}

/// The path relative to the workspace root of a directory entry of the
/// record folder `dir` named like a record; `None` for any other name (a
/// write's temporary file is put on `temps`).
fn record_rel(dir: &str, entry: &std::fs::DirEntry, temps: &mut Vec<PathBuf>) -> Option<String> {
    let name = entry.file_name().into_string().ok()?;
    if !RecordPath::is_record_name(&name) {
        if super::is_temp_name(&name) {
            temps.push(entry.path());
        }
        return None;
    }
    let mut rel = String::with_capacity(dir.len() + 1 + name.len());
    rel.push_str(dir);
    rel.push('/');
    rel.push_str(&name);
    Some(rel)
}

/// Which record folders a stat pass covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `tasks/`, `sprints/`, `contexts/`: what every command looks at.
    Live,
    /// Those and `archive/tasks/`, `archive/sprints/`.
    WithArchive,
}

impl Scope {
    /// The folders of this scope, with the kind of record each holds.
    fn dirs(self) -> Vec<(IdKind, String)> {
        let mut dirs: Vec<(IdKind, String)> = IdKind::ALL
            .into_iter()
            .map(|k| (k, RecordPath::dir(k, false)))
            .collect();
        if self == Scope::WithArchive {
            dirs.extend(ARCHIVED_KINDS.map(|k| (k, RecordPath::dir(k, true))));
        }
        dirs
    }
}

/// A batch of listed files waiting for their stat: kind, entry, path
/// relative to the workspace root.
type Batch = Vec<(IdKind, std::fs::DirEntry, String)>;

/// Names are handed to the stat workers in batches of this many.
const BATCH: usize = 256;

/// Lists and stats every `*.yaml` record file under the record folders of
/// `scope`. Hidden files (editor swap files, our own temporaries) are not
/// records; our temporaries are listed apart. This runs while `work` runs
/// on the calling thread (the caller reads the
/// index's stamps meanwhile); once `work` is done the calling thread helps
/// with the stats. A worker that panicked fails
/// the pass: its files would otherwise look deleted.
///
/// One thread lists the directories (`getdents`, inherently sequential) and
/// hands out batches of names as it goes; the stats start at once on another
/// core and every thread that is free joins them. Each file is stat'ed
/// relative to its open directory (`DirEntry::metadata`: `statx` on the
/// directory's descriptor), so the kernel resolves one name rather than
/// walking the whole path again for every file.
pub fn scan_while<R>(
    root: &Path,
    scope: Scope,
    work: impl FnOnce() -> R,
) -> Result<(Listing, R), StoreError> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let (tx, rx) = std::sync::mpsc::channel::<Batch>();
    let rx = std::sync::Mutex::new(rx);
    // Takes batches until the lister is done and the queue is empty.
    let drain = || -> Vec<ScannedFile> {
        let mut out = Vec::new();
        loop {
            let batch = match rx.lock() {
                Ok(guard) => guard.recv(),
                Err(_) => break,
            };
            match batch {
                Ok(batch) => stat_batch(&batch, &mut out),
                Err(_) => break,
            }
        }
        out
    };
    let (mut listing, result) = std::thread::scope(|s| {
        let lister = s.spawn(move || {
            let mut batch: Batch = Vec::with_capacity(BATCH);
            let mut temps = Vec::new();
            for (kind, dir) in scope.dirs() {
                let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let Some(rel) = record_rel(&dir, &entry, &mut temps) else {
                        continue;
                    };
                    batch.push((kind, entry, rel));
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        if tx.send(full).is_err() {
                            return temps;
                        }
                    }
                }
            }
            let _ = tx.send(batch);
            // `tx` drops here: the workers stop once the queue is empty.
            temps
        });
        let workers: Vec<_> = (1..threads).map(|_| s.spawn(drain)).collect();
        let result = work();
        let mine = drain();
        let listed = join_all(vec![lister], "stat pass");
        let theirs = join_all(workers, "stat pass");
        listed.and_then(|temps| {
            theirs.map(|theirs| {
                let mut files = mine;
                files.extend(theirs.into_iter().flatten());
                let temps = temps.into_iter().flatten().collect();
                (Listing { files, temps }, result)
            })
        })
    })?;
    listing.files.sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
    Ok((listing, result))
}

/// One record file's stat (`rel` relative to the workspace root), for a
/// refresh that knows which paths changed; `None` when it is not a file now.
pub fn stat_file(root: &Path, rel: &str) -> Option<ScannedFile> {
    let path = RecordPath::parse(rel)?;
    let own = std::fs::symlink_metadata(root.join(rel)).ok()?;
    let regular = own.file_type().is_file();
    let meta = listed_meta(&root.join(rel), own)?;
    Some(ScannedFile {
        kind: path.kind(),
        rel: rel.to_string(),
        size: meta.len(),
        mtime_ns: mtime_ns(&meta),
        regular,
    })
}

/// What the stat pass records for an entry named like a record: a linked
/// record counts as the file it points at. Anything else — a dangling or
/// looping link, a FIFO, a device, a directory — is listed as it is, so that
/// the reader refuses it by name (never opening it for a blocking read)
/// instead of the entry vanishing without a word.
fn listed_meta(path: &Path, meta: std::fs::Metadata) -> Option<std::fs::Metadata> {
    if meta.file_type().is_symlink() {
        return Some(std::fs::metadata(path).unwrap_or(meta));
    }
    Some(meta)
}

fn stat_batch(batch: &[(IdKind, std::fs::DirEntry, String)], out: &mut Vec<ScannedFile>) {
    for (kind, entry, rel) in batch {
        let Ok(own) = entry.metadata() else {
            continue;
        };
        let regular = own.file_type().is_file();
        let Some(meta) = listed_meta(&entry.path(), own) else {
            continue;
        };
        out.push(ScannedFile {
            kind: *kind,
            rel: rel.clone(),
            size: meta.len(),
            mtime_ns: mtime_ns(&meta),
            regular,
        });
    }
}

/// A file's modification time in nanoseconds since the Unix epoch (0 if unknown).
pub fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    /// Every kind of entry a record folder can hold, live and archived.
    fn folder_of_every_kind() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("ws");
        let tasks = root.join("tasks");
        std::fs::create_dir_all(&tasks).unwrap();
        std::fs::create_dir_all(root.join("archive/tasks")).unwrap();
        std::fs::create_dir_all(root.join("sprints")).unwrap();
        std::fs::write(tasks.join("TASK-plain1.yaml"), "id: TASK-plain1\n").unwrap();
        std::fs::write(root.join("kept.yaml"), "x: 1\n").unwrap();
        std::os::unix::fs::symlink(root.join("kept.yaml"), tasks.join("TASK-link1.yaml")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("gone"), tasks.join("TASK-dangl.yaml")).unwrap();
        let fifo = std::ffi::CString::new(tasks.join("TASK-fifo1.yaml").to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        std::fs::create_dir(tasks.join("TASK-dir01.yaml")).unwrap();
        let odd = std::ffi::OsStr::from_bytes(b"TASK-\xff\xfe.yaml");
        std::fs::write(tasks.join(odd), "id: TASK-odd\n").unwrap();
        std::fs::write(tasks.join(".TASK-plain1.yaml.ab12cd34.tmp"), "half").unwrap();
        std::fs::write(tasks.join(".TASK-plain1.yaml.swp"), "vim").unwrap();
        std::fs::write(tasks.join("notes.txt"), "not a record").unwrap();
        std::fs::write(
            root.join("archive/tasks/TASK-old01.yaml"),
            "id: TASK-old01\n",
        )
        .unwrap();
        std::fs::write(root.join("sprints/SPRINT-s1.yaml"), "id: SPRINT-s1\n").unwrap();
        (dir, root)
    }

    #[test]
    fn the_listing_by_name_finds_what_the_stat_pass_finds() {
        let (_dir, root) = folder_of_every_kind();
        let (scanned, ()) = scan_while(&root, Scope::WithArchive, || ()).unwrap();
        let listed = list(&root).unwrap();
        let names = |l: &Listing| -> Vec<(IdKind, String, bool)> {
            l.files
                .iter()
                .map(|f| (f.kind, f.rel.clone(), f.regular))
                .collect()
        };
        assert_eq!(names(&listed), names(&scanned));
        assert_eq!(listed.temps, scanned.temps);
        assert_eq!(
            listed.temps,
            vec![root.join("tasks/.TASK-plain1.yaml.ab12cd34.tmp")]
        );
        let rels: Vec<&str> = listed.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(
            rels,
            [
                "archive/tasks/TASK-old01.yaml",
                "sprints/SPRINT-s1.yaml",
                "tasks/TASK-dangl.yaml",
                "tasks/TASK-dir01.yaml",
                "tasks/TASK-fifo1.yaml",
                "tasks/TASK-link1.yaml",
                "tasks/TASK-plain1.yaml",
            ]
        );
        let regular: Vec<bool> = listed.files.iter().map(|f| f.regular).collect();
        assert_eq!(regular, [true, true, false, false, false, false, true]);
    }
}
