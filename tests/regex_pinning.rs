//! Regular-expression origins are judged by their structure: every alternative must pin its
//! host to a domain its owner controls (a literal registrable domain after a `.` or after the
//! scheme's `://`, or a literal host), followed only by a port. One that does not is refused
//! with credentials and with cross-origin protection, and is a warning otherwise, wherever it
//! stands among harmless alternatives. Each refusal names an origin the expression really lets
//! in, and a rewrite that passes.
#![cfg(feature = "regex")]

mod common;

use common::{Body, Inner};
use http::{Request, StatusCode};
use proptest::prelude::*;
use tower_cors::{ConfigError, ConfigErrorKind, CorsDecision, CorsLayer};

/// The errors of `pattern` with credentials on.
fn errors_with_credentials(pattern: &str) -> Vec<ConfigError> {
    CorsLayer::builder()
        .allow_origin_regexes([pattern])
        .allow_credentials(true)
        .build()
        .map(|_| Vec::new())
        .unwrap_or_else(|errors| errors.iter().cloned().collect())
}

/// The layer of `pattern` without credentials, which builds with warnings.
fn open_layer(pattern: &str) -> CorsLayer {
    CorsLayer::builder()
        .allow_origin_regexes([pattern])
        .build()
        .unwrap_or_else(|errors| panic!("{pattern}: {errors}"))
}

fn allows(layer: &CorsLayer, origin: &str) -> bool {
    let request = Request::get("/").header("origin", origin).body(()).unwrap();
    !layer.decide(&request).is_refused()
}

/// The expression after "such as " in a fix, up to the next space or `;`.
fn suggested(fix: &str) -> &str {
    let start = fix.find("such as ").expect("a suggested expression") + "such as ".len();
    fix[start..].split([' ', ';']).next().unwrap()
}

/// `pattern` is refused with credentials, naming `origin`, which the expression really lets in
/// (shown by a layer built without credentials, which warns about the same origin); the
/// suggested rewrite builds with credentials and refuses `origin`.
#[track_caller]
fn assert_refused_naming(pattern: &str, origin: &str) {
    let errors = errors_with_credentials(pattern);
    let error = errors
        .iter()
        .find(|e| e.problem().contains(&format!("{origin:?}")))
        .unwrap_or_else(|| panic!("{pattern}: no error names {origin:?}: {errors:#?}"));
    assert!(
        matches!(
            error.kind(),
            ConfigErrorKind::AnyOriginWithCredentials
                | ConfigErrorKind::PublicSuffixWildcardWithCredentials
        ),
        "{pattern}: {error}"
    );
    assert_eq!(error.location(), "allowed_origin_regexes[0]", "{error}");
    assert_eq!(error.value(), Some(pattern), "{error}");

    let open = open_layer(pattern);
    assert!(allows(&open, origin), "{pattern} does not let {origin} in");
    assert!(
        open.warnings()
            .iter()
            .any(|w| w.problem().contains(&format!("{origin:?}"))),
        "{pattern}: no warning without credentials: {:?}",
        open.warnings()
    );

    let fix = suggested(error.fix());
    let fixed = CorsLayer::builder()
        .allow_origin_regexes([fix])
        .allow_credentials(true)
        .build()
        .unwrap_or_else(|errors| panic!("{pattern}: the fix {fix} is refused: {errors}"));
    assert!(
        !allows(&fixed, origin),
        "{pattern}: the fix {fix} lets {origin} in"
    );
}

#[test]
fn an_unpinned_alternative_behind_sixteen_pinned_ones_is_refused() {
    let pinned: Vec<String> = ('a'..='p')
        .map(|c| format!(r"https://{c}x\.example\.net"))
        .collect();
    let pattern = format!(r"{}|https://[a-z0-9-]+\.com", pinned.join("|"));
    assert_refused_naming(&pattern, "https://attacker.com");
    let error = &errors_with_credentials(&pattern)[0];
    assert!(
        error
            .problem()
            .starts_with(r"its alternative https://[\-0-9a-z]+\.com lets in"),
        "{error}"
    );
}

#[test]
fn a_name_after_a_fixed_prefix_under_com_is_refused() {
    assert_refused_naming(r"https://acme-[a-z]+\.com", "https://acme-attacker.com");
}

#[test]
fn digits_after_an_optional_subdomain_and_a_name_under_com_are_refused() {
    assert_refused_naming(r"https://(www\.)?acme[0-9]*\.com", "https://acme1.com");
}

#[test]
fn a_name_ending_in_a_digit_under_com_is_refused() {
    assert_refused_naming(r"https://[a-z]+[0-9]\.com", "https://attacker1.com");
}

#[test]
fn a_name_after_a_fixed_prefix_under_a_private_suffix_is_refused() {
    assert_refused_naming(
        r"https://acme-[a-z]+\.github\.io",
        "https://acme-attacker.github.io",
    );
}

#[test]
fn a_varying_top_level_domain_is_refused() {
    assert_refused_naming(r"https://example\.[a-z]+", "https://example.xyz");
}

#[test]
fn a_regex_matching_every_domain_is_refused_with_cross_origin_protection() {
    for pattern in [
        r"https?://.*",
        r"https://.+",
        r"https://[^/]+",
        r"[a-z]+://.+",
    ] {
        let errors = CorsLayer::from_vars(
            "CORS_",
            [
                ("CORS_ALLOWED_ORIGIN_REGEXES", pattern),
                ("CORS_CROSS_ORIGIN_PROTECTION", "true"),
            ],
        )
        .unwrap_err();
        let error = errors
            .iter()
            .find(|e| e.kind() == ConfigErrorKind::CrossOriginProtectionWithAnyOrigin)
            .unwrap_or_else(|| panic!("{pattern}: {errors}"));
        let line = error.to_string();
        assert!(
            line.starts_with(&format!("CORS_ALLOWED_ORIGIN_REGEXES: {pattern:?}: ")),
            "{line}"
        );
        assert!(line.contains("any domain"), "{line}");
        assert!(line.contains("turn cross_origin_protection off"), "{line}");
        assert!(
            CorsLayer::builder()
                .allow_origin_regexes([suggested(error.fix())])
                .cross_origin_protection(true)
                .build()
                .is_ok(),
            "{pattern}: {line}"
        );
    }
}

#[tokio::test]
async fn a_pinned_regex_with_cross_origin_protection_refuses_other_sites_posts() {
    let layer = CorsLayer::builder()
        .allow_origin_regexes([r"https://([a-z0-9-]+\.)*example\.com"])
        .cross_origin_protection(true)
        .build()
        .unwrap();
    for (origin, allowed) in [
        ("https://app.example.com", true),
        ("https://attacker.com", false),
        ("https://attackerexample.com", false),
    ] {
        let request = Request::post("/submit")
            .header("host", "api.example.com")
            .header("origin", origin)
            .header("sec-fetch-site", "cross-site")
            .body(Body::default())
            .unwrap();
        let inner = Inner::default();
        let response = inner.send(&layer, request).await;
        assert_eq!(inner.calls() == 1, allowed, "{origin}");
        if !allowed {
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin}");
            let refusal = response
                .extensions()
                .get::<CorsDecision>()
                .and_then(CorsDecision::refusal)
                .map(|r| r.reason().code().to_owned());
            assert_eq!(
                refusal.as_deref(),
                Some("cross_origin_request_forbidden"),
                "{origin}"
            );
        }
    }
}

#[test]
fn an_unpinned_regex_without_credentials_or_protection_is_a_warning() {
    let layer = open_layer(r"https://.+");
    let warnings = layer.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].problem().contains("any domain"),
        "{}",
        warnings[0]
    );
}

#[test]
fn an_expression_with_too_many_alternatives_is_refused_with_credentials() {
    let pattern = format!(r"https://{}\.example\.com", "(ab|cd)".repeat(11));
    let errors = errors_with_credentials(&pattern);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].kind(), ConfigErrorKind::InvalidRegex);
    assert!(
        errors[0].problem().contains("1024 alternatives"),
        "{}",
        errors[0]
    );
    let open = open_layer(&pattern);
    assert_eq!(open.warnings().len(), 1);
}

/// An alternative that keeps to `NAME.example.{com,org,net}` (or a literal loopback host).
fn pinned_alternative() -> impl Strategy<Value = String> {
    let name = "[a-z]{1,6}";
    prop_oneof![
        name.prop_map(|n| format!(r"https://{n}\.example\.com")),
        name.prop_map(|n| format!(r"https://[a-z0-9-]+\.{n}\.example\.org")),
        name.prop_map(|n| format!(r"https://([a-z0-9-]+\.)*{n}\.example\.net(:[0-9]+)?")),
        name.prop_map(|n| format!(r"https://pr-[0-9]+\.{n}\.example\.com")),
        name.prop_map(|n| format!(r"https://(www\.)?{n}\.example\.(com|org)")),
        name.prop_map(|n| format!(r"https://.*\.{n}\.example\.com")),
        Just(r"http://localhost:[0-9]+".to_owned()),
    ]
}

/// An alternative that lets in a host on a domain anyone can register.
fn unpinned_alternative() -> impl Strategy<Value = String> {
    let name = "[a-z]{1,6}";
    prop_oneof![
        Just(r"https://[a-z0-9-]+\.com".to_owned()),
        name.prop_map(|n| format!(r"https://{n}-[a-z]+\.com")),
        name.prop_map(|n| format!(r"https://.*{n}example\.com")),
        name.prop_map(|n| format!(r"https://{n}\.example\.[a-z]+")),
        name.prop_map(|n| format!(r"https://{n}\.example\.com.*")),
        name.prop_map(|n| format!(r"https://{n}-[a-z]+\.github\.io")),
        name.prop_map(|n| format!(r"https://(www\.)?{n}[0-9]*\.com")),
        Just(r"https://.+".to_owned()),
        Just(r"https://[^/]+".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// However many pinned alternatives surround it, and however they are grouped, one unpinned
    /// alternative gets the expression refused with credentials; without one, it builds.
    #[test]
    fn refused_with_credentials_exactly_when_an_unpinned_alternative_exists(
        pinned in prop::collection::vec(pinned_alternative(), 0..24),
        unpinned in prop::collection::vec(unpinned_alternative(), 0..3),
        positions in prop::collection::vec(any::<prop::sample::Index>(), 3),
        grouped in any::<bool>(),
    ) {
        prop_assume!(!pinned.is_empty() || !unpinned.is_empty());
        let mut alternatives = pinned;
        for (unpinned, position) in unpinned.iter().zip(&positions) {
            let at = position.index(alternatives.len() + 1);
            alternatives.insert(at, unpinned.clone());
        }
        let pattern = if grouped && alternatives.len() > 1 {
            // Nest the first half in a group of its own.
            let half = alternatives.len() / 2;
            format!("({})|{}", alternatives[..half].join("|"), alternatives[half..].join("|"))
        } else {
            alternatives.join("|")
        };
        let errors = errors_with_credentials(&pattern);
        prop_assert_eq!(errors.is_empty(), unpinned.is_empty(), "{}: {:#?}", pattern, errors);
        let open = open_layer(&pattern);
        prop_assert_eq!(open.warnings().is_empty(), unpinned.is_empty(), "{}", pattern);
        // What a refusal names is really let in.
        for error in &errors {
            if let Some(origin) = error.problem().split('"').nth(1) {
                prop_assert!(allows(&open, origin), "{}: {} is not let in", pattern, origin);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Whatever an expression is made of, judging it never panics: it builds, or it is refused
    /// with errors, with credentials and cross-origin protection on or off.
    #[test]
    fn judging_any_expression_never_panics(
        pattern in r"(https?://|[a-z]+:|\(|\)|\||\?|\*|\+|\.|\\\.|\[a-z0-9-\]|\[\^/\]|\{2\}|\{1,3\}|:[0-9]+|[a-z]{1,6}|\(\?i\)|\^|\$|\\d|\[:\]|\[\]\]){1,16}",
        credentials in any::<bool>(),
        protection in any::<bool>(),
    ) {
        let built = CorsLayer::builder()
            .allow_origin_regexes([pattern.as_str()])
            .allow_credentials(credentials)
            .cross_origin_protection(protection)
            .build();
        if let Err(errors) = built {
            for error in errors.iter() {
                prop_assert!(!error.problem().is_empty(), "{}", pattern);
            }
        }
    }
}
