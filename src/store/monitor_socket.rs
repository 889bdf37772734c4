//! The local socket through which a long-running process lends its file
//! [`Monitor`] to short-lived ones: a CLI command asks "what changed since
//! token T" and gets the monitor's answer, behind the monitor's own barrier,
//! so it re-reads only those paths instead of stat'ing every record file (the
//! way git asks its `core.fsmonitor` hook). Any process holding a monitor can
//! serve it (`orchestron watch`, the MCP server); one serves each workspace.
//!
//! The socket is `cache/watcher.sock` in the workspace (or, when that path is
//! too long for a Unix socket address, `$XDG_RUNTIME_DIR/orchestron-<hash>.sock`),
//! mode 0600. A client trusts it only when the socket file belongs to its own
//! user *and* the process on the other end runs as that user (`SO_PEERCRED`);
//! the server answers only peers of its own user. The wire format is a few
//! lines of text, one request per connection:
//!
//! ```text
//! → orchestron-watch 1 since <token|->      (or: orchestron-watch 1 hello)
//! ← orchestron-watch 1
//! ← pid <pid>
//! ← root <workspace folder>
//! ← token <instance.epoch>                  (since only)
//! ← all <why>  |  paths <n>, then n lines of record paths
//! ```
//!
//! Anything the client cannot vouch for — no socket, a stale one (nobody
//! listening), another user's, another workspace's, a timeout, a reply it
//! cannot read — is an [`Unanswered`] with the reason, and the caller runs the
//! full stat pass.

use super::StoreError;
use super::monitor::{Changes, Monitor, Token};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// The first line of every request and reply.
const MAGIC: &str = "orchestron-watch 1";

/// The longest socket path a `sockaddr_un` holds (108 bytes with its NUL).
const MAX_SOCKET_PATH: usize = 107;

/// How long the server waits for a request line, and how long it takes a
/// stuck peer to stop costing it a thread.
const SERVER_IO_TIMEOUT: Duration = Duration::from_secs(2);

/// The socket of the workspace at `root` (the canonical workspace folder).
pub fn socket_path(root: &Path) -> PathBuf {
    let inside = root.join("cache").join("watcher.sock");
    if inside.as_os_str().len() <= MAX_SOCKET_PATH {
        return inside;
    }
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => {
            PathBuf::from(dir).join(format!("orchestron-{:016x}.sock", fnv1a(root.as_os_str())))
        }
        // Binding fails with a clear error; clients find no watcher.
        None => inside,
    }
}

fn fnv1a(s: &std::ffi::OsStr) -> u64 {
    use std::os::unix::ffi::OsStrExt;
    s.as_bytes().iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Why a client did not get an answer it can use (for a debug log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered(pub String);

impl std::fmt::Display for Unanswered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A watcher's answer to "what changed since T".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The serving process.
    pub pid: u32,
    pub token: Token,
    pub changes: Changes,
}

/// Asks the watcher of `root` what changed since `since`, waiting at most
/// `timeout` for each step.
pub fn ask_since(
    root: &Path,
    since: Option<Token>,
    timeout: Duration,
) -> Result<Answer, Unanswered> {
    let since = since.map_or("-".to_string(), |t| t.to_string());
    let mut reply = exchange(root, &format!("since {since}"), timeout)?;
    let token = reply
        .field("token")?
        .parse::<Token>()
        .map_err(|()| Unanswered("the watcher sent a malformed token".into()))?;
    let changes = match reply.next()? {
        Some(line) if line.starts_with("all ") => Changes::All(line[4..].to_string()),
        Some(line) if line.starts_with("paths ") => {
            let n: usize = line[6..]
                .parse()
                .map_err(|_| Unanswered("the watcher sent a malformed count".into()))?;
            let mut paths = Vec::with_capacity(n.min(1 << 16));
            for _ in 0..n {
                match reply.next()? {
                    Some(p) => paths.push(p),
                    None => return Err(Unanswered("the watcher's answer was cut short".into())),
                }
            }
            Changes::Paths(paths)
        }
        _ => return Err(Unanswered("the watcher sent no changes".into())),
    };
    Ok(Answer {
        pid: reply.pid,
        token,
        changes,
    })
}

/// The pid of the process serving `root`'s socket, or why there is none.
pub fn serving_pid(root: &Path, timeout: Duration) -> Result<u32, Unanswered> {
    Ok(exchange(root, "hello", timeout)?.pid)
}

/// A reply read line by line, its header checked.
struct Reply {
    lines: std::io::Lines<BufReader<UnixStream>>,
    pid: u32,
}

impl Reply {
    fn next(&mut self) -> Result<Option<String>, Unanswered> {
        self.lines
            .next()
            .transpose()
            .map_err(|e| Unanswered(format!("reading the watcher's answer: {e}")))
    }

    /// The value of the next line, which must be `<key> <value>`.
    fn field(&mut self, key: &str) -> Result<String, Unanswered> {
        match self.next()? {
            Some(line) => match line.split_once(' ') {
                Some((k, v)) if k == key => Ok(v.to_string()),
                _ => Err(Unanswered(format!("the watcher sent no {key}"))),
            },
            None => Err(Unanswered(format!("the watcher sent no {key}"))),
        }
    }
}

/// Connects (checking who is on the other end), sends one request and reads
/// the reply's header.
fn exchange(root: &Path, request: &str, timeout: Duration) -> Result<Reply, Unanswered> {
    let path = socket_path(root);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Unanswered("no watcher is serving this workspace".into()));
        }
        Err(e) => return Err(Unanswered(format!("{}: {e}", path.display()))),
    };
    let uid = current_uid();
    if !meta.file_type().is_socket() {
        return Err(Unanswered(format!("{} is not a socket", path.display())));
    }
    if meta.uid() != uid {
        return Err(Unanswered(format!(
            "{} belongs to another user (uid {})",
            path.display(),
            meta.uid()
        )));
    }
    let stream = UnixStream::connect(&path)
        .map_err(|e| Unanswered(format!("a stale watcher socket ({}: {e})", path.display())))?;
    match peer_uid(&stream) {
        Some(peer) if peer == uid => {}
        Some(peer) => {
            return Err(Unanswered(format!(
                "the watcher runs as another user (uid {peer})"
            )));
        }
        None => return Err(Unanswered("cannot tell who the watcher runs as".into())),
    }
    let io = |e: std::io::Error| Unanswered(format!("talking to the watcher: {e}"));
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    (&stream)
        .write_all(format!("{MAGIC} {request}\n").as_bytes())
        .map_err(io)?;
    let mut reply = Reply {
        lines: BufReader::new(stream).lines(),
        pid: 0,
    };
    if reply.next()?.as_deref() != Some(MAGIC) {
        return Err(Unanswered(
            "the watcher speaks another protocol version".into(),
        ));
    }
    reply.pid = reply
        .field("pid")?
        .parse()
        .map_err(|_| Unanswered("the watcher sent a malformed pid".into()))?;
    let served = reply.field("root")?;
    if Path::new(&served) != root {
        return Err(Unanswered(format!(
            "the socket's watcher serves another workspace ({served})"
        )));
    }
    Ok(reply)
}

/// A running socket server; dropping it stops the server and removes the
/// socket file (if it is still ours).
pub struct MonitorServer {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    inode: u64,
    /// When the server started, and the milliseconds after that of the
    /// last connection from a client of ours (an idle watcher exits).
    started: std::time::Instant,
    last_asked_ms: Arc<AtomicU64>,
    /// The listening socket itself (a second handle on it), shut down to wake
    /// the accept loop: a connect to `path` could reach another server that
    /// has since taken the name, or nothing, and leave the loop blocked.
    listener: UnixListener,
}

impl std::fmt::Debug for MonitorServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonitorServer")
            .field("path", &self.path)
            .finish()
    }
}

impl MonitorServer {
    /// Serves `monitor` for the workspace at `root` on its socket. A live
    /// server already there is an error naming its pid; a stale socket file
    /// is replaced. Each answer waits at most `barrier` for the monitor's
    /// cookie.
    pub fn start(
        monitor: Arc<Monitor>,
        root: &Path,
        barrier: Duration,
    ) -> Result<MonitorServer, StoreError> {
        let path = socket_path(root);
        if let Ok(pid) = serving_pid(root, Duration::from_secs(1)) {
            return Err(StoreError::WatcherServing { socket: path, pid });
        }
        let dir = path.parent().unwrap_or(root);
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
        // Bound under a private name, narrowed to 0600, then renamed into
        // place: nobody can connect before the mode is set.
        let staging = dir.join(format!(".watcher-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&staging);
        let listener = UnixListener::bind(&staging).map_err(|e| StoreError::io(&staging, e))?;
        let placed = std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o600))
            .and_then(|()| std::fs::rename(&staging, &path));
        if let Err(e) = placed {
            let _ = std::fs::remove_file(&staging);
            return Err(StoreError::io(&path, e));
        }
        let inode = std::fs::symlink_metadata(&path)
            .map_err(|e| StoreError::io(&path, e))?
            .ino();
        let stop = Arc::new(AtomicBool::new(false));
        let started = std::time::Instant::now();
        let last_asked_ms = Arc::new(AtomicU64::new(0));
        let serving = Serving {
            monitor,
            root: root.to_string_lossy().into_owned(),
            barrier,
            uid: current_uid(),
            started,
            last_asked_ms: Arc::clone(&last_asked_ms),
        };
        let stopped = Arc::clone(&stop);
        let waker = listener.try_clone().map_err(|e| StoreError::io(&path, e))?;
        let thread = std::thread::Builder::new()
            .name("watcher-socket".into())
            .spawn(move || serving.accept_loop(&listener, &stopped))
            .map_err(|e| StoreError::io(&path, e))?;
        tracing::debug!("serving the file monitor on {}", path.display());
        Ok(MonitorServer {
            path,
            stop,
            thread: Some(thread),
            inode,
            started,
            last_asked_ms,
            listener: waker,
        })
    }

    /// The socket file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long since a client last connected (since the start, if none has).
    pub fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_asked_ms.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }
}

impl Drop for MonitorServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees the flag: on Linux a
        // blocked accept() on a listening socket that is shut down returns
        // at once (EINVAL), whoever holds the socket's name by now.
        let _ = socket2::SockRef::from(&self.listener).shutdown(std::net::Shutdown::Both);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let ours = std::fs::symlink_metadata(&self.path).is_ok_and(|m| m.ino() == self.inode);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// What the server thread holds.
struct Serving {
    monitor: Arc<Monitor>,
    root: String,
    barrier: Duration,
    uid: u32,
    started: std::time::Instant,
    last_asked_ms: Arc<AtomicU64>,
}

impl Serving {
    fn accept_loop(self, listener: &UnixListener, stop: &AtomicBool) {
        let serving = Arc::new(self);
        for conn in listener.incoming() {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = conn else { continue };
            if peer_uid(&stream) != Some(serving.uid) {
                tracing::debug!("refused a watcher client of another user");
                continue;
            }
            let now_ms = u64::try_from(serving.started.elapsed().as_millis()).unwrap_or(u64::MAX);
            serving.last_asked_ms.store(now_ms, Ordering::Relaxed);
            // One thread per client: a slow or stuck client never delays another.
            let s = Arc::clone(&serving);
            let spawned = std::thread::Builder::new()
                .name("watcher-client".into())
                .spawn(move || {
                    if let Err(e) = s.answer(stream) {
                        tracing::debug!("a watcher client went away: {e}");
                    }
                });
            if let Err(e) = spawned {
                tracing::debug!("cannot answer a watcher client: {e}");
            }
        }
    }

    fn answer(&self, stream: UnixStream) -> std::io::Result<()> {
        stream.set_read_timeout(Some(SERVER_IO_TIMEOUT))?;
        stream.set_write_timeout(Some(SERVER_IO_TIMEOUT))?;
        let mut line = String::new();
        BufReader::new(&stream).take(256).read_line(&mut line)?;
        let request = line
            .trim_end()
            .strip_prefix(MAGIC)
            .map(str::trim_start)
            .unwrap_or("");
        let mut out = format!("{MAGIC}\npid {}\nroot {}\n", std::process::id(), self.root);
        if let Some(since) = request.strip_prefix("since ") {
            // A token we cannot read is one we cannot answer: "everything".
            let since = since.parse::<Token>().ok();
            let (token, changes) = self.monitor.since(since, self.barrier);
            out.push_str(&format!("token {token}\n"));
            match changes {
                Changes::All(why) => out.push_str(&format!("all {}\n", why.replace('\n', " "))),
                Changes::Paths(paths) => {
                    out.push_str(&format!("paths {}\n", paths.len()));
                    for p in paths {
                        out.push_str(&p);
                        out.push('\n');
                    }
                }
            }
        } else if request != "hello" {
            return Ok(());
        }
        (&stream).write_all(out.as_bytes())
    }
}

fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// The uid of the process on the other end (`SO_PEERCRED`).
fn peer_uid(stream: &UnixStream) -> Option<u32> {
    use std::os::fd::AsRawFd;
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: the fd is a live socket owned by `stream`; `cred` and `len`
    // are valid for writes of the sizes given.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    (rc == 0).then_some(cred.uid)
}

/// Whether a watcher's socket file is there (a cheap hint before connecting:
/// no socket, nobody serves).
pub fn socket_exists(root: &Path) -> bool {
    socket_path(root).exists()
}

/// Starts `orchestron watch --background` for the workspace at `root`,
/// detached: its own process group (a Ctrl-C at the terminal does not reach
/// it), no standard streams, not waited for. A failure only means the next
/// command stats every file again.
pub fn spawn_background_watcher(root: &Path) {
    use std::os::unix::process::CommandExt;
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let started = std::process::Command::new(exe)
        .arg("--root")
        .arg(root)
        .args(["watch", "--background"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn();
    match started {
        Ok(child) => tracing::debug!("started a watcher in the background (pid {})", child.id()),
        Err(e) => tracing::debug!("could not start a watcher: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IdKind;

    /// Guards the hang seen when two servers of one workspace were dropped
    /// in turn: the first one's wake-up connect found the name gone (the
    /// other had removed it) and its accept loop never returned, so `drop`
    /// waited forever. Dropping must return whatever became of the name.
    #[test]
    fn dropping_a_server_whose_socket_name_is_gone_returns() {
        let dir = tempfile::tempdir().unwrap();
        for kind in IdKind::ALL {
            std::fs::create_dir_all(dir.path().join(kind.dir())).unwrap();
        }
        let monitor = Arc::new(Monitor::start(dir.path(), super::super::DEFAULT_LIMIT).unwrap());
        let server = MonitorServer::start(monitor, dir.path(), Duration::from_secs(5)).unwrap();
        std::fs::remove_file(server.path()).unwrap();
        let (done, dropped) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            drop(server);
            let _ = done.send(());
        });
        dropped
            .recv_timeout(Duration::from_secs(30))
            .expect("drop of the server returned");
    }
}
