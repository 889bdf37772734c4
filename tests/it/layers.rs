//! The arrows hold: the adapters (`src/cli`, `src/mcp`, `src/board`, and
//! `src/http`, the HTTP infrastructure every HTTP adapter shares) reach the files, the
//! cache and git only through `api`. Outside the crate the compiler enforces
//! it (`store`, `index` and `git` are `pub(crate)`); inside, this test does. It
//! also keeps `tests/` to the one integration-test binary.

use std::path::{Path, PathBuf};

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

#[test]
fn adapters_name_no_layer_below_the_api() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for adapter in ["cli", "mcp", "board", "http"] {
        rust_files(&src.join(adapter), &mut files);
    }
    assert!(
        files.iter().any(|f| f.starts_with(src.join("http"))),
        "no sources under src/http: the HTTP guard moved?"
    );
    assert!(
        files.len() > 4,
        "no adapter sources under {}",
        src.display()
    );
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read source");
        for (n, line) in text.lines().enumerate() {
            for layer in ["store", "index", "git"] {
                if line.contains(&format!("crate::{layer}")) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "adapters must go through crate::api:\n{}",
        found.join("\n")
    );
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
    // `browser` (the board's Node driver), `clients/` (the real agent clients
    // and the scripted Messages API), `conformance/` (the npm conformance
    // suite), `packaging/` (the install test of the release artifacts) and
    // `python/` (the Python SDK client) hold no Rust: cargo builds no test
    // target from them.
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
