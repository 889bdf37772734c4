//! Lossless edits of an existing task file. Only the fields that changed are
//! touched, through `yaml-edit`'s syntax tree, so a human's comments, key order
//! and formatting survive; a status change is a one-line diff and a new note adds
//! its line at the end of the list. The result is re-parsed and compared with the
//! intended record; if the edit could not express the change faithfully we fall
//! back to the canonical layout (keeping unknown keys) rather than write a file
//! that says something else.

use crate::model::{IdKind, Sprint, Task, assumed_keys, render};
use serde::Serialize;
use std::str::FromStr;
use yaml_edit::{Document, YamlNode};

/// A record kind whose files can be edited field by field.
pub trait Editable: Serialize + PartialEq + Sized {
    /// Canonical key order.
    const KEYS: &'static [&'static str];
    /// Keys always written, as `null` when empty: they are the stable lines
    /// between fields that change often.
    const ALWAYS: &'static [&'static str];
    /// Keys written even when unchanged if the file leaves them out: what the
    /// loader assumed for a hand-written file, written down by the first edit
    /// so that it no longer depends on the file's time.
    const PINNED: &'static [&'static str];
    /// The key's canonical text (`key: value` and any continuation lines).
    fn field_text(&self, key: &str) -> Option<String>;
    /// Every item of a list field, rendered as flow items (`None` for a field
    /// that is not such a list): an append adds the new ones, a change of
    /// items in place (a ticked criterion) replaces only those.
    fn items(&self, key: &str) -> Option<Vec<String>>;
    fn parse(text: &str) -> Option<Self>;
    fn canonical(&self, extra: &str) -> String;
}

impl Editable for Task {
    const KEYS: &'static [&'static str] = Task::KEYS;
    // Everything before `description`: the scalars and flow lists always written.
    const ALWAYS: &'static [&'static str] = Task::KEYS.split_at(13).0;
    const PINNED: &'static [&'static str] = assumed_keys(IdKind::Task);
    fn field_text(&self, key: &str) -> Option<String> {
        render::field(&render::task(self, ""), key)
    }
    fn items(&self, key: &str) -> Option<Vec<String>> {
        match key {
            "notes" => Some(self.notes.iter().map(render::entry).collect()),
            "clarifications" => Some(self.clarifications.iter().map(render::entry).collect()),
            "acceptance_criteria" => Some(
                self.acceptance_criteria
                    .iter()
                    .map(render::criterion)
                    .collect(),
            ),
            _ => None,
        }
    }
    fn parse(text: &str) -> Option<Self> {
        super::parse_task_text(text).ok()
    }
    fn canonical(&self, extra: &str) -> String {
        render::task(self, extra)
    }
}

impl Editable for Sprint {
    const KEYS: &'static [&'static str] = Sprint::KEYS;
    const ALWAYS: &'static [&'static str] = Sprint::KEYS;
    const PINNED: &'static [&'static str] = assumed_keys(IdKind::Sprint);
    fn field_text(&self, key: &str) -> Option<String> {
        render::field(&render::sprint(self, ""), key)
    }
    fn items(&self, _key: &str) -> Option<Vec<String>> {
        None
    }
    fn parse(text: &str) -> Option<Self> {
        super::load::parse_with_check::<Sprint>(text, Sprint::validate).ok()
    }
    fn canonical(&self, extra: &str) -> String {
        render::sprint(self, extra)
    }
}

/// The new text of a record file whose current text is `original` (parsed as
/// `old`) after changing the record to `new`.
pub fn edit_text<T: Editable>(original: &str, old: &T, new: &T) -> String {
    edit_checked(original, old, new, |text| {
        T::parse(text).is_some_and(|t| &t == new).then_some(())
    })
    .0
}

/// [`edit_text`] with the check of the edited text supplied by the caller:
/// `check` returns what it learnt from a faithful edit (the record store keeps
/// its load for the index) or `None`. The second value is `None` when the
/// canonical fallback was written instead.
pub(crate) fn edit_checked<T: Editable, V>(
    original: &str,
    old: &T,
    new: &T,
    check: impl FnOnce(&str) -> Option<V>,
) -> (String, Option<V>) {
    if let Some(text) = try_edit(original, old, new)
        && let Some(checked) = check(&text)
    {
        return (text, Some(checked));
    }
    tracing::warn!("lossless edit not possible; rewriting the file in canonical layout");
    (new.canonical(&unknown_keys(original, T::KEYS)), None)
}

fn try_edit<T: Editable>(original: &str, old: &T, new: &T) -> Option<String> {
    let old_v = serde_json::to_value(old).ok()?;
    let new_v = serde_json::to_value(new).ok()?;
    let doc = Document::from_str(original).ok()?;
    let map = doc.as_mapping()?;
    let mut previous_present: Option<&str> = None;
    for &key in T::KEYS {
        let present = map.contains_key(key);
        let (o, n) = (&old_v[key], &new_v[key]);
        if o != n || (!present && T::PINNED.contains(&key)) {
            let absent = !T::ALWAYS.contains(&key)
                && (n.is_null() || n.as_array().is_some_and(|a| a.is_empty()));
            let block_seq = map.get_sequence(key).filter(|s| !s.is_flow_style());
            if absent {
                if present {
                    map.remove(key);
                }
            } else if let (Some(seq), true) = (&block_seq, appended_only(o, n)) {
                let items = new.items(key)?;
                for item in items.get(seq.len()..)? {
                    seq.push(item_node(item)?);
                }
            } else if let (Some(seq), Some(changed)) = (&block_seq, changed_in_place(o, n)) {
                // Only the changed lines, in the file's own indentation.
                let items = new.items(key)?;
                for i in changed {
                    if !seq.set(i, item_node(items.get(i)?)?) {
                        return None;
                    }
                }
            } else if let (Some(seq), Some(old_items), Some(new_items)) =
                (&block_seq, o.as_array(), n.as_array())
            {
                // Entries inserted among others (a merge places the other
                // side's notes in time order) or removed: item by item, so
                // the list keeps the file's layout instead of being replaced
                // by a re-indented block.
                reshape(seq, old_items, new_items, &new.items(key)?)?;
            } else {
                let node = Document::from_str(&new.field_text(key)?).ok()?.get(key)?;
                if present {
                    map.set(key, node);
                } else if let Some(prev) = previous_present {
                    map.insert_after(prev, key, node);
                } else {
                    map.insert_at_index(0, key, node);
                }
            }
        }
        if map.contains_key(key) {
            previous_present = Some(key);
        }
    }
    Some(doc.to_string())
}

/// True when `new` is `old` with items added at the end.
fn appended_only(old: &serde_json::Value, new: &serde_json::Value) -> bool {
    match (old.as_array(), new.as_array()) {
        (Some(o), Some(n)) => n.len() > o.len() && n[..o.len()] == o[..],
        _ => false,
    }
}

/// The indices of the items that differ when `new` has as many items as
/// `old` (a ticked criterion), else `None`.
fn changed_in_place(old: &serde_json::Value, new: &serde_json::Value) -> Option<Vec<usize>> {
    let (o, n) = (old.as_array()?, new.as_array()?);
    (o.len() == n.len()).then(|| (0..o.len()).filter(|&i| o[i] != n[i]).collect())
}

/// Turns the block sequence `seq`, whose items are `old`, into `new` (whose
/// items render as `texts`) with the fewest whole-item edits this simple walk
/// finds: items kept stay untouched, new ones are inserted where they go,
/// gone ones removed, and an item replaced in place is set.
fn reshape(
    seq: &yaml_edit::Sequence,
    old: &[serde_json::Value],
    new: &[serde_json::Value],
    texts: &[String],
) -> Option<()> {
    let mut current = old.to_vec();
    let mut i = 0;
    while i < new.len() || i < current.len() {
        if i >= new.len() || (i < current.len() && !new[i..].contains(&current[i])) {
            seq.remove(i)?;
            current.remove(i);
            continue;
        }
        if current.get(i) == Some(&new[i]) {
            i += 1;
            continue;
        }
        let node = item_node(texts.get(i)?)?;
        if i >= current.len() {
            seq.push(node);
            current.push(new[i].clone());
        } else if !current[i..].contains(&new[i]) {
            seq.insert(i, node);
            current.insert(i, new[i].clone());
        } else if !seq.set(i, node) {
            return None;
        } else {
            current[i] = new[i].clone();
        }
        i += 1;
    }
    Some(())
}

fn item_node(item: &str) -> Option<YamlNode> {
    Document::from_str(&format!("- {item}\n"))
        .ok()?
        .as_sequence()?
        .first()
}

/// Unknown top-level keys of a file, rendered as YAML, so a canonical rewrite
/// keeps what a human added.
fn unknown_keys(original: &str, known: &[&str]) -> String {
    let mut extra = yaml_serde::Mapping::new();
    for (k, v) in top_mapping(original.as_bytes()) {
        if k.as_str().is_some_and(|k| !known.contains(&k)) {
            extra.insert(k, v);
        }
    }
    render_mapping(&extra)
}

/// The unknown top-level keys (a human's additions) that only `theirs` added
/// in a three-way merge, rendered as YAML for appending to the merged text, so
/// a key added on the other branch is not lost. Keys both sides have keep ours.
pub fn added_keys(base: &[u8], ours: &[u8], theirs: &[u8], known: &[&str]) -> String {
    let (b, o) = (top_mapping(base), top_mapping(ours));
    let mut added = yaml_serde::Mapping::new();
    for (k, v) in top_mapping(theirs) {
        let unknown = k.as_str().is_some_and(|k| !known.contains(&k));
        if unknown && !o.contains_key(&k) && !b.contains_key(&k) {
            added.insert(k, v);
        }
    }
    render_mapping(&added)
}

/// A file's top-level mapping (empty when it is not one).
fn top_mapping(bytes: &[u8]) -> yaml_serde::Mapping {
    match yaml_serde::from_slice::<yaml_serde::Value>(bytes) {
        Ok(yaml_serde::Value::Mapping(m)) => m,
        _ => yaml_serde::Mapping::new(),
    }
}

fn render_mapping(map: &yaml_serde::Mapping) -> String {
    if map.is_empty() {
        return String::new();
    }
    yaml_serde::to_string(map).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, RecordId, Status};

    fn sample() -> (String, Task) {
        let created = "2026-11-24T16:02:11Z".parse().unwrap();
        let t = Task::new(
            RecordId::parse("TASK-7k2mq").unwrap(),
            "Reset".into(),
            created,
        );
        (render::task(&t, ""), t)
    }

    fn changed_lines(a: &str, b: &str) -> usize {
        let (a, b): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
        if a.len() != b.len() {
            return usize::MAX;
        }
        a.iter().zip(&b).filter(|(x, y)| x != y).count()
    }

    #[test]
    fn status_change_is_a_one_line_diff_and_keeps_comments() {
        let (text, old) = sample();
        let text = format!(
            "# my notes on this task\n{}",
            text.replace("status: TODO", "status: TODO  # ask bob")
        );
        let mut new = old.clone();
        new.status = Status::InReview;
        let out = edit_text(&text, &old, &new);
        assert_eq!(changed_lines(&text, &out), 1, "{out}");
        assert!(out.contains("status: IN_REVIEW  # ask bob"), "{out}");
        assert!(out.starts_with("# my notes on this task\n"));
    }

    #[test]
    fn notes_inserted_among_others_keep_the_renderers_layout() {
        let (_, mut old) = sample();
        let note = |day: u32, text: &str| Entry {
            at: format!("2026-11-{day}T10:00:00Z").parse().unwrap(),
            by: "a".into(),
            text: text.into(),
        };
        old.notes = vec![note(20, "one"), note(22, "three"), note(24, "gone")];
        let text = format!("# kept comment\n{}", render::task(&old, ""));
        let mut new = old.clone();
        // As a merge leaves them: the other side's entry in time order, one removed.
        new.notes = vec![note(20, "one"), note(21, "two"), note(22, "three")];
        let out = edit_text(&text, &old, &new);
        assert_eq!(out, format!("# kept comment\n{}", render::task(&new, "")));
    }

    #[test]
    fn new_note_appends_exactly_one_line() {
        let (_, mut old) = sample();
        let at = "2026-11-25T10:00:00Z".parse().unwrap();
        old.notes.push(Entry {
            at,
            by: "a".into(),
            text: "first".into(),
        });
        let text = render::task(&old, "");
        let mut new = old.clone();
        new.notes.push(Entry {
            at,
            by: "b".into(),
            text: "Use OAuth2: not SAML # really".into(),
        });
        let out = edit_text(&text, &old, &new);
        assert_eq!(out.lines().count(), text.lines().count() + 1);
        assert!(out.starts_with(&text), "{out}");
    }

    #[test]
    fn first_note_and_description_land_in_canonical_place() {
        let (text, old) = sample();
        let mut new = old.clone();
        new.description = Some("Two\nlines\n".into());
        new.notes.push(Entry {
            at: old.created,
            by: "a".into(),
            text: "n".into(),
        });
        let out = edit_text(&text, &old, &new);
        assert_eq!(out, render::task(&new, ""));
    }

    #[test]
    fn unknown_keys_survive_edits() {
        let (text, old) = sample();
        let text = format!("{text}reviewer: carol\n");
        let mut new = old.clone();
        new.priority = crate::model::Priority::High;
        let out = edit_text(&text, &old, &new);
        assert!(out.contains("reviewer: carol"));
        assert!(out.contains("priority: HIGH"));
    }

    /// One change a user or an agent makes to a task.
    #[derive(Debug, Clone)]
    enum Change {
        Status(Status),
        Priority(crate::model::Priority),
        Title(String),
        Progress(u8),
        Assignee(Option<String>),
        Description(Option<String>),
        Note(Entry),
        Clarify(Entry),
        Label(String),
        CriterionDone,
    }

    fn change() -> impl proptest::strategy::Strategy<Value = Change> {
        use crate::model::strategies::{entry, line, text};
        use proptest::prelude::*;
        prop_oneof![
            proptest::sample::select(&[Status::Todo, Status::InProgress, Status::Done][..])
                .prop_map(Change::Status),
            proptest::sample::select(
                &[
                    crate::model::Priority::Low,
                    crate::model::Priority::Critical
                ][..]
            )
            .prop_map(Change::Priority),
            line().prop_map(Change::Title),
            (0u8..=100).prop_map(Change::Progress),
            proptest::option::of("[a-z]{1,8}").prop_map(Change::Assignee),
            proptest::option::of(text()).prop_map(Change::Description),
            entry().prop_map(Change::Note),
            entry().prop_map(Change::Clarify),
            "[a-z]{1,6}".prop_map(Change::Label),
            Just(Change::CriterionDone),
        ]
    }

    fn apply(t: &mut Task, c: Change) {
        match c {
            Change::Status(s) => t.status = s,
            Change::Priority(p) => t.priority = p,
            Change::Title(s) => t.title = s,
            Change::Progress(p) => t.progress = p,
            Change::Assignee(a) => t.assignee = a,
            Change::Description(d) => t.description = d,
            Change::Note(e) => t.notes.push(e),
            Change::Clarify(e) => t.clarifications.push(e),
            Change::Label(l) => {
                if !t.labels.contains(&l) {
                    t.labels.push(l);
                }
            }
            Change::CriterionDone => {
                if let Some(c) = t.acceptance_criteria.first_mut() {
                    c.done = !c.done;
                }
            }
        }
    }

    /// The task's file with a human's comments: a header, one before each
    /// top-level key chosen by `marks`, and one at the end.
    fn commented(text: &str, marks: &[bool]) -> (String, Vec<String>) {
        let mut out = String::from("# header comment\n");
        let mut comments = vec!["# header comment".to_string()];
        for (n, line) in text.lines().enumerate() {
            let top_key = line.starts_with(|c: char| c.is_ascii_lowercase());
            if top_key && marks.get(n % marks.len().max(1)).copied().unwrap_or(false) {
                let c = format!("# about line {n}");
                out.push_str(&c);
                out.push('\n');
                comments.push(c);
            }
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("# trailing comment\n");
        comments.push("# trailing comment".into());
        (out, comments)
    }

    proptest::proptest! {
        #![proptest_config(crate::model::strategies::config(128))]

        #[test]
        fn an_edit_reparses_as_the_intended_record_and_keeps_every_comment(
            old in crate::model::strategies::task(),
            changes in proptest::collection::vec(change(), 1..5),
            marks in proptest::collection::vec(proptest::prelude::any::<bool>(), 1..8),
        ) {
            let (text, comments) = commented(&render::task(&old, ""), &marks);
            proptest::prop_assume!(Task::parse(&text).as_ref() == Some(&old));
            let mut new = old.clone();
            for c in changes {
                apply(&mut new, c);
            }
            proptest::prop_assume!(new.validate().is_ok());
            let out = edit_text(&text, &old, &new);
            proptest::prop_assert_eq!(Task::parse(&out), Some(new), "{}", out);
            for c in &comments {
                proptest::prop_assert!(
                    out.lines().any(|l| l.trim_start() == c.as_str()),
                    "lost {:?}:\n--- before\n{}\n--- after\n{}", c, text, out
                );
            }
        }
    }
}
