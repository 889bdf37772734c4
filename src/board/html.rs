//! The board as one self-contained HTML page: the template, style and script
//! under `templates/board/` (compiled in), and the board itself embedded as
//! JSON in a `<script type="application/json">`. No network, no CDN: the page
//! works from `file://`, attached to a PR or kept as a CI artefact. Served
//! live (`orchestron serve`), the same page also listens for new boards and,
//! in write mode, lets cards move between columns.

use crate::api::Board;
use serde::Serialize;

const PAGE: &str = include_str!("../../templates/board/page.html");
const STYLE: &str = include_str!("../../templates/board/board.css");
const SCRIPT: &str = include_str!("../../templates/board/board.js");

/// How the page behaves beyond showing the board.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mode {
    /// Served: listen for new boards on `events` (server-sent events).
    pub live: bool,
    /// Served with `--write`: cards move between columns.
    pub write: bool,
}

#[derive(Serialize)]
struct Embedded<'a> {
    board: &'a Board,
    live: bool,
    write: bool,
}

/// The page for `board`.
pub fn render(board: &Board, mode: Mode) -> Result<String, serde_json::Error> {
    let data = script_json(&Embedded {
        board,
        live: mode.live,
        write: mode.write,
    })?;
    let title = escape_text(&format!("{} board", board.project));
    // The board's JSON goes in last, so nothing in it is taken for a marker.
    Ok(PAGE
        .replacen("{{title}}", &title, 1)
        .replacen("{{style}}", STYLE, 1)
        .replacen("{{script}}", SCRIPT, 1)
        .replacen("{{data}}", &data, 1))
}

/// `value` as JSON that is safe inside a `<script>` element: `<`, `>` and
/// `&` are written as `\u` escapes, so no title can close the element.
pub fn script_json<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let json = serde_json::to_string(value)?;
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Text for an HTML element's content.
fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::script_json;

    #[test]
    fn embedded_json_cannot_close_the_script_element() {
        let json = script_json(&"</script><!-- & \u{2028}").expect("encode");
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        let back: String = serde_json::from_str(&json).expect("still JSON");
        assert_eq!(back, "</script><!-- & \u{2028}");
    }
}
