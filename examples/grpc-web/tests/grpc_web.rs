//! Black-box tests of `cargo run -p tower-cors-example-grpc-web --example grpc_web` (the
//! README's "gRPC-web with tonic"): the built example is started on a free loopback port and sent real gRPC-web
//! requests over HTTP/1.1, as a browser sends them. The CORS layer sits outside tonic-web and
//! outside authentication, so preflights are answered by it and every reply, `Unauthenticated`
//! included, carries its headers.
//!
//! Also checks that `examples/proto/helloworld.rs` is what tonic-prost-build generates from
//! `examples/proto/helloworld.proto`, so the shipped proto and the server never drift.

#[path = "../../../tests/common/demo.rs"]
mod demo;

#[allow(unreachable_pub, clippy::all)]
mod helloworld {
    include!("../examples/proto/helloworld.rs");
}

use std::path::{Path, PathBuf};

use bytes::{Buf, Bytes};
use demo::{start_example, Server};
use http::{HeaderMap, Method, StatusCode};
use prost::Message;

const LOCAL: &str = "http://localhost:5173";
const SAY_HELLO: &str = "/helloworld.Greeter/SayHello";

/// A response as the client read it: status, headers, and the whole body.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    /// One header's value; `None` when absent. Panics when it appears more than once.
    fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.get_all(name).iter();
        let first = values.next()?;
        assert!(values.next().is_none(), "{name} appears more than once");
        Some(first.to_str().expect("a visible ASCII header value"))
    }

    /// The comma-separated items of every value of `name`, trimmed and lowercased.
    fn list(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .flat_map(|value| value.to_str().unwrap_or_default().split(','))
            .map(|item| item.trim().to_ascii_lowercase())
            .filter(|item| !item.is_empty())
            .collect()
    }

    /// The headers, one `name: value` line each, for failure messages.
    fn dump(&self) -> String {
        let mut text = format!("{}\n", self.status);
        for (name, value) in &self.headers {
            text.push_str(&format!(
                "{name}: {}\n",
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
        text
    }
}

/// Sends one request to `SayHello` and reads the whole response.
async fn send(server: &Server, method: Method, headers: &[(&str, &str)], body: Bytes) -> Reply {
    let url = format!("{}{SAY_HELLO}", server.url());
    let (parts, body) = demo::send_http(method, &url, headers, body)
        .await
        .into_parts();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// A gRPC-web unary call of `SayHello` from `origin`, with `authorization` when given.
async fn say_hello(server: &Server, origin: &str, name: &str, token: Option<&str>) -> Reply {
    let message = helloworld::HelloRequest { name: name.into() }.encode_to_vec();
    let mut frame = vec![0x00];
    frame.extend_from_slice(&u32::try_from(message.len()).unwrap().to_be_bytes());
    frame.extend_from_slice(&message);
    let mut headers = vec![
        ("origin", origin),
        ("content-type", "application/grpc-web+proto"),
        ("accept", "application/grpc-web+proto"),
        ("x-grpc-web", "1"),
        ("x-user-agent", "grpc-web-javascript/0.1"),
    ];
    if let Some(token) = token {
        headers.push(("authorization", token));
    }
    send(server, Method::POST, &headers, frame.into()).await
}

/// The frames of a gRPC-web body: the messages of the data frames, and the trailer frame's
/// fields (lowercased names), if there is one.
fn frames(body: &Bytes) -> (Vec<Bytes>, Option<Vec<(String, String)>>) {
    let mut body = body.clone();
    let mut messages = Vec::new();
    let mut trailers = None;
    while body.has_remaining() {
        assert!(body.remaining() >= 5, "a truncated frame header: {body:?}");
        let flags = body.get_u8();
        let length = body.get_u32() as usize;
        assert!(body.remaining() >= length, "a truncated frame: {body:?}");
        let payload = body.split_to(length);
        if flags & 0x80 == 0 {
            assert!(trailers.is_none(), "a data frame after the trailers");
            messages.push(payload);
        } else {
            let text = String::from_utf8(payload.to_vec()).expect("ASCII trailers");
            trailers = Some(
                text.split("\r\n")
                    .filter(|line| !line.is_empty())
                    .map(|line| {
                        let (name, value) = line.split_once(':').expect("name: value");
                        (name.trim().to_ascii_lowercase(), value.trim().to_owned())
                    })
                    .collect(),
            );
        }
    }
    (messages, trailers)
}

/// Asserts what a browser needs to read a reply from `origin`: the echoed origin, credentials,
/// `Vary: Origin`, and the gRPC status headers exposed.
#[track_caller]
fn assert_readable_by(reply: &Reply, origin: &str) {
    let dump = reply.dump();
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(origin),
        "{dump}"
    );
    assert_eq!(
        reply.header("access-control-allow-credentials"),
        Some("true"),
        "{dump}"
    );
    assert!(reply.list("vary").contains(&"origin".into()), "{dump}");
    let exposed = reply.list("access-control-expose-headers");
    for name in ["grpc-status", "grpc-message"] {
        assert!(
            exposed.contains(&name.into()),
            "{name} not exposed:\n{dump}"
        );
    }
}

fn start() -> Server {
    let server = start_example("grpc_web", &[]);
    assert!(
        server.startup.contains("development policy")
            && server.startup.contains("http://localhost:*")
            && server.startup.contains("grpc-web"),
        "{}",
        server.startup
    );
    server
}

#[tokio::test]
async fn preflight_for_a_grpc_web_call_is_answered_by_the_cors_layer_outside_tonic_web() {
    let server = start();
    let reply = send(
        &server,
        Method::OPTIONS,
        &[
            ("origin", LOCAL),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "content-type,x-grpc-web,x-user-agent,authorization",
            ),
        ],
        Bytes::new(),
    )
    .await;
    let dump = reply.dump();
    // tonic-web would answer this HTTP/1.1 OPTIONS with 400: a 204 shows the CORS layer did.
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{dump}");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(LOCAL),
        "{dump}"
    );
    assert_eq!(
        reply.header("access-control-allow-credentials"),
        Some("true"),
        "{dump}"
    );
    assert!(
        reply
            .list("access-control-allow-methods")
            .contains(&"post".into()),
        "{dump}"
    );
    let allowed = reply.list("access-control-allow-headers");
    for name in [
        "content-type",
        "x-grpc-web",
        "x-user-agent",
        "authorization",
    ] {
        assert!(
            allowed.contains(&name.into()),
            "{name} not allowed:\n{dump}"
        );
    }
}

#[tokio::test]
async fn authenticated_grpc_web_call_gets_its_reply_with_cors_headers_and_grpc_status_exposed() {
    let server = start();
    let reply = say_hello(&server, LOCAL, "Ada", Some("Bearer demo-token")).await;
    let dump = reply.dump();
    assert_eq!(reply.status, StatusCode::OK, "{dump}");
    assert_readable_by(&reply, LOCAL);
    assert!(
        reply
            .header("content-type")
            .is_some_and(|value| value.starts_with("application/grpc-web")),
        "{dump}"
    );
    let (messages, trailers) = frames(&reply.body);
    assert_eq!(messages.len(), 1, "{dump}{:?}", reply.body);
    let hello = helloworld::HelloReply::decode(messages[0].clone()).expect("a HelloReply");
    assert_eq!(hello.message, "Hello Ada!");
    let trailers = trailers.expect("a trailer frame");
    assert!(
        trailers.contains(&("grpc-status".into(), "0".into())),
        "{trailers:?}"
    );
}

#[tokio::test]
async fn unauthenticated_reply_from_inside_the_cors_layer_still_carries_cors_headers() {
    let server = start();
    let reply = say_hello(&server, LOCAL, "Ada", None).await;
    let dump = reply.dump();
    // A gRPC error travels in a 200 reply. tonic sends this one trailers-only: `grpc-status`
    // and `grpc-message` are response headers and the body is empty, so a browser's client
    // reads the status from the headers, which it can only because the CORS layer exposed them.
    assert_eq!(reply.status, StatusCode::OK, "{dump}");
    assert_readable_by(&reply, LOCAL);
    assert_eq!(reply.header("grpc-status"), Some("16"), "{dump}");
    assert!(reply.header("grpc-message").is_some(), "{dump}");
    assert!(reply.body.is_empty(), "{dump}{:?}", reply.body);

    let wrong = say_hello(&server, LOCAL, "Ada", Some("Bearer wrong")).await;
    assert_readable_by(&wrong, LOCAL);
    assert_eq!(wrong.header("grpc-status"), Some("16"), "{}", wrong.dump());
}

#[tokio::test]
async fn grpc_web_call_from_a_disallowed_origin_gets_no_cors_grant() {
    let server = start();
    let reply = say_hello(
        &server,
        "https://evil.example",
        "Ada",
        Some("Bearer demo-token"),
    )
    .await;
    let dump = reply.dump();
    assert_eq!(reply.header("access-control-allow-origin"), None, "{dump}");
    assert_eq!(
        reply.header("access-control-allow-credentials"),
        None,
        "{dump}"
    );
    assert_eq!(
        reply.header("access-control-expose-headers"),
        None,
        "{dump}"
    );
    assert!(reply.list("vary").contains(&"origin".into()), "{dump}");
}

#[tokio::test]
async fn grpc_web_preset_is_on_even_when_the_environment_leaves_it_out() {
    let origin = "https://app.example.com";
    let server = start_example("grpc_web", &[("CORS_ALLOWED_ORIGINS", origin)]);
    assert!(
        server.startup.contains("from the environment") && server.startup.contains("grpc-web"),
        "{}",
        server.startup
    );
    let reply = send(
        &server,
        Method::OPTIONS,
        &[
            ("origin", origin),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "content-type,x-grpc-web,x-user-agent",
            ),
        ],
        Bytes::new(),
    )
    .await;
    let dump = reply.dump();
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{dump}");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(origin),
        "{dump}"
    );
    let allowed = reply.list("access-control-allow-headers");
    assert!(allowed.contains(&"x-grpc-web".into()), "{dump}");

    let call = say_hello(&server, origin, "Ada", None).await;
    let exposed = call.list("access-control-expose-headers");
    assert!(exposed.contains(&"grpc-status".into()), "{}", call.dump());
}

#[test]
fn invalid_configuration_exits_non_zero_listing_every_problem_before_listening() {
    let output = demo::example_command(
        "grpc_web",
        &[
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com/"),
            ("CORS_MAX_AGE", "1h"),
            ("CORS_PRESETS", "grpc"),
        ],
    )
    .output()
    .expect("run the example");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stdout}{stderr}");
    assert!(!stdout.contains("listening on"), "{stdout}");
    for variable in ["CORS_ALLOWED_ORIGINS", "CORS_MAX_AGE", "CORS_PRESETS"] {
        assert!(stderr.contains(variable), "{variable} missing:\n{stderr}");
    }
}

// ---- the generated code ---------------------------------------------------------------------

/// The committed code generated from the proto.
const GENERATED: &str = "examples/proto/helloworld.rs";

/// The header above tonic-prost-build's output in [`GENERATED`].
const HEADER: &str = "\
// Generated from helloworld.proto by tonic-prost-build (messages and server; no client).
// Do not edit: change the proto, then regenerate with
//     REGENERATE_PROTO=1 cargo test -p tower-cors-example-grpc-web --test grpc_web generated_code
// `cargo test` fails while this file and the proto disagree.

";

/// What tonic-prost-build generates from the proto now, with [`HEADER`] on top. Uses the
/// protoc binary shipped by protoc-bin-vendored, passed to the generator directly (the
/// process environment is left alone).
fn generate() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let proto_dir = root.join("examples/proto");
    let proto = proto_dir.join("helloworld.proto");
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("grpc_web_codegen_{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).expect("create the output directory");
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path().expect("a vendored protoc"));
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(true)
        .emit_rerun_if_changed(false)
        .out_dir(&out_dir)
        .compile_with_config(config, &[proto], &[proto_dir])
        .expect("tonic-prost-build to compile the proto");
    let generated =
        std::fs::read_to_string(out_dir.join("helloworld.rs")).expect("the generated file");
    let _ = std::fs::remove_dir_all(&out_dir);
    format!("{HEADER}{generated}")
}

#[test]
fn generated_code_is_what_tonic_prost_build_makes_of_the_shipped_proto() {
    let expected = generate();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED);
    if std::env::var_os("REGENERATE_PROTO").is_some() {
        std::fs::write(&path, &expected).expect("write the generated code");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "{GENERATED} is not what tonic-prost-build generates from helloworld.proto; regenerate it \
         with\n    REGENERATE_PROTO=1 cargo test -p tower-cors-example-grpc-web --test grpc_web generated_code\n\
         --- generated now ---\n{expected}"
    );
}
