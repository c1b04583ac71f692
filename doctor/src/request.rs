//! What a page asks the browser for, and the requests the browser makes of it (Fetch, "CORS
//! protocol", "Headers" and "Methods").

use std::fmt;

use http::header::{
    HeaderName, HeaderValue, ACCEPT, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD,
    ORIGIN,
};
use http::{Method, Request, Uri};
use tower_cors::{ConfigErrorKind, CorsConfig, CorsLayer};

/// `Access-Control-Request-Private-Network`, which `http` does not name.
pub(crate) const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: &str =
    "access-control-request-private-network";

/// A cross-origin `fetch()` as a page makes it: the page's origin, the URL, the method, the
/// headers the script sets, whether it sends credentials (`credentials: 'include'`), and whether
/// the URL is on a more private network than the page (Private Network Access).
///
/// Everything is checked the way a browser checks it before anything is sent: the origin must be
/// one a browser sends (`scheme://host[:port]`, lowercase, no default port, or `null`), the URL an
/// `http` or `https` URL of another origin, the method a token that is not forbidden (`CONNECT`,
/// `TRACE`, `TRACK`), and the headers valid and not forbidden to scripts (`cookie`, `host`,
/// `sec-*`, ...). The method is normalized as `fetch()` normalizes it: `delete`, `get`, `head`,
/// `options`, `post` and `put` are uppercased in any case, every other method is kept as written.
///
/// ```
/// use tower_cors_doctor::PageRequest;
///
/// let request = PageRequest::new("https://app.example.com", "https://api.example.com/items")?
///     .with_method("put")?
///     .with_header("Content-Type", "application/json")?
///     .with_header("X-Trace-Id", "1")?
///     .with_credentials(true);
/// assert_eq!(request.method(), "PUT");
/// assert!(request.needs_preflight());
/// assert_eq!(request.unsafe_header_names(), ["content-type", "x-trace-id"]);
///
/// let preflight = request.preflight_request().expect("a preflight");
/// assert_eq!(preflight.method(), "OPTIONS");
/// assert_eq!(preflight.headers()["access-control-request-method"], "PUT");
/// assert_eq!(preflight.headers()["access-control-request-headers"], "content-type,x-trace-id");
/// assert!(preflight.headers().get("cookie").is_none());
///
/// let simple = PageRequest::new("https://app.example.com", "https://api.example.com/")?
///     .with_header("content-type", "text/plain;charset=UTF-8")?;
/// assert!(!simple.needs_preflight());
/// assert!(simple.preflight_request().is_none());
/// # Ok::<(), tower_cors_doctor::RequestError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    origin: String,
    url: String,
    local: bool,
    method: String,
    headers: Vec<(String, String)>,
    credentials: bool,
    private_network: bool,
    read_headers: Vec<String>,
}

impl PageRequest {
    /// A `GET` of `url` from a page whose origin is `origin`, without credentials or headers.
    pub fn new(origin: &str, url: &str) -> Result<Self, RequestError> {
        check_origin(origin)?;
        let target = parse_url(url)?;
        if target.origin == origin {
            return Err(RequestError::SameOrigin {
                origin: origin.to_owned(),
            });
        }
        Ok(Self {
            origin: origin.to_owned(),
            url: target.url,
            local: target.local,
            method: "GET".to_owned(),
            headers: Vec::new(),
            credentials: false,
            private_network: false,
            read_headers: Vec::new(),
        })
    }

    /// The request with this method, normalized as `fetch()` does (see [`normalize_method`]).
    pub fn with_method(mut self, method: &str) -> Result<Self, RequestError> {
        let invalid = || RequestError::InvalidMethod {
            method: method.to_owned(),
        };
        if !is_token(method.as_bytes()) || Method::from_bytes(method.as_bytes()).is_err() {
            return Err(invalid());
        }
        if ["CONNECT", "TRACE", "TRACK"]
            .iter()
            .any(|forbidden| forbidden.eq_ignore_ascii_case(method))
        {
            return Err(RequestError::ForbiddenMethod {
                method: method.to_owned(),
            });
        }
        self.method = normalize_method(method);
        Ok(self)
    }

    /// The request with one more header, as `Headers.append` adds it: the name is compared
    /// without case and written in lowercase, leading and trailing whitespace is stripped from
    /// the value, and a second value for the same name is joined to the first with `, `.
    pub fn with_header(mut self, name: &str, value: &str) -> Result<Self, RequestError> {
        if !is_token(name.as_bytes()) {
            return Err(RequestError::InvalidHeaderName {
                name: name.to_owned(),
            });
        }
        let name = name.to_ascii_lowercase();
        let value = value.trim_matches([' ', '\t', '\r', '\n']);
        if HeaderValue::from_str(value).is_err() {
            return Err(RequestError::InvalidHeaderValue { name });
        }
        if is_forbidden_request_header(&name, value) {
            return Err(RequestError::ForbiddenHeader { name });
        }
        match self.headers.iter_mut().find(|(n, _)| *n == name) {
            Some((_, existing)) => {
                existing.push_str(", ");
                existing.push_str(value);
            }
            None => self.headers.push((name, value.to_owned())),
        }
        Ok(self)
    }

    /// The request with credentials (`credentials: 'include'`, or `withCredentials` for
    /// `XMLHttpRequest`) or without them.
    pub fn with_credentials(mut self, include: bool) -> Self {
        self.credentials = include;
        self
    }

    /// The request marked as going to a more private address space than the page's (a public
    /// site calling `localhost` or a LAN address), which makes browsers that implement Private
    /// Network Access preflight it with `Access-Control-Request-Private-Network: true`.
    pub fn with_private_network(mut self, private_network: bool) -> Self {
        self.private_network = private_network;
        self
    }

    /// The request with one more response header the page's script reads
    /// (`response.headers.get(name)`), so that the doctor says when the browser hides it.
    ///
    /// ```
    /// use tower_cors_doctor::PageRequest;
    ///
    /// let request = PageRequest::new("https://app.example.com", "https://api.example.com/")?
    ///     .with_read_header("X-Total-Count")?;
    /// assert_eq!(request.read_headers(), ["x-total-count"]);
    /// assert!(!request.needs_preflight());
    /// # Ok::<(), tower_cors_doctor::RequestError>(())
    /// ```
    pub fn with_read_header(mut self, name: &str) -> Result<Self, RequestError> {
        if !is_token(name.as_bytes()) {
            return Err(RequestError::InvalidHeaderName {
                name: name.to_owned(),
            });
        }
        let name = name.to_ascii_lowercase();
        if !self.read_headers.contains(&name) {
            self.read_headers.push(name);
        }
        Ok(self)
    }

    /// The response headers the page's script reads, lowercase.
    pub fn read_headers(&self) -> &[String] {
        &self.read_headers
    }

    /// Whether the browser blocks the request as mixed content before sending it: an `https`
    /// page and an `http` URL whose host is not loopback.
    pub fn is_mixed_content(&self) -> bool {
        self.origin.starts_with("https://") && self.url.starts_with("http://") && !self.local
    }

    /// The page's origin, as the browser sends it in `Origin`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The URL, serialized as the browser shows it in its console (`https://api.example.com/`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The method after normalization.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The headers the script sets: lowercase names, values as sent.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Whether the request is sent with credentials.
    pub fn credentials(&self) -> bool {
        self.credentials
    }

    /// Whether the request goes to a more private address space.
    pub fn private_network(&self) -> bool {
        self.private_network
    }

    /// The address space a private network request targets, as Chromium names it in its
    /// console: [`Local`](AddressSpace::Local) for loopback hosts (`localhost`, `127.0.0.1`,
    /// `[::1]`), [`Private`](AddressSpace::Private) for any other.
    pub fn address_space(&self) -> AddressSpace {
        if self.local {
            AddressSpace::Local
        } else {
            AddressSpace::Private
        }
    }

    /// The CORS-unsafe request-header names (Fetch): the names of the headers that are not
    /// CORS-safelisted, and of all of them once the safelisted values add up to more than 1024
    /// bytes; lowercase, sorted, without duplicates. These go into
    /// `Access-Control-Request-Headers`.
    pub fn unsafe_header_names(&self) -> Vec<String> {
        let mut unsafe_names = Vec::new();
        let mut safe_names = Vec::new();
        let mut safe_size = 0usize;
        for (name, value) in &self.headers {
            if is_cors_safelisted_request_header(name, value.as_bytes()) {
                safe_names.push(name.clone());
                safe_size += value.len();
            } else {
                unsafe_names.push(name.clone());
            }
        }
        if safe_size > 1024 {
            unsafe_names.extend(safe_names);
        }
        unsafe_names.sort();
        unsafe_names.dedup();
        unsafe_names
    }

    /// Whether a browser preflights this request: its method is not CORS-safelisted, a header is
    /// CORS-unsafe, or it goes to a more private network.
    pub fn needs_preflight(&self) -> bool {
        !self.preflight_reasons().is_empty()
    }

    /// Why a browser preflights this request, one reason per item; empty when it does not.
    pub fn preflight_reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        if !is_cors_safelisted_method(&self.method) {
            let mut reason = format!(
                "{} is not a CORS-safelisted method (GET, HEAD, POST)",
                self.method
            );
            let upper = self.method.to_ascii_uppercase();
            if upper != self.method && is_cors_safelisted_method(&upper) {
                reason.push_str(" and methods are case-sensitive");
            }
            reasons.push(reason);
        }
        for name in self.unsafe_header_names() {
            let value = self
                .headers
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("", |(_, v)| v.as_str());
            let reason = match name.as_str() {
                "accept" | "accept-language" | "content-language" | "content-type" | "range"
                    if is_cors_safelisted_request_header(&name, value.as_bytes()) =>
                {
                    format!("{name} is safelisted, but the safelisted values exceed 1024 bytes")
                }
                "accept" | "accept-language" | "content-language" | "content-type" | "range" => {
                    format!("{name}: {value:?} is not a CORS-safelisted value")
                }
                _ => format!("{name} is not a CORS-safelisted request header"),
            };
            reasons.push(reason);
        }
        if self.private_network {
            reasons.push(format!(
                "the request goes to a more private address space (`{}`)",
                self.address_space()
            ));
        }
        reasons
    }

    /// The preflight a browser sends before this request, or `None` when it sends none:
    /// `OPTIONS` with `Accept: */*`, `Origin`, `Access-Control-Request-Method`,
    /// `Access-Control-Request-Headers` (the [unsafe header
    /// names](Self::unsafe_header_names) joined with `,`, when there are any) and
    /// `Access-Control-Request-Private-Network: true` for a private network request. A
    /// preflight never carries credentials.
    pub fn preflight_request(&self) -> Option<Request<()>> {
        self.needs_preflight()
            .then(|| self.forced_preflight_request())
    }

    /// The preflight a browser would send for this request if it sent one.
    pub(crate) fn forced_preflight_request(&self) -> Request<()> {
        let mut request = Request::new(());
        *request.method_mut() = Method::OPTIONS;
        *request.uri_mut() = self.uri();
        let headers = request.headers_mut();
        headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        headers.insert(ORIGIN, header_value(&self.origin));
        headers.insert(ACCESS_CONTROL_REQUEST_METHOD, header_value(&self.method));
        let names = self.unsafe_header_names();
        if !names.is_empty() {
            headers.insert(
                ACCESS_CONTROL_REQUEST_HEADERS,
                header_value(&names.join(",")),
            );
        }
        if self.private_network {
            headers.insert(
                ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
                HeaderValue::from_static("true"),
            );
        }
        request
    }

    /// The request itself: the method, the URL, `Origin` and the script's headers. Cookies and
    /// other credentials the browser would add are not part of it.
    pub fn actual_request(&self) -> Request<()> {
        let mut request = Request::new(());
        *request.method_mut() = Method::from_bytes(self.method.as_bytes()).unwrap_or(Method::GET);
        *request.uri_mut() = self.uri();
        let headers = request.headers_mut();
        headers.insert(ORIGIN, header_value(&self.origin));
        for (name, value) in &self.headers {
            if let Ok(name) = HeaderName::from_bytes(name.as_bytes()) {
                headers.append(name, header_value(value));
            }
        }
        request
    }

    fn uri(&self) -> Uri {
        self.url.parse().unwrap_or_default()
    }
}

/// A request without a body, copied field by field (`Request<()>` is `Clone` only in newer
/// versions of `http`).
pub(crate) fn copy_request(request: &Request<()>) -> Request<()> {
    let mut copy = Request::new(());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

/// Values checked when the request was built; never empty of meaning.
fn header_value(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The address space a private network request targets (Private Network Access).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressSpace {
    /// Loopback: `localhost`, `127.0.0.0/8`, `[::1]`.
    Local,
    /// Any other private address, as far as the doctor can tell from the URL.
    Private,
}

impl fmt::Display for AddressSpace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressSpace::Local => "local",
            AddressSpace::Private => "private",
        })
    }
}

/// Why a [`PageRequest`] cannot be made: what a browser would refuse to send, or what no browser
/// sends.
///
/// ```
/// use tower_cors_doctor::{PageRequest, RequestError};
///
/// let error = PageRequest::new("https://App.example.com", "https://api.example.com/").unwrap_err();
/// assert!(matches!(error, RequestError::InvalidOrigin { .. }));
/// assert_eq!(
///     error.to_string(),
///     "origin \"https://App.example.com\": browsers send scheme and host in lowercase: \
///      write \"https://app.example.com\""
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestError {
    /// The page's origin is not one a browser sends.
    InvalidOrigin {
        /// The origin as given.
        origin: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The URL is not an absolute `http` or `https` URL.
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The page and the URL have the same origin, so the browser does no CORS check.
    SameOrigin {
        /// The origin of both.
        origin: String,
    },
    /// The method is not a valid HTTP method token.
    InvalidMethod {
        /// The method as given.
        method: String,
    },
    /// `CONNECT`, `TRACE` or `TRACK`, which browsers refuse to send.
    ForbiddenMethod {
        /// The method as given.
        method: String,
    },
    /// The header name is not a valid token.
    InvalidHeaderName {
        /// The name as given.
        name: String,
    },
    /// The header value has bytes a header value cannot have.
    InvalidHeaderValue {
        /// The header's name.
        name: String,
    },
    /// A header scripts cannot set (`cookie`, `host`, `origin`, `sec-*`, `proxy-*`, ...):
    /// browsers set it themselves or drop it.
    ForbiddenHeader {
        /// The header's name.
        name: String,
    },
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::InvalidOrigin { origin, problem } => {
                write!(f, "origin {origin:?}: {problem}")
            }
            RequestError::InvalidUrl { url, problem } => write!(f, "URL {url:?}: {problem}"),
            RequestError::SameOrigin { origin } => write!(
                f,
                "the page and the URL have the same origin, {origin:?}: the browser does no \
                 CORS check on same-origin requests"
            ),
            RequestError::InvalidMethod { method } => {
                write!(f, "method {method:?} is not a valid HTTP method token")
            }
            RequestError::ForbiddenMethod { method } => write!(
                f,
                "method {method:?} is forbidden: browsers refuse to send CONNECT, TRACE and TRACK"
            ),
            RequestError::InvalidHeaderName { name } => {
                write!(f, "header name {name:?} is not a valid token")
            }
            RequestError::InvalidHeaderValue { name } => write!(
                f,
                "the value of header {name:?} has characters a header value cannot have"
            ),
            RequestError::ForbiddenHeader { name } => write!(
                f,
                "header {name:?} is forbidden to scripts: the browser sets it itself or drops it"
            ),
        }
    }
}

impl std::error::Error for RequestError {}

/// A method as `fetch()` and `XMLHttpRequest.open()` normalize it: a case-insensitive match for
/// `DELETE`, `GET`, `HEAD`, `OPTIONS`, `POST` or `PUT` is uppercased, and every other method is
/// kept as written, so `patch` stays `patch` and does not match `PATCH`.
///
/// ```
/// use tower_cors_doctor::normalize_method;
///
/// assert_eq!(normalize_method("delete"), "DELETE");
/// assert_eq!(normalize_method("patch"), "patch");
/// ```
pub fn normalize_method(method: &str) -> String {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    match NORMALIZED
        .iter()
        .find(|name| name.eq_ignore_ascii_case(method))
    {
        Some(name) => (*name).to_owned(),
        None => method.to_owned(),
    }
}

/// Whether `method` is a CORS-safelisted method: exactly `GET`, `HEAD` or `POST`, case-sensitive.
///
/// ```
/// use tower_cors_doctor::is_cors_safelisted_method;
///
/// assert!(is_cors_safelisted_method("POST"));
/// assert!(!is_cors_safelisted_method("post"));
/// assert!(!is_cors_safelisted_method("PUT"));
/// ```
pub fn is_cors_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// Whether a request header is CORS-safelisted (Fetch): `accept`, `accept-language`,
/// `content-language`, `content-type` and `range`, each only with a value of at most 128 bytes
/// that passes its own test: no CORS-unsafe bytes in `accept`; only letters, digits and
/// ` *,-.;=` in the language headers; a MIME type whose essence is
/// `application/x-www-form-urlencoded`, `multipart/form-data` or `text/plain` in `content-type`;
/// a single `bytes=N-` or `bytes=N-M` range in `range`.
///
/// ```
/// use tower_cors_doctor::is_cors_safelisted_request_header;
///
/// assert!(is_cors_safelisted_request_header("Content-Type", b"text/plain; charset=utf-8"));
/// assert!(!is_cors_safelisted_request_header("content-type", b"application/json"));
/// assert!(!is_cors_safelisted_request_header("accept", &[b'a'; 129]));
/// assert!(!is_cors_safelisted_request_header("x-requested-with", b"XMLHttpRequest"));
/// ```
pub fn is_cors_safelisted_request_header(name: &str, value: &[u8]) -> bool {
    if value.len() > 128 {
        return false;
    }
    match name.to_ascii_lowercase().as_str() {
        "accept" => !value.iter().copied().any(is_cors_unsafe_byte),
        "accept-language" | "content-language" => value
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b)),
        "content-type" => {
            !value.iter().copied().any(is_cors_unsafe_byte)
                && matches!(
                    mime_essence(value).as_deref(),
                    Some(
                        "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
                    )
                )
        }
        "range" => is_simple_range(value),
        _ => false,
    }
}

/// Fetch's CORS-unsafe request-header bytes.
fn is_cors_unsafe_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b"\"():<>?@[\\]{}\x7f".contains(&b)
}

/// The essence (`type/subtype`, lowercase) of a MIME type, or `None` when it does not parse.
fn mime_essence(value: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(value).ok()?;
    let text = text.trim_start_matches(is_http_whitespace);
    let (kind, rest) = text.split_once('/')?;
    let subtype = rest.split(';').next()?.trim_end_matches(is_http_whitespace);
    if !is_token(kind.as_bytes()) || !is_token(subtype.as_bytes()) {
        return None;
    }
    Some(format!("{kind}/{subtype}").to_ascii_lowercase())
}

fn is_http_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// A `range` value Fetch safelists: `bytes=` a start, `-`, and an optional end not before it.
fn is_simple_range(value: &[u8]) -> bool {
    let Some(range) = value.strip_prefix(b"bytes=") else {
        return false;
    };
    let Some(dash) = range.iter().position(|&b| b == b'-') else {
        return false;
    };
    let (start, end) = (&range[..dash], &range[dash + 1..]);
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    if !digits(start) || !(end.is_empty() || digits(end)) {
        return false;
    }
    let number = |s: &[u8]| {
        std::str::from_utf8(s)
            .ok()
            .and_then(|s| s.parse::<u128>().ok())
    };
    end.is_empty() || matches!((number(start), number(end)), (Some(s), Some(e)) if s <= e)
}

/// Fetch's forbidden request-header names, and the method-override headers when they name a
/// forbidden method. `name` is a lowercase token.
fn is_forbidden_request_header(name: &str, value: &str) -> bool {
    if is_forbidden_request_header_name(name) {
        return true;
    }
    matches!(
        name,
        "x-http-method" | "x-http-method-override" | "x-method-override"
    ) && value.split(',').any(|method| {
        ["CONNECT", "TRACE", "TRACK"]
            .iter()
            .any(|forbidden| forbidden.eq_ignore_ascii_case(method.trim()))
    })
}

/// Whether Fetch forbids scripts to set the header `name` (a lowercase token): the layer's
/// validation refuses exactly those names in `allowed_headers`, since allowing them has no
/// effect ([`ConfigErrorKind::ForbiddenRequestHeader`]), so the doctor asks it rather than
/// keeping a second copy of the list. Validating a policy of one header costs microseconds, once
/// per header a page sets.
fn is_forbidden_request_header_name(name: &str) -> bool {
    let mut config = CorsConfig::default();
    config.allowed_headers.push(name.to_owned());
    CorsLayer::try_from(config).is_err_and(|errors| {
        errors
            .iter()
            .any(|error| error.kind() == ConfigErrorKind::ForbiddenRequestHeader)
    })
}

/// An RFC 9110 token.
pub(crate) fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Checks that `origin` is what a browser sends in `Origin`.
fn check_origin(origin: &str) -> Result<(), RequestError> {
    let invalid = |problem: String| RequestError::InvalidOrigin {
        origin: origin.to_owned(),
        problem,
    };
    if origin == "null" {
        return Ok(());
    }
    let Some((scheme, rest)) = origin.split_once("://") else {
        return Err(invalid(
            "not an origin: write scheme://host[:port], such as https://app.example.com, or null"
                .to_owned(),
        ));
    };
    if rest.contains(['/', '?', '#']) {
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        return Err(invalid(format!(
            "an origin has no path, query or fragment: write \"{scheme}://{}\"",
            &rest[..end]
        )));
    }
    if rest.contains('@') {
        return Err(invalid("an origin has no user name or password".to_owned()));
    }
    let uri: Uri = origin
        .parse()
        .map_err(|_| invalid("not an origin: write scheme://host[:port]".to_owned()))?;
    if has_invalid_port(&uri) {
        return Err(invalid(
            "the port is not a number from 0 to 65535".to_owned(),
        ));
    }
    let canonical = serialize_origin(&uri)
        .ok_or_else(|| invalid("not an origin: write scheme://host[:port]".to_owned()))?;
    if canonical.origin != origin {
        let problem = if origin.to_ascii_lowercase() == canonical.origin {
            "browsers send scheme and host in lowercase"
        } else if origin.ends_with(":80") || origin.ends_with(":443") {
            "browsers leave out the scheme's default port"
        } else {
            "browsers send it in another spelling"
        };
        return Err(invalid(format!("{problem}: write {:?}", canonical.origin)));
    }
    Ok(())
}

/// A URL as the doctor uses it: serialized as browsers show it, with its origin.
struct Target {
    url: String,
    origin: String,
    local: bool,
}

fn parse_url(url: &str) -> Result<Target, RequestError> {
    let invalid = |problem: &str| RequestError::InvalidUrl {
        url: url.to_owned(),
        problem: problem.to_owned(),
    };
    let without_fragment = url.split('#').next().unwrap_or(url);
    let uri: Uri = without_fragment
        .parse()
        .map_err(|_| invalid("not a valid URL"))?;
    match uri.scheme_str() {
        Some(scheme)
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") => {}
        Some(_) => return Err(invalid("CORS applies to http and https URLs only")),
        None => {
            return Err(invalid(
                "write an absolute URL, such as https://api.example.com/",
            ))
        }
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(invalid(
            "browsers refuse URLs with a user name or password in fetch()",
        ));
    }
    if has_invalid_port(&uri) {
        return Err(invalid("the port is not a number from 0 to 65535"));
    }
    let serialized = serialize_origin(&uri).ok_or_else(|| invalid("the URL has no host"))?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let path = if path.is_empty() { "/" } else { path };
    Ok(Target {
        url: format!("{}{path}", serialized.origin),
        origin: serialized.origin,
        local: serialized.local,
    })
}

struct SerializedOrigin {
    origin: String,
    local: bool,
}

/// Whether the URI names a port that is not one (past 65535): `http::Uri` reads it as no port,
/// which would silently mean the default one.
fn has_invalid_port(uri: &Uri) -> bool {
    let Some(authority) = uri.authority() else {
        return false;
    };
    let after_host = authority
        .as_str()
        .rsplit_once(']')
        .map_or(authority.as_str(), |(_, rest)| rest);
    match after_host.rsplit_once(':') {
        Some((_, digits)) => !digits.is_empty() && uri.port_u16().is_none(),
        None => false,
    }
}

/// The origin of an absolute URI as a browser serializes it: lowercase scheme and host, no
/// default port.
fn serialize_origin(uri: &Uri) -> Option<SerializedOrigin> {
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    let default_port = match scheme.as_str() {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    };
    let port = uri.port_u16().filter(|port| Some(*port) != default_port);
    let local = host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    let origin = match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    };
    Some(SerializedOrigin { origin, local })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_serialized_as_browsers_show_them() {
        let request =
            PageRequest::new("http://localhost:5173", "HTTP://API.Example.com:80").unwrap();
        assert_eq!(request.url(), "http://api.example.com/");
        let request =
            PageRequest::new("http://localhost:5173", "https://127.0.0.1:8443/a?b=c#frag").unwrap();
        assert_eq!(request.url(), "https://127.0.0.1:8443/a?b=c");
        assert_eq!(request.address_space(), AddressSpace::Local);
    }

    #[test]
    fn origins_a_browser_never_sends_are_refused() {
        for origin in [
            "https://app.example.com/",
            "https://app.example.com:443",
            "app.example.com",
            "https://user@app.example.com",
        ] {
            assert!(
                matches!(
                    PageRequest::new(origin, "https://api.example.com/"),
                    Err(RequestError::InvalidOrigin { .. })
                ),
                "{origin}"
            );
        }
        assert!(PageRequest::new("null", "https://api.example.com/").is_ok());
        assert!(matches!(
            PageRequest::new("https://api.example.com", "https://api.example.com/x"),
            Err(RequestError::SameOrigin { .. })
        ));
    }

    #[test]
    fn safelisted_values_over_1024_bytes_make_every_header_unsafe() {
        let long = "a".repeat(128);
        let mut request = PageRequest::new("https://a.example", "https://b.example/").unwrap();
        for name in ["accept", "accept-language", "content-language"] {
            request = request.with_header(name, &long).unwrap();
        }
        assert!(request.unsafe_header_names().is_empty());
        for _ in 0..6 {
            request = request.with_header("accept", &long[..100]).unwrap();
        }
        assert!(request.unsafe_header_names().contains(&"accept".to_owned()));
    }

    #[test]
    fn simple_ranges_are_safelisted_and_others_are_not() {
        assert!(is_cors_safelisted_request_header("range", b"bytes=0-"));
        assert!(is_cors_safelisted_request_header("range", b"bytes=5-10"));
        assert!(!is_cors_safelisted_request_header("range", b"bytes=-10"));
        assert!(!is_cors_safelisted_request_header("range", b"bytes=10-5"));
        assert!(!is_cors_safelisted_request_header(
            "range",
            b"bytes=0-1,2-3"
        ));
    }

    #[test]
    fn forbidden_headers_and_methods_are_refused() {
        let request = PageRequest::new("https://a.example", "https://b.example/").unwrap();
        for name in ["Cookie", "host", "sec-fetch-mode", "proxy-authorization"] {
            assert!(matches!(
                request.clone().with_header(name, "x"),
                Err(RequestError::ForbiddenHeader { .. })
            ));
        }
        assert!(matches!(
            request
                .clone()
                .with_header("x-http-method-override", "trace"),
            Err(RequestError::ForbiddenHeader { .. })
        ));
        assert!(matches!(
            request.clone().with_method("track"),
            Err(RequestError::ForbiddenMethod { .. })
        ));
        assert!(matches!(
            request.with_method("bad method"),
            Err(RequestError::InvalidMethod { .. })
        ));
    }
}
