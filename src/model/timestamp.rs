//! Reading a record's timestamps: chrono's own `Deserialize`, with the one
//! shape the renderer writes (`2026-11-24T16:02:11Z`, with 1 to 9 digits of
//! fraction or none) read from its digits first. chrono's RFC 3339 parser
//! took a twelfth of a rebuild's parsing (it is general: offsets, spaces,
//! signed years). Anything else — and any shape whose digits make no time,
//! or a leap second — goes to chrono, so what is accepted, its value and
//! every error are chrono's (`tests` compares the two on generated text).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, de};
use std::fmt;

/// `deserialize_with` for a `DateTime<Utc>` field.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    d.deserialize_str(Rfc3339)
}

/// `deserialize_with` for an `Option<DateTime<Utc>>` field: serde's own
/// `Option` handling around [`deserialize`].
pub(crate) fn deserialize_option<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(Option::<Timestamp>::deserialize(d)?.map(|t| t.0))
}

struct Timestamp(DateTime<Utc>);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize(d).map(Timestamp)
    }
}

/// chrono's `DateTimeVisitor` (its `expecting` word for word), with the
/// renderer's shape tried first.
struct Rfc3339;

impl de::Visitor<'_> for Rfc3339 {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<DateTime<Utc>, E> {
        if let Some(t) = rendered(value) {
            return Ok(t);
        }
        value
            .parse::<DateTime<FixedOffset>>()
            .map(|t| t.with_timezone(&Utc))
            .map_err(E::custom)
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` as the instant it names, when it names
/// one that is not a leap second; `None` sends the text to chrono.
fn rendered(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() < 20 || b[b.len() - 1] != b'Z' {
        return None;
    }
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let nano = match &b[19..b.len() - 1] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            // At most 9 digits: the exponent is 0 to 8.
            number(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let second = number(&b[17..19])?;
    if second >= 60 {
        return None;
    }
    // Four digits: the year fits an i32.
    let year = number(&b[0..4])? as i32;
    let date = NaiveDate::from_ymd_opt(year, number(&b[5..7])?, number(&b[8..10])?)?;
    let time = date.and_hms_nano_opt(number(&b[11..13])?, number(&b[14..16])?, second, nano)?;
    Some(time.and_utc())
}

#[cfg(test)]
mod tests;
