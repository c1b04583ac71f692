//! What the layer decided for a request, and why: the value behind every refusal body and every
//! refusal log event.

use std::fmt;

use bytes::Bytes;
use http::HeaderValue;

/// The two kinds of CORS request (Fetch, "CORS protocol").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CorsRequestKind {
    /// `OPTIONS` with `Origin` and `Access-Control-Request-Method`: answered by the layer itself.
    Preflight,
    /// Any other request with an `Origin`: passed to the inner service, its response decorated.
    Actual,
}

/// The layer's decision for one request.
///
/// ```
/// use http::{HeaderValue, Request};
/// use tower_cors::{CorsDecision, CorsLayer, CorsRequestKind, RefusalReason};
///
/// let layer = CorsLayer::builder()
///     .allow_origins(["https://app.example.com"])
///     .build()?;
/// let request = Request::get("/")
///     .header("origin", "https://evil.example")
///     .body(())?;
/// match layer.decide(&request) {
///     CorsDecision::Refused(refusal) => {
///         assert_eq!(refusal.kind(), CorsRequestKind::Actual);
///         assert!(matches!(refusal.reason(), RefusalReason::OriginNotAllowed { .. }));
///         assert_eq!(refusal.to_string(), r#"origin "https://evil.example" is not allowed"#);
///     }
///     other => panic!("expected a refusal, got {other:?}"),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CorsDecision {
    /// No `Origin` header: not a CORS request. The response still gets `Vary: Origin` when the
    /// policy's answer depends on the origin.
    NotCors,
    /// A CORS request the policy allows.
    Allowed(CorsRequestKind),
    /// A CORS request the policy refuses.
    Refused(Refusal),
}

impl CorsDecision {
    /// Whether the decision is a refusal.
    pub fn is_refused(&self) -> bool {
        matches!(self, CorsDecision::Refused(_))
    }

    /// The refusal, if the request was refused.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            CorsDecision::Refused(refusal) => Some(refusal),
            _ => None,
        }
    }
}

/// A refused CORS request: which kind it was and why it was refused.
///
/// Its [`Display`](fmt::Display) names the offending value and the reason, never the policy's
/// allowlist, so it is safe to send to the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    kind: CorsRequestKind,
    reason: RefusalReason,
    hint: Option<Box<str>>,
}

impl Refusal {
    pub(crate) fn new(kind: CorsRequestKind, reason: RefusalReason) -> Self {
        Self {
            kind,
            reason,
            hint: None,
        }
    }

    pub(crate) fn with_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint.map(String::into_boxed_str);
        self
    }

    /// The near miss behind the refusal, for the developer: the closest allowed origin and how
    /// this one differs (scheme, port, `www.`, loopback spelling, a wildcard one label too
    /// shallow, a regex that matches only part of the origin), the method's case, the header
    /// to add. It may name the allowlist, so it goes to logs, and to the refusal body only in
    /// debug mode.
    ///
    /// Always set by [`CorsLayer::decide`](crate::CorsLayer::decide); on the decision a
    /// response carries, set when the refusal was logged or debug mode is on, since finding
    /// the near miss costs more than the refusal itself.
    ///
    /// ```
    /// use http::Request;
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder().allow_origins(["https://app.example.com"]).build()?;
    /// let request = Request::get("/").header("origin", "http://app.example.com").body(())?;
    /// let decision = layer.decide(&request);
    /// assert_eq!(
    ///     decision.refusal().and_then(|refusal| refusal.hint()),
    ///     Some("closest allowed origin \"https://app.example.com\": the scheme differs: \
    ///           the page is served over http, the entry allows https")
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// Whether the refused request was a preflight or an actual request.
    pub fn kind(&self) -> CorsRequestKind {
        self.kind
    }

    /// Why it was refused.
    pub fn reason(&self) -> &RefusalReason {
        &self.reason
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.reason.fmt(f)
    }
}

/// Why a CORS request was refused, with the offending value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalReason {
    /// The `Origin` is not allowed (or is not an origin at all).
    OriginNotAllowed {
        /// The request's `Origin`, as sent.
        origin: HeaderValue,
    },
    /// The request carries more than one `Origin` header, which no browser sends.
    MultipleOrigins,
    /// The preflight asks for a method the policy does not allow.
    MethodNotAllowed {
        /// The `Access-Control-Request-Method` value, as sent.
        method: HeaderValue,
    },
    /// The preflight asks for a request header the policy does not allow.
    HeaderNotAllowed {
        /// The first header name not allowed, as sent.
        header: String,
    },
    /// `Access-Control-Request-Headers` is too long to be a browser's: more than 4096 bytes
    /// or 16 lines. Reading stops there, so hostile values cost little.
    RequestHeadersTooLong {
        /// The bytes read before reading stopped.
        len: usize,
    },
    /// The preflight asks for private network access, which the policy does not allow.
    PrivateNetworkNotAllowed,
    /// An actual request from an allowed origin carries cookies, so the page sent it with
    /// credentials, but the policy does not allow credentials: the browser will hide the
    /// response whatever the server answers.
    CredentialsNotAllowed,
    /// With cross-origin protection on: an unsafe-method request (not GET, HEAD or OPTIONS)
    /// that a browser sent cross-origin, from an origin the policy does not allow. It was
    /// answered 403 without reaching the inner service.
    CrossOriginRequestForbidden {
        /// The request's `Origin`, as sent; `None` when only `Sec-Fetch-Site` said it was
        /// cross-origin.
        origin: Option<HeaderValue>,
    },
    /// With cross-origin protection on: a WebSocket handshake from another origin that the
    /// policy does not allow (cross-site WebSocket hijacking). It was answered 403 without
    /// reaching the inner service.
    CrossOriginWebSocketForbidden {
        /// The request's `Origin`, as sent; `None` when only `Sec-Fetch-Site` said it was
        /// cross-origin.
        origin: Option<HeaderValue>,
    },
    /// An origin predicate ([`allow_origin_predicate`] or [`allow_origin_async_predicate`])
    /// panicked while judging the origin. The request is refused as if the predicate had said
    /// no (a preflight gets 403, an actual request's response no grant, and cross-origin
    /// protection answers 403), the refusal event is logged at `error`, and the layer goes on
    /// serving.
    ///
    /// [`allow_origin_predicate`]: crate::CorsBuilder::allow_origin_predicate
    /// [`allow_origin_async_predicate`]: crate::CorsBuilder::allow_origin_async_predicate
    PredicateFailed {
        /// The request's `Origin`, as sent.
        origin: HeaderValue,
    },
}

impl RefusalReason {
    /// A short, stable identifier of the reason, for metrics labels and log fields:
    /// `origin_not_allowed`, `multiple_origins`, `method_not_allowed`, `header_not_allowed`,
    /// `request_headers_too_long`, `private_network_not_allowed`, `credentials_not_allowed`,
    /// `cross_origin_request_forbidden`, `cross_origin_websocket_forbidden` or
    /// `predicate_failed`.
    pub fn code(&self) -> &'static str {
        match self {
            RefusalReason::OriginNotAllowed { .. } => "origin_not_allowed",
            RefusalReason::MultipleOrigins => "multiple_origins",
            RefusalReason::MethodNotAllowed { .. } => "method_not_allowed",
            RefusalReason::HeaderNotAllowed { .. } => "header_not_allowed",
            RefusalReason::RequestHeadersTooLong { .. } => "request_headers_too_long",
            RefusalReason::PrivateNetworkNotAllowed => "private_network_not_allowed",
            RefusalReason::CredentialsNotAllowed => "credentials_not_allowed",
            RefusalReason::CrossOriginRequestForbidden { .. } => "cross_origin_request_forbidden",
            RefusalReason::CrossOriginWebSocketForbidden { .. } => {
                "cross_origin_websocket_forbidden"
            }
            RefusalReason::PredicateFailed { .. } => "predicate_failed",
        }
    }
}

impl RefusalReason {
    /// The origin it names, when it names one.
    pub(crate) fn origin(&self) -> Option<&HeaderValue> {
        match self {
            RefusalReason::OriginNotAllowed { origin }
            | RefusalReason::PredicateFailed { origin } => Some(origin),
            RefusalReason::CrossOriginRequestForbidden { origin }
            | RefusalReason::CrossOriginWebSocketForbidden { origin } => origin.as_ref(),
            _ => None,
        }
    }

    /// The reason's `Display` and a newline, as a body, built without the formatting machinery
    /// when that is simple: fixed text costs nothing, and a short printable value is copied
    /// into one buffer of the exact size. `None` when the value needs escaping or cutting,
    /// which `Display` does.
    pub(crate) fn plain_line(&self) -> Option<Bytes> {
        let (before, value, after): (&str, &[u8], &str) =
            match self {
                RefusalReason::OriginNotAllowed { origin } => {
                    ("origin ", origin.as_bytes(), " is not allowed\n")
                }
                RefusalReason::MethodNotAllowed { method } => {
                    ("method ", method.as_bytes(), " is not allowed\n")
                }
                RefusalReason::HeaderNotAllowed { header } => {
                    ("request header ", header.as_bytes(), " is not allowed\n")
                }
                RefusalReason::PredicateFailed { origin } => {
                    ("origin ", origin.as_bytes(), PREDICATE_FAILED_LINE)
                }
                RefusalReason::MultipleOrigins => {
                    return Some(Bytes::from_static(
                        b"the request carries several Origin headers; browsers send one\n",
                    ))
                }
                RefusalReason::RequestHeadersTooLong { .. } => return Some(Bytes::from_static(
                    b"Access-Control-Request-Headers is longer than a browser sends (over 4096 \
                      bytes or 16 lines)\n",
                )),
                RefusalReason::PrivateNetworkNotAllowed => {
                    return Some(Bytes::from_static(
                        b"private network access is not allowed\n",
                    ))
                }
                RefusalReason::CredentialsNotAllowed => {
                    return Some(Bytes::from_static(
                        b"credentialed requests (with cookies) are not allowed\n",
                    ))
                }
                // The others go through `Display`.
                _ => return None,
            };
        let shown = &value[..value.len().min(Quoted::LIMIT)];
        // Branch-free, so that the check runs over many bytes at once.
        let plain = shown.iter().fold(true, |plain, &b| {
            plain & (b.wrapping_sub(b' ') <= b'~' - b' ') & (b != b'"') & (b != b'\\')
        });
        if !plain {
            return None;
        }
        // What `Quoted` adds after a value it cut: " (cut at 256 of N bytes)".
        let mut digits = [0u8; 20];
        let mut cut_len = 0;
        if value.len() > Quoted::LIMIT {
            let mut n = value.len();
            let mut at = digits.len();
            while n > 0 || at == digits.len() {
                at -= 1;
                digits[at] = b'0' + (n % 10) as u8;
                n /= 10;
            }
            cut_len = digits.len() - at;
            digits.copy_within(at.., 0);
        }
        const CUT: (&str, &str) = (" (cut at 256 of ", " bytes)");
        let note_len = match cut_len {
            0 => 0,
            n => CUT.0.len() + n + CUT.1.len(),
        };
        let mut line = Vec::with_capacity(before.len() + shown.len() + 2 + note_len + after.len());
        line.extend_from_slice(before.as_bytes());
        line.push(b'"');
        line.extend_from_slice(shown);
        line.push(b'"');
        if cut_len > 0 {
            line.extend_from_slice(CUT.0.as_bytes());
            line.extend_from_slice(&digits[..cut_len]);
            line.extend_from_slice(CUT.1.as_bytes());
        }
        line.extend_from_slice(after.as_bytes());
        // Length equals capacity, so the buffer becomes the body without another allocation.
        Some(Bytes::from(line))
    }
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefusalReason::OriginNotAllowed { origin } => {
                write!(f, "origin {} is not allowed", Quoted(origin.as_bytes()))
            }
            RefusalReason::MultipleOrigins => {
                f.write_str("the request carries several Origin headers; browsers send one")
            }
            RefusalReason::MethodNotAllowed { method } => {
                write!(f, "method {} is not allowed", Quoted(method.as_bytes()))
            }
            RefusalReason::HeaderNotAllowed { header } => {
                write!(
                    f,
                    "request header {} is not allowed",
                    Quoted(header.as_bytes())
                )
            }
            RefusalReason::RequestHeadersTooLong { .. } => f.write_str(
                "Access-Control-Request-Headers is longer than a browser sends (over 4096 bytes \
                 or 16 lines)",
            ),
            RefusalReason::PrivateNetworkNotAllowed => {
                f.write_str("private network access is not allowed")
            }
            RefusalReason::CredentialsNotAllowed => {
                f.write_str("credentialed requests (with cookies) are not allowed")
            }
            RefusalReason::CrossOriginRequestForbidden { origin } => {
                f.write_str("cross-origin request ")?;
                write_from(f, origin.as_ref())?;
                f.write_str(" is forbidden")
            }
            RefusalReason::CrossOriginWebSocketForbidden { origin } => {
                f.write_str("cross-origin WebSocket handshake ")?;
                write_from(f, origin.as_ref())?;
                f.write_str(" is forbidden")
            }
            RefusalReason::PredicateFailed { origin } => {
                write!(f, "origin {}", Quoted(origin.as_bytes()))?;
                f.write_str(PREDICATE_FAILED_LINE.trim_end())
            }
        }
    }
}

/// What follows the origin in a `predicate_failed` refusal, with the body's newline. It says that
/// the server failed, and nothing of how: the panic's message goes to the panic hook, not to
/// the client.
const PREDICATE_FAILED_LINE: &str = " could not be checked: the origin predicate failed\n";

/// Where a cross-origin request came from: its origin, or only `Sec-Fetch-Site` if it has none.
fn write_from(f: &mut fmt::Formatter<'_>, origin: Option<&HeaderValue>) -> fmt::Result {
    match origin {
        Some(origin) => write!(f, "from origin {}", Quoted(origin.as_bytes())),
        None => f.write_str("without an Origin header (Sec-Fetch-Site says cross-origin)"),
    }
}

/// A request value in double quotes, with control and non-UTF-8 bytes escaped and anything past
/// 256 bytes cut, so that hostile values can neither forge lines nor fill logs.
pub(crate) struct Quoted<'a>(pub(crate) &'a [u8]);

impl Quoted<'_> {
    /// Bytes shown before the value is cut.
    const LIMIT: usize = 256;
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const LIMIT: usize = Quoted::LIMIT;
        let shown = &self.0[..self.0.len().min(LIMIT)];
        f.write_str("\"")?;
        // Runs of printable ASCII are written whole; every other byte is escaped, so that what
        // is shown is exactly what was sent.
        let mut start = 0;
        for (i, &byte) in shown.iter().enumerate() {
            if PLAIN[usize::from(byte)] {
                continue;
            }
            f.write_str(ascii(&shown[start..i]))?;
            match byte {
                b'"' => f.write_str("\\\"")?,
                b'\\' => f.write_str("\\\\")?,
                _ => write!(f, "\\x{byte:02x}")?,
            }
            start = i + 1;
        }
        f.write_str(ascii(&shown[start..]))?;
        f.write_str("\"")?;
        if self.0.len() > LIMIT {
            write!(f, " (cut at {LIMIT} of {} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

/// Bytes written as they are: printable ASCII but the quote and the backslash.
static PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = b' ';
    while b <= b'~' {
        table[b as usize] = b != b'"' && b != b'\\';
        b += 1;
    }
    table
};

/// Printable ASCII bytes as text.
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{Quoted, RefusalReason};
    use http::HeaderValue;

    #[test]
    fn a_plain_refusal_line_is_the_reasons_display() {
        let value = |text: &str| HeaderValue::from_str(text).unwrap();
        let long = "a".repeat(300);
        let reasons = [
            RefusalReason::OriginNotAllowed {
                origin: value("https://evil.example"),
            },
            RefusalReason::OriginNotAllowed {
                origin: value("https://a\"b.example"),
            },
            RefusalReason::OriginNotAllowed {
                origin: value(&format!("https://{long}.example")),
            },
            RefusalReason::MethodNotAllowed {
                method: value("PATCH"),
            },
            RefusalReason::HeaderNotAllowed {
                header: "x-custom".into(),
            },
            RefusalReason::HeaderNotAllowed {
                header: "x\u{1}y".into(),
            },
            RefusalReason::MultipleOrigins,
            RefusalReason::RequestHeadersTooLong { len: 5000 },
            RefusalReason::PrivateNetworkNotAllowed,
            RefusalReason::CredentialsNotAllowed,
            RefusalReason::PredicateFailed {
                origin: value("https://tenant.example"),
            },
        ];
        let mut direct = 0;
        for reason in reasons {
            if let Some(line) = reason.plain_line() {
                assert_eq!(&line[..], format!("{reason}\n").as_bytes(), "{reason:?}");
                direct += 1;
            }
        }
        // Lines with escapes go through `Display`; the rest, cut ones too, are written directly.
        assert_eq!(direct, 9);
    }

    #[test]
    fn quoted_escapes_hostile_bytes() {
        assert_eq!(
            Quoted(b"https://a.example").to_string(),
            "\"https://a.example\""
        );
        assert_eq!(Quoted(b"a\"b\\c").to_string(), r#""a\"b\\c""#);
        assert_eq!(Quoted(b"a\nb\xffc").to_string(), r#""a\x0ab\xffc""#);
        assert_eq!(Quoted("é".as_bytes()).to_string(), r#""\xc3\xa9""#);
        let long = vec![b'a'; 300];
        assert!(Quoted(&long)
            .to_string()
            .ends_with("(cut at 256 of 300 bytes)"));
    }
}
