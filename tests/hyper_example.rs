//! Black-box tests of `cargo run --example hyper` (the README's "A plain hyper server"): the built example
//! is started on a free loopback port and sent real requests with hyper-util's client. The CORS
//! layer wraps a bare `service_fn`, so it answers preflights itself and decorates the handler's
//! answers, its 404 included.

#[path = "common/demo.rs"]
mod demo;

use std::process::Output;

use bytes::Bytes;
use demo::{start_example, Server};
use http::{HeaderMap, Method, StatusCode};

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example";

/// The example, configured through the environment for [`APP`].
fn start() -> Server {
    start_example(
        "hyper",
        &[
            ("CORS_ALLOWED_ORIGINS", APP),
            ("CORS_ALLOWED_METHODS", "GET,PUT,DELETE"),
            ("CORS_ALLOWED_HEADERS", "content-type"),
            ("CORS_MAX_AGE", "600"),
        ],
    )
}

/// A response as the client read it: status, headers, and the whole body.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    /// One header's value; `None` when absent. Panics when it appears more than once.
    fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.get_all(name).iter();
        let first = values.next()?;
        assert!(values.next().is_none(), "{name} appears more than once");
        Some(first.to_str().expect("a visible ASCII header value"))
    }

    /// The comma-separated items of every `Vary` value, trimmed and lowercased.
    fn vary(&self) -> Vec<String> {
        self.headers
            .get_all("vary")
            .iter()
            .flat_map(|value| value.to_str().unwrap_or_default().split(','))
            .map(|item| item.trim().to_ascii_lowercase())
            .filter(|item| !item.is_empty())
            .collect()
    }

    /// Names of the `access-control-*` headers.
    fn cors_headers(&self) -> Vec<&str> {
        self.headers
            .keys()
            .map(|name| name.as_str())
            .filter(|name| name.starts_with("access-control-"))
            .collect()
    }
}

/// Sends one request to `path` and reads the whole response.
async fn send(server: &Server, method: Method, path: &str, headers: &[(&str, &str)]) -> Reply {
    let url = format!("{}{path}", server.url());
    let (parts, body) = demo::send_http(method, &url, headers, Bytes::new())
        .await
        .into_parts();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// Runs the example to its exit.
fn run_to_exit(vars: &[(&str, &str)]) -> Output {
    demo::run_to_exit("hyper", vars)
}

#[tokio::test]
async fn preflight_from_an_allowed_origin_is_204_from_the_layer_with_the_allowed_methods() {
    let server = start();
    assert!(
        server.startup.contains("CORS policy from the environment"),
        "{}",
        server.startup
    );
    // On a path the handler does not know: the layer answers before the handler could 404.
    let reply = send(
        &server,
        Method::OPTIONS,
        "/items/1",
        &[
            ("origin", APP),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "content-type"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.header("access-control-allow-origin"), Some(APP));
    assert_eq!(
        reply.header("access-control-allow-methods"),
        Some("GET, PUT, DELETE")
    );
    assert_eq!(
        reply.header("access-control-allow-headers"),
        Some("content-type")
    );
    assert_eq!(reply.header("access-control-max-age"), Some("600"));
    assert_eq!(reply.header("access-control-allow-credentials"), None);
    assert!(
        reply.vary().contains(&"origin".to_owned()),
        "{:?}",
        reply.vary()
    );
    assert_eq!(reply.body, "");
}

#[tokio::test]
async fn get_from_an_allowed_origin_is_200_ok_with_the_origin_echoed_and_vary_origin() {
    let server = start();
    let reply = send(&server, Method::GET, "/", &[("origin", APP)]).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "ok"));
    assert_eq!(reply.header("access-control-allow-origin"), Some(APP));
    assert!(
        reply.vary().contains(&"origin".to_owned()),
        "{:?}",
        reply.vary()
    );
}

#[tokio::test]
async fn not_found_from_the_handler_still_carries_the_cors_headers() {
    let server = start();
    let reply = send(&server, Method::GET, "/nowhere", &[("origin", APP)]).await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::NOT_FOUND, "not found")
    );
    assert_eq!(reply.header("access-control-allow-origin"), Some(APP));
    assert!(
        reply.vary().contains(&"origin".to_owned()),
        "{:?}",
        reply.vary()
    );
}

#[tokio::test]
async fn disallowed_origin_is_not_echoed_and_its_preflight_is_refused() {
    let server = start();
    let reply = send(&server, Method::GET, "/", &[("origin", EVIL)]).await;
    // The handler still answers (the browser, not the server, withholds the response)...
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "ok"));
    // ...but nothing in it lets the browser hand it to the page.
    assert!(reply.cors_headers().is_empty(), "{:?}", reply.headers);
    assert_eq!(reply.vary(), ["origin"]);

    let preflight = send(
        &server,
        Method::OPTIONS,
        "/",
        &[("origin", EVIL), ("access-control-request-method", "PUT")],
    )
    .await;
    assert_eq!(preflight.status, StatusCode::FORBIDDEN);
    assert!(
        preflight.cors_headers().is_empty(),
        "{:?}",
        preflight.headers
    );
}

#[tokio::test]
async fn without_cors_variables_the_development_policy_allows_local_frontends() {
    let server = start_example("hyper", &[]);
    assert!(
        server.startup.contains("development policy") && server.startup.contains("localhost:*"),
        "{}",
        server.startup
    );
    let local = "http://localhost:5173";
    let reply = send(&server, Method::GET, "/", &[("origin", local)]).await;
    assert_eq!(reply.header("access-control-allow-origin"), Some(local));
    assert_eq!(
        reply.header("access-control-allow-credentials"),
        Some("true")
    );
    let refused = send(&server, Method::GET, "/", &[("origin", APP)]).await;
    assert_eq!(refused.header("access-control-allow-origin"), None);
}

#[test]
fn invalid_configuration_exits_1_listing_every_problem_before_listening() {
    let output = run_to_exit(&[
        ("CORS_ALLOWED_ORIGINS", "https://app.example.com/"),
        ("CORS_MAX_AGE", "soon"),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stdout.contains("listening on"), "{stdout}");
    for expected in [
        "CORS_ALLOWED_ORIGINS: \"https://app.example.com/\": an origin has no path; write \"https://app.example.com\"",
        "CORS_MAX_AGE: \"soon\"",
    ] {
        assert!(stderr.contains(expected), "{expected} missing from:\n{stderr}");
    }
}
