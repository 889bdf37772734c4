//! The fast reader against the general YAML parser: on every rendered task
//! it must answer, and answer the same; on any text it answers, it must
//! answer what the general parser reads.

use super::{may_hold_a_break_or_tab, task};
use crate::model::strategies::{self, config};
use crate::model::{Entry, RecordId, Task, render};
use proptest::prelude::*;

fn general(text: &str) -> Result<Task, String> {
    yaml_serde::from_str::<Task>(text).map_err(|e| e.to_string())
}

/// Asserts that whatever the fast reader makes of `text` is what the
/// general parser makes of it; returns whether the fast reader answered.
fn same_or_none(text: &str) -> bool {
    match task(text) {
        Some(fast) => {
            assert_eq!(
                general(text).as_ref(),
                Ok(&fast),
                "the fast reader read this differently:\n{text}"
            );
            true
        }
        None => false,
    }
}

/// Text the strategies do not reach: trailing newlines (all three chomps),
/// indented and empty lines inside, fractions of seconds, long lines.
fn awkward_text() -> impl Strategy<Value = String> {
    prop_oneof![
        strategies::text(),
        (strategies::text(), 1usize..4).prop_map(|(t, n)| format!("{t}{}", "\n".repeat(n))),
        (strategies::line(), strategies::line()).prop_map(|(a, b)| format!("{a}\n\n    {b}\nend")),
        strategies::line().prop_map(|l| l.repeat(30)),
        Just("tab\there".to_string()),
        Just("  leading".to_string()),
    ]
}

fn rich_task() -> impl Strategy<Value = Task> {
    (
        strategies::task(),
        proptest::option::of(awkward_text()),
        proptest::option::of(strategies::line()),
        any::<bool>(),
        0u32..1_000_000,
    )
        .prop_map(|(mut t, description, external, stamped, nanos)| {
            if description.is_some() {
                t.description = description;
            }
            t.external = external;
            if stamped {
                let at = t.created + chrono::Duration::nanoseconds(i64::from(nanos) * 1000);
                t.started = Some(at);
                t.closed = Some(at);
                t.notes.push(Entry {
                    at,
                    by: "fractions".into(),
                    text: "at a fraction of a second".into(),
                });
            }
            t
        })
}

/// One edit that may take a rendered file out of the reader's subset, or
/// into a different value.
#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, &'static str),
    Delete(usize, usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    const SNIPPETS: &[&str] = &[
        " ",
        ":",
        ": ",
        "#",
        " #",
        "-",
        "- ",
        "\n",
        "\n\n",
        "  ",
        "'",
        "\"",
        "\\",
        "\\x",
        "[",
        "]",
        "{",
        "}",
        ",",
        ", ",
        "|",
        "|-",
        ">",
        "&a ",
        "*a",
        "!",
        "!!str ",
        "%",
        "@",
        "`",
        "~",
        "null",
        "yes",
        "0",
        "01",
        "-1",
        "1.5",
        "\t",
        "\r",
        "\u{85}",
        "\u{feff}",
        "---\n",
        "...\n",
        "é",
        "?",
        "title: x\n",
        "notes:\n",
        "  x\n",
        // Edits that keep the file in the subset, so that the comparison
        // is exercised on values that changed.
        "x",
        "word",
        "Z9",
        "x",
        "word",
        "Z9",
    ];
    prop_oneof![
        (any::<usize>(), proptest::sample::select(SNIPPETS))
            .prop_map(|(i, s)| Mutation::Insert(i, s)),
        (any::<usize>(), 1usize..4).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let boundary = |i: usize| {
        let mut i = i % (text.len() + 1);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match m {
        Mutation::Insert(i, s) => {
            let i = boundary(*i);
            format!("{}{s}{}", &text[..i], &text[i..])
        }
        Mutation::Delete(i, n) => {
            let start = boundary(*i);
            let mut end = (start + n).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            format!("{}{}", &text[..start], &text[end..])
        }
        Mutation::DuplicateLine(i) | Mutation::SwapLines(i, _) => {
            let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
            let a = i % lines.len();
            if let Mutation::SwapLines(_, j) = m {
                let b = j % lines.len();
                lines.swap(a, b);
            } else {
                lines.insert(a, lines[a]);
            }
            lines.concat()
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// The point of the reader: the renderer's output never falls back.
    #[test]
    fn every_rendered_task_is_read_fast_and_the_same(t in rich_task()) {
        let text = render::task(&t, "");
        let fast = task(&text);
        prop_assert_eq!(fast.as_ref(), Some(&t), "{}", text);
        let yaml = general(&text);
        prop_assert_eq!(yaml.as_ref(), Ok(&t));
    }
}

/// Soundness: whatever edits a hand or a tool makes, the fast reader
/// either declines or reads what YAML reads. Run as a loop rather than as
/// a `proptest!` so that it can also show the comparison is exercised: at
/// least one edited file in ten (a changed word, a moved list entry, an
/// edited comment) must still be read fast (about one in seven is).
#[test]
fn an_edited_file_is_read_as_yaml_reads_it_or_left_to_yaml() {
    use proptest::strategy::ValueTree;
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let edits = (rich_task(), proptest::collection::vec(mutation(), 1..4));
    let mut fast = 0;
    for _ in 0..cases {
        let (t, edits) = edits.new_tree(&mut runner).unwrap().current();
        let mut text = render::task(&t, "");
        for m in &edits {
            text = apply(&text, m);
        }
        if same_or_none(&text) {
            fast += 1;
        }
    }
    assert!(
        fast * 10 >= cases,
        "only {fast} of {cases} edited files were read fast: the comparison is hardly exercised"
    );
}

#[test]
fn the_example_workspace_is_read_fast_and_the_same() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".orchestron-example/tasks");
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(same_or_none(&text), "{} fell back", path.display());
        read += 1;
    }
    assert!(read >= 5, "only {read} example tasks");
}

#[test]
fn what_lies_outside_the_subset_is_left_to_yaml() {
    let head = "id: TASK-7k2mq\ntitle: T\n";
    for (why, tail) in [
        ("YAML 1.1 boolean", "assignee: yes\n"),
        ("a tab", "assignee: a\tb\n"),
        ("a carriage return", "assignee: ab\r\n"),
        ("a next line (NEL)", "assignee: a\u{85}b\n"),
        ("a line separator", "assignee: a\u{2028}b\n"),
        ("a paragraph separator", "assignee: a\u{2029}b\n"),
        ("a comment after a key", "# note\nassignee: ab\n"),
        ("a trailing comment", "assignee: ab # who\n"),
        ("a key twice", "title: again\n"),
        ("an unknown key", "owner: ab\n"),
        ("a blank line between keys", "\nassignee: ab\n"),
        ("an escape we do not write", "assignee: \"a\\x41\"\n"),
        ("a leading zero", "progress: 010\n"),
        ("a negative number", "estimate: -1\n"),
        ("a fraction", "estimate: 1.5\n"),
        ("a key with no value", "labels:\n"),
        ("a folded block", "description: >\n  a\n"),
        ("a deeper first block line", "description: |\n    a\n  b\n"),
        (
            "a block opening with a blank line",
            "description: |\n\n  a\n",
        ),
        ("a block line of spaces", "description: |\n  a\n   \n  b\n"),
        (
            "an indented list",
            "notes:\n  - { at: 2026-01-01T00:00:00Z, by: a, text: b }\n",
        ),
        (
            "a multi-line flow mapping",
            "notes:\n- { at: 2026-01-01T00:00:00Z,\n  by: a, text: b }\n",
        ),
        ("an anchor", "assignee: &a ab\n"),
        ("a tag", "assignee: !!str ab\n"),
        ("a document marker", "---\n"),
        ("no final newline", "assignee: ab"),
        ("a space before a flow comma", "labels: [a , b]\n"),
        ("an unquoted flow comma", "labels: [a,b]\n"),
    ] {
        let text = format!("{head}{tail}");
        assert!(task(&text).is_none(), "{why}: read fast:\n{text}");
    }
}

#[test]
fn quoted_and_plain_values_the_renderer_writes_are_read_fast() {
    let text = "# yaml-language-server: $schema=../schemas/task.schema.json\n\
        # a human's comment survives at the top\n\
        id: TASK-7k2mq\n\
        title: \"Use OAuth2: not SAML # really \\\"quoted\\\" \\\\ \\u0007 \\U0001f680\"\n\
        status: IN_PROGRESS\n\
        type: TASK\n\
        priority: HIGH\n\
        parent: null\n\
        assignee: \"yes\"\n\
        created: 2026-11-24T16:02:11.250Z\n\
        progress: 0\n\
        estimate: 13\n\
        sprint: SPRINT-w48ab\n\
        labels: [auth, \"a,b\", \"null\", key:value]\n\
        depends_on: []\n\
        description: |+\n  one\n\n    indented # not a comment\n  last\n\n\n\
        acceptance_criteria:\n\
        - { text: \"a, b\", done: true }\n\
        - { text: plain words, done: false }\n\
        notes:\n\
        - { at: 2026-11-24T17:30:00Z, by: claude, text: \"Done # not a comment\" }\n";
    let fast = task(text).expect("read fast");
    assert_eq!(Ok(&fast), general(text).as_ref());
    assert_eq!(
        fast.title,
        "Use OAuth2: not SAML # really \"quoted\" \\ \u{7} 🚀"
    );
    assert_eq!(
        fast.description.as_deref(),
        Some("one\n\n  indented # not a comment\nlast\n\n\n")
    );
    assert_eq!(fast.labels, ["auth", "a,b", "null", "key:value"]);
    assert_eq!(fast.id, RecordId::parse("TASK-7k2mq").unwrap());
}

#[test]
fn characters_sharing_a_lead_byte_with_a_line_break_are_still_read_fast() {
    // `¢` (C2 A2) and `—` (E2 80 94) share their first byte with NEL and
    // LS / PS: the byte test flags them, the char search clears them.
    let text = "id: TASK-7k2mq\ntitle: \"\u{a2}5 \u{2014} caf\u{e9}\"\n\
                created: 2026-11-24T16:02:11Z\n";
    assert!(may_hold_a_break_or_tab(text));
    assert!(same_or_none(text), "left to YAML:\n{text}");
    assert!(!may_hold_a_break_or_tab(
        "id: TASK-7k2mq\ntitle: caf\u{e9}\n"
    ));
    for c in ['\t', '\r', '\u{85}', '\u{2028}', '\u{2029}'] {
        assert!(may_hold_a_break_or_tab(&format!("title: a{c}b\n")), "{c:?}");
    }
}
