use super::*;
use axum::body::Body;
use axum::routing::post;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;

const SECRET: &str = "0123456789abcdef-secret";

fn local(port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(
            http::HeaderName::from_bytes(k.as_bytes()).expect("header name"),
            HeaderValue::from_str(v).expect("header value"),
        );
    }
    h
}

fn forbidden(r: Result<Option<Caller>, Rejection>) -> String {
    match r {
        Err(Rejection::Forbidden(text)) => text,
        other => panic!("expected 403, got {other:?}"),
    }
}

#[test]
fn parse_addr_reads_ports_loopback_names_and_addresses() {
    assert_eq!(parse_addr("8080", 7).unwrap(), local(8080));
    assert_eq!(parse_addr(":8080", 7).unwrap(), local(8080));
    assert_eq!(parse_addr("localhost:9", 7).unwrap(), local(9));
    assert_eq!(parse_addr("LOCALHOST", 7).unwrap(), local(7));
    assert_eq!(
        parse_addr("127.0.0.2", 7).unwrap(),
        "127.0.0.2:7".parse().unwrap()
    );
    assert_eq!(
        parse_addr("[::1]:5", 7).unwrap(),
        "[::1]:5".parse().unwrap()
    );
    assert_eq!(
        parse_addr("0.0.0.0:5", 7).unwrap(),
        "0.0.0.0:5".parse().unwrap()
    );
    let e = parse_addr("example.com:80", 7373).unwrap_err();
    assert!(matches!(e, GuardError::BadAddr { .. }), "{e}");
    assert!(e.to_string().contains("127.0.0.1:7373"), "{e}");
    assert!(parse_addr("localhost:http", 7).is_err());
}

#[test]
fn a_loopback_bind_needs_nothing() {
    for addr in [
        "127.0.0.1:1",
        "[::1]:1",
        "127.8.9.1:1",
        "[::ffff:127.0.0.1]:1",
    ] {
        let addr: SocketAddr = addr.parse().unwrap();
        check_bind(addr, false, &Tokens::none()).unwrap();
    }
}

#[test]
fn a_non_loopback_bind_is_refused_without_allow_remote_and_a_token() {
    let addr: SocketAddr = "0.0.0.0:7373".parse().unwrap();
    let tokens = Tokens::single(SECRET, "test").unwrap();
    let e = check_bind(addr, false, &tokens).unwrap_err();
    assert!(matches!(e, GuardError::NotLoopback { .. }), "{e}");
    assert!(e.to_string().contains("--allow-remote"), "{e}");
    let e = check_bind(addr, true, &Tokens::none()).unwrap_err();
    assert!(matches!(e, GuardError::RemoteWithoutToken { .. }), "{e}");
    assert!(e.to_string().contains("ORCHESTRON_TOKEN"), "{e}");
    check_bind(addr, true, &tokens).unwrap();
    let v6: SocketAddr = "[2001:db8::1]:1".parse().unwrap();
    assert!(check_bind(v6, false, &tokens).is_err());
}

#[test]
fn token_files_hold_plain_and_named_tokens_and_comments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens");
    std::fs::write(
        &path,
        format!("# team tokens\n\n{SECRET}\nreviewer  {SECRET}-two  # the reviewer\n"),
    )
    .unwrap();
    let tokens = Tokens::load(Some(&path), Some("  env-token-0123456789 \n")).unwrap();
    assert_eq!(tokens.0.len(), 3);
    assert_eq!(format!("{tokens:?}"), "Tokens(3 configured)");
    assert_eq!(tokens.find(SECRET.as_bytes()).unwrap().agent, None);
    let named = tokens.find(format!("{SECRET}-two").as_bytes()).unwrap();
    assert_eq!(named.agent.as_deref(), Some("reviewer"));
    assert!(tokens.find(b"env-token-0123456789").is_some());
    assert!(tokens.find(b"env-token-012345678").is_none());
    assert!(tokens.find(b"").is_none());
}

#[test]
fn bad_token_sources_are_refused_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens");
    std::fs::write(&path, "# nothing\n").unwrap();
    assert!(matches!(
        Tokens::load(Some(&path), None),
        Err(GuardError::NoToken { .. })
    ));
    std::fs::write(&path, format!("a b {SECRET}\n")).unwrap();
    let e = Tokens::load(Some(&path), None).unwrap_err();
    assert!(
        e.to_string()
            .ends_with(":1: a line is `TOKEN` or `AGENT TOKEN`, not 3 words"),
        "{e}"
    );
    std::fs::write(&path, "short\n").unwrap();
    let e = Tokens::load(Some(&path), None).unwrap_err();
    assert!(matches!(e, GuardError::ShortToken { .. }), "{e}");
    let e = Tokens::load(None, Some("short")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ORCHESTRON_TOKEN: a token must be at least 16 characters"
    );
    let missing = dir.path().join("absent");
    assert!(matches!(
        Tokens::load(Some(&missing), None),
        Err(GuardError::TokenFile(_))
    ));
    assert!(Tokens::load(None, Some("   ")).unwrap().is_empty());
}

#[test]
fn host_must_name_the_bound_address_or_localhost_and_its_port() {
    let guard = Guard::new(local(7373), Tokens::none());
    for ok in ["127.0.0.1:7373", "localhost:7373", "LocalHost:7373"] {
        assert_eq!(
            guard.admit(&headers(&[("host", ok)]), None),
            Ok(None),
            "{ok}"
        );
    }
    for bad in [
        "evil.example:7373",
        "127.0.0.1:80",
        "localhost",
        "127.0.0.2:7373",
        "[::1]:7373",
    ] {
        let text = forbidden(guard.admit(&headers(&[("host", bad)]), None));
        assert!(text.contains("DNS rebinding"), "{bad}: {text}");
        assert!(text.contains("127.0.0.1:7373 or localhost:7373"), "{text}");
    }
    let text = forbidden(guard.admit(&HeaderMap::new(), None));
    assert!(text.contains("names no Host"), "{text}");
    let authority: Authority = "localhost:7373".parse().unwrap();
    assert_eq!(guard.admit(&HeaderMap::new(), Some(&authority)), Ok(None));
}

#[test]
fn a_v6_loopback_bind_accepts_its_bracketed_address() {
    let guard = Guard::new("[::1]:9".parse().unwrap(), Tokens::none());
    assert_eq!(
        guard.admit(&headers(&[("host", "[::1]:9")]), None),
        Ok(None)
    );
    forbidden(guard.admit(&headers(&[("host", "127.0.0.1:9")]), None));
}

#[test]
fn an_origin_must_be_loopback_or_the_server_itself() {
    let guard = Guard::new(local(7373), Tokens::none());
    let host = ("host", "127.0.0.1:7373");
    for ok in [
        "http://localhost:7373",
        "http://127.0.0.1:7373",
        "https://localhost",
        "http://localhost:3000",
        "http://[::1]:8080",
        "http://127.0.0.5",
    ] {
        assert_eq!(
            guard.admit(&headers(&[host, ("origin", ok)]), None),
            Ok(None),
            "{ok}"
        );
    }
    for bad in [
        "http://evil.example",
        "http://evil.example:7373",
        "null",
        "file://",
        "chrome-extension://abc",
        "http://localhost.evil.example",
        "http://127.0.0.1.evil.example",
    ] {
        let text = forbidden(guard.admit(&headers(&[host, ("origin", bad)]), None));
        assert!(text.contains("may not call this server"), "{bad}: {text}");
    }
}

#[test]
fn a_configured_token_is_required_and_names_its_agent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens");
    std::fs::write(&path, format!("planner {SECRET}\n")).unwrap();
    let guard = Guard::new(local(1), Tokens::load(Some(&path), None).unwrap());
    let host = ("host", "localhost:1");
    let bearer = format!("Bearer {SECRET}");
    assert_eq!(
        guard.admit(&headers(&[host, ("authorization", &bearer)]), None),
        Ok(Some(Caller {
            agent: Some("planner".into())
        }))
    );
    let lower = format!("bearer {SECRET}");
    assert!(
        guard
            .admit(&headers(&[host, ("authorization", &lower)]), None)
            .is_ok()
    );
    for bad in [
        vec![host],
        vec![host, ("authorization", "Bearer wrong-token-0123456789")],
        vec![host, ("authorization", SECRET)],
    ] {
        assert!(
            matches!(
                guard.admit(&headers(&bad), None),
                Err(Rejection::Unauthorized(_))
            ),
            "{bad:?}"
        );
    }
    // Host is checked before the token: a rebinding page learns nothing more.
    forbidden(guard.admit(
        &headers(&[("host", "evil:1"), ("authorization", &bearer)]),
        None,
    ));
}

#[test]
fn a_remote_bind_accepts_any_host_but_still_wants_the_token() {
    let guard = Guard::new(
        "0.0.0.0:7373".parse().unwrap(),
        Tokens::single(SECRET, "t").unwrap(),
    );
    let host = ("host", "tracker.lan:7373");
    let bearer = format!("Bearer {SECRET}");
    assert!(
        guard
            .admit(&headers(&[host, ("authorization", &bearer)]), None)
            .is_ok()
    );
    let same = [
        host,
        ("authorization", &bearer),
        ("origin", "http://tracker.lan:7373"),
    ];
    assert!(guard.admit(&headers(&same), None).is_ok());
    let foreign = [
        host,
        ("authorization", &bearer),
        ("origin", "http://evil.example"),
    ];
    forbidden(guard.admit(&headers(&foreign), None));
    assert!(matches!(
        guard.admit(&headers(&[host]), None),
        Err(Rejection::Unauthorized(_))
    ));
}

/// A router whose one route counts its calls, reports the caller it saw and
/// (misbehaving on purpose) sends a CORS wildcard.
fn counting_router(calls: Arc<AtomicUsize>) -> Router {
    Router::new().route(
        "/mcp",
        post(move |request: Request| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                let agent = request
                    .extensions()
                    .get::<Caller>()
                    .and_then(|c| c.agent.clone())
                    .unwrap_or_default();
                let _ = axum::body::to_bytes(request.into_body(), usize::MAX).await;
                ([(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], agent)
            }
        }),
    )
}

fn request(pairs: &[(&str, &str)], body: Vec<u8>) -> Request {
    let mut builder = http::Request::builder()
        .method("POST")
        .uri("/mcp")
        .header("content-length", body.len());
    for (k, v) in pairs {
        builder = builder.header(*k, *v);
    }
    builder.body(Body::from(body)).unwrap()
}

async fn body_text(response: Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[tokio::test]
async fn the_layer_answers_403_before_the_handler_runs() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Guard::new(local(7373), Tokens::none()).protect(counting_router(calls.clone()));
    let evil = request(
        &[
            ("host", "127.0.0.1:7373"),
            ("origin", "http://evil.example"),
        ],
        b"{}".to_vec(),
    );
    let response = app.clone().oneshot(evil).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        body_text(response)
            .await
            .contains("Origin \"http://evil.example\" may not call")
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "a refused request reached the handler"
    );

    let good = request(&[("host", "localhost:7373")], b"{}".to_vec());
    let response = app.oneshot(good).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none(),
        "a CORS wildcard got out"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_layer_refuses_bodies_past_the_limit() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Guard::new(local(1), Tokens::none())
        .with_max_body(64)
        .protect(counting_router(calls.clone()));
    let host = ("host", "localhost:1");
    let response = app
        .clone()
        .oneshot(request(&[host], vec![b'x'; 65]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    let response = app.oneshot(request(&[host], vec![b'x'; 64])).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_layer_hands_the_token_agent_to_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens");
    std::fs::write(&path, format!("planner {SECRET}\n")).unwrap();
    let app = Guard::new(local(1), Tokens::load(Some(&path), None).unwrap())
        .protect(counting_router(calls.clone()));
    let bearer = format!("Bearer {SECRET}");
    let response = app
        .clone()
        .oneshot(request(
            &[("host", "localhost:1"), ("authorization", &bearer)],
            vec![],
        ))
        .await
        .unwrap();
    assert_eq!(body_text(response).await, "planner");
    let response = app
        .oneshot(request(&[("host", "localhost:1")], vec![]))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers().get(header::WWW_AUTHENTICATE).unwrap(),
        "Bearer"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
