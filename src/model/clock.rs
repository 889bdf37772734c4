//! The one wall clock every record and claim time is read from: the system
//! clock, or — for tests and reproductions — a clock set to an instant given
//! from outside (`ORCHESTRON_NOW`, read by each adapter at its edge, never
//! here). Model functions take `now` as an argument; `api::Orchestron` holds a
//! `Clock` and every use-case asks it.
//!
//! A set clock starts at its instant and moves one millisecond each time it is
//! read, so a process's readings keep their order and never tie (two context
//! snapshots saved by one process are still "earlier" and "later"), while the
//! result stays the same on every run: it depends on how often the clock was
//! read, not on how fast the machine was. Seconds-resolution readings stay on
//! the instant for the first thousand readings of a process.
//!
//! Timeouts and back-off use `std::time::Instant`, and file-system freshness
//! (mtimes against the time of a refresh) uses the system clock: neither is a
//! record time.

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Where record and lease times come from. Cheap to clone; clones of a set
/// clock share its position.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<SetClock>);

#[derive(Debug, Clone)]
struct SetClock {
    start: DateTime<Utc>,
    /// Readings so far: the next reading is `start` plus this many milliseconds.
    readings: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(None)
    }

    /// A clock set to `start` (see the module comment for how it moves).
    pub fn set_to(start: DateTime<Utc>) -> Self {
        Clock(Some(SetClock {
            start,
            readings: Arc::new(AtomicI64::new(0)),
        }))
    }

    /// The clock an override asks for: `Some` RFC 3339 text sets it (the value of
    /// `ORCHESTRON_NOW`, which an adapter reads once at its edge), `None` or text
    /// that is no RFC 3339 time leaves the system clock.
    pub fn from_override(text: Option<&str>) -> Self {
        text.and_then(|v| DateTime::parse_from_rfc3339(v.trim()).ok())
            .map_or_else(Self::system, |t| Self::set_to(t.with_timezone(&Utc)))
    }

    /// Whether the clock was set rather than following the system clock.
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// The current time in whole seconds: records store RFC 3339 UTC without
    /// fractions so that files stay short and diffs stay readable.
    pub fn now(&self) -> DateTime<Utc> {
        self.read().trunc_subsecs(0)
    }

    /// The current time to the millisecond, for context snapshots and the
    /// change feed: a session may save a snapshot and a handoff within one
    /// second, and "the latest" must still be well defined (their files are
    /// never rewritten, so the extra digits cost no diff noise).
    pub fn now_millis(&self) -> DateTime<Utc> {
        self.read().trunc_subsecs(3)
    }

    fn read(&self) -> DateTime<Utc> {
        match &self.0 {
            None => Utc::now(),
            Some(set) => {
                let n = set.readings.fetch_add(1, Ordering::Relaxed);
                set.start + TimeDelta::milliseconds(n)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_set_clock_starts_at_its_instant_and_moves_a_millisecond_per_reading() {
        let clock = Clock::from_override(Some(" 2030-01-01T00:00:00Z "));
        assert!(clock.is_set());
        assert_eq!(clock.now(), at("2030-01-01T00:00:00Z"));
        assert_eq!(clock.now_millis(), at("2030-01-01T00:00:00.001Z"));
        let shared = clock.clone();
        assert_eq!(shared.now_millis(), at("2030-01-01T00:00:00.002Z"));
        assert_eq!(clock.now_millis(), at("2030-01-01T00:00:00.003Z"));
        // Whole seconds stay on the instant until a thousand readings pass.
        assert_eq!(clock.now(), at("2030-01-01T00:00:00Z"));
    }

    #[test]
    fn no_override_or_a_bad_one_is_the_system_clock() {
        for text in [None, Some(""), Some("tomorrow"), Some("2030-01-01")] {
            let clock = Clock::from_override(text);
            assert!(!clock.is_set(), "{text:?}");
            let before = Utc::now().trunc_subsecs(0);
            let read = clock.now();
            assert!(read >= before && read <= Utc::now(), "{text:?}: {read}");
        }
    }
}
