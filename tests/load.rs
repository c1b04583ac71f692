//! Under load (issue 7, item 5): the demo server (`cargo run --example server`, a debug build
//! under `cargo test`) is started on a loopback port with a `CORS_*` policy, and 16 concurrent
//! keep-alive clients drive a warm-up of 10,000 requests and then 100,000 more through it,
//! mixing allowed, disallowed, preflight and malformed requests in a fixed, deterministic order.
//! Every response is checked in full (status, body, every `Access-Control-*` header byte for
//! byte, `Vary`, `x-request-id`, the connection kept open), and the server's resident memory
//! (`VmRSS` of `/proc/<pid>/status`) after the warm-up is compared with the figure at the end.
//!
//! The clients speak HTTP/1.1 by hand over `tokio::net::TcpStream`, so that requests no client
//! library sends (several `Origin` lines, non-UTF-8 bytes in `Origin`) go out exactly as written
//! and responses are read exactly as the server wrote them.
//!
//! Run with `cargo test --all-features --test load -- --nocapture` to see the figures: the
//! requests of each kind, the elapsed time and throughput, and the memory before and after.

#![allow(clippy::print_stderr)]

#[path = "common/demo.rs"]
mod demo;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

/// Requests of the measured phase, after the warm-up; every one is checked.
const REQUESTS: u64 = 100_000;
/// Requests sent (and checked) before the first memory reading, so that the server's
/// allocator, connection buffers and thread-local caches have reached their working size.
const WARM_UP: u64 = 10_000;
/// Concurrent clients, each with its own keep-alive connection.
const CLIENTS: u64 = 16;
/// The whole test, server start excepted, fails past this. It only turns a hang (a lost
/// response, a stuck connection) into a failure with a count: the run prints its own time, a
/// small fraction of this even with both cores of a 2-core machine busy with other builds, and
/// nothing is asserted about speed.
const DEADLINE: Duration = Duration::from_secs(120);
/// Resident memory the server may gain between the end of the warm-up and the end of the
/// 100,000 measured requests: 4 MiB. A leak of 42 bytes per request, less than the origin
/// value of one request, would add 4 MiB and fail. On this project's 2-core machine the
/// steady state moved by 44 to 80 KiB over the measured phase in four runs, from about 11 MiB
/// (allocator arenas settling and page granularity; the printed samples show it), so the bound
/// leaves a margin of 50 times that noise while still catching any per-request leak. A loaded
/// machine changes when requests arrive, not what the server holds: the memory depends on the
/// request count and the 16 connections, which are fixed, so the margin does not shrink there.
const MAX_RSS_GROWTH_KIB: u64 = 4 * 1024;
/// Mismatches quoted in the failure message.
const SHOWN_MISMATCHES: usize = 12;

const APP: &[u8] = b"https://app.example.com";
const LOCAL: &[u8] = b"http://localhost:5173";

/// The policy, as the demo server reads it from the environment.
const POLICY: &[(&str, &str)] = &[
    (
        "CORS_ALLOWED_ORIGINS",
        "https://app.example.com,http://localhost:*",
    ),
    ("CORS_ALLOW_CREDENTIALS", "true"),
    ("CORS_ALLOWED_METHODS", "GET,POST,PUT"),
    ("CORS_ALLOWED_HEADERS", "content-type,authorization"),
    ("CORS_EXPOSE_HEADERS", "x-request-id"),
    ("CORS_MAX_AGE", "600"),
    ("RUST_LOG", "off"),
];

/// `Access-Control-Allow-Methods` of a preflight for an allowed method: the configured list.
const ALLOW_METHODS: &[u8] = b"GET, POST, PUT";
/// The configured request headers, as the layer lists them (sorted).
const CONFIGURED_HEADERS: &[u8] = b"authorization, content-type";
/// `Vary` of every preflight answer, allowed or refused.
const PREFLIGHT_VARY: [&str; 3] = [
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
];

/// Origins the policy does not allow; browsers could send each of them.
const DISALLOWED: &[&[u8]] = &[
    b"https://evil.example",
    b"https://app.example.com.evil.example",
    b"http://localhost.evil.example:5173",
    b"http://127.0.0.1:5173",
    b"https://app.example.co",
    b"null",
];

/// Values no browser sends as `Origin`, most of them a spelling of an allowed origin that a lax
/// comparison would accept: none may ever be granted.
const MALFORMED: &[&[u8]] = &[
    b"https://app.example.com/",
    b"http://localhost:5173/app",
    b"https://APP.EXAMPLE.COM",
    b"http://LOCALHOST:5173",
    b"HTTPS://app.example.com",
    b"https://caf\xe9.example",
    b"https://app.example.com\xff",
    b"https://app.example.com, http://localhost:5173",
    b"http://localhost:05173",
    b"https://user@app.example.com",
    b"https://app.example.com:443",
    b"https://app.example.com.",
];

/// The kinds of request in the mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// GET `/` from an allowed origin (the exact one, or `http://localhost:PORT` for many ports).
    AllowedGet,
    /// GET `/` without `Origin`.
    NoOrigin,
    /// GET `/` from an origin the policy does not allow.
    DisallowedGet,
    /// OPTIONS preflight for PUT from an allowed origin.
    AllowedPreflight,
    /// OPTIONS preflight for PUT from an origin the policy does not allow.
    DisallowedPreflight,
    /// GET `/status/500` from an allowed origin: the inner stack's 500, decorated.
    Allowed500,
    /// GET `/` with a malformed `Origin`.
    MalformedGet,
    /// Preflight with a malformed `Origin`.
    MalformedPreflight,
    /// GET `/` with two `Origin` lines, both allowed origins.
    SeveralOriginsGet,
    /// Preflight with two `Origin` lines, both allowed origins.
    SeveralOriginsPreflight,
    /// Preflight from an allowed origin with an 8 KiB `Access-Control-Request-Headers`.
    HugeHeadersAllowedOrigin,
    /// Preflight from a disallowed origin with an 8 KiB `Access-Control-Request-Headers`.
    HugeHeadersDisallowedOrigin,
}

impl Kind {
    const ALL: [Kind; 12] = [
        Kind::AllowedGet,
        Kind::NoOrigin,
        Kind::DisallowedGet,
        Kind::AllowedPreflight,
        Kind::DisallowedPreflight,
        Kind::Allowed500,
        Kind::MalformedGet,
        Kind::MalformedPreflight,
        Kind::SeveralOriginsGet,
        Kind::SeveralOriginsPreflight,
        Kind::HugeHeadersAllowedOrigin,
        Kind::HugeHeadersDisallowedOrigin,
    ];

    fn index(self) -> usize {
        Kind::ALL.iter().position(|&k| k == self).unwrap()
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::AllowedGet => "allowed GET",
            Kind::NoOrigin => "GET without Origin",
            Kind::DisallowedGet => "disallowed-origin GET",
            Kind::AllowedPreflight => "allowed preflight",
            Kind::DisallowedPreflight => "disallowed-origin preflight",
            Kind::Allowed500 => "allowed GET /status/500",
            Kind::MalformedGet => "malformed-Origin GET",
            Kind::MalformedPreflight => "malformed-Origin preflight",
            Kind::SeveralOriginsGet => "several-Origin GET",
            Kind::SeveralOriginsPreflight => "several-Origin preflight",
            Kind::HugeHeadersAllowedOrigin => "8 KiB request-headers preflight, allowed origin",
            Kind::HugeHeadersDisallowedOrigin => {
                "8 KiB request-headers preflight, disallowed origin"
            }
        }
    }

    /// The category of the issue's wording the kind belongs to.
    fn category(self) -> &'static str {
        match self {
            Kind::AllowedGet | Kind::NoOrigin => "allowed",
            Kind::DisallowedGet => "disallowed",
            Kind::AllowedPreflight | Kind::DisallowedPreflight => "preflight",
            Kind::Allowed500 => "500 from an allowed origin",
            _ => "malformed",
        }
    }
}

/// The order of the mix; request `i` is of kind `SCHEDULE[i % len]`. Each client sends a
/// contiguous run of indices, so every connection sees every kind.
const SCHEDULE: [Kind; 24] = [
    Kind::AllowedGet,
    Kind::DisallowedGet,
    Kind::AllowedPreflight,
    Kind::MalformedGet,
    Kind::AllowedGet,
    Kind::DisallowedPreflight,
    Kind::NoOrigin,
    Kind::AllowedPreflight,
    Kind::MalformedPreflight,
    Kind::AllowedGet,
    Kind::Allowed500,
    Kind::DisallowedGet,
    Kind::SeveralOriginsGet,
    Kind::AllowedGet,
    Kind::HugeHeadersAllowedOrigin,
    Kind::AllowedPreflight,
    Kind::DisallowedGet,
    Kind::MalformedGet,
    Kind::AllowedGet,
    Kind::SeveralOriginsPreflight,
    Kind::DisallowedPreflight,
    Kind::HugeHeadersDisallowedOrigin,
    Kind::MalformedPreflight,
    Kind::AllowedGet,
];

/// An `Access-Control-Request-Headers` value of about 8 KiB: over the layer's 4096-byte cap.
fn huge_request_headers() -> &'static [u8] {
    static VALUE: OnceLock<Vec<u8>> = OnceLock::new();
    VALUE.get_or_init(|| {
        let mut value = b"content-type".to_vec();
        let mut n = 0;
        while value.len() < 8 * 1024 {
            value.extend_from_slice(format!(",x-load-{n:04}").as_bytes());
            n += 1;
        }
        value
    })
}

/// One request of the mix and what its response must be.
struct Planned {
    kind: Kind,
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, Vec<u8>)>,
    expect: Expect,
}

/// What a response must be, exactly.
struct Expect {
    status: u16,
    body: Vec<u8>,
    /// Every `Access-Control-*` header the response must carry, each once, with this exact
    /// value; any other `Access-Control-*` header is wrong.
    cors: Vec<(&'static str, Vec<u8>)>,
    /// A preflight answer: `Vary` is the preflight list and the inner stack (which sets
    /// `x-request-id`) never saw the request. Otherwise `Vary` names `origin` exactly once and
    /// `x-request-id` is present.
    preflight: bool,
    /// Other headers that must be present with these exact values.
    other: Vec<(&'static str, &'static [u8])>,
}

const TEXT: (&str, &[u8]) = ("content-type", b"text/plain; charset=utf-8");
const NOSNIFF: (&str, &[u8]) = ("x-content-type-options", b"nosniff");

/// An actual response that the layer left ungranted: the inner stack's answer, `Vary: origin`.
fn ungranted_ok() -> Expect {
    Expect {
        status: 200,
        body: b"ok".to_vec(),
        cors: Vec::new(),
        preflight: false,
        other: vec![TEXT],
    }
}

/// A granted actual response with this status and body, echoing `origin`.
fn granted(status: u16, body: &[u8], origin: &[u8]) -> Expect {
    Expect {
        status,
        body: body.to_vec(),
        cors: vec![
            ("access-control-allow-origin", origin.to_vec()),
            ("access-control-allow-credentials", b"true".to_vec()),
            ("access-control-expose-headers", b"x-request-id".to_vec()),
        ],
        preflight: false,
        other: Vec::new(),
    }
}

/// A preflight refused with 403 and no CORS header, with this reason.
fn refused_preflight(reason: &str) -> Expect {
    Expect {
        status: 403,
        body: format!("{reason}\n").into_bytes(),
        cors: Vec::new(),
        preflight: true,
        other: vec![TEXT, NOSNIFF],
    }
}

/// The refusal body's rendering of a request value: printable ASCII as is, the quote and the
/// backslash escaped with a backslash, every other byte as `\xNN`.
fn quoted(value: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in value {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b' '..=b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

fn origin_not_allowed(origin: &[u8]) -> String {
    format!("origin {} is not allowed", quoted(origin))
}

/// An allowed origin: the exact one, or the port pattern with one of 64,000 ports, so that the
/// server sees many distinct origins (each echoed byte for byte).
fn allowed_origin(round: u64) -> Vec<u8> {
    if round % 2 == 0 {
        APP.to_vec()
    } else {
        format!("http://localhost:{}", 1024 + (round / 2) % 64_000).into_bytes()
    }
}

/// Request `i` of the mix.
fn plan(i: u64) -> Planned {
    let len = SCHEDULE.len() as u64;
    let kind = SCHEDULE[(i % len) as usize];
    // How many times this kind's slot has come round: picks the variant.
    let round = i / len;
    let pick = |list: &[&[u8]]| list[(round % list.len() as u64) as usize].to_vec();
    let preflight_path = if round % 2 == 0 { "/" } else { "/status/204" };
    let preflight_headers = |origin: Vec<u8>| {
        vec![
            ("origin", origin),
            ("access-control-request-method", b"PUT".to_vec()),
        ]
    };
    let (method, path, headers, expect) = match kind {
        Kind::AllowedGet => {
            let origin = allowed_origin(round);
            let expect = Expect {
                other: vec![TEXT],
                ..granted(200, b"ok", &origin)
            };
            ("GET", "/", vec![("origin", origin)], expect)
        }
        Kind::NoOrigin => ("GET", "/", Vec::new(), ungranted_ok()),
        Kind::DisallowedGet => {
            let headers = vec![("origin", pick(DISALLOWED))];
            ("GET", "/", headers, ungranted_ok())
        }
        Kind::MalformedGet => {
            let headers = vec![("origin", pick(MALFORMED))];
            ("GET", "/", headers, ungranted_ok())
        }
        Kind::SeveralOriginsGet => {
            let second = if round % 2 == 0 { APP } else { LOCAL };
            let headers = vec![("origin", APP.to_vec()), ("origin", second.to_vec())];
            ("GET", "/", headers, ungranted_ok())
        }
        Kind::Allowed500 => {
            let origin = allowed_origin(round);
            let expect = granted(500, b"", &origin);
            ("GET", "/status/500", vec![("origin", origin)], expect)
        }
        Kind::AllowedPreflight => {
            let origin = allowed_origin(round);
            let mut headers = preflight_headers(origin.clone());
            // Requested headers: one name, two names in another case and order, or none. A
            // single line of allowed names is echoed as sent.
            let requested: Option<&[u8]> = match round % 3 {
                0 => Some(b"content-type"),
                1 => Some(b"Authorization, Content-Type"),
                _ => None,
            };
            let mut cors = vec![
                ("access-control-allow-origin", origin),
                ("access-control-allow-credentials", b"true".to_vec()),
                ("access-control-allow-methods", ALLOW_METHODS.to_vec()),
                ("access-control-max-age", b"600".to_vec()),
            ];
            if let Some(requested) = requested {
                headers.push(("access-control-request-headers", requested.to_vec()));
                cors.push(("access-control-allow-headers", requested.to_vec()));
            }
            let expect = Expect {
                status: 204,
                body: Vec::new(),
                cors,
                preflight: true,
                other: Vec::new(),
            };
            ("OPTIONS", preflight_path, headers, expect)
        }
        Kind::DisallowedPreflight => {
            let origin = pick(DISALLOWED);
            let expect = refused_preflight(&origin_not_allowed(&origin));
            let mut headers = preflight_headers(origin);
            headers.push(("access-control-request-headers", b"content-type".to_vec()));
            ("OPTIONS", preflight_path, headers, expect)
        }
        Kind::MalformedPreflight => {
            let origin = pick(MALFORMED);
            let expect = refused_preflight(&origin_not_allowed(&origin));
            ("OPTIONS", preflight_path, preflight_headers(origin), expect)
        }
        Kind::SeveralOriginsPreflight => {
            let second = if round % 2 == 0 { APP } else { LOCAL };
            let mut headers = preflight_headers(APP.to_vec());
            headers.insert(1, ("origin", second.to_vec()));
            let expect =
                refused_preflight("the request carries several Origin headers; browsers send one");
            ("OPTIONS", preflight_path, headers, expect)
        }
        Kind::HugeHeadersAllowedOrigin => {
            // The origin and the method pass; the header step fails (over 4096 bytes). The
            // policy is not strict, so, as the README says ("refused preflights grant the
            // steps that passed"), the answer grants the origin and the methods and lists the
            // configured headers, so that the browser's console names the header step. It must
            // neither echo the 8 KiB value nor carry a max age (nothing to cache).
            let origin = allowed_origin(round);
            let mut headers = preflight_headers(origin.clone());
            headers.push((
                "access-control-request-headers",
                huge_request_headers().to_vec(),
            ));
            let expect = Expect {
                status: 204,
                body: Vec::new(),
                cors: vec![
                    ("access-control-allow-origin", origin),
                    ("access-control-allow-credentials", b"true".to_vec()),
                    ("access-control-allow-methods", ALLOW_METHODS.to_vec()),
                    ("access-control-allow-headers", CONFIGURED_HEADERS.to_vec()),
                ],
                preflight: true,
                other: Vec::new(),
            };
            ("OPTIONS", preflight_path, headers, expect)
        }
        Kind::HugeHeadersDisallowedOrigin => {
            let origin = pick(DISALLOWED);
            let expect = refused_preflight(&origin_not_allowed(&origin));
            let mut headers = preflight_headers(origin);
            headers.push((
                "access-control-request-headers",
                huge_request_headers().to_vec(),
            ));
            ("OPTIONS", preflight_path, headers, expect)
        }
    };
    Planned {
        kind,
        method,
        path,
        headers,
        expect,
    }
}

impl Planned {
    fn write(&self, port: u16, out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(
            format!(
                "{} {} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\n",
                self.method, self.path
            )
            .as_bytes(),
        );
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
    }

    fn describe(&self, i: u64) -> String {
        let headers: Vec<String> = self
            .headers
            .iter()
            .map(|(name, value)| format!("{name}: {}", shown(value)))
            .collect();
        format!(
            "request #{i} ({}): {} {} [{}]",
            self.kind.describe(),
            self.method,
            self.path,
            headers.join("; ")
        )
    }
}

/// A value for a failure message: escaped, and cut after 80 bytes.
fn shown(value: &[u8]) -> String {
    if value.len() > 80 {
        format!("{}... ({} bytes)", quoted(&value[..80]), value.len())
    } else {
        quoted(value)
    }
}

/// A response as read off the wire.
struct Reply {
    status: u16,
    /// Lowercase names, values with surrounding whitespace trimmed, in the order sent.
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Reply {
    fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    fn describe(&self) -> String {
        let headers: Vec<String> = self
            .headers
            .iter()
            .filter(|(name, _)| name != "date")
            .map(|(name, value)| format!("{name}: {}", shown(value)))
            .collect();
        format!(
            "{} [{}] body {}",
            self.status,
            headers.join("; "),
            shown(&self.body)
        )
    }
}

/// Every way `reply` differs from `expect`; empty when it is right.
fn check(expect: &Expect, reply: &Reply) -> Vec<String> {
    let mut wrong = Vec::new();
    if reply.status != expect.status {
        wrong.push(format!(
            "status {}, expected {}",
            reply.status, expect.status
        ));
    }
    if reply.body != expect.body {
        wrong.push(format!(
            "body {}, expected {}",
            shown(&reply.body),
            shown(&expect.body)
        ));
    }
    for (name, value) in &reply.headers {
        if !name.starts_with("access-control-") {
            continue;
        }
        match expect.cors.iter().find(|(n, _)| n == name) {
            None => wrong.push(format!("unexpected {name}: {}", shown(value))),
            Some((_, expected)) if expected != value => wrong.push(format!(
                "{name}: {}, expected {}",
                shown(value),
                shown(expected)
            )),
            Some(_) => {}
        }
    }
    for (name, expected) in &expect.cors {
        match reply.values(name).count() {
            1 => {}
            0 => wrong.push(format!("no {name}, expected {}", shown(expected))),
            n => wrong.push(format!("{name} sent {n} times")),
        }
    }
    for (name, expected) in &expect.other {
        let values: Vec<&[u8]> = reply.values(name).collect();
        if values != [*expected] {
            let values: Vec<String> = values.iter().map(|v| shown(v)).collect();
            wrong.push(format!(
                "{name}: [{}], expected {}",
                values.join(", "),
                shown(expected)
            ));
        }
    }
    let vary: Vec<String> = reply
        .values("vary")
        .flat_map(|v| v.split(|&b| b == b','))
        .map(|v| String::from_utf8_lossy(v).trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty())
        .collect();
    let request_ids = reply.values("x-request-id").count();
    if expect.preflight {
        if vary != PREFLIGHT_VARY {
            wrong.push(format!("vary {vary:?}, expected {PREFLIGHT_VARY:?}"));
        }
        if request_ids != 0 {
            wrong.push("x-request-id on a preflight answer: the inner stack saw it".into());
        }
    } else {
        if vary.iter().filter(|v| *v == "origin").count() != 1 || vary.iter().any(|v| v == "*") {
            wrong.push(format!("vary {vary:?}, expected origin exactly once"));
        }
        if request_ids != 1 {
            wrong.push(format!(
                "{request_ids} x-request-id headers, expected one from the inner stack"
            ));
        }
    }
    if reply
        .values("connection")
        .any(|v| v.eq_ignore_ascii_case(b"close"))
    {
        wrong.push("connection: close: the server is closing the connection".into());
    }
    wrong
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Reads more bytes into `buf`; a closed connection is an error. (The tokio dev-dependency has
/// no `io-util` feature, so this uses readiness and `try_read`.)
async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<(), String> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        stream
            .readable()
            .await
            .map_err(|e| format!("read failed: {e}"))?;
        match stream.try_read(&mut chunk) {
            Ok(0) => return Err("the server closed the connection".into()),
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return Ok(());
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(format!("read failed: {e}")),
        }
    }
}

/// Writes all of `bytes`.
async fn write_all(stream: &mut TcpStream, mut bytes: &[u8]) -> Result<(), String> {
    while !bytes.is_empty() {
        stream
            .writable()
            .await
            .map_err(|e| format!("write failed: {e}"))?;
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(format!("write failed: {e}")),
        }
    }
    Ok(())
}

/// Reads one response off a keep-alive connection; bytes after it stay in `buf`.
async fn read_reply(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Reply, String> {
    let mut searched = 0;
    let head_end = loop {
        if let Some(end) = find(buf, b"\r\n\r\n", searched) {
            break end;
        }
        if buf.len() > 64 * 1024 {
            return Err("a response head over 64 KiB".into());
        }
        searched = buf.len().saturating_sub(3);
        fill(stream, buf).await?;
    };
    let mut lines = buf[..head_end]
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix(b"HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| std::str::from_utf8(code).ok())
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| format!("bad status line {}", shown(status_line)))?;
    let mut headers = Vec::new();
    for line in lines {
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or_else(|| format!("bad header line {}", shown(line)))?;
        let name = String::from_utf8_lossy(&line[..colon]).to_ascii_lowercase();
        let value = line[colon + 1..].trim_ascii().to_vec();
        headers.push((name, value));
    }
    let mut reply = Reply {
        status,
        headers,
        body: Vec::new(),
    };
    let mut pos = head_end + 4;
    let content_length = reply.values("content-length").next().map(|v| {
        std::str::from_utf8(v)
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or_else(|| format!("bad content-length {}", shown(v)))
    });
    let chunked = reply
        .values("transfer-encoding")
        .any(|v| v.eq_ignore_ascii_case(b"chunked"));
    if status / 100 == 1 || status == 204 || status == 304 {
        // No body.
    } else if let Some(len) = content_length {
        let len = len?;
        while buf.len() < pos + len {
            fill(stream, buf).await?;
        }
        reply.body = buf[pos..pos + len].to_vec();
        pos += len;
    } else if chunked {
        loop {
            let line_end = loop {
                if let Some(end) = find(buf, b"\r\n", pos) {
                    break end;
                }
                fill(stream, buf).await?;
            };
            let size_text = &buf[pos..line_end];
            let size_text = size_text
                .split(|&b| b == b';')
                .next()
                .unwrap_or_default()
                .trim_ascii();
            let size = std::str::from_utf8(size_text)
                .ok()
                .and_then(|s| usize::from_str_radix(s, 16).ok())
                .ok_or_else(|| format!("bad chunk size {}", shown(size_text)))?;
            pos = line_end + 2;
            while buf.len() < pos + size + 2 {
                fill(stream, buf).await?;
            }
            reply.body.extend_from_slice(&buf[pos..pos + size]);
            pos += size + 2;
            if size == 0 {
                break;
            }
        }
    } else {
        return Err(format!(
            "a response without length on a keep-alive connection: {}",
            reply.describe()
        ));
    }
    buf.drain(..pos);
    Ok(reply)
}

/// One client: a keep-alive connection, reopened if the server closes it (which is counted).
struct Client {
    port: u16,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
    out: Vec<u8>,
}

impl Client {
    fn new(port: u16) -> Self {
        Self {
            port,
            stream: None,
            buf: Vec::new(),
            out: Vec::new(),
        }
    }

    async fn exchange(&mut self, planned: &Planned) -> Result<Reply, String> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(("127.0.0.1", self.port))
                .await
                .map_err(|e| format!("connect failed: {e}"))?;
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            self.stream = Some(stream);
            self.buf.clear();
        }
        planned.write(self.port, &mut self.out);
        let stream = self.stream.as_mut().unwrap();
        let result = match write_all(stream, &self.out).await {
            Ok(()) => read_reply(stream, &mut self.buf).await,
            Err(e) => Err(format!("write failed: {e}")),
        };
        let closing = match &result {
            Ok(reply) => reply
                .values("connection")
                .any(|v| v.eq_ignore_ascii_case(b"close")),
            Err(_) => true,
        };
        if closing {
            self.stream = None;
        }
        result
    }
}

/// What the clients saw.
#[derive(Default)]
struct Tally {
    sent: [u64; Kind::ALL.len()],
    wrong: [u64; Kind::ALL.len()],
    /// Exchanges that failed at the connection level (closed, unreadable), also counted wrong.
    broken: u64,
    mismatches: Vec<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        for k in 0..Kind::ALL.len() {
            self.sent[k] += other.sent[k];
            self.wrong[k] += other.wrong[k];
        }
        self.broken += other.broken;
        for m in other.mismatches {
            if self.mismatches.len() < SHOWN_MISMATCHES {
                self.mismatches.push(m);
            }
        }
    }

    fn total(&self) -> u64 {
        self.sent.iter().sum()
    }

    fn total_wrong(&self) -> u64 {
        self.wrong.iter().sum()
    }
}

/// Sends requests `start..start + count` of the mix, split into contiguous runs over the
/// clients, all at once; returns the clients (connections kept open) and what they saw.
async fn drive(
    clients: Vec<Client>,
    start: u64,
    count: u64,
    done: &Arc<AtomicU64>,
) -> (Vec<Client>, Tally) {
    let n = clients.len() as u64;
    let mut tasks = Vec::new();
    let mut next = start;
    for (c, mut client) in clients.into_iter().enumerate() {
        let share = count / n + u64::from((c as u64) < count % n);
        let range = next..next + share;
        next += share;
        let done = Arc::clone(done);
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            for i in range {
                let planned = plan(i);
                let k = planned.kind.index();
                tally.sent[k] += 1;
                let problems = match client.exchange(&planned).await {
                    Ok(reply) => {
                        let wrong = check(&planned.expect, &reply);
                        if wrong.is_empty() {
                            None
                        } else {
                            Some(format!(
                                "{}\n    got: {}\n    wrong: {}",
                                planned.describe(i),
                                reply.describe(),
                                wrong.join("; ")
                            ))
                        }
                    }
                    Err(error) => {
                        tally.broken += 1;
                        Some(format!("{}\n    failed: {error}", planned.describe(i)))
                    }
                };
                if let Some(problem) = problems {
                    tally.wrong[k] += 1;
                    if tally.mismatches.len() < SHOWN_MISMATCHES {
                        tally.mismatches.push(problem);
                    }
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            (client, tally)
        }));
    }
    assert_eq!(next, start + count);
    let mut clients = Vec::new();
    let mut tally = Tally::default();
    for task in tasks {
        let (client, t) = task.await.expect("a client task panicked");
        clients.push(client);
        tally.merge(t);
    }
    (clients, tally)
}

/// The resident set size of process `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("read /proc/{pid}/status: {e}"));
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmRSS in /proc/{pid}/status:\n{status}"))
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// What a run measured.
struct Measured {
    tally: Tally,
    warm_up_rss: u64,
    end_rss: u64,
    samples: Vec<u64>,
    warm_up_time: Duration,
    measured_time: Duration,
}

async fn run(port: u16, pid: u32, done: Arc<AtomicU64>) -> Measured {
    let clients: Vec<Client> = (0..CLIENTS).map(|_| Client::new(port)).collect();

    let started = Instant::now();
    let (clients, mut tally) = drive(clients, 0, WARM_UP, &done).await;
    let warm_up_time = started.elapsed();
    let warm_up_rss = rss_kib(pid);

    // Memory samples every 250 ms during the measured phase.
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(250)).await;
                samples.push(rss_kib(pid));
            }
            samples
        })
    };
    let started = Instant::now();
    let (_clients, measured) = drive(clients, WARM_UP, REQUESTS, &done).await;
    let measured_time = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let samples = sampler.await.expect("the memory sampler panicked");
    let end_rss = rss_kib(pid);
    tally.merge(measured);
    Measured {
        tally,
        warm_up_rss,
        end_rss,
        samples,
        warm_up_time,
        measured_time,
    }
}

#[test]
fn hundred_thousand_mixed_requests_are_all_answered_correctly_in_flat_memory() {
    let mut server = demo::start(POLICY);
    let pid = server.pid();
    let port = server.port;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let done = Arc::new(AtomicU64::new(0));
    let measured = runtime
        .block_on(async {
            // Created inside the runtime, whose timer it needs.
            tokio::time::timeout(DEADLINE, run(port, pid, Arc::clone(&done))).await
        })
        .unwrap_or_else(|_| {
            panic!(
                "the load test did not finish within {DEADLINE:?}: {} of {} requests answered",
                done.load(Ordering::Relaxed),
                WARM_UP + REQUESTS
            )
        });
    // The server must still be running: no crash under load.
    assert!(server.is_running(), "the demo server exited under load");

    let Measured {
        tally,
        warm_up_rss,
        end_rss,
        samples,
        warm_up_time,
        measured_time,
    } = measured;
    let total = tally.total();
    let mut report = format!(
        "load: {total} requests ({WARM_UP} warm-up + {REQUESTS} measured) from {CLIENTS} \
         keep-alive clients on 127.0.0.1:{port}\n"
    );
    for kind in Kind::ALL {
        let k = kind.index();
        report.push_str(&format!(
            "  {:>7} {:<52} [{}]{}\n",
            tally.sent[k],
            kind.describe(),
            kind.category(),
            if tally.wrong[k] > 0 {
                format!("  {} WRONG", tally.wrong[k])
            } else {
                String::new()
            }
        ));
    }
    for category in [
        "allowed",
        "disallowed",
        "preflight",
        "malformed",
        "500 from an allowed origin",
    ] {
        let n: u64 = Kind::ALL
            .iter()
            .filter(|k| k.category() == category)
            .map(|k| tally.sent[k.index()])
            .sum();
        report.push_str(&format!("  category {category}: {n}\n"));
    }
    let per_second = |n: u64, t: Duration| n as f64 / t.as_secs_f64();
    report.push_str(&format!(
        "  warm-up: {WARM_UP} requests in {:.2} s ({:.0} req/s)\n  measured: {REQUESTS} \
         requests in {:.2} s ({:.0} req/s)\n",
        warm_up_time.as_secs_f64(),
        per_second(WARM_UP, warm_up_time),
        measured_time.as_secs_f64(),
        per_second(REQUESTS, measured_time),
    ));
    let peak = samples
        .iter()
        .copied()
        .max()
        .unwrap_or(end_rss)
        .max(end_rss);
    let growth = end_rss.saturating_sub(warm_up_rss);
    report.push_str(&format!(
        "  server VmRSS: {warm_up_rss} KiB ({}) after the warm-up, {end_rss} KiB ({}) at the \
         end, growth {growth} KiB, peak {peak} KiB; samples (KiB, every 250 ms): {samples:?}\n",
        mib(warm_up_rss),
        mib(end_rss),
    ));
    eprintln!("{report}");

    assert_eq!(total, WARM_UP + REQUESTS, "{report}");
    assert!(
        tally.total_wrong() == 0,
        "{} of {total} responses were wrong ({} exchanges failed at the connection level); \
         the first ones:\n{}\n\n{report}",
        tally.total_wrong(),
        tally.broken,
        tally.mismatches.join("\n")
    );
    assert!(
        growth < MAX_RSS_GROWTH_KIB,
        "the server's resident memory grew by {growth} KiB over {REQUESTS} requests (from \
         {warm_up_rss} KiB to {end_rss} KiB), more than the {MAX_RSS_GROWTH_KIB} KiB allowed\n\
         {report}"
    );
}
