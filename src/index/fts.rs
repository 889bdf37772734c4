//! Turning a user's search words into an FTS5 query that cannot be a syntax
//! error: input like `foo"`, `AND(` or `title:x` is matched as words, never
//! interpreted as FTS5 operators or column filters.

/// The FTS5 MATCH expression for `input`, or `None` when it holds no words.
/// Each word becomes a quoted prefix term (`"auth"*`), all of them required.
pub fn match_expr(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        // The unicode61 tokenizer splits on everything but letters, digits and
        // private-use characters; splitting the same way keeps each quoted term
        // a single token, so prefix matching behaves as the user expects.
        .split(|c: char| !(c.is_alphanumeric() || is_private_use(c)))
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

fn is_private_use(c: char) -> bool {
    matches!(c, '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..='\u{ffffd}' | '\u{100000}'..='\u{10fffd}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_prefix_terms() {
        assert_eq!(
            match_expr("Reset  password").as_deref(),
            Some("\"Reset\"* \"password\"*")
        );
        assert_eq!(
            match_expr("foo\" AND(").as_deref(),
            Some("\"foo\"* \"AND\"*")
        );
        assert_eq!(match_expr("  \"*()^:-  "), None);
    }
}
