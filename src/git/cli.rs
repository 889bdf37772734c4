//! The `git` binary, for what must see the user's own git setup: the dirty-file
//! list (`git status` honours fsmonitor, the untracked cache, excludes files and
//! submodule settings exactly as the user's other tools do), repo-local config
//! writes, and `git merge-file` as the line-based fallback of the merge driver.
//! Every call runs with `GIT_OPTIONAL_LOCKS=0` so that a read never takes the
//! index lock from under a user's own git command.

use super::GitError;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `git -C dir args…` and returns its output; a non-zero exit is an error
/// carrying stderr.
pub(crate) fn run(dir: &Path, args: &[&str]) -> Result<Output, GitError> {
    let out = spawn(dir, args)?;
    if !out.status.success() {
        return Err(command_error(args, &out));
    }
    Ok(out)
}

/// Runs git and returns its output whatever the exit status.
pub(super) fn spawn(dir: &Path, args: &[&str]) -> Result<Output, GitError> {
    git(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| spawn_error(args, source))
}

/// `git -C dir` with `GIT_OPTIONAL_LOCKS=0`, for a caller that sets up its
/// own input, output or environment.
pub(super) fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir).env("GIT_OPTIONAL_LOCKS", "0");
    command
}

pub(super) fn spawn_error(args: &[&str], source: std::io::Error) -> GitError {
    GitError::Spawn {
        args: args.join(" "),
        source,
    }
}

/// Like [`run`], with `input` on git's standard input.
#[cfg(unix)]
pub(super) fn run_with_input(dir: &Path, args: &[&str], input: &[u8]) -> Result<Output, GitError> {
    let mut child = git(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| spawn_error(args, source))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A git that stops reading early fails, and says why on stderr.
        let _ = std::io::Write::write_all(&mut stdin, input);
    }
    let out = child
        .wait_with_output()
        .map_err(|source| spawn_error(args, source))?;
    if !out.status.success() {
        return Err(command_error(args, &out));
    }
    Ok(out)
}

pub(super) fn command_error(args: &[&str], out: &Output) -> GitError {
    GitError::Command {
        args: args.join(" "),
        status: out.status.to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    }
}

/// When each file at or below `path` (a file or folder in `dir`) was last
/// committed, by its path relative to `dir`: one `git log` pass, newest
/// first. Empty outside a repository or where git cannot run — the times
/// are a fallback (a closed task's close time), never required.
pub fn last_commit_times(dir: &Path, path: &str) -> HashMap<String, DateTime<Utc>> {
    let args = [
        "-c",
        "core.quotePath=false",
        "log",
        "--format=%x01%ct",
        "--name-only",
        "--relative",
        "--",
        path,
    ];
    let out = match spawn(dir, &args) {
        Ok(out) if out.status.success() => out,
        Ok(out) => {
            tracing::debug!("{}", command_error(&args, &out));
            return HashMap::new();
        }
        Err(e) => {
            tracing::debug!("{e}");
            return HashMap::new();
        }
    };
    let mut times = HashMap::new();
    let mut current = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(secs) = line.strip_prefix('\u{1}') {
            current = secs
                .trim()
                .parse()
                .ok()
                .and_then(|s| DateTime::from_timestamp(s, 0));
        } else if let (Some(at), false) = (current, line.trim().is_empty()) {
            times.entry(line.to_string()).or_insert(at);
        }
    }
    times
}

/// Paths changed but not committed (staged, unstaged, untracked; deleted too),
/// relative to the repository root, sorted. Untracked files are listed one by
/// one (`--untracked-files=all`), so the next session sees which files are new.
pub(crate) fn dirty_paths(root: &Path) -> Result<Vec<String>, GitError> {
    let out = run(
        root,
        &[
            "status",
            "--porcelain=v1",
            "-z",
            "--no-renames",
            "--untracked-files=all",
            "--ignore-submodules=dirty",
        ],
    )?;
    Ok(parse_porcelain(&out.stdout))
}

/// Parses `git status --porcelain=v1 -z` output: `XY path\0` records (with
/// `--no-renames` there is never a second path).
fn parse_porcelain(bytes: &[u8]) -> Vec<String> {
    let mut paths: Vec<String> = bytes
        .split(|&b| b == 0)
        .filter(|rec| rec.len() > 3)
        .map(|rec| String::from_utf8_lossy(&rec[3..]).into_owned())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Moves the tracked ones of `sources` (paths relative to `dir`) into the
/// existing folder `dest` with `git mv -k`, so that git sees renames and a
/// record's history follows it; untracked files are skipped by git and stay
/// where they are, for the caller to move. Batched to keep command lines short.
pub(crate) fn move_tracked(dir: &Path, sources: &[String], dest: &str) -> Result<(), GitError> {
    for chunk in sources.chunks(500) {
        let mut args: Vec<&str> = vec!["mv", "-k", "--"];
        args.extend(chunk.iter().map(String::as_str));
        args.push(dest);
        run(dir, &args)?;
    }
    Ok(())
}

/// Sets a repo-local config value (`git config --local key value`).
pub fn config_set(root: &Path, key: &str, value: &str) -> Result<(), GitError> {
    run(root, &["config", "--local", key, value]).map(|_| ())
}

/// Sets the repo-local config values of `pairs` that are not already set to
/// exactly that value: one `git config` process reads the keys under
/// `section.subsection.` (e.g. `merge.orchestron.`), and only a differing or
/// missing key is written (a command that runs on every sync does not
/// rewrite `.git/config` each time).
pub fn config_ensure(root: &Path, section: &str, pairs: &[(&str, &str)]) -> Result<(), GitError> {
    let pattern = format!("^{}", section.replace('.', "\\."));
    let args = ["config", "--local", "-z", "--get-regexp", &pattern];
    let out = spawn(root, &args)?;
    // Exit 1: no such key yet.
    if !out.status.success() && out.status.code() != Some(1) {
        return Err(command_error(&args, &out));
    }
    let current: Vec<(String, String)> = out
        .stdout
        .split(|&b| b == 0)
        .filter(|r| !r.is_empty())
        .map(|r| {
            let r = String::from_utf8_lossy(r);
            let (k, v) = r.split_once('\n').unwrap_or((&r, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    for (key, value) in pairs {
        let set = current
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>();
        if set != [*value] {
            config_set(root, key, value)?;
        }
    }
    Ok(())
}

/// Reads a config value as git sees it (all scopes); `None` when unset.
#[cfg(test)]
pub fn config_get(root: &Path, key: &str) -> Result<Option<String>, GitError> {
    let out = spawn(root, &["config", "--get", key])?;
    match out.status.code() {
        Some(0) => Ok(Some(
            String::from_utf8_lossy(&out.stdout).trim_end().to_string(),
        )),
        Some(1) => Ok(None),
        _ => Err(command_error(&["config", "--get", key], &out)),
    }
}

/// The result of a line-based three-way merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMerge {
    /// The merged text, with standard conflict markers where both sides changed
    /// the same lines.
    pub text: String,
    /// How many conflicting hunks remain (0 = clean).
    pub conflicts: usize,
}

/// `git merge-file -p` on three texts: git's own line-based merge, as a forge or
/// a repository without our driver would do it. `labels` name ours/base/theirs in
/// conflict markers.
pub fn merge_file(
    ours: &str,
    base: &str,
    theirs: &str,
    labels: [&str; 3],
) -> Result<LineMerge, GitError> {
    let dir = tempfile_dir("merge")?;
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|source| GitError::Io {
            path: p.clone(),
            source,
        })?;
        Ok::<_, GitError>(p)
    };
    let o = write("ours", ours)?;
    let b = write("base", base)?;
    let t = write("theirs", theirs)?;
    let (o, b, t) = (path_str(&o), path_str(&b), path_str(&t));
    let args = [
        "merge-file",
        "-p",
        "-L",
        labels[0],
        "-L",
        labels[1],
        "-L",
        labels[2],
        &o,
        &b,
        &t,
    ];
    // merge-file needs no repository; a GIT_DIR inherited from the git that runs
    // the driver (relative to another folder) must not make it look for one.
    let out = Command::new("git")
        .arg("-C")
        .arg(&dir)
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null())
        .output()
        .map_err(|source| GitError::Spawn {
            args: args.join(" "),
            source,
        });
    let _ = std::fs::remove_dir_all(&dir);
    let out = out?;
    match out.status.code() {
        // merge-file exits with the number of conflicts (capped at 127); negative
        // or larger values are errors.
        Some(n) if (0..=127).contains(&n) => Ok(LineMerge {
            text: String::from_utf8_lossy(&out.stdout).into_owned(),
            conflicts: n as usize,
        }),
        _ => Err(command_error(&args, &out)),
    }
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A fresh private directory under the system temp dir (no extra dependency),
/// `orchestron-{purpose}-…`.
pub(super) fn tempfile_dir(purpose: &str) -> Result<std::path::PathBuf, GitError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    for _ in 0..16 {
        let name = format!(
            "orchestron-{purpose}-{}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            crate::model::new_suffix(8)
        );
        let dir = base.join(name);
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(GitError::Io { path: dir, source }),
        }
    }
    Err(GitError::Io {
        path: base,
        source: std::io::Error::other("could not create a temporary directory"),
    })
}

/// How the driver command names this program: plain `orchestron` when that is
/// what PATH finds, else this executable's absolute path (shell-quoted), so a
/// merge never fails for want of the binary.
pub fn driver_program() -> String {
    let Ok(exe) = std::env::current_exe().and_then(std::fs::canonicalize) else {
        return "orchestron".into();
    };
    let name = exe
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    let on_path = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(&name))
                .find(|p| p.is_file())
                .and_then(|p| std::fs::canonicalize(p).ok())
                == Some(exe.clone())
        })
        .unwrap_or(false);
    if on_path && name == "orchestron" {
        return "orchestron".into();
    }
    let s = exe.to_string_lossy();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porcelain_records_become_sorted_paths() {
        let out = b" M src/a.rs\0?? new dir/\0D  gone.txt\0A  \xc3\xa9t\xc3\xa9.md\0";
        assert_eq!(
            parse_porcelain(out),
            vec!["gone.txt", "new dir/", "src/a.rs", "\u{e9}t\u{e9}.md"]
        );
        assert!(parse_porcelain(b"").is_empty());
    }
}
