//! The tools on generated arguments: any tool, any mix of its own argument
//! names and strangers, any JSON value in each — hostile ids, huge numbers,
//! nested objects. Every call returns an answer (a result or a failure that
//! says what was wrong), never a panic, and leaves every record file
//! loadable.

use super::run;
use crate::api::{OpenOptions, Orchestron};
use crate::mcp::catalog;
use crate::model::strategies::config;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("TASK-7k2mq".to_string()),
        Just("../../etc/passwd".to_string()),
        Just("%2e%2e%2f".to_string()),
        Just(String::new()),
        Just("TASK-\u{0}x".to_string()),
        Just("x".repeat(20_000)),
        Just("-1".to_string()),
        Just("DONE".to_string()),
        Just("2026-13-45".to_string()),
        Just("90s".to_string()),
        "[ -~]{0,24}",
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        Just(json!(u64::MAX)),
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A tool's name and arguments: mostly its own names, now and then a stranger.
fn call() -> impl Strategy<Value = (&'static str, Map<String, Value>)> {
    let tools = catalog::tools();
    (0..tools.len()).prop_flat_map(move |i| {
        let def = &tools[i];
        let mut names: Vec<String> = def.args.clone();
        names.push("unknownArg".into());
        names.push("task_id".into());
        let pairs = proptest::collection::vec((proptest::sample::select(names), value()), 0..5);
        (Just(def.name), pairs.prop_map(|p| p.into_iter().collect()))
    })
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn any_arguments_to_any_tool_get_an_answer_and_break_no_record(
        calls in proptest::collection::vec(call(), 1..6)
    ) {
        let dir = tempfile::tempdir().unwrap();
        Orchestron::init(dir.path(), false).unwrap();
        let opts = OpenOptions {
            root: Some(dir.path().to_path_buf()),
            cwd: dir.path().to_path_buf(),
            agent: Some("fuzz".into()),
            build_progress: None,
            start_watcher: None,
            clock: crate::model::Clock::system(),
        };
        let mut o = Orchestron::open(&opts).unwrap();
        let seeded = o
            .create_task(crate::api::NewTask { title: "seed".into(), ..Default::default() })
            .unwrap();
        prop_assert_eq!(seeded.id.as_str().len() > 5, true);
        for (name, args) in calls {
            let def = catalog::find(name).unwrap();
            if let Err(f) = run(&mut o, def, Some(&args)) {
                prop_assert!(!f.message.trim().is_empty(), "{} failed without a word", name);
            }
        }
        let reopened = Orchestron::open(&opts).unwrap();
        let problems = reopened.check().unwrap();
        prop_assert!(
            problems.iter().all(|p| p.severity != crate::model::Severity::Error),
            "{:?}", problems
        );
    }
}
