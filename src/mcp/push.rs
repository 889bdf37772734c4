//! Live updates. The API's live updates (built on the process's one file
//! monitor) feed one broadcast channel; two
//! kinds of listener drain it. Clients of the older protocol era subscribe
//! with `resources/subscribe` and get `notifications/resources/updated` for the
//! URIs they asked for, plus `notifications/resources/list_changed` when a
//! record appears or vanishes. Clients of the 2026-07-28 revision open
//! `subscriptions/listen` and get the same notifications through the
//! subscription's sink. Pushes are a courtesy: correctness never depends on
//! them (the notice on the next tool result carries the same news).
//!
//! One [`Hub`] serves a whole server process (one monitor, however many
//! clients); each client session has its own [`Subscriptions`] — over HTTP
//! many sessions share the hub, each told only of the URIs it asked for.

use super::resources;
use crate::api::{LiveUpdates, RecordChange, RecordEvent};
use rmcp::model::ResourceUpdatedNotificationParam;
use rmcp::service::{Peer, RoleServer, SubscriptionContext};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// One settled batch of record changes, as URIs.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Every URI whose content may have changed.
    pub updated: Vec<String>,
    /// A record appeared or vanished.
    pub list_changed: bool,
}

impl Batch {
    pub fn from_events(events: &[RecordEvent]) -> Batch {
        // A batch can name every record (the monitor lost track): no
        // quadratic de-duplication.
        let mut seen: HashSet<String> = HashSet::new();
        let mut updated: Vec<String> = Vec::new();
        for e in events {
            for uri in resources::affected(e.kind, &e.id) {
                if seen.insert(uri.clone()) {
                    updated.push(uri);
                }
            }
        }
        Batch {
            updated,
            list_changed: events.iter().any(|e| e.change != RecordChange::Changed),
        }
    }
}

/// The channel and the live updates that feed it: one per server process.
pub struct Hub {
    tx: broadcast::Sender<Batch>,
    live: Mutex<Option<LiveUpdates>>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            tx: broadcast::channel(256).0,
            live: Mutex::default(),
        }
    }
}

/// One older-era client session's `resources/subscribe` URIs, and whether
/// its forwarding task runs.
#[derive(Default)]
pub struct Subscriptions {
    subscribed: Mutex<HashSet<String>>,
    forwarding: AtomicBool,
}

/// Our URIs are case-insensitive in their ids; compare them folded.
fn fold(uri: &str) -> String {
    uri.to_ascii_lowercase()
}

impl Hub {
    /// A sender for the live updates' thread.
    pub fn sender(&self) -> broadcast::Sender<Batch> {
        self.tx.clone()
    }

    /// Keeps the live updates flowing as long as the hub.
    pub fn keep(&self, live: LiveUpdates) {
        if let Ok(mut w) = self.live.lock() {
            *w = Some(live);
        }
    }

    /// Serves one 2026-07-28 `subscriptions/listen` until it is cancelled.
    pub async fn listen(&self, ctx: SubscriptionContext) {
        let mut rx = self.tx.subscribe();
        let wants_list = ctx.accepted().resources_list_changed == Some(true);
        let accepted: HashSet<String> = ctx
            .accepted()
            .resource_subscriptions
            .iter()
            .flatten()
            .map(|u| fold(u))
            .collect();
        loop {
            let batch = tokio::select! {
                _ = ctx.cancelled() => break,
                b = rx.recv() => match b {
                    Ok(b) => b,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => break,
                },
            };
            if wants_list && batch.list_changed {
                let _ = ctx.sink().notify_resource_list_changed().await;
            }
            for uri in &batch.updated {
                if let Some(original) = ctx
                    .accepted()
                    .resource_subscriptions
                    .iter()
                    .flatten()
                    .find(|u| fold(u) == fold(uri))
                    .filter(|_| accepted.contains(&fold(uri)))
                {
                    let _ = ctx.sink().notify_resource_updated(original.clone()).await;
                }
            }
        }
    }
}

impl Subscriptions {
    pub fn subscribe(&self, uri: &str) {
        if let Ok(mut s) = self.subscribed.lock() {
            s.insert(fold(uri));
        }
    }

    pub fn unsubscribe(&self, uri: &str) {
        if let Ok(mut s) = self.subscribed.lock() {
            s.remove(&fold(uri));
        }
    }

    fn is_subscribed(&self, uri: &str) -> bool {
        self.subscribed
            .lock()
            .map(|s| s.contains(&fold(uri)))
            .unwrap_or(false)
    }

    /// Starts (once per session) forwarding the hub's batches to an
    /// older-era client over `peer`.
    pub fn forward_to(self: &Arc<Self>, hub: &Hub, peer: Peer<RoleServer>) {
        if self.forwarding.swap(true, Ordering::SeqCst) {
            return;
        }
        let session = self.clone();
        let mut rx = hub.tx.subscribe();
        tokio::spawn(async move {
            loop {
                let batch = match rx.recv().await {
                    Ok(b) => b,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                if batch.list_changed && peer.notify_resource_list_changed().await.is_err() {
                    break;
                }
                for uri in batch.updated.iter().filter(|u| session.is_subscribed(u)) {
                    let param = ResourceUpdatedNotificationParam::new(uri.clone());
                    if peer.notify_resource_updated(param).await.is_err() {
                        break;
                    }
                }
            }
            tracing::debug!("resource forwarding stopped");
        });
    }
}
