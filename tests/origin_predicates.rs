//! Origins decided in code: a synchronous predicate over the origin and the request's head, and an
//! asynchronous one. Each rule is tested through the layer.

mod common;
#[path = "common/logs.rs"]
mod logs;

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use common::{body_text, header, preflight, request, send, vary, Body, Inner};
use http::{Request, Response};
use http_body_util::Full;
use tokio::sync::{oneshot, Notify};
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::{
    ConfigErrorKind, CorsBuilder, CorsDecision, CorsLayer, CorsRequestKind, RefusalReason,
};

const TENANT: &str = "https://shop.example.net";

/// A builder listing `https://app.example.com` whose synchronous predicate allows [`TENANT`],
/// counting its calls.
fn counted(calls: &Arc<AtomicUsize>) -> CorsBuilder {
    let calls = Arc::clone(calls);
    CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_origin_predicate(move |origin, _| {
            calls.fetch_add(1, Ordering::SeqCst);
            origin == TENANT
        })
}

fn decision<B>(response: &Response<B>) -> CorsDecision {
    response
        .extensions()
        .get::<CorsDecision>()
        .cloned()
        .expect("a decision in the extensions")
}

#[tokio::test]
async fn a_predicate_allows_an_origin_the_list_does_not_name() {
    let calls = Arc::new(AtomicUsize::new(0));
    // Recording every decision, so that the allowed one can be read from the extensions.
    let layer = counted(&calls).record_all_decisions(true).build().unwrap();

    let response = send(&layer, preflight(TENANT, "GET", &[])).await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some(TENANT)
    );
    assert!(vary(&response).contains(&"origin".to_owned()));

    let response = send(&layer, request("GET", Some(TENANT), &[])).await;
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some(TENANT)
    );
    assert_eq!(
        decision(&response),
        CorsDecision::Allowed(CorsRequestKind::Actual)
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_predicate_is_not_consulted_when_the_list_matches() {
    let calls = Arc::new(AtomicUsize::new(0));
    let layer = counted(&calls).build().unwrap();
    let response = send(&layer, preflight("https://app.example.com", "GET", &[])).await;
    assert_eq!(response.status(), 204);
    let response = send(&layer, request("GET", Some("https://app.example.com"), &[])).await;
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
    let _ = send(&layer, request("GET", None, &[])).await;
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_predicate_sees_the_request_head() {
    let layer = CorsLayer::builder()
        .allow_origin_predicate(|origin, parts| {
            let host = parts.headers.get("host").and_then(|h| h.to_str().ok());
            parts.uri.path().starts_with("/items")
                && host.is_some_and(|host| {
                    origin.as_bytes() == format!("https://www.{host}").as_bytes()
                })
        })
        .build()
        .unwrap();
    let from = |origin: &str, host: &str| preflight(origin, "GET", &[("host", host)]);
    let allowed = send(
        &layer,
        from("https://www.shop.example.net", "shop.example.net"),
    )
    .await;
    assert_eq!(allowed.status(), 204);
    let other = send(
        &layer,
        from("https://www.shop.example.net", "other.example.net"),
    )
    .await;
    assert_eq!(other.status(), 403);
}

#[tokio::test]
async fn a_malformed_origin_or_null_never_reaches_the_predicate() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_origin_predicate(move |_, _| {
            counter.fetch_add(1, Ordering::SeqCst);
            true
        })
        .build()
        .unwrap();
    for origin in [
        "null",
        "https://Shop.example.net",
        "https://shop.example.net/",
        "https://shop.example.net:443",
        "file://",
        "https://shop.example.net\t",
        "shop.example.net",
    ] {
        let response = send(&layer, preflight(origin, "GET", &[])).await;
        assert_eq!(response.status(), 403, "{origin}");
        let response = send(&layer, request("GET", Some(origin), &[])).await;
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            None,
            "{origin}"
        );
    }
    let mut twice = request("GET", Some(TENANT), &[]);
    twice
        .headers_mut()
        .append("origin", TENANT.parse().unwrap());
    let response = send(&layer, twice).await;
    assert_eq!(header(&response, "access-control-allow-origin"), None);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// Origins no browser sends, or not of the web's schemes: each is refused by the allowlist, and a
/// predicate that would allow anything is never asked about it, whichever way the layer decides
/// (preflight, actual request, `decide`, cross-origin protection).
#[tokio::test]
async fn predicates_are_never_asked_about_malformed_origins() {
    let asked = Arc::new(Mutex::new(Vec::<String>::new()));
    let record = Arc::clone(&asked);
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .cross_origin_protection(true)
        .allow_origin_predicate(move |origin, _| {
            let origin = String::from_utf8_lossy(origin.as_bytes()).into_owned();
            record.lock().unwrap().push(origin);
            true
        })
        .build()
        .unwrap();
    let malformed = [
        // Browsers serialize a file: URL's origin as `null`; other schemes are not the web's.
        "file://x",
        "chrome-extension://abcdefghijklmnop",
        "ws://shop.example.net",
        // Brackets hold an IPv6 address, and nothing else.
        "https://[.]",
        "https://[:]",
        "https://[::1::]",
        "https://[1:2:3:4:5:6:7:8:9]",
        // A host name's labels start and end with a letter or digit (RFC 1123, section 2.1).
        "https://-",
        "https://-shop.example.net",
        "https://shop-.example.net",
        "https://_",
        // A host ending in a number is an IPv4 address, which browsers write as four decimal
        // numbers (URL standard, host parsing).
        "https://999",
        "https://shop.example.42",
        "https://1.2.3.256",
        "https://01.2.3.4",
        "https://0x7f.0.0.1",
        "https://1.2.3",
    ];
    for origin in malformed {
        let response = send(&layer, preflight(origin, "GET", &[])).await;
        assert_eq!(response.status(), 403, "{origin}");
        let response = send(&layer, request("GET", Some(origin), &[])).await;
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            None,
            "{origin}"
        );
        assert!(layer
            .decide(&request("GET", Some(origin), &[]))
            .is_refused());
        let post = request("POST", Some(origin), &[("sec-fetch-site", "cross-site")]);
        assert_eq!(send(&layer, post).await.status(), 403, "{origin}");
    }
    assert_eq!(*asked.lock().unwrap(), Vec::<String>::new());

    // Well-formed hosts of every kind still are.
    for origin in [
        "https://shop.example.net",
        "http://shop.example.net:8080",
        "https://1.2.3.4",
        "https://[::1]",
        "https://[2001:db8::1]:8443",
        "https://my_shop.example.net",
        "https://xn--bcher-kva.example",
    ] {
        let response = send(&layer, preflight(origin, "GET", &[])).await;
        assert_eq!(response.status(), 204, "{origin}");
    }
    assert_eq!(asked.lock().unwrap().len(), 7);
}

#[tokio::test]
async fn with_credentials_an_insecure_origin_is_refused_before_the_predicate() {
    let asked = Arc::new(Mutex::new(Vec::<String>::new()));
    let build = |dangerously: bool| {
        let asked = Arc::clone(&asked);
        CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .allow_credentials(true)
            .dangerously_allow_insecure_origins(dangerously)
            .allow_origin_predicate(move |origin, _| {
                let origin = origin.to_str().unwrap().to_owned();
                asked.lock().unwrap().push(origin.clone());
                origin.ends_with(".example.net") || origin.starts_with("http://localhost:")
            })
            .build()
            .unwrap()
    };
    let strict = build(false);
    // With credentials, `build` asked it once about an origin nobody can own.
    assert_eq!(
        std::mem::take(&mut *asked.lock().unwrap()),
        ["https://tower-cors-canary.invalid"]
    );
    let response = send(&strict, preflight("http://shop.example.net", "GET", &[])).await;
    assert_eq!(response.status(), 403);
    let response = send(&strict, preflight("http://localhost:5173", "GET", &[])).await;
    assert_eq!(response.status(), 204);
    assert_eq!(*asked.lock().unwrap(), ["http://localhost:5173"]);

    let opted_in = build(true);
    let response = send(&opted_in, preflight("http://shop.example.net", "GET", &[])).await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        asked.lock().unwrap().last().map(String::as_str),
        Some("http://shop.example.net")
    );
}

#[tokio::test]
async fn a_predicate_refusal_is_a_refusal_like_any_other() {
    let listed = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .build()
        .unwrap();
    let asked = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_origin_predicate(|_, _| false)
        .build()
        .unwrap();
    let refused_by = |layer: &CorsLayer| {
        let layer = layer.clone();
        let lines = logs::log_lines(tracing::Level::DEBUG, || {
            futures::executor::block_on(async {
                let preflight = send(&layer, preflight(TENANT, "GET", &[])).await;
                let actual = send(&layer, request("GET", Some(TENANT), &[])).await;
                let decisions = (decision(&preflight), decision(&actual));
                let status = preflight.status();
                let actual_grant = header(&actual, "access-control-allow-origin");
                let vary = vary(&actual);
                let body = body_text(preflight).await;
                assert_eq!(status, 403);
                assert_eq!(body, format!("origin \"{TENANT}\" is not allowed\n"));
                assert_eq!(actual_grant, None);
                assert_eq!(vary, ["origin"]);
                let CorsDecision::Refused(refusal) = &decisions.0 else {
                    panic!("refused: {decisions:?}")
                };
                assert_eq!(refusal.reason().code(), "origin_not_allowed");
                assert!(matches!(
                    refusal.reason(),
                    RefusalReason::OriginNotAllowed { origin } if origin == TENANT
                ));
                std::cell::Cell::new(Some(decisions)).take()
            });
        });
        lines
            .into_iter()
            .filter(|line| line.contains("CORS request refused"))
            .map(|line| {
                line.split_once("tower_cors")
                    .map_or(line.clone(), |(_, rest)| rest.to_owned())
            })
            .collect::<Vec<_>>()
    };
    let events = refused_by(&asked);
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(events, refused_by(&listed));
    assert_eq!(
        asked.decide(&request("GET", Some(TENANT), &[])),
        listed.decide(&request("GET", Some(TENANT), &[]))
    );
}

#[tokio::test]
async fn a_predicate_allowed_origin_meets_every_other_rule() {
    let layer = CorsLayer::builder()
        .allow_origin_predicate(|origin, _| origin == TENANT)
        .allow_methods(["PUT"])
        .build()
        .unwrap();
    let response = send(&layer, preflight(TENANT, "PATCH", &[])).await;
    let CorsDecision::Refused(refusal) = decision(&response) else {
        panic!("PATCH is not allowed")
    };
    assert_eq!(refusal.reason().code(), "method_not_allowed");
    // Not strict: the answer still names the origin and the methods, so the console names PATCH.
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some(TENANT)
    );
    let cookie = request("GET", Some(TENANT), &[("cookie", "session=1")]);
    let response = send(&layer, cookie).await;
    let CorsDecision::Refused(refusal) = decision(&response) else {
        panic!("credentials are not allowed")
    };
    assert_eq!(refusal.reason().code(), "credentials_not_allowed");
}

#[test]
fn a_predicate_makes_an_empty_origin_list_valid_but_not_a_wildcard() {
    assert!(CorsLayer::builder()
        .allow_origin_predicate(|_, _| true)
        .build()
        .is_ok());
    assert_eq!(
        CorsLayer::builder()
            .build()
            .unwrap_err()
            .iter()
            .next()
            .unwrap()
            .kind(),
        ConfigErrorKind::NoOrigins
    );
    let errors = CorsLayer::builder()
        .allow_any_origin()
        .allow_methods(["TRACE"])
        .allow_origin_async_predicate(|_, _| async { true })
        .build()
        .unwrap_err();
    let kinds: Vec<_> = errors.iter().map(|e| e.kind()).collect();
    assert!(
        kinds.contains(&ConfigErrorKind::PredicateWithAnyOrigin),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&ConfigErrorKind::ForbiddenMethod),
        "{kinds:?}"
    );
}

#[test]
fn predicates_survive_reloads() {
    let (layer, handle) = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_origin_predicate(|origin, _| origin == TENANT)
        .build()
        .unwrap()
        .reloadable();
    let mut config = handle.config();
    config.allowed_origins = vec!["https://admin.example.com".into()];
    handle.reload(config.clone()).unwrap();
    let tenant = request("GET", Some(TENANT), &[]);
    assert!(!layer.decide(&tenant).is_refused());
    assert!(!layer
        .decide(&request("GET", Some("https://admin.example.com"), &[]))
        .is_refused());
    assert!(layer
        .decide(&request("GET", Some("https://app.example.com"), &[]))
        .is_refused());
    // With the predicate, a reload may list no origin at all.
    config.allowed_origins.clear();
    handle.reload(config).unwrap();
    assert!(!layer.decide(&tenant).is_refused());
    assert!(layer.has_origin_predicate());
}

const BOOM: &str = "https://boom.example.net";

/// The refusal a response carries, as its reason code.
fn refusal_code<B>(response: &Response<B>) -> Option<&'static str> {
    let decision = response.extensions().get::<CorsDecision>()?;
    decision.refusal().map(|refusal| refusal.reason().code())
}

/// The refusal events at `error` of what `f` does, on a runtime of this thread, as
/// (origin, method, reason).
fn error_events(f: impl std::future::Future<Output = ()>) -> Vec<(String, String, String)> {
    let events = logs::events(|| futures::executor::block_on(f));
    events
        .into_iter()
        .filter(|event| event.level == tracing::Level::ERROR)
        .map(|event| {
            assert_eq!(event.target, "tower_cors::refusal");
            let field = |name| event.field(name).unwrap_or_default().to_owned();
            (field("origin"), field("method"), field("reason"))
        })
        .collect()
}

/// A predicate that panics is a predicate that failed: the request is refused with reason
/// `predicate_failed`, logged at `error`, and the layer goes on serving. The panic never leaves
/// the layer, so a panic-catching layer outside it, or the server, never sees it.
#[test]
fn a_panicking_predicate_refuses_the_request_and_the_layer_keeps_serving() {
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .cross_origin_protection(true)
        .allow_origin_predicate(|origin, _| {
            assert_ne!(origin, BOOM, "the tenant store is down");
            origin == TENANT
        })
        .build()
        .unwrap();
    let errors = error_events(async {
        let inner = Inner::default();
        let response = inner.send(&layer, preflight(BOOM, "GET", &[])).await;
        assert_eq!(response.status(), 403);
        assert_eq!(refusal_code(&response), Some("predicate_failed"));
        assert_eq!(header(&response, "access-control-allow-origin"), None);
        assert_eq!(
            body_text(response).await,
            format!("origin \"{BOOM}\" could not be checked: the origin predicate failed\n")
        );
        assert_eq!(inner.calls(), 0);

        // An actual request goes to the inner service, as one the predicate refused does; its
        // response gets no grant.
        let response = inner.send(&layer, request("GET", Some(BOOM), &[])).await;
        assert_eq!(refusal_code(&response), Some("predicate_failed"));
        assert_eq!(header(&response, "access-control-allow-origin"), None);
        assert_eq!(body_text(response).await, "inner");
        assert_eq!(inner.calls(), 1);

        // Cross-origin protection fails closed: 403, and the inner service does not run.
        let post = request("POST", Some(BOOM), &[("sec-fetch-site", "cross-site")]);
        let response = inner.send(&layer, post).await;
        assert_eq!(response.status(), 403);
        assert_eq!(refusal_code(&response), Some("predicate_failed"));
        assert_eq!(inner.calls(), 1);

        // The next requests are served as usual.
        let response = inner.send(&layer, preflight(TENANT, "GET", &[])).await;
        assert_eq!(response.status(), 204);
        let response = inner.send(&layer, request("GET", Some(TENANT), &[])).await;
        assert_eq!(
            header(&response, "access-control-allow-origin").as_deref(),
            Some(TENANT)
        );
    });
    assert_eq!(
        errors,
        [
            (BOOM.into(), "OPTIONS".into(), "predicate_failed".into()),
            (BOOM.into(), "GET".into(), "predicate_failed".into()),
            (BOOM.into(), "POST".into(), "predicate_failed".into()),
        ]
    );

    // `decide` catches it too.
    let decision = layer.decide(&request("GET", Some(BOOM), &[]));
    let refusal = decision.refusal().expect("a refusal");
    assert!(matches!(
        refusal.reason(),
        RefusalReason::PredicateFailed { origin } if origin == BOOM
    ));
    assert!(refusal.hint().is_some_and(|hint| hint.contains("panicked")));
}

/// The same for an asynchronous predicate, whether it panics when called or while its future
/// is polled.
#[test]
fn a_panicking_async_predicate_refuses_the_request() {
    let layer = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_origin_async_predicate(|origin, _| {
            assert_ne!(
                origin, "https://call.example.net",
                "no connection to the store"
            );
            async move {
                tokio::task::yield_now().await;
                assert_ne!(origin, BOOM, "the lookup failed");
                origin == TENANT
            }
        })
        .build()
        .unwrap();
    let errors = error_events(async {
        for origin in [BOOM, "https://call.example.net"] {
            let inner = Inner::default();
            let response = inner.send(&layer, preflight(origin, "GET", &[])).await;
            assert_eq!(response.status(), 403, "{origin}");
            assert_eq!(refusal_code(&response), Some("predicate_failed"));
            assert_eq!(inner.calls(), 0);
            let response = inner.send(&layer, request("GET", Some(origin), &[])).await;
            assert_eq!(refusal_code(&response), Some("predicate_failed"));
            assert_eq!(header(&response, "access-control-allow-origin"), None);
            assert_eq!(body_text(response).await, "inner");
            assert_eq!(inner.calls(), 1);
        }
        let response = send(&layer, preflight(TENANT, "GET", &[])).await;
        assert_eq!(response.status(), 204);
    });
    let failed = |origin: &str, method: &str| {
        (
            origin.to_owned(),
            method.to_owned(),
            "predicate_failed".to_owned(),
        )
    };
    assert_eq!(
        errors,
        [
            failed(BOOM, "OPTIONS"),
            failed(BOOM, "GET"),
            failed("https://call.example.net", "OPTIONS"),
            failed("https://call.example.net", "GET"),
        ]
    );
}

/// An asynchronous predicate that answers only when the test says so.
struct Gate {
    answers: Mutex<Vec<oneshot::Sender<bool>>>,
    asked: Notify,
}

impl Gate {
    fn layer(self: &Arc<Self>) -> CorsLayer {
        let gate = Arc::clone(self);
        CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .allow_origin_async_predicate(move |_, _| {
                let (answer, verdict) = oneshot::channel();
                gate.answers.lock().unwrap().push(answer);
                gate.asked.notify_one();
                async move { verdict.await.unwrap_or(false) }
            })
            // Allowed decisions too, so that tests can read either verdict from the response.
            .record_all_decisions(true)
            .build()
            .unwrap()
    }

    async fn answer(&self, allowed: bool) {
        self.asked.notified().await;
        let answer = self.answers.lock().unwrap().pop().expect("a question");
        answer.send(allowed).unwrap();
    }
}

fn gate() -> Arc<Gate> {
    Arc::new(Gate {
        answers: Mutex::new(Vec::new()),
        asked: Notify::new(),
    })
}

#[tokio::test]
async fn an_async_predicate_answers_a_preflight_when_it_resolves() {
    let gate = gate();
    let layer = gate.layer();
    let inner = Inner::default();
    let (response, ()) = tokio::join!(
        inner.send(&layer, preflight(TENANT, "GET", &[])),
        gate.answer(true)
    );
    assert_eq!(response.status(), 204);
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some(TENANT)
    );
    let (response, ()) = tokio::join!(
        inner.send(&layer, preflight(TENANT, "GET", &[])),
        gate.answer(false)
    );
    assert_eq!(response.status(), 403);
    assert_eq!(
        inner.calls(),
        0,
        "a preflight never reaches the inner service"
    );
}

#[tokio::test]
async fn an_async_predicate_lets_the_actual_request_reach_the_inner_service_at_once() {
    let gate = gate();
    let layer = gate.layer();
    let handled = Arc::new(Notify::new());
    let signal = Arc::clone(&handled);
    let service = layer.layer(service_fn(move |_: Request<Body>| {
        let signal = Arc::clone(&signal);
        async move {
            signal.notify_one();
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"inner"))))
        }
    }));
    for allowed in [true, false] {
        let call = service.clone().oneshot(request("POST", Some(TENANT), &[]));
        let answer_after_inner = async {
            // The inner service has answered while the predicate is still undecided.
            handled.notified().await;
            gate.answer(allowed).await;
        };
        let (response, ()) = tokio::join!(call, answer_after_inner);
        let response = response.unwrap();
        let grant = header(&response, "access-control-allow-origin");
        assert_eq!(grant.as_deref(), allowed.then_some(TENANT));
        assert_eq!(vary(&response), ["origin"]);
        assert_eq!(decision(&response).is_refused(), !allowed);
    }
}

#[tokio::test]
async fn an_inner_error_passes_through_while_an_async_predicate_is_undecided() {
    let gate = gate();
    let layer = gate.layer();
    let service = layer.layer(service_fn(|_: Request<Body>| async {
        Err::<Response<Body>, _>("inner failed")
    }));
    let result = service.oneshot(request("GET", Some(TENANT), &[])).await;
    assert_eq!(result.unwrap_err(), "inner failed");
}

#[tokio::test]
async fn the_sync_predicate_is_asked_first_and_the_async_one_only_when_it_says_no() {
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&asked);
    let layer = CorsLayer::builder()
        .allow_origin_predicate(|origin, _| origin == TENANT)
        .allow_origin_async_predicate(move |origin, _| {
            counter.fetch_add(1, Ordering::SeqCst);
            async move { origin == "https://other.example.net" }
        })
        .build()
        .unwrap();
    assert_eq!(
        send(&layer, preflight(TENANT, "GET", &[])).await.status(),
        204
    );
    assert_eq!(asked.load(Ordering::SeqCst), 0);
    let other = preflight("https://other.example.net", "GET", &[]);
    assert_eq!(send(&layer, other).await.status(), 204);
    let unknown = preflight("https://unknown.example.net", "GET", &[]);
    assert_eq!(send(&layer, unknown).await.status(), 403);
    assert_eq!(asked.load(Ordering::SeqCst), 2);
}

#[test]
fn decide_consults_the_sync_predicate_but_cannot_wait_for_an_async_one() {
    let sync = CorsLayer::builder()
        .allow_origin_predicate(|origin, _| origin == TENANT)
        .build()
        .unwrap();
    assert_eq!(
        sync.decide(&preflight(TENANT, "GET", &[])),
        CorsDecision::Allowed(CorsRequestKind::Preflight)
    );
    let asynchronous = CorsLayer::builder()
        .allow_origin_async_predicate(|_, _| async { true })
        .build()
        .unwrap();
    assert!(asynchronous
        .decide(&preflight(TENANT, "GET", &[]))
        .is_refused());
}

/// A predicate that says yes to an origin nobody can own says yes to every origin: with
/// credentials that is `*` with credentials, refused when the layer is built and on reload.
#[tokio::test]
async fn a_predicate_allowing_an_origin_nobody_owns_is_refused_with_credentials() {
    let reflecting = || {
        CorsLayer::builder()
            .allow_origins(["https://app.example.com"])
            .allow_origin_predicate(|_, _| true)
    };
    let errors = reflecting().allow_credentials(true).build().unwrap_err();
    let error = errors
        .iter()
        .find(|e| e.kind() == ConfigErrorKind::AnyOriginWithCredentials)
        .unwrap_or_else(|| panic!("{errors}"));
    assert_eq!(error.location(), "allow_origin_predicate");
    assert_eq!(error.value(), Some("https://tower-cors-canary.invalid"));
    assert!(error.problem().contains("allows every origin"), "{error}");

    // Without credentials it is what `*` is, and builds; turning credentials on is refused.
    let (layer, handle) = reflecting().build().unwrap().reloadable();
    let mut config = layer.config();
    config.allow_credentials = true;
    let errors = handle.reload(config).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.kind() == ConfigErrorKind::AnyOriginWithCredentials),
        "{errors}"
    );

    // A predicate that looks origins up passes.
    let tenants = CorsLayer::builder()
        .allow_origins(["https://app.example.com"])
        .allow_credentials(true)
        .allow_origin_predicate(|origin, _| origin.as_bytes().ends_with(b".tenants.example.net"))
        .build();
    assert!(tenants.is_ok());
}
