//! `orchestron import` and `export`: a realistic fixture of each source, in
//! the source's documented format and made here, imported twice (the second
//! run creates nothing and the records stay the same), with links, notes and
//! fields that have no home kept; and the JSON round trip of the example
//! workspace.

mod backlog;
mod reimport;
mod sources;

use crate::common::TestEnv;
use serde_json::{Value, json};
use std::path::Path;

/// Every task as `task list --json` shows it, sorted by `external`, for
/// comparing two states of one workspace.
pub(crate) fn tasks(env: &TestEnv) -> Vec<Value> {
    let mut all: Vec<Value> = env.json(&["export"])["tasks"].as_array().unwrap().clone();
    all.sort_by_key(|t| t["external"].as_str().unwrap_or("").to_string());
    all
}

pub(crate) fn by_external<'a>(tasks: &'a [Value], key: &str) -> &'a Value {
    tasks
        .iter()
        .find(|t| t["external"] == key)
        .unwrap_or_else(|| panic!("no task from {key} in {tasks:#?}"))
}

/// Imports `path` twice: the first run creates `n` tasks, the second none,
/// and the records are the same afterwards. Returns the tasks.
pub(crate) fn import_twice(
    env: &TestEnv,
    source: &str,
    path: &str,
    n: usize,
) -> (Value, Vec<Value>) {
    let dry = env.json(&["import", source, path, "--dry-run"]);
    assert_eq!(dry["created"].as_array().unwrap().len(), n, "{dry:#}");
    assert!(tasks(env).is_empty(), "a dry run wrote records");
    let first = env.json(&["import", source, path]);
    assert_eq!(first["created"].as_array().unwrap().len(), n, "{first:#}");
    let after_first = tasks(env);
    let second = env.json(&["import", source, path]);
    assert_eq!(second["created"].as_array().unwrap().len(), 0, "{second:#}");
    assert_eq!(second["unchanged"], n, "{second:#}");
    assert_eq!(second["updated"], json!([]), "{second:#}");
    assert_eq!(tasks(env), after_first);
    assert_eq!(env.run(&["check"]).code, 0);
    (first, after_first)
}

pub(crate) fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn github_issues_import_with_comments_milestones_and_closed_state() {
    let env = TestEnv::new();
    // `gh issue list --state all --json number,title,body,labels,state,assignees,milestone,createdAt,closedAt,comments`
    let issues = json!([
        {
            "number": 12, "title": "Login fails with SSO", "body": "Steps:\n1. open /login",
            "labels": [{"id": "LA_1", "name": "bug", "description": "", "color": "d73a4a"}],
            "state": "OPEN",
            "assignees": [{"id": "U_1", "login": "alice", "name": "Alice"}, {"id": "U_2", "login": "bob", "name": ""}],
            "milestone": {"number": 1, "title": "v1.0", "description": "First release", "dueOn": "2026-12-31T00:00:00Z"},
            "createdAt": "2026-10-01T09:00:00Z", "closedAt": null,
            "comments": [
                {"id": "IC_1", "author": {"login": "carol"}, "authorAssociation": "MEMBER",
                 "body": "Seen on Safari too.", "createdAt": "2026-10-02T10:00:00Z",
                 "includesCreatedEdit": false, "isMinimized": false, "minimizedReason": "",
                 "reactionGroups": [], "url": "https://github.com/o/r/issues/12#issuecomment-1", "viewerDidAuthor": false}
            ]
        },
        {
            "number": 7, "title": "Add dark mode", "body": "",
            "labels": [], "state": "CLOSED", "assignees": [], "milestone": null,
            "createdAt": "2026-09-01T09:00:00Z", "closedAt": "2026-09-20T17:30:00Z", "comments": []
        }
    ]);
    write(&env.path().join("issues.json"), &issues.to_string());
    let (first, tasks) = import_twice(&env, "github", "issues.json", 2);
    assert_eq!(first["sprints"][0]["title"], "v1.0", "{first:#}");
    assert!(
        first["unmapped"].to_string().contains("also assigned: bob"),
        "{first:#}"
    );
    let login = by_external(&tasks, "github#12");
    assert_eq!(login["title"], "Login fails with SSO");
    assert_eq!(login["assignee"], "alice");
    assert_eq!(login["labels"], json!(["bug"]));
    assert_eq!(login["notes"][0]["by"], "carol");
    assert_eq!(login["notes"][0]["text"], "Seen on Safari too.");
    assert!(login["notes"][1]["text"].as_str().unwrap().contains("bob"));
    let sprint = env.json(&["sprint", "show", "v1.0"]);
    assert_eq!(sprint["end"], "2026-12-31", "{sprint:#}");
    let dark = by_external(&tasks, "github#7");
    assert_eq!(dark["status"], "DONE");
    assert_eq!(dark["closed"], "2026-09-20T17:30:00Z");
    // Shown by task show, and stdin reads the same document.
    let shown = env.ok(&["task", "show", login["id"].as_str().unwrap()]);
    assert!(shown.contains("github#12"), "{shown}");
    let mut c = env.command(crate::common::BIN);
    c.args(["import", "github", "-", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(issues.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["unchanged"], 2, "{again:#}");
}

#[test]
fn claude_code_task_lists_import_with_dependencies_both_ways() {
    let env = TestEnv::new();
    let list = env.path().join("claude/tasks/4f1c2a9e-list");
    write(
        &list.join("1.json"),
        r#"{"id":"1","subject":"Write the parser","description":"Parse the config file.","activeForm":"Writing the parser","status":"completed","blocks":["2"],"blockedBy":[]}"#,
    );
    write(
        &list.join("2.json"),
        r#"{"id":"2","subject":"Wire the CLI","description":"","activeForm":"Wiring the CLI","status":"in_progress","owner":"agent-a","blocks":[],"blockedBy":[]}"#,
    );
    write(
        &list.join("3.json"),
        r#"{"id":"3","subject":"Document flags","status":"pending","blocks":[],"blockedBy":["2"],"metadata":{"area":"docs"}}"#,
    );
    write(&list.join(".highwatermark"), "3");
    let path = list.to_string_lossy().to_string();
    let (first, tasks) = import_twice(&env, "claude", &path, 3);
    let parser = by_external(&tasks, "claude#4f1c2a9e-list/1");
    let cli = by_external(&tasks, "claude#4f1c2a9e-list/2");
    let docs = by_external(&tasks, "claude#4f1c2a9e-list/3");
    assert_eq!(parser["status"], "DONE");
    assert_eq!(cli["status"], "IN_PROGRESS");
    assert_eq!(cli["assignee"], "agent-a");
    // `blocks` on 1 and `blockedBy` on 3 both became dependencies.
    assert_eq!(cli["depends_on"], json!([parser["id"]]));
    assert_eq!(docs["depends_on"], json!([cli["id"]]));
    assert!(
        first["unmapped"].to_string().contains("metadata.area"),
        "{first:#}"
    );
}

#[test]
fn a_backlog_md_folder_imports_with_criteria_and_milestones() {
    let env = TestEnv::new();
    let dir = env.path().join("legacy/backlog");
    write(
        &dir.join("tasks/task-1 - Set-up-CI.md"),
        "---\nid: task-1\ntitle: Set up CI\nstatus: In Progress\nassignee:\n  - '@alice'\ncreated_date: '2026-06-01 10:00'\nlabels: [infra]\nmilestone: M1\ndependencies: []\npriority: high\nordinal: 1000\n---\n\n## Description\n\n<!-- SECTION:DESCRIPTION:BEGIN -->\nRun the tests on every push.\n<!-- SECTION:DESCRIPTION:END -->\n\n## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [x] #1 Tests run on push\n- [ ] #2 Badge in README\n<!-- AC:END -->\n\n## Implementation Notes\n\nUse the shared runner.\n",
    );
    write(
        &dir.join("tasks/task-2 - Cache-deps.md"),
        "---\nid: task-2\ntitle: 'Cache deps: faster CI'\nstatus: To Do\nassignee: []\ncreated_date: '2026-06-02'\nlabels: []\ndependencies:\n  - task-1\nparent_task_id: task-1\nreporter: '@bob'\n---\n\n## Description\n\nCache the cargo registry.\n",
    );
    write(
        &dir.join("completed/task-0 - Pick-a-name.md"),
        "---\nid: task-0\ntitle: Pick a name\nstatus: Done\nassignee: []\ncreated_date: '2026-05-01'\nlabels: []\ndependencies: []\n---\n",
    );
    write(
        &dir.join("docs/doc-1 - Readme.md"),
        "---\nid: doc-1\ntitle: Readme\n---\n",
    );
    write(&dir.join("config.yml"), "project_name: legacy\n");
    let (first, tasks) = import_twice(&env, "backlog", "legacy", 3);
    let ci = by_external(&tasks, "backlog:legacy#task-1");
    assert_eq!(ci["status"], "IN_PROGRESS");
    assert_eq!(ci["priority"], "HIGH");
    assert_eq!(ci["assignee"], "alice");
    assert_eq!(ci["created"], "2026-06-01T10:00:00Z");
    assert_eq!(
        ci["acceptance_criteria"],
        json!([{"text": "Tests run on push", "done": true}, {"text": "Badge in README", "done": false}])
    );
    let description = ci["description"].as_str().unwrap();
    assert!(
        description.starts_with("Run the tests on every push."),
        "{description}"
    );
    assert!(description.contains("## Implementation Notes\n\nUse the shared runner."));
    let cache = by_external(&tasks, "backlog:legacy#task-2");
    assert_eq!(cache["title"], "Cache deps: faster CI");
    assert_eq!(cache["depends_on"], json!([ci["id"]]));
    assert_eq!(cache["parent"], ci["id"]);
    assert_eq!(
        by_external(&tasks, "backlog:legacy#task-0")["status"],
        "DONE"
    );
    assert!(
        first["unmapped"].to_string().contains("reporter: @bob"),
        "{first:#}"
    );
    assert_eq!(first["sprints"][0]["title"], "M1");
}

#[test]
fn a_beads_export_imports_with_dependencies_labels_and_comments() {
    let env = TestEnv::new();
    let lines = [
        json!({"id": "bd-a1b2", "title": "Auth epic", "description": "All of auth", "status": "open",
               "priority": 1, "issue_type": "epic", "labels": ["auth"],
               "created_at": "2026-08-01T08:00:00Z", "updated_at": "2026-08-02T08:00:00Z"}),
        json!({"id": "bd-c3d4", "title": "Token refresh", "description": "Refresh before expiry",
               "design": "Use a background timer", "acceptance_criteria": "- Refresh 60 s early\n- Retry once",
               "notes": "Talked to security", "status": "in_progress", "priority": 0, "issue_type": "feature",
               "assignee": "claude", "labels": ["auth", "backend"],
               "dependencies": [
                   {"issue_id": "bd-c3d4", "depends_on_id": "bd-a1b2", "type": "parent-child", "created_at": "2026-08-01T08:00:00Z", "created_by": "alice"},
                   {"issue_id": "bd-c3d4", "depends_on_id": "bd-e5f6", "type": "blocks", "created_at": "2026-08-01T08:00:00Z", "created_by": "alice"},
                   {"issue_id": "bd-c3d4", "depends_on_id": "bd-zzzz", "type": "related", "created_at": "2026-08-01T08:00:00Z", "created_by": "alice"}
               ],
               "comments": [{"id": 1, "issue_id": "bd-c3d4", "author": "bob", "text": "Watch clock skew", "created_at": "2026-08-03T12:00:00Z"}],
               "created_at": "2026-08-01T09:00:00Z", "updated_at": "2026-08-03T12:00:00Z"}),
        json!({"id": "bd-e5f6", "title": "Key rotation", "status": "closed", "priority": 3, "issue_type": "task",
               "close_reason": "Done in v2", "created_at": "2026-07-01T09:00:00Z", "closed_at": "2026-07-15T09:00:00Z",
               "updated_at": "2026-07-15T09:00:00Z"}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    write(&env.path().join(".beads/issues.jsonl"), &text);
    let (first, tasks) = import_twice(&env, "beads", ".beads/issues.jsonl", 3);
    let epic = by_external(&tasks, "beads#bd-a1b2");
    let refresh = by_external(&tasks, "beads#bd-c3d4");
    let rotation = by_external(&tasks, "beads#bd-e5f6");
    assert_eq!(epic["type"], "EPIC");
    assert_eq!(refresh["priority"], "CRITICAL");
    assert_eq!(refresh["type"], "STORY");
    assert_eq!(refresh["parent"], epic["id"]);
    assert_eq!(refresh["depends_on"], json!([rotation["id"]]));
    assert_eq!(refresh["labels"], json!(["auth", "backend"]));
    assert_eq!(refresh["acceptance_criteria"][1]["text"], "Retry once");
    assert_eq!(refresh["notes"][0]["text"], "Watch clock skew");
    let kept = refresh["notes"][1]["text"].as_str().unwrap();
    for field in [
        "design: Use a background timer",
        "notes: Talked to security",
        "related: bd-zzzz",
    ] {
        assert!(kept.contains(field), "{field} not kept: {kept}");
    }
    assert_eq!(rotation["status"], "DONE");
    assert_eq!(rotation["closed"], "2026-07-15T09:00:00Z");
    assert!(
        first["unmapped"]
            .to_string()
            .contains("close_reason: Done in v2"),
        "{first:#}"
    );
}

#[test]
fn the_example_workspace_round_trips_through_json_identically() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join(".orchestron-example");
    let source = TestEnv::bare();
    let copy = source.path().join(".orchestron");
    crate::common::copy_dir(&example, &copy);
    let export = source.ok(&["--root", copy.to_str().unwrap(), "export", "--json"]);
    let target = TestEnv::new();
    write(&target.path().join("backlog.json"), &export);
    let report = target.json(&["import", "json", "backlog.json"]);
    assert_eq!(report["unchanged"], 0, "{report:#}");
    let again = target.ok(&["export", "--json"]);
    assert_eq!(again, export);
    // Record files identical byte for byte.
    assert_eq!(record_files(&target.ws()), record_files(&example));
    let second = target.json(&["import", "json", "backlog.json"]);
    assert_eq!(second["created"].as_array().unwrap().len(), 0, "{second:#}");
    let md = target.ok(&["export", "--markdown"]);
    assert!(md.starts_with("# Open work"), "{md}");
}

/// Every record file under the workspace (tasks, sprints, contexts and the
/// archive), by path, with its bytes.
fn record_files(ws: &Path) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for dir in [
        "tasks",
        "sprints",
        "contexts",
        "archive/tasks",
        "archive/sprints",
    ] {
        let Ok(entries) = std::fs::read_dir(ws.join(dir)) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            out.insert(
                format!("{dir}/{name}"),
                std::fs::read_to_string(e.path()).unwrap(),
            );
        }
    }
    out
}

#[test]
fn export_then_import_keeps_hand_edits_byte_for_byte() {
    let source = TestEnv::new();
    let edited = source.create(&["Hand edited", "-d", "two\nlines"]);
    source.ok(&["task", "update", &edited, "--note", "first note"]);
    let closed = source.create(&["Closed and archived"]);
    source.ok(&["task", "update", &closed, "--status", "done"]);
    source.ok(&["archive", "--before", "2999-01-01"]);
    source.ok(&["sprint", "create", "W1", "--goal", "ship"]);
    source.ok(&["context", "save", "--set", "lastTask=x", "--notes", "n"]);
    // A human's edits: a comment, an unknown key, a quoted title.
    let path = source.task_path(&edited);
    let text = source.read(&path);
    let text = text
        .replace(
            "title: Hand edited",
            "title: \"Hand edited\"  # quoted by hand",
        )
        .replace(
            "\nnotes:",
            "\n# the reviewer asked for this\nreviewer: alice\nnotes:",
        );
    write(&path, &text);
    let sprint = source.ws().join("sprints");
    let sprint = std::fs::read_dir(sprint)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let sprint_text = format!("{}# planning notes stay here\n", source.read(&sprint));
    write(&sprint, &sprint_text);
    let before = record_files(&source.ws());
    assert!(
        before.keys().any(|k| k.starts_with("archive/tasks/")),
        "{before:#?}"
    );

    let export = source.ok(&["export", "--json"]);
    let target = TestEnv::new();
    write(&target.path().join("backlog.json"), &export);
    target.json(&["import", "json", "backlog.json"]);
    let after = record_files(&target.ws());
    assert_eq!(after, before);
    assert!(after.values().any(|t| t.contains("reviewer: alice")));
}
