//! The board: `orchestron board` in the terminal ([`terminal`]), the HTML page
//! in a real headless Chromium ([`page`]: the example's cards in the right
//! columns, filters and search, light/dark and 375 px, a 10,000-task page) and
//! `orchestron serve` live ([`live`]: a file edited on disk appears, a drag in
//! write mode is a one-line diff, refusals show on the card, HTTP safety).
//! The browser is Debian's `/usr/bin/chromium` driven by `tests/browser/board.js`
//! (playwright-core); `.ci/setup` installs both, and without them these tests
//! fail saying so — never skip.

#[cfg(feature = "http")]
mod live;
mod page;
mod terminal;

use crate::common::{TestEnv, copy_dir};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The clock the board tests run at: inside the example's active sprint.
pub const NOW: &str = "2026-11-27T12:00:00Z";

/// A git repository whose `.orchestron/` is the bundled example, committed.
pub fn example_env() -> TestEnv {
    let env = TestEnv::bare();
    env.git(&["init", "-q", "-b", "main"]);
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join(".orchestron-example");
    copy_dir(&example, &env.ws());
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "the example backlog"]);
    env
}

/// The folder name the board takes as the project's (a temporary folder's).
pub fn project_name(env: &TestEnv) -> String {
    env.path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// `board` output with the temporary project name as `[project]`.
pub fn redacted(env: &TestEnv, text: &str) -> String {
    text.replace(&project_name(env), "[project]")
}

/// The ids of each column's cards in a `board --json` result.
pub fn column_ids(board: &Value) -> Vec<(String, Vec<String>)> {
    board["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| {
            let ids = c["cards"]
                .as_array()
                .expect("cards")
                .iter()
                .map(|k| k["id"].as_str().expect("id").to_string())
                .collect();
            (c["status"].as_str().expect("status").to_string(), ids)
        })
        .collect()
}

/// Where CI picks up artefacts: the cargo target folder.
pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/tmp has a parent")
        .to_path_buf()
}

/// Runs one scenario of `tests/browser/board.js` and returns what it saw.
pub fn browser(config: &Value) -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "/usr/bin/chromium is missing: run .ci/setup (installs Debian's chromium)"
    );
    assert!(
        dir.join("node_modules/playwright-core").is_dir(),
        "tests/browser/node_modules is missing: run .ci/setup (npm ci in tests/browser)"
    );
    let out = Command::new("node")
        .arg(dir.join("board.js"))
        .arg(config.to_string())
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): run .ci/setup"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the browser scenario failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .last()
        .expect("the scenario prints its result");
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

/// The ids in a JSON list of strings.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}
