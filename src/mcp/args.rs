//! Reading a tool call's arguments. Arguments arrive as a loose JSON object
//! written by a model, so the reader is strict about what matters and lenient
//! about the rest: unknown keys are refused with the list of valid ones (a typo
//! must not be silently ignored), `snake_case` spellings of the camelCase names
//! are accepted (`task_id`, `acceptance_criteria`), `null` means "not given",
//! a list argument takes one value or several, and numbers or booleans sent as
//! strings are read. Every refusal names the argument, the value and what is
//! expected.

use serde_json::{Map, Value};
use std::str::FromStr;

/// A refused argument: the message the caller sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError(pub String);

impl std::fmt::Display for ArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub type ArgResult<T> = Result<T, ArgError>;

/// The arguments of one call, keyed by their canonical camelCase names.
#[derive(Debug, Default)]
pub struct Args {
    values: Map<String, Value>,
}

/// `task_id` → `taskId`; camelCase names pass unchanged.
fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' || c == '-' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A value shown in an error message, cut short.
fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

impl Args {
    /// Reads `raw`, refusing keys not in `allowed` (canonical names).
    pub fn new(raw: Option<&Map<String, Value>>, allowed: &[&str]) -> ArgResult<Args> {
        let mut values = Map::new();
        for (key, value) in raw.into_iter().flatten() {
            let canonical = camel(key);
            if !allowed.contains(&canonical.as_str()) {
                let valid = if allowed.is_empty() {
                    "it takes no arguments".to_string()
                } else {
                    format!("valid arguments: {}", allowed.join(", "))
                };
                let name: String = key.chars().take(60).collect();
                return Err(ArgError(format!("unknown argument {name:?}; {valid}")));
            }
            if !value.is_null() {
                values.insert(canonical, value.clone());
            }
        }
        Ok(Args { values })
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    /// A required string.
    pub fn req_str(&self, key: &str) -> ArgResult<String> {
        self.str(key)?
            .ok_or_else(|| ArgError(format!("missing required argument {key:?}")))
    }

    /// An optional string; numbers and booleans are taken as their text.
    pub fn str(&self, key: &str) -> ArgResult<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => Ok(Some(v.to_string())),
            Some(v) => Err(ArgError(format!(
                "{key}: expected a string, got {}",
                shown(v)
            ))),
        }
    }

    /// One string or a list of strings.
    pub fn str_list(&self, key: &str) -> ArgResult<Vec<String>> {
        self.one_or_many(key)
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                Value::Number(_) | Value::Bool(_) => Ok(v.to_string()),
                _ => Err(ArgError(format!(
                    "{key}: expected a string or a list of strings, got {}",
                    shown(v)
                ))),
            })
            .collect()
    }

    /// The values of a key that takes one value or a list of them (agents send
    /// both `"status": "TODO"` and `"status": ["TODO"]`).
    fn one_or_many(&self, key: &str) -> Vec<&Value> {
        match self.get(key) {
            None => Vec::new(),
            Some(Value::Array(a)) => a.iter().collect(),
            Some(v) => vec![v],
        }
    }

    /// Whether the key was given (and not null).
    pub fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// An optional enum value, read leniently (any case, `-`/`_`/space).
    pub fn enum_val<T: FromStr<Err = crate::model::ModelError>>(
        &self,
        key: &str,
    ) -> ArgResult<Option<T>> {
        self.str(key)?
            .map(|s| s.parse::<T>().map_err(|e| ArgError(format!("{key}: {e}"))))
            .transpose()
    }

    /// One enum value or a list of them.
    pub fn enum_list<T: FromStr<Err = crate::model::ModelError>>(
        &self,
        key: &str,
    ) -> ArgResult<Vec<T>> {
        self.str_list(key)?
            .into_iter()
            .flat_map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .map(|s| s.parse::<T>().map_err(|e| ArgError(format!("{key}: {e}"))))
            .collect()
    }

    /// An optional whole number; a numeric string is accepted.
    pub fn int(&self, key: &str) -> ArgResult<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => as_int(v).map(Some).ok_or_else(|| {
                ArgError(format!("{key}: expected a whole number, got {}", shown(v)))
            }),
        }
    }

    /// An optional whole number within `min..=max`.
    pub fn int_in(&self, key: &str, min: i64, max: i64) -> ArgResult<Option<i64>> {
        match self.int(key)? {
            Some(n) if n < min || n > max => Err(ArgError(format!(
                "{key} must be between {min} and {max}, got {n}"
            ))),
            other => Ok(other),
        }
    }

    /// One whole number or a list of them.
    pub fn int_list(&self, key: &str) -> ArgResult<Vec<i64>> {
        self.one_or_many(key)
            .into_iter()
            .map(|v| {
                as_int(v).ok_or_else(|| {
                    ArgError(format!("{key}: expected whole numbers, got {}", shown(v)))
                })
            })
            .collect()
    }

    /// An optional boolean; `"true"`/`"false"` strings are accepted.
    pub fn bool(&self, key: &str) -> ArgResult<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(ArgError(format!(
                "{key}: expected true or false, got {}",
                shown(v)
            ))),
        }
    }

    /// A required JSON object; a string holding a JSON object is accepted too.
    pub fn req_object(&self, key: &str) -> ArgResult<Map<String, Value>> {
        match self.get(key) {
            None => Err(ArgError(format!("missing required argument {key:?}"))),
            Some(Value::Object(m)) => Ok(m.clone()),
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Object(m)) => Ok(m),
                _ => Err(ArgError(format!(
                    "{key}: expected a JSON object, got a string that is not one"
                ))),
            },
            Some(v) => Err(ArgError(format!(
                "{key}: expected a JSON object, got {}",
                shown(v)
            ))),
        }
    }
}

fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use serde_json::json;

    fn args(v: Value, allowed: &[&str]) -> ArgResult<Args> {
        Args::new(v.as_object(), allowed)
    }

    #[test]
    fn snake_case_keys_are_accepted_and_unknown_keys_refused() {
        let a = args(json!({"task_id": "TASK-1", "x": null}), &["taskId", "x"]).unwrap();
        assert_eq!(a.req_str("taskId").unwrap(), "TASK-1");
        assert!(!a.has("x"));
        let e = args(json!({"taskid2": 1}), &["taskId"]).unwrap_err();
        assert_eq!(e.0, "unknown argument \"taskid2\"; valid arguments: taskId");
    }

    #[test]
    fn lists_take_one_value_or_several() {
        let a = args(
            json!({"status": "in progress", "p": ["todo", "done"]}),
            &["status", "p"],
        )
        .unwrap();
        assert_eq!(
            a.enum_list::<Status>("status").unwrap(),
            vec![Status::InProgress]
        );
        assert_eq!(
            a.enum_list::<Status>("p").unwrap(),
            vec![Status::Todo, Status::Done]
        );
        let bad = args(json!({"status": "WIP"}), &["status"]).unwrap();
        let e = bad.enum_list::<Status>("status").unwrap_err().0;
        assert!(e.contains("\"WIP\"") && e.contains("IN_PROGRESS"), "{e}");
    }

    #[test]
    fn numbers_are_read_leniently_and_bounded() {
        let a = args(json!({"n": "42", "m": 101, "f": 2.5}), &["n", "m", "f"]).unwrap();
        assert_eq!(a.int("n").unwrap(), Some(42));
        assert_eq!(
            a.int_in("m", 0, 100).unwrap_err().0,
            "m must be between 0 and 100, got 101"
        );
        assert!(a.int("f").is_err());
    }
}
