//! The guard on a synthetic breach of each kind: source text fed to the
//! checker as if it were a file at the given place under `src/`. Each breach
//! must be found, named as resolved, on its line; the clean twins must not.

use super::guard::{Breach, check};

/// What the checker names in `source`, as if it were `src/{rel}`.
fn named(rel: &str, source: &str) -> Vec<String> {
    check(rel, source)
        .expect("parses")
        .into_iter()
        .map(|b| b.named)
        .collect()
}

fn breaches(rel: &str, source: &str) -> Vec<Breach> {
    check(rel, source).expect("parses")
}

#[test]
fn an_adapter_naming_the_store_through_a_use_group_is_caught() {
    assert_eq!(
        named("cli/task.rs", "use crate::{api, store};\n"),
        ["crate::store"]
    );
    assert_eq!(
        named(
            "mcp/tools.rs",
            "use crate::{api::Orchestron, index::{TaskQuery as Q}};\n"
        ),
        ["crate::index::TaskQuery"]
    );
}

#[test]
fn super_chains_are_resolved_from_the_file_s_place() {
    // In src/cli/board/mod.rs, `super::super` is the crate root.
    assert_eq!(
        named("cli/board/mod.rs", "use super::super::git::History;\n"),
        ["crate::git::History"]
    );
    // Inside api, `super::store` is api's own child — not the store layer.
    assert!(named("api/tasks.rs", "use super::store;\n").is_empty());
    // In a top-level adapter module, `super::index` is the crate's index.
    assert_eq!(
        named("http/mod.rs", "fn f() { super::index::open(); }\n"),
        ["crate::index::open"]
    );
}

#[test]
fn a_fully_qualified_path_in_an_expression_or_a_type_is_caught() {
    let source =
        "fn f() -> crate::store::Stamp {\n    crate::index::Index::open();\n    todo!()\n}\n";
    let found = breaches("board/serve.rs", source);
    let at: Vec<(usize, &str)> = found.iter().map(|b| (b.line, b.named.as_str())).collect();
    assert_eq!(
        at,
        [(1, "crate::store::Stamp"), (2, "crate::index::Index::open")]
    );
}

#[test]
fn a_path_inside_a_macro_is_caught() {
    assert_eq!(
        named(
            "mcp/server.rs",
            "fn f() { tracing::warn!(\"{}\", crate::git::head()); }\n"
        ),
        ["crate::git::head"]
    );
    assert_eq!(
        named(
            "cli/mod.rs",
            "fn f(p: &Path) { println!(\"{}\", p.exists()); }\n"
        ),
        [".exists()"]
    );
}

#[test]
fn a_name_imported_then_extended_is_resolved() {
    let source = "use crate as root;\nuse root::store as s;\nfn f() { s::Workspace::open(); }\n";
    let found = named("api/x.rs", source);
    assert!(found.is_empty(), "api may name the store: {found:?}");
    let found = named("cli/x.rs", source);
    assert!(
        found.iter().all(|n| n.starts_with("crate::store")) && found.len() >= 2,
        "{found:?}"
    );
}

#[test]
fn file_io_sql_git_watch_yaml_and_processes_above_the_store_are_caught() {
    for (source, expect) in [
        ("use std::fs;", "std::fs"),
        ("use std::{fs::read, io};", "std::fs::read"),
        (
            "fn f() { ::std::fs::remove_file(\"x\"); }",
            "std::fs::remove_file",
        ),
        (
            "use std as s; fn f() { s::fs::write(\"x\", \"\"); }",
            "std::fs::write",
        ),
        (
            "use std::os::unix::fs::PermissionsExt;",
            "std::os::unix::fs::PermissionsExt",
        ),
        ("use std::process::Command;", "std::process::Command"),
        ("use tokio::fs::read;", "tokio::fs::read"),
        ("use rusqlite::Connection;", "rusqlite::Connection"),
        ("fn f() { gix::open(\".\"); }", "gix::open"),
        ("use notify::Watcher;", "notify::Watcher"),
        ("extern crate notify as n;", "notify"),
        (
            "fn f() { yaml_serde::from_str::<u8>(\"\"); }",
            "yaml_serde::from_str",
        ),
        ("use yaml_edit::Document;", "yaml_edit::Document"),
        (
            "fn f(p: &std::path::Path) -> bool { p.is_dir() }",
            ".is_dir()",
        ),
        (
            "fn f(p: &Path) { std::path::Path::exists(p); }",
            "std::path::Path::exists",
        ),
    ] {
        for place in [
            "api/tasks.rs",
            "cli/task.rs",
            "mcp/tools.rs",
            "board/serve.rs",
            "http/guard.rs",
        ] {
            let found = named(place, source);
            assert!(
                found.iter().any(|n| n == expect),
                "{place}: `{source}` should name {expect}, found {found:?}"
            );
        }
        // The store is where files are touched.
        assert!(
            named("store/files.rs", source).is_empty(),
            "store/files.rs: `{source}`"
        );
    }
}

#[test]
fn the_lower_layers_naming_the_api_or_an_adapter_are_caught() {
    for place in ["store/records.rs", "index/query.rs", "git/history.rs"] {
        assert_eq!(
            named(place, "use crate::api::Error;"),
            ["crate::api::Error"]
        );
        assert_eq!(
            named(place, "fn f() { crate::mcp::serve(); }"),
            ["crate::mcp::serve"]
        );
        assert!(
            named(
                place,
                "use crate::model::Task; use crate::store::RecordPath;"
            )
            .is_empty()
        );
    }
}

#[test]
fn the_api_handing_out_a_lower_layer_s_item_is_caught() {
    for (place, source, expect) in [
        (
            "api/mod.rs",
            "pub use crate::index::{ArchiveScope, TaskQuery};",
            &[
                "pub use crate::index::ArchiveScope",
                "pub use crate::index::TaskQuery",
            ][..],
        ),
        (
            "api/mod.rs",
            "pub use crate::git::merge::Side as MergeSide;",
            &["pub use crate::git::merge::Side"],
        ),
        (
            "api/import/mod.rs",
            "pub(crate) use super::super::store::InitReport;",
            &["pub use crate::store::InitReport"],
        ),
        (
            "api/tasks.rs",
            "use crate::store;\npub use store::Workspace as Ws;",
            &["pub use crate::store::Workspace"],
        ),
        (
            "api/mod.rs",
            "pub use crate::index::*;",
            &["pub use crate::index"],
        ),
        (
            "api/mod.rs",
            "pub(super) type Query = crate::index::TaskQuery;",
            &["pub type = crate::index::TaskQuery"],
        ),
        (
            "api/tasks.rs",
            "pub type Query = crate::index::TaskQuery;",
            &["pub type = crate::index::TaskQuery"],
        ),
        (
            "api/tasks.rs",
            "use crate::index::TaskPage;\npub type Pages = Vec<TaskPage>;",
            &["pub type = crate::index::TaskPage"],
        ),
    ] {
        assert_eq!(named(place, source), expect, "{place}: `{source}`");
    }
    // The clean twins: api may use the lower layers, and hand out its own
    // items and the model's.
    for source in [
        "use crate::index::TaskQuery;",
        "type Query = crate::index::TaskQuery;",
        "pub use crate::model::{TaskQuery, TaskRef};",
        "pub use tasks::{TaskView, Updated};",
        "pub type Result<T, E = Error> = std::result::Result<T, E>;",
    ] {
        assert!(
            named("api/mod.rs", source).is_empty(),
            "api/mod.rs: `{source}`"
        );
    }
    // Shared inside api only: `pub(super)` below api/mod.rs, `pub(in crate::api)`.
    for source in [
        "pub(super) type State = BTreeMap<String, crate::git::RemoteEntry>;",
        "pub(in crate::api) use crate::store::Claims;",
    ] {
        assert!(
            named("api/remote_claim.rs", source).is_empty(),
            "`{source}`"
        );
    }
    // The lower layers share their items among themselves.
    assert!(named("store/mod.rs", "pub use crate::index::FileStamp;").is_empty());
}

#[test]
fn an_api_signature_seen_outside_the_api_naming_a_lower_layer_s_type_is_caught() {
    let method = "use crate::store::Claims;\nimpl Orchestron {\n    pub(crate) fn claims(&self) -> Result<Claims> { todo!() }\n}";
    assert_eq!(
        breaches("api/lease.rs", method),
        [Breach {
            line: 3,
            named: "pub fn names crate::store::Claims".into()
        }]
    );
    for (place, source, expect) in [
        (
            "api/git_repo.rs",
            "pub fn git(o: &Orchestron) -> Option<crate::git::GitRepo> { todo!() }",
            &["pub fn names crate::git::GitRepo"][..],
        ),
        (
            "api/refresh.rs",
            "use crate::index::LoadedFile;\nimpl O {\n    pub(crate) fn index_written(&mut self, w: LoadedFile) {}\n}",
            &["pub fn names crate::index::LoadedFile"],
        ),
        (
            "api/mod.rs",
            "impl O {\n    pub(super) fn lock(&self) -> crate::store::WorkspaceLock { todo!() }\n}",
            &["pub fn names crate::store::WorkspaceLock"],
        ),
        (
            "api/lease.rs",
            "pub(crate) struct Scope {\n    pub(crate) claims: crate::store::Claims,\n}",
            &["pub field names crate::store::Claims"],
        ),
    ] {
        assert_eq!(named(place, source), expect, "{place}: `{source}`");
    }
    // The clean twins: shared inside api only (`pub(super)` below
    // api/mod.rs, `pub(in crate::api)`, private), or naming only api and
    // model types; a lower type in the body is api's own business.
    for source in [
        "impl O {\n    pub(super) fn claims(&self) -> crate::store::Claims { todo!() }\n}",
        "pub(in crate::api) fn git() -> Option<crate::git::GitRepo> { todo!() }",
        "fn lock() -> crate::store::WorkspaceLock { todo!() }",
        "pub(super) struct Scope {\n    pub(super) claims: crate::store::Claims,\n}",
        "pub(crate) fn n() -> usize { crate::store::Claims::default().len() }",
        "pub fn t(id: &crate::model::RecordId) -> crate::api::TaskView { todo!() }",
    ] {
        assert!(
            named("api/lease.rs", source).is_empty(),
            "api/lease.rs: `{source}`"
        );
    }
}

#[test]
fn the_lower_layers_deriving_or_importing_json_schemas_are_caught() {
    for place in ["store/records.rs", "index/types.rs", "git/merge.rs"] {
        for (source, expect) in [
            ("use schemars::JsonSchema;", &["schemars::JsonSchema"][..]),
            (
                "#[derive(Debug, schemars::JsonSchema)]\nstruct S;",
                &["schemars::JsonSchema"],
            ),
            (
                "use schemars::JsonSchema as Js;\n#[derive(Clone, Js)]\nstruct S;",
                &["schemars::JsonSchema", "schemars::JsonSchema"],
            ),
            (
                "#[derive(JsonSchema)]\n#[schemars(with = \"String\")]\nstruct S;",
                &["schemars"],
            ),
            (
                "#[cfg_attr(feature = \"http\", derive(schemars::JsonSchema))]\nstruct S;",
                &["schemars::JsonSchema"],
            ),
            (
                "fn f() { let _ = schemars::schema_for!(u8); }",
                &["schemars::schema_for"],
            ),
            ("extern crate schemars as s;", &["schemars"]),
        ] {
            assert_eq!(named(place, source), expect, "{place}: `{source}`");
        }
        // Serde is the files' and the cache's own encoding; test code may
        // check a schema.
        for clean in [
            "#[derive(Debug, serde::Serialize, serde::Deserialize)]\n#[serde(rename_all = \"lowercase\")]\nenum E { A }",
            "#[cfg(test)]\nmod tests { use schemars::JsonSchema; }",
        ] {
            assert!(named(place, clean).is_empty(), "{place}: `{clean}`");
        }
    }
    // `model` and `api` types go out to the adapters with their schemas.
    for place in ["model/task.rs", "api/tasks.rs", "mcp/tools.rs"] {
        let source = "use schemars::JsonSchema;\n#[derive(JsonSchema)]\nstruct S;";
        assert!(named(place, source).is_empty(), "{place}");
    }
}

#[test]
fn the_model_naming_anything_above_it_is_caught() {
    for layer in [
        "store", "index", "git", "api", "cli", "mcp", "board", "http",
    ] {
        let found = named("model/task.rs", &format!("use crate::{layer}::X;"));
        assert_eq!(found, [format!("crate::{layer}::X")]);
    }
    assert_eq!(
        named("model/config.rs", "use std::fs::read;"),
        ["std::fs::read"]
    );
}

#[test]
fn a_glob_of_the_crate_root_and_a_path_attribute_are_caught() {
    assert_eq!(named("cli/x.rs", "use crate::*;"), ["use crate::*"]);
    assert_eq!(named("api/mod.rs", "use super::*;"), ["use crate::*"]);
    assert_eq!(
        named(
            "api/x.rs",
            "#[path = \"../store/records.rs\"]\nmod records;"
        ),
        ["#[path]"]
    );
}

#[test]
fn inline_modules_move_super_and_test_code_is_left_out() {
    // `super` inside `mod inner` of src/cli/mod.rs is src/cli.
    assert!(named("cli/mod.rs", "mod inner { use super::super::api::X; }").is_empty());
    assert_eq!(
        named("cli/mod.rs", "mod inner { use super::super::index::X; }"),
        ["crate::index::X"]
    );
    // Test code is not built into the program; `cfg(not(test))` code is.
    assert!(named("api/x.rs", "#[cfg(test)]\nmod tests { use std::fs; }").is_empty());
    let test_method = "impl X {\n#[cfg(test)]\nfn f() { std::fs::read(\"x\"); }\n}";
    assert!(named("api/x.rs", test_method).is_empty());
    assert_eq!(
        named("api/x.rs", "impl X {\nfn f() { std::fs::read(\"x\"); }\n}"),
        ["std::fs::read"]
    );
    assert_eq!(
        named(
            "api/x.rs",
            "#[cfg(not(test))]\nfn f() { std::fs::read(\"x\"); }"
        ),
        ["std::fs::read"]
    );
}

#[test]
fn a_wall_clock_reading_outside_the_clock_is_caught() {
    // Through an import, written out, and inside a macro; in any layer.
    assert_eq!(
        named(
            "index/feed.rs",
            "use chrono::Utc;\nfn f() { let t = Utc::now(); }"
        ),
        ["chrono::Utc::now"]
    );
    assert_eq!(
        named("api/tasks.rs", "fn f() { std::time::SystemTime::now(); }"),
        ["std::time::SystemTime::now"]
    );
    assert_eq!(
        named(
            "store/lock.rs",
            "use chrono as c;\nfn f() { format!(\"{}\", c::Local::now()); }"
        ),
        ["chrono::Local::now"]
    );
    // The clock itself reads it; naming the type is no reading.
    let clock = "use chrono::Utc;\nfn read() -> chrono::DateTime<Utc> { Utc::now() }";
    assert!(named("model/clock.rs", clock).is_empty());
    assert!(named("api/tasks.rs", "fn f(t: chrono::DateTime<chrono::Utc>) {}").is_empty());
}

#[test]
fn the_clock_s_variable_outside_the_cli_is_caught() {
    let read = "fn f() { std::env::var(\"ORCHESTRON_NOW\").ok(); }";
    assert_eq!(named("model/lease.rs", read), ["\"ORCHESTRON_NOW\""]);
    assert_eq!(named("mcp/mod.rs", read), ["\"ORCHESTRON_NOW\""]);
    let in_macro = "fn f() { let v = env_var!(\"ORCHESTRON_NOW\"); }";
    assert_eq!(
        named("api/insights/mod.rs", in_macro),
        ["\"ORCHESTRON_NOW\""]
    );
    assert!(named("cli/mod.rs", read).is_empty());
    // Named in a comment (a doc attribute) is no reading.
    assert!(named("api/board.rs", "/// fixed by `ORCHESTRON_NOW`\nfn f() {}").is_empty());
}

#[test]
fn what_each_layer_may_name_is_not_flagged() {
    let clean = [
        (
            "cli/task.rs",
            "use crate::api::{Orchestron, TaskPatch}; use crate::model::Status; fn f() { crate::timing::Phase::start(); }",
        ),
        (
            "mcp/http.rs",
            "use crate::http::Guard; use std::path::Path; fn f(p: &Path) { p.join(\"x\"); }",
        ),
        (
            "api/import/json.rs",
            "fn f(ws: &Workspace) -> bool { ws.exists(Kind::Task, &id) }",
        ),
        (
            "api/tasks.rs",
            "use crate::store::{self, Workspace}; use crate::index::Index; use crate::git::GitRepo;",
        ),
        (
            "store/records.rs",
            "use std::fs; use crate::index::FileStamp; fn f(p: &Path) -> bool { p.exists() }",
        ),
        (
            "model/task.rs",
            "use crate::model::Status; use std::collections::HashMap;",
        ),
    ];
    for (place, source) in clean {
        assert!(named(place, source).is_empty(), "{place}: {source}");
    }
}
