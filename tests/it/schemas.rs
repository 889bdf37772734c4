//! The JSON Schemas shipped in templates/schemas/ (and installed by `init` for
//! editors) are generated from the model; this test keeps them in step.
//! Regenerate with `UPDATE_SCHEMAS=1 cargo test --test it schemas`.

use orchestron::model::{Config, ContextSnapshot, Sprint, Task};
use std::path::Path;

fn schema<T: schemars::JsonSchema>(title: &str) -> String {
    let mut s = schemars::schema_for!(T);
    s.insert("title".into(), title.into());
    let mut text = serde_json::to_string_pretty(&s).expect("schema serializes");
    text.push('\n');
    text
}

#[test]
fn shipped_schemas_match_the_model() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/schemas");
    let cases = [
        ("task.schema.json", schema::<Task>("Orchestron task")),
        ("sprint.schema.json", schema::<Sprint>("Orchestron sprint")),
        (
            "context.schema.json",
            schema::<ContextSnapshot>("Orchestron context snapshot"),
        ),
        (
            "config.schema.json",
            schema::<Config>("Orchestron config.yaml"),
        ),
    ];
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    for (name, expected) in cases {
        let path = dir.join(name);
        if update {
            std::fs::write(&path, &expected).expect("write schema");
            continue;
        }
        let actual = std::fs::read_to_string(&path).expect("read schema");
        assert_eq!(
            actual, expected,
            "{name} is stale: run UPDATE_SCHEMAS=1 cargo test --test it schemas"
        );
    }
}
