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
    /// An imported task's source key: room for a project, an id and, when
    /// the source uses the id twice, the item's path.
    pub const EXTERNAL_CHARS: usize = 500;
    pub const LABELS: usize = 50;
    /// The largest `estimate`, in points: more than any sizing scale uses,
    /// so a larger number is a typo (or hours), not a size.
    pub const ESTIMATE_POINTS: u32 = 1_000;

    /// Checks a text field's length in characters.
    pub fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), ModelError> {
        // No more bytes than `max`: no more characters either, uncounted.
        if text.len() <= max {
            return Ok(());
        }
        let len = text.chars().count();
        if len > max {
            return Err(ModelError::TooLong { field, len, max });
        }
        Ok(())
    }

    /// Checks a one-line field (title, name, assignee, label, author): required,
    /// within `max` characters, and free of control characters — a newline or
    /// a tab in a title breaks every table and every one-line report.
    pub fn check_line(field: &'static str, text: &str, max: usize) -> Result<(), ModelError> {
        Self::check_required(field, text, max)?;
        // Printable ASCII throughout holds no control character; only
        // other text is searched char by char.
        if printable_ascii(text) {
            return Ok(());
        }
        if let Some(c) = text.chars().find(|c| c.is_control()) {
            return Err(ModelError::ControlCharacter {
                field,
                found: control_name(c),
            });
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

/// A control character as a person names it.
fn control_name(c: char) -> String {
    match c {
        '\n' => "a newline".to_string(),
        '\r' => "a carriage return".to_string(),
        '\t' => "a tab".to_string(),
        other => format!("U+{:04X}", u32::from(other)),
    }
}

/// Whether every byte of `text` is printable ASCII (space to `~`): one
/// test of every byte, which the compiler makes vector code — the quick
/// answer for the usual text before any check walks it char by char.
pub fn printable_ascii(text: &str) -> bool {
    text.bytes()
        .fold(true, |ok, b| ok & matches!(b, 0x20..=0x7e))
}

#[cfg(test)]
mod tests {
    use super::Limits;

    #[test]
    fn one_line_fields_refuse_control_characters() {
        let e = Limits::check_line("title", "a\nb", 300).unwrap_err();
        assert_eq!(
            e.to_string(),
            "title must be one line without control characters: it contains a newline"
        );
        let e = Limits::check_line("label", "a\u{7}", 300).unwrap_err();
        assert!(e.to_string().ends_with("U+0007"), "{e}");
        assert!(Limits::check_line("title", "日本語さん", 300).is_ok());
    }

    /// Past the all-ASCII byte test, the char tests still decide: DEL and
    /// the C1 controls are refused, and a length counts characters.
    #[test]
    fn controls_outside_printable_ascii_and_lengths_in_characters() {
        for (text, named) in [("a\u{7f}", "U+007F"), ("caf\u{e9}\u{85}", "U+0085")] {
            let e = Limits::check_line("title", text, 300).unwrap_err();
            assert!(e.to_string().ends_with(named), "{e}");
        }
        assert!(Limits::check_line("title", "~ printable ASCII !", 300).is_ok());
        let rockets = "🚀".repeat(10);
        assert!(Limits::check_text("title", &rockets, 10).is_ok());
        let e = Limits::check_text("title", &format!("{rockets}a"), 10).unwrap_err();
        assert!(e.to_string().contains("11"), "{e}");
        assert!(Limits::check_text("title", "abcdefghijk", 10).is_err());
        assert!(Limits::check_text("title", "abcdefghij", 10).is_ok());
    }
}
