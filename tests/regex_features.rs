//! Regular-expression origins compile the same in the crate's tests as in an application that
//! depends on it: the tests have no `regex` of their own to turn on more of its features, so a
//! `(?i)` pattern (which needs regex's `unicode-case`) works here only because the library
//! enables it for everyone.

#![cfg(feature = "regex")]

use http::Request;
use tower_cors::{CorsDecision, CorsLayer, CorsRequestKind};

fn decide(layer: &CorsLayer, origin: &str) -> CorsDecision {
    layer.decide(&Request::get("/").header("origin", origin).body(()).unwrap())
}

#[test]
fn case_insensitive_regexes_are_accepted_and_match_in_any_case() {
    let layer = CorsLayer::builder()
        .allow_origin_regexes([r"(?i)https://(app|admin)\.EXAMPLE\.com"])
        .build()
        .expect("a (?i) pattern compiles with the library's regex features");
    for origin in ["https://app.example.com", "https://admin.example.com"] {
        assert_eq!(
            decide(&layer, origin),
            CorsDecision::Allowed(CorsRequestKind::Actual),
            "{origin}"
        );
    }
    assert!(decide(&layer, "https://evil.example.com")
        .refusal()
        .is_some());
}

#[test]
fn unicode_classes_in_regexes_are_accepted() {
    let layer = CorsLayer::builder()
        .allow_origin_regexes([r"https://\w+\.example\.com"])
        .build()
        .expect("\\w compiles with the library's regex features");
    assert_eq!(
        decide(&layer, "https://pr_42.example.com"),
        CorsDecision::Allowed(CorsRequestKind::Actual)
    );
}
