//! The credit of a change (`last_change_authors`) against real repositories:
//! each shape a path can take in HEAD, asked about one path at a time and
//! with so many files that whole trees are listed — the two must agree.

use super::tests::Fixture;
use std::collections::BTreeMap;

fn commit_as(f: &Fixture, who: &str, msg: &str) {
    f.git(&["add", "-A"]);
    let author = format!("{who} <{}@example.com>", who.to_lowercase());
    f.git(&["commit", "-q", "-m", msg, "--author", &author]);
}

/// Alice lays out the workspace `ws`; Bob edits, renames into the archive,
/// deletes; Carol changes another file of the same folder last.
fn history() -> Fixture {
    let f = Fixture::new();
    for (p, t) in [
        ("ws/tasks/a.yaml", "a1\n"),
        ("ws/tasks/deep/n/b.yaml", "b1\n"),
        ("ws/tasks/c.yaml", "c1\n"),
        ("ws/tasks/old.yaml", "o1\n"),
        ("ws/tasks/folder.yaml/x.yaml", "x1\n"),
        ("ws/tasks/é.yaml", "e1\n"),
        ("ws/tasks/z.yaml", "z1\n"),
        ("outside/o.yaml", "out1\n"),
    ] {
        f.write(p, t);
    }
    std::os::unix::fs::symlink("a.yaml", f.path().join("ws/tasks/l.yaml")).unwrap();
    commit_as(&f, "Alice", "base");
    f.write("ws/tasks/a.yaml", "a2\n");
    f.write("ws/tasks/deep/n/b.yaml", "b2\n");
    f.write("ws/tasks/é.yaml", "e2\n");
    std::fs::create_dir_all(f.path().join("ws/archive")).unwrap();
    std::fs::rename(
        f.path().join("ws/tasks/c.yaml"),
        f.path().join("ws/archive/c.yaml"),
    )
    .unwrap();
    std::fs::remove_file(f.path().join("ws/tasks/old.yaml")).unwrap();
    commit_as(&f, "Bob", "bob's changes");
    f.write("ws/tasks/z.yaml", "z2\n");
    commit_as(&f, "Carol", "carol's change");
    f
}

fn ask(f: &Fixture, files: &[(&str, Option<&str>)]) -> BTreeMap<String, String> {
    let files: Vec<(String, Option<Vec<u8>>)> = files
        .iter()
        .map(|(p, t)| (p.to_string(), t.map(|t| t.as_bytes().to_vec())))
        .collect();
    f.open().last_change_authors("ws", &files, 100).unwrap()
}

/// Every shape, with what each is credited to (absent: the editor's).
const CASES: &[(&str, Option<&str>, Option<&str>)] = &[
    ("ws/tasks/a.yaml", Some("a2\n"), Some("Bob")),
    ("ws/tasks/deep/n/b.yaml", Some("b2\n"), Some("Bob")),
    ("ws/archive/c.yaml", Some("c1\n"), Some("Bob")),
    ("ws/tasks/c.yaml", None, Some("Bob")),
    ("ws/tasks/old.yaml", None, Some("Bob")),
    ("ws/tasks/é.yaml", Some("e2\n"), Some("Bob")),
    ("ws/tasks/z.yaml", Some("z2\n"), Some("Carol")),
    // A folder in HEAD, as a file or deleted: never a file, never credited.
    ("ws/tasks/folder.yaml", Some("x1\n"), None),
    ("ws/tasks/folder.yaml", None, None),
    // A symbolic link in HEAD holding the same bytes is not the file.
    ("ws/tasks/l.yaml", Some("a.yaml"), None),
    // Content git stored, but not HEAD's for this path: a hand revert.
    ("ws/tasks/a.yaml", Some("a1\n"), None),
    ("ws/tasks/z.yaml", Some("a2\n"), None),
    // Content git never stored, a file that never existed, a path through
    // a file, a path outside the workspace.
    ("ws/tasks/a.yaml", Some("hand edit\n"), None),
    ("ws/tasks/never.yaml", None, None),
    ("ws/tasks/a.yaml/x.yaml", None, None),
    ("outside/o.yaml", Some("out1\n"), None),
];

#[test]
fn credit_follows_each_path_shape_one_file_at_a_time() {
    let f = history();
    for (path, text, want) in CASES {
        let got = ask(&f, &[(path, *text)]);
        assert_eq!(
            got.get(*path).map(String::as_str),
            *want,
            "{path} {text:?}: {got:?}"
        );
    }
}

#[test]
fn credit_of_many_files_listing_whole_trees_matches_one_at_a_time() {
    let f = history();
    // Distinct paths only (one content per path in one refresh), padded
    // past the point where whole trees are listed.
    let mut files: Vec<(String, Option<&str>)> = Vec::new();
    let mut want = BTreeMap::new();
    for (path, text, who) in CASES {
        if files.iter().any(|(p, _)| p == path) {
            continue;
        }
        files.push((path.to_string(), *text));
        if let Some(who) = who {
            want.insert(path.to_string(), who.to_string());
        }
    }
    let few: Vec<(&str, Option<&str>)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    assert_eq!(ask(&f, &few), want, "one path at a time");
    for i in 0..40 {
        files.push((format!("ws/tasks/gone-{i}.yaml"), None));
    }
    let many: Vec<(&str, Option<&str>)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    assert_eq!(ask(&f, &many), want, "whole trees listed");
}
