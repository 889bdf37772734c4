//! What the Markdown sources share (Backlog.md, tk, kanban-md): a file of
//! YAML front matter between `---` lines and a Markdown body cut into `## `
//! sections. Their front matter is written by tools that do not always
//! quote what YAML needs quoted — Backlog.md writes `assignee: @alice` and
//! quotes it only when it reads the file back — so a plain value starting
//! with `@` is quoted before parsing.

use super::checkbox;
use crate::model::Criterion;
use serde::de::DeserializeOwned;

/// Splits a file into its front matter (YAML text) and body.
pub(super) fn split<'a>(name: &str, text: &'a str) -> Result<(String, &'a str), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or_else(|| format!("{name}: no front matter (the file does not start with ---)"))?;
    let (yaml, body) = if let Some(body) = rest.strip_prefix("---") {
        ("", body)
    } else {
        let end = rest
            .find("\n---")
            .ok_or_else(|| format!("{name}: the front matter has no closing ---"))?;
        (&rest[..=end], &rest[end + 4..])
    };
    let body = body.split_once('\n').map_or("", |(_, b)| b);
    Ok((quote_at_values(yaml), body))
}

/// Parses front matter into `T`, or says where it is wrong.
pub(super) fn parse<T: DeserializeOwned>(name: &str, yaml: &str) -> Result<T, String> {
    crate::store::parse_yaml(std::path::Path::new(name), yaml)
        .map_err(|e| crate::model::with_causes(&e))
}

/// Quotes every plain scalar that starts with `@` (`assignee: @alice`,
/// `- @bob`, `[@a, @b]`), which YAML reserves.
fn quote_at_values(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len() + 16);
    for line in yaml.split_inclusive('\n') {
        if !line.contains('@') {
            out.push_str(line);
            continue;
        }
        let (content, newline) = match line.strip_suffix('\n') {
            Some(c) => (c, "\n"),
            None => (line, ""),
        };
        let mut flow = 0usize;
        let mut prev = ' ';
        let mut chars = content.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let at_value = c == '@'
                && (prev == ' ' || prev == '[' || prev == ',')
                && value_start(&content[..i]);
            if !at_value {
                match c {
                    '[' => flow += 1,
                    ']' => flow = flow.saturating_sub(1),
                    _ => {}
                }
                out.push(c);
                prev = c;
                continue;
            }
            let end = if flow > 0 {
                content[i..].find([',', ']'])
            } else {
                content[i..].find(" #")
            }
            .map_or(content.len(), |n| i + n);
            let value = content[i..end].trim_end();
            out.push('"');
            out.push_str(&value.replace('\\', "\\\\").replace('"', "\\\""));
            out.push('"');
            out.push_str(&content[i + value.len()..end]);
            while chars.peek().is_some_and(|(j, _)| *j < end) {
                chars.next();
            }
            prev = '"';
        }
        out.push_str(newline);
    }
    out
}

/// Whether an `@` after `before` starts a value: after `key:`, a list
/// dash, or inside a flow list.
fn value_start(before: &str) -> bool {
    let t = before.trim_end();
    t.ends_with(':') || t.ends_with('[') || t.ends_with(',') || t.trim_start() == "-"
}

/// A Markdown body cut at its `## ` headings: the text before the first
/// heading (under `None`), then each section with its heading's text.
pub(super) fn sections(body: &str) -> Vec<(Option<&str>, String)> {
    let mut out: Vec<(Option<&str>, String)> = vec![(None, String::new())];
    let mut fence = false;
    for line in body.lines() {
        if line.trim_start().starts_with("```") {
            fence = !fence;
        }
        if !fence && let Some(h) = line.strip_prefix("## ") {
            out.push((Some(h.trim()), String::new()));
            continue;
        }
        if let Some((_, text)) = out.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    out
}

/// Whether a heading names the acceptance criteria (`Acceptance Criteria`,
/// `Acceptance criteria (optional)`).
pub(super) fn is_criteria_heading(h: &str) -> bool {
    h.to_ascii_lowercase().starts_with("acceptance criteria")
}

/// Acceptance criteria kept as free text (Beads, tk): each checklist item (`- `,
/// `* `, `- [ ]` / `- [x]`, `1. `) is one criterion; headings, group labels
/// (`1) Unit tests`) and lines that end in `:` introduce items and are not
/// criteria themselves. Plain lines count only when the text has no
/// checklist at all (a criterion per line).
pub(super) fn criteria(text: &str) -> Vec<Criterion> {
    let items: Vec<Criterion> = text.lines().filter_map(item).collect();
    if !items.is_empty() {
        return items;
    }
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_label(l))
        .map(|l| Criterion {
            text: l.to_string(),
            done: false,
        })
        .collect()
}

/// A checklist item's criterion, or `None` for any other line.
fn item(line: &str) -> Option<Criterion> {
    let (done, text) = match checkbox(line) {
        Some(c) => c,
        None => {
            let l = line.trim();
            let rest = l
                .strip_prefix("- ")
                .or_else(|| l.strip_prefix("* "))
                .or_else(|| numbered(l))?;
            (false, rest.trim())
        }
    };
    (!text.is_empty() && !is_label(text)).then(|| Criterion {
        text: text.to_string(),
        done,
    })
}

/// `3. text` → `text` (a numbered item; `3)` is a group label).
fn numbered(l: &str) -> Option<&str> {
    let digits = l.len() - l.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    (digits > 0).then(|| l[digits..].strip_prefix(". "))?
}

/// A heading, a `1)` group label or an introduction ending in `:`.
fn is_label(l: &str) -> bool {
    let digits = l.len() - l.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    l.starts_with('#') || l.ends_with(':') || (digits > 0 && l[digits..].starts_with(')'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_values_are_quoted_wherever_yaml_has_a_value() {
        let yaml = "assignee: @MrLesk\nreporter:   @bob # x\nlabels: [a, b]\nassignees: [@a, @b]\nlist:\n  - @carol\nemail: me@example.com\n";
        let q = quote_at_values(yaml);
        assert_eq!(
            q,
            "assignee: \"@MrLesk\"\nreporter:   \"@bob\" # x\nlabels: [a, b]\nassignees: [\"@a\", \"@b\"]\nlist:\n  - \"@carol\"\nemail: me@example.com\n"
        );
        let v: serde_json::Value = parse("x", &q).unwrap();
        assert_eq!(v["assignees"][1], "@b");
        assert_eq!(v["list"][0], "@carol");
    }

    #[test]
    fn front_matter_splits_from_the_body() {
        let (y, b) = split("f", "---\nid: 1\n---\n# Title\nText\n").unwrap();
        assert_eq!(y, "id: 1\n");
        assert_eq!(b, "# Title\nText\n");
        assert!(split("f", "# no front matter").is_err());
    }

    #[test]
    fn sections_ignore_headings_in_code_fences() {
        let s = sections("intro\n## Design\n```\n## not a heading\n```\n## Notes\nn\n");
        let names: Vec<Option<&str>> = s.iter().map(|(h, _)| *h).collect();
        assert_eq!(names, vec![None, Some("Design"), Some("Notes")]);
    }

    #[test]
    fn only_checklist_items_become_criteria() {
        let text = "## Tests\n1) Unit tests\n- [ ] parser covered\n- [x] lexer covered\nIntegration:\n* end to end run\n2. docs updated\n";
        let c: Vec<(String, bool)> = criteria(text)
            .into_iter()
            .map(|c| (c.text, c.done))
            .collect();
        assert_eq!(
            c,
            vec![
                ("parser covered".to_string(), false),
                ("lexer covered".to_string(), true),
                ("end to end run".to_string(), false),
                ("docs updated".to_string(), false),
            ]
        );
    }

    #[test]
    fn plain_lines_are_criteria_when_there_is_no_checklist() {
        let c = criteria("Works offline\nSteps:\nSyncs on reconnect\n");
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["Works offline", "Syncs on reconnect"]);
    }
}
