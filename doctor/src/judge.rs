//! The browser's side of CORS: the checks Chromium applies to a preflight response and to the
//! actual response (Fetch, "CORS check", "CORS-preflight fetch", "Main fetch"; Private Network
//! Access), and the console message it prints when one fails.

use std::fmt;
use std::time::Duration;

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, LOCATION,
};
use http::{HeaderMap, StatusCode};

use crate::request::{is_cors_safelisted_method, is_token, AddressSpace, PageRequest};

/// `Access-Control-Allow-Private-Network`, which `http` does not name.
pub(crate) const ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: &str =
    "access-control-allow-private-network";

/// Chromium's cap on `Access-Control-Max-Age`: two hours.
const MAX_AGE_CAP: u64 = 7200;
/// What Chromium caches a preflight for without a valid `Access-Control-Max-Age`.
const MAX_AGE_DEFAULT: u64 = 5;

/// Which of the browser's checks failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckStep {
    /// The request itself, before anything is sent: mixed content.
    Request,
    /// The preflight response: CORS check, ok status, private network, methods and headers.
    Preflight,
    /// The actual response: CORS check.
    Actual,
}

impl fmt::Display for CheckStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CheckStep::Request => "request, before anything is sent",
            CheckStep::Preflight => "preflight",
            CheckStep::Actual => "actual request",
        })
    }
}

/// Why the browser blocked a request: one variant per check that can fail, with the values
/// Chromium quotes in its console message. Its [`Display`](fmt::Display) is Chromium's sentence.
///
/// ```
/// use tower_cors_doctor::Cause;
///
/// let cause = Cause::OriginMismatch { value: "https://app.example.com/".into() };
/// assert_eq!(cause.code(), "origin_mismatch");
/// assert_eq!(
///     cause.to_string(),
///     "The 'Access-Control-Allow-Origin' header has a value 'https://app.example.com/' that is \
///      not equal to the supplied origin."
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cause {
    /// The response has no `Access-Control-Allow-Origin`.
    NoAllowOrigin,
    /// `Access-Control-Allow-Origin` holds several values (several header lines, or a list).
    MultipleAllowOrigins {
        /// The combined value, as the browser read it.
        value: String,
    },
    /// `Access-Control-Allow-Origin` is not an origin at all.
    InvalidAllowOrigin {
        /// The value sent.
        value: String,
    },
    /// `Access-Control-Allow-Origin` names another origin than the page's.
    OriginMismatch {
        /// The value sent.
        value: String,
    },
    /// `Access-Control-Allow-Origin: *` on a request with credentials.
    WildcardWithCredentials,
    /// A request with credentials, and `Access-Control-Allow-Credentials` is not exactly `true`.
    CredentialsNotTrue {
        /// The value sent, empty when the header is missing.
        value: String,
    },
    /// The preflight response's status is not 2xx.
    PreflightStatusNotOk {
        /// The status.
        status: StatusCode,
    },
    /// The preflight was answered with a redirect, which browsers never follow for a preflight.
    PreflightRedirect {
        /// The redirect's status.
        status: StatusCode,
        /// Its `Location`.
        location: String,
    },
    /// A private network request whose preflight response lacks
    /// `Access-Control-Allow-Private-Network: true`.
    PrivateNetworkNotAllowed {
        /// The address space the request targets.
        address_space: AddressSpace,
        /// The header's value, `None` when it is missing.
        value: Option<String>,
    },
    /// `Access-Control-Allow-Methods` is not a comma-separated list of tokens.
    InvalidAllowMethods {
        /// The value sent.
        value: String,
    },
    /// `Access-Control-Allow-Headers` is not a comma-separated list of tokens.
    InvalidAllowHeaders {
        /// The value sent.
        value: String,
    },
    /// The method is neither safelisted nor in `Access-Control-Allow-Methods` (compared with
    /// case), nor covered by a `*` that counts.
    MethodNotAllowed {
        /// The request's method.
        method: String,
    },
    /// A CORS-unsafe request header is not in `Access-Control-Allow-Headers`, nor covered by a
    /// `*` that counts.
    HeaderNotAllowed {
        /// The first such header, lowercase.
        header: String,
    },
    /// `authorization` is sent, and `Access-Control-Allow-Headers` has `*` but does not name
    /// it: `*` never covers `authorization`.
    AuthorizationNotCoveredByWildcard,
    /// An `https` page fetches an `http` URL whose host is not loopback: the browser blocks it
    /// as mixed content before sending anything, and CORS is never consulted.
    MixedContent {
        /// The page, as far as the doctor knows it: its origin and `/`.
        page: String,
    },
}

impl Cause {
    /// A short, stable identifier: `no_allow_origin`, `multiple_allow_origins`,
    /// `invalid_allow_origin`, `origin_mismatch`, `wildcard_with_credentials`,
    /// `credentials_not_true`, `preflight_status_not_ok`, `preflight_redirect`,
    /// `private_network_not_allowed`, `invalid_allow_methods`, `invalid_allow_headers`,
    /// `method_not_allowed`, `header_not_allowed`, `authorization_not_covered_by_wildcard` or
    /// `mixed_content`.
    pub fn code(&self) -> &'static str {
        match self {
            Cause::NoAllowOrigin => "no_allow_origin",
            Cause::MultipleAllowOrigins { .. } => "multiple_allow_origins",
            Cause::InvalidAllowOrigin { .. } => "invalid_allow_origin",
            Cause::OriginMismatch { .. } => "origin_mismatch",
            Cause::WildcardWithCredentials => "wildcard_with_credentials",
            Cause::CredentialsNotTrue { .. } => "credentials_not_true",
            Cause::PreflightStatusNotOk { .. } => "preflight_status_not_ok",
            Cause::PreflightRedirect { .. } => "preflight_redirect",
            Cause::PrivateNetworkNotAllowed { .. } => "private_network_not_allowed",
            Cause::InvalidAllowMethods { .. } => "invalid_allow_methods",
            Cause::InvalidAllowHeaders { .. } => "invalid_allow_headers",
            Cause::MethodNotAllowed { .. } => "method_not_allowed",
            Cause::HeaderNotAllowed { .. } => "header_not_allowed",
            Cause::AuthorizationNotCoveredByWildcard => "authorization_not_covered_by_wildcard",
            Cause::MixedContent { .. } => "mixed_content",
        }
    }

    /// The code MDN documents for the reason Firefox gives in its console
    /// (`CORSMissingAllowOrigin`, `CORSMethodNotFound`, ...), each the name of a page under
    /// `https://developer.mozilla.org/docs/Web/HTTP/Guides/CORS/Errors/`; `None` for a block
    /// Firefox does not report as a CORS error (mixed content, Private Network Access).
    ///
    /// ```
    /// use tower_cors_doctor::Cause;
    ///
    /// assert_eq!(Cause::NoAllowOrigin.firefox_code(), Some("CORSMissingAllowOrigin"));
    /// ```
    pub fn firefox_code(&self) -> Option<&'static str> {
        crate::browser::firefox_code(self)
    }

    /// Whether the cause is one of the CORS check's (the ones Chromium reports for a preflight
    /// with "Response to preflight request doesn't pass access control check: ").
    fn is_cors_check(&self) -> bool {
        matches!(
            self,
            Cause::NoAllowOrigin
                | Cause::MultipleAllowOrigins { .. }
                | Cause::InvalidAllowOrigin { .. }
                | Cause::OriginMismatch { .. }
                | Cause::WildcardWithCredentials
                | Cause::CredentialsNotTrue { .. }
        )
    }
}

/// Chromium's words for the cause (`CorsErrorString`, for `fetch()`).
impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::NoAllowOrigin => f.write_str(
                "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
            ),
            Cause::MultipleAllowOrigins { value } => write!(
                f,
                "The 'Access-Control-Allow-Origin' header contains multiple values '{value}', but \
                 only one is allowed."
            ),
            Cause::InvalidAllowOrigin { value } => write!(
                f,
                "The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'."
            ),
            Cause::OriginMismatch { value } => write!(
                f,
                "The 'Access-Control-Allow-Origin' header has a value '{value}' that is not equal \
                 to the supplied origin."
            ),
            Cause::WildcardWithCredentials => f.write_str(
                "The value of the 'Access-Control-Allow-Origin' header in the response must not \
                 be the wildcard '*' when the request's credentials mode is 'include'.",
            ),
            Cause::CredentialsNotTrue { value } => write!(
                f,
                "The value of the 'Access-Control-Allow-Credentials' header in the response is \
                 '{value}' which must be 'true' when the request's credentials mode is 'include'."
            ),
            Cause::PreflightStatusNotOk { .. } => f.write_str("It does not have HTTP ok status."),
            Cause::PreflightRedirect { .. } => {
                f.write_str("Redirect is not allowed for a preflight request.")
            }
            Cause::PrivateNetworkNotAllowed {
                address_space,
                value: None,
            } => write!(
                f,
                "No 'Access-Control-Allow-Private-Network' header was present in the preflight \
                 response for this private network request targeting the `{address_space}` \
                 address space."
            ),
            Cause::PrivateNetworkNotAllowed {
                address_space,
                value: Some(value),
            } => write!(
                f,
                // Chromium's message has the two spaces.
                "The 'Access-Control-Allow-Private-Network' header in the preflight response for \
                 this private network request targeting the `{address_space}` address space had \
                 a value of '{value}',  not 'true'."
            ),
            Cause::InvalidAllowMethods { .. } => f.write_str(
                "Cannot parse Access-Control-Allow-Methods response header field in preflight \
                 response.",
            ),
            Cause::InvalidAllowHeaders { .. } => f.write_str(
                "Cannot parse Access-Control-Allow-Headers response header field in preflight \
                 response.",
            ),
            Cause::MethodNotAllowed { method } => write!(
                f,
                "Method {method} is not allowed by Access-Control-Allow-Methods in preflight \
                 response."
            ),
            Cause::HeaderNotAllowed { header } => write!(
                f,
                "Request header field {header} is not allowed by Access-Control-Allow-Headers in \
                 preflight response."
            ),
            Cause::AuthorizationNotCoveredByWildcard => f.write_str(
                "Request header field authorization is not allowed by \
                 Access-Control-Allow-Headers in preflight response.",
            ),
            Cause::MixedContent { .. } => {
                f.write_str("This request has been blocked; the content must be served over HTTPS.")
            }
        }
    }
}

/// A blocked request: the step that failed, the cause, and the message Chromium prints in the
/// console for a `fetch()`. Its [`Display`](fmt::Display) is that message.
///
/// ```
/// use http::{HeaderMap, StatusCode};
/// use tower_cors_doctor::{judge_actual, Cause, CheckStep, PageRequest};
///
/// let request = PageRequest::new("https://app.example.com", "https://api.example.com/")?;
/// let blocked = judge_actual(&request, StatusCode::OK, &HeaderMap::new()).unwrap_err();
/// assert_eq!(blocked.step(), CheckStep::Actual);
/// assert_eq!(blocked.cause(), &Cause::NoAllowOrigin);
/// assert_eq!(
///     blocked.to_string(),
///     "Access to fetch at 'https://api.example.com/' from origin 'https://app.example.com' has \
///      been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the \
///      requested resource."
/// );
/// # Ok::<(), tower_cors_doctor::RequestError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    step: CheckStep,
    cause: Cause,
    message: String,
}

impl Blocked {
    /// The failure of `step` with `cause`, for `request`.
    pub fn new(request: &PageRequest, step: CheckStep, cause: Cause) -> Self {
        let infix = match step {
            CheckStep::Preflight
                if cause.is_cors_check()
                    || matches!(
                        cause,
                        Cause::PreflightStatusNotOk { .. }
                            | Cause::PreflightRedirect { .. }
                            | Cause::PrivateNetworkNotAllowed { .. }
                    ) =>
            {
                "Response to preflight request doesn't pass access control check: "
            }
            _ => "",
        };
        let message = match &cause {
            // Not a CORS message: Chromium's mixed content checker speaks first.
            Cause::MixedContent { page } => format!(
                "Mixed Content: The page at '{page}' was loaded over HTTPS, but requested an \
                 insecure resource '{}'. {cause}",
                request.url()
            ),
            _ => format!(
                "Access to fetch at '{}' from origin '{}' has been blocked by CORS policy: \
                 {infix}{cause}",
                request.url(),
                request.origin(),
            ),
        };
        Self {
            step,
            cause,
            message,
        }
    }

    /// The step that failed.
    pub fn step(&self) -> CheckStep {
        self.step
    }

    /// Why.
    pub fn cause(&self) -> &Cause {
        &self.cause
    }

    /// The console message: `Access to fetch at 'URL' from origin 'ORIGIN' has been blocked by
    /// CORS policy: ...`.
    pub fn console_message(&self) -> &str {
        &self.message
    }

    /// The console message after `blocked by CORS policy: `: the reason, with the preflight
    /// infix when Chromium writes one (the whole message for mixed content).
    pub fn reason(&self) -> &str {
        self.message
            .split_once("blocked by CORS policy: ")
            .map_or(self.message.as_str(), |(_, reason)| reason)
    }

    /// The block of a request the browser refuses to send at all: `None` when it sends it.
    /// Today that is mixed content: an `https` page fetching an `http` URL whose host is not
    /// loopback (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]` are exempt, as in browsers).
    ///
    /// ```
    /// use tower_cors_doctor::{Blocked, Cause, PageRequest};
    ///
    /// let request = PageRequest::new("https://app.example.com", "http://api.example.com/")?;
    /// let blocked = Blocked::before_sending(&request).unwrap();
    /// assert_eq!(blocked.cause().code(), "mixed_content");
    /// assert_eq!(
    ///     blocked.console_message(),
    ///     "Mixed Content: The page at 'https://app.example.com/' was loaded over HTTPS, but \
    ///      requested an insecure resource 'http://api.example.com/'. This request has been \
    ///      blocked; the content must be served over HTTPS."
    /// );
    /// let local = PageRequest::new("https://app.example.com", "http://localhost:3000/")?;
    /// assert!(Blocked::before_sending(&local).is_none());
    /// # Ok::<(), tower_cors_doctor::RequestError>(())
    /// ```
    pub fn before_sending(request: &PageRequest) -> Option<Self> {
        request.is_mixed_content().then(|| {
            let page = format!("{}/", request.origin());
            Blocked::new(request, CheckStep::Request, Cause::MixedContent { page })
        })
    }
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Blocked {}

/// What a browser keeps from a successful preflight in its preflight cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreflightCache {
    max_age: Duration,
    methods: Vec<String>,
    headers: Vec<String>,
    credentials: bool,
}

impl PreflightCache {
    /// How long Chromium keeps the entry: `Access-Control-Max-Age`, capped at 7200 seconds; 5
    /// seconds when the header is missing or not a number, 0 when it is negative.
    pub fn max_age(&self) -> Duration {
        self.max_age
    }

    /// The methods of `Access-Control-Allow-Methods`, as sent.
    pub fn methods(&self) -> &[String] {
        &self.methods
    }

    /// The header names of `Access-Control-Allow-Headers`, lowercase.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Whether the entry was made for a request with credentials (it then also serves requests
    /// without).
    pub fn credentials(&self) -> bool {
        self.credentials
    }
}

/// Judges a preflight response as Chromium does, in its order: a redirect is refused; then the
/// CORS check (exactly one `Access-Control-Allow-Origin`, `*` only without credentials, else the
/// page's origin byte for byte, and with credentials `Access-Control-Allow-Credentials: true`),
/// whose failure is reported before a status that is not 2xx; then
/// `Access-Control-Allow-Private-Network: true` for a private network request; then
/// `Access-Control-Allow-Methods` and `Access-Control-Allow-Headers`, which must parse as token
/// lists and allow the method (case-sensitive; `GET`, `HEAD` and `POST` always pass) and every
/// CORS-unsafe header (case-insensitive), with `*` counting only without credentials and never
/// for `authorization`.
///
/// ```
/// use http::{HeaderMap, HeaderValue, StatusCode};
/// use tower_cors_doctor::{judge_preflight, Cause, PageRequest};
///
/// let request = PageRequest::new("https://app.example.com", "https://api.example.com/")?
///     .with_method("PATCH")?;
/// let mut headers = HeaderMap::new();
/// headers.insert("access-control-allow-origin", HeaderValue::from_static("https://app.example.com"));
/// headers.insert("access-control-allow-methods", HeaderValue::from_static("GET, PUT"));
/// let blocked = judge_preflight(&request, StatusCode::NO_CONTENT, &headers).unwrap_err();
/// assert_eq!(blocked.cause(), &Cause::MethodNotAllowed { method: "PATCH".into() });
/// assert_eq!(
///     blocked.reason(),
///     "Method PATCH is not allowed by Access-Control-Allow-Methods in preflight response."
/// );
///
/// headers.insert("access-control-allow-methods", HeaderValue::from_static("GET, PATCH"));
/// let cache = judge_preflight(&request, StatusCode::NO_CONTENT, &headers).unwrap();
/// assert_eq!(cache.methods(), ["GET", "PATCH"]);
/// assert_eq!(cache.max_age().as_secs(), 5);
/// # Ok::<(), tower_cors_doctor::RequestError>(())
/// ```
pub fn judge_preflight(
    request: &PageRequest,
    status: StatusCode,
    headers: &HeaderMap,
) -> Result<PreflightCache, Blocked> {
    let blocked = |cause| Blocked::new(request, CheckStep::Preflight, cause);
    if status.is_redirection() {
        if let Some(location) = headers.get(LOCATION) {
            return Err(blocked(Cause::PreflightRedirect {
                status,
                location: String::from_utf8_lossy(location.as_bytes()).into_owned(),
            }));
        }
    }
    cors_check(request, headers).map_err(blocked)?;
    if !status.is_success() {
        return Err(blocked(Cause::PreflightStatusNotOk { status }));
    }
    if request.private_network() {
        let value = get(headers, ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK);
        if value.as_deref() != Some("true") {
            return Err(blocked(Cause::PrivateNetworkNotAllowed {
                address_space: request.address_space(),
                value,
            }));
        }
    }
    let methods_value = get(headers, ACCESS_CONTROL_ALLOW_METHODS.as_str());
    let methods = parse_list(methods_value.as_deref()).ok_or_else(|| {
        blocked(Cause::InvalidAllowMethods {
            value: methods_value.clone().unwrap_or_default(),
        })
    })?;
    let headers_value = get(headers, ACCESS_CONTROL_ALLOW_HEADERS.as_str());
    let allowed_headers: Vec<String> = parse_list(headers_value.as_deref())
        .ok_or_else(|| {
            blocked(Cause::InvalidAllowHeaders {
                value: headers_value.clone().unwrap_or_default(),
            })
        })?
        .into_iter()
        .map(|name| name.to_ascii_lowercase())
        .collect();
    let credentials = request.credentials();
    let method = request.method();
    let method_allowed = is_cors_safelisted_method(method)
        || methods.iter().any(|m| m == method)
        || (!credentials && methods.iter().any(|m| m == "*"));
    if !method_allowed {
        return Err(blocked(Cause::MethodNotAllowed {
            method: method.to_owned(),
        }));
    }
    let wildcard = !credentials && allowed_headers.iter().any(|h| h == "*");
    for name in request.unsafe_header_names() {
        if allowed_headers.contains(&name) {
            continue;
        }
        if wildcard {
            if name == "authorization" {
                return Err(blocked(Cause::AuthorizationNotCoveredByWildcard));
            }
            continue;
        }
        return Err(blocked(Cause::HeaderNotAllowed { header: name }));
    }
    Ok(PreflightCache {
        max_age: max_age(headers),
        methods,
        headers: allowed_headers,
        credentials,
    })
}

/// Judges the actual response as Chromium does: the CORS check (see [`judge_preflight`]), then
/// which response headers script can read. The status does not matter: a 401 or a 500 with the
/// right headers is as readable as a 200. On success, the names of the readable headers present
/// in the response, lowercase and sorted: the CORS-safelisted `cache-control`,
/// `content-language`, `content-length`, `content-type`, `expires`, `last-modified` and
/// `pragma`, and those named by `Access-Control-Expose-Headers` (`*` meaning all of them only
/// without credentials); never `set-cookie`.
///
/// ```
/// use http::{HeaderMap, HeaderValue, StatusCode};
/// use tower_cors_doctor::{judge_actual, Cause, PageRequest};
///
/// let request = PageRequest::new("https://app.example.com", "https://api.example.com/")?
///     .with_credentials(true);
/// let mut headers = HeaderMap::new();
/// headers.insert("access-control-allow-origin", HeaderValue::from_static("https://app.example.com"));
/// headers.insert("content-type", HeaderValue::from_static("text/plain"));
/// headers.insert("x-request-id", HeaderValue::from_static("7"));
/// headers.insert("access-control-expose-headers", HeaderValue::from_static("x-request-id"));
/// let blocked = judge_actual(&request, StatusCode::OK, &headers).unwrap_err();
/// assert_eq!(blocked.cause(), &Cause::CredentialsNotTrue { value: String::new() });
///
/// headers.insert("access-control-allow-credentials", HeaderValue::from_static("true"));
/// let readable = judge_actual(&request, StatusCode::UNAUTHORIZED, &headers).unwrap();
/// assert_eq!(readable, ["content-type", "x-request-id"]);
/// # Ok::<(), tower_cors_doctor::RequestError>(())
/// ```
pub fn judge_actual(
    request: &PageRequest,
    status: StatusCode,
    headers: &HeaderMap,
) -> Result<Vec<String>, Blocked> {
    let _ = status; // The CORS check of an actual response ignores its status.
    cors_check(request, headers)
        .map_err(|cause| Blocked::new(request, CheckStep::Actual, cause))?;
    Ok(readable_headers(request, headers))
}

/// Fetch's CORS check, with Chromium's finer causes for a value that is not the origin.
fn cors_check(request: &PageRequest, headers: &HeaderMap) -> Result<(), Cause> {
    let Some(allow_origin) = get(headers, ACCESS_CONTROL_ALLOW_ORIGIN.as_str()) else {
        return Err(Cause::NoAllowOrigin);
    };
    if allow_origin == "*" {
        if request.credentials() {
            return Err(Cause::WildcardWithCredentials);
        }
        return Ok(());
    }
    if allow_origin != request.origin() {
        let value = allow_origin;
        return Err(if value.contains([' ', ',']) {
            Cause::MultipleAllowOrigins { value }
        } else if value != "null" && !looks_like_url(&value) {
            Cause::InvalidAllowOrigin { value }
        } else {
            Cause::OriginMismatch { value }
        });
    }
    if request.credentials() {
        let value = get(headers, ACCESS_CONTROL_ALLOW_CREDENTIALS.as_str());
        if value.as_deref() != Some("true") {
            return Err(Cause::CredentialsNotTrue {
                value: value.unwrap_or_default(),
            });
        }
    }
    Ok(())
}

/// Whether a value parses as a URL the way Chromium's `GURL` needs it to: a scheme, a colon,
/// and something after it.
fn looks_like_url(value: &str) -> bool {
    match value.split_once(':') {
        Some((scheme, rest)) => {
            !rest.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// A header as Fetch "gets" it: every line, trimmed, joined with `, `; `None` when absent.
pub(crate) fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut lines = headers.get_all(name).iter().peekable();
    lines.peek()?;
    let values: Vec<String> = lines
        .map(|value| {
            String::from_utf8_lossy(value.as_bytes())
                .trim_matches([' ', '\t'])
                .to_owned()
        })
        .collect();
    Some(values.join(", "))
}

/// A `#token` list as browsers parse `Access-Control-Allow-Methods` and `-Headers`: empty
/// elements are skipped, and any element that is not a token fails the whole list.
fn parse_list(value: Option<&str>) -> Option<Vec<String>> {
    let Some(value) = value else {
        return Some(Vec::new());
    };
    let mut items = Vec::new();
    for item in value.split(',') {
        let item = item.trim_matches([' ', '\t']);
        if item.is_empty() {
            continue;
        }
        if !is_token(item.as_bytes()) {
            return None;
        }
        items.push(item.to_owned());
    }
    Some(items)
}

/// Chromium's reading of `Access-Control-Max-Age`.
fn max_age(headers: &HeaderMap) -> Duration {
    let seconds = match get(headers, ACCESS_CONTROL_MAX_AGE.as_str()) {
        None => MAX_AGE_DEFAULT,
        Some(value) => match value.parse::<i64>() {
            Ok(seconds) if seconds < 0 => 0,
            Ok(seconds) => u64::try_from(seconds)
                .unwrap_or(MAX_AGE_CAP)
                .min(MAX_AGE_CAP),
            Err(_) => MAX_AGE_DEFAULT,
        },
    };
    Duration::from_secs(seconds)
}

/// The names of the response headers script can read.
fn readable_headers(request: &PageRequest, headers: &HeaderMap) -> Vec<String> {
    const SAFELISTED: [&str; 7] = [
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    ];
    let exposed: Vec<String> =
        parse_list(get(headers, ACCESS_CONTROL_EXPOSE_HEADERS.as_str()).as_deref())
            .unwrap_or_default()
            .into_iter()
            .map(|name| name.to_ascii_lowercase())
            .collect();
    let all = !request.credentials() && exposed.iter().any(|name| name == "*");
    let mut names: Vec<String> = headers
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name != "set-cookie" && name != "set-cookie2")
        .filter(|name| all || SAFELISTED.contains(&name.as_str()) || exposed.contains(name))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn max_age_is_read_as_chromium_reads_it() {
        assert_eq!(max_age(&headers(&[])).as_secs(), 5);
        assert_eq!(
            max_age(&headers(&[("access-control-max-age", "600")])).as_secs(),
            600
        );
        assert_eq!(
            max_age(&headers(&[("access-control-max-age", "86400")])).as_secs(),
            7200
        );
        assert_eq!(
            max_age(&headers(&[("access-control-max-age", "-1")])).as_secs(),
            0
        );
        assert_eq!(
            max_age(&headers(&[("access-control-max-age", "1h")])).as_secs(),
            5
        );
    }

    #[test]
    fn an_invalid_expose_list_exposes_nothing() {
        let request = PageRequest::new("https://a.example", "https://b.example/").unwrap();
        let response = headers(&[
            ("access-control-allow-origin", "*"),
            ("access-control-expose-headers", "bb-8, no no"),
            ("bb-8", "1"),
        ]);
        assert!(judge_actual(&request, StatusCode::OK, &response)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn star_exposes_everything_but_set_cookie_without_credentials_only() {
        let request = PageRequest::new("https://a.example", "https://b.example/").unwrap();
        let response = headers(&[
            ("access-control-allow-origin", "https://a.example"),
            ("access-control-allow-credentials", "true"),
            ("access-control-expose-headers", "*"),
            ("x-one", "1"),
            ("set-cookie", "a=b"),
        ]);
        let readable = judge_actual(&request, StatusCode::OK, &response).unwrap();
        assert!(readable.contains(&"x-one".to_owned()));
        assert!(!readable.contains(&"set-cookie".to_owned()));
        let credentialed = request.with_credentials(true);
        let readable = judge_actual(&credentialed, StatusCode::OK, &response).unwrap();
        assert!(!readable.contains(&"x-one".to_owned()));
    }
}
