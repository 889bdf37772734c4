//! CLI commands that ask a running watcher what changed (`ORCHESTRON_WATCHER=1`,
//! i.e. `manual`), over the real binary: `orchestron watch` (or the MCP server) serves its
//! file monitor on the workspace's socket; a command re-reads only what the
//! watcher names, and whenever it cannot use the answer — the watcher was
//! killed, a stale socket file, a socket that never answers, a token from
//! another watcher — it runs the full stat pass. Each answer is compared
//! with a full stat pass asked afterwards, and the debug log says which
//! refresh ran.

use crate::common::{BIN, Run, TestEnv};
use crate::watched::{Server, full_pass, retitle, summary, tasks};
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

/// A running `orchestron watch`.
struct Watcher {
    child: Child,
}

impl Watcher {
    /// Starts one and returns once it serves (it prints its line then).
    fn start(env: &TestEnv) -> Watcher {
        let mut child = env
            .command(BIN)
            .arg("watch")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn orchestron watch");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the watcher's line");
        assert!(line.starts_with("Watching "), "{line:?}");
        Watcher { child }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills it as a crash would: the socket file stays behind.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const ON: &[(&str, &str)] = &[
    ("ORCHESTRON_WATCHER", "1"),
    ("RUST_LOG", "orchestron=debug"),
    // These tests check what the watcher answers, not how fast: on a loaded
    // machine the 1 s default can lapse, the command then rightly falls back
    // to the stat pass, and the log no longer shows the watched refresh.
    ("ORCHESTRON_WATCHER_TIMEOUT_MS", "30000"),
];

/// `task list` with the watcher on: the tasks and the debug log.
fn list_on(env: &TestEnv, extra: &[(&str, &str)]) -> (Vec<(String, String, String)>, String) {
    let mut vars = ON.to_vec();
    vars.extend_from_slice(extra);
    let r: Run = env.run_with(&["task", "list", "--limit", "0", "--json"], &vars);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    (summary(&v["tasks"]), r.stderr)
}

fn socket(env: &TestEnv) -> std::path::PathBuf {
    env.ws().join("cache").join("watcher.sock")
}

#[test]
fn hand_edit_saved_just_before_a_cli_command_is_seen_by_it() {
    let env = TestEnv::new();
    let ids = tasks(&env, 3);
    let _w = Watcher::start(&env);
    let (first, log) = list_on(&env, &[]);
    assert_eq!(first, full_pass(&env));
    assert!(log.contains("first refresh from this watcher"), "{log}");
    for i in 0..100 {
        let id = &ids[i % ids.len()];
        let title = format!("edited by hand {i}");
        retitle(&env, id, &title);
        let r = env.run_with(&["task", "show", id, "--json"], ON);
        let task: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
        assert_eq!(
            task["title"],
            serde_json::json!(title),
            "try {i}: {}",
            r.stderr
        );
        assert!(
            r.stderr.contains("watched refresh: 1 changed paths"),
            "try {i}: {}",
            r.stderr
        );
    }
    // A file deleted and one created by hand are seen too.
    std::fs::remove_file(env.task_path(&ids[0])).expect("delete");
    let copy = env
        .read(&env.task_path(&ids[1]))
        .replace(&ids[1], "TASK-byhand");
    std::fs::write(env.task_path("TASK-byhand"), copy).expect("create");
    let (seen, log) = list_on(&env, &[]);
    assert!(log.contains("watched refresh: 2 changed paths"), "{log}");
    assert_eq!(seen, full_pass(&env));
    assert!(seen.iter().any(|(id, _, _)| id == "TASK-byhand"));
    assert!(!seen.iter().any(|(id, _, _)| *id == ids[0]));
    // Nothing changed: answered without a write, still the same tasks.
    let (again, log) = list_on(&env, &[]);
    assert!(log.contains("watched refresh: nothing changed"), "{log}");
    assert_eq!(again, seen);
}

#[test]
fn killed_watcher_leaves_a_stale_socket_and_commands_fall_back_to_the_stat_pass() {
    let env = TestEnv::new();
    let ids = tasks(&env, 3);
    let w = Watcher::start(&env);
    list_on(&env, &[]);
    w.kill();
    assert!(socket(&env).exists(), "a killed watcher leaves its socket");
    retitle(&env, &ids[1], "after the watcher died");
    let (seen, log) = list_on(&env, &[]);
    assert!(
        log.contains("full stat pass: a stale watcher socket"),
        "{log}"
    );
    assert_eq!(seen, full_pass(&env));
    assert!(seen.iter().any(|(_, t, _)| t == "after the watcher died"));
    let status = env.run_with(&["status"], ON).stdout;
    assert!(
        status.contains("Watcher: manual, none serving (a stale watcher socket"),
        "{status}"
    );
}

#[test]
fn socket_files_that_cannot_answer_mean_the_stat_pass() {
    let env = TestEnv::new();
    let ids = tasks(&env, 2);
    list_on(&env, &[]);
    // Not a socket at all.
    std::fs::write(socket(&env), "").expect("plain file");
    retitle(&env, &ids[0], "seen past a plain file");
    let (seen, log) = list_on(&env, &[]);
    assert!(log.contains("is not a socket"), "{log}");
    assert_eq!(seen, full_pass(&env));
    std::fs::remove_file(socket(&env)).expect("remove");
    // A socket that accepts but never answers: the command's timeout.
    let listener = std::os::unix::net::UnixListener::bind(socket(&env)).expect("bind");
    retitle(&env, &ids[1], "seen past a silent socket");
    let (seen, log) = list_on(&env, &[("ORCHESTRON_WATCHER_TIMEOUT_MS", "200")]);
    assert!(
        log.contains("full stat pass: reading the watcher's answer"),
        "{log}"
    );
    assert_eq!(seen, full_pass(&env));
    assert!(
        seen.iter()
            .any(|(_, t, _)| t == "seen past a silent socket")
    );
    // Nobody listening any more: a stale socket, which a new watcher replaces.
    drop(listener);
    let (_, log) = list_on(&env, &[]);
    assert!(log.contains("a stale watcher socket"), "{log}");
    let _w = Watcher::start(&env);
    let (_, log) = list_on(&env, &[]);
    assert!(log.contains("first refresh from this watcher"), "{log}");
}

#[test]
fn token_from_another_watcher_means_the_stat_pass() {
    let env = TestEnv::new();
    let ids = tasks(&env, 3);
    let first = Watcher::start(&env);
    list_on(&env, &[]);
    retitle(&env, &ids[0], "seen by the first watcher");
    let (_, log) = list_on(&env, &[]);
    assert!(log.contains("watched refresh: 1 changed paths"), "{log}");
    first.kill();
    let second = Watcher::start(&env);
    retitle(&env, &ids[2], "changed between the watchers");
    let (seen, log) = list_on(&env, &[]);
    assert!(
        log.contains(&format!(
            "full stat pass: the watcher (pid {}) says a token from another watcher",
            second.pid()
        )),
        "{log}"
    );
    assert_eq!(seen, full_pass(&env));
    assert!(
        seen.iter()
            .any(|(_, t, _)| t == "changed between the watchers")
    );
    // From then on the second watcher's own tokens are answered.
    retitle(&env, &ids[1], "seen by the second watcher");
    let (seen, log) = list_on(&env, &[]);
    assert!(log.contains("watched refresh: 1 changed paths"), "{log}");
    assert_eq!(seen, full_pass(&env));
}

#[test]
fn status_says_whether_a_watcher_serves_and_a_second_one_is_refused() {
    let env = TestEnv::new();
    tasks(&env, 1);
    let auto = env.ok(&["status"]);
    assert!(
        auto.contains("Watcher: auto, none serving now; a command starts one once the workspace holds 2000 tasks"),
        "{auto}"
    );
    let off = env
        .run_with(&["status"], &[("ORCHESTRON_WATCHER", "off")])
        .stdout;
    assert!(off.contains("Watcher: off"), "{off}");
    let w = Watcher::start(&env);
    for vars in [ON, &[]] {
        let on = env.run_with(&["status"], vars).stdout;
        assert!(
            on.contains(&format!("Watcher: pid {} serves CLI commands", w.pid())),
            "{on}"
        );
    }
    let not_used = env
        .run_with(&["status"], &[("ORCHESTRON_WATCHER", "0")])
        .stdout;
    assert!(
        not_used.contains(&format!(
            "Watcher: pid {} is serving; commands here do not use it",
            w.pid()
        )),
        "{not_used}"
    );
    let second = env.run(&["watch"]);
    assert_eq!(second.code, 5, "{}", second.stderr);
    assert!(
        second
            .stderr
            .contains(&format!("a watcher (pid {}) already serves", w.pid())),
        "{}",
        second.stderr
    );
}

#[test]
fn config_key_turns_it_on_and_the_env_variable_off() {
    let env = TestEnv::new();
    let ids = tasks(&env, 2);
    let config = env.ws().join("config.yaml");
    let text = env.read(&config);
    std::fs::write(&config, format!("{text}watcher: true\n")).expect("config");
    let _w = Watcher::start(&env);
    let debug = [("RUST_LOG", "orchestron=debug")];
    let r = env.run_with(&["task", "list"], &debug);
    assert!(
        r.stderr.contains("first refresh from this watcher"),
        "{}",
        r.stderr
    );
    retitle(&env, &ids[0], "by config");
    let r = env.run_with(&["task", "list"], &debug);
    assert!(
        r.stderr.contains("watched refresh: 1 changed paths"),
        "{}",
        r.stderr
    );
    let r = env.run_with(
        &["task", "list"],
        &[
            ("RUST_LOG", "orchestron=debug"),
            ("ORCHESTRON_WATCHER", "0"),
        ],
    );
    assert!(!r.stderr.contains("watcher"), "{}", r.stderr);
}

#[test]
fn mcp_server_serves_cli_commands_from_its_monitor() {
    let env = TestEnv::new();
    let ids = tasks(&env, 3);
    let mut server = Server::start(&env, &[]);
    assert_eq!(server.tasks(), full_pass(&env));
    list_on(&env, &[]);
    retitle(&env, &ids[2], "seen through the server's monitor");
    let (seen, log) = list_on(&env, &[]);
    assert!(log.contains("watched refresh: 1 changed paths"), "{log}");
    assert_eq!(seen, full_pass(&env));
    // The server itself still answers from the same monitor.
    retitle(&env, &ids[0], "and by the server");
    assert_eq!(server.tasks(), full_pass(&env));
    assert!(server.stderr().contains("serving CLI commands on"));
}

/// Stops our child `pid` (SIGSTOP) and returns once it is stopped: the
/// kernel tells a parent (`waitpid` with `WUNTRACED`) when the stop of every
/// thread is complete, so what it queues for the watcher meanwhile stays
/// queued.
fn pause(pid: u32) {
    let pid = pid as libc::pid_t;
    let mut status = 0;
    // SAFETY: kill(2) and waitpid(2) on the watcher this test started, with
    // a valid out-pointer; the stop status is ours to take (`Child` waits
    // only for an exit).
    let waited = unsafe {
        libc::kill(pid, libc::SIGSTOP);
        libc::waitpid(pid, &mut status, libc::WUNTRACED)
    };
    assert_eq!(waited, pid, "waiting for watcher {pid} to stop");
    assert!(libc::WIFSTOPPED(status), "watcher {pid} ended: {status:#x}");
}

/// Reads change nothing, and the watcher does not ask the kernel for them:
/// with the watcher stopped, a read of every record file in turn (so that no
/// event merges with the one before), twice as many reads as the kernel's
/// inotify queue holds, leaves the next command the watcher's answer, not an
/// overflow's stat pass.
#[test]
fn reads_of_record_files_past_the_kernel_queue_leave_the_watchers_answer() {
    let env = TestEnv::new();
    let ids = tasks(&env, 8);
    let w = Watcher::start(&env);
    let (first, _) = list_on(&env, &[]);
    let queue: usize = std::fs::read_to_string("/proc/sys/fs/inotify/max_queued_events")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(16_384);
    let paths: Vec<_> = ids.iter().map(|id| env.task_path(id)).collect();
    pause(w.pid());
    for i in 0..2 * queue {
        std::fs::read(&paths[i % paths.len()]).expect("read a task file");
    }
    // SAFETY: kill(2) of the watcher this test started.
    unsafe { libc::kill(w.pid() as libc::pid_t, libc::SIGCONT) };
    let (seen, log) = list_on(&env, &[]);
    assert!(log.contains("watched refresh: nothing changed"), "{log}");
    assert_eq!(seen, first);
    assert_eq!(seen, full_pass(&env));
}

/// The environment of a command that may start a watcher: `auto` at a
/// threshold of one task, an idle time of `idle`, the debug log.
fn auto(idle: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("ORCHESTRON_WATCHER", "auto"),
        ("ORCHESTRON_WATCHER_AUTO_TASKS", "1"),
        ("ORCHESTRON_WATCHER_IDLE", idle),
        ("RUST_LOG", "orchestron=debug"),
    ]
}

/// The pid of the watcher serving `env`, once one serves (deadline 20 s).
fn wait_for_watcher(env: &TestEnv) -> u32 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let status = env
            .run_with(&["status"], &[("ORCHESTRON_WATCHER", "off")])
            .stdout;
        let pid = status
            .lines()
            .find_map(|l| l.strip_prefix("Watcher: pid "))
            .and_then(|rest| rest.split(' ').next())
            .and_then(|p| p.parse().ok());
        if let Some(pid) = pid {
            return pid;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no watcher started: {status}"
        );
        // The poll interval of a condition with a deadline.
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn alive(pid: u32) -> bool {
    // SAFETY: kill(2) with signal 0 only checks that the process exists.
    unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
}

/// Waits (deadline 30 s) until process `pid` is gone; false if it never went.
fn gone_within_deadline(pid: u32) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while alive(pid) {
        if std::time::Instant::now() > deadline {
            return false;
        }
        // The poll interval of a condition with a deadline.
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    true
}

/// Stops a watcher a test started (the background one is not our child).
fn stop(pid: u32) {
    // SAFETY: plain kill(2) of the watcher this test caused to start.
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
    assert!(gone_within_deadline(pid));
}

#[test]
fn a_large_workspace_starts_a_watcher_that_the_next_command_uses() {
    let env = TestEnv::new();
    let ids = tasks(&env, 3);
    let vars = auto("30m");
    let (first, log) = list_on(&env, &vars);
    assert!(log.contains("full stat pass: no watcher socket"), "{log}");
    assert!(log.contains("started a watcher in the background"), "{log}");
    assert_eq!(first, full_pass(&env));
    let pid = wait_for_watcher(&env);
    // Reused by the next commands: the first one it answers gets
    // "everything" (the stored token is not its own), then only changes.
    list_on(&env, &vars);
    retitle(&env, &ids[1], "seen through the started watcher");
    let (seen, log) = list_on(&env, &vars);
    assert!(
        log.contains(&format!("watched refresh: 1 changed paths (pid {pid})")),
        "{log}"
    );
    assert!(!log.contains("started a watcher"), "{log}");
    assert_eq!(seen, full_pass(&env));
    let status = env.run_with(&["status"], &vars).stdout;
    assert!(
        status.contains(&format!("Watcher: pid {pid} serves CLI commands")),
        "{status}"
    );
    stop(pid);
}

#[test]
fn a_killed_started_watcher_means_the_stat_pass_with_the_same_answer() {
    let env = TestEnv::new();
    let ids = tasks(&env, 3);
    let vars = auto("30m");
    list_on(&env, &vars);
    let pid = wait_for_watcher(&env);
    list_on(&env, &vars);
    let (before, _) = list_on(&env, &vars);
    stop(pid);
    assert!(socket(&env).exists(), "a killed watcher leaves its socket");
    let (after, log) = list_on(&env, &vars);
    assert!(
        log.contains("full stat pass: a stale watcher socket"),
        "{log}"
    );
    assert_eq!(after, before);
    // A hand edit made while none serves is in the answer.
    retitle(&env, &ids[0], "while the watcher was dead");
    let (edited, _) = list_on(&env, &[("ORCHESTRON_WATCHER", "off")]);
    assert_eq!(edited, full_pass(&env));
    // The fallback started a new one: stop it too.
    let again = wait_for_watcher(&env);
    assert_ne!(again, pid);
    stop(again);
}

#[test]
fn a_started_watcher_exits_once_idle_and_removes_its_socket() {
    let env = TestEnv::new();
    tasks(&env, 2);
    list_on(&env, &auto("1s"));
    let pid = wait_for_watcher(&env);
    // No command asks it anything from now on.
    assert!(
        gone_within_deadline(pid),
        "the idle watcher {pid} did not exit"
    );
    assert!(!socket(&env).exists(), "an idle exit removes its socket");
}

#[test]
fn watcher_off_in_config_never_asks_or_starts_one() {
    let env = TestEnv::new();
    tasks(&env, 2);
    let config = env.ws().join("config.yaml");
    let text = env.read(&config);
    std::fs::write(&config, format!("{text}watcher: off\n")).expect("config");
    let vars: Vec<_> = auto("30m")
        .into_iter()
        .filter(|(k, _)| *k != "ORCHESTRON_WATCHER")
        .collect();
    for _ in 0..3 {
        let r = env.run_with(&["task", "list"], &vars);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(!r.stderr.contains("watcher"), "{}", r.stderr);
    }
    let status = env.run_with(&["status"], &vars).stdout;
    assert!(
        status.contains("Watcher: off (`watcher: off` in config.yaml"),
        "{status}"
    );
    assert!(!socket(&env).exists());
}
