//! The renderer's shape read from its digits against chrono's own
//! `Deserialize` for `DateTime<Utc>`: the same value or the same error, on
//! text in and around that shape.

use super::{deserialize, deserialize_option, rendered};
use crate::model::strategies::config;
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde::Deserialize;
use serde::de::value::{Error, StrDeserializer, U64Deserializer};

fn ours(s: &str) -> Result<DateTime<Utc>, String> {
    deserialize(StrDeserializer::<Error>::new(s)).map_err(|e| e.to_string())
}

fn chrono_s(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::<Utc>::deserialize(StrDeserializer::<Error>::new(s)).map_err(|e| e.to_string())
}

fn near_the_shape() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9](\\.[0-9]{0,11})?Z",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})?",
        "[+-]?[0-9]{4,6}-[0-9]{1,2}-[0-9]{2}T[0-9:.]{8,12}Z",
        "[0-9a-zT:.Z -]{0,24}",
    ]
}

proptest! {
    #![proptest_config(config(4096))]

    #[test]
    fn a_timestamp_reads_as_chrono_reads_it(s in near_the_shape()) {
        prop_assert_eq!(ours(&s), chrono_s(&s), "{:?}", s);
    }
}

#[test]
fn the_renderer_s_shapes_are_read_from_their_digits() {
    for s in [
        "2026-11-24T16:02:11Z",
        "2026-11-24T16:02:11.250Z",
        "2026-11-24T16:02:11.000250Z",
        "2026-11-24T16:02:11.000000250Z",
        "2024-02-29T23:59:59.5Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
    ] {
        assert!(rendered(s).is_some(), "{s}");
        assert_eq!(ours(s), chrono_s(s), "{s}");
    }
    // Left to chrono: a leap second, a day the month lacks, an offset.
    for s in [
        "2016-12-31T23:59:60Z",
        "2023-02-29T00:00:00Z",
        "2026-11-24T24:00:00Z",
        "2026-11-24T16:02:11+01:00",
        "2026-11-24T16:02:11.1234567890Z",
    ] {
        assert!(rendered(s).is_none(), "{s}");
        assert_eq!(ours(s), chrono_s(s), "{s}");
    }
}

#[test]
fn what_is_not_text_fails_as_it_did() {
    let ours = deserialize(U64Deserializer::<Error>::new(5)).map_err(|e| e.to_string());
    let theirs =
        DateTime::<Utc>::deserialize(U64Deserializer::<Error>::new(5)).map_err(|e| e.to_string());
    assert_eq!(ours, theirs);
    assert!(
        ours.unwrap_err()
            .contains("an RFC 3339 formatted date and time string")
    );
    let none: Option<DateTime<Utc>> =
        deserialize_option(serde::de::value::UnitDeserializer::<Error>::new()).unwrap();
    assert_eq!(none, None);
}
