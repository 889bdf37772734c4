//! The MCP server: rmcp's `ServerHandler`, implemented by hand so that every
//! answer has exactly the contract's shape. The use-case API is not made for
//! concurrent use, so it sits behind a mutex and every call runs on tokio's
//! blocking pool: it takes the lock, learns the caller's name from
//! `clientInfo` (`--agent` / ORCHESTRON_AGENT win, as the API decides),
//! refreshes the index from the files (so a hand edit or a `git pull` is seen
//! by the very next request), does its work, and collects what others changed
//! since the caller last looked for the notice in `content[1]`.

use super::error::{Failure, Request};
use super::{brief, catalog, complete, notice, prompts, push, resources, tools};
use crate::api::{OpenOptions, Orchestron};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestParams, CompleteResult,
    CompletionInfo, ContentBlock, GetPromptRequestParams, GetPromptResponse, Implementation,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    ResourceContents, ServerCapabilities, ServerConfig, SubscribeRequestParams, SubscriptionFilter,
    UnsubscribeRequestParams,
};
use rmcp::service::{NotificationContext, RequestContext, RoleServer, SubscriptionContext};
use rmcp::{ErrorData as McpError, ServerHandler};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// The server: cheap to clone, one per process.
#[derive(Clone)]
pub struct OrchestronServer {
    /// `None` until a workspace could be opened (see [`Self::lazy`]).
    api: Arc<Mutex<Option<Orchestron>>>,
    opts: OpenOptions,
    hub: Arc<push::Hub>,
    /// This client session's `resources/subscribe` URIs.
    session: Arc<push::Subscriptions>,
    /// Who a call is recorded as.
    attribution: Attribution,
}

/// Whose name a call is recorded under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attribution {
    /// One client per process (stdio): `--agent` / `ORCHESTRON_AGENT` win,
    /// then the client's `clientInfo.name`.
    Process,
    /// Many clients share the process (HTTP): each request is recorded as its
    /// own caller — the agent its token is bound to, else its `clientInfo`
    /// name — whatever the server process was started as.
    PerRequest,
}

impl OrchestronServer {
    /// Wraps an open workspace and starts watching its record files.
    pub fn new(mut o: Orchestron) -> Self {
        let server = OrchestronServer {
            api: Arc::new(Mutex::new(None)),
            opts: OpenOptions::default(),
            hub: Arc::new(push::Hub::default()),
            session: Arc::default(),
            attribution: Attribution::Process,
        };
        server.start_monitor(&mut o);
        if let Ok(mut api) = server.api.lock() {
            *api = Some(o);
        }
        server
    }

    /// A server for a folder with no workspace (yet): it starts anyway, so
    /// that a client registered for every project does not show a failed
    /// server, and each call says how to create one — until `orchestron init`
    /// has run, after which it opens the workspace on the next call.
    pub fn lazy(opts: OpenOptions) -> Self {
        OrchestronServer {
            api: Arc::new(Mutex::new(None)),
            opts,
            hub: Arc::new(push::Hub::default()),
            session: Arc::default(),
            attribution: Attribution::Process,
        }
    }

    /// Sets whose name calls are recorded under (see [`Attribution`]).
    pub fn with_attribution(mut self, attribution: Attribution) -> Self {
        self.attribution = attribution;
        self
    }

    /// The handler for one more client session of a shared server: the same
    /// workspace, file monitor and push channel, its own subscriptions.
    pub fn for_new_session(&self) -> Self {
        OrchestronServer {
            session: Arc::default(),
            ..self.clone()
        }
    }

    /// Starts the process's one file monitor, which lets each request
    /// refresh only what changed (without one, every request stats every
    /// file), is lent to CLI commands, and feeds the live updates.
    fn start_monitor(&self, o: &mut Orchestron) {
        if let Err(e) = o.start_monitor() {
            tracing::warn!("every request stats every record file, no live resource updates: {e}");
            return;
        }
        // The same monitor answers CLI commands that opted in; when
        // another process lends one already, that one keeps doing so.
        match o.lend_monitor() {
            Ok(socket) => tracing::debug!("serving CLI commands on {}", socket.display()),
            Err(e) if e.class() == crate::api::ErrorClass::Conflict => {
                tracing::debug!("not serving CLI commands: {e}");
            }
            Err(e) => tracing::warn!("not serving CLI commands: {e}"),
        }
        let tx = self.hub.sender();
        match o.live_updates(move |events| {
            let _ = tx.send(push::Batch::from_events(&events));
        }) {
            Ok(live) => self.hub.keep(live),
            Err(e) => tracing::warn!("no live resource updates: {e}"),
        }
    }

    /// Runs `f` on the blocking pool with the API locked, named for the caller
    /// and refreshed from the files. A call that `writes` holds the workspace
    /// lock once across its refresh and its write (not once each).
    async fn with_api<T: Send + 'static>(
        &self,
        client: Option<String>,
        writes: bool,
        f: impl FnOnce(&mut Orchestron) -> Result<T, Failure> + Send + 'static,
    ) -> Result<T, Failure> {
        let server = self.clone();
        let job = tokio::task::spawn_blocking(move || {
            let mut guard = server
                .api
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if guard.is_none() {
                // A missing workspace says how to create one (its class is
                // NoWorkspace); any other failure to open is reported as it is.
                let mut o = Orchestron::open(&server.opts).map_err(Failure::from)?;
                server.start_monitor(&mut o);
                *guard = Some(o);
            }
            let Some(o) = guard.as_mut() else {
                return Err(Failure::internal("no workspace"));
            };
            if let Some(name) = client.filter(|n| !n.trim().is_empty()) {
                match server.attribution {
                    Attribution::Process => o.set_client_name(&name),
                    Attribution::PerRequest => o.set_caller_name(&name),
                }
            }
            if writes {
                o.refresh_then(f).map_err(Failure::from)?
            } else {
                o.refresh().map_err(Failure::from)?;
                f(o)
            }
        });
        match job.await {
            Ok(r) => r,
            Err(e) => Err(Failure::internal(e)),
        }
    }
}

/// What every client shows the model about this server (kept under ~600
/// characters: it is paid in every session).
pub const INSTRUCTIONS: &str = "Orchestron tracks this project's tasks as YAML files in git. \
Start a session with orchestron_context_get (what the last session saved and handed off) \
then orchestron_task_list {\"ready\": true}. Take a task with orchestron_task_claim; \
record progress and notes with orchestron_task_update. End a session with \
orchestron_handoff_prepare (completedWork, remainingWork, notes). A result that says \
\"N updates since your last call\" means a human or another agent changed something: \
read it; orchestron_check_updates pages through the detail. (A human can run the \
orchestron_resume and orchestron_handoff prompts as slash commands.)";

/// The name used when a client sends none (a 2026-07-28 request may omit
/// `clientInfo`): recording the git user instead would credit a human with
/// the agent's work.
const UNNAMED_CLIENT: &str = "mcp-agent";

/// The caller's name — the agent its HTTP token is bound to, else its
/// `clientInfo.name` — trimmed to a sane recordable name.
fn client_name(ctx: &RequestContext<RoleServer>) -> Option<String> {
    let name = token_agent(ctx)
        .or_else(|| ctx.client_info().map(|i| i.name))
        .unwrap_or_default();
    let name: String = name
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect();
    Some(if name.is_empty() {
        UNNAMED_CLIENT.to_string()
    } else {
        name
    })
}

/// The agent name an HTTP request's bearer token is bound to, if any.
#[cfg(feature = "http")]
fn token_agent(ctx: &RequestContext<RoleServer>) -> Option<String> {
    ctx.extensions
        .get::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<crate::http::Caller>())
        .and_then(|caller| caller.agent.clone())
}

#[cfg(not(feature = "http"))]
fn token_agent(_ctx: &RequestContext<RoleServer>) -> Option<String> {
    None
}

/// What a tool call produced: the tool's answer (or refusal), a digest of
/// the changes others made since the caller last looked, and the caller's
/// claims that others' forced writes ended since it was last told.
type Called = (
    Result<super::output::Output, Failure>,
    crate::api::Digest,
    Vec<crate::api::ClaimLost>,
);

/// The line that tells a holder its claims ended ("Your claim on TASK-x
/// ended: bob forced a write at …"), in both views.
fn lost_line(lost: &[crate::api::ClaimLost]) -> Option<String> {
    let parts: Vec<String> = lost
        .iter()
        .map(|l| {
            format!(
                "{} ({} forced a write at {}; see its notes)",
                l.task,
                l.by,
                l.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )
        })
        .collect();
    (!parts.is_empty()).then(|| format!("Your claim ended on {}", parts.join("; ")))
}

/// The result in both views, each complete on its own: `content` is the text,
/// its explanations and the notice line; `structuredContent` opens with the
/// same `summary` line and carries the notice as text beside its data.
fn tool_result((out, unseen, lost): Called) -> CallToolResult {
    let lost = lost_line(&lost);
    let out = match out {
        Ok(out) => out,
        Err(failure) => {
            let mut content = vec![ContentBlock::text(failure.message)];
            content.extend(lost.map(ContentBlock::text));
            return CallToolResult::error(content);
        }
    };
    let mut content = vec![ContentBlock::text(out.text)];
    content.extend(out.extra.into_iter().map(ContentBlock::text));
    let mut structured = serde_json::Map::new();
    structured.insert("summary".into(), json!(out.summary));
    structured.extend(out.structured);
    if let Some(line) = lost {
        content.push(ContentBlock::text(line.clone()));
        structured.insert("claims_ended".into(), json!(line));
    }
    if let Some(line) = notice::notice(&unseen) {
        let mut updates = serde_json::Map::new();
        updates.insert("notice".into(), json!(line));
        updates.extend(brief::notice_digest(&unseen));
        content.push(ContentBlock::text(line));
        structured.insert("updates".into(), Value::Object(updates));
    }
    let mut result = CallToolResult::success(content);
    result.structured_content = Some(Value::Object(structured));
    result
}

impl ServerHandler for OrchestronServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_completions()
                .enable_prompts()
                .enable_resources()
                .enable_resources_list_changed()
                .enable_resources_subscribe()
                .build(),
        )
        .with_server_info(Implementation::new(
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION"),
        ))
        .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(
            catalog::tools().iter().map(|t| t.tool.clone()).collect(),
        ))
    }

    fn get_tool(&self, name: &str) -> Option<rmcp::model::Tool> {
        catalog::find(name).map(|t| t.tool.clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let Some(def) = catalog::find(&request.name) else {
            let names: Vec<&str> = catalog::tools().iter().map(|t| t.name).collect();
            let shown: String = request.name.chars().take(60).collect();
            return Err(McpError::invalid_params(
                format!("unknown tool {shown:?}; tools: {}", names.join(", ")),
                None,
            ));
        };
        let args = request.arguments;
        let called = self
            .with_api(client_name(&ctx), def.writes(), move |o| {
                let out = tools::run(o, def, args.as_ref());
                let unseen = if out.is_ok() {
                    o.unseen_changes(notice::DETAIL, notice::GROUPS)
                        .unwrap_or_default()
                } else {
                    crate::api::Digest::default()
                };
                // Told once, on whatever the holder calls next.
                let lost = o.take_lost_claims().unwrap_or_default();
                Ok((out, unseen, lost))
            })
            .await;
        let result = match called {
            Ok(c) => tool_result(c),
            Err(failure) => tool_result((Err(failure), crate::api::Digest::default(), Vec::new())),
        };
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let uri = request.uri;
        let target = uri.clone();
        let text = self
            .with_api(client_name(&ctx), false, move |o| {
                resources::read(o, &target)
            })
            .await
            .map_err(|f| f.rpc(Request::Resource(&uri)))?;
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, uri).with_mime_type("application/json"),
        ])
        .into())
    }

    #[allow(deprecated)]
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        if resources::parse(&request.uri).is_none() {
            return Err(McpError::invalid_params(
                format!(
                    "cannot subscribe to {:?}: not an orchestron:// resource",
                    request.uri
                ),
                None,
            ));
        }
        self.session.subscribe(&request.uri);
        self.session.forward_to(&self.hub, ctx.peer.clone());
        Ok(())
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.session.unsubscribe(&request.uri);
        Ok(())
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        let mut accepted = requested.supported_by(&self.get_info().capabilities);
        if let Some(uris) = accepted.resource_subscriptions.as_mut() {
            uris.retain(|u| resources::parse(u).is_some());
        }
        accepted.tools_list_changed = None;
        accepted.prompts_list_changed = None;
        Some(accepted)
    }

    async fn listen(&self, ctx: SubscriptionContext) -> Result<(), McpError> {
        self.hub.listen(ctx).await;
        Ok(())
    }

    async fn on_initialized(&self, ctx: NotificationContext<RoleServer>) {
        if let Some(info) = ctx.peer.peer_info() {
            tracing::info!(
                client = %info.client_info.name,
                version = %info.protocol_version,
                "client connected"
            );
        }
        self.session.forward_to(&self.hub, ctx.peer.clone());
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        let values = self
            .with_api(client_name(&ctx), false, move |o| {
                Ok(complete::complete(o, &request.r#ref, &request.argument))
            })
            .await
            .unwrap_or_default();
        let info = CompletionInfo::new(values).map_err(|e| McpError::internal_error(e, None))?;
        Ok(CompleteResult::new(info))
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(ListPromptsResult::with_all_items(prompts::list()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        let name = request.name;
        let args = request.arguments;
        let result = self
            .with_api(client_name(&ctx), false, move |o| {
                prompts::get(o, &name, args.as_ref())
            })
            .await
            .map_err(|f| f.rpc(Request::Prompt))?;
        Ok(result.into())
    }
}
