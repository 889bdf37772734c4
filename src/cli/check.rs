//! `orchestron check`: every problem in every record, as `path:line:col`, and a
//! non-zero exit when any is an error (for pre-commit hooks and CI).

use super::Ctx;
use super::exit::{CmdResult, Code};
use super::output;
use crate::model::Severity;

pub fn run(ctx: &Ctx) -> CmdResult {
    let (problems, root) =
        ctx.with_archive(|o| Ok((o.check_with_archive()?, o.root().to_path_buf())))?;
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    if ctx.json {
        output::json(&problems)?;
    } else {
        let mut s = String::new();
        for p in &problems {
            s.push_str(&problem_line(&root, p));
            s.push('\n');
        }
        let warnings = problems.len() - errors;
        s.push_str(&format!("{errors} error(s), {warnings} warning(s)\n"));
        output::text(&s)?;
    }
    Ok(if errors > 0 { Code::Problems } else { Code::Ok })
}

/// One problem as the text views print it (`check` and `status` alike):
/// `path:line:col: severity: message`, the path relative to the current
/// directory so that terminals and editors can open it. (`--json` keeps the
/// workspace-relative `path` of the record.)
pub(super) fn problem_line(root: &std::path::Path, p: &crate::model::Problem) -> String {
    let abs = root.join(&p.path);
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| abs.strip_prefix(&cwd).ok().map(|r| r.display().to_string()))
        .unwrap_or_else(|| abs.display().to_string());
    let severity = match p.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("{shown}:{}:{}: {severity}: {}", p.line, p.column, p.message)
}
