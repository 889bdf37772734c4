//! The stat pass: every record file's size and modification time, gathered on
//! both cores. This is the hot path of every command (a sound no-change check
//! must look at every file: editors save in place, so directory mtimes lie).

use crate::model::IdKind;
use std::path::Path;
use std::time::UNIX_EPOCH;

/// One record file as seen by the stat pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedFile {
    pub kind: IdKind,
    /// Relative to the workspace root, with `/` separators.
    pub rel: String,
    pub size: u64,
    pub mtime_ns: i64,
}

/// Lists and stats every `*.yaml` record file under the workspace's record
/// folders. Hidden files (editor swap files, our own temporaries) are skipped.
pub fn scan(root: &Path) -> Vec<ScannedFile> {
    let mut names: Vec<(IdKind, std::path::PathBuf, String)> = Vec::new();
    for kind in IdKind::ALL {
        let Ok(entries) = std::fs::read_dir(root.join(kind.dir())) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') || !name.ends_with(".yaml") {
                continue;
            }
            names.push((kind, entry.path(), format!("{}/{name}", kind.dir())));
        }
    }
    let stat = |chunk: &[(IdKind, std::path::PathBuf, String)]| -> Vec<ScannedFile> {
        chunk
            .iter()
            .filter_map(|(kind, path, rel)| {
                let meta = std::fs::metadata(path).ok()?;
                if !meta.is_file() {
                    return None;
                }
                let mtime_ns = mtime_ns(&meta);
                Some(ScannedFile {
                    kind: *kind,
                    rel: rel.clone(),
                    size: meta.len(),
                    mtime_ns,
                })
            })
            .collect()
    };
    // Below a few hundred files a second thread costs more than it saves.
    if names.len() < 512 {
        return stat(&names);
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let chunk = names.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = names
            .chunks(chunk)
            .map(|c| s.spawn(move || stat(c)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// A file's modification time in nanoseconds since the Unix epoch (0 if unknown).
pub fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}
