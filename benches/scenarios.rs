//! The scenarios both benchmarks run: the same requests, through tower-cors and through
//! tower-http's `CorsLayer` configured alike, around the same trivial inner service.

#![allow(dead_code, unreachable_pub, missing_docs)]

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response};
use http_body_util::Empty;
use tower::{Layer, Service, ServiceExt};
use tower_http::cors as th;

pub type Body = Empty<Bytes>;

/// Which implementation a scenario runs through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stack {
    /// The inner service alone: the baseline both layers' overhead is measured against.
    Bare,
    TowerCors,
    /// tower-cors made reloadable: the policy read from a `ReloadHandle`'s slot per request.
    TowerCorsReloadable,
    TowerHttp,
    /// What writing the headers alone costs, checking nothing: for a simple request, a layer
    /// that adds fixed `Access-Control-Allow-Origin`, `-Expose-Headers` and `Vary` to the
    /// response; for a preflight, a service that answers a fixed 204 with the five headers of an
    /// allowed preflight. The floor under any CORS layer that writes `http::HeaderMap`s.
    Floor,
}

impl Stack {
    pub fn name(self) -> &'static str {
        match self {
            Stack::Bare => "bare",
            Stack::TowerCors => "tower-cors",
            Stack::TowerCorsReloadable => "tower-cors-reloadable",
            Stack::TowerHttp => "tower-http",
            Stack::Floor => "floor",
        }
    }
}

/// The trivial inner service: an empty 200.
pub fn inner(
) -> impl Service<Request<Body>, Response = Response<Body>, Error = Infallible, Future: Send> + Clone
{
    tower::service_fn(|_request: Request<Body>| async { Ok(Response::new(Body::new())) })
}

/// The origins of an allowlist of `n` entries; requests in the size scenarios match the last.
pub fn origins(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://app{i}.example.com"))
        .collect()
}

/// The near-miss search's adversarial allowlist: 300 origins of about 200 characters that
/// share their first and last 90, so that every entry is the same length as the refused
/// [`long_refused`] and alike in most of it.
pub fn long_origins() -> Vec<String> {
    (0..300)
        .map(|i| format!("https://{}{i:03}.example.com", long_labels()))
        .collect()
}

/// Three characters away from every entry of [`long_origins`]: refused, with no near miss.
pub fn long_refused() -> String {
    format!("https://{}xyz.example.com", long_labels())
}

/// Three labels, 179 characters (a label has 63 at most).
fn long_labels() -> String {
    format!("{a}.{a}.{}", "a".repeat(57), a = "a".repeat(60))
}

/// A policy, described once and built for both crates.
#[derive(Clone, Debug)]
pub enum Policy {
    /// `n` exact origins, methods, headers, an exposed header, a max age.
    List { n: usize, credentials: bool },
    /// `https://*.example.com`; tower-http with the equivalent predicate.
    OneLabel,
    /// `https://**.example.com`; tower-http with the equivalent predicate.
    AnyDepth,
    /// An anchored regular expression; tower-http with a predicate running the same regex.
    Regex,
    /// [`long_origins`] in debug mode, so every refusal looks for its near-miss hint.
    LongOriginsDebug,
    /// The shape of a typical API's policy: [`API_ORIGINS`] (or, with `regex`, one anchored
    /// regular expression that allows them), the four methods, the request headers
    /// [`API_HEADERS`] names; no exposed header, no max age.
    Api { regex: bool },
    /// Three exact origins with credentials and cross-origin protection; tower-http with its
    /// `CsrfLayer` trusting the same origins, outside its `CorsLayer`.
    Protected,
}

/// The API policy's three origins; requests in its allowed rows come from the second.
pub const API_ORIGINS: [&str; 3] = [
    "https://app.example.com",
    "https://admin.example.com",
    "https://partner.example.org",
];

/// The API policy's regular expression, allowing `https://app.example.com` among others.
const API_REGEX: &str = r"https://(app|admin|pr-[0-9]+)\.example\.com";

/// The request headers the API policy allows, as its preflights ask for them: on one line,
/// lowercase, sorted and joined by commas, as Chromium and Firefox write them.
pub const API_HEADERS: &str = "authorization,content-type,x-request-id";

const METHODS: [Method; 4] = [Method::GET, Method::POST, Method::PUT, Method::DELETE];

impl Policy {
    pub fn tower_cors(&self) -> tower_cors::CorsLayer {
        let builder = tower_cors::CorsLayer::builder()
            .allow_methods(METHODS.iter().map(Method::as_str))
            .allow_headers(["content-type", "authorization"])
            .expose_headers(["x-request-id"])
            .max_age(Duration::from_secs(600));
        let builder = match self {
            Policy::List { n, credentials } => builder
                .allow_origins(origins(*n))
                .allow_credentials(*credentials),
            Policy::OneLabel => builder.allow_origins(["https://*.example.com"]),
            Policy::AnyDepth => builder.allow_origins(["https://**.example.com"]),
            Policy::Regex => builder.allow_origin_regexes([r"https://app[0-9]+\.example\.com"]),
            Policy::LongOriginsDebug => builder.allow_origins(long_origins()).debug(true),
            Policy::Api { regex } => {
                let builder = tower_cors::CorsLayer::builder()
                    .allow_methods(METHODS.iter().map(Method::as_str))
                    .allow_headers(API_HEADERS.split(','));
                match regex {
                    true => builder.allow_origin_regexes([API_REGEX]),
                    false => builder.allow_origins(API_ORIGINS),
                }
            }
            Policy::Protected => builder
                .allow_origins(origins(3))
                .allow_credentials(true)
                .cross_origin_protection(true),
        };
        builder.build().expect("a valid benchmark policy")
    }

    pub fn tower_http(&self) -> th::CorsLayer {
        let layer = th::CorsLayer::new()
            .allow_methods(METHODS)
            .allow_headers([CONTENT_TYPE, AUTHORIZATION])
            .expose_headers([HeaderName::from_static("x-request-id")])
            .max_age(Duration::from_secs(600));
        match self {
            Policy::List { n, credentials } => layer
                .allow_origin(th::AllowOrigin::list(
                    origins(*n)
                        .iter()
                        .map(|o| HeaderValue::from_str(o).unwrap()),
                ))
                .allow_credentials(*credentials),
            Policy::OneLabel => layer.allow_origin(th::AllowOrigin::predicate(|origin, _| {
                one_label_below(origin.as_bytes(), b"https://", b".example.com")
            })),
            // The same checks tower-cors makes for `https://**.example.com`: every label a DNS
            // label of at most 63 bytes, the whole host at most 253, so both rows do equal work.
            Policy::AnyDepth => layer.allow_origin(th::AllowOrigin::predicate(|origin, _| {
                origin
                    .as_bytes()
                    .strip_prefix(b"https://")
                    .filter(|host| host.len() <= MAX_HOST_LEN)
                    .and_then(|host| host.strip_suffix(b".example.com"))
                    .is_some_and(|labels| {
                        !labels.is_empty() && labels.split(|&b| b == b'.').all(is_label)
                    })
            })),
            Policy::Regex => {
                let regex = regex::Regex::new(r"^(?:https://app[0-9]+\.example\.com)$").unwrap();
                layer.allow_origin(th::AllowOrigin::predicate(move |origin, _| {
                    origin.to_str().is_ok_and(|o| regex.is_match(o))
                }))
            }
            Policy::LongOriginsDebug => layer.allow_origin(th::AllowOrigin::list(
                long_origins()
                    .iter()
                    .map(|o| HeaderValue::from_str(o).unwrap()),
            )),
            Policy::Api { regex } => {
                let layer = th::CorsLayer::new().allow_methods(METHODS).allow_headers(
                    API_HEADERS
                        .split(',')
                        .map(HeaderName::from_static)
                        .collect::<Vec<_>>(),
                );
                match regex {
                    true => {
                        let regex = regex::Regex::new(&format!("^(?:{API_REGEX})$")).unwrap();
                        layer.allow_origin(th::AllowOrigin::predicate(move |origin, _| {
                            origin.to_str().is_ok_and(|o| regex.is_match(o))
                        }))
                    }
                    false => layer.allow_origin(th::AllowOrigin::list(
                        API_ORIGINS.map(HeaderValue::from_static),
                    )),
                }
            }
            Policy::Protected => Policy::List {
                n: 3,
                credentials: true,
            }
            .tower_http(),
        }
    }

    /// tower-http's `CsrfLayer` for [`Policy::Protected`], trusting the same origins.
    pub fn tower_http_csrf(&self) -> Option<tower_http::csrf::CsrfLayer> {
        let Policy::Protected = self else {
            return None;
        };
        let layer = origins(3)
            .iter()
            .try_fold(tower_http::csrf::CsrfLayer::new(), |layer, origin| {
                layer.add_trusted_origin(origin)
            })
            .expect("valid trusted origins");
        Some(layer)
    }
}

/// The longest host name DNS allows, as tower-cors checks it.
const MAX_HOST_LEN: usize = 253;

/// A label as tower-cors accepts it in an origin: 1 to 63 bytes of lowercase letters, digits,
/// `-` and `_`.
fn is_label(label: &[u8]) -> bool {
    (1..=63).contains(&label.len())
        && label
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn one_label_below(origin: &[u8], scheme: &[u8], domain: &[u8]) -> bool {
    origin
        .strip_prefix(scheme)
        .and_then(|rest| rest.strip_suffix(domain))
        .is_some_and(is_label)
}

/// One request shape.
#[derive(Clone, Debug)]
pub enum Shape {
    /// GET with an `Origin`.
    Simple(String),
    /// A preflight for PUT with `content-type`.
    Preflight(String),
    /// A preflight for PUT with [`API_HEADERS`].
    ApiPreflight(String),
    /// GET without `Origin`.
    NoOrigin,
    /// A preflight whose `Access-Control-Request-Headers` is this value on one line.
    HugeRequestHeaders(String, Bytes),
    /// A preflight with 1,024 `Access-Control-Request-Headers` lines.
    ManyRequestHeaderLines(String),
    /// A POST from this origin, `Sec-Fetch-Site: cross-site`, as a browser sends a form.
    CrossSitePost(String),
}

impl Shape {
    pub fn is_preflight(&self) -> bool {
        !matches!(
            self,
            Shape::Simple(_) | Shape::NoOrigin | Shape::CrossSitePost(_)
        )
    }

    pub fn request(&self) -> Request<Body> {
        let builder = Request::builder().uri("/items/42");
        let builder = match self {
            Shape::Simple(origin) => builder.header("origin", origin.as_str()),
            Shape::NoOrigin => builder,
            Shape::CrossSitePost(origin) => builder
                .method(Method::POST)
                .header("origin", origin.as_str())
                .header("sec-fetch-site", "cross-site"),
            Shape::Preflight(origin) => builder
                .method(Method::OPTIONS)
                .header("origin", origin.as_str())
                .header("access-control-request-method", "PUT")
                .header("access-control-request-headers", "content-type"),
            Shape::ApiPreflight(origin) => builder
                .method(Method::OPTIONS)
                .header("origin", origin.as_str())
                .header("access-control-request-method", "PUT")
                .header("access-control-request-headers", API_HEADERS),
            Shape::HugeRequestHeaders(origin, value) => builder
                .method(Method::OPTIONS)
                .header("origin", origin.as_str())
                .header("access-control-request-method", "PUT")
                .header(
                    "access-control-request-headers",
                    HeaderValue::from_maybe_shared(value.clone()).unwrap(),
                ),
            Shape::ManyRequestHeaderLines(origin) => {
                let mut builder = builder
                    .method(Method::OPTIONS)
                    .header("origin", origin.as_str())
                    .header("access-control-request-method", "PUT");
                for _ in 0..1024 {
                    builder = builder.header("access-control-request-headers", "content-type");
                }
                builder
            }
        };
        builder.body(Body::new()).unwrap()
    }
}

/// A named scenario of the performance table.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub policy: Policy,
    pub shape: Shape,
    /// Clone the service for every request, as axum does.
    pub clone_per_request: bool,
}

const ALLOWED: &str = "https://app2.example.com";

fn scenario(name: impl Into<String>, policy: Policy, shape: Shape) -> Scenario {
    Scenario {
        name: name.into(),
        policy,
        shape,
        clone_per_request: false,
    }
}

/// Every scenario, in the order of the table.
pub fn all() -> Vec<Scenario> {
    let list = Policy::List {
        n: 3,
        credentials: false,
    };
    let mut scenarios = vec![
        scenario(
            "simple GET, allowed",
            list.clone(),
            Shape::Simple(ALLOWED.into()),
        ),
        scenario(
            "preflight, allowed",
            list.clone(),
            Shape::Preflight(ALLOWED.into()),
        ),
        scenario(
            "simple GET, disallowed origin",
            list.clone(),
            Shape::Simple("https://evil.example".into()),
        ),
        scenario(
            "preflight, disallowed origin",
            list.clone(),
            Shape::Preflight("https://evil.example".into()),
        ),
        scenario("no Origin", list.clone(), Shape::NoOrigin),
        scenario(
            "simple GET, credentials",
            Policy::List {
                n: 3,
                credentials: true,
            },
            Shape::Simple(ALLOWED.into()),
        ),
    ];
    for n in [1, 10, 100, 1_000, 10_000] {
        scenarios.push(scenario(
            format!("{n} origins, last one"),
            Policy::List {
                n,
                credentials: false,
            },
            Shape::Simple(format!("https://app{}.example.com", n - 1)),
        ));
    }
    scenarios.extend([
        scenario(
            "*. pattern",
            Policy::OneLabel,
            Shape::Simple(ALLOWED.into()),
        ),
        scenario(
            "**. pattern",
            Policy::AnyDepth,
            Shape::Simple("https://a.b.example.com".into()),
        ),
        scenario("regex", Policy::Regex, Shape::Simple(ALLOWED.into())),
    ]);
    for n in [1, 10_000] {
        scenarios.push(Scenario {
            clone_per_request: true,
            ..scenario(
                format!("cloned per request, {n} origins"),
                Policy::List {
                    n,
                    credentials: false,
                },
                Shape::Simple("https://app0.example.com".into()),
            )
        });
    }
    let commas = Bytes::from(vec![b','; 1 << 20]);
    let spaces = Bytes::from(vec![b' '; 1 << 20]);
    scenarios.extend([
        scenario(
            "preflight, 1 MiB of commas",
            list.clone(),
            Shape::HugeRequestHeaders(ALLOWED.into(), commas),
        ),
        scenario(
            "preflight, 1 MiB of spaces",
            list.clone(),
            Shape::HugeRequestHeaders(ALLOWED.into(), spaces),
        ),
        scenario(
            "preflight, 1,024 header lines",
            list.clone(),
            Shape::ManyRequestHeaderLines(ALLOWED.into()),
        ),
        scenario(
            "preflight, 64 KiB Origin",
            list,
            Shape::Preflight(format!("https://{}.example.com", "a".repeat(64 * 1024))),
        ),
        scenario(
            "preflight, disallowed, 300 long origins, debug",
            Policy::LongOriginsDebug,
            Shape::Preflight(long_refused()),
        ),
        // Cross-origin protection on (tower-http: `CsrfLayer` outside `CorsLayer`).
        scenario(
            "protected: cross-site POST, allowed",
            Policy::Protected,
            Shape::CrossSitePost(ALLOWED.into()),
        ),
        scenario(
            "protected: cross-site POST, refused",
            Policy::Protected,
            Shape::CrossSitePost("https://evil.example".into()),
        ),
    ]);
    scenarios.extend(api());
    scenarios
}

/// The rows of the API policy ([`Policy::Api`]), named `api: ...`.
fn api() -> Vec<Scenario> {
    let list = Policy::Api { regex: false };
    let regex = Policy::Api { regex: true };
    let allowed = API_ORIGINS[0];
    let refused = "https://evil.example";
    let row = |name: &str, policy: &Policy, shape| {
        scenario(format!("api: {name}"), policy.clone(), shape)
    };
    vec![
        row("simple GET, allowed", &list, Shape::Simple(allowed.into())),
        row(
            "simple GET, disallowed origin",
            &list,
            Shape::Simple(refused.into()),
        ),
        row("no Origin", &list, Shape::NoOrigin),
        row(
            "preflight, allowed",
            &list,
            Shape::ApiPreflight(allowed.into()),
        ),
        row(
            "preflight, disallowed origin",
            &list,
            Shape::ApiPreflight(refused.into()),
        ),
        row("regex, allowed", &regex, Shape::Simple(allowed.into())),
        row("regex, refused", &regex, Shape::Simple(refused.into())),
        row(
            "regex, preflight, allowed",
            &regex,
            Shape::ApiPreflight(allowed.into()),
        ),
        row(
            "preflight, 1 MiB of commas",
            &list,
            Shape::HugeRequestHeaders(allowed.into(), Bytes::from(vec![b','; 1 << 20])),
        ),
        row(
            "preflight, 1,024 header lines",
            &list,
            Shape::ManyRequestHeaderLines(allowed.into()),
        ),
        row(
            "preflight, 64 KiB Origin",
            &list,
            Shape::ApiPreflight(format!("https://{}.example.com", "a".repeat(64 * 1024))),
        ),
    ]
}

/// Sends one request through `service` and drops the response.
pub fn send<S, B>(service: &mut S, request: Request<Body>) -> u16
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
{
    let response = futures::executor::block_on(service.oneshot(request)).unwrap();
    response.status().as_u16()
}

/// Makes copies of one request: method, URI and headers cloned, as cheaply for every stack.
#[derive(Clone)]
struct Template {
    method: Method,
    uri: http::Uri,
    headers: http::HeaderMap,
}

impl Template {
    fn new(shape: &Shape) -> Self {
        let (parts, _) = shape.request().into_parts();
        Self {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
        }
    }

    fn request(&self) -> Request<Body> {
        let mut request = Request::new(Body::new());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request
    }
}

/// Runs `iterations` requests of `scenario` through `stack`, the service built once (or cloned
/// per request when the scenario says so), as a closure the benchmarks can time or count.
pub fn runner(scenario: &Scenario, stack: Stack) -> Box<dyn FnMut(u64)> {
    let template = Template::new(&scenario.shape);
    let clone = scenario.clone_per_request;
    fn boxed<S, B>(mut service: S, template: Template, clone: bool) -> Box<dyn FnMut(u64)>
    where
        S: Service<Request<Body>, Response = Response<B>> + Clone + 'static,
        S::Error: std::fmt::Debug,
    {
        Box::new(move |iterations| {
            for _ in 0..iterations {
                let request = template.request();
                if clone {
                    send(&mut service.clone(), request);
                } else {
                    send(&mut service, request);
                }
            }
        })
    }
    match stack {
        Stack::Bare => boxed(inner(), template, clone),
        Stack::TowerCors => boxed(scenario.policy.tower_cors().layer(inner()), template, clone),
        Stack::TowerCorsReloadable => {
            let (layer, _handle) = scenario.policy.tower_cors().reloadable();
            boxed(layer.layer(inner()), template, clone)
        }
        Stack::TowerHttp => match scenario.policy.tower_http_csrf() {
            Some(csrf) => boxed(
                csrf.layer(scenario.policy.tower_http().layer(inner())),
                template,
                clone,
            ),
            None => boxed(scenario.policy.tower_http().layer(inner()), template, clone),
        },
        Stack::Floor if scenario.shape.is_preflight() => {
            let api = matches!(scenario.policy, Policy::Api { .. });
            boxed(floor_preflight(api), template, clone)
        }
        Stack::Floor => {
            let api = matches!(scenario.policy, Policy::Api { .. });
            boxed(floor_simple(api).layer(inner()), template, clone)
        }
    }
}

/// The floor of a preflight: a fixed 204 with the headers of an allowed answer (the API
/// policy's, or the others' with their max age), cloned from a block built once: the cheapest
/// way known to write them into a fresh `http::HeaderMap`.
fn floor_preflight(
    api: bool,
) -> impl Service<Request<Body>, Response = Response<Body>, Error = Infallible> + Clone {
    let (origin, allowed_headers, max_age) = match api {
        true => (API_ORIGINS[0], API_HEADERS, None),
        false => ("https://app2.example.com", "content-type", Some("600")),
    };
    let block = Arc::new(header_block(&[
        (
            "vary",
            Some("origin, access-control-request-method, access-control-request-headers"),
        ),
        ("access-control-allow-origin", Some(origin)),
        (
            "access-control-allow-methods",
            Some("GET, POST, PUT, DELETE"),
        ),
        ("access-control-allow-headers", Some(allowed_headers)),
        ("access-control-max-age", max_age),
    ]));
    tower::service_fn(move |_request: Request<Body>| {
        let block = Arc::clone(&block);
        async move {
            let mut response = Response::new(Body::new());
            *response.status_mut() = http::StatusCode::NO_CONTENT;
            *response.headers_mut() = HeaderMap::clone(&block);
            Ok::<_, Infallible>(response)
        }
    })
}

/// The floor of an actual request: fixed `Access-Control-Allow-Origin`, `Vary` and, for the
/// policies that expose one, `Access-Control-Expose-Headers`, cloned from a block built once
/// into the response (the inner service's response has no headers of its own).
fn floor_simple(
    api: bool,
) -> tower::util::MapResponseLayer<impl Fn(Response<Body>) -> Response<Body> + Clone> {
    let origin = if api {
        API_ORIGINS[0]
    } else {
        "https://app2.example.com"
    };
    let block = Arc::new(header_block(&[
        ("access-control-allow-origin", Some(origin)),
        (
            "access-control-expose-headers",
            (!api).then_some("x-request-id"),
        ),
        ("vary", Some("origin")),
    ]));
    tower::util::MapResponseLayer::new(move |mut response: Response<Body>| {
        *response.headers_mut() = HeaderMap::clone(&block);
        response
    })
}

/// A header map of the given names and values, skipping absent values.
fn header_block(pairs: &[(&'static str, Option<&'static str>)]) -> HeaderMap {
    let mut headers = HeaderMap::with_capacity(pairs.len());
    for (name, value) in pairs {
        if let Some(value) = value {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
    }
    headers
}
