//! `orchestron serve`: the board page live in a browser, over loopback HTTP.
//! The workspace's live updates (`Orchestron::live_updates`) signal each settled
//! batch of record changes; the server then refreshes, builds the board once
//! and pushes it to every open page as a server-sent event, so a human's edit
//! or an agent's tool call shows up without a reload. Read-only unless
//! started with `--write`: then `POST /api/tasks/{id}/status` moves a card
//! through `Orchestron::move_card` — `task update`'s use-case (same
//! validation, lock and lossless one-line write) that also refuses a task
//! another agent holds on a live claim — and a refusal comes back with its class and
//! message for the page to show on the card. Every request passes the shared
//! HTTP guard (`crate::http::Guard`: Host and Origin against DNS rebinding and
//! cross-site requests, bearer tokens off loopback, a body limit) first.
//!
//! Routes: `/` the page, `/board.json` the board, `/events` the stream,
//! `/api/tasks/{id}/status` the move.

use super::html;
use crate::api::{Board, BoardQuery, Error, ErrorClass, LiveUpdates, Orchestron, Updated};
use crate::http::{Guard, Tokens};
use crate::model::{Status, with_causes};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, watch};

/// What `serve` was asked for.
#[derive(Debug)]
pub struct ServeOptions {
    /// Where to listen (the CLI checked it with `check_bind`).
    pub addr: SocketAddr,
    /// Bearer tokens the guard accepts (none: loopback only).
    pub tokens: Tokens,
    /// Cards may move between columns.
    pub write: bool,
    /// The board every page shows (the filters of `orchestron board`).
    pub query: BoardQuery,
}

/// Why the server stopped or could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Api(#[from] Error),
    #[error("cannot listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the HTTP server failed")]
    Serve(#[source] std::io::Error),
    #[error("encoding the board")]
    Encode(#[from] serde_json::Error),
}

/// Shared by every request.
struct Shared {
    api: Mutex<Orchestron>,
    query: BoardQuery,
    write: bool,
    /// The latest board as JSON (safe inside a `<script>`), pushed to pages.
    board: watch::Sender<Arc<String>>,
}

impl Shared {
    /// Refreshes from the files and builds the board.
    fn build(&self) -> Result<(Board, Arc<String>), ServeError> {
        let mut api = self.api.lock().unwrap_or_else(|p| p.into_inner());
        api.refresh()?;
        self.board_of(&api)
    }

    /// The board from the index as it stands (the caller refreshed it).
    fn board_of(&self, api: &Orchestron) -> Result<(Board, Arc<String>), ServeError> {
        let board = api.board(&self.query)?;
        let json = Arc::new(html::script_json(&board)?);
        Ok((board, json))
    }

    /// Builds the board and pushes it to the pages when it changed.
    fn publish(&self) -> Result<Board, ServeError> {
        let (board, json) = self.build()?;
        self.push(json);
        Ok(board)
    }

    /// Pushes `json` to the pages when it is not the board they have.
    fn push(&self, json: Arc<String>) {
        self.board.send_if_modified(|current| {
            let changed = **current != *json;
            if changed {
                *current = json;
            }
            changed
        });
    }

    /// A move under one hold of the workspace lock
    /// ([`Orchestron::refresh_then`]): the refresh, the write and the board
    /// built from the index the write left — no second refresh (and second
    /// hold) to republish it, and no other writer lands in between.
    fn move_card(
        &self,
        id: &str,
        status: Status,
        force: bool,
    ) -> Result<(Updated, Board), ServeError> {
        let _span = tracing::debug_span!("board_move", id).entered();
        let (updated, board, json) = {
            let mut api = self.api.lock().unwrap_or_else(|p| p.into_inner());
            api.refresh_then(|api| -> Result<_, ServeError> {
                let updated = api.move_card(id, status, force)?;
                let (board, json) = self.board_of(api)?;
                Ok((updated, board, json))
            })??
        };
        self.push(json);
        tracing::debug!("moved {id} to {status}");
        Ok((updated, board))
    }
}

/// Serves until the process is stopped. `ready` hears the address bound
/// (with `--port 0`, the port the system chose) before the first request.
pub async fn serve(
    mut api: Orchestron,
    opts: ServeOptions,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let changed = Arc::new(Notify::new());
    let signal = changed.clone();
    // The one file monitor: refreshes ask it, and it signals every change.
    let _live: Option<LiveUpdates> = api
        .live_updates(move |_events| signal.notify_one())
        .inspect_err(|e| {
            tracing::warn!(
                "pages update only on reload, every refresh stats every record file: {}",
                with_causes(e)
            );
        })
        .ok();
    let board = api.board(&opts.query)?;
    let (tx, _) = watch::channel(Arc::new(html::script_json(&board)?));
    let shared = Arc::new(Shared {
        api: Mutex::new(api),
        query: opts.query.clone(),
        write: opts.write,
        board: tx,
    });
    tokio::spawn(republish(shared.clone(), changed));
    let listener = tokio::net::TcpListener::bind(opts.addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: opts.addr,
            source,
        })?;
    let bound = listener.local_addr().map_err(ServeError::Serve)?;
    let routes = Router::new()
        .route("/", get(page))
        .route("/board.json", get(board_json))
        .route("/events", get(events))
        .route("/api/tasks/{id}/status", post(move_card))
        .with_state(shared);
    // Last, so that every route is behind it.
    let app = Guard::new(bound, opts.tokens).protect(routes);
    ready(bound);
    axum::serve(listener, app).await.map_err(ServeError::Serve)
}

/// Rebuilds and pushes the board after each batch of file changes.
async fn republish(shared: Arc<Shared>, changed: Arc<Notify>) {
    loop {
        changed.notified().await;
        let s = shared.clone();
        match tokio::task::spawn_blocking(move || s.publish()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("board not refreshed: {}", with_causes(&e)),
            Err(e) => tracing::warn!("board not refreshed: {e}"),
        }
    }
}

async fn page(State(shared): State<Arc<Shared>>) -> Response {
    let s = shared.clone();
    let built = tokio::task::spawn_blocking(move || {
        let (board, _) = s.build()?;
        let mode = html::Mode {
            live: true,
            write: s.write,
        };
        Ok::<_, ServeError>(html::render(&board, mode)?)
    })
    .await;
    match built {
        Ok(Ok(page)) => Html(page).into_response(),
        Ok(Err(e)) => failure(StatusCode::INTERNAL_SERVER_ERROR, "internal", &e),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, "internal", &e),
    }
}

async fn board_json(State(shared): State<Arc<Shared>>) -> Response {
    let json = shared.board.borrow().clone();
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json.as_str().to_string(),
    )
        .into_response()
}

/// The stream of boards: the current one first (a page may have missed a
/// change between its load and this connection), then each new one.
async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let rx = shared.board.subscribe();
    let stream = futures_util::stream::unfold((rx, true), |(mut rx, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let json = rx.borrow_and_update().clone();
        Some((
            Ok(Event::default().event("board").data(json.as_str())),
            (rx, false),
        ))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[derive(Deserialize)]
struct MoveRequest {
    status: String,
    /// Move a card another agent holds (its claim ends; it is told).
    #[serde(default)]
    force: bool,
}

/// Moves a card: `task update ID --status S` through the API.
async fn move_card(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if !shared.write {
        return refusal(
            StatusCode::FORBIDDEN,
            "read_only",
            "the board is read-only: start it with `orchestron serve --write` to move cards".into(),
        );
    }
    let request: MoveRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                format!("expected {{\"status\": \"…\"}}: {e}"),
            );
        }
    };
    let s = shared.clone();
    let done = tokio::task::spawn_blocking(move || {
        let status: Status = request.status.parse().map_err(Error::from)?;
        s.move_card(&id, status, request.force)
    })
    .await;
    match done {
        Ok(Ok((updated, board))) => axum::Json(serde_json::json!({
            "task": updated.task,
            "changes": updated.changes,
            "warnings": updated.warnings,
            "board": board,
        }))
        .into_response(),
        Ok(Err(ServeError::Api(e))) => {
            let (code, class) = match e.class() {
                ErrorClass::NotFound => (StatusCode::NOT_FOUND, "not_found"),
                ErrorClass::InvalidInput => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
                // A claim refusal the page offers to force.
                ErrorClass::Conflict if matches!(e, Error::ClaimedByOther { .. }) => {
                    (StatusCode::CONFLICT, "claimed")
                }
                ErrorClass::Conflict => (StatusCode::CONFLICT, "conflict"),
                ErrorClass::BrokenRecord => (StatusCode::CONFLICT, "broken_record"),
                ErrorClass::NoWorkspace | ErrorClass::Unavailable | ErrorClass::Internal => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "internal")
                }
            };
            failure(code, class, &e)
        }
        Ok(Err(other)) => failure(StatusCode::INTERNAL_SERVER_ERROR, "internal", &other),
        Err(e) => failure(StatusCode::INTERNAL_SERVER_ERROR, "internal", &e),
    }
}

/// An error response: `{"error": message with causes, "class": …}`.
fn failure(code: StatusCode, class: &str, e: &(dyn std::error::Error + 'static)) -> Response {
    refusal(code, class, with_causes(e))
}

fn refusal(code: StatusCode, class: &str, message: String) -> Response {
    (
        code,
        axum::Json(serde_json::json!({ "error": message, "class": class })),
    )
        .into_response()
}
