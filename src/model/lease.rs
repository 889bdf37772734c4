//! How long a claim holds: lease durations as people write them (`90s`, `30m`,
//! `2h`, `1d`). Leases are measured against the one clock (`Clock`), which
//! tests set so that they reach an expiry by moving time instead of waiting.

use chrono::Duration;

/// A claim's lease when neither `--lease` nor `claims.lease` says otherwise.
pub const DEFAULT_LEASE: &str = "2h";

/// What a lease must look like, for the message that refuses a bad one.
pub const LEASE_FORMAT: &str = "a duration such as 90s, 30m, 2h or 1d";

/// Parses `90s`, `30m`, `2h`, `1d` (a bare number is seconds); `None` when
/// `text` is no positive duration.
pub fn parse_lease(text: &str) -> Option<Duration> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: i64 = num.parse().ok()?;
    let unit_secs = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    let secs = n.checked_mul(unit_secs).filter(|s| *s > 0)?;
    Duration::try_seconds(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lease_units_parse_and_nonsense_is_refused() {
        assert_eq!(parse_lease("90s").unwrap().num_seconds(), 90);
        assert_eq!(parse_lease("30m").unwrap().num_seconds(), 1800);
        assert_eq!(parse_lease("2h").unwrap().num_seconds(), 7200);
        assert_eq!(parse_lease("45").unwrap().num_seconds(), 45);
        for bad in ["", "0s", "2x", "h", "-5m"] {
            assert!(parse_lease(bad).is_none(), "{bad}");
        }
    }
}
