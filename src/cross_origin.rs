//! Cross-origin protection: what CORS cannot stop. CORS decides what a page may *read*; a
//! browser still *sends* a cross-site form post, a `no-cors` fetch or a WebSocket handshake,
//! with the user's cookies, and the handler runs. With the protection on, such requests from
//! origins the policy does not allow are answered 403 here, before the inner service.
//!
//! "Cross-origin" is judged as Go's `net/http.CrossOriginProtection` judges it: `Sec-Fetch-Site`
//! first, then `Origin` against the request's host; safe methods and requests with neither
//! header (non-browser clients) pass. WebSocket handshakes, which browsers send as a GET without
//! any CORS check, are judged too.

use http::header::{HeaderMap, HeaderName, HeaderValue, HOST, ORIGIN, UPGRADE};
use http::{Method, Request, Uri};

use crate::config::CorsConfig;
use crate::config::{key, keys};
use crate::decision::RefusalReason;
use crate::error::{At, ConfigError, ConfigErrorKind as Kind};
use crate::warning::ConfigWarning;

const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");
const EXEMPT_KEY: &str = key::cross_origin_exempt_paths;
const KEY: &str = key::cross_origin_protection;

/// The protection of a policy that turned it on: the path prefixes it leaves alone.
#[derive(Debug, Default)]
pub(crate) struct Protection {
    exempt: Vec<Box<str>>,
}

impl Protection {
    /// Whether `path` is at or below an exempt prefix, segment by segment. A path with dot
    /// segments is never exempt: a router that resolves `/hooks/../admin` would otherwise
    /// serve `/admin` unprotected.
    fn exempts(&self, path: &str) -> bool {
        !self.exempt.is_empty()
            && !has_dot_segment(path)
            && self.exempt.iter().any(|prefix| covers(prefix, path))
    }
}

fn covers(prefix: &str, path: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || prefix.ends_with('/'))
}

fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|segment| {
        let segment = segment.to_ascii_lowercase();
        matches!(
            segment.as_str(),
            "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e."
        )
    })
}

/// What the protection looks at: unsafe methods, and WebSocket handshakes.
#[derive(Clone, Copy, Debug)]
enum Guarded {
    Request,
    WebSocket,
}

fn guarded(method: &Method, headers: &HeaderMap) -> Option<Guarded> {
    match *method {
        Method::GET => is_websocket(headers).then_some(Guarded::WebSocket),
        Method::HEAD | Method::OPTIONS => None,
        _ => Some(Guarded::Request),
    }
}

/// Whether `Upgrade` names the WebSocket protocol (RFC 6455: a case-insensitive token).
fn is_websocket(headers: &HeaderMap) -> bool {
    headers.get_all(UPGRADE).iter().any(|value| {
        value.as_bytes().split(|&b| b == b',').any(|protocol| {
            let name = protocol.split(|&b| b == b'/').next().unwrap_or_default();
            name.trim_ascii().eq_ignore_ascii_case(b"websocket")
        })
    })
}

/// Whether a browser sent this request from another origin. `Sec-Fetch-Site` decides when
/// present; otherwise (older browsers, and Chromium's WebSocket handshakes) `Origin` is compared
/// with the host the request was sent to. Neither header: not a browser, not cross-origin.
fn is_cross_origin(headers: &HeaderMap, uri: &Uri) -> bool {
    match sec_fetch_site(headers) {
        None | Some(b"") => {}
        Some(b"same-origin" | b"none") => return false,
        // `same-site` and `cross-site`, and anything a future browser may add.
        Some(_) => return true,
    }
    let mut origins = headers.get_all(ORIGIN).iter();
    match (origins.next(), origins.next()) {
        (None, _) => false,
        (Some(origin), None) => !same_host(origin.as_bytes(), headers, uri),
        (Some(_), Some(_)) => true,
    }
}

/// `Sec-Fetch-Site`, as one value. Browsers send one line (Fetch Metadata Request Headers,
/// section 2.4); several, which a proxy that merged headers or a line added on the way would
/// make, read as `cross-site`, so that no first line can vouch for the request.
pub(crate) fn sec_fetch_site(headers: &HeaderMap) -> Option<&[u8]> {
    let mut lines = headers.get_all(SEC_FETCH_SITE).iter();
    match (lines.next(), lines.next()) {
        (None, _) => None,
        (Some(line), None) => Some(line.as_bytes()),
        (Some(_), Some(_)) => Some(b"cross-site"),
    }
}

/// Whether the origin's host and port are those the request was addressed to: `Host`, and the
/// URI's authority (HTTP/2 and HTTP/3 requests carry `:authority` and usually no `Host`). When
/// a request has both, the origin must be both: a `Host` that disagrees with `:authority` (which
/// RFC 9113, section 8.3.1, forbids a client to send) makes the request cross-origin, whichever
/// of the two the application reads. `null` never is.
fn same_host(origin: &[u8], headers: &HeaderMap, uri: &Uri) -> bool {
    let Some(start) = origin.windows(3).position(|window| window == b"://") else {
        return false;
    };
    let (scheme, authority) = (&origin[..start], &origin[start + 3..]);
    let host = headers.get(HOST).map(HeaderValue::as_bytes);
    let target = uri.authority().map(|target| target.as_str().as_bytes());
    match (host, target) {
        (None, None) => false,
        (Some(host), None) => same_authority(scheme, authority, host),
        (None, Some(target)) => same_authority(scheme, authority, target),
        (Some(host), Some(target)) => {
            same_authority(scheme, authority, host) && same_authority(scheme, authority, target)
        }
    }
}

/// Whether an origin of `scheme` and `authority` names the server at `host` (a `Host` value or
/// a URI's authority).
fn same_authority(scheme: &[u8], authority: &[u8], host: &[u8]) -> bool {
    if authority.eq_ignore_ascii_case(host) {
        return true;
    }
    // Browsers leave the default port out of `Origin`; a client may still write it in `Host`.
    let default_port: &[u8] = match scheme {
        b"https" | b"wss" => b":443",
        b"http" | b"ws" => b":80",
        _ => return false,
    };
    host.len() == authority.len() + default_port.len()
        && host[..authority.len()].eq_ignore_ascii_case(authority)
        && host[authority.len()..] == *default_port
}

/// A request the protection must judge by its origin: an unsafe-method request or a WebSocket
/// handshake that a browser sent cross-origin, to a path that is not exempt.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Suspect<'a> {
    guarded: Guarded,
    /// The first `Origin`, if any.
    origin: Option<&'a HeaderValue>,
    /// Whether there are several `Origin` lines, which no browser sends.
    several: bool,
}

impl<'a> Suspect<'a> {
    /// The request's one `Origin`, which the policy may allow; `None` when there is none, or
    /// several.
    #[inline]
    pub(crate) fn origin(&self) -> Option<&'a HeaderValue> {
        self.origin.filter(|_| !self.several)
    }

    /// Why the protection refuses it.
    #[inline]
    pub(crate) fn refusal(&self) -> RefusalReason {
        let origin = self.origin.cloned();
        match self.guarded {
            Guarded::Request => RefusalReason::CrossOriginRequestForbidden { origin },
            Guarded::WebSocket => RefusalReason::CrossOriginWebSocketForbidden { origin },
        }
    }
}

/// `request`, when the protection must judge it by its origin.
#[inline]
pub(crate) fn suspect<'a, B>(
    protection: &Protection,
    request: &'a Request<B>,
) -> Option<Suspect<'a>> {
    let headers = request.headers();
    let guarded = guarded(request.method(), headers)?;
    if !is_cross_origin(headers, request.uri()) || protection.exempts(request.uri().path()) {
        return None;
    }
    let mut origins = headers.get_all(ORIGIN).iter();
    let origin = origins.next();
    Some(Suspect {
        guarded,
        origin,
        several: origins.next().is_some(),
    })
}

/// Checks the protection's settings: every exempt path (whether or not the protection is on,
/// since a wrong value is wrong either way), and `*` origins with the protection on. The
/// protection, when it is on and the settings are valid.
pub(crate) fn check_config(
    config: &CorsConfig,
    errors: &mut Vec<ConfigError>,
) -> Option<Protection> {
    let before = errors.len();
    let mut exempt = Vec::new();
    for (i, raw) in config.cross_origin_exempt_paths.iter().enumerate() {
        let path = raw.trim();
        if path.is_empty() {
            continue;
        }
        match exempt_path_problem(path) {
            Some((problem, fix)) => errors.push(ConfigError::new(
                Kind::InvalidExemptPath,
                At::entry(EXEMPT_KEY, i),
                Some(raw),
                problem,
                fix,
            )),
            None => exempt.push(Box::from(path)),
        }
    }
    if config.cross_origin_protection && config.allowed_origins.iter().any(|o| o.trim() == "*") {
        errors.push(ConfigError::new(
            Kind::CrossOriginProtectionWithAnyOrigin,
            KEY,
            Some("true"),
            "with \"*\" origins every page is allowed, so the protection would refuse nothing",
            "list the origins of your frontends in allowed_origins instead of \"*\", or turn \
             cross_origin_protection off",
        ));
    }
    (config.cross_origin_protection && errors.len() == before).then_some(Protection { exempt })
}

/// What is wrong with an exempt path prefix, and the fix.
fn exempt_path_problem(path: &str) -> Option<(&'static str, String)> {
    if let Some(start) = path.find("://") {
        let rest = &path[start + 3..];
        let only_path = rest.find('/').map_or("/", |slash| &rest[slash..]);
        return Some((
            "an exempt path is a path prefix, not a URL",
            format!("write only its path, as {only_path:?}"),
        ));
    }
    if !path.starts_with('/') {
        return Some((
            "a path prefix must start with /",
            format!("write it as {:?}", format!("/{path}")),
        ));
    }
    if let Some(end) = path.find(['?', '#']) {
        return Some((
            "a path prefix has no query or fragment: requests are matched on their path",
            format!("write it as {:?}", &path[..end]),
        ));
    }
    if let Some(end) = path.find('*') {
        let prefix = path[..end].trim_end_matches('/');
        let prefix = if prefix.is_empty() { "/" } else { prefix };
        return Some((
            "patterns are not supported: a prefix already covers every path below it",
            format!("write it as {prefix:?}"),
        ));
    }
    if path == "/" {
        return Some((
            "\"/\" exempts every path, which turns the protection off",
            "list the paths that must accept cross-origin requests, such as \"/hooks\", or \
             turn cross_origin_protection off"
                .to_owned(),
        ));
    }
    if path
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        || has_dot_segment(path)
    {
        return Some((
            "a path prefix has no spaces, control characters or dot segments",
            "write the path as browsers send it, percent-encoded".to_owned(),
        ));
    }
    None
}

/// Warnings about the protection: off while cookies are allowed, or exempt paths that do
/// nothing.
pub(crate) fn advise(config: &CorsConfig, warnings: &mut Vec<ConfigWarning>) {
    if config.allow_credentials && !config.cross_origin_protection {
        warnings.push(ConfigWarning::new(
            KEY,
            Some("false"),
            "CORS alone does not stop cross-site form posts with cookies: a page on any site \
             can still submit a form or a no-cors fetch to this server with its users' \
             cookies, and the handler runs",
            format!(
                "set {}, or check a CSRF token in every handler that changes state",
                keys::setting(key::cross_origin_protection, "true")
            ),
        ));
    }
    if !config.cross_origin_protection
        && config
            .cross_origin_exempt_paths
            .iter()
            .any(|path| !path.trim().is_empty())
    {
        warnings.push(ConfigWarning::new(
            EXEMPT_KEY,
            None,
            "exempt paths do nothing while cross_origin_protection is off",
            "set cross_origin_protection = true, or remove them",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exempt_prefixes_cover_whole_segments() {
        let protection = Protection {
            exempt: vec!["/hooks".into(), "/sso/".into()],
        };
        assert!(protection.exempts("/hooks"));
        assert!(protection.exempts("/hooks/stripe"));
        assert!(!protection.exempts("/hooksmith"));
        assert!(protection.exempts("/sso/callback"));
        assert!(!protection.exempts("/sso"));
        assert!(!protection.exempts("/hooks/../admin"));
        assert!(!protection.exempts("/hooks/%2E%2E/admin"));
    }

    #[test]
    fn websocket_upgrade_is_a_case_insensitive_token() {
        let mut headers = HeaderMap::new();
        headers.insert(UPGRADE, HeaderValue::from_static("h2c, WebSocket"));
        assert!(is_websocket(&headers));
        headers.insert(UPGRADE, HeaderValue::from_static("websockets"));
        assert!(!is_websocket(&headers));
    }
}
