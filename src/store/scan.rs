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

/// Lists and stats every `*.yaml` record file under the workspace's record
/// folders, the archive's included. Hidden files (editor swap files, our own
/// temporaries) are not records; our temporaries are listed apart.
pub fn scan(root: &Path) -> Result<Listing, StoreError> {
    Ok(scan_while(root, Scope::WithArchive, || ())?.0)
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

/// [`scan`], while `work` runs on the calling thread (the caller reads the
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
                    let Ok(name) = entry.file_name().into_string() else {
                        continue;
                    };
                    if !RecordPath::is_record_name(&name) {
                        if super::is_temp_name(&name) {
                            temps.push(entry.path());
                        }
                        continue;
                    }
                    let mut rel = String::with_capacity(dir.len() + 1 + name.len());
                    rel.push_str(&dir);
                    rel.push('/');
                    rel.push_str(&name);
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
