//! A corpus of hostile and malformed records: each is reported on its own as
//! `path:line:col: message`, and every valid record stays usable.

use crate::common::TestEnv;

pub(crate) const VALID: &str = "id: TASK-good1\ntitle: Valid task\ncreated: 2026-11-20T10:00:00Z\n";

fn alias_bomb() -> String {
    let mut s = String::from(
        "id: TASK-bomb1\ntitle: x\ncreated: 2026-11-20T10:00:00Z\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        s.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    s.push_str("labels: *i\n");
    s
}

/// (file name, contents, expected line, a phrase of the message)
pub(crate) fn corpus() -> Vec<(String, Vec<u8>, usize, &'static str)> {
    let t = |name: &str, body: &str, line: usize, msg: &'static str| {
        (format!("{name}.yaml"), body.as_bytes().to_vec(), line, msg)
    };
    let mut c = vec![
        t("TASK-empty", "", 1, "file is empty"),
        t("TASK-blank", "\n   \n", 1, "file is empty"),
        t(
            "TASK-badyaml",
            "id: TASK-badyaml\ntitle: [unclosed\ncreated: 2026-11-20T10:00:00Z\n",
            2,
            "",
        ),
        t(
            "TASK-status",
            "id: TASK-status\ntitle: x\nstatus: FINISHED\ncreated: 2026-11-20T10:00:00Z\n",
            3,
            "expected one of TODO, IN_PROGRESS",
        ),
        t(
            "TASK-prio",
            "id: TASK-prio\ntitle: x\npriority: urgent\ncreated: 2026-11-20T10:00:00Z\n",
            3,
            "expected one of CRITICAL, HIGH, MEDIUM, LOW",
        ),
        t(
            "TASK-type",
            "id: TASK-type\ntitle: x\ntype: BUG\ncreated: 2026-11-20T10:00:00Z\n",
            3,
            "expected one of EPIC, STORY",
        ),
        t(
            "TASK-progtype",
            "id: TASK-progtype\ntitle: x\nprogress: lots\ncreated: 2026-11-20T10:00:00Z\n",
            3,
            "progress",
        ),
        t(
            "TASK-progrange",
            "id: TASK-progrange\ntitle: x\nprogress: 101\ncreated: 2026-11-20T10:00:00Z\n",
            3,
            "progress must be between 0 and 100",
        ),
        t(
            "TASK-notitle",
            "id: TASK-notitle\ncreated: 2026-11-20T10:00:00Z\n",
            1,
            "missing field `title`",
        ),
        t(
            "TASK-emptytitle",
            "id: TASK-emptytitle\ntitle: ''\ncreated: 2026-11-20T10:00:00Z\n",
            2,
            "title must not be empty",
        ),
        t(
            "TASK-mismatch",
            "id: TASK-other\ntitle: x\ncreated: 2026-11-20T10:00:00Z\n",
            1,
            "does not match the file name",
        ),
        t(
            "TASK-badid",
            "id: ../../etc\ntitle: x\ncreated: 2026-11-20T10:00:00Z\n",
            1,
            "invalid id",
        ),
        t("TASK-list", "- just\n- a list\n", 1, "expected struct Task"),
        t("TASK-scalar", "hello\n", 1, ""),
        t(
            "TASK-dupkey",
            "id: TASK-dupkey\ntitle: x\ntitle: y\ncreated: 2026-11-20T10:00:00Z\n",
            3,
            "duplicate field `title`",
        ),
        t(
            "TASK-date",
            "id: TASK-date\ntitle: x\ncreated: yesterday\n",
            3,
            "created",
        ),
        t(
            "TASK-labels",
            "id: TASK-labels\ntitle: x\nlabels: auth\ncreated: 2026-11-20T10:00:00Z\n",
            3,
            "labels",
        ),
        t(
            "TASK-notes",
            "id: TASK-notes\ntitle: x\ncreated: 2026-11-20T10:00:00Z\nnotes:\n- hello\n",
            5,
            "notes",
        ),
        t(
            "TASK-tab",
            "id: TASK-tab\ntitle: x\n\tstatus: TODO\ncreated: 2026-11-20T10:00:00Z\n",
            3,
            "",
        ),
        t(
            "TASK-deep",
            &format!(
                "id: TASK-deep\ntitle: x\ncreated: 2026-11-20T10:00:00Z\ndescription: {}{}\n",
                "[".repeat(200),
                "]".repeat(200)
            ),
            4,
            "description",
        ),
        t(
            "TASK-dep",
            "id: TASK-dep\ntitle: x\ncreated: 2026-11-20T10:00:00Z\ndepends_on: [TASK-nothere]\n",
            4,
            "TASK-nothere",
        ),
        t(
            "TASK-multi",
            "id: TASK-multi\ntitle: x\ncreated: 2026-11-20T10:00:00Z\n---\nid: TASK-multi\n",
            4,
            "more than one document",
        ),
    ];
    c.push(("TASK-bomb1.yaml".into(), alias_bomb().into_bytes(), 0, ""));
    c.push((
        "TASK-utf8.yaml".into(),
        b"id: TASK-utf8\ntitle: caf\xe9\ncreated: 2026-11-20T10:00:00Z\n".to_vec(),
        2,
        "not valid UTF-8",
    ));
    let mut huge =
        b"id: TASK-huge\ntitle: x\ncreated: 2026-11-20T10:00:00Z\ndescription: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 2 * 1024 * 1024));
    c.push(("TASK-huge.yaml".into(), huge, 1, "the limit is"));
    let ctx_bomb = alias_bomb().replace("TASK-bomb1", "CTX-bomb2").replace(
        "labels: *i",
        "kind: snapshot\nat: 2026-11-20T10:00:00Z\nby: x\ncontext: {k: *i}",
    );
    c.push((
        "../contexts/CTX-bomb2.yaml".into(),
        ctx_bomb.into_bytes(),
        0,
        "",
    ));
    let long_title = format!(
        "id: TASK-longtitle\ntitle: {}\ncreated: 2026-11-20T10:00:00Z\n",
        "t".repeat(400)
    );
    c.push((
        "TASK-longtitle.yaml".into(),
        long_title.into_bytes(),
        2,
        "title is too long",
    ));
    c.extend(more_cases());
    c
}

/// Cases added for issue 15: bytes YAML parsers trip on, and files that
/// fight the loader's assumptions.
fn more_cases() -> Vec<(String, Vec<u8>, usize, &'static str)> {
    let t = |name: &str, body: &[u8], line: usize, msg: &'static str| {
        (format!("{name}.yaml"), body.to_vec(), line, msg)
    };
    let created = "created: 2026-11-20T10:00:00Z\n";
    let mut nested = format!("id: TASK-blockdeep\ntitle: x\n{created}description:\n");
    for depth in 1..=200 {
        nested.push_str(&format!("{}k:\n", "  ".repeat(depth)));
    }
    let mut keys = format!("id: TASK-manykeys\ntitle: x\n{created}");
    for i in 0..2_000 {
        keys.push_str(&format!("extra_{i}: {i}\n"));
    }
    let long_line = format!(
        "id: TASK-longline\ntitle: x\n{created}labels: [{}]\n",
        vec!["a"; 20_000].join(", ")
    );
    vec![
        t(
            "TASK-nul",
            format!("id: TASK-nul\ntitle: a\0b\n{created}").as_bytes(),
            2,
            "",
        ),
        t(
            "TASK-conflict",
            format!(
                "id: TASK-conflict\ntitle: x\n<<<<<<< ours\nstatus: TODO\n=======\nstatus: DONE\n>>>>>>> theirs\n{created}"
            )
            .as_bytes(),
            3,
            "merge conflict",
        ),
        t("TASK-blockdeep", nested.as_bytes(), 0, ""),
        t("TASK-manykeys", keys.as_bytes(), 4, "unknown key `extra_0`"),
        t("TASK-longline", long_line.as_bytes(), 4, "labels"),
        t(
            "TASK-tag",
            format!("id: TASK-tag\ntitle: !!binary aGVsbG8=\n{created}").as_bytes(),
            1,
            "assumed",
        ),
        t(
            "TASK-custom",
            format!("id: TASK-custom\ntitle: !Evil {{x: 1}}\n{created}").as_bytes(),
            2,
            "",
        ),
        t("TASK-null", b"~\n", 1, ""),
        t(
            "TASK-anchorid",
            format!("id: &a TASK-anchorid\ntitle: *a\nparent: *a\n{created}").as_bytes(),
            0,
            "",
        ),
        t(
            "TASK-copyid",
            format!("id: TASK-good1\ntitle: a second TASK-good1\n{created}").as_bytes(),
            1,
            "does not match the file name",
        ),
        t(
            "TASK-ctrl",
            format!("id: TASK-ctrl\ntitle: \"bell\\a\"\n{created}").as_bytes(),
            2,
            "title",
        ),
        t(
            "TASK-numid",
            format!("id: 12345\ntitle: x\n{created}").as_bytes(),
            1,
            "",
        ),
        t("TASK-mapid", b"id: {a: b}\ntitle: x\n", 1, ""),
        t("TASK-docend", b"...\n", 0, ""),
        t(
            "TASK-utf16",
            b"\xff\xfei\x00d\x00:\x00 \x00T\x00\n\x00",
            1,
            "",
        ),
    ]
}

/// Files that must load as valid records although they look odd: a byte
/// order mark, Windows line ends.
pub(crate) fn tolerated() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "TASK-bom.yaml".into(),
            "\u{feff}id: TASK-bom\ntitle: with a BOM\ncreated: 2026-11-20T10:00:00Z\n"
                .as_bytes()
                .to_vec(),
        ),
        (
            "TASK-crlf.yaml".into(),
            b"id: TASK-crlf\r\ntitle: Windows\r\ncreated: 2026-11-20T10:00:00Z\r\nnotes:\r\n- at: 2026-11-20T10:00:00Z\r\n  by: alice\r\n  text: crlf\r\n"
                .to_vec(),
        ),
    ]
}

#[test]
fn hostile_records_are_reported_one_by_one_and_valid_ones_still_work() {
    let env = TestEnv::new();
    let tasks = env.ws().join("tasks");
    std::fs::write(tasks.join("TASK-good1.yaml"), VALID).unwrap();
    let corpus = corpus();
    assert!(corpus.len() >= 20);
    for (name, body, _, _) in &corpus {
        std::fs::write(tasks.join(name), body).unwrap();
    }
    let check = env.run(&["check"]);
    assert_eq!(check.code, 6, "{}\n{}", check.stdout, check.stderr);
    let mut wrong = Vec::new();
    for (name, _, line, msg) in &corpus {
        let prefix = format!(".orchestron/tasks/{name}:").replace("tasks/../", "");
        let found: Vec<&str> = check
            .stdout
            .lines()
            .filter(|l| l.starts_with(&prefix))
            .take(3)
            .collect();
        let at = format!("{prefix}{line}:");
        let right = !found.is_empty()
            && (*line == 0 || found.iter().any(|l| l.starts_with(&at) && l.contains(msg)));
        if !right {
            wrong.push(format!(
                "{name}: expected line {line} and {msg:?}, got {found:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The valid record is fully usable, alone in the list.
    let list = env.json(&["task", "list", "--limit", "0"]);
    let ids: Vec<&str> = list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"TASK-good1"), "{ids:?}");
    env.ok(&[
        "task",
        "update",
        "TASK-good1",
        "--status",
        "done",
        "--note",
        "still works",
    ]);
    env.ok(&["status"]);
    // A broken record cannot be modified, and the error says where it is broken.
    let r = env.run(&["task", "update", "TASK-status", "--priority", "low"]);
    assert_ne!(r.code, 0);
}

#[test]
fn check_passes_on_the_bundled_example_and_fails_on_a_broken_copy() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".orchestron-example");
    let env = TestEnv::bare();
    let copy = env.path().join("example");
    crate::common::copy_dir(&example, &copy);
    let r = env.run(&["--root", copy.to_str().unwrap(), "check"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let victim = std::fs::read_dir(copy.join("tasks"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&victim)
        .unwrap()
        .replace("status: ", "status: NOT_A_STATUS_");
    std::fs::write(&victim, text).unwrap();
    let r = env.run(&["--root", copy.to_str().unwrap(), "check"]);
    assert_eq!(r.code, 6);
    let name = victim.file_name().unwrap().to_str().unwrap();
    assert!(
        r.stdout.lines().any(|l| l.contains(name)
            && l.split(':')
                .nth(1)
                .is_some_and(|n| n.parse::<usize>().is_ok())),
        "{}",
        r.stdout
    );
}
