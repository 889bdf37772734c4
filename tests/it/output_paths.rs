//! A path the user names for output (`board --html FILE`) is written the way
//! a shell's `>` would write it: a new path or a regular file is replaced
//! atomically, while a symbolic link, a FIFO or a device is written through —
//! never replaced by a regular file — and `-` means stdout.

use crate::common::TestEnv;
use std::os::unix::fs::FileTypeExt;

fn example_task(env: &TestEnv) {
    env.create(&["Ship the named-output page"]);
}

#[test]
fn board_html_writes_through_a_symlink_and_keeps_the_link() {
    let env = TestEnv::new();
    example_task(&env);
    let target = env.path().join("target.html");
    std::fs::write(&target, "old").unwrap();
    let link = env.path().join("link.html");
    std::os::unix::fs::symlink("target.html", &link).unwrap();
    env.ok(&["board", "--html", link.to_str().unwrap()]);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    let page = env.read(&target);
    assert!(page.contains("Ship the named-output page"), "{page:.200}");
}

#[test]
fn board_html_writes_into_a_fifo_instead_of_replacing_it() {
    let env = TestEnv::new();
    example_task(&env);
    let fifo = env.path().join("board.fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // The reader blocks in open until the writer opens the FIFO.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    env.ok(&["board", "--html", fifo.to_str().unwrap()]);
    // Checked before joining: a FIFO replaced by a file would leave the
    // reader waiting for a writer forever.
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO was replaced"
    );
    let page = reader.join().unwrap();
    assert!(page.contains("Ship the named-output page"), "{page:.200}");
}

#[test]
fn board_html_to_a_device_writes_to_it() {
    let env = TestEnv::new();
    example_task(&env);
    // `/dev/fd/1` is the process's stdout (here a pipe), reached through a
    // link, like `/dev/stdout`.
    let r = env.run(&["board", "--html", "/dev/fd/1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("<!doctype html>"), "{:.200}", r.stdout);
    let r = env.run(&["board", "--html", "-"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("<!doctype html>"), "{:.200}", r.stdout);
}

#[test]
fn board_html_replaces_a_regular_file_and_refuses_a_directory_as_input() {
    let env = TestEnv::new();
    example_task(&env);
    let file = env.path().join("board.html");
    std::fs::write(&file, "old").unwrap();
    env.ok(&["board", "--html", file.to_str().unwrap()]);
    assert!(env.read(&file).contains("Ship the named-output page"));
    let dir = env.path().join("pages");
    std::fs::create_dir(&dir).unwrap();
    let r = env.run(&["board", "--html", dir.to_str().unwrap()]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("pages"), "{}", r.stderr);
    assert!(dir.is_dir());
}
