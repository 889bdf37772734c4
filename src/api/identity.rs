//! Who is acting: `--agent` > `ORCHESTRON_AGENT` > the MCP client's name > git
//! `user.name` > `$USER`, then mapped through `config.yaml`'s `agents:`. An
//! explicit flag wins over the environment, as in every other CLI.

use super::Orchestron;

impl Orchestron {
    /// Names the caller outright, ahead of `--agent` and `ORCHESTRON_AGENT`:
    /// for a server shared by many agents, where those would name the
    /// server's process rather than whoever is calling.
    pub fn set_caller_name(&mut self, name: &str) {
        self.agent = Some(name.to_string());
        self.actor = std::sync::OnceLock::new();
    }

    /// The name recorded as `by` and `assignee` for this caller.
    pub fn actor(&self) -> &str {
        self.actor.get_or_init(|| {
            let raw = self
                .agent
                .clone()
                .filter(|s| !s.trim().is_empty())
                .or_else(|| {
                    std::env::var("ORCHESTRON_AGENT")
                        .ok()
                        .filter(|s| !s.trim().is_empty())
                })
                .or_else(|| self.client.clone())
                .or_else(|| crate::git::user_name(self.ws.project_dir()))
                .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()))
                .unwrap_or_else(|| "unknown".to_string());
            self.ws.config.actor_name(raw.trim())
        })
    }
}
