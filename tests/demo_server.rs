//! Black-box tests of `cargo run --example server`: the built example is started on a free
//! loopback port, configured through the environment or a TOML file, and sent real HTTP requests.
//! An invalid configuration must exit non-zero, listing every problem, before listening.

#[path = "common/demo.rs"]
mod demo;

use std::io::{Read, Write};
use std::net::TcpStream;

use demo::{command, start, Server, TIMEOUT};

/// A response as read off the wire.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.iter().filter(|(n, _)| n == name);
        let first = values.next().map(|(_, v)| v.as_str());
        assert!(values.next().is_none(), "{name} appears twice");
        first
    }

    fn vary(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "vary")
            .flat_map(|(_, v)| v.split(','))
            .map(|v| v.trim().to_ascii_lowercase())
            .collect()
    }
}

/// Sends one HTTP/1.1 request over a fresh connection and reads the whole response.
fn send(server: &Server, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete response");
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

const LOCAL: &str = "http://localhost:5173";

fn assert_allowed(reply: &Reply, origin: &str, what: &str) {
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(origin),
        "{what}"
    );
    assert_eq!(
        reply.header("access-control-allow-credentials"),
        Some("true"),
        "{what}"
    );
    assert!(reply.vary().contains(&"origin".to_owned()), "{what}");
}

#[test]
fn development_policy_decorates_every_route_of_the_demo() {
    let server = start(&[]);
    assert!(
        server.startup.contains("development policy")
            && server.startup.contains("http://localhost:*"),
        "{}",
        server.startup
    );
    let origin = [("origin", LOCAL)];

    let preflight = send(
        &server,
        "OPTIONS",
        "/private",
        &[
            ("origin", LOCAL),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "authorization"),
        ],
        b"",
    );
    assert_eq!(preflight.status, 204);
    assert_allowed(&preflight, LOCAL, "preflight");
    assert_eq!(
        preflight.header("access-control-allow-headers"),
        Some("authorization")
    );

    let ok = send(&server, "GET", "/", &origin, b"");
    assert_eq!((ok.status, ok.body.as_str()), (200, "ok"));
    assert!(ok.header("x-request-id").is_some());
    assert_allowed(&ok, LOCAL, "/");

    let unauthorized = send(&server, "GET", "/private", &origin, b"");
    assert_eq!(unauthorized.status, 401);
    assert_allowed(&unauthorized, LOCAL, "401");
    let authorized = send(
        &server,
        "GET",
        "/private",
        &[("origin", LOCAL), ("authorization", "Bearer demo-token")],
        b"",
    );
    assert_eq!(authorized.status, 200);

    let statuses: Vec<u16> = (0..3)
        .map(|_| {
            let reply = send(&server, "GET", "/limited", &origin, b"");
            assert_allowed(&reply, LOCAL, "/limited");
            if reply.status == 429 {
                assert!(reply.header("retry-after").is_some());
            }
            reply.status
        })
        .collect();
    assert_eq!(statuses, [200, 200, 429]);

    let panic = send(&server, "GET", "/panic", &origin, b"");
    assert_eq!(panic.status, 500);
    assert_allowed(&panic, LOCAL, "500");

    let echo = send(&server, "POST", "/echo", &origin, b"hello");
    assert_eq!((echo.status, echo.body.as_str()), (200, "hello"));
    let too_large = send(&server, "POST", "/echo", &origin, &[b'a'; 2048]);
    assert_eq!(too_large.status, 413);
    assert_allowed(&too_large, LOCAL, "413");

    let teapot = send(&server, "PUT", "/status/418", &origin, b"");
    assert_eq!(teapot.status, 418);
    assert!(teapot.header("x-request-id").is_some());
    assert_allowed(&teapot, LOCAL, "418");

    let missing = send(&server, "GET", "/nowhere", &origin, b"");
    assert_eq!(missing.status, 404);
    assert_allowed(&missing, LOCAL, "404");

    let refused = send(
        &server,
        "GET",
        "/",
        &[("origin", "https://evil.example")],
        b"",
    );
    assert_eq!(refused.status, 200);
    assert_eq!(refused.header("access-control-allow-origin"), None);
    assert_eq!(refused.vary(), ["origin"]);

    let refused_preflight = send(
        &server,
        "OPTIONS",
        "/",
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "PUT"),
        ],
        b"",
    );
    assert_eq!(refused_preflight.status, 403);
    assert_eq!(
        refused_preflight.body,
        "origin \"https://evil.example\" is not allowed\n"
    );
}

#[test]
fn policy_from_environment_variables() {
    let server = start(&[
        (
            "CORS_ALLOWED_ORIGINS",
            "https://app.example.com, https://*.example.com",
        ),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_ALLOWED_METHODS", "GET,PUT"),
        ("CORS_MAX_AGE", "0"),
    ]);
    assert!(
        server.startup.contains("from the environment"),
        "{}",
        server.startup
    );
    let preflight = send(
        &server,
        "OPTIONS",
        "/",
        &[
            ("origin", "https://shop.example.com"),
            ("access-control-request-method", "PUT"),
        ],
        b"",
    );
    assert_eq!(preflight.status, 204);
    assert_allowed(&preflight, "https://shop.example.com", "env preflight");
    assert_eq!(preflight.header("access-control-max-age"), Some("0"));
    let local = send(&server, "GET", "/", &[("origin", LOCAL)], b"");
    assert_eq!(local.header("access-control-allow-origin"), None);
}

#[test]
fn policy_from_a_toml_file_overridden_by_a_variable() {
    let server = start(&[
        ("CORS_CONFIG", "examples/cors.toml"),
        ("CORS_MAX_AGE", "60"),
    ]);
    let preview = "https://pr-42.preview.example.com";
    let preflight = send(
        &server,
        "OPTIONS",
        "/",
        &[
            ("origin", preview),
            ("access-control-request-method", "DELETE"),
        ],
        b"",
    );
    assert_eq!(preflight.status, 204);
    assert_allowed(&preflight, preview, "regex origin from TOML");
    assert_eq!(preflight.header("access-control-max-age"), Some("60"));
}

#[test]
fn invalid_configuration_exits_non_zero_listing_every_problem_before_listening() {
    let output = command(&[
        ("CORS_ALLOWED_ORIGINS", "https://app.example.com/,*"),
        ("CORS_ALLOW_CREDENTIALS", "yes"),
        ("CORS_MAX_AGE", "100000"),
        ("CORS_ALLOWED_HEADER", "x-a"),
        ("CORS_ORIGIN", "*"),
        ("RUST_LOG", "warn"),
    ])
    .output()
    .expect("run the demo server");
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stdout.contains("listening on"), "{stdout}");
    let problems: Vec<&str> = stderr.lines().filter(|l| l.starts_with("CORS_")).collect();
    assert_eq!(problems.len(), 5, "{stderr}");
    // An unknown variable far from every known name is a warning, logged beside the errors,
    // not one of them.
    assert!(
        stderr.lines().any(|line| {
            line.contains(" WARN ")
                && line.contains(
                    "CORS_ORIGIN: unknown variable, ignored; did you mean CORS_ALLOWED_ORIGINS?",
                )
        }),
        "{stderr}"
    );
    for expected in [
        // One within two edits of a known name is an error.
        "CORS_ALLOWED_HEADER: unknown variable, too close to a known name to be ignored; did you \
         mean CORS_ALLOWED_HEADERS?",
        "CORS_ALLOW_CREDENTIALS: \"yes\": not a boolean",
        "CORS_ALLOWED_ORIGINS: \"https://app.example.com/\": an origin has no path; write \"https://app.example.com\"",
        "CORS_ALLOWED_ORIGINS: \"*\"",
        "CORS_MAX_AGE: \"100000\"",
    ] {
        assert!(stderr.contains(expected), "{expected} missing from:\n{stderr}");
    }
}

#[test]
fn an_unknown_cors_variable_is_a_warning_at_startup_and_the_server_still_starts() {
    // A platform's own variable under the same prefix.
    let server = start(&[
        ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_ORIGIN", "*"),
        ("RUST_LOG", "warn"),
    ]);
    assert!(
        server.wait_for_stderr(
            "CORS_ORIGIN: unknown variable, ignored; did you mean CORS_ALLOWED_ORIGINS?"
        ),
        "{}",
        server.stderr()
    );
    let reply = send(
        &server,
        "GET",
        "/",
        &[("origin", "https://app.example.com")],
        b"",
    );
    assert_eq!(reply.status, 200);
    assert_allowed(&reply, "https://app.example.com", "despite CORS_ORIGIN");
}

/// Sends `SIGHUP` to the server, as an operator would with `kill -HUP`.
#[cfg(unix)]
fn hang_up(server: &Server) {
    let status = std::process::Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn sighup_reloads_the_toml_file_and_an_invalid_file_keeps_the_running_policy() {
    let dir = std::env::temp_dir().join(format!("tower-cors-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cors.toml");
    std::fs::write(&file, "allowed_origins = [\"https://a.example\"]\n").unwrap();
    let server = start(&[
        ("CORS_CONFIG", file.to_str().unwrap()),
        ("RUST_LOG", "info"),
    ]);
    let allowed = |origin: &str| {
        send(&server, "GET", "/", &[("origin", origin)], b"")
            .header("access-control-allow-origin")
            .map(str::to_owned)
    };
    assert_eq!(
        allowed("https://a.example").as_deref(),
        Some("https://a.example")
    );
    assert_eq!(allowed("https://b.example"), None);

    // A valid file: the change is logged and applies to the next request.
    std::fs::write(
        &file,
        "allowed_origins = [\"https://a.example\", \"https://b.example\"]\nmax_age = 60\n",
    )
    .unwrap();
    hang_up(&server);
    assert!(
        server.wait_for_stderr("max_age: unset -> 60"),
        "{}",
        server.stderr()
    );
    assert!(server.stderr().contains(
        "allowed_origins: [\"https://a.example\"] -> [\"https://a.example\", \"https://b.example\"]"
    ));
    assert_eq!(
        allowed("https://b.example").as_deref(),
        Some("https://b.example")
    );

    // An invalid file: every problem is logged, and the policy above keeps serving.
    std::fs::write(
        &file,
        "allowed_origins = [\"https://c.example/\"]\nmax_age = 100000\n",
    )
    .unwrap();
    hang_up(&server);
    assert!(
        server.wait_for_stderr("max_age: \"100000\""),
        "{}",
        server.stderr()
    );
    let stderr = server.stderr();
    assert!(
        stderr.contains("refused, the running policy stays"),
        "{stderr}"
    );
    assert!(
        stderr.contains("allowed_origins[0]: \"https://c.example/\": an origin has no path"),
        "{stderr}"
    );
    assert_eq!(
        allowed("https://b.example").as_deref(),
        Some("https://b.example")
    );
    assert_eq!(allowed("https://c.example"), None);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn development_policy_puts_the_near_miss_hint_in_refused_preflights() {
    let server = start(&[]);
    let refused = send(
        &server,
        "OPTIONS",
        "/",
        &[
            ("origin", "https://localhost:5173"),
            ("access-control-request-method", "PUT"),
        ],
        b"",
    );
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.body,
        "origin \"https://localhost:5173\" is not allowed\n\
         hint: closest allowed origin \"http://localhost:*\": the scheme differs: the page is \
         served over https, the entry allows http\n"
    );
}

#[test]
fn head_through_the_demo_server_is_decorated_like_get() {
    let server = start(&[]);
    let cors = |reply: &Reply| -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = reply
            .headers
            .iter()
            .filter(|(name, _)| name.starts_with("access-control-"))
            .cloned()
            .collect();
        headers.sort();
        headers
    };
    for path in ["/", "/status/404", "/private"] {
        for origin in [LOCAL, "https://evil.example"] {
            let what = format!("HEAD {path} from {origin}");
            let get = send(&server, "GET", path, &[("origin", origin)], b"");
            let head = send(&server, "HEAD", path, &[("origin", origin)], b"");
            assert_eq!(head.status, get.status, "{what}");
            assert_eq!(head.body, "", "{what}: a HEAD response has no body");
            assert!(head.header("x-request-id").is_some(), "{what}");
            assert_eq!(head.vary(), get.vary(), "{what}");
            assert!(head.vary().contains(&"origin".to_owned()), "{what}");
            assert_eq!(cors(&head), cors(&get), "{what}");
            if origin == LOCAL {
                assert_allowed(&head, LOCAL, &what);
                assert_eq!(
                    head.header("access-control-expose-headers"),
                    Some("x-request-id, retry-after"),
                    "{what}"
                );
                assert_eq!(cors(&head).len(), 3, "{what}: {:?}", cors(&head));
            } else {
                assert_eq!(cors(&head), [], "{what}");
            }
        }
    }
}
