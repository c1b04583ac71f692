//! The `tower-cors` binary run as a user runs it: `check` and `explain` offline, `probe` against
//! the demo server, a proxy that strips CORS headers, a redirect, and a closed port.
//!
//! Run with `cargo test -p tower-cors-cli --test commands`.

mod support;

use std::time::Duration;

use support::{closed_port, demo, response, temp_file, tower_cors, Demo, Fake, Run};

const ORIGIN: &str = "https://app.example.com";

/// The reason Chromium gives when the preflight's CORS check, status or private network check
/// failed.
fn preflight(reason: &str) -> String {
    format!("Response to preflight request doesn't pass access control check: {reason}")
}

const NO_ALLOW_ORIGIN: &str =
    "No 'Access-Control-Allow-Origin' header is present on the requested resource.";

#[test]
fn check_on_the_example_policy_prints_valid_and_the_effective_policy() {
    let run = tower_cors(&["check", "examples/cors.toml"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.lines().any(|line| line == "valid"), "{run:?}");
    assert!(
        run.stdout
            .contains("allowed_origins = [\"https://app.example.com\", \"https://*.example.com\""),
        "{run:?}"
    );
    assert!(run.stdout.contains("max_age = 3600"), "{run:?}");
    // Its loopback origin with credentials is a warning (on stderr, as every problem is),
    // which --deny-warnings counts.
    assert!(run.stderr.starts_with("warning: "), "{run:?}");
    assert!(!run.stdout.contains("warning: "), "{run:?}");
    let denied = tower_cors(&["check", "examples/cors.toml", "--deny-warnings"], &[]);
    assert_eq!(denied.code, 1, "{denied:?}");
    assert!(denied.stdout.contains("--deny-warnings"), "{denied:?}");
}

#[test]
fn check_on_an_invalid_file_lists_every_problem() {
    let path = temp_file(
        "doctor-invalid.toml",
        "allowed_origin = [\"https://a.example\"]\n\
         allowed_origins = [\"https://app.example.com/\", \"*\"]\n\
         allow_credentials = true\n\
         allowed_methods = [\"TRACE\"]\n\
         max_age = 100000\n",
    );
    let run = tower_cors(&["check", path.to_str().unwrap()], &[]);
    assert_eq!(run.code, 1, "{run:?}");
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("error: "))
        .collect();
    assert!(!run.stdout.contains("error: "), "{run:?}");
    for key in [
        "allowed_origin:",
        "allowed_origins[0]",
        "allowed_methods",
        "max_age",
    ] {
        assert!(errors.iter().any(|e| e.contains(key)), "{key}: {run:?}");
    }
    assert!(errors.len() >= 5, "{run:?}");
    assert!(
        run.stdout
            .contains(&format!("invalid: {} problems", errors.len())),
        "{run:?}"
    );
}

#[test]
fn check_reads_the_environment_without_a_file() {
    let run = tower_cors(
        &["check"],
        &[("CORS_ALLOWED_ORIGINS", "https://app.example.com")],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("valid\n"), "{run:?}");
    let empty = tower_cors(&["check"], &[]);
    assert_eq!(empty.code, 1, "{empty:?}");
    assert!(empty.stderr.contains("CORS_ALLOWED_ORIGINS"), "{empty:?}");
}

#[test]
fn explain_allowed_exits_0() {
    let run = tower_cors(
        &[
            "explain",
            "examples/cors.toml",
            "--origin",
            "https://a.example.com",
            "--method",
            "put",
            "--header",
            "content-type: application/json",
            "--credentials",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("1. preflight"), "{run:?}");
    assert!(run.stdout.contains("2. actual request"), "{run:?}");
    assert!(run.stdout.contains("verdict: allowed"), "{run:?}");
}

#[test]
fn explain_blocked_exits_1_with_the_console_message() {
    let run = tower_cors(
        &[
            "explain",
            "examples/cors.toml",
            "--origin",
            "https://evil.example",
            "--method",
            "PUT",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(
            "console: Access to fetch at 'https://api.invalid/' from origin \
             'https://evil.example' has been blocked by CORS policy: Response to preflight \
             request doesn't pass access control check: No 'Access-Control-Allow-Origin' header \
             is present on the requested resource.\n"
        ),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("layer: refused (origin_not_allowed): origin \"https://evil.example\""),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("fix: add \"https://evil.example\" to allowed_origins"),
        "{run:?}"
    );
}

#[test]
fn explain_reads_the_environment_and_explains_a_private_network_request() {
    let run = tower_cors(
        &[
            "explain",
            "--origin",
            "https://app.example.com",
            "--private-network",
        ],
        &[("CORS_ALLOWED_ORIGINS", "https://app.example.com")],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("Access-Control-Allow-Private-Network"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("allow_private_network = true"),
        "{run:?}"
    );
}

#[test]
fn bad_arguments_exit_2() {
    // Usage errors, from clap.
    for args in [
        &["explain", "examples/cors.toml"][..],
        &["probe", "--origin", "https://a.example"],
        &["frobnicate"],
    ] {
        let run = tower_cors(args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
    }
    // Requests no browser makes.
    for (args, error) in [
        (
            &[
                "explain",
                "examples/cors.toml",
                "--origin",
                "app.example.com",
            ][..],
            "not an origin",
        ),
        (
            &[
                "explain",
                "examples/cors.toml",
                "--origin",
                "https://a.example",
                "--header",
                "cookie: a=b",
            ],
            "forbidden to scripts",
        ),
        (
            &[
                "explain",
                "examples/cors.toml",
                "--origin",
                "https://a.example",
                "--method",
                "TRACE",
            ],
            "forbidden",
        ),
        (
            &["probe", "ftp://127.0.0.1/", "--origin", "https://a.example"],
            "http and https",
        ),
    ] {
        let run = tower_cors(args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(error), "{args:?}: {run:?}");
        assert!(run.stdout.is_empty(), "{args:?}: {run:?}");
    }
    // An invalid policy.
    let path = temp_file("doctor-explain-invalid.toml", "allowed_origins = []\n");
    let run = tower_cors(
        &[
            "explain",
            path.to_str().unwrap(),
            "--origin",
            "https://a.example",
        ],
        &[],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no origin is allowed"), "{run:?}");
}

// --- probe, against the demo server ---

/// The demo server with a policy for [`ORIGIN`], with credentials.
fn demo_server() -> Demo {
    demo(&[
        ("CORS_ALLOWED_ORIGINS", ORIGIN),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_ALLOWED_METHODS", "GET,POST,PUT,DELETE"),
        (
            "CORS_ALLOWED_HEADERS",
            "content-type,authorization,x-trace-id",
        ),
        ("CORS_EXPOSE_HEADERS", "x-request-id"),
        ("CORS_MAX_AGE", "600"),
    ])
}

fn probe_run(url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["probe", url];
    args.extend_from_slice(extra);
    tower_cors(&args, &[])
}

#[test]
fn probe_allowed_simple_get() {
    let server = demo_server();
    let url = format!("{}/", server.url());
    let run = probe_run(&url, &["--origin", ORIGIN]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("preflight: none, a simple request"),
        "{run:?}"
    );
    assert!(run.stdout.contains("< 200 OK"), "{run:?}");
    assert!(
        run.stdout
            .contains("readable headers: content-length, content-type, x-request-id"),
        "{run:?}"
    );
}

#[test]
fn probe_allowed_preflighted_put_with_a_header() {
    let server = demo_server();
    let url = format!("{}/", server.url());
    let run = probe_run(
        &url,
        &[
            "--origin",
            ORIGIN,
            "--method",
            "PUT",
            "--header",
            "content-type: application/json",
            "--header",
            "x-trace-id: 7",
            "--credentials",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("> access-control-request-headers: content-type,x-trace-id"),
        "{run:?}"
    );
    // Every header received, in both steps: each CORS header the policy implies, and no other.
    let received: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| line.starts_with("   < "))
        .collect();
    assert_eq!(
        received,
        [
            "   < 204 No Content",
            "   < vary: origin, access-control-request-method, access-control-request-headers",
            "   < access-control-allow-origin: https://app.example.com",
            "   < access-control-allow-credentials: true",
            "   < access-control-allow-methods: GET, POST, PUT, DELETE",
            "   < access-control-allow-headers: content-type,x-trace-id",
            "   < access-control-max-age: 600",
            "   < 200 OK",
            "   < access-control-allow-origin: https://app.example.com",
            "   < access-control-allow-credentials: true",
            "   < access-control-expose-headers: x-request-id",
            "   < vary: origin",
        ],
        "{run:?}"
    );
    assert_eq!(
        run.line("preflight cache: "),
        Some(
            "600 s; methods: GET, POST, PUT, DELETE; headers: content-type, x-trace-id; with \
             credentials"
        ),
        "{run:?}"
    );
    assert_eq!(
        run.line("readable headers: "),
        Some("content-length, content-type, x-request-id"),
        "{run:?}"
    );
}

#[test]
fn probe_origin_not_allowed() {
    let server = demo_server();
    let url = format!("{}/", server.url());
    let run = probe_run(&url, &["--origin", "https://evil.example"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "console: Access to fetch at '{url}' from origin 'https://evil.example' has been \
             blocked by CORS policy: {NO_ALLOW_ORIGIN}\n"
        )),
        "{run:?}"
    );
    // A diagnostic preflight tells a refused origin from stripped headers.
    assert!(run.stdout.contains("diagnostic preflight"), "{run:?}");
    assert!(
        run.stdout
            .contains("fix: the server does not allow \"https://evil.example\""),
        "{run:?}"
    );
}

#[test]
fn probe_method_not_allowed() {
    let server = demo_server();
    let url = format!("{}/", server.url());
    let run = probe_run(&url, &["--origin", ORIGIN, "--method", "PATCH"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(
            "Method PATCH is not allowed by Access-Control-Allow-Methods in preflight response."
        ),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("fix: add PATCH to the allowed methods"),
        "{run:?}"
    );
}

#[test]
fn probe_header_not_allowed() {
    let server = demo_server();
    let url = format!("{}/", server.url());
    let run = probe_run(
        &url,
        &[
            "--origin",
            ORIGIN,
            "--header",
            "x-forbidden: 1",
            "--credentials",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "console: Access to fetch at '{url}' from origin '{ORIGIN}' has been blocked by \
             CORS policy: Request header field x-forbidden is not allowed by \
             Access-Control-Allow-Headers in preflight response.\n"
        )),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("fix: add x-forbidden to the allowed request headers"),
        "{run:?}"
    );
}

#[test]
fn probe_401_from_private_is_readable_with_cors_headers() {
    let server = demo_server();
    let url = format!("{}/private", server.url());
    let run = probe_run(&url, &["--origin", ORIGIN, "--credentials"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("< 401 Unauthorized"), "{run:?}");
    assert!(
        run.stdout
            .contains("verdict: allowed: the page reads the 401 Unauthorized response"),
        "{run:?}"
    );
}

#[test]
fn probe_unreachable_server_exits_2() {
    let (_closed, port) = closed_port();
    let url = format!("http://127.0.0.1:{port}/");
    let run = probe_run(&url, &["--origin", ORIGIN]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(&format!("cannot reach {url}")),
        "{run:?}"
    );
    assert!(run.stdout.is_empty(), "{run:?}");
}

/// A proxy in front of `upstream` that removes every `access-control-*` header from responses:
/// plain HTTP/1.1, one request per connection. Returns its port.
async fn stripping_proxy(upstream: u16) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let step = Duration::from_secs(10);
                let _ = tokio::time::timeout(step, forward_stripped(client, upstream)).await;
            });
        }
    });
    port
}

async fn forward_stripped(mut client: tokio::net::TcpStream, upstream: u16) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // The request head, then as much body as it announces.
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = find(&request, b"\r\n\r\n") {
            break end + 4;
        }
        let n = client.read(&mut buffer).await?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&buffer[..n]);
    };
    let head = String::from_utf8_lossy(&request[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while request.len() < head_end + length {
        let n = client.read(&mut buffer).await?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buffer[..n]);
    }
    let body = request[head_end..].to_vec();
    let head = with_connection_close(&head, |_| true);

    let mut server = tokio::net::TcpStream::connect(("127.0.0.1", upstream)).await?;
    server.write_all(head.as_bytes()).await?;
    server.write_all(&body).await?;
    let mut response = Vec::new();
    server.read_to_end(&mut response).await?;
    let end = find(&response, b"\r\n\r\n").map_or(response.len(), |end| end + 4);
    let head = String::from_utf8_lossy(&response[..end]).into_owned();
    let head = with_connection_close(&head, |name| {
        !name.to_ascii_lowercase().starts_with("access-control-")
    });
    client.write_all(head.as_bytes()).await?;
    client.write_all(&response[end..]).await?;
    client.shutdown().await
}

/// An HTTP head keeping the header lines whose name passes `keep`, with `connection: close`.
fn with_connection_close(head: &str, keep: impl Fn(&str) -> bool) -> String {
    let mut lines = head.split("\r\n").filter(|line| !line.is_empty());
    let mut out = String::new();
    out.push_str(lines.next().unwrap_or_default());
    out.push_str("\r\n");
    for line in lines {
        let name = line.split(':').next().unwrap_or_default().trim();
        if name.eq_ignore_ascii_case("connection") || !keep(name) {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("connection: close\r\n\r\n");
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[tokio::test(flavor = "multi_thread")]
async fn probe_through_a_proxy_that_strips_cors_headers() {
    let server = demo_server();
    let port = stripping_proxy(server.port).await;
    let url = format!("http://127.0.0.1:{port}/");

    // Directly, the same request is allowed.
    let direct = format!("{}/", server.url());
    let run = tokio::task::spawn_blocking(move || probe_run(&direct, &["--origin", ORIGIN]))
        .await
        .unwrap();
    assert_eq!(run.code, 0, "{run:?}");

    // Through the proxy: a simple GET, and a preflighted PUT.
    let simple = url.clone();
    let run = tokio::task::spawn_blocking(move || probe_run(&simple, &["--origin", ORIGIN]))
        .await
        .unwrap();
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "console: Access to fetch at '{url}' from origin '{ORIGIN}' has been blocked by \
             CORS policy: {NO_ALLOW_ORIGIN}\n"
        )),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("strips access-control-* headers"),
        "{run:?}"
    );
    // Every access-control-* header is gone from every response through the proxy.
    assert_eq!(
        run.stdout
            .matches("   < (no access-control-* headers)\n")
            .count(),
        2,
        "{run:?}"
    );
    assert!(!run.stdout.contains("   < access-control-"), "{run:?}");

    let preflighted = url.clone();
    let run = tokio::task::spawn_blocking(move || {
        probe_run(&preflighted, &["--origin", ORIGIN, "--method", "PUT"])
    })
    .await
    .unwrap();
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "console: Access to fetch at '{url}' from origin '{ORIGIN}' has been blocked by \
             CORS policy: {}\n",
            preflight(NO_ALLOW_ORIGIN)
        )),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("strips access-control-* headers"),
        "{run:?}"
    );
}

/// A loopback server that answers every request with `response`; its base URL.
fn canned_server(response: &'static str) -> String {
    Fake::start(move |_| response.to_owned()).url
}

#[test]
fn probe_of_a_redirect_that_passes_its_cors_check_is_not_settled() {
    let url = canned_server(
        "HTTP/1.1 302 Found\r\nlocation: https://elsewhere.example/items\r\n\
         access-control-allow-origin: https://app.example.com\r\ncontent-length: 0\r\n\
         connection: close\r\n\r\n",
    );
    let run = probe_run(
        &format!("{url}/items"),
        &["--origin", "https://app.example.com"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(
            "verdict: not settled: the server redirects (302 Found) to \
             https://elsewhere.example/items; the redirect passed its CORS check"
        ),
        "{run:?}"
    );
}

#[test]
fn probe_escapes_control_characters_a_server_sends() {
    let url = canned_server(
        "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 15\r\nconnection: close\r\n\r\n\
         \x1b]0;pwned\x07\x1b[2Jx",
    );
    let run = probe_run(&format!("{url}/"), &["--origin", "https://app.example.com"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(!run.stdout.contains('\x1b'), "{run:?}");
    assert!(
        run.stdout
            .contains("< body: \\u{1b}]0;pwned\\u{7}\\u{1b}[2Jx"),
        "{run:?}"
    );
}

/// The first character in `text` that can drive a terminal (a control character other than a
/// line feed) or reorder what it shows (a bidirectional embedding, override or isolate
/// control), if any.
fn raw_control(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

#[test]
fn probe_escapes_bidi_controls() {
    // U+202E (right-to-left override) would show the rest of each line reversed.
    let server = Fake::start(|_| {
        response(
            "500 Internal Server Error",
            &[(
                "access-control-allow-origin",
                "https://evil\u{202e}moc.elpmaxe",
            )],
            "x\u{202e}gnp.exe\u{2066}y",
        )
    });
    for format in ["text", "json"] {
        let run = probe_run(
            &format!("{}/", server.url),
            &["--origin", "https://app.example.com", "--format", format],
        );
        assert_eq!(run.code, 1, "{run:?}");
        assert_eq!(raw_control(&run.stdout), None, "{run:?}");
        assert_eq!(raw_control(&run.stderr), None, "{run:?}");
        assert!(
            run.stdout.contains("x\\u{202e}gnp.exe\\u{2066}y")
                || run.stdout.contains("x\\u202egnp.exe\\u2066y"),
            "{run:?}"
        );
    }
}

#[test]
fn configuration_names_are_escaped_in_check_output() {
    // A key that sets the terminal's title, in a file whose name clears the screen and reverses
    // the rest of the line.
    let path = temp_file(
        "names-\u{1b}[2J\u{202e}.toml",
        "allowed_origins = [\"https://app.example.com\"]\n\"x\\u001b]0;PWN\\u0007\" = 1\n",
    );
    let shown = path
        .display()
        .to_string()
        .replace('\u{1b}', "\\u{1b}")
        .replace('\u{202e}', "\\u{202e}");
    let run = tower_cors(&["check", path.to_str().unwrap()], &[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(raw_control(&run.stdout), None, "{run:?}");
    assert_eq!(raw_control(&run.stderr), None, "{run:?}");
    assert!(
        run.stderr.starts_with(&format!(
            "error: {shown}: x\\u{{1b}}]0;PWN\\u{{7}}: unknown key; "
        )),
        "{run:?}"
    );
    assert_eq!(run.stdout, format!("invalid: 1 problem in {shown}\n"));
    let json = tower_cors(&["check", path.to_str().unwrap(), "--format", "json"], &[]);
    assert_eq!(raw_control(&json.stdout), None, "{json:?}");
    assert_eq!(json.json()["source"], shown.as_str(), "{json:?}");

    // A variable's name, and a value, without a file.
    let run = tower_cors(
        &["check"],
        &[
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
            ("CORS_ALLOWED_METHODS", "GET,\u{202e}PUT"),
            ("CORS_X\u{1b}[2J\u{2067}", "1"),
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(raw_control(&run.stdout), None, "{run:?}");
    assert_eq!(raw_control(&run.stderr), None, "{run:?}");
    assert!(
        run.stderr
            .contains("CORS_ALLOWED_METHODS: \"\\u{202e}PUT\": "),
        "{run:?}"
    );
    let run = tower_cors(
        &["check"],
        &[
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
            ("CORS_X\u{1b}[2J\u{2067}", "1"),
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(raw_control(&run.stderr), None, "{run:?}");
    assert!(
        run.stderr
            .starts_with("warning: CORS_X\\u{1b}[2J\\u{2067}: unknown variable, ignored; "),
        "{run:?}"
    );
}

#[test]
fn check_refuses_a_misspelt_variable() {
    let run = tower_cors(
        &["check"],
        &[
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
            ("CORS_CROSS_ORIGIN_PROTECTON", "true"),
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stderr,
        "error: CORS_CROSS_ORIGIN_PROTECTON: unknown variable, too close to a known name to be \
         ignored; did you mean CORS_CROSS_ORIGIN_PROTECTION?\n"
    );
}

#[test]
fn a_port_past_65535_is_refused_not_read_as_the_default() {
    let run = probe_run(
        "http://127.0.0.1:107835/",
        &["--origin", "https://app.example.com"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("URL \"http://127.0.0.1:107835/\": the port is not a number from 0 to 65535"),
        "{run:?}"
    );
}

#[test]
fn format_json_gives_one_object_per_run_and_errors_go_to_stderr() {
    // check: the verdict, every warning, the effective policy.
    let run = tower_cors(&["check", "examples/cors.toml", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = run.json();
    assert_eq!(json["command"], "check");
    assert_eq!(json["verdict"], "valid");
    assert_eq!(json["errors"], serde_json::json!([]));
    let warnings = json["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 2, "{run:?}");
    assert!(warnings[0].as_str().unwrap().contains("http://localhost:*"));
    // Credentials while cross-origin protection is off.
    assert!(warnings[1]
        .as_str()
        .unwrap()
        .contains("CORS alone does not stop cross-site form posts with cookies"));
    assert!(json["policy"]
        .as_str()
        .unwrap()
        .starts_with("allowed_origins = [\"https://app.example.com\""));
    assert!(run.stderr.starts_with("warning: "), "{run:?}");

    let invalid = temp_file("doctor-json-invalid.toml", "allowed_origins = []\n");
    let run = tower_cors(
        &["check", invalid.to_str().unwrap(), "--format", "json"],
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    assert_eq!(json["verdict"], "invalid");
    let errors = json["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(run.stderr.contains(errors[0].as_str().unwrap()), "{run:?}");

    // explain: verdict, console line, fix, steps, warnings.
    let run = tower_cors(
        &[
            "explain",
            "examples/cors.toml",
            "--origin",
            "https://evil.example",
            "--method",
            "PUT",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    assert_eq!(json["command"], "explain");
    assert_eq!(json["verdict"], "blocked");
    assert_eq!(json["allowed"], false);
    assert_eq!(json["blocked"]["step"], "preflight");
    assert_eq!(json["blocked"]["cause"], "no_allow_origin");
    assert_eq!(json["blocked"]["firefox_code"], "CORSMissingAllowOrigin");
    assert_eq!(
        json["console"],
        "Access to fetch at 'https://api.invalid/' from origin 'https://evil.example' has been \
         blocked by CORS policy: Response to preflight request doesn't pass access control \
         check: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    );
    assert!(json["fix"]
        .as_str()
        .unwrap()
        .starts_with("add \"https://evil.example\" to allowed_origins"));
    let steps = json["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["kind"], "preflight");
    assert_eq!(steps[0]["outcome"], "blocked");
    assert_eq!(steps[0]["request"]["method"], "OPTIONS");
    assert_eq!(steps[0]["response"]["status"], 403);
    assert_eq!(steps[0]["layer"]["reason"], "origin_not_allowed");
    assert_eq!(steps[1]["outcome"], "not_sent");
    assert_eq!(steps[1]["response"], serde_json::Value::Null);
    assert_eq!(json["warnings"], serde_json::json!([]));

    // probe, allowed, against the demo server.
    let server = demo_server();
    let run = tower_cors(
        &[
            "probe",
            &format!("{}/", server.url()),
            "--origin",
            ORIGIN,
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let json = run.json();
    assert_eq!(json["verdict"], "allowed");
    assert_eq!(json["status"], 200);
    assert_eq!(json["console"], serde_json::Value::Null);
    assert_eq!(json["fix"], serde_json::Value::Null);
    assert_eq!(
        json["readable_headers"],
        serde_json::json!(["content-length", "content-type", "x-request-id"])
    );

    // An unreachable server: one object, and the error on stderr too.
    let (_closed, port) = closed_port();
    let url = format!("http://127.0.0.1:{port}/");
    let run = tower_cors(
        &["probe", &url, "--origin", ORIGIN, "--format", "json"],
        &[],
    );
    assert_eq!(run.code, 2, "{run:?}");
    let json = run.json();
    assert_eq!(json["verdict"], "error");
    let error = json["error"].as_str().unwrap();
    assert!(error.starts_with(&format!("cannot reach {url}")), "{run:?}");
    assert_eq!(run.stderr, format!("error: {error}\n"), "{run:?}");
}
