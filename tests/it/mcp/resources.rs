//! The MCP server's resources, subscriptions, prompts and completions.

use super::start;
use rmcp::model::{GetPromptRequestParams, ReadResourceRequestParams, SubscribeRequestParams};
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resources_read_and_a_subscription_sees_a_hand_edit() {
    let mut env = start("claude-code").await;
    let id = env.create("Watch me").await;
    env.call("orchestron_task_claim", json!({"taskId": id}))
        .await;

    let list = env.client.list_all_resources().await.unwrap();
    let uris: Vec<&str> = list.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "orchestron://tasks/current",
            "orchestron://sprint/active",
            "orchestron://context/latest"
        ]
    );
    let templates = env.client.list_all_resource_templates().await.unwrap();
    assert_eq!(templates.len(), 4);

    let read = |uri: String| {
        let client = &env.client;
        async move {
            client
                .read_resource(ReadResourceRequestParams::new(uri))
                .await
        }
    };
    let current = read("orchestron://tasks/current".into()).await.unwrap();
    let body = match &current.contents[0] {
        rmcp::model::ResourceContents::TextResourceContents { text, .. } => text.clone(),
        _ => panic!("text expected"),
    };
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["tasks"][0]["id"], json!(id));
    assert!(read(format!("orchestron://tasks/{id}")).await.is_ok());
    let history = read(format!("orchestron://tasks/{id}/history"))
        .await
        .unwrap();
    let body = match &history.contents[0] {
        rmcp::model::ResourceContents::TextResourceContents { text, .. } => text.clone(),
        _ => panic!("text expected"),
    };
    let h: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(h["id"], json!(id));
    assert!(h["entries"].is_array(), "{h}");
    assert!(read("orchestron://context/latest".into()).await.is_ok());
    assert!(read("orchestron://tasks/TASK-zzzzz".into()).await.is_err());
    assert!(read("orchestron://tasks/../../x".into()).await.is_err());

    // Notifications carry only a URI, and the writes above may still be in
    // the watcher's window: a notification for `want` could be theirs, not the
    // edit's. So subscribe also to a record that does not exist yet, write it by
    // hand and wait for its notification: everything the watcher saw before it
    // has then been delivered (batches go out in order, and within a batch in
    // path order, where `TASK-zzzzz` comes last).
    let want = format!("orchestron://tasks/{id}");
    let barrier = "orchestron://tasks/TASK-zzzzz".to_string();
    assert_ne!(id, "TASK-zzzzz");
    for uri in [&want, &barrier] {
        #[allow(deprecated)]
        env.client
            .subscribe(SubscribeRequestParams::new(uri.clone()))
            .await
            .unwrap();
    }
    std::fs::write(
        env.env.task_path("TASK-zzzzz"),
        "id: TASK-zzzzz\ntitle: Barrier\ncreated: 2026-11-20T10:00:00Z\n",
    )
    .unwrap();
    let pushed = &mut env.pushed;
    let mut next = async |uri: &str| {
        tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(got) = pushed.recv().await {
                if got == uri {
                    return true;
                }
            }
            false
        })
        .await
    };
    assert_eq!(
        next(&barrier).await,
        Ok(true),
        "no notification for {barrier}"
    );
    let path = env.env.task_path(&id);
    let yaml = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, yaml.replace("priority: MEDIUM", "priority: HIGH")).unwrap();
    assert_eq!(
        next(&want).await,
        Ok(true),
        "no notifications/resources/updated for {want}"
    );
    let edited = read(want.clone()).await.unwrap();
    let body = match &edited.contents[0] {
        rmcp::model::ResourceContents::TextResourceContents { text, .. } => text.clone(),
        _ => panic!("text expected"),
    };
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["priority"], "HIGH", "{v}");

    // A new record file: list_changed.
    env.create("Another").await;
    let listed = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(uri) = env.pushed.recv().await {
            if uri == "list_changed" {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(listed, Ok(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prompts_resume_and_handoff() {
    let env = start("claude-code").await;
    let id = env.create("Resume me").await;
    env.call("orchestron_task_claim", json!({"taskId": id}))
        .await;
    let prompts = env.client.list_all_prompts().await.unwrap();
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["orchestron_resume", "orchestron_handoff"]);

    let resume = env
        .client
        .get_prompt(GetPromptRequestParams::new("orchestron_resume"))
        .await
        .unwrap();
    let body = serde_json::to_string(&resume.messages).unwrap();
    assert!(body.contains("Latest context") && body.contains("In progress"));
    assert!(body.contains(&id) && body.contains("Next ready task"));

    let handoff = env
        .client
        .get_prompt(GetPromptRequestParams::new("orchestron_handoff"))
        .await
        .unwrap();
    let body = serde_json::to_string(&handoff.messages).unwrap();
    assert!(body.contains("orchestron_handoff_prepare") && body.contains(&id));

    let bad = env
        .client
        .get_prompt(GetPromptRequestParams::new("orchestron_nope"))
        .await;
    assert!(bad.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_ids_complete_for_templates_and_the_handoff_prompt() {
    use rmcp::model::{ArgumentInfo, CompleteRequestParams, Reference};
    let env = start("claude-code").await;
    let a = env.create("One").await;
    let b = env.create("Two").await;
    env.call("orchestron_task_claim", json!({"taskId": b}))
        .await;
    let complete = |r: Reference, name: &str, value: &str| {
        let p = CompleteRequestParams::new(r, ArgumentInfo::new(name, value));
        let client = &env.client;
        async move { client.complete(p).await.expect("completion/complete") }
    };
    let all = complete(Reference::for_resource("orchestron://tasks/{id}"), "id", "").await;
    assert_eq!(
        all.completion.values,
        vec![b.clone(), a.clone()],
        "in progress first"
    );
    let typed: String = a.chars().take(7).collect::<String>().to_lowercase();
    let some = complete(
        Reference::for_resource("orchestron://tasks/{id}"),
        "id",
        &typed,
    )
    .await;
    assert!(some.completion.values.contains(&a));
    let prompt = complete(
        Reference::for_prompt("orchestron_handoff"),
        "taskId",
        "TASK-",
    )
    .await;
    assert_eq!(prompt.completion.values.len(), 2);
    let none = complete(
        Reference::for_resource("orchestron://tasks/{id}"),
        "id",
        "zzz",
    )
    .await;
    assert!(none.completion.values.is_empty());
}

/// A record file that does not parse is the user's file, not the server's
/// fault: resources and prompts answer with the broken-record code (-32010,
/// docs/MCP.md), never -32603 internal error, and the message names the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_record_is_its_own_json_rpc_code_not_an_internal_error() {
    let env = start("claude-code").await;
    let id = env.create("Break me").await;
    std::fs::write(env.task_file(&id), "id: [unclosed\ntitle: x\n").unwrap();
    let err = env
        .client
        .read_resource(ReadResourceRequestParams::new(format!(
            "orchestron://tasks/{id}"
        )))
        .await
        .unwrap_err();
    let rmcp::service::ServiceError::McpError(data) = err else {
        panic!("a JSON-RPC error expected, got {err:?}");
    };
    assert_eq!(data.code.0, -32010, "{data:?}");
    assert!(data.message.contains(&format!("{id}.yaml")), "{data:?}");
}
