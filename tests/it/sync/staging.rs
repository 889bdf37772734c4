//! What a sync stages now that it names the changed paths itself (git's index
//! entries compared with the stamps of the command's refresh, instead of
//! `git add -A` over the whole folder): never less than that `git add -A`
//! would have staged. Every case ends with the workspace folder clean in
//! `git status` (nothing left unstaged or untracked) and the commit holding
//! the files' contents.

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

/// Runs `sync` with the debug log; returns what it said it staged.
fn sync_staging(env: &TestEnv) -> String {
    let r = env.run_with(&["sync"], &[("RUST_LOG", "orchestron=debug")]);
    assert_eq!(r.code, 0, "{r:?}");
    r.stderr
        .lines()
        .find(|l| l.contains("sync: staging"))
        .unwrap_or_else(|| panic!("no staging line: {}", r.stderr))
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
fn sync_names_a_hand_edited_a_new_and_a_deleted_record_and_commits_them() {
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

    let staging = sync_staging(&env);
    for id in [&edited, new_id, &deleted] {
        assert!(staging.contains(&format!("tasks/{id}.yaml")), "{staging}");
    }
    for id in [&copied, &untouched] {
        assert!(
            !staging.contains(id.as_str()),
            "unchanged, not named: {staging}"
        );
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

    let staging = sync_staging(&env);
    assert!(
        staging.contains(&format!("\"tasks/{id}.yaml\""))
            && staging.contains(&format!("archive/tasks/{id}.yaml")),
        "{staging}"
    );
    assert_committed(&env, "moved into the archive");
    assert!(!tracked(&env, &format!("tasks/{id}.yaml")));
    assert!(tracked(&env, &format!("archive/tasks/{id}.yaml")));
}

/// A racy entry (modified in or after the second git wrote its index) is
/// named even though its size and mtime match the stamp: its content may
/// have changed within that time. Here the file is rewritten with the same
/// size and the same (future) mtime after `git add` recorded it.
#[test]
fn sync_names_a_racy_entry_whose_size_and_mtime_match() {
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

    let staging = sync_staging(&env);
    assert!(staging.contains(&format!("tasks/{id}.yaml")), "{staging}");
    assert_eq!(committed(&env, &format!("tasks/{id}.yaml")), text);
    assert_committed(&env, "racy entry");
}

/// An untracked file that is not a record (git alone knows whether it is
/// ignored): the whole folder is staged, as before.
#[test]
fn sync_stages_the_whole_folder_for_an_untracked_non_record_file() {
    let remote = Remote::new(1, false);
    let env = remote.clone();
    settled(&env);
    std::fs::write(env.ws().join("tasks/notes.txt"), "mine\n").unwrap();

    let staging = sync_staging(&env);
    assert!(staging.contains("the whole folder"), "{staging}");
    assert!(tracked(&env, "tasks/notes.txt"));
    assert_committed(&env, "a stray file");
}
