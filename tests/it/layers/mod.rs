//! The arrows hold: `model` ← `store` / `index` / `git` ← `api` ← the
//! adapters (`src/cli`, `src/mcp`, `src/board`, and `src/http`, what every
//! HTTP adapter shares). Outside the crate the compiler enforces it (`store`,
//! `index` and `git` are `pub(crate)`); inside, [`guard`] parses every source
//! file and resolves what each name means, so a `use crate::{store, …}`, a
//! `super::super::index`, a path written out in an expression or inside a
//! macro is seen as what it is. The rules:
//! - `model` names no other layer; `store`, `index` and `git` name neither
//!   `api` nor an adapter; `api` names no adapter; an adapter names no
//!   `store`, `index` or `git`.
//! - `api` hands out nothing of the layers below it under its own name: no
//!   `pub use` and no `pub type` of a `store`, `index` or `git` item (what an
//!   adapter needs from there is a `model` type or an `api` type).
//!   Nor does an `api` function or field seen outside `api` (`pub`,
//!   `pub(crate)`) name one in its signature or type: what only `api` uses
//!   is `pub(super)` or narrower.
//! - `store`, `index` and `git` derive and import nothing that serves only an
//!   adapter's output: no `schemars` (JSON Schemas are for MCP structured
//!   content), in a `use`, a path or an attribute (`#[derive(JsonSchema)]`).
//! - `api` and the adapters touch no files, SQL, git, file watch, YAML or
//!   processes themselves: no `std::fs`, `std::process`, `tokio::fs`,
//!   `rusqlite`, `gix`, `notify`, `yaml_serde`, `yaml_edit`, and no `Path`
//!   method that goes to the disk (`exists`, `metadata`, `read_dir`, …).
//! - No `#[path]` and no `use crate::*` (both would hide where a name comes from).
//! - One clock: no layer reads the wall clock (`Utc::now`, `Local::now`,
//!   `SystemTime::now`) but `model::Clock` itself, and only the CLI names
//!   `ORCHESTRON_NOW` (the allow-list says which readings are no record time).
//!
//! [`rules`] says what each layer may name, [`guard`] resolves the names.
//! [`breaches`] proves the guard on a synthetic breach of each kind. It also
//! keeps `tests/` to the one integration-test binary, and [`lengths`] keeps
//! every function in `src/` under a hundred lines.

mod breaches;
mod guard;
mod lengths;
mod rules;

use std::path::{Path, PathBuf};

/// Where a rule has a real exception: (file under `src/`, what it names).
/// Each says why.
const ALLOWED: &[(&str, &str)] = &[
    // The process id seeds the id generator's randomness; it starts no process.
    ("model/id.rs", "std::process::id"),
    // Wall-clock readings that are no record or lease time. Randomness
    // fallbacks: the id generator's and sync's back-off jitter.
    ("model/id.rs", "std::time::SystemTime::now"),
    ("api/sync.rs", "std::time::SystemTime::now"),
    // Times compared with file mtimes, which the system clock writes: the
    // index's refresh stamp (racily clean files), the stray listing's age,
    // and an `updates` cursor's time (files changed since it).
    ("index/apply.rs", "chrono::Utc::now"),
    ("index/bulk.rs", "chrono::Utc::now"),
    ("api/overview.rs", "chrono::Utc::now"),
    ("api/updates.rs", "chrono::Utc::now"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("read source folder")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every source file built into the program: (path under `src/`, text).
fn program_sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .iter()
        .filter_map(|file| {
            let rel = file
                .strip_prefix(&src)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            (!guard::is_test_file(&rel))
                .then(|| (rel, std::fs::read_to_string(file).expect("read source")))
        })
        .collect()
}

#[test]
fn every_source_file_keeps_to_its_layer() {
    let mut checked_layers = std::collections::BTreeSet::new();
    let mut found = Vec::new();
    let mut allowed_seen = Vec::new();
    for (rel, text) in program_sources() {
        let breaches = guard::check(&rel, &text).expect("parse source");
        if let Some(top) = rel.split('/').next().filter(|t| !t.ends_with(".rs")) {
            checked_layers.insert(top.to_string());
        }
        for b in breaches {
            if ALLOWED.contains(&(rel.as_str(), b.named.as_str())) {
                allowed_seen.push((rel.clone(), b.named));
                continue;
            }
            found.push(format!("src/{rel}:{}: {}", b.line, b.named));
        }
    }
    let expected: std::collections::BTreeSet<String> = rules::MODULES
        .iter()
        .filter(|m| **m != "timing")
        .map(|m| m.to_string())
        .collect();
    assert_eq!(checked_layers, expected, "a layer moved: update the guard");
    assert!(
        found.is_empty(),
        "names outside the layer (see tests/it/layers/mod.rs for the rules):\n{}",
        found.join("\n")
    );
    for (file, named) in ALLOWED {
        assert!(
            allowed_seen.iter().any(|(f, n)| f == file && n == named),
            "allow-list entry src/{file}: {named} no longer needed: remove it"
        );
    }
}

#[test]
fn tests_folder_holds_only_the_one_binary() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut names: Vec<String> = std::fs::read_dir(&tests)
        .expect("read tests/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // `browser` (the board's Node driver), `clients/` (the real agent clients,
    // npm), `conformance/` (the npm conformance suite), `packaging/` (the
    // install test of the release artifacts) and `python/` (the Python SDK
    // client) hold no Rust: cargo builds no test target from them.
    assert_eq!(
        names,
        [
            "browser",
            "clients",
            "conformance",
            "it",
            "packaging",
            "python"
        ],
        "a new area of tests is a module of tests/it/main.rs, not a new binary"
    );
    for folder in ["browser", "clients", "conformance", "packaging", "python"] {
        let rust: Vec<PathBuf> = {
            let mut found = Vec::new();
            rust_files(&tests.join(folder), &mut found);
            found
                .into_iter()
                .filter(|p| !p.components().any(|c| c.as_os_str() == "node_modules"))
                .collect()
        };
        assert!(rust.is_empty(), "Rust under tests/{folder}: {rust:?}");
    }
}

/// AGENTS.md is where a newcomer learns which tests exist: its table names
/// every module of `tests/it/main.rs` (a folder area with a trailing `/`),
/// and its MCP paragraph every file of the MCP harness.
#[test]
fn agents_md_names_every_test_area() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let agents = std::fs::read_to_string(root.join("AGENTS.md")).expect("read AGENTS.md");
    let main = std::fs::read_to_string(root.join("tests/it/main.rs")).expect("read main.rs");
    let areas: Vec<&str> = main
        .lines()
        .filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';'))
        .collect();
    assert!(
        areas.len() > 20,
        "no `mod` lines read from main.rs: {areas:?}"
    );
    let mut missing = Vec::new();
    for area in areas {
        let folder = root.join("tests/it").join(area).is_dir();
        let shown = if folder {
            format!("`{area}/`")
        } else {
            format!("`{area}`")
        };
        if !agents.contains(&shown) {
            missing.push(shown);
        }
    }
    let mut harness = Vec::new();
    rust_files(&root.join("tests/it/mcp"), &mut harness);
    for file in harness {
        let name = file.file_name().expect("file name").to_string_lossy();
        if name != "mod.rs" && !agents.contains(&format!("`mcp/{name}`")) {
            missing.push(format!("`mcp/{name}`"));
        }
    }
    assert!(
        missing.is_empty(),
        "AGENTS.md's Tests section does not name {missing:?}"
    );
}

/// Functions still long, each with why: (file under `src/`, name). An entry
/// fails the test once its function is short, so it cannot outlive the reason.
const LONG_ALLOWED: &[(&str, &str)] = &[];

#[test]
fn no_function_in_src_runs_past_the_limit() {
    let mut long = Vec::new();
    let mut allowed_seen = Vec::new();
    let mut counted = 0;
    for (rel, text) in program_sources() {
        for f in lengths::functions(&text).expect("parse source") {
            counted += 1;
            if f.lines <= lengths::LIMIT {
                continue;
            }
            if LONG_ALLOWED.contains(&(rel.as_str(), f.name.as_str())) {
                allowed_seen.push((rel.clone(), f.name));
                continue;
            }
            long.push(format!(
                "src/{rel}:{}: {} ({} lines)",
                f.line, f.name, f.lines
            ));
        }
    }
    assert!(counted > 500, "too few functions counted: {counted}");
    assert!(
        long.is_empty(),
        "functions over {} lines (split them into named steps):\n{}",
        lengths::LIMIT,
        long.join("\n")
    );
    for (file, name) in LONG_ALLOWED {
        assert!(
            allowed_seen.iter().any(|(f, n)| f == file && n == name),
            "allow-list entry src/{file}: {name} is no longer long: remove it"
        );
    }
}

/// The most lines a file in `src/` may hold (AGENTS.md: split files past
/// ~500 lines by concept).
const FILE_LIMIT: usize = 500;

/// Files still long, each with why: (file under `src/`, reason). An entry
/// fails the test once its file is short, so it cannot outlive the reason.
const LONG_FILES_ALLOWED: &[(&str, &str)] = &[
    (
        "api/import/mod.rs",
        "issue 23: not split yet (the split of query.rs and monitor.rs came first)",
    ),
    (
        "index/apply.rs",
        "issue 23: not split yet (the split of query.rs and monitor.rs came first)",
    ),
    (
        "store/records.rs",
        "issue 23: not split yet (the split of query.rs and monitor.rs came first)",
    ),
];

/// The files of `sources` (relative path, text) holding more than
/// [`FILE_LIMIT`] lines, with their line counts.
fn files_past_the_limit(sources: &[(String, String)]) -> Vec<(String, usize)> {
    sources
        .iter()
        .map(|(rel, text)| (rel.clone(), text.lines().count()))
        .filter(|(_, lines)| *lines > FILE_LIMIT)
        .collect()
}

#[test]
fn no_file_in_src_runs_past_the_limit() {
    let sources = program_sources();
    assert!(sources.len() > 100, "too few files read: {}", sources.len());
    let long = files_past_the_limit(&sources);
    let unexpected: Vec<String> = long
        .iter()
        .filter(|(rel, _)| !LONG_FILES_ALLOWED.iter().any(|(f, _)| f == rel))
        .map(|(rel, lines)| format!("src/{rel}: {lines} lines"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "files over {FILE_LIMIT} lines (split them by concept):\n{}",
        unexpected.join("\n")
    );
    for (file, _why) in LONG_FILES_ALLOWED {
        assert!(
            long.iter().any(|(rel, _)| rel == file),
            "allow-list entry src/{file} is no longer long: remove it"
        );
    }
}

/// The file check counts lines and flags a file one line past the limit,
/// never one at it.
#[test]
fn the_file_length_check_flags_a_file_one_line_too_long() {
    let file = |lines: usize| "let _ = 0;\n".repeat(lines);
    let sources = vec![
        ("at_limit.rs".to_string(), file(FILE_LIMIT)),
        ("past_limit.rs".to_string(), file(FILE_LIMIT + 1)),
        ("short.rs".to_string(), file(3)),
    ];
    assert_eq!(
        files_past_the_limit(&sources),
        vec![("past_limit.rs".to_string(), FILE_LIMIT + 1)]
    );
}

/// The counter sees a long function wherever it stands, counts from `fn` to
/// the closing brace, and leaves test code out.
#[test]
fn the_length_counter_finds_long_functions_and_skips_test_code() {
    let body = |lines: usize| "    let _ = 0;\n".repeat(lines - 2);
    let source = format!(
        "fn free() {{\n{long}}}\n\
         fn short() {{\n{short}}}\n\
         struct S;\n\
         impl S {{\n fn method(&self) {{\n{long}}}\n}}\n\
         trait T {{\n fn provided(&self) {{\n{long}}}\n fn required(&self);\n}}\n\
         fn outer() {{\n fn nested() {{\n{long}}}\n}}\n\
         #[cfg(test)]\nmod tests {{\n fn helper() {{\n{long}}}\n}}\n\
         #[test]\nfn a_test() {{\n{long}}}\n",
        long = body(lengths::LIMIT + 1),
        short = body(lengths::LIMIT),
    );
    let found = lengths::functions(&source).expect("parse");
    let over: Vec<(&str, usize)> = found
        .iter()
        .filter(|f| f.lines > lengths::LIMIT)
        .map(|f| (f.name.as_str(), f.lines))
        .collect();
    let limit = lengths::LIMIT + 1;
    assert_eq!(
        over,
        [
            ("free", limit),
            ("S::method", limit),
            ("T::provided", limit),
            ("outer", limit + 2),
            ("nested", limit),
        ]
    );
    let short = found.iter().find(|f| f.name == "short").expect("short");
    assert_eq!(short.lines, lengths::LIMIT);
}
