//! Backlog.md as real projects have it: an id used by a live task and an
//! archived one, `@name` assignees Backlog.md writes unquoted, "Won't Do",
//! milestone files with titles, `updated_date` on Done tasks, drafts, and a
//! second project whose `task-1` is a different task.

use super::{by_external, tasks, write};
use crate::common::TestEnv;
use serde_json::{Value, json};
use std::path::Path;

fn task(dir: &Path, file: &str, front: &str, body: &str) {
    write(&dir.join(file), &format!("---\n{front}\n---\n\n{body}"));
}

/// The web project's backlog (see the module text).
fn web_project(env: &TestEnv) {
    let dir = env.path().join("web/backlog");
    write(
        &dir.join("config.yml"),
        "project_name: \"Web App\"\ndefault_status: \"To Do\"\nstatuses: [\"To Do\", \"In Progress\", \"Done\", \"Won't Do\"]\n",
    );
    task(
        &dir,
        "tasks/task-1 - Login.md",
        "id: task-1\ntitle: Login\nstatus: In Progress\nassignee: @alice\nreporter: @bob\ncreated_date: '2026-06-01 09:00'\nupdated_date: '2026-06-03 10:00'\nlabels: [auth]\nmilestone: m-1\ndependencies: []\nordinal: 1000",
        "## Description\n\nLog in with a password.\n",
    );
    task(
        &dir,
        "tasks/task-2 - Signup.md",
        "id: task-2\ntitle: Signup\nstatus: Won't Do\nassignee: []\ncreated_date: '2026-06-01'\nlabels: []\ndependencies: [task-1]",
        "",
    );
    task(
        &dir,
        "tasks/task-3 - Reset.md",
        "id: task-3\ntitle: Reset password\nstatus: Done\nassignee: [@carol]\ncreated_date: '2026-05-01'\nupdated_date: '2026-06-10 14:30'\nlabels: []\ndependencies: []",
        "",
    );
    task(
        &dir,
        "tasks/task-4 - Profile.md",
        "id: task-4\ntitle: Profile page\nstatus: To Do\nassignee: []\ncreated_date: '2026-06-02'\nlabels: []\ndependencies: [task-1]",
        "",
    );
    task(
        &dir,
        "archive/tasks/task-1 - Old login.md",
        "id: task-1\ntitle: Old login\nstatus: To Do\nassignee: []\ncreated_date: '2025-01-01'\nlabels: []\ndependencies: []",
        "",
    );
    task(
        &dir,
        "archive/tasks/task-9 - Legacy SSO.md",
        "id: task-9\ntitle: Legacy SSO\nstatus: In Progress\nassignee: []\ncreated_date: '2025-01-02'\nlabels: []\ndependencies: [task-1]",
        "",
    );
    task(
        &dir,
        "milestones/m-1 - web-ui-polish.md",
        "id: m-1\ntitle: \"Web UI Polish\"",
        "## Description\n\nFiltering, UX polish and deep links.\n",
    );
    task(
        &dir,
        "drafts/task-10 - Idea.md",
        "id: task-10\ntitle: Idea\nstatus: To Do",
        "",
    );
}

fn find<'a>(tasks: &'a [Value], title: &str) -> &'a Value {
    tasks
        .iter()
        .find(|t| t["title"] == title)
        .unwrap_or_else(|| panic!("no task {title:?} in {tasks:#?}"))
}

#[test]
fn backlog_md_duplicate_ids_archive_at_assignees_wont_do_milestones_and_close_times() {
    let env = TestEnv::new();
    web_project(&env);
    let report = env.json(&["import", "backlog", "web"]);
    assert_eq!(report["found"], 6, "{report:#}");
    assert_eq!(report["created"].as_array().unwrap().len(), 6, "{report:#}");
    assert_eq!(report["skipped"], json!([]), "{report:#}");
    let all = tasks(&env);
    let export = env.json(&["export"]);
    let archived: Vec<&str> = export["archived"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // One id, two tasks: each keyed by its path, the archived one archived.
    let login = find(&all, "Login");
    let old = find(&all, "Old login");
    assert_eq!(
        login["external"],
        "backlog:Web-App#task-1@tasks/task-1 - Login.md"
    );
    assert_eq!(
        old["external"],
        "backlog:Web-App#task-1@archive/tasks/task-1 - Old login.md"
    );
    assert!(
        archived.contains(&old["id"].as_str().unwrap()),
        "{export:#}"
    );
    assert!(!archived.contains(&login["id"].as_str().unwrap()));
    let legacy = find(&all, "Legacy SSO");
    assert!(archived.contains(&legacy["id"].as_str().unwrap()));
    // Links go to the task in the same place as the one that links.
    assert_eq!(
        find(&all, "Profile page")["depends_on"],
        json!([login["id"]])
    );
    assert_eq!(legacy["depends_on"], json!([old["id"]]));
    // The archive stays out of the live lists.
    let ready = env.json(&["task", "list", "--ready"]);
    assert!(!ready.to_string().contains("Legacy SSO"), "{ready:#}");
    // `@` assignees, Won't Do, close times from updated_date.
    assert_eq!(login["assignee"], "alice");
    assert_eq!(find(&all, "Reset password")["assignee"], "carol");
    assert_eq!(find(&all, "Signup")["status"], "CANCELLED");
    let reset = find(&all, "Reset password");
    assert_eq!(reset["status"], "DONE");
    assert_eq!(reset["closed"], "2026-06-10T14:30:00Z");
    // The milestone file names the sprint and gives its goal.
    let sprint = env.json(&["sprint", "show", "Web UI Polish"]);
    assert_eq!(
        sprint["goal"], "Filtering, UX polish and deep links.",
        "{sprint:#}"
    );
    assert_eq!(login["sprint"], sprint["id"]);
    // Every key without a home is listed; drafts are counted, not imported.
    let unmapped = report["unmapped"].to_string();
    for kept in [
        "ordinal: 1000",
        "reporter: @bob",
        "updated_date: 2026-06-03 10:00",
    ] {
        assert!(unmapped.contains(kept), "{kept} not in {unmapped}");
    }
    assert!(
        report["ignored"].to_string().contains("1 draft"),
        "{report:#}"
    );
    assert_eq!(env.run(&["check"]).code, 0);
    // A second run matches every task, the duplicates included.
    let again = env.json(&["import", "backlog", "web"]);
    assert_eq!(again["created"], json!([]), "{again:#}");
    assert_eq!(again["unchanged"], 6, "{again:#}");
}

#[test]
fn two_backlog_md_projects_with_the_same_ids_both_import() {
    let env = TestEnv::new();
    web_project(&env);
    let api = env.path().join("api/backlog");
    write(&api.join("config.yml"), "project_name: API\n");
    task(
        &api,
        "tasks/task-1 - Rate limits.md",
        "id: task-1\ntitle: Rate limits\nstatus: To Do",
        "",
    );
    env.json(&["import", "backlog", "web"]);
    let report = env.json(&["import", "backlog", "api"]);
    assert_eq!(
        report["created"][0]["external"], "backlog:API#task-1",
        "{report:#}"
    );
    assert_eq!(report["unchanged"], 0);
}

#[test]
fn an_earlier_import_keyed_backlog_hash_id_is_matched_not_duplicated() {
    let env = TestEnv::new();
    let dir = env.path().join("old/backlog");
    task(
        &dir,
        "tasks/task-7 - Search.md",
        "id: task-7\ntitle: Search\nstatus: To Do",
        "",
    );
    // What an import before keys named their project left behind.
    env.ok(&["task", "create", "Search"]);
    let id = tasks(&env)[0]["id"].as_str().unwrap().to_string();
    let path = env.task_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("progress: 0\n", "progress: 0\nexternal: backlog#task-7\n"),
    )
    .unwrap();
    let report = env.json(&["import", "backlog", "old"]);
    assert_eq!(report["created"], json!([]), "{report:#}");
    assert_eq!(tasks(&env).len(), 1);
    let keyed = by_external(
        &tasks(&env),
        &format!("backlog:{}#task-7", project_hash(&report)),
    )
    .clone();
    assert_eq!(keyed["id"], id.as_str());
}

/// The hashed project name a report's keys carry (no `project_name`).
fn project_hash(report: &Value) -> String {
    let external = report["updated"][0]["external"].as_str().unwrap();
    external["backlog:".len()..external.find('#').unwrap()].to_string()
}

#[test]
fn a_file_that_cannot_be_read_is_listed_and_the_import_exits_9() {
    let env = TestEnv::new();
    let dir = env.path().join("p/backlog");
    task(&dir, "tasks/task-1 - Ok.md", "id: task-1\ntitle: Fine", "");
    write(
        &dir.join("tasks/task-2 - Broken.md"),
        "---\nid: task-2\ntitle: [unclosed\n---\n",
    );
    let r = env.run(&["import", "backlog", "p", "--json"]);
    assert_eq!(r.code, 9, "{}\n{}", r.stdout, r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["created"].as_array().unwrap().len(), 1);
    assert!(
        report["skipped"][0]
            .as_str()
            .unwrap()
            .contains("task-2 - Broken.md")
    );
}

#[test]
fn a_done_backlog_md_task_without_dates_closes_when_its_file_was_last_committed() {
    let env = TestEnv::new();
    let dir = env.path().join("g/backlog");
    task(
        &dir,
        "completed/task-5 - Shipped.md",
        "id: task-5\ntitle: Shipped\nstatus: Done",
        "",
    );
    task(
        &dir,
        "tasks/task-6 - Open.md",
        "id: task-6\ntitle: Open\nstatus: To Do",
        "",
    );
    env.git(&["add", "g"]);
    env.git(&["commit", "-q", "-m", "backlog"]);
    env.json(&["import", "backlog", "g"]);
    let all = tasks(&env);
    // The fixed commit date of the test environment.
    assert_eq!(find(&all, "Shipped")["closed"], "2026-11-20T10:00:00Z");
    assert_eq!(find(&all, "Open").get("closed"), None);
}

#[test]
fn an_import_of_many_tasks_leaves_the_index_cache_checkpointed() {
    // The WAL is kept between processes and every process that opens the
    // cache reads it whole: after a large import it would be every later
    // command's cost until the next write.
    let env = TestEnv::new();
    let dir = env.path().join("many/backlog");
    for i in 1..=300 {
        task(
            &dir,
            &format!("tasks/task-{i} - Work.md"),
            &format!("id: task-{i}\ntitle: Work item {i}\nstatus: To Do"),
            "## Description\n\nSome words about the work.\n",
        );
    }
    let report = env.json(&["import", "backlog", "many"]);
    assert_eq!(report["created"].as_array().unwrap().len(), 300);
    let wal = env.ws().join("cache/index.sqlite-wal");
    let size = std::fs::metadata(&wal).map_or(0, |m| m.len());
    // Without the checkpoint 600 such tasks left 811 KB (~1.3 KB a task).
    assert!(size <= 64 * 1024, "{} is {size} bytes", wal.display());
    assert_eq!(tasks(&env).len(), 300);
}
