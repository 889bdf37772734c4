//! `git commit --include -F PIPE -- FOLDER`, with the message written into
//! the named pipe once git opens it (see the parent module). Three things can
//! happen first, and each is waited for without polling: git opens the pipe
//! (the index it commits is written: read it, write the message, close), git
//! exits without opening it (a pre-commit hook refused, an error: open the
//! pipe's other end so that our waiting open returns), or our open fails
//! (open the pipe read-write, which never waits, and close it: git reads an
//! empty message and stops). Git's output is read as it comes, so that a hook
//! printing much never blocks on a full pipe.

use super::{GitError, Staged, staged_in};
use crate::git::cli::{git, spawn_error};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::mpsc;

enum Event {
    /// Our open of the pipe for writing returned: git opened it to read.
    Opened(std::io::Result<File>),
    /// Git exited.
    Exited(std::io::Result<ExitStatus>),
}

/// What happened on our side of the pipe.
#[derive(Default)]
struct Outcome {
    /// Git opened the pipe before it exited.
    read_by_git: bool,
    /// The message written, when something was staged.
    message: Option<String>,
    /// Reading the staged files or writing the message failed.
    failure: Option<GitError>,
    status: Option<std::io::Result<ExitStatus>>,
}

pub(super) fn commit_reading_message(
    root: &Path,
    folder: &str,
    pipe: &Path,
    index: &Path,
    message: &dyn Fn(&Staged) -> String,
) -> Result<Option<String>, GitError> {
    let pipe_arg = pipe.to_string_lossy().into_owned();
    let args = [
        "--literal-pathspecs",
        "commit",
        "-q",
        "--include",
        // The status git prints when there is nothing to commit: no listing
        // of untracked files (a second pass over the work tree).
        "--untracked-files=no",
        "-F",
        &pipe_arg,
        "--",
        folder,
    ];
    let mut child = git(root)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| spawn_error(&args, source))?;
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let (outcome, stdout, stderr) = std::thread::scope(|s| {
        let stdout = s.spawn(move || drain(stdout));
        let stderr = s.spawn(move || drain(stderr));
        let (tx, rx) = mpsc::channel();
        let opened = tx.clone();
        s.spawn(move || {
            let _ = opened.send(Event::Opened(OpenOptions::new().write(true).open(pipe)));
        });
        s.spawn(move || {
            let _ = tx.send(Event::Exited(child.wait()));
        });
        let outcome = answer(&rx, pipe, |pipe| {
            write_message(root, folder, index, message, pipe)
        });
        (
            outcome,
            stdout.join().unwrap_or_default(),
            stderr.join().unwrap_or_default(),
        )
    });
    conclude(&args, outcome, &stdout, &stderr)
}

/// Waits for the two events and answers each; returns what happened.
fn answer(
    rx: &mpsc::Receiver<Event>,
    pipe: &Path,
    write: impl Fn(File) -> Result<Option<String>, GitError>,
) -> Outcome {
    let mut outcome = Outcome::default();
    // Held until our waiting open has returned, once git exited first.
    let mut release = None;
    for _ in 0..2 {
        match rx.recv() {
            Ok(Event::Opened(Ok(file))) if outcome.status.is_none() => {
                outcome.read_by_git = true;
                match write(file) {
                    Ok(message) => outcome.message = message,
                    Err(e) => outcome.failure = Some(e),
                }
            }
            Ok(Event::Opened(Ok(_))) => {}
            Ok(Event::Opened(Err(source))) => {
                // Git waits in its open: one that never waits releases it,
                // and closing it gives git an empty message (it stops).
                let _ = OpenOptions::new().read(true).write(true).open(pipe);
                outcome.failure = Some(GitError::Io {
                    path: pipe.to_path_buf(),
                    source,
                });
            }
            Ok(Event::Exited(status)) => {
                if !outcome.read_by_git {
                    release = OpenOptions::new()
                        .read(true)
                        .custom_flags(libc::O_NONBLOCK)
                        .open(pipe)
                        .ok();
                }
                outcome.status = Some(status);
            }
            Err(_) => break,
        }
    }
    drop(release);
    outcome
}

/// Reads what git staged in `index`, writes the message into `pipe` and
/// closes it; the message, or `None` (an empty one) when nothing is staged.
fn write_message(
    root: &Path,
    folder: &str,
    index: &Path,
    message: &dyn Fn(&Staged) -> String,
    mut pipe: File,
) -> Result<Option<String>, GitError> {
    // On an error the pipe is closed unwritten: git reads an empty message.
    let staged = staged_in(root, folder, Some(index))?;
    if staged.is_empty() {
        return Ok(None);
    }
    let text = message(&staged);
    pipe.write_all(text.as_bytes())
        .map_err(|source| GitError::Io {
            path: index.to_path_buf(),
            source,
        })?;
    Ok(Some(text))
}

/// The commit's result from what happened: the message when git committed,
/// `None` when it read an empty message because nothing was staged, else
/// the error.
fn conclude(
    args: &[&str],
    outcome: Outcome,
    stdout: &[u8],
    stderr: &[u8],
) -> Result<Option<String>, GitError> {
    if let Some(e) = outcome.failure {
        return Err(e);
    }
    let status = match outcome.status {
        Some(Ok(status)) => status,
        Some(Err(source)) => return Err(spawn_error(args, source)),
        None => return Err(spawn_error(args, std::io::Error::other("git did not exit"))),
    };
    match outcome.message {
        Some(message) if status.success() => Ok(Some(message)),
        // Nothing staged: git found nothing to commit.
        None if outcome.read_by_git => Ok(None),
        _ => {
            let mut said = String::from_utf8_lossy(stderr).trim().to_string();
            if said.is_empty() {
                said = String::from_utf8_lossy(stdout).trim().to_string();
            }
            Err(GitError::Command {
                args: args.join(" "),
                status: status.to_string(),
                stderr: said,
            })
        }
    }
}

fn drain(stream: Option<impl Read>) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Some(mut stream) = stream {
        let _ = stream.read_to_end(&mut bytes);
    }
    bytes
}
