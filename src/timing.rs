//! Phase timings for profiling, printed to stderr when `ORCHESTRON_TIMINGS` is
//! set (`ORCHESTRON_TIMINGS=1 orchestron task list`). Costs one env lookup per
//! process when off.

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
            let _ = writeln!(
                std::io::stderr(),
                "[timing] {name}: {:.2} ms (at {:.2} ms)",
                (now - last.get()).as_secs_f64() * 1e3,
                (now - origin()).as_secs_f64() * 1e3
            );
            last.set(now);
        }
    }
}
