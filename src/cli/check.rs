//! `orchestron check`: every problem in every record, as `path:line:col`, and a
//! non-zero exit when any is an error (for pre-commit hooks and CI).

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use crate::model::Severity;

pub fn run(ctx: &Ctx) -> CmdResult {
    let o = ctx.open()?;
    let problems = o.check()?;
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    if ctx.json {
        output::json(&problems)?;
    } else {
        let root = o.root().to_path_buf();
        let mut s = String::new();
        for p in &problems {
            // Paths relative to the current directory are clickable in terminals and editors.
            let abs = root.join(&p.path);
            let shown = std::env::current_dir()
                .ok()
                .and_then(|cwd| abs.strip_prefix(&cwd).ok().map(|r| r.display().to_string()))
                .unwrap_or_else(|| abs.display().to_string());
            s.push_str(&format!(
                "{shown}:{}:{}: {}: {}\n",
                p.line,
                p.column,
                severity(p.severity),
                p.message
            ));
        }
        let warnings = problems.len() - errors;
        s.push_str(&format!("{errors} error(s), {warnings} warning(s)\n"));
        output::text(&s)?;
    }
    Ok(if errors > 0 { Code::Problems } else { Code::Ok })
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
