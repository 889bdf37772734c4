//! Where the index cache lives: `cache/index.sqlite` in the workspace, or
//! wherever `ORCHESTRON_DB` says — but only inside the project (the folder
//! holding `.orchestron/`), and never over a file that is not a cache. A
//! cache found unreadable is deleted and rebuilt, so a setting that named a
//! user's file (`ORCHESTRON_DB=README.md`, `=../../.ssh/id_rsa`) would
//! otherwise destroy it.

use super::{StoreError, Workspace};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

impl Workspace {
    /// The index cache file: `ORCHESTRON_DB` or `cache/index.sqlite`. A
    /// relative `ORCHESTRON_DB` is taken from the project folder (the one
    /// holding `.orchestron/`), where client configurations start the server,
    /// never from the current directory: every process then finds one cache.
    pub fn db_path(&self) -> Result<PathBuf, StoreError> {
        match std::env::var_os("ORCHESTRON_DB") {
            Some(p) if !p.is_empty() => checked_db_path(self.project_dir(), Path::new(&p)),
            _ => Ok(self.root().join("cache").join("index.sqlite")),
        }
    }
}

/// `value` resolved against `project`, when it stays inside it and names no
/// file but a cache.
fn checked_db_path(project: &Path, value: &Path) -> Result<PathBuf, StoreError> {
    let refuse = |why: &'static str| StoreError::BadDbPath {
        value: value.to_path_buf(),
        why,
    };
    let path = normalise(&project.join(value)).ok_or_else(|| refuse("it climbs above /"))?;
    let project = normalise(project).unwrap_or_else(|| project.to_path_buf());
    // The folder it would be in, with links resolved, must be inside too.
    let real_dir = path.parent().and_then(|d| d.canonicalize().ok());
    let outside = |p: &Path| !p.starts_with(&project);
    if outside(&path) || path == project || real_dir.as_deref().is_some_and(outside) {
        return Err(refuse("it is outside the project folder"));
    }
    match std::fs::symlink_metadata(&path) {
        Err(_) => Ok(path),
        Ok(m) if !m.is_file() => Err(refuse("it is not a regular file")),
        Ok(_) if !looks_like_a_cache(&path) => Err(refuse(
            "it names a file that is not an SQLite database, which a rebuild would replace",
        )),
        Ok(_) => Ok(path),
    }
}

/// An empty file or one that starts like an SQLite database (a damaged cache
/// is still ours to replace).
fn looks_like_a_cache(path: &Path) -> bool {
    let mut head = Vec::with_capacity(SQLITE_MAGIC.len());
    std::fs::File::open(path)
        .and_then(|f| f.take(SQLITE_MAGIC.len() as u64).read_to_end(&mut head))
        .is_ok_and(|_| head.is_empty() || head == SQLITE_MAGIC)
}

/// `path` with `.` and `..` resolved lexically (no symlinks are followed:
/// the project folder is canonical already); `None` if `..` climbs above
/// the root.
fn normalise(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_db_path_out_of_the_project_or_over_a_user_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().canonicalize().unwrap();
        std::fs::write(project.join("README.md"), "mine").unwrap();
        std::fs::create_dir(project.join("sub")).unwrap();
        std::os::unix::fs::symlink("/tmp", project.join("tmp-link")).unwrap();
        let ok = |v: &str| checked_db_path(&project, Path::new(v));
        assert_eq!(ok("cache.db").unwrap(), project.join("cache.db"));
        assert_eq!(ok("sub/../x.db").unwrap(), project.join("x.db"));
        assert_eq!(
            ok(project.join("abs.db").to_str().unwrap()).unwrap(),
            project.join("abs.db")
        );
        for bad in [
            "../outside.db",
            "sub/../../outside.db",
            "/etc/passwd",
            "/tmp/x.db",
            "README.md",
            "sub",
            ".",
            "tmp-link/x.db",
            "../../../../../../../../../../../../../../../../../../../../..",
        ] {
            assert!(
                matches!(ok(bad), Err(StoreError::BadDbPath { .. })),
                "{bad}: {:?}",
                ok(bad)
            );
        }
        std::fs::write(project.join("old.db"), SQLITE_MAGIC).unwrap();
        assert!(ok("old.db").is_ok(), "a damaged cache is still a cache");
    }
}
