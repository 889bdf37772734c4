//! Errors raised while validating values against the model: bad enum names,
//! malformed ids, out-of-range numbers, oversized text.

/// A value that the model refuses, with enough context to say why.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ModelError {
    #[error("invalid {field} {value:?}: expected one of {valid}")]
    InvalidEnum {
        field: &'static str,
        value: String,
        valid: String,
    },
    #[error("invalid id {value:?}: {reason}")]
    InvalidId { value: String, reason: &'static str },
    #[error("{field} must be between {min} and {max}, got {value}")]
    OutOfRange {
        field: &'static str,
        value: i64,
        min: i64,
        max: i64,
    },
    #[error("{field} is too long: {len} characters, the limit is {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("invalid date {value:?}: expected YYYY-MM-DD")]
    InvalidDate { value: String },
}
