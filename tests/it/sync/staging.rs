//! What a sync must commit, whatever way it finds the changes (today `git
//! ls-files --others` for new files, added by name, then `git commit
//! --include` of the workspace folder, which stages changed and deleted files
//! in its own pass; `git add -A` before it, and a sync that named the changed
//! paths itself, docs/PERFORMANCE.md runs 7 and 9): a hand-edited, a new and
//! a deleted record, a record moved into `archive/` by hand, a racy entry
//! (same size and mtime as git's index entry, new content), an untracked file
//! that is not a record; and what it must leave alone: a user's files outside
//! the folder (unstaged stays unstaged, untracked stays untracked), files git
//! ignores. Every case ends with the workspace folder clean in `git status`
//! (nothing left unstaged or untracked) and the commit holding the files'
//! contents; the commit runs the repository's hooks as `git commit` does.

use super::Remote;
use crate::common::TestEnv;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Every file of the workspace (but the cache) dated a day back and git's
/// index refreshed to that: no entry is racy, and each record's stamp (after
/// a command's refresh) equals its entry.
fn settled(env: &TestEnv) {
    fn backdate(dir: &Path, when: SystemTime) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                if entry.file_name() != "cache" {
                    backdate(&path, when);
                }
            } else {
                let f = std::fs::File::options().write(true).open(&path).unwrap();
                f.set_modified(when).unwrap();
            }
        }
    }
    backdate(&env.ws(), SystemTime::now() - Duration::from_secs(86_400));
    env.git(&["update-index", "-q", "--refresh"]);
    env.ok(&["task", "list"]);
}

/// Runs `sync`; returns the commit message it made.
fn sync_commit(env: &TestEnv) -> String {
    let r = env.json(&["sync"]);
    r["committed"]
        .as_str()
        .unwrap_or_else(|| panic!("nothing committed: {r}"))
        .to_string()
}

/// Nothing under the workspace folder differs from HEAD.
fn assert_committed(env: &TestEnv, what: &str) {
    let status = env.git(&[
        "status",
        "--porcelain",
        "--untracked-files=all",
        "--",
        ".orchestron",
    ]);
    assert_eq!(status, "", "{what}: left behind");
}

/// The committed content of a workspace file.
fn committed(env: &TestEnv, rel: &str) -> String {
    env.git(&["show", &format!("HEAD:.orchestron/{rel}")])
}

fn tracked(env: &TestEnv, rel: &str) -> bool {
    !env.git(&["ls-files", &format!(".orchestron/{rel}")])
        .is_empty()
}

#[test]
fn sync_commits_a_hand_edited_a_new_and_a_deleted_record() {
    let remote = Remote::new(4, false);
    let env = remote.clone();
    settled(&env);
    let [edited, copied, deleted, untouched] = [0, 1, 2, 3].map(|i| remote.ids[i].clone());
    let edited_path = env.task_path(&edited);
    let text = env
        .read(&edited_path)
        .replace("Shared work 0", "Edited by hand");
    std::fs::write(&edited_path, &text).unwrap();
    let new_id = "TASK-hand1";
    let new_text = env.read(&env.task_path(&copied)).replace(&copied, new_id);
    std::fs::write(env.task_path(new_id), &new_text).unwrap();
    std::fs::remove_file(env.task_path(&deleted)).unwrap();

    let message = sync_commit(&env);
    for line in [
        format!("{edited} changed"),
        format!("{new_id} created"),
        format!("{deleted} deleted"),
    ] {
        assert!(message.contains(&line), "{message}");
    }
    for id in [&copied, &untouched] {
        assert!(!message.contains(id.as_str()), "unchanged: {message}");
    }
    assert_committed(&env, "edited, new, deleted");
    assert_eq!(committed(&env, &format!("tasks/{edited}.yaml")), text);
    assert_eq!(committed(&env, &format!("tasks/{new_id}.yaml")), new_text);
    assert!(!tracked(&env, &format!("tasks/{deleted}.yaml")));
}

#[test]
fn sync_commits_a_record_moved_into_the_archive_by_hand() {
    let remote = Remote::new(2, false);
    let env = remote.clone();
    settled(&env);
    let id = &remote.ids[0];
    let archived = env.ws().join("archive/tasks");
    std::fs::create_dir_all(&archived).unwrap();
    std::fs::rename(env.task_path(id), archived.join(format!("{id}.yaml"))).unwrap();

    let message = sync_commit(&env);
    assert!(
        message.contains(&format!("archive/tasks/{id}.yaml created"))
            && message.contains(&format!("{id} deleted")),
        "{message}"
    );
    assert_committed(&env, "moved into the archive");
    assert!(!tracked(&env, &format!("tasks/{id}.yaml")));
    assert!(tracked(&env, &format!("archive/tasks/{id}.yaml")));
}

/// A racy entry (modified in or after the second git wrote its index) is
/// committed with its new content although its size and mtime match the
/// entry (and the cache's stamp): git's racy rule, which a sync comparing
/// stat data itself must keep. The file is rewritten with the same size and
/// the same (future) mtime after `git add` recorded it.
#[test]
fn sync_commits_a_racy_entry_whose_size_and_mtime_match() {
    let remote = Remote::new(2, false);
    let env = remote.clone();
    settled(&env);
    let id = &remote.ids[0];
    let path = env.task_path(id);
    let later = SystemTime::now() + Duration::from_secs(3_600);
    let set_mtime = |p: &Path| {
        let f = std::fs::File::options().write(true).open(p).unwrap();
        f.set_modified(later).unwrap();
    };
    set_mtime(&path);
    env.ok(&["task", "list"]);
    env.git(&["add", &format!(".orchestron/tasks/{id}.yaml")]);
    let text = env.read(&path).replace("Shared work 0", "Shared wORK 0");
    std::fs::write(&path, &text).unwrap();
    set_mtime(&path);

    let message = sync_commit(&env);
    assert!(message.contains(&format!("{id} changed")), "{message}");
    assert_eq!(committed(&env, &format!("tasks/{id}.yaml")), text);
    assert_committed(&env, "racy entry");
}

/// An untracked file that is not a record is committed too (git alone knows
/// whether it is ignored).
#[test]
fn sync_commits_an_untracked_non_record_file() {
    let remote = Remote::new(1, false);
    let env = remote.clone();
    settled(&env);
    std::fs::write(env.ws().join("tasks/notes.txt"), "mine\n").unwrap();

    let message = sync_commit(&env);
    assert!(message.contains("notes.txt created"), "{message}");
    assert!(tracked(&env, "tasks/notes.txt"));
    assert_committed(&env, "a stray file");
}

/// A user's work outside the workspace folder stays theirs: a tracked file
/// changed but not staged stays out of the sync's commit and unstaged, an
/// untracked one stays untracked. Files git ignores under the folder stay out.
#[test]
fn sync_commits_only_the_folder_leaving_the_users_work_and_ignored_files_alone() {
    let remote = Remote::new(1, false);
    let env = remote.clone();
    std::fs::write(env.path().join("code.rs"), "fn main() {}\n").unwrap();
    env.git(&["add", "code.rs"]);
    env.git(&["commit", "-q", "-m", "code"]);
    std::fs::write(env.path().join("code.rs"), "fn main() { todo!() }\n").unwrap();
    std::fs::write(env.path().join("scratch.txt"), "mine\n").unwrap();
    std::fs::write(env.ws().join("local.db"), "ignored\n").unwrap();
    let id = &remote.ids[0];
    let path = env.task_path(id);
    std::fs::write(&path, env.read(&path).replace("Shared work 0", "Edited")).unwrap();

    let message = sync_commit(&env);
    assert!(message.contains(&format!("{id} changed")), "{message}");
    let files = env.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(files.trim(), format!(".orchestron/tasks/{id}.yaml"));
    assert_eq!(
        env.git(&["status", "--porcelain", "--", "code.rs", "scratch.txt"]),
        " M code.rs\n?? scratch.txt\n",
        "the user's files keep their state"
    );
    assert!(!tracked(&env, "local.db"));
    assert!(env.ws().join("local.db").exists());
    assert_committed(&env, "the folder");
}

/// Writes an executable hook that appends its name (and the message's first
/// line, when it is given one) to `hooks.log` in the repository, then exits
/// with `code`.
fn hook(env: &TestEnv, name: &str, code: i32) {
    let path = env.path().join(".git/hooks").join(name);
    let log = env.path().join(".git/hooks.log");
    let line = if name == "commit-msg" {
        format!(
            "echo \"{name}: $(head -n 1 \"$1\")\" >> '{}'",
            log.display()
        )
    } else {
        format!("echo {name} >> '{}'", log.display())
    };
    std::fs::write(
        &path,
        format!("#!/bin/sh\n{line}\necho {name} says {code} >&2\nexit {code}\n"),
    )
    .unwrap();
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&path, perms).unwrap();
}

fn hooks_log(env: &TestEnv) -> String {
    std::fs::read_to_string(env.path().join(".git/hooks.log")).unwrap_or_default()
}

/// The sync's commit runs the repository's hooks as `git commit` does, once
/// each and in order, and the commit-msg hook sees the generated message; a
/// pre-commit hook that refuses stops the sync, saying why, with nothing
/// committed. A sync with nothing to commit makes no commit.
#[test]
fn sync_commits_through_the_repositorys_hooks() {
    let remote = Remote::new(2, false);
    let env = remote.clone();
    for name in ["pre-commit", "commit-msg", "post-commit"] {
        hook(&env, name, 0);
    }
    let id = &remote.ids[0];
    let path = env.task_path(id);
    std::fs::write(&path, env.read(&path).replace("Shared work 0", "Edited")).unwrap();
    let head = env.git(&["rev-parse", "HEAD"]);

    let message = sync_commit(&env);
    assert_eq!(
        hooks_log(&env),
        format!(
            "pre-commit\ncommit-msg: {}\npost-commit\n",
            message.lines().next().unwrap()
        )
    );
    assert_eq!(env.git(&["rev-parse", "HEAD~1"]), head);
    assert_committed(&env, "through the hooks");

    let head = env.git(&["rev-parse", "HEAD"]);
    let r = env.json(&["sync"]);
    assert!(r.get("committed").is_none(), "{r}");
    assert_eq!(env.git(&["rev-parse", "HEAD"]), head);
    let log = hooks_log(&env);
    for name in ["commit-msg", "post-commit"] {
        assert_eq!(log.matches(name).count(), 1, "{name} ran again: {log}");
    }

    hook(&env, "pre-commit", 1);
    let other = &remote.ids[1];
    let path = env.task_path(other);
    std::fs::write(&path, env.read(&path).replace("Shared work 1", "Refused")).unwrap();
    let r = env.run(&["sync"]);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("pre-commit says 1"), "{}", r.stderr);
    assert_eq!(env.git(&["rev-parse", "HEAD"]), head);
    assert!(
        env.git(&["status", "--porcelain", "--", ".orchestron"])
            .contains(&format!("tasks/{other}.yaml")),
        "the change is still there to commit"
    );
}
