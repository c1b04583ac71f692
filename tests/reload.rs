//! Reloading the policy of running services through a `ReloadHandle` (the README's "Reloading without a restart"):
//! a valid configuration is swapped in atomically, an invalid one changes nothing, and every
//! request sees one policy from start to end.
//!
//! Run with `cargo test --all-features --test reload -- --nocapture` to see the counts of the
//! concurrency test.

#![allow(clippy::print_stderr)]

mod common;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use common::{header, preflight, request, send};
use http::{Request, Response};
use http_body_util::Full;
use tower::{service_fn, Layer, Service, ServiceExt};
use tower_cors::{CorsConfig, CorsDecision, CorsLayer, CorsRequestKind, ResponseBody};

fn config(origins: &[&str]) -> CorsConfig {
    let mut config = CorsConfig::default();
    config.allowed_origins = origins.iter().map(|origin| origin.to_string()).collect();
    config
}

#[tokio::test]
async fn reload_applies_to_requests_after_it() {
    let (layer, handle) = CorsLayer::try_from(config(&["https://a.example"]))
        .unwrap()
        .reloadable();
    let from_b = || request("GET", Some("https://b.example"), &[]);
    assert_eq!(
        header(&send(&layer, from_b()).await, "access-control-allow-origin"),
        None
    );

    let changes = handle
        .reload(config(&["https://a.example", "https://b.example"]))
        .unwrap();
    assert_eq!(
        changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["allowed_origins: [\"https://a.example\"] -> [\"https://a.example\", \"https://b.example\"]"]
    );
    assert_eq!(
        header(&send(&layer, from_b()).await, "access-control-allow-origin").as_deref(),
        Some("https://b.example")
    );
    // The layer's own view follows the handle.
    assert_eq!(layer.config().allowed_origins.len(), 2);
    assert_eq!(
        layer.decide(&from_b()),
        CorsDecision::Allowed(CorsRequestKind::Actual)
    );
}

#[tokio::test]
async fn reload_reaches_services_already_built() {
    let (layer, handle) = CorsLayer::try_from(config(&["https://a.example"]))
        .unwrap()
        .reloadable();
    // An axum router wraps its services when the layer is added, long before the reload.
    let app = Router::new()
        .route("/items/1", get(|| async { "ok" }))
        .layer(layer);
    handle.reload(config(&["https://b.example"])).unwrap();

    let response = app
        .clone()
        .oneshot(request("GET", Some("https://b.example"), &[]).map(axum::body::Body::new))
        .await
        .unwrap();
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://b.example"
    );
    let response = app
        .oneshot(request("GET", Some("https://a.example"), &[]).map(axum::body::Body::new))
        .await
        .unwrap();
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test]
async fn invalid_reload_returns_every_error_and_keeps_the_running_policy() {
    let mut original = config(&["https://a.example"]);
    original.max_age = Some(600);
    let (layer, handle) = CorsLayer::try_from(original.clone()).unwrap().reloadable();

    let mut broken = config(&["https://b.example/", "*"]);
    broken.max_age = Some(100_000);
    broken.allowed_headers = vec!["bad header".into()];
    let errors = handle.reload(broken).unwrap_err();
    let keys: Vec<&str> = errors.iter().map(|error| error.location()).collect();
    assert_eq!(
        keys,
        [
            "allowed_origins[0]",
            "allowed_origins[1]",
            "allowed_headers[0]",
            "max_age"
        ],
        "{errors}"
    );

    assert_eq!(handle.config(), original);
    let response = send(&layer, preflight("https://a.example", "GET", &[])).await;
    assert_eq!(
        header(&response, "access-control-allow-origin").as_deref(),
        Some("https://a.example")
    );
    assert_eq!(
        header(&response, "access-control-max-age").as_deref(),
        Some("600")
    );
    let response = send(&layer, request("GET", Some("https://b.example"), &[])).await;
    assert_eq!(header(&response, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn reload_of_the_same_configuration_changes_nothing() {
    let (_layer, handle) = CorsLayer::try_from(config(&["https://a.example"]))
        .unwrap()
        .reloadable();
    assert_eq!(handle.reload(config(&["https://a.example"])).unwrap(), []);

    let mut next = config(&["https://a.example"]);
    next.max_age = Some(60);
    next.allow_credentials = true;
    next.strict = true;
    let changes: Vec<String> = handle
        .reload(next)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        changes,
        [
            "allow_credentials: false -> true",
            "max_age: unset -> 60",
            "strict: false -> true"
        ]
    );
}

#[tokio::test]
async fn reloadable_twice_shares_one_slot() {
    let (layer, first) = CorsLayer::try_from(config(&["https://a.example"]))
        .unwrap()
        .reloadable();
    let (layer, second) = layer.reloadable();
    first.reload(config(&["https://b.example"])).unwrap();
    assert_eq!(second.config().allowed_origins, ["https://b.example"]);
    assert_eq!(layer.config().allowed_origins, ["https://b.example"]);
}

/// Two policies that differ in every header they produce for the same requests, so that a
/// response mixing them is recognisable.
fn policy(which: char) -> CorsConfig {
    let mut config = config(&["https://app.example"]);
    if which == 'a' {
        config.allow_credentials = true;
        config.expose_headers = vec!["x-policy-a".into()];
        config.allowed_methods = vec!["PUT".into()];
        config.max_age = Some(100);
    } else {
        config.expose_headers = vec!["x-policy-b".into()];
        config.allowed_methods = vec!["PATCH".into()];
        config.max_age = Some(200);
    }
    config
}

/// Which policy produced the response, or `None` when its headers mix the two.
fn produced_by(response: &Response<ResponseBody<Full<Bytes>>>) -> Option<char> {
    let get = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
    };
    let credentials = get("access-control-allow-credentials");
    if response.status() == 204 {
        match (
            get("access-control-allow-methods").as_deref(),
            get("access-control-max-age").as_deref(),
            credentials.as_deref(),
        ) {
            (Some("PUT"), Some("100"), Some("true")) => Some('a'),
            (Some("PATCH"), Some("200"), None) => Some('b'),
            _ => None,
        }
    } else {
        match (
            get("access-control-expose-headers").as_deref(),
            credentials.as_deref(),
        ) {
            (Some("x-policy-a"), Some("true")) => Some('a'),
            (Some("x-policy-b"), None) => Some('b'),
            _ => None,
        }
    }
}

/// An inner service that tells `entered` when a request reaches it, then waits for `release`
/// before answering: a request held in flight while the test reloads.
fn held_inner(
    entered: tokio::sync::mpsc::UnboundedSender<()>,
    release: Arc<tokio::sync::Semaphore>,
) -> impl Service<
    Request<Full<Bytes>>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future = impl std::future::Future<Output = Result<Response<Full<Bytes>>, Infallible>> + Send,
> + Clone {
    service_fn(move |_request: Request<Full<Bytes>>| {
        let entered = entered.clone();
        let release = Arc::clone(&release);
        async move {
            let _ = entered.send(());
            release
                .acquire()
                .await
                .expect("the semaphore stays open")
                .forget();
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"inner"))))
        }
    })
}

/// Sends request `i` of a client (a GET or a preflight, alternately) and says which policy
/// answered it.
async fn send_one<S>(mut service: S, i: usize) -> Option<char>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResponseBody<Full<Bytes>>>>,
    S::Error: std::fmt::Debug,
{
    let request = if i % 2 == 0 {
        request("GET", Some("https://app.example"), &[])
    } else {
        preflight("https://app.example", "GET", &[])
    };
    let response = service.ready().await.unwrap().call(request).await.unwrap();
    produced_by(&response)
}

/// Bounds a step that takes microseconds: only a hang (a lost wake-up) can reach 10 s, even on
/// a loaded 2-core machine, and then the test fails with the step's name instead of hanging.
async fn within<T>(what: &str, future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not happen"))
}

#[tokio::test]
async fn request_in_flight_during_a_reload_is_answered_by_the_policy_it_started_with() {
    let (layer, handle) = CorsLayer::try_from(policy('a')).unwrap().reloadable();
    let (entered, mut inner_entered) = tokio::sync::mpsc::unbounded_channel();
    let release = Arc::new(tokio::sync::Semaphore::new(0));
    let service = layer.layer(held_inner(entered, Arc::clone(&release)));

    // Call -> reload -> release -> poll, five times over, alternating the policies: each
    // response is decorated by the policy that was running when its request arrived, and the
    // next request sees the new one.
    let mut running = 'a';
    for round in 0..5 {
        let next = if running == 'a' { 'b' } else { 'a' };
        let in_flight = tokio::spawn(service.clone().oneshot(request(
            "GET",
            Some("https://app.example"),
            &[],
        )));
        within(
            "the request reaching the inner service",
            inner_entered.recv(),
        )
        .await;
        handle.reload(policy(next)).unwrap();
        assert_eq!(handle.config(), policy(next));
        release.add_permits(1);
        let response = within("the held response", in_flight)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            produced_by(&response),
            Some(running),
            "round {round}: the request started under policy {running}"
        );

        // A preflight never reaches the inner service, so nothing holds it.
        let preflight = service
            .clone()
            .oneshot(preflight("https://app.example", "GET", &[]))
            .await
            .unwrap();
        assert_eq!(produced_by(&preflight), Some(next), "round {round}");
        running = next;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_during_reloads_see_the_old_or_the_new_policy_never_a_mix() {
    const CLIENTS: usize = 8;
    const REQUESTS_PER_CLIENT: usize = 2_500;
    // Odd, so the last reload leaves policy b running.
    const RELOADS: usize = 201;

    let (layer, handle) = CorsLayer::try_from(policy('a')).unwrap().reloadable();
    // The inner service yields, so that reloads can land between a request's start and its end.
    let service = layer.layer(service_fn(|_request: Request<Full<Bytes>>| async {
        tokio::task::yield_now().await;
        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"inner"))))
    }));
    // Order, not timing, decides what each client must see: its first request is answered
    // before the first reload (policy a), its last after the last reload (policy b), and the
    // requests in between, sent while the reloads run, see one policy or the other.
    let mut clients = Vec::new();
    let mut started = Vec::new();
    let (last_reload_done, _) = tokio::sync::watch::channel(false);
    for client in 0..CLIENTS {
        let service = service.clone();
        let (first_done, first_done_rx) = tokio::sync::oneshot::channel();
        started.push(first_done_rx);
        let mut reloads_done = last_reload_done.subscribe();
        clients.push(tokio::spawn(async move {
            let first = send_one(service.clone(), client).await;
            let _ = first_done.send(());
            let mut seen = vec![first];
            for i in 1..REQUESTS_PER_CLIENT {
                seen.push(send_one(service.clone(), i + client).await);
            }
            reloads_done
                .wait_for(|done| *done)
                .await
                .expect("the reloader finishes");
            seen.push(send_one(service.clone(), client).await);
            seen
        }));
    }
    for first_done in started {
        within("a client's first request", first_done)
            .await
            .unwrap();
    }
    let reloader = tokio::spawn(async move {
        for reload in 0..RELOADS {
            let next = if reload % 2 == 0 { 'b' } else { 'a' };
            handle.reload(policy(next)).unwrap();
            tokio::task::yield_now().await;
        }
        let _ = last_reload_done.send(true);
        handle.config()
    });
    // Generous: the 20,000 requests take well under a second unloaded; 60 s only turns a hang
    // into a failure, with room for a machine whose two cores are busy compiling.
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(60), reloader)
            .await
            .expect("the reloads to finish")
            .unwrap(),
        policy('b')
    );
    let (mut a, mut b, mut mixed) = (0, 0, 0);
    for (client, task) in clients.into_iter().enumerate() {
        let seen = tokio::time::timeout(Duration::from_secs(60), task)
            .await
            .expect("the clients to finish in time")
            .unwrap();
        assert_eq!(seen.len(), REQUESTS_PER_CLIENT + 1);
        assert_eq!(
            seen.first(),
            Some(&Some('a')),
            "client {client}'s first request"
        );
        assert_eq!(
            seen.last(),
            Some(&Some('b')),
            "client {client}'s last request"
        );
        for policy in seen {
            match policy {
                Some('a') => a += 1,
                Some(_) => b += 1,
                None => mixed += 1,
            }
        }
    }

    eprintln!(
        "{} requests during {RELOADS} reloads: {a} saw policy a, {b} saw policy b, {mixed} a mix",
        CLIENTS * (REQUESTS_PER_CLIENT + 1)
    );
    assert_eq!(mixed, 0);
    assert_eq!(a + b, CLIENTS * (REQUESTS_PER_CLIENT + 1));
}
