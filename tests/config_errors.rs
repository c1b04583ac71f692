//! Validation (the README's "What is refused at startup"): every rule refuses what it
//! must, with a message that names the location, the value, the problem and the fix, and a
//! configuration with several problems reports all of them at once.

use tower_cors::{ConfigErrorKind as Kind, CorsBuilder, CorsConfig, CorsLayer};

fn base() -> CorsBuilder {
    CorsLayer::builder().allow_origins(["https://app.example.com"])
}

fn credentialed() -> CorsBuilder {
    base().allow_credentials(true)
}

/// One rule: a configuration, the one problem it must yield, where, and words the message must
/// contain.
struct Case {
    rule: &'static str,
    builder: CorsBuilder,
    kind: Kind,
    location: &'static str,
    contains: &'static [&'static str],
}

fn case(
    rule: &'static str,
    builder: CorsBuilder,
    kind: Kind,
    location: &'static str,
    contains: &'static [&'static str],
) -> Case {
    Case {
        rule,
        builder,
        kind,
        location,
        contains,
    }
}

fn origins(entries: &[&str]) -> CorsBuilder {
    CorsLayer::builder().allow_origins(entries.iter().copied())
}

#[test]
fn every_validation_rule_refuses_with_location_value_problem_and_fix() {
    #[rustfmt::skip]
    let cases = [
        case("no origin", CorsLayer::builder(), Kind::NoOrigins, "allowed_origins", &["no origin is allowed", "leave the layer out"]),
        case("trailing slash", origins(&["https://app.example.com/"]), Kind::NonCanonicalOrigin, "allowed_origins[0]", &["an origin has no path", "write \"https://app.example.com\""]),
        case("path", origins(&["https://app.example.com/api"]), Kind::NonCanonicalOrigin, "allowed_origins[0]", &["no path", "\"https://app.example.com\""]),
        case("query", origins(&["https://app.example.com?x=1"]), Kind::NonCanonicalOrigin, "allowed_origins[0]", &["no query"]),
        case("fragment", origins(&["https://app.example.com#top"]), Kind::NonCanonicalOrigin, "allowed_origins[0]", &["no fragment"]),
        case("userinfo", origins(&["https://me@app.example.com"]), Kind::NonCanonicalOrigin, "allowed_origins[0]", &["no user information", "\"https://app.example.com\""]),
        case("uppercase", origins(&["HTTPS://App.Example.com"]), Kind::NonCanonicalOrigin, "allowed_origins[0]", &["lowercase", "\"https://app.example.com\""]),
        case("default port", origins(&["https://app.example.com:443"]), Kind::NonCanonicalOrigin, "allowed_origins[0]", &["default port 443", "\"https://app.example.com\""]),
        case("leading zeros in port", origins(&["http://localhost:03000"]), Kind::NonCanonicalOrigin, "allowed_origins[0]", &["\"http://localhost:3000\""]),
        case("unicode host", origins(&["https://bücher.example"]), Kind::NonCanonicalOrigin, "allowed_origins[0]", &["punycode", "\"https://xn--bcher-kva.example\""]),
        case("trailing dot", origins(&["https://app.example.com."]), Kind::NonCanonicalOrigin, "allowed_origins[0]", &["trailing dot", "\"https://app.example.com\""]),
        case("non-canonical ipv6", origins(&["http://[0:0::1]:8080"]), Kind::NonCanonicalOrigin, "allowed_origins[0]", &["\"http://[::1]:8080\""]),
        case("surrounding whitespace", origins(&[" https://app.example.com"]), Kind::NonCanonicalOrigin, "allowed_origins[0]", &["whitespace"]),
        case("no scheme", origins(&["app.example.com"]), Kind::InvalidOrigin, "allowed_origins[0]", &["no scheme", "write \"https://app.example.com\""]),
        case("empty entry", origins(&[""]), Kind::InvalidOrigin, "allowed_origins[0]", &["empty"]),
        case("wildcard inside a label", origins(&["https://app-*.example.com"]), Kind::InvalidOrigin, "allowed_origins[0]", &["wildcard", "https://*.example.com"]),
        case("wildcard in the middle", origins(&["https://app.*.example.com"]), Kind::InvalidOrigin, "allowed_origins[0]", &["whole leftmost label"]),
        case("wildcard over an ip", origins(&["http://*.0.0.1"]), Kind::InvalidOrigin, "allowed_origins[0]", &["IP address"]),
        case("port out of range", origins(&["http://localhost:70000"]), Kind::InvalidOrigin, "allowed_origins[0]", &["1 to 65535"]),
        case("bad host character", origins(&["https://app$.example.com"]), Kind::InvalidOrigin, "allowed_origins[0]", &["not a valid host name"]),
        case("over-long entry", origins(&[&format!("https://{}.example.com", "a".repeat(400))]), Kind::InvalidOrigin, "allowed_origins[0]", &["longer than any origin"]),
        case("star in a list", origins(&["https://app.example.com", "*"]), Kind::WildcardInList, "allowed_origins[1]", &["cannot stand in a list", "use \"*\" alone"]),
        case("star with credentials", origins(&["*"]).allow_credentials(true), Kind::AnyOriginWithCredentials, "allowed_origins[0]", &["every origin with credentials", "allow_credentials"]),
        case("null", origins(&["null"]), Kind::NullOrigin, "allowed_origins[0]", &["sandboxed iframe", "dangerously_allow_null_origin"]),
        case("file origin", origins(&["file:///home/me/index.html"]), Kind::FileOrigin, "allowed_origins[0]", &["\"null\"", "http://localhost"]),
        case("insecure origin with credentials", origins(&["http://app.example.com"]).allow_credentials(true), Kind::InsecureOriginWithCredentials, "allowed_origins[0]", &["plain-http", "https://", "dangerously_allow_insecure_origins"]),
        case("insecure pattern with credentials", origins(&["http://*.example.com"]).allow_credentials(true), Kind::InsecureOriginWithCredentials, "allowed_origins[0]", &["plain-http"]),
        case("public suffix wildcard with credentials", origins(&["https://*.github.io"]).allow_credentials(true), Kind::PublicSuffixWildcardWithCredentials, "allowed_origins[0]", &["\"github.io\" is a public suffix", "dangerously_allow_public_suffix_wildcards"]),
        case("any-depth wildcard over a tld with credentials", origins(&["https://**.co.uk"]).allow_credentials(true), Kind::PublicSuffixWildcardWithCredentials, "allowed_origins[0]", &["\"co.uk\""]),
        case("invalid regex", base().allow_origin_regexes(["https://(app"]), Kind::InvalidRegex, "allowed_origin_regexes[0]", &["unclosed group", "must match a whole origin"]),
        case("regex matching null", base().allow_origin_regexes([".*"]), Kind::NullOrigin, "allowed_origin_regexes[0]", &["matches \"null\""]),
        case("regex matching any domain with credentials", credentialed().allow_origin_regexes(["https://.+"]), Kind::AnyOriginWithCredentials, "allowed_origin_regexes[0]", &["any domain", "https://attacker.com", "such as https://([a-z0-9-]+\\.)*example\\.com"]),
        case("regex escaping its anchors", base().allow_origin_regexes([r"https://good\.example)|(x"]), Kind::InvalidRegex, "allowed_origin_regexes[0]", &["unopened group"]),
        case("ipv4 with leading zeros", origins(&["http://010.0.0.1"]), Kind::InvalidOrigin, "allowed_origins[0]", &["without leading zeros"]),
        case("set-cookie as a request header", base().allow_headers(["set-cookie"]), Kind::ForbiddenRequestHeader, "allowed_headers[0]", &["never let scripts set it"]),
        case("invalid method", base().allow_methods(["POS T"]), Kind::InvalidMethod, "allowed_methods[0]", &["not a valid method name"]),
        case("forbidden method", base().allow_methods(["PUT", "trace"]), Kind::ForbiddenMethod, "allowed_methods[1]", &["never let scripts send it"]),
        case("invalid request header name", base().allow_headers(["x foo"]), Kind::InvalidHeaderName, "allowed_headers[0]", &["not a valid header name"]),
        case("forbidden request header", base().allow_headers(["cookie"]), Kind::ForbiddenRequestHeader, "allowed_headers[0]", &["never let scripts set it"]),
        case("forbidden sec- header", base().allow_headers(["Sec-Fetch-Mode"]), Kind::ForbiddenRequestHeader, "allowed_headers[0]", &["never let scripts set it"]),
        case("forbidden proxy- header", base().allow_headers(["proxy-authorization"]), Kind::ForbiddenRequestHeader, "allowed_headers[0]", &["never let scripts set it"]),
        case("response header listed as request header", base().allow_headers(["access-control-allow-origin"]), Kind::MisplacedHeader, "allowed_headers[0]", &["response header"]),
        case("set-cookie exposed", base().expose_headers(["Set-Cookie"]), Kind::ForbiddenExposedHeader, "expose_headers[0]", &["never let scripts read it"]),
        case("invalid exposed header name", base().expose_headers(["x:y"]), Kind::InvalidHeaderName, "expose_headers[0]", &["not a valid header name"]),
        case("request header exposed", base().expose_headers(["origin"]), Kind::MisplacedHeader, "expose_headers[0]", &["request header"]),
        case("star exposed with credentials", credentialed().expose_any_header(), Kind::AnyExposedHeaderWithCredentials, "expose_headers[0]", &["literally named \"*\""]),
    ];
    for Case {
        rule,
        builder,
        kind,
        location,
        contains,
    } in cases
    {
        let errors = match builder.build() {
            Ok(_) => panic!("{rule}: accepted"),
            Err(errors) => errors,
        };
        assert_eq!(errors.len(), 1, "{rule}: {errors}");
        let error = errors.iter().next().unwrap();
        assert_eq!(error.kind(), kind, "{rule}: {error}");
        assert_eq!(error.location(), location, "{rule}");
        assert!(
            !error.problem().is_empty() && !error.fix().is_empty(),
            "{rule}"
        );
        let message = error.to_string();
        assert!(message.starts_with(location), "{rule}: {message}");
        if let Some(value) = error.value() {
            assert!(message.contains(&format!("{value:?}")), "{rule}: {message}");
        }
        for fragment in contains {
            assert!(
                message.contains(fragment),
                "{rule}: {message:?} lacks {fragment:?}"
            );
        }
    }
}

#[test]
fn trailing_slash_message_names_value_problem_and_fix() {
    let errors = origins(&["https://app.example.com/"]).build().unwrap_err();
    assert_eq!(
        errors.to_string(),
        r#"allowed_origins[0]: "https://app.example.com/": an origin has no path; write "https://app.example.com""#
    );
}

#[test]
fn max_age_out_of_range_is_refused() {
    for seconds in [-1, 86_401, i64::MAX] {
        let mut config = CorsConfig::default();
        config.allowed_origins = vec!["https://app.example.com".into()];
        config.max_age = Some(seconds);
        let errors = CorsLayer::try_from(config).unwrap_err();
        let error = errors.iter().next().unwrap();
        assert_eq!(error.kind(), Kind::MaxAgeOutOfRange);
        assert_eq!(error.value(), Some(seconds.to_string().as_str()));
        assert!(error.to_string().contains("0 to 86400"), "{error}");
    }
}

#[test]
fn opt_ins_and_safe_forms_are_accepted() {
    #[rustfmt::skip]
    let accepted = [
        ("null with its opt-in", origins(&["null"]).dangerously_allow_null_origin(true)),
        ("insecure with its opt-in", origins(&["http://app.example.com"]).allow_credentials(true).dangerously_allow_insecure_origins(true)),
        ("public suffix with its opt-in", origins(&["https://*.github.io"]).allow_credentials(true).dangerously_allow_public_suffix_wildcards(true)),
        ("public suffix without credentials", origins(&["https://*.github.io"])),
        ("insecure without credentials", origins(&["http://app.example.com"])),
        ("loopback http with credentials", origins(&["http://localhost:*", "http://127.0.0.1:8080", "http://[::1]:3000", "http://app.localhost"]).allow_credentials(true)),
        ("own domain wildcard with credentials", origins(&["https://*.example.com", "https://**.example.co.uk"]).allow_credentials(true)),
        ("regex only", CorsLayer::builder().allow_origin_regexes([r"https://pr-[0-9]+\.preview\.example\.com"]).allow_credentials(true)),
        ("star alone", origins(&["*"])),
        ("wildcard methods and headers with credentials", base().allow_credentials(true).allow_any_method().allow_headers(["*", "authorization"])),
        ("any exposed without credentials", base().expose_any_header()),
        ("extension origin", origins(&["chrome-extension://abcdefghijklmnopabcdefghijklmnop"])),
        ("max age bounds", base().max_age(std::time::Duration::from_secs(86_400))),
    ];
    for (rule, builder) in accepted {
        if let Err(errors) = builder.build() {
            panic!("{rule}: refused:\n{errors}");
        }
    }
}

#[test]
fn several_problems_are_all_reported_at_once_in_key_order() {
    let mut config = CorsConfig::default();
    config.allowed_origins = vec![
        "https://app.example.com/".into(),
        "*".into(),
        "http://shop.example.com".into(),
    ];
    config.allowed_origin_regexes = vec!["(".into()];
    config.allow_credentials = true;
    config.allowed_methods = vec!["CONNECT".into()];
    config.allowed_headers = vec!["cookie".into()];
    config.expose_headers = vec!["set-cookie".into()];
    config.max_age = Some(-5);
    let errors = CorsLayer::try_from(config).unwrap_err();
    let kinds: Vec<Kind> = errors.iter().map(|e| e.kind()).collect();
    assert_eq!(
        kinds,
        [
            Kind::NonCanonicalOrigin,
            Kind::WildcardInList,
            Kind::AnyOriginWithCredentials,
            Kind::InsecureOriginWithCredentials,
            Kind::InvalidRegex,
            Kind::ForbiddenMethod,
            Kind::ForbiddenRequestHeader,
            Kind::ForbiddenExposedHeader,
            Kind::MaxAgeOutOfRange,
        ]
    );
    let text = errors.to_string();
    assert_eq!(text.lines().count(), errors.len());
    assert_eq!(errors.into_iter().count(), kinds.len());
}

/// Browsers map a host with UTS #46 before punycode: full-width letters become ASCII, capitals
/// lowercase. An entry written with such characters is refused with the spelling the browser
/// really sends; a host with characters whose mapping is not known here gets no spelling at
/// all, never a wrong one.
#[test]
fn non_ascii_hosts_get_the_spelling_browsers_send_or_none() {
    for (entry, canonical, problem) in [
        (
            "https://ａpp.example.com",
            "https://app.example.com",
            "full-width",
        ),
        (
            "https://ＡＰＰ.example.com:*",
            "https://app.example.com:*",
            "full-width",
        ),
        (
            "https://*.ｅｘａｍｐｌｅ.com",
            "https://*.example.com",
            "full-width",
        ),
        (
            "https://bücher.example",
            "https://xn--bcher-kva.example",
            "punycode",
        ),
        (
            "https://BÜCHER.example",
            "https://xn--bcher-kva.example",
            "punycode",
        ),
    ] {
        let errors = origins(&[entry]).build().unwrap_err();
        assert_eq!(errors.len(), 1, "{entry}: {errors}");
        let error = errors.iter().next().unwrap();
        assert_eq!(error.kind(), Kind::NonCanonicalOrigin, "{entry}: {error}");
        assert_eq!(error.location(), "allowed_origins[0]");
        assert_eq!(error.value(), Some(entry));
        assert!(error.problem().contains(problem), "{entry}: {error}");
        assert_eq!(error.fix(), format!("write {canonical:?}"), "{entry}");
        let fixed = origins(&[canonical]).build();
        assert!(fixed.is_ok(), "{canonical}: {fixed:?}");
    }
    for entry in [
        "https://straße.example",
        "https://ｱプリ.example",
        "https://ﬁle.example",
        "https://e\u{301}cole.example",
        "https://a\u{200d}b.example",
    ] {
        let errors = origins(&[entry]).build().unwrap_err();
        let error = errors.iter().next().unwrap();
        assert_eq!(error.kind(), Kind::InvalidOrigin, "{entry}: {error}");
        assert!(error.problem().contains("UTS #46"), "{entry}: {error}");
        assert!(
            error.fix().contains("Origin request header"),
            "{entry}: {error}"
        );
        assert!(!error.to_string().contains("write \""), "{entry}: {error}");
    }
}
