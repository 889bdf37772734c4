//! Logs on stderr through `tracing`: always for the long-running commands
//! (`mcp`, `watch`), and for any other command only when `RUST_LOG` is set,
//! so that a short command pays nothing for it (`RUST_LOG=orchestron=debug`
//! says, for instance, why a refresh ran the full stat pass).

/// Installs the stderr subscriber; `default` is the filter when `RUST_LOG`
/// is unset. A second call keeps the first subscriber.
/// `RUST_LOG` takes `level` and `target=level` items, comma-separated
/// (`info,orchestron=debug`): `Targets`, which needs no regex engine in the
/// build, unlike `EnvFilter`.
pub fn init(default: &str) {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter: Targets = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .or_else(|| default.parse().ok())
        .unwrap_or_default();
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(false),
        )
        .with(filter)
        .try_init();
}

/// For a short command: logs only when `RUST_LOG` asks for them.
pub fn init_if_asked() {
    if std::env::var_os("RUST_LOG").is_some_and(|v| !v.is_empty()) {
        init("warn");
    }
}
