//! CORS as a real browser enforces it: Debian's headless Chromium, driven through chromedriver,
//! loads small pages from loopback ports (each port its own origin, and `*.localhost` names give
//! real subdomains) whose scripts call the demo server (or an in-process server) with `fetch()`
//! and `XMLHttpRequest`. Each test asserts what the script could see (status, body, readable
//! headers, or the error of a blocked request) and, for blocked requests, the exact console
//! message Chromium gave the developer.
//!
//! One browser serves the whole binary (see `browser/harness.rs`); without Chromium the tests
//! skip with a message on the terminal, except in CI (`CI=true`), where they fail.

#[path = "../common/demo.rs"]
mod demo;
#[path = "harness.rs"]
mod harness;

use std::time::Duration;

use harness::{browser, serve_pages, serve_recorded, Browser, FAILED_TO_FETCH, XHR_ERROR};
use tokio::sync::MutexGuard;
use tower_cors::CorsLayer;

const NO_ALLOW_ORIGIN: &str =
    "No 'Access-Control-Allow-Origin' header is present on the requested resource.";
const WILDCARD_WITH_CREDENTIALS: &str = "The value of the 'Access-Control-Allow-Origin' header \
     in the response must not be the wildcard '*' when the request's credentials mode is \
     'include'.";

/// The console line of a request blocked by CORS, as Chromium words it.
fn blocked(api: &str, url: &str, origin: &str, reason: &str) -> String {
    format!("Access to {api} at '{url}' from origin '{origin}' has been blocked by CORS policy: {reason}")
}

/// The reason Chromium gives when the preflight, not the actual response, failed.
fn preflight(reason: &str) -> String {
    format!("Response to preflight request doesn't pass access control check: {reason}")
}

/// `fetch` options: a preflighted `PUT` of a JSON body, with credentials.
const PUT_JSON: &str = "{method: 'PUT', credentials: 'include', \
     headers: {'content-type': 'application/json'}, body: JSON.stringify({name: 'put'})}";
const WITH_CREDENTIALS: &str = "{credentials: 'include'}";

/// The demo server with an explicit policy for one page origin, with credentials.
fn demo_for(origin: &str, extra: &[(&str, &str)]) -> demo::Server {
    let mut vars = vec![
        ("CORS_ALLOWED_ORIGINS", origin),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_ALLOWED_METHODS", "GET,POST,PUT,DELETE"),
        (
            "CORS_ALLOWED_HEADERS",
            "content-type,authorization,x-trace-id",
        ),
        ("CORS_EXPOSE_HEADERS", "x-request-id"),
        ("CORS_MAX_AGE", "600"),
    ];
    vars.extend_from_slice(extra);
    demo::start(&vars)
}

/// The browser on a fresh page of `http://127.0.0.1:PORT`, which calls a [`demo_for`] server
/// allowing that origin: the browser, the page's origin, the server's origin, and the server
/// itself (dropping it stops the server). `None` when there is no browser, as for `browser()`.
async fn open_demo_page(
    extra: &[(&str, &str)],
) -> Option<(MutexGuard<'static, Browser>, String, String, demo::Server)> {
    let browser = browser().await?;
    let pages = serve_pages().await;
    let origin = pages.origin("127.0.0.1");
    let server = demo_for(&origin, extra);
    let api = server.url();
    browser.open(&pages.url("127.0.0.1")).await;
    Some((browser, origin, api, server))
}

#[tokio::test]
async fn simple_get_and_post_from_an_allowed_origin_are_readable() {
    let Some(browser) = browser().await else {
        return;
    };
    let server = demo::start(&[]); // the development policy: http://localhost:* and http://127.0.0.1:*
    let api = server.url();
    let pages = serve_pages().await;

    for host in ["127.0.0.1", "localhost"] {
        browser.open(&pages.url(host)).await;
        browser
            .fetch(&format!("{api}/"), "{}")
            .await
            .assert_response(200, "ok");
        browser
            .fetch(&format!("{api}/"), WITH_CREDENTIALS)
            .await
            .assert_response(200, "ok");
        browser
            .fetch(
                &format!("{api}/echo"),
                "{method: 'POST', credentials: 'include', \
                 headers: {'content-type': 'text/plain'}, body: 'hello from the page'}",
            )
            .await
            .assert_response(200, "hello from the page");
        browser
            .fetch(
                &format!("{api}/echo"),
                "{method: 'POST', body: new URLSearchParams({a: '1', b: 'two'})}",
            )
            .await
            .assert_response(200, "a=1&b=two");
        browser
            .xhr("GET", &format!("{api}/"), true, &[], None)
            .await
            .assert_response(200, "ok");
        browser
            .xhr(
                "POST",
                &format!("{api}/echo"),
                true,
                &[("content-type", "text/plain")],
                Some("posted by XMLHttpRequest"),
            )
            .await
            .assert_response(200, "posted by XMLHttpRequest");
    }
}

#[tokio::test]
async fn exposed_header_is_readable_and_unexposed_one_is_not() {
    let Some(browser) = browser().await else {
        return;
    };
    let pages = serve_pages().await;
    let origin = pages.origin("127.0.0.1");
    let dev = demo::start(&[]); // exposes x-request-id and retry-after
    let exposes_nothing = demo::start(&[("CORS_ALLOWED_ORIGINS", &origin)]);
    let exposes_all = demo::start(&[
        ("CORS_ALLOWED_ORIGINS", &origin),
        ("CORS_EXPOSE_HEADERS", "*"),
    ]);
    browser.open(&pages.url("127.0.0.1")).await;

    // The server also sends date, vary and the access-control-* headers: the page sees only the
    // safelisted content-length and content-type, and the exposed x-request-id.
    let ok = browser.fetch(&format!("{}/", dev.url()), "{}").await;
    ok.assert_response(200, "ok");
    assert_eq!(
        ok.header_names(),
        ["content-length", "content-type", "x-request-id"],
        "{ok:#?}"
    );

    // The 401 of the authentication layer also carries www-authenticate, which is not exposed.
    let unauthorized = browser
        .fetch(&format!("{}/private", dev.url()), WITH_CREDENTIALS)
        .await;
    unauthorized.assert_response(401, "missing or wrong bearer token");
    assert!(
        unauthorized.header("x-request-id").is_some(),
        "{unauthorized:#?}"
    );
    assert_eq!(
        unauthorized.header("www-authenticate"),
        None,
        "{unauthorized:#?}"
    );
    let xhr = browser
        .xhr("GET", &format!("{}/private", dev.url()), true, &[], None)
        .await;
    xhr.assert_response(401, "missing or wrong bearer token");
    assert_eq!(
        xhr.header_names(),
        ["content-length", "x-request-id"],
        "{xhr:#?}"
    );

    // The same response header, not exposed by the policy: unreadable.
    let hidden = browser
        .fetch(&format!("{}/", exposes_nothing.url()), "{}")
        .await;
    hidden.assert_response(200, "ok");
    assert_eq!(hidden.header("x-request-id"), None, "{hidden:#?}");
    assert_eq!(
        hidden.header_names(),
        ["content-length", "content-type"],
        "{hidden:#?}"
    );

    // `*` (without credentials) exposes every header but the forbidden set-cookie.
    let all = browser
        .fetch(&format!("{}/", exposes_all.url()), "{}")
        .await;
    all.assert_response(200, "ok");
    for name in [
        "x-request-id",
        "vary",
        "date",
        "access-control-allow-origin",
    ] {
        assert!(all.header(name).is_some(), "{name} unreadable: {all:#?}");
    }
}

#[tokio::test]
async fn preflighted_requests_with_credentials_succeed() {
    let Some((browser, _, api, _server)) = open_demo_page(&[]).await else {
        return;
    };

    let put = browser.fetch(&format!("{api}/"), PUT_JSON).await;
    put.assert_response(200, "ok");
    assert!(put.header("x-request-id").is_some(), "{put:#?}");
    browser
        .fetch(
            &format!("{api}/"),
            "{method: 'DELETE', credentials: 'include'}",
        )
        .await
        .assert_response(200, "ok");
    browser
        .fetch(
            &format!("{api}/private"),
            "{credentials: 'include', headers: {authorization: 'Bearer demo-token'}}",
        )
        .await
        .assert_response(200, "welcome");
    browser
        .fetch(
            &format!("{api}/private"),
            "{credentials: 'include', headers: {authorization: 'Bearer wrong'}}",
        )
        .await
        .assert_response(401, "missing or wrong bearer token");
    browser
        .fetch(
            &format!("{api}/echo"),
            "{method: 'POST', credentials: 'include', \
             headers: {'content-type': 'application/json', 'x-trace-id': 'abc'}, \
             body: JSON.stringify({hello: 'json'})}",
        )
        .await
        .assert_response(200, r#"{"hello":"json"}"#);
    browser
        .xhr(
            "PUT",
            &format!("{api}/"),
            true,
            &[
                ("content-type", "application/json"),
                ("x-trace-id", "xhr"),
                ("authorization", "Bearer demo-token"),
            ],
            Some("{}"),
        )
        .await
        .assert_response(200, "ok");
}

#[tokio::test]
async fn wildcard_methods_and_headers_with_credentials_work_for_a_credentialed_preflight() {
    // With credentials a literal `*` would mean a method or header named "*" to the browser:
    // the layer must answer with the requested names instead.
    let Some((browser, _, api, _server)) = open_demo_page(&[
        ("CORS_ALLOWED_METHODS", "*"),
        ("CORS_ALLOWED_HEADERS", "*,authorization"),
    ])
    .await
    else {
        return;
    };

    browser
        .fetch(
            &format!("{api}/status/202"),
            "{method: 'PATCH', credentials: 'include', headers: {'content-type': \
             'application/json', 'x-anything': '1', 'x-else': '2', authorization: 'Bearer x'}, \
             body: '{}'}",
        )
        .await
        .assert_response(202, "");
    browser
        .xhr(
            "PROPFIND",
            &format!("{api}/"),
            true,
            &[("x-custom-header", "1")],
            None,
        )
        .await
        .assert_response(200, "ok");
}

#[tokio::test]
async fn preflight_is_cached_for_the_configured_max_age() {
    let Some(browser) = browser().await else {
        return;
    };
    let pages = serve_pages().await;
    let origin = pages.origin("127.0.0.1");
    let layer = |max_age: u64| {
        CorsLayer::builder()
            .allow_origins([origin.as_str()])
            .allow_credentials(true)
            .allow_methods(["PUT", "DELETE"])
            .allow_headers(["content-type", "x-trace-id"])
            .max_age(Duration::from_secs(max_age))
            .build()
            .expect("a valid policy")
    };
    let cached = serve_recorded(layer(600)).await;
    let uncached = serve_recorded(layer(0)).await;
    browser.open(&pages.url("127.0.0.1")).await;
    // A cookie for 127.0.0.1, which the servers on other ports of the same host receive with
    // credentials: 'include' (cookies ignore ports), and echo.
    browser
        .run("document.cookie = 'session=from-the-page; path=/'")
        .await;
    let put = "{method: 'PUT', credentials: 'include', \
               headers: {'content-type': 'application/json', 'x-trace-id': '7'}, body: '{}'}";

    // 600 s outlasts the whole test binary by minutes even on a loaded machine, so the cache
    // entry cannot expire between these requests; 0 disables caching outright.
    for _ in 0..3 {
        browser
            .fetch(&cached.url("/items"), put)
            .await
            .assert_response(200, "cookie: session=from-the-page");
    }
    assert_eq!(
        (cached.count("OPTIONS /items"), cached.count("PUT /items")),
        (1, 3),
        "max age 600: one preflight for three requests; the server saw {:?}",
        cached.requests()
    );
    // The layer answers a successful preflight with every configured method
    // (`Access-Control-Allow-Methods: PUT, DELETE`), so Chromium's cache entry for the URL also
    // covers a DELETE: no second preflight.
    browser
        .fetch(
            &cached.url("/items"),
            "{method: 'DELETE', credentials: 'include'}",
        )
        .await
        .assert_response(200, "cookie: session=from-the-page");
    assert_eq!(
        (
            cached.count("OPTIONS /items"),
            cached.count("DELETE /items")
        ),
        (1, 1),
        "{:?}",
        cached.requests()
    );

    for _ in 0..2 {
        browser
            .fetch(&uncached.url("/items"), put)
            .await
            .assert_response(200, "cookie: session=from-the-page");
    }
    assert_eq!(
        (
            uncached.count("OPTIONS /items"),
            uncached.count("PUT /items")
        ),
        (2, 2),
        "max age 0: every request preflighted; the server saw {:?}",
        uncached.requests()
    );

    browser
        .run("document.cookie = 'session=; max-age=0; path=/'")
        .await;
}

#[tokio::test]
async fn error_statuses_of_the_inner_layers_are_readable_by_the_page() {
    let Some(browser) = browser().await else {
        return;
    };
    let server = demo::start(&[]);
    let api = server.url();
    let pages = serve_pages().await;
    browser.open(&pages.url("127.0.0.1")).await;

    browser
        .fetch(&format!("{api}/private"), WITH_CREDENTIALS)
        .await
        .assert_response(401, "missing or wrong bearer token");

    let mut limited = Vec::new();
    for _ in 0..3 {
        limited.push(
            browser
                .fetch(&format!("{api}/limited"), WITH_CREDENTIALS)
                .await,
        );
    }
    limited[0].assert_response(200, "within the limit");
    limited[1].assert_response(200, "within the limit");
    limited[2].assert_status(429);
    let retry_after = limited[2].header("retry-after");
    assert!(
        retry_after.is_some_and(|seconds| seconds.parse::<u64>().is_ok()),
        "retry-after is exposed by the development policy: {:#?}",
        limited[2]
    );

    browser
        .fetch(
            &format!("{api}/echo"),
            "{method: 'POST', credentials: 'include', \
             headers: {'content-type': 'text/plain'}, body: 'a'.repeat(2048)}",
        )
        .await
        .assert_status(413);
    browser
        .fetch(&format!("{api}/nowhere"), WITH_CREDENTIALS)
        .await
        .assert_response(404, "not found");
    browser
        .fetch(&format!("{api}/panic"), WITH_CREDENTIALS)
        .await
        .assert_status(500);
    // Preflighted, then an error status from the routes.
    browser
        .fetch(
            &format!("{api}/status/418"),
            "{method: 'PUT', credentials: 'include'}",
        )
        .await
        .assert_response(418, "");
    browser
        .fetch(
            &format!("{api}/echo"),
            "{method: 'DELETE', credentials: 'include'}",
        )
        .await
        .assert_status(405);
    browser
        .xhr("GET", &format!("{api}/panic"), true, &[], None)
        .await
        .assert_status(500);
}

#[tokio::test]
async fn disallowed_origin_is_blocked_and_the_console_says_why() {
    let Some(browser) = browser().await else {
        return;
    };
    let allowed = serve_pages().await;
    let other = serve_pages().await;
    let server = demo_for(&allowed.origin("127.0.0.1"), &[]);
    let url = format!("{}/", server.url());
    let origin = other.origin("127.0.0.1");

    browser.open(&other.url("127.0.0.1")).await;
    let no_grant = blocked("fetch", &url, &origin, NO_ALLOW_ORIGIN);
    browser
        .fetch(&url, "{}")
        .await
        .assert_blocked(FAILED_TO_FETCH, &no_grant);
    browser
        .fetch(&url, WITH_CREDENTIALS)
        .await
        .assert_blocked(FAILED_TO_FETCH, &no_grant);
    browser.fetch(&url, PUT_JSON).await.assert_blocked(
        FAILED_TO_FETCH,
        &blocked("fetch", &url, &origin, &preflight(NO_ALLOW_ORIGIN)),
    );
    browser
        .xhr("GET", &url, true, &[], None)
        .await
        .assert_blocked(
            XHR_ERROR,
            &blocked("XMLHttpRequest", &url, &origin, NO_ALLOW_ORIGIN),
        );
    browser
        .xhr("DELETE", &url, true, &[], None)
        .await
        .assert_blocked(
            XHR_ERROR,
            &blocked("XMLHttpRequest", &url, &origin, &preflight(NO_ALLOW_ORIGIN)),
        );

    // The origin named by the policy, same server: readable.
    browser.open(&allowed.url("127.0.0.1")).await;
    browser
        .fetch(&url, PUT_JSON)
        .await
        .assert_response(200, "ok");
}

#[tokio::test]
async fn allowed_origin_asking_for_a_disallowed_method_is_blocked_and_the_console_names_it() {
    let Some((browser, origin, api, _server)) = open_demo_page(&[]).await else {
        return;
    };
    let url = format!("{api}/");

    let patch =
        "Method PATCH is not allowed by Access-Control-Allow-Methods in preflight response.";
    browser
        .fetch(&url, "{method: 'PATCH', credentials: 'include'}")
        .await
        .assert_blocked(FAILED_TO_FETCH, &blocked("fetch", &url, &origin, patch));
    browser
        .xhr("PATCH", &url, true, &[], None)
        .await
        .assert_blocked(XHR_ERROR, &blocked("XMLHttpRequest", &url, &origin, patch));
    // An allowed method on the same URL still works.
    browser
        .fetch(&url, PUT_JSON)
        .await
        .assert_response(200, "ok");
}

#[tokio::test]
async fn allowed_origin_asking_for_a_disallowed_header_is_blocked_and_the_console_names_it() {
    let Some((browser, origin, api, _server)) = open_demo_page(&[]).await else {
        return;
    };
    let url = format!("{api}/");

    let header = "Request header field x-forbidden is not allowed by \
                  Access-Control-Allow-Headers in preflight response.";
    browser
        .fetch(
            &url,
            "{method: 'PUT', credentials: 'include', headers: \
             {'content-type': 'application/json', 'x-trace-id': '1', 'x-forbidden': '1'}}",
        )
        .await
        .assert_blocked(FAILED_TO_FETCH, &blocked("fetch", &url, &origin, header));
    browser
        .fetch(&url, "{headers: {'X-Forbidden': 'yes'}}")
        .await
        .assert_blocked(FAILED_TO_FETCH, &blocked("fetch", &url, &origin, header));
    browser
        .xhr("GET", &url, false, &[("x-forbidden", "1")], None)
        .await
        .assert_blocked(XHR_ERROR, &blocked("XMLHttpRequest", &url, &origin, header));
}

#[tokio::test]
async fn strict_policy_blocks_a_disallowed_method_without_naming_it() {
    let Some((browser, origin, api, _server)) = open_demo_page(&[("CORS_STRICT", "true")]).await
    else {
        return;
    };
    let url = format!("{api}/");

    // The 403 without headers that `strict` answers leaves Chromium only this to say.
    browser
        .fetch(&url, "{method: 'PATCH', credentials: 'include'}")
        .await
        .assert_blocked(
            FAILED_TO_FETCH,
            &blocked("fetch", &url, &origin, &preflight(NO_ALLOW_ORIGIN)),
        );
    browser
        .fetch(&url, PUT_JSON)
        .await
        .assert_response(200, "ok");
}

/// The demo server allowing any origin, method and header, without credentials.
fn any_origin_server() -> demo::Server {
    demo::start(&[
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOWED_METHODS", "*"),
        ("CORS_ALLOWED_HEADERS", "*"),
        ("CORS_EXPOSE_HEADERS", "x-request-id"),
    ])
}

#[tokio::test]
async fn any_origin_policy_without_credentials_works_from_any_page() {
    let Some(browser) = browser().await else {
        return;
    };
    let server = any_origin_server();
    let api = server.url();
    let pages = serve_pages().await;
    let more_pages = serve_pages().await;

    for page in [
        pages.url("127.0.0.1"),
        pages.url("a.localhost"),
        more_pages.url("localhost"),
        more_pages.url("x.y.localhost"),
    ] {
        browser.open(&page).await;
        let get = browser.fetch(&format!("{api}/"), "{}").await;
        get.assert_response(200, "ok");
        assert!(get.header("x-request-id").is_some(), "{get:#?}");
        browser
            .fetch(
                &format!("{api}/"),
                "{method: 'PATCH', headers: {'content-type': 'application/json', \
                 'x-anything': 'goes'}, body: '{}'}",
            )
            .await
            .assert_response(200, "ok");
        browser
            .xhr(
                "DELETE",
                &format!("{api}/"),
                false,
                &[("x-other", "1")],
                None,
            )
            .await
            .assert_response(200, "ok");
    }
}

#[tokio::test]
async fn credentialed_request_to_an_any_origin_policy_is_blocked() {
    let Some(browser) = browser().await else {
        return;
    };
    let server = any_origin_server();
    let url = format!("{}/", server.url());
    let pages = serve_pages().await;
    let origin = pages.origin("127.0.0.1");
    browser.open(&pages.url("127.0.0.1")).await;

    browser.fetch(&url, WITH_CREDENTIALS).await.assert_blocked(
        FAILED_TO_FETCH,
        &blocked("fetch", &url, &origin, WILDCARD_WITH_CREDENTIALS),
    );
    browser.fetch(&url, PUT_JSON).await.assert_blocked(
        FAILED_TO_FETCH,
        &blocked(
            "fetch",
            &url,
            &origin,
            &preflight(WILDCARD_WITH_CREDENTIALS),
        ),
    );
    browser
        .xhr("GET", &url, true, &[], None)
        .await
        .assert_blocked(
            XHR_ERROR,
            &blocked(
                "XMLHttpRequest",
                &url,
                &origin,
                &format!(
                    "{WILDCARD_WITH_CREDENTIALS} The credentials mode of requests initiated by \
                     the XMLHttpRequest is controlled by the withCredentials attribute."
                ),
            ),
        );
    // Without credentials, the same page and server: readable.
    browser.fetch(&url, "{}").await.assert_response(200, "ok");
}

/// From each page host, a credentialed GET and a preflighted PUT to a server allowing `pattern`:
/// readable when `allowed`, else blocked with the console's reason.
async fn assert_subdomain_pattern(pattern: &str, hosts: &[(&str, bool)]) {
    let Some(browser) = browser().await else {
        return;
    };
    let server = demo::start(&[
        ("CORS_ALLOWED_ORIGINS", pattern),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_ALLOWED_METHODS", "PUT"),
        ("CORS_ALLOWED_HEADERS", "content-type"),
    ]);
    let url = format!("{}/", server.url());
    let pages = serve_pages().await;
    for &(host, allowed) in hosts {
        browser.open(&pages.url(host)).await;
        let origin = pages.origin(host);
        assert_eq!(browser.origin().await, origin);
        let get = browser.fetch(&url, WITH_CREDENTIALS).await;
        let put = browser.fetch(&url, PUT_JSON).await;
        if allowed {
            get.assert_response(200, "ok");
            put.assert_response(200, "ok");
        } else {
            get.assert_blocked(
                FAILED_TO_FETCH,
                &blocked("fetch", &url, &origin, NO_ALLOW_ORIGIN),
            );
            put.assert_blocked(
                FAILED_TO_FETCH,
                &blocked("fetch", &url, &origin, &preflight(NO_ALLOW_ORIGIN)),
            );
        }
    }
}

#[tokio::test]
async fn one_label_subdomain_pattern_allows_a_localhost_but_not_a_b_localhost() {
    assert_subdomain_pattern(
        "http://*.localhost:*",
        &[
            ("a.localhost", true),
            ("other.localhost", true),
            ("a.b.localhost", false),
            ("localhost", false),
            ("127.0.0.1", false),
        ],
    )
    .await;
}

#[tokio::test]
async fn any_depth_subdomain_pattern_allows_a_localhost_and_a_b_localhost() {
    assert_subdomain_pattern(
        "http://**.localhost:*",
        &[
            ("a.localhost", true),
            ("a.b.localhost", true),
            ("x.a.b.localhost", true),
            ("localhost", false),
            ("127.0.0.1", false),
        ],
    )
    .await;
}

/// A case of the cross-check: the `fetch()` the page makes, and the same request for the doctor.
struct Case {
    class: &'static str,
    init: &'static str,
    method: &'static str,
    headers: &'static [(&'static str, &'static str)],
    credentials: bool,
}

/// What the doctor's `probe` says the console will show for `case`, sent to `url` from `origin`.
async fn doctor_console(case: &Case, origin: &str, url: &str) -> (Option<String>, String) {
    let mut request = tower_cors_doctor::PageRequest::new(origin, url)
        .unwrap()
        .with_method(case.method)
        .unwrap()
        .with_credentials(case.credentials);
    for (name, value) in case.headers {
        request = request.with_header(name, value).unwrap();
    }
    // The doctor's `probe`, with the test's HTTP client as its transport.
    let runtime = tokio::runtime::Handle::current();
    let report = tokio::task::spawn_blocking(move || {
        tower_cors_doctor::probe_with(&request, |sent: http::Request<()>| {
            let headers: Vec<(&str, &str)> = sent
                .headers()
                .iter()
                .map(|(name, value)| (name.as_str(), value.to_str().unwrap_or_default()))
                .collect();
            let url = sent.uri().to_string();
            let response = runtime.block_on(demo::send_http(
                sent.method().clone(),
                &url,
                &headers,
                bytes::Bytes::new(),
            ));
            let (parts, body) = response.into_parts();
            let body = String::from_utf8_lossy(&body).into_owned();
            Ok::<_, tower_cors_doctor::ProbeError>(http::Response::from_parts(parts, body))
        })
    })
    .await
    .unwrap()
    .expect("the demo server is reachable");
    let cause = report
        .verdict()
        .blocked()
        .map(|blocked| blocked.cause().code().to_owned())
        .unwrap_or_default();
    (report.console_message().map(str::to_owned), cause)
}

/// For each refusal class a browser can meet, the console line Chromium prints is the one the
/// doctor predicts for the same request to the same server. Private network access is left out:
/// pages and servers here share the loopback address space, so Chromium sends no such preflight;
/// malformed requests are left out because browsers never send them.
#[tokio::test]
async fn the_console_names_the_cause_the_doctor_names_for_each_refusal_class() {
    let Some(browser) = browser().await else {
        return;
    };
    let allowed_pages = serve_pages().await;
    let other_pages = serve_pages().await;
    let allowed = allowed_pages.origin("127.0.0.1");
    let listed = demo_for(&allowed, &[]);
    let without_credentials = demo::start(&[("CORS_ALLOWED_ORIGINS", allowed.as_str())]);
    let any_origin = any_origin_server();

    let cases = [
        (
            Case {
                class: "origin not allowed (simple)",
                init: "{}",
                method: "GET",
                headers: &[],
                credentials: false,
            },
            &other_pages,
            &listed,
            "no_allow_origin",
        ),
        (
            Case {
                class: "origin not allowed (preflight)",
                init: PUT_JSON,
                method: "PUT",
                headers: &[("content-type", "application/json")],
                credentials: true,
            },
            &other_pages,
            &listed,
            "no_allow_origin",
        ),
        (
            Case {
                class: "method not allowed",
                init: "{method: 'PATCH', credentials: 'include'}",
                method: "PATCH",
                headers: &[],
                credentials: true,
            },
            &allowed_pages,
            &listed,
            "method_not_allowed",
        ),
        (
            Case {
                class: "header not allowed",
                init: "{headers: {'x-forbidden': '1'}, credentials: 'include'}",
                method: "GET",
                headers: &[("x-forbidden", "1")],
                credentials: true,
            },
            &allowed_pages,
            &listed,
            "header_not_allowed",
        ),
        (
            Case {
                class: "credentials: wildcard origin",
                init: WITH_CREDENTIALS,
                method: "GET",
                headers: &[],
                credentials: true,
            },
            &other_pages,
            &any_origin,
            "wildcard_with_credentials",
        ),
        (
            Case {
                class: "credentials: not allowed by the policy",
                init: WITH_CREDENTIALS,
                method: "GET",
                headers: &[],
                credentials: true,
            },
            &allowed_pages,
            &without_credentials,
            "credentials_not_true",
        ),
    ];
    for (case, pages, server, cause) in cases {
        let url = format!("{}/", server.url());
        let origin = pages.origin("127.0.0.1");
        let (predicted, doctor_cause) = doctor_console(&case, &origin, &url).await;
        let predicted =
            predicted.unwrap_or_else(|| panic!("{}: the doctor predicts no block", case.class));
        assert_eq!(doctor_cause, cause, "{}", case.class);

        browser.open(&pages.url("127.0.0.1")).await;
        browser
            .fetch(&url, case.init)
            .await
            .assert_blocked(FAILED_TO_FETCH, &predicted);
    }
}

/// Reads the demo server's `/submit` counter from outside the browser.
async fn submissions(api: &str) -> String {
    let response = demo::send_http(
        http::Method::GET,
        &format!("{api}/submit"),
        &[],
        bytes::Bytes::new(),
    )
    .await;
    String::from_utf8_lossy(response.body()).into_owned()
}

/// A page's `new WebSocket(url)`: `message: TEXT` when it opened and echoed `hello`, `error`
/// when it could not open.
async fn websocket_echo(browser: &Browser, url: &str) -> String {
    browser
        .run_async(
            "const [url, done] = arguments;
const timer = setTimeout(() => done('no answer within 10 s'), 10000);
const socket = new WebSocket(url);
socket.onopen = () => socket.send('hello');
socket.onmessage = (event) => { clearTimeout(timer); done('message: ' + event.data); socket.close(); };
socket.onerror = () => { clearTimeout(timer); done('error'); };",
            &[url],
        )
        .await
}

/// Cross-origin protection on: a disallowed page's form post and `no-cors` fetch never reach
/// the handler (the counter stays at 0); an allowed page's POST and a same-origin page's form
/// post do.
#[tokio::test]
async fn cross_origin_protection_stops_disallowed_form_posts_and_lets_allowed_ones_through() {
    let Some((browser, origin, api, _server)) =
        open_demo_page(&[("CORS_CROSS_ORIGIN_PROTECTION", "true")]).await
    else {
        return;
    };
    // Pages on another port: other origins than the allowed page's.
    let pages = serve_pages().await;
    let submit = format!("{api}/submit");
    assert_eq!(submissions(&api).await, "0");

    // `localhost` is another origin (and site) than the allowed `127.0.0.1`.
    browser.open(&pages.url("localhost")).await;
    let page = browser.submit_form(&submit).await;
    assert_eq!(
        page,
        format!(
            "cross-origin request from origin \"{}\" is forbidden",
            pages.origin("localhost")
        )
    );
    assert_eq!(
        submissions(&api).await,
        "0",
        "the form post reached the handler"
    );

    // The form's answer replaced the page: back to the disallowed one.
    browser.open(&pages.url("localhost")).await;
    let seen = browser
        .fetch(
            &submit,
            "{method: 'POST', mode: 'no-cors', credentials: 'include', body: 'amount=100'}",
        )
        .await;
    // An opaque response: the page learns nothing, and the handler did not run; the console
    // shows the 403.
    assert_eq!(
        (seen.status, seen.error.as_deref()),
        (Some(0), None),
        "{seen:#?}"
    );
    assert_eq!(
        seen.console,
        ["Failed to load resource: the server responded with a status of 403 (Forbidden)"],
        "{seen:#?}"
    );
    assert_eq!(
        submissions(&api).await,
        "0",
        "the no-cors fetch reached the handler"
    );

    // The allowed page: its POST goes through.
    browser.open(&format!("{origin}/")).await;
    browser
        .fetch(
            &submit,
            "{method: 'POST', credentials: 'include', body: 'amount=100'}",
        )
        .await
        .assert_response(200, "received 1");

    // A page of the server itself posts a form: same-origin.
    browser.open(&format!("{api}/")).await;
    assert_eq!(browser.submit_form(&submit).await, "received 2");
    assert_eq!(submissions(&api).await, "2");
}

/// Cross-origin protection off, the default: the disallowed page's form post reaches the
/// handler. CORS alone does not stop it; this is the threat the protection closes.
#[tokio::test]
async fn without_cross_origin_protection_a_disallowed_form_post_reaches_the_handler() {
    let Some((browser, _origin, api, _server)) = open_demo_page(&[]).await else {
        return;
    };
    let pages = serve_pages().await;
    browser.open(&pages.url("localhost")).await;
    let page = browser.submit_form(&format!("{api}/submit")).await;
    assert_eq!(page, "received 1");
    assert_eq!(submissions(&api).await, "1");
}

/// Cross-origin protection on: a disallowed page cannot open the WebSocket (browsers apply no
/// CORS to it); the allowed page opens it and gets its message echoed.
#[tokio::test]
async fn cross_origin_protection_refuses_websockets_from_disallowed_pages() {
    let Some((browser, _origin, api, _server)) =
        open_demo_page(&[("CORS_CROSS_ORIGIN_PROTECTION", "true")]).await
    else {
        return;
    };
    let socket = format!("{}/ws", api.replacen("http://", "ws://", 1));
    assert_eq!(websocket_echo(&browser, &socket).await, "message: hello");

    let pages = serve_pages().await;
    browser.open(&pages.url("localhost")).await;
    assert_eq!(websocket_echo(&browser, &socket).await, "error");
    // Chromium's console line for it.
    let console = browser.console().await;
    let refused = format!(
        "WebSocket connection to '{socket}' failed: Error during WebSocket handshake: \
         Unexpected response code: 403"
    );
    assert!(
        console.iter().any(|line| line.ends_with(&refused)),
        "{console:#?}"
    );

    // Without the protection the same page opens it: the hijacking the protection stops.
    let open = demo_for(&pages.origin("127.0.0.1"), &[]);
    let socket = format!("{}/ws", open.url().replacen("http://", "ws://", 1));
    assert_eq!(websocket_echo(&browser, &socket).await, "message: hello");
}
