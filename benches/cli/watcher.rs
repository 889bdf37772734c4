//! CLI commands with the watcher started by a command (`ORCHESTRON_WATCHER=auto`,
//! the default setting): one untimed `task list` pays the full pass and, in a
//! workspace of at least `api::AUTO_START_TASKS` tasks, starts the watcher in
//! the background; once it serves, the warm list / show / search / status and
//! `task list` after 0, 1 and 100 task files were retitled by hand (untimed,
//! before each timed run) — so the rows show that a command's cost follows the
//! changed files, not the backlog. Below the threshold no watcher starts and
//! the rows measure what `auto` gives there: the full pass.

use super::{Sample, run_with};
use std::path::Path;
use std::time::{Duration, Instant};

pub const ROWS: &[&str] = &[
    "watcher auto: warm `task list --limit 50`",
    "watcher auto: warm `task show ID`",
    "watcher auto: warm `task list --query WORD`",
    "watcher auto: warm `status`",
    "watcher auto: 0 files changed, then `task list`",
    "watcher auto: 1 file changed, then `task list`",
    "watcher auto: 100 files changed, then `task list`",
];

const AUTO: &[(&str, &str)] = &[("ORCHESTRON_WATCHER", "auto")];

/// One sample per row, in [`ROWS`] order.
pub fn measure(bin: &str, root: &Path, show_id: &str, query: &str, runs: usize) -> Vec<Sample> {
    let r = root.to_str().expect("utf-8 path").to_string();
    let args = |rest: &[&str]| -> Vec<String> {
        let mut v = vec!["--root".to_string(), r.clone()];
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    };
    let list = args(&["task", "list", "--limit", "50"]);
    run_with(&list, AUTO);
    let watcher = serving_pid(bin, root);
    eprintln!(
        "[{}] watcher auto: {}",
        root.display(),
        watcher.map_or("none started (below the threshold)".to_string(), |p| {
            format!("pid {p} serving")
        })
    );
    let mut out: Vec<Sample> = ROWS.iter().map(|_| Sample::new()).collect();
    let warm = [
        list.clone(),
        args(&["task", "show", show_id]),
        args(&["task", "list", "--query", query]),
        args(&["status"]),
    ];
    for (row, a) in warm.iter().enumerate() {
        run_with(a, AUTO);
        for _ in 0..runs {
            out[row].push(run_with(a, AUTO));
        }
    }
    let files: Vec<_> = std::fs::read_dir(root.join("tasks"))
        .expect("tasks")
        .flatten()
        .map(|e| e.path())
        .take(100)
        .collect();
    let originals: Vec<String> = files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read"))
        .collect();
    for (row, changed) in [(4, 0), (5, 1), (6, 100)] {
        for i in 0..runs {
            for (path, text) in files.iter().zip(&originals).take(changed) {
                let edited = text.replacen("title: ", &format!("title: edit {i} "), 1);
                std::fs::write(path, edited).expect("edit");
            }
            out[row].push(run_with(&list, AUTO));
        }
    }
    for (path, text) in files.iter().zip(&originals) {
        std::fs::write(path, text).expect("restore");
    }
    run_with(&list, AUTO);
    if let Some(pid) = watcher {
        // SAFETY: plain kill(2) of the watcher this measurement started.
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
    }
    out
}

/// The pid of the watcher serving `root`, waiting up to 10 s for one that
/// is starting; `None` when none serves by then (below the threshold).
fn serving_pid(bin: &str, root: &Path) -> Option<u64> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = std::process::Command::new(bin)
            .arg("--root")
            .arg(root)
            .arg("status")
            .env("ORCHESTRON_WATCHER", "off")
            .output()
            .expect("run status");
        // "Watcher: pid N serves CLI commands …" (with the setting off the
        // line still names a watcher that serves).
        let text = String::from_utf8_lossy(&out.stdout);
        let pid = text
            .lines()
            .find_map(|l| l.strip_prefix("Watcher: pid "))
            .and_then(|rest| rest.split(' ').next())
            .and_then(|p| p.parse().ok());
        if pid.is_some() {
            return pid;
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
