//! Beads exports with the quirks real ones have (an empty comment author,
//! headings among the criteria, criteria inside the description, bookkeeping
//! fields), a tk `.tickets/` folder and a kanban-md board, each in the
//! tool's own format; and what every import promises a script: exit 9 when
//! something could not be imported, 4 for a path that is not there.

use super::{by_external, import_twice, tasks, write};
use crate::common::TestEnv;
use serde_json::{Value, json};

#[test]
fn beads_empty_comment_authors_heading_criteria_and_bookkeeping() {
    let env = TestEnv::new();
    let lines = [
        json!({"id": "bd-1", "title": "Parser", "status": "open", "priority": 2, "issue_type": "task",
               "description": "Parse it.\n\n## Acceptance Criteria\n\n- [ ] reads UTF-8\n- [x] rejects tabs\n",
               "acceptance_criteria": "1) Unit tests\n- lexer covered\nIntegration:\n- end to end\n",
               "comments": [{"id": 1, "issue_id": "bd-1", "author": "", "text": "Anonymous hint", "created_at": "2026-08-03T12:00:00Z"}],
               "compaction_level": 0, "created_by": "alice", "original_size": 120, "content_hash": "abc",
               "created_at": "2026-08-01T09:00:00Z", "updated_at": "2026-08-03T12:00:00Z"}),
        json!({"id": "bd-2", "title": "Lexer", "status": "open", "priority": 1, "issue_type": "bug",
               "dependencies": [{"issue_id": "bd-2", "depends_on_id": "bd-1", "type": "blocks"}],
               "compaction_level": 0, "created_by": "bob",
               "created_at": "2026-08-01T09:00:00Z"}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    write(&env.path().join(".beads/issues.jsonl"), &text);
    let (first, all) = import_twice(&env, "beads", ".beads/issues.jsonl", 2);
    let parser = by_external(&all, "beads#bd-1");
    let criteria: Vec<&str> = parser["acceptance_criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        criteria,
        ["lexer covered", "end to end", "reads UTF-8", "rejects tabs"]
    );
    assert_eq!(parser["notes"][0]["by"], "unknown");
    assert_eq!(parser["notes"][0]["text"], "Anonymous hint");
    // Bookkeeping: named once in the report, no note on any task.
    assert_eq!(parser["notes"].as_array().unwrap().len(), 1, "{parser:#}");
    let ignored = first["ignored"].to_string();
    for k in ["compaction_level", "created_by", "original_size"] {
        assert!(ignored.contains(k), "{k} not in {ignored}");
    }
    let lexer = by_external(&all, "beads#bd-2");
    assert_eq!(lexer["depends_on"], json!([parser["id"]]));
    assert_eq!(lexer["labels"], json!(["bug"]));
}

#[test]
fn a_tk_tickets_folder_imports_from_the_project() {
    let env = TestEnv::new();
    let dir = env.path().join("app/.tickets");
    write(
        &dir.join("ap-0001.md"),
        "---\nid: ap-0001\nstatus: closed\ndeps: []\nlinks: []\ncreated: 2026-01-09T19:42:47Z\ntype: epic\npriority: 1\nassignee: Ray Myers\n---\n# Accounts\n\nEverything about accounts.\n",
    );
    write(
        &dir.join("ap-0002.md"),
        "---\nid: ap-0002\nstatus: in_progress\ndeps: [ap-0003]\nlinks: [ap-0001]\ncreated: 2026-01-10T08:00:00Z\ntype: bug\npriority: 0\nassignee: Steve\nparent: ap-0001\ntags: [auth]\nexternal-ref: gh-12\n---\n# Login loops on Safari\n\nThe cookie is dropped.\n\n## Design\n\nSameSite=Lax.\n\n## Acceptance Criteria\n\n- [ ] logs in on Safari\n- [ ] no loop\n\n## Notes\n\n**2026-01-11T09:30:00Z**\n\nReproduced on 17.2.\n",
    );
    write(
        &dir.join("ap-0003.md"),
        "---\nid: ap-0003\nstatus: open\ndeps: []\nlinks: []\ncreated: 2026-01-10T09:00:00Z\ntype: chore\npriority: 4\n---\n# Bump the cookie library\n",
    );
    let (first, all) = import_twice(&env, "tk", "app", 3);
    let login = by_external(&all, "tk#ap-0002");
    let epic = by_external(&all, "tk#ap-0001");
    let bump = by_external(&all, "tk#ap-0003");
    assert_eq!(login["title"], "Login loops on Safari");
    assert_eq!(login["status"], "IN_PROGRESS");
    assert_eq!(login["priority"], "CRITICAL");
    assert_eq!(login["parent"], epic["id"]);
    assert_eq!(login["depends_on"], json!([bump["id"]]));
    assert_eq!(login["labels"], json!(["auth", "bug"]));
    assert_eq!(login["acceptance_criteria"][1]["text"], "no loop");
    assert_eq!(login["notes"][0]["text"], "Reproduced on 17.2.");
    assert_eq!(login["notes"][0]["at"], "2026-01-11T09:30:00Z");
    assert!(
        login["description"]
            .as_str()
            .unwrap()
            .contains("## Design\n\nSameSite=Lax."),
        "{login:#}"
    );
    assert_eq!(epic["status"], "DONE");
    assert_eq!(epic["type"], "EPIC");
    assert_eq!(bump["type"], "TODO");
    assert_eq!(bump["priority"], "LOW");
    let unmapped = first["unmapped"].to_string();
    assert!(unmapped.contains("external-ref: gh-12"), "{unmapped}");
    assert!(unmapped.contains("linked to tk#ap-0001"), "{unmapped}");
}

#[test]
fn a_kanban_md_board_imports_with_its_columns_activity_and_archive() {
    let env = TestEnv::new();
    let dir = env.path().join("site/kanban");
    write(
        &dir.join("config.yml"),
        "version: 12\nboard:\n  name: Site Board\ntasks_dir: tasks\nstatuses:\n  - backlog\n  - name: todo\n  - name: in-progress\n    require_claim: true\n  - review\n  - shipped\n  - archived\npriorities: [low, medium, high, critical]\ndefaults:\n  status: backlog\n  priority: medium\nnext_id: 5\n",
    );
    write(
        &dir.join("tasks/001-set-up-hosting.md"),
        "---\nid: 1\ntitle: Set up hosting\nstatus: shipped\npriority: high\ncreated: 2026-01-15T10:00:00Z\nupdated: 2026-02-01T09:15:00Z\nstarted: 2026-01-20T14:30:00Z\ncompleted: 2026-02-01T09:15:00Z\ntags:\n    - infra\n---\n\nPick a host and deploy.\n",
    );
    write(
        &dir.join("tasks/002-landing-page.md"),
        "---\nid: 2\ntitle: Landing page\nstatus: in-progress\npriority: critical\ncreated: 2026-01-16T10:00:00Z\nupdated: 2026-01-17T10:00:00Z\nassignee: dana\ndepends_on: [1]\nclaimed_by: agent-7\nclaimed_at: 2026-01-17T10:00:00Z\ndue: 2026-03-01\nestimate: 3d\n---\n\nHero, pricing, footer.\n",
    );
    write(
        &dir.join("tasks/003-old-blog.md"),
        "---\nid: 3\ntitle: Old blog\nstatus: archived\npriority: low\ncreated: 2025-12-01T10:00:00Z\nupdated: 2025-12-02T10:00:00Z\n---\n",
    );
    write(
        &dir.join("tasks/004-copy-review.md"),
        "---\nid: 4\ntitle: Copy review\nstatus: review\npriority: medium\ncreated: 2026-01-18T10:00:00Z\nupdated: 2026-01-18T10:00:00Z\nblocked: true\nblock_reason: waiting for legal\n---\n",
    );
    write(
        &dir.join("activity.jsonl"),
        "{\"timestamp\":\"2026-01-17T10:00:00Z\",\"action\":\"move\",\"task_id\":2,\"detail\":\"todo -> in-progress\"}\n",
    );
    let (_, all) = import_twice(&env, "kanban-md", "site", 4);
    let hosting = by_external(&all, "kanban-md:Site-Board#1");
    let landing = by_external(&all, "kanban-md:Site-Board#2");
    let blog = by_external(&all, "kanban-md:Site-Board#3");
    let copy = by_external(&all, "kanban-md:Site-Board#4");
    assert_eq!(hosting["status"], "DONE");
    assert_eq!(hosting["closed"], "2026-02-01T09:15:00Z");
    assert_eq!(hosting["started"], "2026-01-20T14:30:00Z");
    assert_eq!(landing["status"], "IN_PROGRESS");
    assert_eq!(landing["priority"], "CRITICAL");
    assert_eq!(landing["depends_on"], json!([hosting["id"]]));
    assert_eq!(landing["notes"][0]["text"], "move: todo -> in-progress");
    let kept = landing["notes"][1]["text"].as_str().unwrap();
    assert!(
        kept.contains("claimed_by: agent-7") && kept.contains("due: 2026-03-01"),
        "{kept}"
    );
    assert_eq!(blog["status"], "CANCELLED");
    let archived = env.json(&["export"])["archived"].clone();
    assert!(
        archived.as_array().unwrap().contains(&blog["id"]),
        "{archived:#}"
    );
    assert_eq!(copy["status"], "BLOCKED");
}

#[test]
fn imports_that_cannot_bring_everything_exit_9_and_bad_paths_exit_4() {
    let env = TestEnv::new();
    let mut c = env.command(crate::common::BIN);
    c.args(["import", "github", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"[{"number":"x"}]"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(9), "{out:?}");
    let empty = env.run(&["import", "github", "/dev/null"]);
    assert_eq!(empty.code, 9, "{}", empty.stdout);
    assert!(
        empty.stdout.contains("could not be imported"),
        "{}",
        empty.stdout
    );
    let missing = env.run(&["import", "github", "no-such-file.json"]);
    assert_eq!(missing.code, 4, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("no-such-file.json"),
        "{}",
        missing.stderr
    );
    assert!(tasks(&env).is_empty());
}

#[test]
fn a_json_dry_run_counts_tasks_sprints_and_contexts_apart() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".orchestron-example");
    let source = TestEnv::bare();
    let copy = source.path().join(".orchestron");
    crate::common::copy_dir(&example, &copy);
    let export = source.ok(&["--root", copy.to_str().unwrap(), "export", "--json"]);
    let doc: Value = serde_json::from_str(&export).unwrap();
    let target = TestEnv::new();
    write(&target.path().join("backlog.json"), &export);
    let dry = target.ok(&["import", "json", "backlog.json", "--dry-run"]);
    let expected = format!(
        "Would create {} task(s), {} sprint(s) and {} context(s)",
        doc["tasks"].as_array().unwrap().len(),
        doc["sprints"].as_array().unwrap().len(),
        doc["contexts"].as_array().unwrap().len()
    );
    assert!(dry.contains(&expected), "{dry}");
}
