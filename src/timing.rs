//! Phase timings for profiling, printed to stderr when `ORCHESTRON_TIMINGS` is
//! set (`ORCHESTRON_TIMINGS=1 orchestron task list`): each phase's wall time,
//! the time since the process started and (on unix) the CPU time so far, user
//! and system, of this process and of the children it has waited for (the
//! `git` processes a command runs). Costs one env lookup per process when off.

use std::io::Write;
use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("ORCHESTRON_TIMINGS").is_some())
}

/// The process start as far as we can tell (the first call).
fn origin() -> Instant {
    static T0: OnceLock<Instant> = OnceLock::new();
    *T0.get_or_init(Instant::now)
}

/// Marks the process start; call first thing in `main`.
pub fn init() {
    if enabled() {
        origin();
    }
}

/// A stopwatch over consecutive phases.
pub struct Phase(Option<std::cell::Cell<Instant>>);

impl Phase {
    pub fn start() -> Phase {
        Phase(enabled().then(|| std::cell::Cell::new(Instant::now())))
    }

    /// Prints the time since the last lap (and since process start) under `name`.
    pub fn lap(&self, name: &str) {
        if let Some(last) = &self.0 {
            let now = Instant::now();
            // Ignored if stderr is closed: timings must never fail a command.
            let cpu = cpu_ms().map_or_else(String::new, |ms| format!(", cpu {ms:.1} ms"));
            let _ = writeln!(
                std::io::stderr(),
                "[timing] {name}: {:.2} ms (at {:.2} ms{cpu})",
                (now - last.get()).as_secs_f64() * 1e3,
                (now - origin()).as_secs_f64() * 1e3
            );
            last.set(now);
        }
    }
}

/// User + system CPU time so far of this process and its waited-for
/// children, in ms.
#[cfg(unix)]
fn cpu_ms() -> Option<f64> {
    let mut total = 0.0;
    for who in [libc::RUSAGE_SELF, libc::RUSAGE_CHILDREN] {
        // SAFETY: a zeroed rusage is a valid value for getrusage to fill.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `usage` is a valid, writable rusage for the whole call.
        if unsafe { libc::getrusage(who, &mut usage) } != 0 {
            return None;
        }
        for t in [usage.ru_utime, usage.ru_stime] {
            total += t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
        }
    }
    Some(total)
}

#[cfg(not(unix))]
fn cpu_ms() -> Option<f64> {
    None
}
