//! The cookies a cross-site page will not get back: the check behind the layer's runtime
//! warning (target `tower_cors::runtime`) about a cookie set on a credentialed cross-site
//! response without `SameSite=None; Secure`, for a test or a tool that checks a response the
//! same way.
//!
//! Browsers treat a cookie without a `SameSite` attribute as `SameSite=Lax`, and send a `Lax` or
//! `Strict` cookie only on requests from the same site, a site being a registrable domain (the
//! public-suffix list's `domain + 1`): a page on `app.example.com` calling `api.example.com`
//! still gets it; a page on `app.example.net` does not, so every call after logging in looks
//! logged out. Only `SameSite=None` with `Secure` travels cross-site.
//!
//! ```
//! use http::{header::SET_COOKIE, HeaderMap, HeaderValue};
//! use tower_cors::cookie::{is_same_site, kept_same_site};
//!
//! let mut headers = HeaderMap::new();
//! headers.append(SET_COOKIE, HeaderValue::from_static("theme=dark; SameSite=None; Secure"));
//! headers.append(SET_COOKIE, HeaderValue::from_static("session=1; HttpOnly"));
//! assert_eq!(kept_same_site(&headers).as_deref(), Some("session"));
//!
//! let api = HeaderValue::from_static("api.example.com");
//! assert!(is_same_site(&HeaderValue::from_static("https://app.example.com"), &api));
//! assert!(!is_same_site(&HeaderValue::from_static("https://app.example.net"), &api));
//! ```

use http::header::{HeaderMap, HeaderValue, SET_COOKIE};

use crate::policy::origin::serialized::SerializedOrigin;

/// Whether the page's `origin` (as a browser sends it in `Origin`) and the server's `host` (a
/// `Host` header's value, with or without a port) are the same site, the same registrable
/// domain, where `SameSite=Lax` cookies still travel. An IP address is a site of its own. The
/// scheme is not compared: a server does not know the scheme it was reached by.
pub fn is_same_site(origin: &HeaderValue, host: &HeaderValue) -> bool {
    let Some(origin) = SerializedOrigin::parse(origin.as_bytes()) else {
        return false;
    };
    let host = host.as_bytes();
    // The host without its port (an IPv6 literal keeps its brackets).
    let host = match host.iter().rposition(|&b| b == b':') {
        Some(colon) if !host[colon..].contains(&b']') => &host[..colon],
        _ => host,
    };
    let host = host.to_ascii_lowercase();
    // IP addresses are their own site; the suffix list would read `10.0.0.1` as a domain.
    let is_ip = |name: &[u8]| {
        name.starts_with(b"[")
            || std::str::from_utf8(name)
                .is_ok_and(|name| name.parse::<std::net::Ipv4Addr>().is_ok())
    };
    if is_ip(origin.host.as_bytes()) || is_ip(&host) {
        return origin.host.as_bytes() == host.as_slice();
    }
    let site = |name: &[u8]| psl::domain(name).map(|domain| domain.as_bytes().to_vec());
    match (site(origin.host.as_bytes()), site(&host)) {
        (Some(a), Some(b)) => a == b,
        _ => origin.host.as_bytes() == host.as_slice(),
    }
}

/// The name of the first cookie `headers` set (`Set-Cookie`) that a browser will not send back
/// on cross-site requests: one without both `SameSite=None` and `Secure` (browsers default to
/// `SameSite=Lax`). `None` when every cookie set travels cross-site, or none is set.
pub fn kept_same_site(headers: &HeaderMap) -> Option<String> {
    headers.get_all(SET_COOKIE).iter().find_map(|value| {
        let text = String::from_utf8_lossy(value.as_bytes());
        let mut parts = text.split(';');
        let name = parts
            .next()
            .unwrap_or_default()
            .split('=')
            .next()
            .unwrap_or_default();
        let (mut none, mut secure) = (false, false);
        for attribute in parts {
            let attribute = attribute.trim();
            secure |= attribute.eq_ignore_ascii_case("secure");
            none |= attribute.split_once('=').is_some_and(|(key, value)| {
                key.trim().eq_ignore_ascii_case("samesite")
                    && value.trim().eq_ignore_ascii_case("none")
            });
        }
        (!(none && secure)).then(|| name.trim().to_owned())
    })
}
