//! Turning a user's search words into what the index can match, so that a
//! query matches what it contains. A term of letters and digits is a word,
//! matched as a prefix through FTS5 (`"auth"*`, case and diacritics folded).
//! A term the word tokenizer cannot hold — one with a symbol, an emoji or
//! punctuation (`#12`, `🚀`, `C++`), or with characters of a script written
//! without spaces, where a word sits inside a longer token (`タイトル` in
//! `日本語タイトル`) — is matched as text the task contains (case folded),
//! by [`contains_folded`], the SQL function `orchestron_contains`. Its words
//! that the text must also hold as words go to FTS5 first, so such a search
//! scans only the tasks that have them; a term with none scans every task.
//! Input like `foo"`, `AND(` or `title:x` is never FTS5 syntax.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

/// The SQL function `orchestron_contains(needle, text…)`: whether any of the
/// texts contains `needle` (given folded by [`fold`]), case folded.
pub const CONTAINS_FN: &str = "orchestron_contains";

/// What a search asks of the index.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    /// The FTS5 MATCH expression every match satisfies, if any.
    pub words: Option<String>,
    /// Texts a match must contain, already folded.
    pub texts: Vec<String>,
}

impl Search {
    /// The search for `input`, or `None` when it holds nothing to look for.
    pub fn parse(input: &str) -> Option<Search> {
        let mut words = Vec::new();
        let mut texts = Vec::new();
        for term in input.split_whitespace() {
            if is_word(term) {
                words.push(quote_prefix(term));
                continue;
            }
            // A run of word characters that follows a separator inside the
            // term starts a word of any text that contains the term, so the
            // word index may narrow the scan without losing a match.
            words.extend(runs_after_separators(term).map(quote_prefix));
            texts.push(fold(term));
        }
        if words.is_empty() && texts.is_empty() {
            return None;
        }
        Some(Search {
            words: (!words.is_empty()).then(|| words.join(" ")),
            texts,
        })
    }
}

/// Registers [`CONTAINS_FN`] on `conn` (it lives in the connection, not in
/// the file: `sqlite3` users never meet it).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        CONTAINS_FN,
        -1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let needle = ctx.get_raw(0).as_str().unwrap_or_default();
            for i in 1..ctx.len() {
                if let Ok(text) = ctx.get_raw(i).as_str()
                    && contains_folded(text, needle)
                {
                    return Ok(true);
                }
            }
            Ok(false)
        },
    )
}

/// Whether `text` contains `needle` (folded by [`fold`]) ignoring case.
pub fn contains_folded(text: &str, needle: &str) -> bool {
    if text.is_ascii() && needle.is_ascii() {
        let (t, n) = (text.as_bytes(), needle.as_bytes());
        return n.is_empty() || t.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    fold(text).contains(needle)
}

/// The case-folded form both sides of a text match are compared in.
pub fn fold(s: &str) -> String {
    s.to_lowercase()
}

fn quote_prefix(word: &str) -> String {
    format!("\"{}\"*", word.replace('"', "\"\""))
}

/// The runs of word characters in `term` that a separator precedes.
fn runs_after_separators(term: &str) -> impl Iterator<Item = &str> {
    let mut rest = term;
    std::iter::from_fn(move || {
        let after = &rest[rest.find(|c: char| !is_word_char(c))?..];
        let from = &after[after.find(is_word_char)?..];
        let end = from.find(|c: char| !is_word_char(c)).unwrap_or(from.len());
        rest = &from[end..];
        Some(&from[..end])
    })
}

/// A term the word tokenizer keeps whole and apart: letters and digits of
/// scripts that separate words with spaces.
fn is_word(term: &str) -> bool {
    term.chars()
        .all(|c| is_word_char(c) && !written_without_spaces(c))
}

/// The characters the unicode61 tokenizer keeps in a token: letters, digits
/// and private-use characters.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_private_use(c)
}

fn is_private_use(c: char) -> bool {
    matches!(c, '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..='\u{ffffd}' | '\u{100000}'..='\u{10fffd}')
}

/// Scripts whose words run together (or agglutinate, as Korean's do), so that
/// a word the user types is often in the middle of a token: Han, kana,
/// Hangul, Thai, Lao, Myanmar, Khmer.
fn written_without_spaces(c: char) -> bool {
    matches!(c,
        '\u{0e00}'..='\u{0eff}'          // Thai, Lao
        | '\u{1000}'..='\u{109f}'        // Myanmar
        | '\u{1100}'..='\u{11ff}'        // Hangul Jamo
        | '\u{1780}'..='\u{17ff}'        // Khmer
        | '\u{2e80}'..='\u{2fdf}'        // CJK radicals
        | '\u{3040}'..='\u{30ff}'        // Hiragana, Katakana
        | '\u{3100}'..='\u{31ff}'        // Bopomofo, Hangul compatibility, Katakana ext.
        | '\u{3400}'..='\u{4dbf}'        // CJK extension A
        | '\u{4e00}'..='\u{9fff}'        // CJK unified ideographs
        | '\u{a960}'..='\u{a97f}'        // Hangul Jamo extended A
        | '\u{ac00}'..='\u{d7ff}'        // Hangul syllables, Jamo extended B
        | '\u{f900}'..='\u{faff}'        // CJK compatibility ideographs
        | '\u{ff66}'..='\u{ffdc}'        // half-width Katakana and Hangul
        | '\u{20000}'..='\u{3134f}' // CJK extensions B–G
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str) -> Option<(Option<String>, Vec<String>)> {
        Search::parse(input).map(|s| (s.words, s.texts))
    }

    #[test]
    fn words_are_quoted_prefix_terms() {
        assert_eq!(
            parse("Reset  password"),
            Some((Some("\"Reset\"* \"password\"*".into()), vec![]))
        );
        assert_eq!(parse("   "), None);
    }

    #[test]
    fn a_term_with_symbols_is_text_to_contain_narrowed_by_its_inner_words() {
        assert_eq!(parse("🚀"), Some((None, vec!["🚀".into()])));
        assert_eq!(parse("#"), Some((None, vec!["#".into()])));
        assert_eq!(
            parse("#12 Fix"),
            Some((Some("\"12\"* \"Fix\"*".into()), vec!["#12".into()]))
        );
        // `x` may end a longer word ("ax-ray"); `ray` starts one.
        assert_eq!(
            parse("X-Ray"),
            Some((Some("\"Ray\"*".into()), vec!["x-ray".into()]))
        );
        assert_eq!(
            parse("foo\" AND("),
            Some((None, vec!["foo\"".into(), "and(".into()]))
        );
    }

    #[test]
    fn a_term_of_a_script_without_spaces_is_text_to_contain() {
        assert_eq!(parse("タイトル"), Some((None, vec!["タイトル".into()])));
    }

    #[test]
    fn containment_folds_case_beyond_ascii() {
        assert!(contains_folded("日本語タイトル", "タイトル"));
        assert!(contains_folded("Ship C++ build", &fold("c++")));
        assert!(contains_folded("ÄRGER#1", &fold("ärger#")));
        assert!(!contains_folded("release", "#"));
    }
}
