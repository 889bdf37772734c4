//! Which paths under the workspace folder a sync must stage, found without
//! git's own pass over every file. `git add -A -- <folder>` stats every
//! tracked file and lists every folder, and the `git commit` after it
//! refreshes the whole index again: two passes at 100,000 records where a
//! commit by hand pays one. The workspace's refresh has just seen every record
//! file (a stat pass, or the watcher's answer), so its stamps are compared
//! with git's index entries instead, by git's own rule: an entry whose size
//! and modification time match and that is not *racy* (modified in or after
//! the second the index was written, see git's `racy-git.txt`) is unchanged;
//! anything else is named to `git add`, which decides by content.
//!
//! The folders are still listed (names only, no stat): a record file no stamp
//! knows yet, an untracked non-record file (git would stage it unless it is
//! ignored, which only git can tell) or anything the comparison cannot vouch
//! for makes the answer `None`, and the sync stages the whole folder as before.

use super::GitRepo;
use gix::index::entry::{Flags, Mode};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// What the workspace's last refresh saw of a record file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub size: u64,
    pub mtime_ns: i64,
}

/// Past this many paths one `git add -A` of the folder is cheaper than
/// naming them (git matches every index entry against every pathspec).
pub const MAX_NAMED: usize = 200;

/// The workspace's record layout as the sync sees it.
pub struct Layout<'a> {
    /// The workspace folder in the work tree (absolute).
    pub dir: &'a Path,
    /// The same folder relative to the repository root (`.orchestron`).
    pub folder: &'a str,
    /// Folders holding record folders, relative to the workspace folder: its
    /// root (``) and `archive`.
    pub parents: &'a [String],
    /// Folders holding record files, relative to the workspace folder
    /// (`tasks`, `archive/tasks`).
    pub record_dirs: &'a [String],
    /// Our own folder that git ignores (`cache`), skipped when untracked.
    pub cache_dir: &'a str,
}

impl GitRepo {
    /// The paths under `layout.folder` (relative to it) that may differ
    /// from git's index: changed, new or deleted. `None` when the comparison
    /// cannot vouch for the answer (no readable index, a sparse index, a
    /// conflict, an untracked non-record file, a record file without a
    /// stamp, a listing that fails, more than [`MAX_NAMED`] paths): then the
    /// sync stages the whole folder.
    pub fn changed_under<S>(
        &self,
        layout: &Layout<'_>,
        stamps: &HashMap<String, S>,
        seen: impl Fn(&S) -> Seen,
        is_record_name: impl Fn(&str) -> bool,
    ) -> Option<Vec<String>> {
        let index = gix::index::File::at(
            self.repo.index_path(),
            self.repo.object_hash(),
            // Git verifies the checksum itself when the `git add` and
            // `git commit` that follow read the same file.
            true,
            gix::index::decode::Options::default(),
        )
        .ok()?;
        if index.is_sparse() {
            return None;
        }
        let tracked = Tracked::of(&index, layout.folder)?;
        let mut walk = Walk {
            layout,
            tracked: &tracked,
            named: HashSet::new(),
            listed: HashSet::new(),
        };
        for parent in layout.parents {
            walk.parent(parent)?;
        }
        for dir in layout.record_dirs {
            walk.record_dir(dir, stamps, &seen, &is_record_name)?;
        }
        walk.deleted();
        let mut named: Vec<String> = walk.named.into_iter().collect();
        named.sort();
        (named.len() <= MAX_NAMED).then_some(named)
    }
}

/// Git's index entries under the workspace folder, by path relative to it.
struct Tracked<'i> {
    entries: HashMap<&'i str, &'i gix::index::Entry>,
    /// Every tracked path, sorted, for "is anything tracked under this folder".
    sorted: Vec<&'i str>,
    /// The second the index was written: entries modified in or after it are racy.
    written_secs: i64,
}

impl<'i> Tracked<'i> {
    fn of(index: &'i gix::index::File, folder: &str) -> Option<Self> {
        let prefix = if folder.is_empty() {
            String::new()
        } else {
            format!("{folder}/")
        };
        let mut entries = HashMap::new();
        let mut sorted = Vec::new();
        for e in index.entries() {
            let path: &[u8] = e.path(index);
            let Some(rel) = path.strip_prefix(prefix.as_bytes()) else {
                continue;
            };
            let rel = std::str::from_utf8(rel).ok()?;
            if e.stage_raw() != 0 {
                return None;
            }
            entries.insert(rel, e);
            sorted.push(rel);
        }
        sorted.sort_unstable();
        Some(Tracked {
            entries,
            sorted,
            written_secs: index.timestamp().unix_seconds(),
        })
    }

    /// Whether git tracks `rel` or anything under it.
    fn covers(&self, rel: &str) -> bool {
        if self.entries.contains_key(rel) {
            return true;
        }
        let under = format!("{rel}/");
        let at = self.sorted.partition_point(|p| *p < under.as_str());
        self.sorted.get(at).is_some_and(|p| p.starts_with(&under))
    }

    /// Whether the entry of `rel` vouches that a file last seen as `seen` is
    /// what git has: a plain file of the same size and mtime, not racy.
    fn unchanged(&self, rel: &str, seen: Seen) -> bool {
        let Some(e) = self.entries.get(rel) else {
            return false;
        };
        let flagged = e
            .flags
            .intersects(Flags::ASSUME_VALID | Flags::SKIP_WORKTREE | Flags::INTENT_TO_ADD);
        let secs = seen.mtime_ns.div_euclid(1_000_000_000);
        let nsecs = seen.mtime_ns.rem_euclid(1_000_000_000);
        !flagged
            && e.mode == Mode::FILE
            // git keeps the low 32 bits of the size.
            && u64::from(e.stat.size) == (seen.size & u64::from(u32::MAX))
            && i64::from(e.stat.mtime.secs) == secs
            && i64::from(e.stat.mtime.nsecs) == nsecs
            && i64::from(e.stat.mtime.secs) < self.written_secs
    }
}

/// One listing of the workspace folder against git's entries (names only).
struct Walk<'a, 'i> {
    layout: &'a Layout<'a>,
    tracked: &'a Tracked<'i>,
    /// Paths to name to `git add`, relative to the workspace folder.
    named: HashSet<String>,
    /// Every path listed, relative to the workspace folder.
    listed: HashSet<String>,
}

impl Walk<'_, '_> {
    /// The names in a folder holding record folders, other than those:
    /// named when git tracks them (git stages what changed in them), else
    /// `None` (git alone knows whether an untracked file is ignored) — but
    /// for our own cache.
    fn parent(&mut self, rel: &str) -> Option<()> {
        for (path, _) in self.list(rel)? {
            let walked =
                self.layout.parents.contains(&path) || self.layout.record_dirs.contains(&path);
            let our_cache = rel.is_empty() && path == self.layout.cache_dir;
            if walked || (our_cache && !self.tracked.covers(&path)) {
                continue;
            }
            self.other(path)?;
        }
        Some(())
    }

    /// A record folder: each record file compared with its entry; anything
    /// else in it treated as [`Walk::parent`] treats it.
    fn record_dir<S>(
        &mut self,
        rel: &str,
        stamps: &HashMap<String, S>,
        seen: &impl Fn(&S) -> Seen,
        is_record_name: &impl Fn(&str) -> bool,
    ) -> Option<()> {
        for (path, is_file) in self.list(rel)? {
            let name = path.rsplit('/').next().unwrap_or(&path);
            if is_file && is_record_name(name) {
                // A record file the refresh did not see (created since) has
                // no stamp: nothing vouches for it.
                let stamp = stamps.get(&path)?;
                if !self.tracked.unchanged(&path, seen(stamp)) {
                    self.named.insert(path);
                }
            } else {
                self.other(path)?;
            }
        }
        Some(())
    }

    /// Anything but a record file: named when tracked, else `None`.
    fn other(&mut self, path: String) -> Option<()> {
        if !self.tracked.covers(&path) {
            return None;
        }
        self.named.insert(path);
        Some(())
    }

    /// The names in `rel` (relative paths; `true`: a plain file); a missing
    /// folder is empty.
    fn list(&mut self, rel: &str) -> Option<Vec<(String, bool)>> {
        let names = match std::fs::read_dir(self.layout.dir.join(rel)) {
            Ok(names) => names,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !rel.is_empty() => {
                return Some(Vec::new());
            }
            Err(_) => return None,
        };
        let mut out = Vec::new();
        for entry in names {
            let entry = entry.ok()?;
            let name = entry.file_name().into_string().ok()?;
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            self.listed.insert(path.clone());
            out.push((path, entry.file_type().ok()?.is_file()));
        }
        Some(out)
    }

    /// Tracked files that the listing did not find where they were, and
    /// that no named folder above them covers: deleted (or moved away).
    fn deleted(&mut self) {
        for rel in &self.tracked.sorted {
            if self.listed.contains(*rel) || self.named_above(rel) {
                continue;
            }
            self.named.insert((*rel).to_string());
        }
    }

    fn named_above(&self, rel: &str) -> bool {
        let mut at = rel;
        while let Some((parent, _)) = at.rsplit_once('/') {
            if self.named.contains(parent) {
                return true;
            }
            at = parent;
        }
        false
    }
}
