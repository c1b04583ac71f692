//! CORS headers on error responses produced *inside* the layer.
//!
//! Every test builds a real axum 0.8 [`Router`] with real layers (tower-http's bearer
//! authentication, body limit and panic catcher, `tower_governor`'s rate limiter, axum's
//! `HandleErrorLayer`) and puts [`CorsLayer`] outermost, then proves that:
//!
//! - 401, 429, 413, 404, 405 and a 500 from a caught panic keep their status and carry the
//!   policy's headers for an allowed origin, and none of them (but still `Vary: Origin`) for a
//!   refused one;
//! - preflights are answered by the layer and never reach authentication or the rate limiter,
//!   while `OPTIONS` without `Access-Control-Request-Method` is an actual request;
//! - an inner `Err` passes through untouched, and the `HandleErrorLayer` arrangement turns such
//!   errors into responses that get CORS headers;
//! - CORS headers written by the inner stack are replaced, and its `Vary` is kept.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::error_handling::HandleErrorLayer;
use axum::http::header::{
    HeaderMap, HeaderName, ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD,
    AUTHORIZATION, CONTENT_LENGTH, ORIGIN, RETRY_AFTER, VARY,
};
use axum::http::{request, Method, Request, Response, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::BodyExt;
use tower::util::BoxCloneService;
use tower::{service_fn, BoxError, Layer, Service, ServiceBuilder, ServiceExt};
use tower_cors::{CorsLayer, ResponseBody};
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::GlobalKeyExtractor;
use tower_governor::GovernorLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::validate_request::ValidateRequestHeaderLayer;

const ALLOWED: &str = "https://app.example.com";
const REFUSED: &str = "https://evil.example";
const EXPOSED: &str = "x-request-id";

type CorsResponse = Response<ResponseBody<Body>>;

/// The policy of the issue: one origin, credentials, an exposed header.
fn cors() -> CorsLayer {
    CorsLayer::builder()
        .allow_origins([ALLOWED])
        .allow_credentials(true)
        .allow_methods(["GET", "POST", "PUT"])
        .allow_headers(["content-type", "authorization"])
        .expose_headers([EXPOSED])
        .max_age(Duration::from_secs(600))
        .build()
        .expect("the test policy is valid")
}

/// A request builder for `method uri`, with an `Origin` header when one is given.
fn cors_request(method: Method, uri: &str, origin: Option<&str>) -> request::Builder {
    let builder = Request::builder().method(method).uri(uri);
    match origin {
        Some(origin) => builder.header(ORIGIN, origin),
        None => builder,
    }
}

/// A bodiless `method uri` request from `origin`.
fn actual(method: Method, uri: &str, origin: &str) -> Request<Body> {
    cors_request(method, uri, Some(origin))
        .body(Body::empty())
        .expect("valid request")
}

/// A browser's preflight for `method` with an `Authorization` header.
fn preflight(uri: &str, origin: &str, method: &str) -> Request<Body> {
    cors_request(Method::OPTIONS, uri, Some(origin))
        .header(ACCESS_CONTROL_REQUEST_METHOD, method)
        .header(ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
        .body(Body::empty())
        .expect("valid request")
}

/// Every value of `name`, as bytes.
fn values<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Vec<&'a [u8]> {
    headers.get_all(name).iter().map(|v| v.as_bytes()).collect()
}

/// How many elements of all `Vary` lines name `origin` (in any case).
fn vary_origin_count(headers: &HeaderMap) -> usize {
    headers
        .get_all(VARY)
        .iter()
        .flat_map(|line| line.as_bytes().split(|&b| b == b','))
        .filter(|element| element.trim_ascii().eq_ignore_ascii_case(b"origin"))
        .count()
}

/// The response grants `origin` exactly as the policy says: one `Access-Control-Allow-Origin`
/// with the request's own bytes, credentials, the exposed header, and `Vary: Origin` once.
#[track_caller]
fn assert_cors_allowed<B>(response: &Response<B>, origin: &str) {
    let headers = response.headers();
    assert_eq!(
        values(headers, &ACCESS_CONTROL_ALLOW_ORIGIN),
        [origin.as_bytes()],
        "Access-Control-Allow-Origin on a {} response: {headers:?}",
        response.status(),
    );
    assert_eq!(
        values(headers, &ACCESS_CONTROL_ALLOW_CREDENTIALS),
        [b"true"],
        "Access-Control-Allow-Credentials on a {} response: {headers:?}",
        response.status(),
    );
    assert_eq!(
        values(headers, &ACCESS_CONTROL_EXPOSE_HEADERS),
        [EXPOSED.as_bytes()],
        "Access-Control-Expose-Headers on a {} response: {headers:?}",
        response.status(),
    );
    assert_eq!(
        vary_origin_count(headers),
        1,
        "Vary must name Origin exactly once on a {} response: {headers:?}",
        response.status(),
    );
}

/// The response grants nothing (no `Access-Control-*` header at all), but still says that it
/// depends on `Origin`.
#[track_caller]
fn assert_cors_refused<B>(response: &Response<B>) {
    let headers = response.headers();
    let granted: Vec<&HeaderName> = headers
        .keys()
        .filter(|name| name.as_str().starts_with("access-control-"))
        .collect();
    assert!(
        granted.is_empty(),
        "a refused origin got {granted:?} on a {} response: {headers:?}",
        response.status(),
    );
    assert_eq!(
        vary_origin_count(headers),
        1,
        "Vary must name Origin exactly once on a {} response: {headers:?}",
        response.status(),
    );
}

/// A successful preflight answer from the layer itself.
#[track_caller]
fn assert_preflight_granted<B>(response: &Response<B>, method: &str) {
    let headers = response.headers();
    assert_eq!(response.status(), StatusCode::NO_CONTENT, "{headers:?}");
    assert_eq!(
        values(headers, &ACCESS_CONTROL_ALLOW_ORIGIN),
        [ALLOWED.as_bytes()]
    );
    assert_eq!(
        values(headers, &ACCESS_CONTROL_ALLOW_CREDENTIALS),
        [b"true"]
    );
    // The whole configured list, so that the browser's cache covers every allowed method.
    assert_eq!(
        values(headers, &ACCESS_CONTROL_ALLOW_METHODS),
        [b"GET, POST, PUT"]
    );
    assert!(["GET", "POST", "PUT"].contains(&method));
    assert_eq!(
        values(headers, &ACCESS_CONTROL_ALLOW_HEADERS),
        [b"authorization"]
    );
    assert_eq!(values(headers, &ACCESS_CONTROL_MAX_AGE), [b"600"]);
}

/// `method uri` is answered with `status` both times: from the allowed origin with the policy's
/// headers, from a refused one with none of them.
async fn assert_status_decorated<S, B>(service: &S, method: Method, uri: &str, status: StatusCode)
where
    S: Service<Request<Body>, Response = Response<B>> + Clone,
    S::Error: std::fmt::Debug,
{
    let response = service
        .clone()
        .oneshot(actual(method.clone(), uri, ALLOWED))
        .await
        .expect("a response");
    assert_eq!(response.status(), status, "{method} {uri} from {ALLOWED}");
    assert_cors_allowed(&response, ALLOWED);

    let response = service
        .clone()
        .oneshot(actual(method.clone(), uri, REFUSED))
        .await
        .expect("a response");
    assert_eq!(response.status(), status, "{method} {uri} from {REFUSED}");
    assert_cors_refused(&response);
}

async fn body_bytes<B>(response: Response<B>) -> Bytes
where
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    response
        .into_body()
        .collect()
        .await
        .expect("the body can be read")
        .to_bytes()
}

async fn panicking_handler() -> &'static str {
    panic!("deliberate panic: CatchPanicLayer turns it into a 500");
}

/// The demo application of the contract, CORS outermost, with a counter right inside the CORS
/// layer that sees every request the layer lets through to the inner stack.
#[derive(Clone)]
struct Demo {
    service: BoxCloneService<Request<Body>, CorsResponse, Infallible>,
    inner_calls: Arc<AtomicUsize>,
}

impl Demo {
    fn new() -> Self {
        // tower-http 0.6.7 deprecated `bearer` as "too basic for real applications"; it is still
        // a real authentication layer that answers 401 by itself, which is all this needs.
        #[allow(deprecated)]
        let auth = ValidateRequestHeaderLayer::bearer("demo-token");
        // Two requests, then one more per minute, for every client: `GlobalKeyExtractor` needs no
        // `ConnectInfo`, so it works without sockets.
        let rate_limit = GovernorLayer::new(
            GovernorConfigBuilder::default()
                .key_extractor(GlobalKeyExtractor)
                .per_second(60)
                .burst_size(2)
                .finish()
                .expect("a valid rate limit"),
        );
        let router = Router::new()
            .route("/private", get(|| async { "secret" }).layer(auth))
            .route("/limited", get(|| async { "ok" }).layer(rate_limit))
            .route(
                "/echo",
                post(|body: Bytes| async move { body }).layer(RequestBodyLimitLayer::new(1024)),
            )
            .route("/get-only", get(|| async { "ok" }))
            .route(
                "/panic",
                get(panicking_handler).layer(CatchPanicLayer::new()),
            );

        let inner_calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&inner_calls);
        let service = ServiceBuilder::new()
            .layer(cors())
            .map_request(move |request: Request<Body>| {
                counter.fetch_add(1, Ordering::SeqCst);
                request
            })
            .service(router);
        Self {
            service: BoxCloneService::new(service),
            inner_calls,
        }
    }

    async fn send(&self, request: Request<Body>) -> CorsResponse {
        match self.service.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// How many requests went past the CORS layer.
    fn inner_calls(&self) -> usize {
        self.inner_calls.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn unauthorized_401_from_auth_layer_carries_cors_headers() {
    let app = Demo::new();
    assert_status_decorated(
        &app.service,
        Method::GET,
        "/private",
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn authorized_200_behind_auth_layer_carries_cors_headers() {
    let app = Demo::new();
    let request = cors_request(Method::GET, "/private", Some(ALLOWED))
        .header(AUTHORIZATION, "Bearer demo-token")
        .body(Body::empty())
        .unwrap();

    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_cors_allowed(&response, ALLOWED);
    assert_eq!(body_bytes(response).await, "secret");
}

#[tokio::test]
async fn too_many_requests_429_from_rate_limiter_carries_cors_headers() {
    let app = Demo::new();
    for _ in 0..2 {
        let response = app.send(actual(Method::GET, "/limited", ALLOWED)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_cors_allowed(&response, ALLOWED);
    }

    let response = app.send(actual(Method::GET, "/limited", ALLOWED)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_cors_allowed(&response, ALLOWED);
    // The limiter's own headers survive, and the layer exposes only what the policy lists.
    assert!(response.headers().contains_key(RETRY_AFTER));
    assert_eq!(
        values(response.headers(), &ACCESS_CONTROL_EXPOSE_HEADERS),
        [EXPOSED.as_bytes()]
    );

    let response = app.send(actual(Method::GET, "/limited", REFUSED)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key(RETRY_AFTER));
    assert_cors_refused(&response);
}

#[tokio::test]
async fn payload_too_large_413_from_body_limit_carries_cors_headers() {
    let app = Demo::new();
    let big = || Body::from(vec![b'x'; 2048]);

    // With `Content-Length`, the body-limit layer answers 413 itself; without it, the limited
    // body fails while the handler reads it, and axum answers 413.
    for origin in [ALLOWED, REFUSED] {
        let with_length = cors_request(Method::POST, "/echo", Some(origin))
            .header(CONTENT_LENGTH, "2048")
            .body(big())
            .unwrap();
        let without_length = cors_request(Method::POST, "/echo", Some(origin))
            .body(big())
            .unwrap();
        for request in [with_length, without_length] {
            let response = app.send(request).await;
            assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
            if origin == ALLOWED {
                assert_cors_allowed(&response, ALLOWED);
            } else {
                assert_cors_refused(&response);
            }
        }
    }

    let small = cors_request(Method::POST, "/echo", Some(ALLOWED))
        .body(Body::from("hello"))
        .unwrap();
    let response = app.send(small).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_cors_allowed(&response, ALLOWED);
    assert_eq!(body_bytes(response).await, "hello");
}

#[tokio::test]
async fn not_found_404_from_router_fallback_carries_cors_headers() {
    let app = Demo::new();
    assert_status_decorated(&app.service, Method::GET, "/nowhere", StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn method_not_allowed_405_for_actual_put_carries_cors_headers() {
    let app = Demo::new();
    assert_status_decorated(
        &app.service,
        Method::PUT,
        "/get-only",
        StatusCode::METHOD_NOT_ALLOWED,
    )
    .await;
}

#[tokio::test]
async fn internal_error_500_from_caught_panic_carries_cors_headers() {
    let app = Demo::new();
    assert_status_decorated(
        &app.service,
        Method::GET,
        "/panic",
        StatusCode::INTERNAL_SERVER_ERROR,
    )
    .await;
}

#[tokio::test]
async fn origin_is_compared_byte_for_byte_on_error_responses() {
    let app = Demo::new();
    for origin in [
        "https://APP.example.com",
        "https://app.example.com/",
        "https://app.example.com:443",
        "http://app.example.com",
        "null",
    ] {
        let response = app.send(actual(Method::GET, "/private", origin)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{origin}");
        assert_cors_refused(&response);
    }
}

#[tokio::test]
async fn request_without_origin_gets_vary_origin_and_no_grant() {
    let app = Demo::new();
    let request = cors_request(Method::GET, "/private", None)
        .body(Body::empty())
        .unwrap();

    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_cors_refused(&response);
}

#[tokio::test]
async fn preflights_are_answered_by_the_layer_and_never_reach_auth_or_rate_limiter() {
    let app = Demo::new();

    for _ in 0..10 {
        for uri in ["/private", "/limited"] {
            let response = app.send(preflight(uri, ALLOWED, "GET")).await;
            assert_preflight_granted(&response, "GET");
            assert!(body_bytes(response).await.is_empty());

            let response = app.send(preflight(uri, ALLOWED, "PUT")).await;
            assert_preflight_granted(&response, "PUT");

            let response = app.send(preflight(uri, REFUSED, "GET")).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
            assert!(response
                .headers()
                .get(ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none());
        }
    }
    assert_eq!(app.inner_calls(), 0, "a preflight reached the inner stack");

    // The rate limiter's budget of two is untouched by the 60 preflights above.
    for expected in [
        StatusCode::OK,
        StatusCode::OK,
        StatusCode::TOO_MANY_REQUESTS,
    ] {
        let response = app.send(actual(Method::GET, "/limited", ALLOWED)).await;
        assert_eq!(response.status(), expected);
        assert_cors_allowed(&response, ALLOWED);
    }
    assert_eq!(app.inner_calls(), 3);
}

#[tokio::test]
async fn options_without_request_method_is_an_actual_request_that_reaches_the_router() {
    let app = Demo::new();

    let response = app
        .send(actual(Method::OPTIONS, "/get-only", ALLOWED))
        .await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_cors_allowed(&response, ALLOWED);

    // On `/private` it even meets the authentication layer.
    let response = app.send(actual(Method::OPTIONS, "/private", ALLOWED)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_cors_allowed(&response, ALLOWED);

    let response = app
        .send(actual(Method::OPTIONS, "/get-only", REFUSED))
        .await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_cors_refused(&response);

    assert_eq!(app.inner_calls(), 3);
}

#[tokio::test]
async fn router_layer_arrangement_also_decorates_404_and_405() {
    // `Router::layer`, as in the crate's documentation, wraps every route and the fallback.
    let app = Router::new()
        .route("/get-only", get(|| async { "ok" }))
        .layer(cors());

    for (method, uri, status) in [
        (Method::GET, "/nowhere", StatusCode::NOT_FOUND),
        (Method::PUT, "/get-only", StatusCode::METHOD_NOT_ALLOWED),
    ] {
        assert_status_decorated(&app, method, uri, status).await;
    }
}

/// The error of the inner services below: comparable, so the test can see it is unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
struct InnerError(&'static str);

#[tokio::test]
async fn inner_err_passes_through_untouched() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let failing = service_fn(move |_: Request<Body>| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Err::<Response<Body>, _>(InnerError("database is down")) }
    });
    let service = cors().layer(failing);

    for origin in [Some(ALLOWED), Some(REFUSED), None] {
        let request = cors_request(Method::GET, "/", origin)
            .body(Body::empty())
            .unwrap();
        match service.clone().oneshot(request).await {
            Err(error) => assert_eq!(error, InnerError("database is down")),
            Ok(response) => panic!("the error became a {} response", response.status()),
        }
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);

    // A preflight never calls the failing service, so it still gets its answer.
    let response = service
        .clone()
        .oneshot(preflight("/", ALLOWED, "PUT"))
        .await
        .expect("the layer answers preflights itself");
    assert_preflight_granted(&response, "PUT");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

/// A service that is never ready: its `poll_ready` fails.
#[derive(Clone)]
struct NeverReady;

impl Service<Request<Body>> for NeverReady {
    type Response = Response<Body>;
    type Error = InnerError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, InnerError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), InnerError>> {
        Poll::Ready(Err(InnerError("not ready")))
    }

    fn call(&mut self, _: Request<Body>) -> Self::Future {
        unreachable!("call without readiness")
    }
}

#[tokio::test]
async fn inner_poll_ready_err_passes_through_untouched() {
    let service = ServiceBuilder::new().layer(cors()).service(NeverReady);
    match service.oneshot(actual(Method::GET, "/", ALLOWED)).await {
        Err(error) => assert_eq!(error, InnerError("not ready")),
        Ok(response) => panic!("the error became a {} response", response.status()),
    }
}

/// The `HandleErrorLayer` arrangement: turn the errors of tower middleware into responses
/// *inside* the CORS layer, so that they get CORS headers too.
async fn handle_error(error: BoxError) -> (StatusCode, String) {
    if error.is::<tower::timeout::error::Elapsed>() {
        (StatusCode::REQUEST_TIMEOUT, "request timed out".to_owned())
    } else if error.is::<tower::load_shed::error::Overloaded>() {
        (StatusCode::SERVICE_UNAVAILABLE, "overloaded".to_owned())
    } else {
        (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}"))
    }
}

/// A route whose handler never finishes.
fn hanging_router() -> Router {
    Router::new().route("/slow", get(std::future::pending::<&'static str>))
}

#[tokio::test]
async fn timeout_error_turned_into_408_by_handle_error_layer_carries_cors_headers() {
    let service = ServiceBuilder::new()
        .layer(cors())
        .layer(HandleErrorLayer::new(handle_error))
        .timeout(Duration::from_millis(10))
        .service(hanging_router());

    let response = service
        .clone()
        .oneshot(actual(Method::GET, "/slow", ALLOWED))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    assert_cors_allowed(&response, ALLOWED);
    assert_eq!(body_bytes(response).await, "request timed out");

    let response = service
        .oneshot(actual(Method::GET, "/slow", REFUSED))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    assert_cors_refused(&response);
}

#[tokio::test]
async fn load_shed_error_turned_into_503_by_handle_error_layer_carries_cors_headers() {
    let service = ServiceBuilder::new()
        .layer(cors())
        .layer(HandleErrorLayer::new(handle_error))
        .load_shed()
        .concurrency_limit(1)
        .service(hanging_router());

    // Poll one request once: it takes the only slot and stays in the handler.
    let mut in_flight = Box::pin(
        service
            .clone()
            .oneshot(actual(Method::GET, "/slow", ALLOWED)),
    );
    let first_poll = std::future::poll_fn(|cx| Poll::Ready(in_flight.as_mut().poll(cx))).await;
    assert!(first_poll.is_pending(), "the hanging request finished");

    assert_status_decorated(
        &service,
        Method::GET,
        "/slow",
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    drop(in_flight);
}

/// A handler that writes its own CORS headers and `Vary`, as a misconfigured application might.
async fn self_decorating_handler() -> ([(HeaderName, &'static str); 4], &'static str) {
    (
        [
            (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (ACCESS_CONTROL_ALLOW_CREDENTIALS, "true"),
            (ACCESS_CONTROL_EXPOSE_HEADERS, "x-secret"),
            (VARY, "accept-encoding"),
        ],
        "ok",
    )
}

#[tokio::test]
async fn inner_cors_headers_are_replaced_and_inner_vary_is_kept() {
    let app = cors().layer(Router::new().route("/", get(self_decorating_handler)));

    let response = app
        .clone()
        .oneshot(actual(Method::GET, "/", ALLOWED))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_cors_allowed(&response, ALLOWED);
    assert_eq!(
        values(response.headers(), &VARY),
        [&b"accept-encoding"[..], b"origin"]
    );

    let response = app
        .oneshot(actual(Method::GET, "/", REFUSED))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_cors_refused(&response);
    assert_eq!(
        values(response.headers(), &VARY),
        [&b"accept-encoding"[..], b"origin"]
    );
}

#[tokio::test]
async fn inner_vary_naming_origin_or_star_is_not_extended() {
    for (inner_vary, expected) in [
        ("Accept-Encoding, Origin", "Accept-Encoding, Origin"),
        ("ORIGIN", "ORIGIN"),
        ("*", "*"),
    ] {
        let app = cors().layer(Router::new().route(
            "/",
            get(move || async move { ([(VARY, inner_vary)], "ok") }),
        ));
        for origin in [ALLOWED, REFUSED] {
            let response = app
                .clone()
                .oneshot(actual(Method::GET, "/", origin))
                .await
                .unwrap();
            assert_eq!(
                values(response.headers(), &VARY),
                [expected.as_bytes()],
                "inner Vary {inner_vary:?}, origin {origin}"
            );
        }
    }
}
