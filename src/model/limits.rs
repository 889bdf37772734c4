//! Size limits that keep a hostile or accidental giant record from hurting every
//! command: they are checked on every write and reported by `check` on read.

use super::ModelError;

/// Bounds on record files and their text fields.
pub struct Limits;

impl Limits {
    /// A record file larger than this is not parsed at all.
    pub const FILE_BYTES: u64 = 1024 * 1024;
    pub const TITLE_CHARS: usize = 300;
    pub const DESCRIPTION_CHARS: usize = 64 * 1024;
    pub const ENTRY_CHARS: usize = 16 * 1024;
    pub const NAME_CHARS: usize = 100;
    pub const LABELS: usize = 50;

    /// Checks a text field's length in characters.
    pub fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), ModelError> {
        let len = text.chars().count();
        if len > max {
            return Err(ModelError::TooLong { field, len, max });
        }
        Ok(())
    }

    /// Checks a required text field: non-blank and within `max` characters.
    pub fn check_required(field: &'static str, text: &str, max: usize) -> Result<(), ModelError> {
        if text.trim().is_empty() {
            return Err(ModelError::Empty { field });
        }
        Self::check_text(field, text, max)
    }
}
