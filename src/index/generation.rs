//! Which file holds the cache: the *generations* of the index. A bulk load
//! (`index rebuild`, the first build of a cache) writes a new database file
//! beside the old one — with no journal, so every page is written once instead
//! of once to the WAL and again by the checkpoint, and nothing has to be
//! emptied first — and then publishes it by replacing a small pointer file,
//! `index.current.sqlite` beside `index.sqlite`, which names it
//! (`index.g<token>.sqlite`). Until a pointer exists the cache is the
//! file at the configured path itself.
//!
//! A new file, never a rename over the old name: SQLite names the WAL and
//! shared-memory files after the database's path, so a new database at the
//! old name would share them with the connections that still have the old
//! one open (the MCP server, the board) and each would replay the other's
//! frames. Under their own names, an old connection keeps reading its old,
//! consistent file until it follows the pointer ([`super::Index::follow`]),
//! which every refresh does first and every apply does under the lock. What
//! it may still write to the old file is lost with it, and all of that is
//! derived from the record files, whose stamps the new file compares afresh.

use super::error::IndexError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What the pointer file's name puts between the configured cache's stem
/// and its extension (`index.current.sqlite`): the same extension, so that
/// the ignore patterns that keep the cache out of git (`*.sqlite`, `*.db`)
/// cover it too.
const POINTER: &str = "current";
/// What starts the token a generation file's name puts there (`index.g…sqlite`).
const GENERATION: &str = "g";
/// The files SQLite keeps beside a database.
const SIDE_FILES: [&str; 4] = ["", "-wal", "-shm", "-journal"];

/// `base`'s name split at its extension: (`index`, `.sqlite`), or the whole
/// name and nothing when it has none.
fn stem_and_extension(base: &Path) -> (String, String) {
    let name = base
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.rfind('.').filter(|&i| i > 0) {
        Some(i) => (name[..i].to_string(), name[i..].to_string()),
        None => (name, String::new()),
    }
}

/// The file beside `base` named `<stem>.<infix><extension>`.
fn beside(base: &Path, infix: &str) -> PathBuf {
    let (stem, ext) = stem_and_extension(base);
    base.with_file_name(format!("{stem}.{infix}{ext}"))
}

/// Whether `name` is the name of a generation file of the cache at `base`.
fn is_generation(base: &Path, name: &str) -> bool {
    let (stem, ext) = stem_and_extension(base);
    name.strip_prefix(&format!("{stem}.{GENERATION}"))
        .and_then(|rest| rest.strip_suffix(ext.as_str()))
        .is_some_and(|token| !token.is_empty() && token.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The pointer file of the cache configured at `base`.
fn pointer(base: &Path) -> PathBuf {
    beside(base, POINTER)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The file that holds the cache configured at `base` now: the one the
/// pointer names, or `base` itself while there is no pointer. A pointer that
/// names anything but a generation file of this cache (a hand edit) is
/// ignored, and the next bulk load replaces it.
pub fn current(base: &Path) -> Result<PathBuf, IndexError> {
    let text = match std::fs::read_to_string(pointer(base)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(base.to_path_buf()),
        Err(source) => {
            return Err(IndexError::Pointer {
                path: pointer(base),
                source,
            });
        }
    };
    let name = text.trim_end_matches('\n');
    if !is_generation(base, name) {
        tracing::warn!(
            "{} does not name a generation of the cache; using {}",
            pointer(base).display(),
            base.display()
        );
        return Ok(base.to_path_buf());
    }
    Ok(base.with_file_name(name))
}

/// A name for the next generation of the cache configured at `base`, free
/// of every file there (an old connection may still hold an older one).
pub fn fresh_name(base: &Path) -> PathBuf {
    loop {
        let token = crate::model::new_suffix(10);
        let file = beside(base, &format!("{GENERATION}{token}"));
        if SIDE_FILES
            .iter()
            .all(|s| std::fs::symlink_metadata(with_suffix(&file, s)).is_err())
        {
            return file;
        }
    }
}

/// Makes `file` the cache (the caller holds the workspace lock): its data
/// first made durable, then the pointer replaced atomically and the folder
/// synced, so that a crash leaves either the old generation or the new one.
pub fn publish(base: &Path, file: &Path) -> Result<(), IndexError> {
    let err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| IndexError::Publish { path, source }
    };
    std::fs::File::open(file)
        .and_then(|f| f.sync_all())
        .map_err(err(file))?;
    let name = name_of(file);
    let target = pointer(base);
    // Hidden and ending in `.tmp`, as the store's temporary files: ignored
    // by git wherever the cache is.
    let temp = target.with_file_name(format!(".{}.{}.tmp", name_of(&target), std::process::id()));
    let written = std::fs::File::create(&temp).and_then(|mut f| {
        f.write_all(format!("{name}\n").as_bytes())?;
        f.sync_all()
    });
    if let Err(source) = written.and_then(|()| std::fs::rename(&temp, &target)) {
        let _ = std::fs::remove_file(&temp);
        return Err(IndexError::Publish {
            path: target,
            source,
        });
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        // A folder cannot be opened for syncing everywhere (Windows): the
        // rename is then as durable as the platform makes it.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Removes the files of every generation of the cache at `base` but
/// `keep`'s (and `base` itself when it is not `keep`), with their WAL and
/// shared-memory files: the caller holds the workspace lock, so no other
/// generation is being built. A connection that still has one open keeps its
/// data until it follows the pointer; where a file in use cannot be removed
/// (Windows), the next bulk load tries again.
pub fn remove_others(base: &Path, keep: &Path) {
    let Some(dir) = base.parent() else { return };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let base_name = name_of(base);
    let keep_name = name_of(keep);
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let db = SIDE_FILES[1..]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(&name);
        let ours = db == base_name || is_generation(base, db);
        if ours
            && db != keep_name
            && let Err(e) = std::fs::remove_file(entry.path())
        {
            tracing::debug!("left {} for later: {e}", entry.path().display());
        }
    }
}

/// Removes the database `file` with its WAL, shared-memory and journal
/// files (a stale WAL beside a fresh database would be replayed into it):
/// a broken cache, or one found missing, before it is created again.
pub fn remove_files(file: &Path) -> Result<(), IndexError> {
    for suffix in SIDE_FILES {
        let path = with_suffix(file, suffix);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(IndexError::RemoveCorrupt { path, source }),
        }
    }
    Ok(())
}

/// Removes a generation file that was never published, with whatever
/// SQLite left beside it; what cannot be removed now, the next bulk load's
/// [`remove_others`] removes.
pub fn discard(file: &Path) {
    if let Err(e) = remove_files(file) {
        tracing::debug!("left an unpublished cache file for later: {e}");
    }
}
