//! The common git directory of a work tree read from git's layout on disk,
//! without opening the repository: the claims registry lives there and every
//! `task list` looks it up, where opening the repository through gix (its
//! configuration files, HEAD, the search) cost more than finding one folder.
//! Only the plain layouts are read — `DIR/.git` a repository's directory, or a
//! `gitdir:` file naming a linked work tree's (its `commondir` naming the
//! shared one) or a submodule's git directory. Anything else is left to
//! [`super::GitRepo::discover`].

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// The common git directory (canonicalized) of the repository whose work
/// tree's top is `dir`, when `dir/.git` is one of the plain layouts and holds
/// what git's discovery checks (`HEAD`, and `objects/` and `refs/` in the
/// common directory); `None` otherwise, also when `dir/.git` does not exist
/// (`dir` may lie deeper in a work tree, or outside git).
pub fn common_dir_at(dir: &Path) -> Option<PathBuf> {
    let dot_git = dir.join(".git");
    let meta = std::fs::metadata(&dot_git).ok()?;
    let (git_dir, linked) = if meta.is_dir() {
        (dot_git, false)
    } else if meta.is_file() {
        (gitdir_of(&dot_git, dir)?, true)
    } else {
        return None;
    };
    if !git_dir.join("HEAD").is_file() {
        return None;
    }
    let common = match path_in(&git_dir.join("commondir")).ok()? {
        Some(shared) if linked => git_dir.join(shared),
        // A `.git` folder that is itself a linked work tree's git directory:
        // not a plain layout.
        Some(_) => return None,
        None => git_dir,
    };
    if !(common.join("objects").is_dir() && common.join("refs").is_dir()) {
        return None;
    }
    std::fs::canonicalize(&common).ok()
}

/// The git directory a `.git` file names (`gitdir: PATH`, relative to the
/// work tree's top `dir`).
fn gitdir_of(file: &Path, dir: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(file).ok()?;
    let path = text.strip_prefix("gitdir:")?.trim();
    (!path.is_empty()).then(|| dir.join(path))
}

/// The path a one-line file holds, relative to its folder's owner as git
/// writes them (`commondir`); `Ok(None)` when the file does not exist, `Err`
/// when it cannot be read or is empty.
fn path_in(file: &Path) -> Result<Option<PathBuf>, ()> {
    match std::fs::read_to_string(file) {
        Ok(text) => {
            let path = text.trim_end_matches(['\n', '\r']);
            if path.is_empty() {
                Err(())
            } else {
                Ok(Some(PathBuf::from(path)))
            }
        }
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(_) => Err(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::GitRepo;
    use super::super::tests::Fixture;
    use super::common_dir_at;

    /// What gix's discovery finds, the answer the layout must agree with.
    fn discovered(dir: &std::path::Path) -> std::path::PathBuf {
        GitRepo::discover(dir).unwrap().unwrap().common_dir()
    }

    #[test]
    fn the_layout_gives_the_common_dir_gix_finds_in_a_main_and_a_linked_work_tree() {
        let f = Fixture::new();
        f.write("a.txt", "1\n");
        f.commit("first");
        let main = f.path();
        assert_eq!(common_dir_at(&main), Some(discovered(&main)));
        assert_eq!(common_dir_at(&main), Some(main.join(".git")));
        // A linked work tree: `.git` is a file naming its private git
        // directory, whose `commondir` names the shared one.
        let wt = main.join("wt");
        f.git(&[
            "worktree",
            "add",
            "-q",
            "-b",
            "feature",
            wt.to_str().unwrap(),
        ]);
        assert!(wt.join(".git").is_file());
        assert_eq!(common_dir_at(&wt), Some(discovered(&wt)));
        assert_eq!(common_dir_at(&wt), Some(main.join(".git")));
        // A `gitdir:` file with no `commondir` behind it (a submodule's
        // layout): that git directory is the common one.
        let sub = main.join("sub");
        std::fs::create_dir(&sub).unwrap();
        let own = f.path().join("own.git");
        f.git(&["init", "-q", "--bare", own.to_str().unwrap()]);
        std::fs::write(sub.join(".git"), "gitdir: ../own.git\n").unwrap();
        assert_eq!(common_dir_at(&sub), Some(own.clone()));
    }

    #[test]
    fn anything_but_a_plain_layout_is_left_to_discovery() {
        let f = Fixture::new();
        let main = f.path();
        // Deeper in the work tree: no `.git` here.
        let deeper = main.join("deeper");
        std::fs::create_dir(&deeper).unwrap();
        assert_eq!(common_dir_at(&deeper), None);
        // Outside git.
        let outside = tempfile::tempdir().unwrap();
        assert_eq!(common_dir_at(outside.path()), None);
        // A `.git` file that names nothing, or a folder with no repository.
        let odd = main.join("odd");
        std::fs::create_dir(&odd).unwrap();
        std::fs::write(odd.join(".git"), "not a gitdir line\n").unwrap();
        assert_eq!(common_dir_at(&odd), None);
        std::fs::write(odd.join(".git"), "gitdir: nowhere\n").unwrap();
        assert_eq!(common_dir_at(&odd), None);
        let empty = main.join("empty");
        std::fs::create_dir_all(empty.join(".git")).unwrap();
        assert_eq!(common_dir_at(&empty), None);
    }
}
