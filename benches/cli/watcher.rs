//! CLI commands with a watcher serving (`ORCHESTRON_WATCHER=1` and one
//! `orchestron watch` for the workspace): the warm list / show / search, and
//! `task list` after 0, 1 and 100 task files were retitled by hand (untimed,
//! before each timed run), so the rows show that a command's cost follows the
//! changed files, not the backlog.

use super::{Sample, run_with};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

pub const ROWS: &[&str] = &[
    "watcher serving: warm `task list --limit 50`",
    "watcher serving: warm `task show ID`",
    "watcher serving: warm `task list --query WORD`",
    "watcher serving: 0 files changed, then `task list`",
    "watcher serving: 1 file changed, then `task list`",
    "watcher serving: 100 files changed, then `task list`",
];

const ON: &[(&str, &str)] = &[("ORCHESTRON_WATCHER", "1")];

/// One sample per row, in [`ROWS`] order.
pub fn measure(bin: &str, root: &Path, show_id: &str, query: &str, runs: usize) -> Vec<Sample> {
    let mut child = Command::new(bin)
        .arg("--root")
        .arg(root)
        .arg("watch")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn orchestron watch");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the watcher's line");
    assert!(line.starts_with("Watching"), "{line}");
    let r = root.to_str().expect("utf-8 path").to_string();
    let args = |rest: &[&str]| -> Vec<String> {
        let mut v = vec!["--root".to_string(), r.clone()];
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    };
    let mut out: Vec<Sample> = ROWS.iter().map(|_| Sample::new()).collect();
    let list = args(&["task", "list", "--limit", "50"]);
    let warm = [
        list.clone(),
        args(&["task", "show", show_id]),
        args(&["task", "list", "--query", query]),
    ];
    for (row, a) in warm.iter().enumerate() {
        run_with(a, ON);
        for _ in 0..runs {
            out[row].push(run_with(a, ON));
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
    for (row, changed) in [(3, 0), (4, 1), (5, 100)] {
        for i in 0..runs {
            for (path, text) in files.iter().zip(&originals).take(changed) {
                let edited = text.replacen("title: ", &format!("title: edit {i} "), 1);
                std::fs::write(path, edited).expect("edit");
            }
            out[row].push(run_with(&list, ON));
        }
    }
    for (path, text) in files.iter().zip(&originals) {
        std::fs::write(path, text).expect("restore");
    }
    run_with(&list, ON);
    let _ = child.kill();
    let _ = child.wait();
    out
}
