//! `sync`'s local commit of the workspace folder, in one pass of git over its
//! index. `git add -A -- FOLDER` then `git commit` stats every tracked file
//! twice (the add's pass, then the commit's refresh), where a commit by hand
//! pays the commit's pass alone. Here git is asked only for the folder's new
//! files (`ls-files -o --exclude-standard`: a listing of the folder, no stat
//! of tracked files), those are added by name, and `git commit --include --
//! FOLDER` stages the folder's changed and deleted tracked files in the very
//! pass that refreshes the index for the commit; a user's changes elsewhere
//! stay out and keep their staged state, as with `git add -A -- FOLDER`.
//!
//! The message names each file committed, which only git knows once it has
//! staged them. Git reads the message (`-F`) *after* it has written the index
//! it will commit (`index.lock`) and run the pre-commit hook, and `-F` names
//! a named pipe: when git opens it for reading, that index is complete, so the
//! message is made from `git diff --cached` of that very index and written to
//! the pipe while git waits. The hooks run as for any `git commit`: the
//! pre-commit hook even when there is nothing to commit (as git does); then
//! git finds nothing to commit, prints its status and leaves the index as it
//! was. Where there is no named pipe (not unix): `git add -A`, then `git commit`.

use super::GitError;
use std::path::Path;

/// (`A`/`M`/`D`/…, path) per file, as `git diff --name-status` gives them.
pub type Staged = [(char, String)];

/// Commits every change under `folder` (new, changed and deleted files,
/// ignored ones left out) with the message `message` makes of what is
/// committed; `None` when nothing under `folder` differs from HEAD.
#[cfg(unix)]
pub fn commit_folder(
    root: &Path,
    folder: &str,
    message: &dyn Fn(&Staged) -> String,
) -> Result<Option<String>, GitError> {
    add_new_files(root, folder)?;
    let index = index_lock(root)?;
    let dir = super::cli::tempfile_dir("sync")?;
    let pipe = dir.join("message");
    let result = make_fifo(&pipe)
        .and_then(|()| pipe::commit_reading_message(root, folder, &pipe, &index, message));
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Without named pipes: stage the folder, read what is staged, commit.
#[cfg(not(unix))]
pub fn commit_folder(
    root: &Path,
    folder: &str,
    message: &dyn Fn(&Staged) -> String,
) -> Result<Option<String>, GitError> {
    use super::cli::run;
    run(root, &["--literal-pathspecs", "add", "-A", "--", folder])?;
    let staged = staged_in(root, folder, None)?;
    if staged.is_empty() {
        return Ok(None);
    }
    let text = message(&staged);
    run(root, &["commit", "-q", "-m", &text])?;
    Ok(Some(text))
}

/// `git add` of the files under `folder` git does not track and does not
/// ignore, by name (literal paths: a stray file's name may hold `*`).
#[cfg(unix)]
fn add_new_files(root: &Path, folder: &str) -> Result<(), GitError> {
    use super::cli::{run, run_with_input};
    let new = run(
        root,
        &[
            "--literal-pathspecs",
            "ls-files",
            "-z",
            "--others",
            "--exclude-standard",
            "--",
            folder,
        ],
    )?;
    if new.stdout.is_empty() {
        return Ok(());
    }
    let args = [
        "--literal-pathspecs",
        "add",
        "--pathspec-from-file=-",
        "--pathspec-file-nul",
    ];
    run_with_input(root, &args, &new.stdout).map(|_| ())
}

/// The lock file `git commit` writes the index it commits to: git's index
/// (`--git-path index` honours `GIT_INDEX_FILE` and linked worktrees) plus
/// `.lock`.
#[cfg(unix)]
fn index_lock(root: &Path) -> Result<std::path::PathBuf, GitError> {
    let out = super::cli::run(root, &["rev-parse", "--git-path", "index"])?;
    let index = String::from_utf8_lossy(&out.stdout);
    let mut lock = root.join(index.trim_end_matches('\n')).into_os_string();
    lock.push(".lock");
    Ok(lock.into())
}

#[cfg(unix)]
fn make_fifo(path: &Path) -> Result<(), GitError> {
    use std::os::unix::ffi::OsStrExt;
    let io = |source| GitError::Io {
        path: path.to_path_buf(),
        source,
    };
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|e| io(std::io::Error::other(e)))?;
    // SAFETY: `c` is a NUL-terminated path that outlives the call.
    if unsafe { libc::mkfifo(c.as_ptr(), 0o600) } == 0 {
        Ok(())
    } else {
        Err(io(std::io::Error::last_os_error()))
    }
}

/// What is staged under `folder` in `index` (git's own index when `None`)
/// against HEAD.
fn staged_in(
    root: &Path,
    folder: &str,
    index: Option<&Path>,
) -> Result<Vec<(char, String)>, GitError> {
    let args = [
        "--literal-pathspecs",
        "diff",
        "--cached",
        "--name-status",
        "--no-renames",
        "-z",
        "--",
        folder,
    ];
    let mut command = super::cli::git(root);
    if let Some(index) = index {
        command.env("GIT_INDEX_FILE", index);
    }
    let out = command
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|source| super::cli::spawn_error(&args, source))?;
    if !out.status.success() {
        return Err(super::cli::command_error(&args, &out));
    }
    Ok(parse_name_status(&out.stdout))
}

/// `git diff --name-status -z` output: `STATUS\0PATH\0` per file.
fn parse_name_status(bytes: &[u8]) -> Vec<(char, String)> {
    let fields: Vec<String> = bytes
        .split(|&b| b == 0)
        .filter(|f| !f.is_empty())
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    fields
        .chunks(2)
        .filter_map(|c| match c {
            [status, path] => Some((status.chars().next().unwrap_or('M'), path.clone())),
            _ => None,
        })
        .collect()
}

#[cfg(unix)]
mod pipe;

#[cfg(test)]
mod tests {
    use super::parse_name_status;

    #[test]
    fn name_status_records_become_status_and_path() {
        let out = b"M\0.orchestron/tasks/a.yaml\0A\0.orchestron/t\xc3\xa9.txt\0D\0gone\0";
        assert_eq!(
            parse_name_status(out),
            vec![
                ('M', ".orchestron/tasks/a.yaml".to_string()),
                ('A', ".orchestron/t\u{e9}.txt".to_string()),
                ('D', "gone".to_string()),
            ]
        );
        assert!(parse_name_status(b"").is_empty());
    }
}
