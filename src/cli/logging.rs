//! Logs on stderr through `tracing`: always for the long-running commands
//! (`mcp`, `watch`), and for any other command only when `RUST_LOG` is set,
//! so that a short command pays nothing for it (`RUST_LOG=orchestron=debug`
//! says, for instance, why a refresh ran the full stat pass).

/// Installs the stderr subscriber; `default` is the filter when `RUST_LOG`
/// is unset. A second call keeps the first subscriber.
pub fn init(default: &str) {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default)),
        )
        .try_init();
}

/// For a short command: logs only when `RUST_LOG` asks for them.
pub fn init_if_asked() {
    if std::env::var_os("RUST_LOG").is_some_and(|v| !v.is_empty()) {
        init("warn");
    }
}
