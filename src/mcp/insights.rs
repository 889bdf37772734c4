//! The insight tools: `orchestron_predict_completion` and
//! `orchestron_analyze_bottlenecks`. Each makes one API call and answers with
//! the result as compact JSON in `content[0]` and as `structuredContent`; the
//! results are small by construction (lists capped at 10, with totals).

use super::args::Args;
use super::error::Failure;
use super::tools::{Output, Res, api, compact, to_map};
use crate::api::Orchestron;

pub fn predict_completion(o: &mut Orchestron, a: &Args) -> Res {
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let target = match (nonempty(a.str("taskId")?), nonempty(a.str("sprintId")?)) {
        (Some(t), None) => t,
        (None, Some(s)) => s,
        _ => {
            return Err(Failure::invalid(
                "give exactly one of taskId (a task, epic or story) or sprintId",
            ));
        }
    };
    let f = api(o.predict(&target))?;
    Ok(Output {
        text: compact(&f),
        extra: Vec::new(),
        structured: to_map(&f),
    })
}

pub fn analyze_bottlenecks(o: &mut Orchestron, a: &Args) -> Res {
    let sprint = a.str("sprintId")?.filter(|s| !s.trim().is_empty());
    let r = api(o.analyze(sprint.as_deref()))?;
    Ok(Output {
        text: compact(&r),
        extra: Vec::new(),
        structured: to_map(&r),
    })
}
