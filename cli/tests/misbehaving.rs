//! The doctor on the failures people really hit (issue 13): `probe` against small misbehaving
//! servers on loopback, one per scenario, and `explain` and `check` on the policies that go with
//! them, all through the binary. Each test is named after the rule it checks.
//!
//! Run with `cargo test -p tower-cors-cli --test misbehaving`.

mod support;

use support::{demo, response, temp_file, tower_cors, Fake, Received, Run};

const ORIGIN: &str = "https://app.example.com";

/// `tower-cors probe URL ARGS...`.
fn probe(url: &str, args: &[&str]) -> Run {
    let mut all = vec!["probe", url];
    all.extend_from_slice(args);
    tower_cors(&all, &[])
}

/// The response headers a CORS layer sends to `request` when it allows its origin.
fn cors_allowing(request: &Received) -> Vec<(&'static str, String)> {
    let origin = request.header("origin").unwrap_or_default().to_owned();
    vec![
        ("access-control-allow-origin", origin),
        ("vary", "origin".to_owned()),
    ]
}

fn owned<'a>(headers: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    headers.iter().map(|(n, v)| (*n, v.as_str())).collect()
}

#[test]
fn a_server_without_cors_support_is_named_as_such_not_as_an_allowlist_problem() {
    // Answers OPTIONS as any unknown method, and sends no access-control-* header anywhere.
    // A server that implements no OPTIONS at all (Python's http.server) says 501.
    for (status, allow) in [
        ("405 Method Not Allowed", true),
        ("404 Not Found", false),
        ("501 Not Implemented", false),
    ] {
        let server = Fake::start(move |request| match request.method.as_str() {
            "OPTIONS" if allow => response(status, &[("allow", "GET, HEAD")], ""),
            "OPTIONS" => response(status, &[], "not found"),
            _ => response("200 OK", &[("content-type", "application/json")], "[]"),
        });
        let url = format!("{}/items", server.url);
        for args in [
            &["--origin", ORIGIN][..],
            &["--origin", ORIGIN, "--method", "PUT"],
        ] {
            let run = probe(&url, args);
            assert_eq!(run.code, 1, "{run:?}");
            let fix = run.line("fix: ").expect("a fix");
            assert!(
                fix.starts_with("the server has no CORS support: no response carries an access-control-* header"),
                "{run:?}"
            );
            assert!(
                fix.contains("add a CORS layer in front of every route"),
                "{run:?}"
            );
            assert!(
                fix.contains("a same-origin route on your server"),
                "{run:?}"
            );
            assert!(!fix.contains("does not allow"), "{run:?}");
        }
    }
}

#[test]
fn near_misses_show_the_debug_hint_and_the_origin_the_server_does_allow() {
    // In debug mode, the refusal body's hint line comes through whole.
    let server = demo(&[("CORS_ALLOWED_ORIGINS", ORIGIN), ("CORS_DEBUG", "true")]);
    let url = format!("{}/", server.url());
    let run = probe(
        &url,
        &[
            "--origin",
            "https://app.example.com:8443",
            "--method",
            "PUT",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("   < body: hint: "), "{run:?}");
    let fix = run.line("fix: ").expect("a fix");
    assert!(fix.contains("hint: "), "{run:?}");

    // Without debug mode, preflights from near misses find what the server grants.
    let server = Fake::start(|request| {
        let allowed = request.header("origin") == Some(ORIGIN);
        let mut headers = vec![("vary", "origin".to_owned())];
        if allowed {
            headers = cors_allowing(request);
        }
        let status = if request.method == "OPTIONS" && !allowed {
            "403 Forbidden"
        } else {
            "200 OK"
        };
        response(status, &owned(&headers), "")
    });
    let run = probe(
        &format!("{}/", server.url),
        &["--origin", "http://app.example.com"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let fix = run.line("fix: ").expect("a fix");
    assert!(
        fix.starts_with(
            "the server allows \"https://app.example.com\" but not the page's origin \
             \"http://app.example.com\" (it differs: https instead of http)"
        ),
        "{run:?}"
    );
    assert!(
        run.stdout.contains(
            "note: near miss: a preflight from \"https://app.example.com\" (https instead of \
             http) is allowed"
        ),
        "{run:?}"
    );
}

#[test]
fn a_fix_is_never_a_configuration_that_check_refuses() {
    let policy = temp_file(
        "doctor-credentials.toml",
        "allowed_origins = [\"https://app.example.com\"]\nallow_credentials = true\n",
    );
    let policy = policy.to_str().unwrap();
    // A plain-http origin with credentials: the direct fix is refused, so the safe one is given.
    let run = tower_cors(
        &[
            "explain",
            policy,
            "--origin",
            "http://shop.example.com",
            "--credentials",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let fix = run.line("fix: ").expect("a fix");
    assert!(
        fix.starts_with(
            "serve the page over https and add \"https://shop.example.com\" to allowed_origins"
        ),
        "{run:?}"
    );
    // The safe fix passes the same validation.
    let fixed = temp_file(
        "doctor-credentials-fixed.toml",
        "allowed_origins = [\"https://app.example.com\", \"https://shop.example.com\"]\n\
         allow_credentials = true\n",
    );
    let check = tower_cors(&["check", fixed.to_str().unwrap()], &[]);
    assert_eq!(check.code, 0, "{check:?}");
    // And the direct one does not.
    let unfixed = temp_file(
        "doctor-credentials-unfixed.toml",
        "allowed_origins = [\"https://app.example.com\", \"http://shop.example.com\"]\n\
         allow_credentials = true\n",
    );
    assert_eq!(
        tower_cors(&["check", unfixed.to_str().unwrap()], &[]).code,
        1
    );

    // probe gives the same safe fix for a server seen from outside.
    let server = Fake::start(|request| {
        let allowed = request.header("origin") == Some(ORIGIN);
        let mut headers = vec![("vary", "origin".to_owned())];
        if allowed {
            headers = cors_allowing(request);
            headers.push(("access-control-allow-credentials", "true".to_owned()));
        }
        let status = if request.method == "OPTIONS" && !allowed {
            "403 Forbidden"
        } else {
            "200 OK"
        };
        response(status, &owned(&headers), "")
    });
    let run = probe(
        &format!("{}/", server.url),
        &["--origin", "http://shop.example.com", "--credentials"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let fix = run.line("fix: ").expect("a fix");
    assert!(
        fix.starts_with(
            "serve the page over https and add \"https://shop.example.com\" to the server's \
             allowed origins"
        ),
        "{run:?}"
    );

    // `null` is never suggested.
    let run = tower_cors(
        &["explain", policy, "--origin", "null", "--credentials"],
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let fix = run.line("fix: ").expect("a fix");
    assert!(fix.starts_with("do not allow `null`"), "{run:?}");
    assert!(!fix.contains("add \"null\""), "{run:?}");
}

#[test]
fn mixed_content_is_blocked_before_anything_is_sent() {
    // Nothing listens at this host: the verdict comes before any connection.
    let run = probe(
        "http://api.example.invalid/items",
        &["--origin", ORIGIN, "--method", "PUT"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("verdict: blocked at the request, before anything is sent (mixed_content)"),
        "{run:?}"
    );
    assert_eq!(
        run.line("console: "),
        Some(
            "Mixed Content: The page at 'https://app.example.com/' was loaded over HTTPS, but \
             requested an insecure resource 'http://api.example.invalid/items'. This request has \
             been blocked; the content must be served over HTTPS."
        ),
        "{run:?}"
    );
    assert!(
        run.line("fix: ")
            .unwrap()
            .contains("serve the API over https"),
        "{run:?}"
    );

    // explain, given the URL, says the same.
    let run = tower_cors(
        &[
            "explain",
            "examples/cors.toml",
            "--origin",
            ORIGIN,
            "--url",
            "http://api.example.com/",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("(mixed_content)"), "{run:?}");

    // Loopback is exempt, as in browsers.
    let server = Fake::start(|request| response("200 OK", &owned(&cors_allowing(request)), "ok"));
    let run = probe(&format!("{}/", server.url), &["--origin", ORIGIN]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(server.received().len(), 1, "{run:?}");
}

#[test]
fn allow_origin_sent_as_a_request_header_is_to_be_removed_not_allowed() {
    let run = tower_cors(
        &[
            "explain",
            "examples/cors.toml",
            "--origin",
            ORIGIN,
            "--header",
            "Access-Control-Allow-Origin: *",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let fix = run.line("fix: ").expect("a fix");
    assert!(
        fix.starts_with(
            "remove access-control-allow-origin from the page's request: it is a response header"
        ),
        "{run:?}"
    );
    // A server that lists only content-type.
    let server = Fake::start(|request| {
        let mut headers = cors_allowing(request);
        headers.push(("access-control-allow-headers", "content-type".to_owned()));
        response("204 No Content", &owned(&headers), "")
    });
    let run = probe(
        &format!("{}/", server.url),
        &[
            "--origin",
            ORIGIN,
            "--header",
            "Access-Control-Allow-Origin: *",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let fix = run.line("fix: ").expect("a fix");
    assert!(
        fix.starts_with("remove access-control-allow-origin from the page's request"),
        "{run:?}"
    );
    assert!(!fix.contains("allowed request headers"), "{run:?}");
}

#[test]
fn an_echoed_origin_without_vary_origin_is_a_warning() {
    let server = Fake::start(|request| {
        let origin = request.header("origin").unwrap_or_default().to_owned();
        response("200 OK", &[("access-control-allow-origin", &origin)], "ok")
    });
    let run = probe(&format!("{}/", server.url), &["--origin", ORIGIN]);
    assert_eq!(run.code, 0, "{run:?}");
    let warning = run.line("warning: ").expect("a warning");
    assert!(
        warning.starts_with(
            "the response echoes the page's origin in Access-Control-Allow-Origin without \
             Vary: Origin"
        ),
        "{run:?}"
    );
    // With Vary: Origin, no warning.
    let server = Fake::start(|request| response("200 OK", &owned(&cors_allowing(request)), "ok"));
    let run = probe(&format!("{}/", server.url), &["--origin", ORIGIN]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.line("warning: "), None, "{run:?}");
}

#[test]
fn headers_the_page_cannot_read_are_named_and_read_header_makes_it_fail() {
    let hiding = Fake::start(|request| {
        let mut headers = cors_allowing(request);
        headers.push(("x-total-count", "42".to_owned()));
        response("200 OK", &owned(&headers), "[]")
    });
    let url = format!("{}/items", hiding.url);
    let run = probe(&url, &["--origin", ORIGIN]);
    assert_eq!(run.code, 0, "{run:?}");
    let warning = run.line("warning: ").expect("a warning");
    assert!(
        warning.starts_with(
            "the page cannot read x-total-count: it is not CORS-safelisted and not in \
             Access-Control-Expose-Headers"
        ),
        "{run:?}"
    );
    assert!(
        warning.contains("expose_headers = [\"x-total-count\"]"),
        "{run:?}"
    );

    let run = probe(
        &url,
        &["--origin", ORIGIN, "--read-header", "X-Total-Count"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let json = probe(
        &url,
        &[
            "--origin",
            ORIGIN,
            "--read-header",
            "x-total-count",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(json["verdict"], "allowed");
    assert_eq!(
        json["unreadable_headers"],
        serde_json::json!(["x-total-count"])
    );

    let exposing = Fake::start(|request| {
        let mut headers = cors_allowing(request);
        headers.push(("x-total-count", "42".to_owned()));
        headers.push(("access-control-expose-headers", "x-total-count".to_owned()));
        response("200 OK", &owned(&headers), "[]")
    });
    let run = probe(
        &format!("{}/items", exposing.url),
        &["--origin", ORIGIN, "--read-header", "x-total-count"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.line("readable headers: "),
        Some("content-length, x-total-count"),
        "{run:?}"
    );
    assert_eq!(run.line("warning: "), None, "{run:?}");
}

#[test]
fn cookies_a_cross_site_credentialed_response_sets_without_samesite_none_secure_are_a_warning() {
    let server = Fake::start(|request| {
        let mut headers = cors_allowing(request);
        headers.push(("access-control-allow-credentials", "true".to_owned()));
        headers.push(("set-cookie", "session=1; Path=/; HttpOnly".to_owned()));
        headers.push(("set-cookie", "theme=dark; SameSite=None; Secure".to_owned()));
        response("200 OK", &owned(&headers), "ok")
    });
    let url = format!("{}/login", server.url);
    let run = probe(&url, &["--origin", ORIGIN, "--credentials"]);
    assert_eq!(run.code, 0, "{run:?}");
    let warning = run.line("warning: ").expect("a warning");
    assert!(
        warning.starts_with(
            "the response sets cookie session without `SameSite=None; Secure`, on a cross-site \
             request"
        ),
        "{run:?}"
    );
    // Without credentials no cookie is stored or sent, so there is nothing to warn about.
    let run = probe(&url, &["--origin", ORIGIN]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stdout.contains("sets cookie"), "{run:?}");
}

#[test]
fn a_redirect_without_cors_headers_is_named_with_its_target_first() {
    let server = Fake::start(|request| {
        let location = format!("https://api.example.com{}/", request.path);
        response("301 Moved Permanently", &[("location", &location)], "")
    });
    let run = probe(&format!("{}/items", server.url), &["--origin", ORIGIN]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.line("verdict: "),
        Some("blocked at the actual request (no_allow_origin)"),
        "{run:?}"
    );
    let fix = run.line("fix: ").expect("a fix");
    assert!(
        fix.starts_with(
            "the server redirects this URL (301 Moved Permanently to \
             https://api.example.com/items/) and the redirect carries no \
             Access-Control-Allow-Origin"
        ),
        "{run:?}"
    );
}

#[test]
fn cors_headers_on_the_preflight_only_blame_the_route_first_and_partial_ones_the_configuration() {
    // The preflight is answered by a CORS layer; the actual route is not behind it.
    let server = Fake::start(|request| {
        if request.method == "OPTIONS" {
            let mut headers = cors_allowing(request);
            headers.push(("access-control-allow-methods", "GET, PUT".to_owned()));
            response("204 No Content", &owned(&headers), "")
        } else {
            response("200 OK", &[("content-type", "application/json")], "{}")
        }
    });
    let run = probe(
        &format!("{}/items/1", server.url),
        &["--origin", ORIGIN, "--method", "PUT"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let fix = run.line("fix: ").expect("a fix");
    assert!(
        fix.starts_with(
            "Access-Control-Allow-Origin is present on the preflight but missing on the actual \
             response: most likely the route or handler that serves it is not behind the CORS \
             layer"
        ),
        "{run:?}"
    );
    let (route, proxy) = (
        fix.find("route or handler").unwrap(),
        fix.find("proxy").unwrap(),
    );
    assert!(route < proxy, "{run:?}");

    // Some CORS headers, but not Allow-Origin: nginx's add_header inside `if`.
    let server = Fake::start(|_| {
        response(
            "204 No Content",
            &[
                ("access-control-allow-methods", "GET, PUT"),
                ("access-control-allow-headers", "content-type"),
            ],
            "",
        )
    });
    let run = probe(
        &format!("{}/items/1", server.url),
        &["--origin", ORIGIN, "--method", "PUT"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.line("verdict: "),
        Some("blocked at the preflight (no_allow_origin)"),
        "{run:?}"
    );
    let fix = run.line("fix: ").expect("a fix");
    assert!(
        fix.starts_with(
            "the preflight's response carries some CORS headers (access-control-allow-methods, \
             access-control-allow-headers) but not Access-Control-Allow-Origin"
        ),
        "{run:?}"
    );
    assert!(
        fix.contains("it is not a proxy stripping CORS headers"),
        "{run:?}"
    );
}

#[test]
fn firefox_console_lines_with_mdn_reasons() {
    let server = Fake::start(|request| match request.method.as_str() {
        "OPTIONS" => {
            let mut headers = cors_allowing(request);
            headers.push(("access-control-allow-methods", "GET, POST".to_owned()));
            response("204 No Content", &owned(&headers), "")
        }
        _ => response("404 Not Found", &[], "no such item"),
    });
    let url = format!("{}/items/7", server.url);
    let run = probe(&url, &["--origin", ORIGIN, "--browser", "firefox"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.line("console: "),
        Some(
            format!(
                "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the \
                 remote resource at {url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ \
                 missing). Status code: 404."
            )
            .as_str()
        ),
        "{run:?}"
    );
    let run = probe(
        &url,
        &[
            "--origin",
            ORIGIN,
            "--method",
            "DELETE",
            "--browser",
            "firefox",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.line("console: "),
        Some(
            format!(
                "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the \
                 remote resource at {url}. (Reason: Did not find method in CORS header \
                 ‘Access-Control-Allow-Methods’)."
            )
            .as_str()
        ),
        "{run:?}"
    );
    let json = probe(
        &url,
        &[
            "--origin",
            ORIGIN,
            "--method",
            "DELETE",
            "--browser",
            "firefox",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(json["blocked"]["firefox_code"], "CORSMethodNotFound");
    // Chromium stays the default.
    let run = probe(&url, &["--origin", ORIGIN, "--method", "DELETE"]);
    assert!(
        run.line("console: ").unwrap().ends_with(
            "Method DELETE is not allowed by Access-Control-Allow-Methods in preflight response."
        ),
        "{run:?}"
    );
}

#[test]
fn probe_sends_private_network_preflights_and_honours_its_timeout() {
    let server = Fake::start(|request| {
        let mut headers = cors_allowing(request);
        headers.push(("access-control-allow-methods", "GET".to_owned()));
        response("204 No Content", &owned(&headers), "")
    });
    let run = probe(
        &format!("{}/", server.url),
        &["--origin", ORIGIN, "--private-network"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.line("verdict: "),
        Some("blocked at the preflight (private_network_not_allowed)"),
        "{run:?}"
    );
    let preflight = &server.received()[0];
    assert_eq!(preflight.method, "OPTIONS");
    assert_eq!(
        preflight.header("access-control-request-private-network"),
        Some("true")
    );

    // A server that accepts connections and never answers: the timeout ends the probe.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let run = probe(&url, &["--origin", ORIGIN, "--timeout", "0.5"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(&format!("cannot reach {url}")),
        "{run:?}"
    );
    let run = probe(&url, &["--origin", ORIGIN, "--timeout", "0"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("--timeout 0: write a positive number"),
        "{run:?}"
    );
}

#[test]
fn everything_printed_from_a_server_is_escaped_c1_controls_included() {
    // U+009B is a terminal's control sequence introducer; U+0085 a next-line.
    let server = Fake::start(|request| {
        if request.method == "OPTIONS" {
            let headers = [
                (
                    "access-control-allow-origin",
                    "https://evil\u{9b}2Jexample.com",
                ),
                ("location", "https://x\u{9b}31m.example/\u{85}"),
            ];
            response("307 Temporary Redirect", &headers, "")
        } else {
            response(
                "302 Found",
                &[("location", "https://x\u{9b}31m.example/")],
                "\u{9b}2J",
            )
        }
    });
    let url = format!("{}/", server.url);
    for args in [
        &["--origin", ORIGIN][..],
        &["--origin", ORIGIN, "--method", "PUT"],
        &["--origin", ORIGIN, "--method", "PUT", "--format", "json"],
        &["--origin", ORIGIN, "--browser", "firefox"],
    ] {
        let run = probe(&url, args);
        assert_eq!(run.code, 1, "{args:?} {run:?}");
        let raw = run.stdout.chars().find(|c| c.is_control() && *c != '\n');
        assert_eq!(raw, None, "{args:?} {run:?}");
        assert!(
            run.stdout.contains("\\u{9b}") || run.stdout.contains("\\u009b"),
            "{run:?}"
        );
    }
    let run = probe(&url, &["--origin", ORIGIN]);
    assert!(
        run.line("fix: ").unwrap().contains("x\\u{9b}31m.example"),
        "{run:?}"
    );
    let run = probe(&url, &["--origin", ORIGIN, "--method", "PUT"]);
    assert!(run.line("   browser: blocked: ").is_some(), "{run:?}");
    assert!(
        run.line("fix: ").unwrap().contains("x\\u{9b}31m.example"),
        "{run:?}"
    );
}

#[test]
fn a_preflight_stopped_by_authentication_leads_with_the_layer_order() {
    // Authentication in front of everything: OPTIONS carries no credentials, so it gets 401.
    let server = Fake::start(|request| {
        if request.header("authorization").is_some() {
            response("200 OK", &[], "{}")
        } else {
            response(
                "401 Unauthorized",
                &[("www-authenticate", "Bearer")],
                "unauthorized",
            )
        }
    });
    let run = probe(
        &format!("{}/me", server.url),
        &["--origin", ORIGIN, "--header", "authorization: Bearer t"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.line("verdict: "),
        Some("blocked at the preflight (no_allow_origin)"),
        "{run:?}"
    );
    let fix = run.line("fix: ").expect("a fix");
    assert!(
        fix.starts_with(
            "no response carries an access-control-* header, and the preflight (OPTIONS) got \
             401 Unauthorized (it said: \"unauthorized\"): an authentication, rate-limiting or \
             error-handling layer answered before any CORS layer could"
        ),
        "{run:?}"
    );
    assert!(fix.contains("put the CORS layer outermost"), "{run:?}");
}

#[test]
fn a_post_refused_by_cross_origin_protection_names_the_protection_and_its_two_fixes() {
    // The 403 tower-cors's cross-origin protection answers, before the handler runs.
    let server = Fake::start(|request| match request.method.as_str() {
        "POST" => response(
            "403 Forbidden",
            &[
                ("content-type", "text/plain; charset=utf-8"),
                ("vary", "origin"),
            ],
            "cross-origin request from origin \"https://evil.example\" is forbidden\n",
        ),
        _ => response("200 OK", &[], "ok"),
    });
    let url = format!("{}/submit", server.url);
    let run = probe(
        &url,
        &[
            "--origin",
            "https://evil.example",
            "--method",
            "POST",
            "--header",
            "content-type: text/plain",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let fix = run.line("fix: ").expect("a fix");
    assert!(
        fix.starts_with(
            "the server's cross-origin protection refused this request with 403 Forbidden \
             before its handler ran (cross-origin request from origin \"https://evil.example\" \
             is forbidden)"
        ),
        "{run:?}"
    );
    assert!(fix.contains("allowed_origins"), "{run:?}");
    assert!(fix.contains("cross_origin_exempt_paths"), "{run:?}");
}
