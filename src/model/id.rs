//! Record ids: `PREFIX-suffix`, an upper-case prefix and a lower-case base36
//! suffix (`TASK-7k2mq`). Ids are random so that two branches creating records
//! at once never mint the same one, and lower-case so that case-insensitive
//! filesystems cannot hold two files for one id. An id is validated here before
//! any layer turns it into a path: no separators, no dots, bounded length.

use super::ModelError;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const MAX_PREFIX: usize = 16;
const MAX_SUFFIX: usize = 32;

/// Which kind of record an id names; each kind has its own directory and prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    Task,
    Sprint,
    Context,
}

/// A validated, canonical record id. Input is accepted in any case
/// (`task-7K2MQ`) and stored as `TASK-7k2mq`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct RecordId(
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_-]{0,15}-[A-Za-z0-9]{1,32}$"))] String,
);

impl RecordId {
    /// Parses and canonicalises an id typed by a user or read from a file.
    pub fn parse(input: &str) -> Result<Self, ModelError> {
        let bad = |reason| ModelError::InvalidId {
            value: input.chars().take(80).collect(),
            reason,
        };
        let input = input.trim();
        // Byte tests throughout: every test is of ASCII, which no byte of
        // a multi-byte character passes (and a char search costs more).
        let Some(dash) = input.bytes().rposition(|b| b == b'-') else {
            return Err(bad("expected PREFIX-suffix, e.g. TASK-7k2mq"));
        };
        let (prefix, suffix) = (&input[..dash], &input[dash + 1..]);
        if prefix.is_empty() || prefix.len() > MAX_PREFIX {
            return Err(bad("the prefix must be 1 to 16 characters"));
        }
        if suffix.is_empty() || suffix.len() > MAX_SUFFIX {
            return Err(bad("the part after '-' must be 1 to 32 characters"));
        }
        let prefix_ok = prefix.as_bytes()[0].is_ascii_alphabetic()
            && prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !prefix_ok {
            return Err(bad("the prefix may hold only letters, digits, '_' and '-'"));
        }
        if !suffix.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(bad("the part after '-' may hold only letters and digits"));
        }
        // One allocation, cased in place (every id a list reads from the
        // index comes through here).
        let mut id = input.to_string();
        let (head, tail) = id.split_at_mut(prefix.len());
        head.make_ascii_uppercase();
        tail.make_ascii_lowercase();
        Ok(RecordId(id))
    }

    /// A fresh random id with the given prefix and suffix length.
    pub fn generate(prefix: &str, len: usize) -> Result<Self, ModelError> {
        Self::parse(&format!("{prefix}-{}", new_suffix(len)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The file name this record lives in (`TASK-7k2mq.yaml`). Safe by construction.
    pub fn file_name(&self) -> String {
        format!("{}.yaml", self.0)
    }
}

/// `len` random base36 characters from the operating system's generator.
pub fn new_suffix(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    // Rejection sampling keeps every character equally likely.
    let mut out = String::with_capacity(len);
    while out.len() < len {
        if getrandom::fill(&mut bytes).is_err() {
            // The OS generator failing is near impossible; fall back to a time-seeded mix
            // rather than refuse to create records.
            let seed = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
                ^ u128::from(std::process::id());
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = (seed >> ((i * 7) % 120)) as u8;
            }
        }
        for &b in &bytes {
            if b < 252 && out.len() < len {
                out.push(ALPHABET[usize::from(b % 36)] as char);
            }
        }
    }
    out
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RecordId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(super::enums::ParseVisitor::<RecordId>::new())
    }
}

impl std::str::FromStr for RecordId {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, ModelError> {
        RecordId::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte tests refuse what is not ASCII wherever it stands.
    #[test]
    fn an_id_with_a_character_past_ascii_is_refused() {
        for bad in [
            "TÄSK-7k2mq",
            "TASK-7k2mä",
            "é-7k2mq",
            "TASK\u{2010}7k2mq",
            "TASK-",
        ] {
            assert!(RecordId::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            RecordId::parse(" my_proj-x-AB1 ").unwrap().as_str(),
            "MY_PROJ-X-ab1"
        );
    }

    #[test]
    fn ids_are_canonicalised_case_insensitively() {
        assert_eq!(
            RecordId::parse("task-7K2MQ").unwrap().as_str(),
            "TASK-7k2mq"
        );
        assert_eq!(
            RecordId::parse("MY-PROJ-ab1").unwrap().as_str(),
            "MY-PROJ-ab1"
        );
        // The last `-` splits; the input is trimmed first.
        assert_eq!(
            RecordId::parse(" my_Proj-x-AB1\n").unwrap().as_str(),
            "MY_PROJ-X-ab1"
        );
    }

    #[test]
    fn hostile_ids_never_become_paths() {
        for bad in [
            "../etc-passwd",
            "TASK-../../x",
            "TASK-a/b",
            "TASK-a\\b",
            "TASK-",
            "-abc",
            "TASK-a.yaml",
            "TASK-\0",
            "TASK-abc def",
            "/TASK-abc",
            &format!("TASK-{}", "a".repeat(33)),
            "TASKabc",
            "9X-abc",
        ] {
            assert!(RecordId::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn generated_ids_use_lowercase_base36() {
        let id = RecordId::generate("TASK", 5).unwrap();
        let suffix = id.as_str().strip_prefix("TASK-").unwrap();
        assert_eq!(suffix.len(), 5);
        assert!(
            suffix
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
        );
    }
}
