//! The monitor on a real inotify watch: the barrier, losses, foreign
//! tokens, symbolic links, and the events the watches ask the kernel for.

use super::*;
use notify::{Event, EventKind};

const WAIT: Duration = Duration::from_secs(5);

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for kind in IdKind::ALL {
        std::fs::create_dir_all(dir.path().join(kind.dir())).unwrap();
    }
    dir
}

/// Feeds an event to the monitor as its watcher's thread would.
fn inject(m: &Monitor, event: notify::Result<Event>) {
    Handler {
        shared: Arc::clone(&m.shared),
        root: m.root.clone(),
        cookie_prefix: format!("cookie-{:x}-", m.instance),
    }
    .on_event(event);
}

#[test]
fn barrier_sees_a_write_made_just_before_the_question() {
    let dir = workspace();
    let m = Monitor::start(dir.path(), DEFAULT_LIMIT).unwrap();
    let (t, first) = m.since(None, WAIT);
    assert!(matches!(first, Changes::All(_)), "{first:?}");
    let (t, none) = m.since(Some(t), WAIT);
    assert_eq!(none, Changes::Paths(vec![]));
    std::fs::write(dir.path().join("tasks/TASK-a.yaml"), "id: TASK-a\n").unwrap();
    std::fs::write(dir.path().join("tasks/.TASK-a.yaml.tmp"), "x").unwrap();
    let (t, one) = m.since(Some(t), WAIT);
    assert_eq!(one, Changes::Paths(vec!["tasks/TASK-a.yaml".into()]));
    let (_, again) = m.since(Some(t), WAIT);
    assert_eq!(
        again,
        Changes::Paths(vec![]),
        "an answered change is not repeated"
    );
}

#[test]
fn watcher_error_and_overflow_make_every_older_token_look_at_everything() {
    let dir = workspace();
    let m = Monitor::start(dir.path(), DEFAULT_LIMIT).unwrap();
    let (t, _) = m.since(None, WAIT);
    inject(&m, Err(notify::Error::generic("injected")));
    let (t, after_error) = m.since(Some(t), WAIT);
    assert_eq!(
        after_error,
        Changes::All("the watcher failed: injected".into())
    );
    let (t, healed) = m.since(Some(t), WAIT);
    assert_eq!(healed, Changes::Paths(vec![]));
    inject(
        &m,
        Ok(Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan)),
    );
    let (_, after_overflow) = m.since(Some(t), WAIT);
    assert_eq!(
        after_overflow,
        Changes::All("the event queue overflowed".into())
    );
}

#[test]
fn tokens_from_another_monitor_or_the_future_are_not_trusted() {
    let dir = workspace();
    let m = Monitor::start(dir.path(), DEFAULT_LIMIT).unwrap();
    let (t, _) = m.since(None, WAIT);
    let foreign = Token {
        instance: t.instance ^ 1,
        epoch: t.epoch,
    };
    assert!(matches!(m.since(Some(foreign), WAIT).1, Changes::All(_)));
    let future = Token {
        instance: t.instance,
        epoch: t.epoch + 100,
    };
    assert!(matches!(m.since(Some(future), WAIT).1, Changes::All(_)));
    assert_eq!(
        "ab.7".parse::<Token>(),
        Ok(Token {
            instance: 0xab,
            epoch: 7
        })
    );
}

#[test]
fn symlinked_record_is_not_vouched_for() {
    let dir = workspace();
    let target = dir.path().join("elsewhere.yaml");
    std::fs::write(&target, "id: TASK-b\n").unwrap();
    let m = Monitor::start(dir.path(), DEFAULT_LIMIT).unwrap();
    let (t, _) = m.since(None, WAIT);
    std::os::unix::fs::symlink(&target, dir.path().join("tasks/TASK-b.yaml")).unwrap();
    let (t, linked) = m.since(Some(t), WAIT);
    assert_eq!(
        linked,
        Changes::All("a record file is a symbolic link".into())
    );
    std::fs::remove_file(dir.path().join("tasks/TASK-b.yaml")).unwrap();
    let (_, unlinked) = m.since(Some(t), WAIT);
    assert!(matches!(unlinked, Changes::Paths(_)), "{unlinked:?}");
}

/// The inotify watches of this process, from `/proc/self/fdinfo`: each
/// watched folder's inode number with the event mask it asks for.
fn inotify_watches() -> Vec<(u64, u32)> {
    let mut watches = Vec::new();
    for fd in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
        let is_inotify = std::fs::read_link(fd.path())
            .is_ok_and(|target| target.to_str() == Some("anon_inode:inotify"));
        // Another test's watch may close meanwhile: skip what is gone.
        let info =
            match std::fs::read_to_string(Path::new("/proc/self/fdinfo").join(fd.file_name())) {
                Ok(info) if is_inotify => info,
                _ => continue,
            };
        for line in info.lines().filter(|l| l.starts_with("inotify wd:")) {
            let field = |name: &str| {
                let value = line.split(' ').find_map(|f| f.strip_prefix(name)).unwrap();
                u64::from_str_radix(value, 16).unwrap()
            };
            watches.push((field("ino:"), field("mask:") as u32));
        }
    }
    watches
}

#[test]
fn watches_ask_the_kernel_for_no_reads_of_record_files() {
    use std::os::unix::fs::MetadataExt;
    const IN_ACCESS: u32 = 0x1;
    const IN_CLOSE_NOWRITE: u32 = 0x10;
    const IN_OPEN: u32 = 0x20;
    const IN_CLOSE_WRITE: u32 = 0x8;
    let dir = workspace();
    let m = Monitor::start(dir.path(), DEFAULT_LIMIT).unwrap();
    let mut folders = vec![dir.path().to_path_buf(), dir.path().join(COOKIE_DIR)];
    folders.extend(IdKind::ALL.iter().map(|k| dir.path().join(k.dir())));
    let watches = inotify_watches();
    for folder in &folders {
        let ino = std::fs::metadata(folder).unwrap().ino();
        let masks: Vec<u32> = watches
            .iter()
            .filter(|(i, _)| *i == ino)
            .map(|(_, mask)| *mask)
            .collect();
        assert!(
            !masks.is_empty(),
            "{} is not watched: {watches:x?}",
            folder.display()
        );
        for mask in masks {
            assert_eq!(
                mask & (IN_ACCESS | IN_CLOSE_NOWRITE | IN_OPEN),
                0,
                "{} asks for reads: mask {mask:#x}",
                folder.display()
            );
            assert_ne!(
                mask & IN_CLOSE_WRITE,
                0,
                "an editor's save ends with a close after a write"
            );
        }
    }
    drop(m);
}
