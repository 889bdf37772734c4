//! Tests of the read side against real repositories built with the real `git`
//! binary under a hermetic environment (no user or system config, fixed
//! identities and dates).

use super::cli::LineMerge;
use super::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch repository driven by the real `git`.
pub(crate) struct Fixture {
    pub dir: tempfile::TempDir,
    tick: std::cell::Cell<i64>,
}

impl Fixture {
    pub fn new() -> Fixture {
        let f = Fixture {
            dir: tempfile::tempdir().unwrap(),
            tick: std::cell::Cell::new(0),
        };
        f.git(&["init", "-q", "-b", "main"]);
        f
    }

    pub fn path(&self) -> PathBuf {
        std::fs::canonicalize(self.dir.path()).unwrap()
    }

    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let t = self.tick.get() + 1;
        self.tick.set(t);
        let date = format!("2026-11-25T10:{:02}:{:02}Z", t / 60, t % 60);
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Alice")
            .env("GIT_AUTHOR_EMAIL", "alice@example.com")
            .env("GIT_COMMITTER_NAME", "Alice")
            .env("GIT_COMMITTER_EMAIL", "alice@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.path(), args)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn commit(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", msg]);
        self.git(&["rev-parse", "HEAD"])
    }

    pub fn open(&self) -> GitRepo {
        GitRepo::discover(&self.path()).unwrap().unwrap()
    }
}

#[test]
fn outside_a_repository_is_none() {
    let dir = tempfile::tempdir().unwrap();
    assert!(GitRepo::discover(dir.path()).unwrap().is_none());
}

#[test]
fn unborn_branch_has_a_branch_and_no_head() {
    let f = Fixture::new();
    f.write("a.txt", "x");
    let s = f.open().state().unwrap();
    assert_eq!(s.branch.as_deref(), Some("main"));
    assert_eq!(s.head, None);
    assert_eq!(s.dirty, ["a.txt"]);
    assert!(f.open().files_history(&["a.txt"], 0).unwrap().is_empty());
    assert_eq!(f.open().blob_at_head("a.txt").unwrap(), None);
}

#[test]
fn state_from_a_subdirectory_lists_dirty_files_relative_to_the_root() {
    let f = Fixture::new();
    f.write("src/a.txt", "1\n");
    f.write("b.txt", "1\n");
    let head = f.commit("first");
    f.write("src/a.txt", "2\n");
    f.write("new/c.txt", "new\n");
    std::fs::remove_file(f.path().join("b.txt")).unwrap();
    let repo = GitRepo::discover(&f.path().join("src")).unwrap().unwrap();
    assert_eq!(repo.root(), f.path());
    let s = repo.state().unwrap();
    assert_eq!(s.branch.as_deref(), Some("main"));
    assert_eq!(s.head.as_deref(), Some(head.as_str()));
    assert_eq!(s.dirty, ["b.txt", "new/c.txt", "src/a.txt"]);
    assert_eq!(
        repo.rel_path(&f.path().join("src/a.txt")).as_deref(),
        Some("src/a.txt")
    );
    assert_eq!(
        repo.rel_path(&f.path().join("src/none/x.yaml")).as_deref(),
        Some("src/none/x.yaml")
    );
}

#[test]
fn detached_head_has_no_branch() {
    let f = Fixture::new();
    f.write("a.txt", "1\n");
    let first = f.commit("first");
    f.write("a.txt", "2\n");
    f.commit("second");
    f.git(&["checkout", "-q", "--detach", &first]);
    let s = f.open().state().unwrap();
    assert_eq!(s.branch, None);
    assert_eq!(s.head.as_deref(), Some(first.as_str()));
    assert!(s.dirty.is_empty());
}

#[test]
fn linked_worktree_reports_its_own_branch_and_files() {
    let f = Fixture::new();
    f.write("a.txt", "1\n");
    let first = f.commit("first");
    let wt = f.path().join("wt");
    f.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "feature",
        wt.to_str().unwrap(),
    ]);
    std::fs::write(wt.join("a.txt"), "changed\n").unwrap();
    let repo = GitRepo::discover(&wt).unwrap().unwrap();
    assert_eq!(repo.root(), wt);
    let s = repo.state().unwrap();
    assert_eq!(s.branch.as_deref(), Some("feature"));
    assert_eq!(s.head.as_deref(), Some(first.as_str()));
    assert_eq!(s.dirty, ["a.txt"]);
    // The main work tree sees the linked one as untracked content only.
    assert_eq!(f.open().state().unwrap().branch.as_deref(), Some("main"));
}

#[test]
fn file_history_is_newest_first_and_skips_unrelated_commits() {
    let f = Fixture::new();
    f.write("t.yaml", "v1\n");
    let c1 = f.commit("create");
    f.write("other.txt", "x");
    f.commit("unrelated");
    f.write("t.yaml", "v2\n");
    let c3 = f.commit("edit\n\nbody");
    std::fs::remove_file(f.path().join("t.yaml")).unwrap();
    let c4 = f.commit("delete");
    let h = f.open().files_history(&["t.yaml"], 0).unwrap();
    let got: Vec<_> = h
        .iter()
        .map(|v| (v.commit.as_str(), v.summary.as_str(), v.text.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (c4.as_str(), "delete", None),
            (c3.as_str(), "edit", Some("v2\n")),
            (c1.as_str(), "create", Some("v1\n")),
        ]
    );
    assert_eq!(h[0].author, "Alice");
    let newest = f.open().files_history(&["t.yaml"], 2).unwrap();
    assert_eq!(newest, h[..2].to_vec(), "the walk stops after two versions");
    assert_eq!(h[0].email, "alice@example.com");
    assert!(h[0].time > h[2].time);
}

#[test]
fn merge_commit_appears_once_on_the_first_parent_line() {
    let f = Fixture::new();
    f.write("t.yaml", "a\nb\nc\n");
    f.commit("base");
    f.git(&["checkout", "-q", "-b", "side"]);
    f.write("t.yaml", "a\nb\nC\n");
    f.commit("side edit");
    f.git(&["checkout", "-q", "main"]);
    f.write("t.yaml", "A\nb\nc\n");
    f.commit("main edit");
    f.git(&["merge", "-q", "--no-edit", "side"]);
    let h = f.open().files_history(&["t.yaml"], 0).unwrap();
    let summaries: Vec<_> = h.iter().map(|v| v.summary.as_str()).collect();
    assert_eq!(summaries, ["Merge branch 'side'", "main edit", "base"]);
    assert_eq!(h[0].text.as_deref(), Some("A\nb\nC\n"));
}

#[test]
fn revisions_merge_base_and_default_branch() {
    let f = Fixture::new();
    f.write("a.txt", "1\n");
    let c1 = f.commit("first");
    f.git(&["checkout", "-q", "-b", "feature"]);
    f.write("a.txt", "2\n");
    let c2 = f.commit("second");
    let repo = f.open();
    assert_eq!(repo.resolve("HEAD").unwrap().to_string(), c2);
    assert_eq!(repo.resolve("HEAD~1").unwrap().to_string(), c1);
    assert_eq!(repo.resolve("main").unwrap().to_string(), c1);
    assert_eq!(repo.resolve(&c2[..8]).unwrap().to_string(), c2);
    assert!(matches!(
        repo.resolve("nope"),
        Err(GitError::UnknownRevision { .. })
    ));
    let base = repo.merge_base(repo.resolve("main").unwrap(), repo.resolve("HEAD").unwrap());
    assert_eq!(base.unwrap().map(|b| b.to_string()), Some(c1.clone()));
    assert_eq!(repo.default_branch().unwrap().as_deref(), Some("main"));
    // origin/HEAD takes precedence when a remote says what its default is.
    f.git(&["update-ref", "refs/remotes/origin/trunk", &c1]);
    f.git(&[
        "symbolic-ref",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/trunk",
    ]);
    assert_eq!(
        repo.default_branch().unwrap().as_deref(),
        Some("origin/trunk")
    );
    assert_eq!(
        repo.blob_at(repo.resolve("main").unwrap(), "a.txt")
            .unwrap()
            .as_deref(),
        Some("1\n")
    );
    assert_eq!(repo.blob_at_head("a.txt").unwrap().as_deref(), Some("2\n"));
    assert_eq!(repo.blob_at_head("missing").unwrap(), None);
}

#[test]
fn changed_files_between_commits_and_against_the_work_tree() {
    let f = Fixture::new();
    f.write(".orchestron/tasks/A.yaml", "a1\n");
    f.write(".orchestron/tasks/B.yaml", "b1\n");
    f.write("src/x.rs", "x\n");
    let c1 = f.commit("first");
    f.write(".orchestron/tasks/A.yaml", "a2\n");
    std::fs::remove_file(f.path().join(".orchestron/tasks/B.yaml")).unwrap();
    f.write(".orchestron/tasks/C.yaml", "c1\n");
    f.write("src/x.rs", "y\n");
    let c2 = f.commit("second");
    f.write(".orchestron/tasks/C.yaml", "c2\n");
    f.write(".orchestron/cache/index.sqlite", "junk");
    let repo = f.open();
    let yaml = |p: &str| p.ends_with(".yaml");
    let (c1, c2) = (repo.resolve(&c1).unwrap(), repo.resolve(&c2).unwrap());
    let d = repo
        .changed_files(Some(c1), &After::Commit(c2), ".orchestron", &yaml)
        .unwrap();
    let got: Vec<_> = d
        .iter()
        .map(|c| (c.path.as_str(), c.before.as_deref(), c.after.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (".orchestron/tasks/A.yaml", Some("a1\n"), Some("a2\n")),
            (".orchestron/tasks/B.yaml", Some("b1\n"), None),
            (".orchestron/tasks/C.yaml", None, Some("c1\n")),
        ]
    );
    // The work tree as the store reads it: A and C as committed, C edited,
    // and a file outside the prefix that must be left out.
    let work_tree = After::WorkTree(
        [
            (".orchestron/tasks/A.yaml", "a2\n"),
            (".orchestron/tasks/C.yaml", "c2\n"),
            (".orchestronx/tasks/D.yaml", "d\n"),
        ]
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .into(),
    );
    let w = repo
        .changed_files(Some(c2), &work_tree, ".orchestron", &yaml)
        .unwrap();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].path, ".orchestron/tasks/C.yaml");
    assert_eq!(w[0].after.as_deref(), Some("c2\n"));
    let all = repo
        .changed_files(None, &After::Commit(c1), "", &|_| true)
        .unwrap();
    assert_eq!(all.len(), 3);
}

#[test]
fn merge_file_reports_conflicts_and_config_round_trips() {
    let clean = merge_file(
        "a\nB\nc\n",
        "a\nb\nc\n",
        "a\nb\nc\nd\n",
        ["ours", "base", "theirs"],
    )
    .unwrap();
    assert_eq!(
        clean,
        LineMerge {
            text: "a\nB\nc\nd\n".into(),
            conflicts: 0
        }
    );
    let conflict = merge_file("X\n", "a\n", "Y\n", ["ours", "base", "theirs"]).unwrap();
    assert_eq!(conflict.conflicts, 1);
    assert!(conflict.text.contains("<<<<<<< ours"));
    let f = Fixture::new();
    cli::config_set(&f.path(), "merge.orchestron.name", "Orchestron records").unwrap();
    assert_eq!(
        cli::config_get(&f.path(), "merge.orchestron.name")
            .unwrap()
            .as_deref(),
        Some("Orchestron records")
    );
    assert_eq!(
        cli::config_get(&f.path(), "merge.nothing.here").unwrap(),
        None
    );
}

#[test]
fn last_change_author_follows_the_branch_that_made_the_change() {
    let f = Fixture::new();
    f.write("t.yaml", "v1\n");
    f.write("u.yaml", "u1\n");
    f.commit("base");
    f.git(&["checkout", "-q", "-b", "bob"]);
    f.write("t.yaml", "v2\n");
    let bob = Command::new("git")
        .args(["-c", "user.name=Bob", "-c", "user.email=bob@example.com"])
        .args([
            "commit",
            "-q",
            "-a",
            "-m",
            "bob edits",
            "--author",
            "Bob <bob@example.com>",
        ])
        .current_dir(f.path())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_COMMITTER_NAME", "Bob")
        .env("GIT_COMMITTER_EMAIL", "bob@example.com")
        .status()
        .unwrap();
    assert!(bob.success());
    f.git(&["checkout", "-q", "main"]);
    std::fs::remove_file(f.path().join("u.yaml")).unwrap();
    f.commit("alice removes u");
    f.git(&["merge", "-q", "--no-edit", "bob"]);
    f.write("v.yaml", "uncommitted\n");
    let repo = f.open();
    let files = vec![
        ("t.yaml".to_string(), Some(b"v2\n".to_vec())),
        ("u.yaml".to_string(), None),
        ("v.yaml".to_string(), Some(b"uncommitted\n".to_vec())),
        ("never.yaml".to_string(), None),
    ];
    let authors = repo.last_change_authors("", &files, 100).unwrap();
    assert_eq!(authors.get("t.yaml").map(String::as_str), Some("Bob"));
    assert_eq!(authors.get("u.yaml").map(String::as_str), Some("Alice"));
    assert_eq!(authors.len(), 2, "{authors:?}");
}

#[test]
fn config_ensure_writes_only_missing_or_differing_values() {
    use std::os::unix::fs::MetadataExt;
    let f = Fixture::new();
    let root = f.path();
    let pairs = [
        ("merge.orchestron.name", "N"),
        ("merge.orchestron.driver", "d %O"),
    ];
    config_ensure(&root, "merge.orchestron.", &pairs).unwrap();
    for (k, v) in pairs {
        assert_eq!(cli::config_get(&root, k).unwrap().as_deref(), Some(v));
    }
    // git rewrites the file under a lock and renames it: a new inode.
    let inode = || std::fs::metadata(root.join(".git/config")).unwrap().ino();
    let before = inode();
    config_ensure(&root, "merge.orchestron.", &pairs).unwrap();
    assert_eq!(inode(), before, "nothing to write, nothing written");
    cli::config_set(&root, "merge.orchestron.driver", "old").unwrap();
    config_ensure(&root, "merge.orchestron.", &pairs).unwrap();
    assert_eq!(
        cli::config_get(&root, "merge.orchestron.driver")
            .unwrap()
            .as_deref(),
        Some("d %O")
    );
}
