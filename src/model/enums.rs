//! The closed vocabularies of the model. Each enum is stored UPPER_CASE and read
//! leniently: any case, with `-`, `_` or spaces between words (`in progress`,
//! `In-Progress` and `IN_PROGRESS` are one status). A bad value names the valid ones.

use super::ModelError;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Folds a user's spelling to the canonical form: upper case, words joined by `_`.
fn canonical(input: &str) -> String {
    input
        .trim()
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect::<Vec<_>>()
        .join("_")
}

/// What every closed vocabulary offers generically, so that adapters list
/// the valid values from the enum (help text, schemas) instead of retyping them.
pub trait Vocabulary: Copy + FromStr<Err = ModelError> + Send + Sync + 'static {
    /// Every value, in declaration order.
    fn all() -> &'static [Self];
    /// The canonical spelling.
    fn name(self) -> &'static str;
}

macro_rules! lenient_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal, { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, JsonSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The canonical spelling stored in files and JSON.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// The valid values, comma-separated, for error messages and help.
            pub fn valid_values() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl Vocabulary for $name {
            fn all() -> &'static [Self] {
                Self::ALL
            }
            fn name(self) -> &'static str {
                self.as_str()
            }
        }

        impl FromStr for $name {
            type Err = ModelError;
            fn from_str(s: &str) -> Result<Self, ModelError> {
                // The canonical spelling itself, as every file the tool
                // writes holds it, needs no folding (folding allocates a
                // few times: a twentieth of a rebuild's parsing).
                match s {
                    $($text => return Ok($name::$variant),)+
                    _ => {}
                }
                match canonical(s).as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ModelError::InvalidEnum {
                        field: $field,
                        value: s.to_string(),
                        valid: Self::valid_values(),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str(ParseVisitor::<$name>::new())
            }
        }
    };
}

/// Parses a scalar through `FromStr` inside the deserializer, so that the
/// deserializer can attach the value's line and column to the error.
pub(crate) struct ParseVisitor<T>(std::marker::PhantomData<T>);

impl<T> ParseVisitor<T> {
    pub(crate) fn new() -> Self {
        ParseVisitor(std::marker::PhantomData)
    }
}

impl<T: FromStr<Err = ModelError>> serde::de::Visitor<'_> for ParseVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }
}

lenient_enum!(
    /// Where a task stands in its life.
    Status, "status", {
    #[default]
    Todo = "TODO",
    InProgress = "IN_PROGRESS",
    InReview = "IN_REVIEW",
    Blocked = "BLOCKED",
    Done = "DONE",
    Cancelled = "CANCELLED",
});

lenient_enum!(
    /// The size of a piece of work, from an epic down to a one-line todo.
    TaskType, "type", {
    Epic = "EPIC",
    Story = "STORY",
    #[default]
    Task = "TASK",
    Subtask = "SUBTASK",
    Todo = "TODO",
});

lenient_enum!(
    /// How urgent a task is. Declared most urgent first, so `Ord` sorts by urgency.
    Priority, "priority", {
    Critical = "CRITICAL",
    High = "HIGH",
    #[default]
    Medium = "MEDIUM",
    Low = "LOW",
});

lenient_enum!(
    /// A sprint's phase.
    SprintStatus, "sprint status", {
    #[default]
    Planned = "PLANNED",
    Active = "ACTIVE",
    Closed = "CLOSED",
});

impl Status {
    /// Finished work: it no longer blocks anything that depends on it.
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Done | Status::Cancelled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_input_accepts_case_and_separator_variants() {
        for s in [
            "in progress",
            "In-Progress",
            "IN_PROGRESS",
            " in__progress ",
        ] {
            assert_eq!(s.parse::<Status>().unwrap(), Status::InProgress, "{s}");
        }
        assert_eq!("critical".parse::<Priority>().unwrap(), Priority::Critical);
        assert_eq!(
            "sub-task".parse::<TaskType>(),
            Err(ModelError::InvalidEnum {
                field: "type",
                value: "sub-task".into(),
                valid: "EPIC, STORY, TASK, SUBTASK, TODO".into(),
            })
        );
    }

    /// `from_str` takes a canonical spelling as is, unfolded: that is
    /// sound only while folding leaves every one of them unchanged.
    #[test]
    fn every_canonical_spelling_folds_to_itself() {
        fn check<T: Vocabulary + PartialEq + std::fmt::Debug>() {
            for &v in T::all() {
                assert_eq!(canonical(v.name()), v.name());
                assert_eq!(v.name().parse::<T>(), Ok(v));
            }
        }
        check::<Status>();
        check::<TaskType>();
        check::<Priority>();
        check::<SprintStatus>();
    }

    #[test]
    fn bad_enum_error_lists_valid_values() {
        let err = "urgent".parse::<Priority>().unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid priority \"urgent\": expected one of CRITICAL, HIGH, MEDIUM, LOW"
        );
    }

    #[test]
    fn priority_orders_most_urgent_first() {
        assert!(Priority::Critical < Priority::Low);
    }
}
