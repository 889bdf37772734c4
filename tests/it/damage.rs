//! A damaged cache and writes that fail part-way. The cache file truncated or
//! filled with garbage, its WAL deleted, its folder unusable: each is detected
//! and rebuilt or reported, never trusted. A write cut short by a file-size
//! limit (RLIMIT_FSIZE, what a full disk does to a write): a clear error, the
//! old file intact, nothing half-written in the index.

use crate::common::{BIN, TestEnv, answers, assert_index_equals_a_fresh_rebuild, to_run};
use std::os::unix::process::CommandExt;

/// A few tasks with notes, a dependency and a DONE one.
fn backlog(env: &TestEnv) -> Vec<String> {
    let a = env.create(&["Alpha", "--priority", "high"]);
    let b = env.create(&["Beta", "--depends-on", &a]);
    let c = env.create(&["Gamma"]);
    env.ok(&["task", "update", &a, "--note", "first", "--status", "done"]);
    env.ok(&["task", "clarify", &b, "only on weekdays"]);
    vec![a, b, c]
}

/// The file that holds the cache now: the generation the pointer names
/// (see `index::generation`), or the configured file before the first one.
fn db(env: &TestEnv) -> std::path::PathBuf {
    let base = env.ws().join("cache/index.sqlite");
    match std::fs::read_to_string(env.ws().join("cache/index.current.sqlite")) {
        Ok(name) => base.with_file_name(name.trim_end()),
        Err(_) => base,
    }
}

/// Damages the cache with `damage`, then the next command must answer what
/// it answered before (from a rebuilt cache).
fn survives(damage: impl FnOnce(&TestEnv)) {
    let env = TestEnv::new();
    backlog(&env);
    let before = answers(&env);
    damage(&env);
    let after = answers(&env);
    assert_eq!(after, before, "the damaged cache was trusted");
    assert_index_equals_a_fresh_rebuild(&env);
}

/// Cuts the cache file to `new_len(its length)` bytes.
fn cut(env: &TestEnv, new_len: impl Fn(u64) -> u64) {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(db(env))
        .unwrap();
    f.set_len(new_len(f.metadata().unwrap().len())).unwrap();
}

#[test]
fn a_truncated_cache_is_detected_and_rebuilt() {
    survives(|env| cut(env, |len| len / 2));
}

#[test]
fn a_cache_cut_to_its_header_is_detected_and_rebuilt() {
    survives(|env| cut(env, |_| 100));
}

#[test]
fn a_cache_full_of_garbage_is_detected_and_rebuilt() {
    survives(|env| {
        let mut rng = crate::rng::Rng(7);
        let garbage: Vec<u8> = (0..64 * 1024).map(|_| rng.next() as u8).collect();
        std::fs::write(db(env), garbage).unwrap();
    });
}

#[test]
fn a_cache_with_garbage_past_its_header_is_detected_and_rebuilt() {
    survives(|env| {
        let mut bytes = std::fs::read(db(env)).unwrap();
        let mut rng = crate::rng::Rng(11);
        for b in bytes.iter_mut().skip(100) {
            *b = rng.next() as u8;
        }
        std::fs::write(db(env), bytes).unwrap();
    });
}

#[test]
fn a_deleted_wal_is_healed_by_the_next_command() {
    let env = TestEnv::new();
    backlog(&env);
    // The last writes' commits live only in the WAL (it is kept between
    // processes and checkpointed every 256 pages).
    let id = env.create(&["Delta"]);
    env.ok(&["task", "update", &id, "--note", "in the wal"]);
    for suffix in ["-wal", "-shm"] {
        let mut p = db(&env).into_os_string();
        p.push(suffix);
        let p = std::path::PathBuf::from(p);
        assert!(p.exists(), "{suffix} kept between processes");
        std::fs::remove_file(p).unwrap();
    }
    let shown = env.json(&["task", "show", &id]);
    assert_eq!(shown["notes"][0]["text"], "in the wal", "{shown}");
    let list = env.json(&["task", "list", "--limit", "0"]);
    assert_eq!(list["tasks"].as_array().unwrap().len(), 4, "{list}");
    assert_index_equals_a_fresh_rebuild(&env);
}

#[test]
fn an_unusable_cache_folder_is_reported_and_the_records_are_untouched() {
    let env = TestEnv::new();
    let ids = backlog(&env);
    let record = env.read(&env.task_path(&ids[0]));
    let cache = env.ws().join("cache");
    std::fs::remove_dir_all(&cache).unwrap();
    // A file where the cache folder belongs: nothing can be created in it,
    // whoever runs the command (a mode would not stop root).
    std::fs::write(&cache, "not a folder").unwrap();
    let r = env.run(&["task", "list"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stderr.contains("cache") && !r.stderr.contains("panicked"),
        "{}",
        r.stderr
    );
    assert_eq!(env.read(&env.task_path(&ids[0])), record);
    std::fs::remove_file(&cache).unwrap();
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

/// Runs `orchestron args` with files limited to `limit` bytes; SIGXFSZ is
/// ignored, so a write past the limit fails with EFBIG as on a full disk.
fn run_limited(env: &TestEnv, args: &[&str], limit: u64) -> crate::common::Run {
    let mut cmd = env.command(BIN);
    cmd.args(args);
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    to_run(cmd.output().expect("run orchestron"))
}

#[test]
fn a_write_cut_short_by_a_file_size_limit_keeps_the_old_file_and_index() {
    let env = TestEnv::new();
    let ids = backlog(&env);
    let path = env.task_path(&ids[2]);
    let description = "long words ".repeat(4000);
    let mut failed = 0;
    // From "nothing can grow" up to limits the record fits under but the
    // index may not: every outcome must be all or nothing.
    for limit in [0, 512, 4096, 16 * 1024, 48 * 1024, 1 << 20] {
        let old = env.read(&path);
        let text = format!("{limit}: {description}");
        let r = run_limited(
            &env,
            &["task", "update", &ids[2], "--description", &text],
            limit,
        );
        assert!(!r.stderr.contains("panicked"), "{limit}: {}", r.stderr);
        let now = env.read(&path);
        if r.code == 0 {
            assert!(now.contains(&text[..20]), "{limit}: success but no change");
        } else {
            failed += 1;
            assert_eq!(now, old, "{limit}: the old file must be intact");
            // It names the file it could not write and why (the record's
            // EFBIG, or SQLite's I/O error on the cache).
            assert!(
                r.stderr.contains(".orchestron/")
                    && (r.stderr.contains("File too large") || r.stderr.contains("disk I/O error")),
                "{limit}: a clear error: {}",
                r.stderr
            );
        }
        let hidden: Vec<_> = std::fs::read_dir(env.ws().join("tasks"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(hidden.is_empty(), "{limit}: a temporary file was left");
        // Without the limit the next command sees exactly the file.
        let shown = env.json(&["task", "show", &ids[2]]);
        let in_index = shown["description"].as_str().unwrap_or_default();
        assert_eq!(
            in_index.starts_with(&format!("{limit}: ")),
            r.code == 0,
            "{limit}: the index disagrees with the file"
        );
        assert_index_equals_a_fresh_rebuild(&env);
    }
    assert!(failed >= 3, "the small limits must fail ({failed} failed)");
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}
