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
    #[error("the end ({end}) is before the start ({start})")]
    EndBeforeStart { start: String, end: String },
    #[error("{field} must be one line without control characters: it contains {found}")]
    ControlCharacter { field: &'static str, found: String },
}

/// An error as every edge prints it: its message, then each cause once —
/// `top: cause: cause`. Messages never repeat their source (the house rule),
/// but a foreign error sometimes does (rusqlite shows its SQLite error and
/// also returns it as the source), so a cause whose text the line already
/// ends with is skipped rather than printed twice.
pub fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut line = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !text.is_empty() && !line.ends_with(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        cause = c.source();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::with_causes;

    #[derive(Debug, thiserror::Error)]
    #[error("writing output")]
    struct Top(#[source] std::io::Error);

    #[test]
    fn causes_print_once() {
        let e = Top(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        let line = with_causes(&e);
        assert_eq!(line.matches("pipe").count(), 1, "{line}");
        assert!(line.starts_with("writing output: "), "{line}");
    }
}
