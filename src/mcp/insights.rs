//! The insight tools: `orchestron_predict_completion` and
//! `orchestron_analyze_bottlenecks`. Each makes one API call and answers with
//! the result as compact JSON in `content[0]` and as `structuredContent`; the
//! results are small by construction (lists capped at 10, with totals).

use super::args::Args;
use super::error::Failure;
use super::output::{Output, Res, api, compact, to_map};
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
    let date = |d: Option<chrono::NaiveDate>| d.map_or("never".to_string(), |d| d.to_string());
    let summary = if f.insufficient_history {
        format!(
            "{}: {} open; no forecast: {}",
            f.target.id,
            f.remaining,
            f.missing.as_deref().unwrap_or("too little history")
        )
    } else {
        format!(
            "{}: {} open; 50 % by {}, 85 % by {}, 95 % by {}",
            f.target.id,
            f.remaining,
            date(f.p50),
            date(f.p85),
            date(f.p95)
        )
    };
    Ok(Output {
        summary,
        text: compact(&f),
        extra: Vec::new(),
        structured: to_map(&f),
    })
}

pub fn analyze_bottlenecks(o: &mut Orchestron, a: &Args) -> Res {
    let sprint = a.str("sprintId")?.filter(|s| !s.trim().is_empty());
    let r = api(o.analyze(sprint.as_deref()))?;
    let t = &r.bottlenecks.totals;
    let summary = format!(
        "{} root blocker(s), critical path of {}, {} cycle(s), {} long-running, {} in review, {} overloaded, {} stale claim(s)",
        t.root_blockers,
        t.critical_path,
        t.cycles,
        t.long_running,
        t.review_queue,
        t.overloaded,
        t.stale_claims
    );
    Ok(Output {
        summary,
        text: compact(&r),
        extra: Vec::new(),
        structured: to_map(&r),
    })
}
