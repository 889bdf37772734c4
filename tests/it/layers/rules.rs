//! What each layer may name — the rules [`super::guard`] holds every source
//! file to: which of the crate's modules a layer may name, which outside
//! crates touch files, SQL, git, the file watch, YAML or processes (only the
//! store, the index and git use them), which `Path` methods go to the disk,
//! which crates serve only an adapter's output (the lower layers neither
//! derive nor import them), and who reads the wall clock and `ORCHESTRON_NOW`
//! (the one clock, `model::Clock`, and the CLI's entry). The checker resolves names; this file says what
//! is allowed.

/// The crate's top-level modules, bottom up.
pub const MODULES: [&str; 10] = [
    "model", "timing", "store", "index", "git", "api", "cli", "mcp", "board", "http",
];

/// The adapters: they reach files, SQL and git only through `api`.
pub const ADAPTERS: [&str; 4] = ["cli", "mcp", "board", "http"];

/// Which top-level modules a layer may name.
pub fn may_name(layer: &str) -> &'static [&'static str] {
    match layer {
        "model" | "timing" => &["model", "timing"],
        "store" | "index" | "git" => &["model", "timing", "store", "index", "git"],
        "api" => &["model", "timing", "store", "index", "git", "api"],
        _ => &["model", "timing", "api", "cli", "mcp", "board", "http"],
    }
}

/// Outside crates and std modules that touch files, SQL, git, the file
/// watch, YAML or processes: only `store`, `index` and `git` use them.
pub const OUTSIDE_BELOW_THE_API: [&[&str]; 9] = [
    &["std", "fs"],
    &["std", "process"],
    &["tokio", "fs"],
    &["tokio", "process"],
    &["rusqlite"],
    &["gix"],
    &["notify"],
    &["yaml_serde"],
    &["yaml_edit"],
];

/// `Path` and `PathBuf` methods that go to the disk (called with no
/// arguments: `ws.exists(kind, id)` is the store's own question).
pub const DISK_METHODS: [&str; 10] = [
    "exists",
    "try_exists",
    "is_dir",
    "is_file",
    "is_symlink",
    "metadata",
    "symlink_metadata",
    "read_dir",
    "read_link",
    "canonicalize",
];

/// Readings of the wall clock: record and lease times come from the one
/// clock (`model::Clock`, `src/model/clock.rs`), which tests can set.
pub const WALL_CLOCK: [&[&str]; 3] = [
    &["chrono", "Utc", "now"],
    &["chrono", "Local", "now"],
    &["std", "time", "SystemTime", "now"],
];

/// The only file that reads the wall clock (`model::Clock` itself).
pub const CLOCK_FILE: [&str; 2] = ["model", "clock"];

/// The variable that sets the clock, and the only layer that reads it: the
/// CLI's entry, where every command, `mcp` and `board --serve` start.
pub const CLOCK_VAR: &str = "ORCHESTRON_NOW";
pub const CLOCK_VAR_READER: &str = "cli";

/// Layers below the API: what they hold is shaped by the files, the cache
/// and git, never by what an adapter shows.
pub const LOWER_LAYERS: [&str; 3] = ["store", "index", "git"];

/// Outside crates that serve only an adapter's output: the lower layers
/// neither derive nor import them (`schemars`' JSON Schemas are for MCP
/// structured content; a type that needs one belongs in `model` or `api`).
pub const ADAPTER_FACING: [&[&str]; 1] = [&["schemars"]];

/// Whether a resolved path is an item of `store`, `index` or `git`.
pub fn in_a_lower_layer(path: &[String]) -> bool {
    path.first().is_some_and(|s| s == "crate")
        && path
            .get(1)
            .is_some_and(|top| LOWER_LAYERS.contains(&top.as_str()))
}
