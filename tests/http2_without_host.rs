//! HTTP/2 requests carry no `Host` header: the server's authority is the `:authority`
//! pseudo-header, which hyper puts in the request's URI. The two checks that compare the page's
//! origin with the server (the SameSite cookie warning and the credentials refusal) must use it.
//! Proven with a real h2c client (hyper's HTTP/2 connection, prior knowledge) against a real
//! server (hyper-util's auto builder, which serves HTTP/1.1 and HTTP/2 on one port).

mod common;
#[path = "common/logs.rs"]
mod logs;

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use http_body_util::{BodyExt, Empty, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use logs::log_lines;
use tower::util::MapResponseLayer;
use tower::{service_fn, ServiceBuilder};
use tower_cors::{CorsDecision, CorsLayer};

/// Bounds each network step on loopback, which takes milliseconds: 20 s only turns a hang into
/// a failure, with room for two cores busy compiling.
const STEP: Duration = Duration::from_secs(20);

/// What the client saw: status, `Access-Control-Allow-Origin`, the layer's decision (copied
/// into `x-cors-decision` by the server) and whether the server's handler saw a `Host` header.
#[derive(Debug)]
struct Seen {
    version: http::Version,
    allow_origin: Option<String>,
    decision: String,
    host_header: String,
}

/// Serves `cors` around a handler that sets `set_cookie` (if any) on a listener already bound,
/// and sends one HTTP/2 request with these headers to it.
async fn h2c_round_trip(
    listener: tokio::net::TcpListener,
    cors: CorsLayer,
    set_cookie: Option<&'static str>,
    headers: &[(&str, &str)],
) -> Seen {
    let address = listener.local_addr().unwrap();
    let handler = service_fn(move |request: Request<hyper::body::Incoming>| async move {
        let mut response = Response::new(Full::new(Bytes::from_static(b"ok")));
        let host = if request.headers().contains_key("host") {
            "present"
        } else {
            "absent"
        };
        response
            .headers_mut()
            .insert("x-host-header", HeaderValue::from_static(host));
        if let Some(cookie) = set_cookie {
            response
                .headers_mut()
                .insert("set-cookie", HeaderValue::from_static(cookie));
        }
        Ok::<_, Infallible>(response)
    });
    let app = ServiceBuilder::new()
        .layer(MapResponseLayer::new(|mut response: Response<_>| {
            let decision = match response.extensions().get::<CorsDecision>() {
                Some(CorsDecision::Refused(refusal)) => refusal.reason().code().to_owned(),
                Some(CorsDecision::Allowed(_)) => "allowed".to_owned(),
                other => format!("{other:?}"),
            };
            response
                .headers_mut()
                .insert("x-cors-decision", HeaderValue::from_str(&decision).unwrap());
            response
        }))
        .layer(cors)
        .service(handler);
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("one connection");
        auto::Builder::new(TokioExecutor::new())
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(app))
            .await
            .expect("the connection to be served");
    });

    let stream = tokio::time::timeout(STEP, tokio::net::TcpStream::connect(address))
        .await
        .expect("connect in time")
        .expect("connect");
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .expect("an HTTP/2 handshake");
    let client = tokio::spawn(connection);
    let mut request = Request::builder().uri(format!("http://{address}/items"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Empty::<Bytes>::new()).unwrap();
    assert!(!request.headers().contains_key("host"));
    let response = tokio::time::timeout(STEP, sender.send_request(request))
        .await
        .expect("an answer in time")
        .expect("a response");
    let (parts, body) = response.into_parts();
    let body = tokio::time::timeout(STEP, body.collect())
        .await
        .expect("the body in time")
        .expect("the body")
        .to_bytes();
    assert_eq!(&body[..], b"ok");
    drop(sender);
    let _ = tokio::time::timeout(STEP, client).await;
    server.abort();
    let text = |name: &str| {
        parts
            .headers
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    Seen {
        version: parts.version,
        allow_origin: text("access-control-allow-origin"),
        decision: text("x-cors-decision").unwrap_or_default(),
        host_header: text("x-host-header").unwrap_or_default(),
    }
}

/// Runs `scenario` on a runtime of this thread, so that the server's events are captured too,
/// and returns its result with the warn-level lines it logged about cookies (building a policy
/// for a loopback page with credentials logs a warning of its own, which is not the subject).
fn with_warnings<T>(scenario: impl std::future::Future<Output = T>) -> (T, Vec<String>) {
    let mut result = None;
    let lines = log_lines(tracing::Level::WARN, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        result = Some(runtime.block_on(scenario));
    });
    // The runtime cookie warning alone; the configuration's warnings (credentials without
    // cross-origin protection also speaks of cookies) are another target.
    let lines = lines
        .into_iter()
        .filter(|line| line.contains("tower_cors::runtime") && line.contains("cookie"))
        .collect();
    (result.expect("the scenario ran"), lines)
}

async fn bound() -> tokio::net::TcpListener {
    tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()
}

fn credentialed(origins: &[&str]) -> CorsLayer {
    CorsLayer::builder()
        .allow_origins(origins.iter().copied())
        .allow_credentials(true)
        .build()
        .unwrap()
}

#[test]
fn http2_without_host_uses_the_authority_for_the_samesite_cookie_warning() {
    const PAGE: &str = "https://app.example.com";
    let (seen, lines) = with_warnings(async {
        h2c_round_trip(
            bound().await,
            credentialed(&[PAGE]),
            Some("session=abc; Path=/"),
            &[("origin", PAGE)],
        )
        .await
    });
    assert_eq!(seen.version, http::Version::HTTP_2);
    assert_eq!(seen.host_header, "absent");
    assert_eq!(seen.allow_origin.as_deref(), Some(PAGE));
    // 127.0.0.1 is not the page's site: the browser keeps the cookie same-site.
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].contains(
            "cookie session is set on a credentialed response to \"https://app.example.com\""
        ),
        "{}",
        lines[0]
    );

    // A page on the server's own host is the same site: no warning.
    let (seen, lines) = with_warnings(async {
        let listener = bound().await;
        let page = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().unwrap().port() ^ 1
        );
        let seen = h2c_round_trip(
            listener,
            credentialed(&[&page]),
            Some("session=abc; Path=/"),
            &[("origin", &page)],
        )
        .await;
        (seen, page)
    });
    let (seen, page) = seen;
    assert_eq!(seen.host_header, "absent");
    assert_eq!(seen.allow_origin.as_deref(), Some(page.as_str()));
    assert_eq!(lines, Vec::<String>::new());
}

#[test]
fn http2_without_host_uses_the_authority_for_the_credentials_refusal() {
    // A policy without credentials, and a request carrying cookies: refused as
    // credentials_not_allowed only when it is cross-origin, which is judged against the
    // `:authority` when there is no `Host`.
    let ((same, cross), lines) = with_warnings(async {
        let same_listener = bound().await;
        let same_origin = format!("http://{}", same_listener.local_addr().unwrap());
        let cross_listener = bound().await;
        let other_origin = format!(
            "http://localhost:{}",
            cross_listener.local_addr().unwrap().port()
        );
        let layer = || {
            CorsLayer::builder()
                .allow_origins([same_origin.as_str(), other_origin.as_str()])
                // The allowed request's decision is read back from the extensions too.
                .record_all_decisions(true)
                .build()
                .unwrap()
        };
        let same = h2c_round_trip(
            same_listener,
            layer(),
            None,
            &[("origin", &same_origin), ("cookie", "session=abc")],
        )
        .await;
        let cross = h2c_round_trip(
            cross_listener,
            layer(),
            None,
            &[("origin", &other_origin), ("cookie", "session=abc")],
        )
        .await;
        (same, cross)
    });
    assert_eq!(lines, Vec::<String>::new());
    for seen in [&same, &cross] {
        assert_eq!(seen.version, http::Version::HTTP_2);
        assert_eq!(seen.host_header, "absent");
    }
    assert_eq!(same.decision, "allowed", "{same:?}");
    assert_eq!(cross.decision, "credentials_not_allowed", "{cross:?}");
}
