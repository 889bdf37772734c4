//! The loader on named cases and on generated input: whatever the bytes, a
//! record or located problems, never a panic; a rendered valid task loads
//! back as exactly itself.

use super::keys::top_level_key;
use super::*;
use crate::model::strategies::{self, config};
use proptest::prelude::*;

#[test]
fn conflict_markers_are_named_as_such() {
    let text = "id: TASK-7k2mq\ntitle: T\n<<<<<<< ours\nstatus: TODO\n=======\nstatus: DONE\n>>>>>>> theirs\ncreated: 2026-11-24T16:02:11Z\n";
    let loaded = load_record(IdKind::Task, "tasks/TASK-7k2mq.yaml", text.as_bytes());
    assert!(loaded.record.is_none());
    let p = &loaded.problems[0];
    assert_eq!(p.line, 3);
    assert!(p.message.contains("merge conflict"), "{}", p.message);
}

#[test]
fn each_conflict_marker_alone_is_found_and_a_run_inside_a_line_is_none() {
    let head = "id: TASK-7k2mq\ntitle: T\n";
    for marker in [
        "<<<<<<< ours",
        "<<<<<<<",
        "=======",
        ">>>>>>> theirs",
        ">>>>>>>",
    ] {
        let text = format!("{head}{marker}\nstatus: TODO\n");
        assert_eq!(conflict_marker_line(&text), Some(3), "{marker:?}");
        let first = format!("{marker}\n{head}");
        assert_eq!(conflict_marker_line(&first), Some(1), "{marker:?}");
    }
    for text in [
        "id: TASK-7k2mq\ntitle: a ======= b\n",
        "id: TASK-7k2mq\ndescription: |\n  <<<<<<< ours\n",
        "id: TASK-7k2mq\ntitle: >>>>>>>x\n",
        "id: TASK-7k2mq\ntitle: T\n",
        "=x\n<<<<<<<< eight\n>>>>>>>x\n",
    ] {
        assert_eq!(conflict_marker_line(text), None, "{text:?}");
    }
}

#[test]
fn a_control_character_is_reported_at_its_line_and_column() {
    let text = "id: TASK-7k2mq\ntitle: a\u{0}b\ncreated: 2026-11-24T16:02:11Z\n";
    let loaded = load_record(IdKind::Task, "tasks/TASK-7k2mq.yaml", text.as_bytes());
    let p = &loaded.problems[0];
    assert_eq!((p.line, p.column), (2, 9), "{p}");
    assert!(!p.message.contains("position"), "{p}");
}

#[test]
fn a_byte_order_mark_is_no_part_of_the_first_key() {
    let text = "\u{feff}id: TASK-7k2mq\ntitle: T\ncreated: 2026-11-24T16:02:11Z\n";
    let loaded = load_record(IdKind::Task, "tasks/TASK-7k2mq.yaml", text.as_bytes());
    assert!(loaded.record.is_some(), "{:?}", loaded.problems);
}

/// Every problem points into the file (line 1 of an empty one).
fn assert_located(bytes: &[u8], loaded: &Loaded) {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    for p in &loaded.problems {
        assert!(p.line >= 1 && p.column >= 1, "{p}");
        assert!(p.line <= lines + 1, "{p} is past the end ({lines} lines)");
    }
    assert!(
        loaded.record.is_some() || !loaded.problems.is_empty(),
        "neither a record nor a problem"
    );
}

/// Pieces of YAML put together at random: structure the parser must cope
/// with rather than random bytes it rejects at once.
fn yamlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("id: TASK-7k2mq\n".to_string()),
        Just("title: ".to_string()),
        Just("created: 2026-11-24T16:02:11Z\n".to_string()),
        Just("notes:\n- at: 2026-11-24T16:02:11Z\n  by: a\n  text: t\n".to_string()),
        Just("status: ".to_string()),
        Just("depends_on: [".to_string()),
        Just("]\n".to_string()),
        Just("  ".to_string()),
        Just("- ".to_string()),
        Just("&a ".to_string()),
        Just("*a\n".to_string()),
        Just("!!str ".to_string()),
        Just("---\n".to_string()),
        Just("? ".to_string()),
        Just("{".to_string()),
        Just("}\n".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("|\n".to_string()),
        Just("# c\n".to_string()),
        Just("\t".to_string()),
        Just("\r\n".to_string()),
        Just("\u{feff}".to_string()),
        strategies::line().prop_map(|l| format!("{l}\n")),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_bytes_load_to_a_record_or_located_problems(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let loaded = load_record(IdKind::Task, "tasks/TASK-7k2mq.yaml", &bytes);
        assert_located(&bytes, &loaded);
    }

    #[test]
    fn any_yamlish_text_loads_to_a_record_or_located_problems(text in yamlish()) {
        for kind in IdKind::ALL {
            let rel = format!("{}/TASK-7k2mq.yaml", kind.dir());
            let loaded = load_record(kind, &rel, text.as_bytes());
            assert_located(text.as_bytes(), &loaded);
        }
    }

    #[test]
    fn a_rendered_task_loads_back_as_itself(task in strategies::task()) {
        let text = crate::model::render::task(&task, "");
        let loaded = load_record(IdKind::Task, "tasks/TASK-7k2mq.yaml", text.as_bytes());
        prop_assert_eq!(loaded.record, Some(Record::Task(task)), "{}", text);
    }
}

#[test]
fn a_top_level_key_is_a_name_from_column_one_up_to_its_colon() {
    let lines = [
        ("id: TASK-7k2mq", Some("id")),
        ("depends_on:", Some("depends_on")),
        ("x-y_z9: 1", Some("x-y_z9")),
        ("_k: v", Some("_k")),
        ("title: a: b", Some("title")),
        ("  nested: x", None),
        ("- item: x", None),
        ("9abc: x", None),
        ("ké: x", None),
        ("prose with a colon: here", None),
        ("key", None),
        ("key-without-colon", None),
        (":", None),
        ("", None),
    ];
    for (line, key) in lines {
        assert_eq!(top_level_key(line), key, "{line:?}");
    }
    assert_eq!(
        owned(top_level_keys(
            "id: T\n  x: 1\nstatus: TODO\r\n- y: 2\nlabels: []\n",
            Task::KEYS
        )),
        vec![
            ("id".to_string(), 1),
            ("status".to_string(), 3),
            ("labels".to_string(), 5)
        ]
    );
}

proptest! {
    #![proptest_config(config(1024))]

    /// The keys found line by line with `memchr` are those `str::lines`
    /// gives: same keys, same lines, on any text.
    #[test]
    fn top_level_keys_are_those_of_each_line(
        text in prop_oneof![
            "([a-z_-]{0,4}[: \r\n-]{0,2}){0,12}",
            "(id|status|x)(:|: |)[a-z\r]{0,3}(\n|\r\n|\n\n)?",
            any::<String>(),
        ]
    ) {
        let by_lines: Vec<(String, usize)> = text
            .lines()
            .enumerate()
            .filter_map(|(i, l)| top_level_key(l).map(|k| (k.to_string(), i + 1)))
            .collect();
        prop_assert_eq!(owned(top_level_keys(&text, Task::KEYS)), by_lines);
    }
}

fn owned(keys: Vec<(std::borrow::Cow<'static, str>, usize)>) -> Vec<(String, usize)> {
    keys.into_iter().map(|(k, l)| (k.into_owned(), l)).collect()
}

/// A key the kind knows is named by the kind's own text, in any order and
/// twice; a key it does not know gets a String of its own.
#[test]
fn known_keys_are_borrowed_and_unknown_ones_owned() {
    use std::borrow::Cow;
    let text = "notes: []\nid: T\nowner: me\ntitle: x\nid: again\nlabels: []\n";
    let keys = top_level_keys(text, Task::KEYS);
    let names: Vec<(&str, bool, usize)> = keys
        .iter()
        .map(|(k, l)| (&**k, matches!(k, Cow::Borrowed(_)), *l))
        .collect();
    assert_eq!(
        names,
        [
            ("notes", true, 1),
            ("id", true, 2),
            ("owner", false, 3),
            ("title", true, 4),
            ("id", true, 5),
            ("labels", true, 6),
        ]
    );
    assert!(
        top_level_keys("id: T\n", &[])
            .iter()
            .all(|(k, _)| matches!(k, Cow::Owned(_)))
    );
}
