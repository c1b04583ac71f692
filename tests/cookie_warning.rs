//! The SameSite cookie warning: a credentialed response to a cross-site page that sets a cookie
//! without `SameSite=None; Secure` is logged once at warn level, because browsers treat such a
//! cookie as `SameSite=Lax` and never send it back on the page's cross-site requests.

mod common;
#[path = "common/logs.rs"]
mod logs;

use std::convert::Infallible;

use bytes::Bytes;
use common::{request, Body};
use http::{Request, Response};
use http_body_util::Full;
use logs::log_lines;
use tower::{service_fn, Layer, Service};
use tower_cors::CorsLayer;

const APP: &str = "https://app.example.com";

fn layer(credentials: bool) -> CorsLayer {
    CorsLayer::builder()
        .allow_origins([APP])
        .allow_credentials(credentials)
        .build()
        .unwrap()
}

/// A request from the page at [`APP`] to `api.example.net`, another site.
fn cross_site() -> Request<Body> {
    let mut request = request("GET", Some(APP), &[]);
    request
        .headers_mut()
        .insert("host", "api.example.net".parse().unwrap());
    request
}

/// The warn-level lines logged while `layer` answers `count` cross-site requests, each with
/// these `Set-Cookie` lines from the inner service.
fn warnings_for(
    layer: &CorsLayer,
    count: usize,
    set_cookies: &'static [&'static str],
) -> Vec<String> {
    log_lines(tracing::Level::WARN, || {
        let mut service = layer.layer(service_fn(move |_: Request<Body>| async move {
            let mut response = Response::new(Full::new(Bytes::new()));
            for value in set_cookies {
                response
                    .headers_mut()
                    .append("set-cookie", value.parse().unwrap());
            }
            Ok::<_, Infallible>(response)
        }));
        for _ in 0..count {
            let response = futures::executor::block_on(service.call(cross_site()))
                .unwrap_or_else(|never| match never {});
            assert_eq!(
                response.headers()["access-control-allow-origin"],
                APP,
                "the warning never changes the answer"
            );
        }
    })
}

fn warning_naming(cookie: &str) -> String {
    format!(
        "cookie {cookie} is set on a credentialed response to \"{APP}\" without \
         `SameSite=None; Secure`"
    )
}

#[test]
fn same_site_none_without_secure_is_warned_once() {
    let lines = warnings_for(&layer(true), 3, &["session=abc; Path=/; SameSite=None"]);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].contains(&warning_naming("session")),
        "{}",
        lines[0]
    );
}

#[test]
fn secure_without_same_site_none_is_warned() {
    let lines = warnings_for(&layer(true), 1, &["session=abc; Secure; SameSite=Strict"]);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].contains(&warning_naming("session")),
        "{}",
        lines[0]
    );
}

#[test]
fn same_site_none_and_secure_in_any_case_and_order_give_no_warning() {
    let lines = warnings_for(
        &layer(true),
        1,
        &[
            "session=abc; SameSite=None; Secure",
            "theme=dark; secure; HttpOnly; samesite = none",
        ],
    );
    assert_eq!(lines, Vec::<String>::new());
}

#[test]
fn several_set_cookie_lines_name_the_first_cookie_browsers_keep_same_site() {
    let lines = warnings_for(
        &layer(true),
        2,
        &[
            "session=abc; SameSite=None; Secure",
            "csrf=123; SameSite=None",
            "theme=dark",
        ],
    );
    assert_eq!(lines.len(), 1, "one warning for the policy: {lines:#?}");
    assert!(lines[0].contains(&warning_naming("csrf")), "{}", lines[0]);
}

#[test]
fn a_policy_without_credentials_gives_no_cookie_warning() {
    // Without credentials the page's requests carry no cookies at all, so which cookies the
    // browser would send is not this layer's concern.
    let lines = warnings_for(&layer(false), 2, &["session=abc", "csrf=1; SameSite=None"]);
    assert_eq!(lines, Vec::<String>::new());
}
