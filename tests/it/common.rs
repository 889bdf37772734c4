//! The shared test environment: a real git repository in a temporary folder
//! (hermetic git config, fixed author), a real `orchestron` binary run as a
//! subprocess, and redaction of random ids and timestamps for snapshots.

use serde_json::Value;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_orchestron");

/// A project folder with git and an initialised `.orchestron/`.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

/// The result of one command.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl TestEnv {
    /// A git repository with `orchestron init` done and committed.
    pub fn new() -> Self {
        let env = Self::bare();
        env.git(&["init", "-q", "-b", "main"]);
        env.ok(&["init"]);
        env.git(&["add", "-A"]);
        env.git(&["commit", "-q", "-m", "init orchestron"]);
        env
    }

    /// An empty folder (no git, no workspace).
    pub fn bare() -> Self {
        TestEnv {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn ws(&self) -> PathBuf {
        self.path().join(".orchestron")
    }

    pub fn task_path(&self, id: &str) -> PathBuf {
        self.ws().join("tasks").join(format!("{id}.yaml"))
    }

    /// The hermetic environment shared by git and orchestron.
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.current_dir(self.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Alice")
            .env("GIT_AUTHOR_EMAIL", "alice@example.com")
            .env("GIT_COMMITTER_NAME", "Alice")
            .env("GIT_COMMITTER_EMAIL", "alice@example.com")
            .env("GIT_AUTHOR_DATE", "2026-11-20T10:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-11-20T10:00:00Z")
            .env("USER", "alice")
            .env_remove("ORCHESTRON_AGENT")
            .env_remove("ORCHESTRON_DB")
            .env_remove("ORCHESTRON_ROOT")
            .env_remove("ORCHESTRON_WATCHER")
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1");
        c
    }

    pub fn git(&self, args: &[&str]) -> String {
        let out = self.command("git").args(args).output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut c = self.command(BIN);
        c.args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        to_run(c.output().expect("run orchestron"))
    }

    /// Runs `orchestron args` with stdin closed, killing it (and failing the
    /// test) if it has not finished within `deadline`; returns its result and
    /// its peak resident memory in KiB (from `wait4`).
    pub fn run_within(&self, args: &[&str], deadline: Duration) -> (Run, u64) {
        let mut c = self.command(BIN);
        c.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Reaped by `wait4` below, which also gives its peak memory.
        #[allow(clippy::zombie_processes)]
        let mut child = c.spawn().expect("spawn orchestron");
        let pid = child.id() as libc::pid_t;
        let drain = |mut r: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut v = Vec::new();
                let _ = r.read_to_end(&mut v);
                String::from_utf8_lossy(&v).into_owned()
            })
        };
        let out = drain(Box::new(child.stdout.take().expect("stdout")));
        let err = drain(Box::new(child.stderr.take().expect("stderr")));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut status = 0;
            // SAFETY: rusage is plain data; wait4 only writes into it.
            let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
            let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
            let _ = tx.send((r, status, usage.ru_maxrss));
        });
        let Ok((r, status, maxrss)) = rx.recv_timeout(deadline) else {
            let _ = child.kill();
            panic!("orchestron {args:?} did not finish within {deadline:?}");
        };
        assert_eq!(r, pid, "wait4 failed");
        let code = if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        };
        let run = Run {
            code,
            stdout: out.join().expect("stdout reader"),
            stderr: err.join().expect("stderr reader"),
        };
        (run, u64::try_from(maxrss).unwrap_or(0))
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "orchestron {args:?} failed:\n{}\n{}",
            r.stdout, r.stderr
        );
        r.stdout
    }

    /// Runs a command with `--json` that must succeed; returns the parsed output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        let out = self.ok(&a);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{out}"))
    }

    /// Creates a task and returns its id.
    pub fn create(&self, args: &[&str]) -> String {
        let mut a = vec!["task", "create"];
        a.extend_from_slice(args);
        self.json(&a)["id"].as_str().expect("id").to_string()
    }

    pub fn read(&self, path: &Path) -> String {
        std::fs::read_to_string(path).expect("read file")
    }
}

/// The peak resident memory (KiB) of the largest child process this test
/// binary has waited for so far (every `orchestron`, `git` and server).
pub fn children_peak_kib() -> u64 {
    // SAFETY: rusage is plain data; getrusage only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    u64::try_from(usage.ru_maxrss).unwrap_or(0)
}

/// What the index answers: every task, the ready ones, the problems.
pub fn answers(env: &TestEnv) -> (Value, Value, String) {
    let all = env.json(&["task", "list", "--limit", "0"]);
    let ready = env.json(&["task", "list", "--ready", "--limit", "0"]);
    let check = env.run(&["check"]);
    (all, ready, check.stdout)
}

/// The index as it is must answer exactly what it answers rebuilt from the files.
pub fn assert_index_equals_a_fresh_rebuild(env: &TestEnv) {
    let before = answers(env);
    env.ok(&["index", "rebuild"]);
    assert_eq!(
        answers(env),
        before,
        "the index differs from a fresh rebuild"
    );
}

/// Copies a workspace folder (its cache left behind).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "cache" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub fn to_run(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Replaces random ids with stable placeholders (`TASK-1`, `TASK-2`, … in order
/// of first appearance), timestamps with `[time]`, commit ids with `[commit]`,
/// and cursors with `[cursor]`, so snapshots say what matters.
#[derive(Default)]
pub struct Redactor {
    ids: HashMap<String, String>,
    counts: HashMap<String, usize>,
}

impl Redactor {
    pub fn value(&mut self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.value(x)).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| {
                        let x = match (k.as_str(), x) {
                            ("cursor" | "since", Value::String(_)) => {
                                Value::String("[cursor]".into())
                            }
                            ("seq", Value::Number(_)) => Value::String("[seq]".into()),
                            ("root", Value::String(_)) => Value::String("[root]".into()),
                            _ => self.value(x),
                        };
                        (k.clone(), x)
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    pub fn text(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        'outer: while !rest.is_empty() {
            for prefix in ["TASK-", "SPRINT-", "CTX-"] {
                if let Some(tail) = rest.strip_prefix(prefix) {
                    let n = tail
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                        .count();
                    if n > 0 {
                        let id = format!("{prefix}{}", &tail[..n]);
                        let kind = prefix.trim_end_matches('-').to_string();
                        let placeholder = match self.ids.get(&id) {
                            Some(p) => p.clone(),
                            None => {
                                let c = self.counts.entry(kind.clone()).or_insert(0);
                                *c += 1;
                                let p = format!("{kind}-{}", c);
                                self.ids.insert(id.clone(), p.clone());
                                p
                            }
                        };
                        out.push_str(&placeholder);
                        rest = &tail[n..];
                        continue 'outer;
                    }
                }
            }
            if let Some(len) = timestamp_len(rest) {
                out.push_str("[time]");
                rest = &rest[len..];
                continue;
            }
            if rest.len() >= 40
                && rest.is_char_boundary(40)
                && rest[..40]
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            {
                out.push_str("[commit]");
                rest = &rest[40..];
                continue;
            }
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }
}

/// Length of an RFC 3339 UTC timestamp (`2026-11-25T09:12:00Z`) or a date at the
/// start of `s`, if there is one.
fn timestamp_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    if b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
    {
        let end = s.find('Z')?;
        return (end <= 30).then_some(end + 1);
    }
    None
}

/// The files of an index cache configured at `dir/name.ext`: the file itself
/// or its generations (`name.g…ext`) and pointer (`name.current.ext`), with
/// their WAL files — see docs/INDEX.md, "Generations".
pub fn cache_files_in(dir: &std::path::Path, name: &str) -> Vec<String> {
    let (stem, _) = name.rsplit_once('.').unwrap_or((name, ""));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n == name || n.starts_with(&format!("{stem}.")))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
