//! The user's git identity, for crediting CLI writes when no agent name is given.

use std::path::Path;

/// `git config user.name` as seen from `dir` (honouring repo-local config), or
/// `None` when git is absent or the name is unset.
pub fn user_name(dir: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["config", "user.name"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let name = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !name.is_empty()).then_some(name)
}
