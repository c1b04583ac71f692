//! The request side: reading an `Origin` header value as a serialized origin, exactly as browsers
//! write one (Fetch, "serializing a request origin"). Anything else is not an origin and matches no
//! pattern; the value is never lowercased or otherwise repaired.

/// Longest accepted `Origin`: a 64-byte scheme, `://`, a 253-byte host and `:65535`, with room for
/// IPv6 brackets. Longer values cannot be origins and are refused without being scanned.
pub(crate) const MAX_ORIGIN_LEN: usize = 64 + 3 + 255 + 6;

/// A serialized origin's parts, borrowed from the header value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SerializedOrigin<'a> {
    pub(crate) scheme: &'a str,
    pub(crate) host: &'a str,
    pub(crate) port: Option<u16>,
}

impl<'a> SerializedOrigin<'a> {
    /// Parses `scheme "://" host [ ":" port ]` with a lowercase scheme and host, no default port
    /// and nothing after the port. Returns `None` for anything a conforming browser would not send.
    pub(crate) fn parse(value: &'a [u8]) -> Option<Self> {
        if value.len() > MAX_ORIGIN_LEN {
            return None;
        }
        let value = std::str::from_utf8(value).ok()?;
        let (scheme, rest) = value.split_once("://")?;
        if !is_lowercase_scheme(scheme) {
            return None;
        }
        let (host, port) = split_host_port(rest)?;
        if !is_lowercase_host(host) {
            return None;
        }
        let port = match port {
            None => None,
            Some(port) => {
                let port = parse_port(port)?;
                if default_port(scheme) == Some(port) {
                    return None;
                }
                Some(port)
            }
        };
        Some(Self { scheme, host, port })
    }
}

/// The port browsers leave out for a scheme (the URL standard's special schemes).
pub(crate) fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// RFC 3986 scheme syntax, lowercase only: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
pub(crate) fn is_lowercase_scheme(scheme: &str) -> bool {
    let bytes = scheme.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().all(|&b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.')
        })
}

/// Splits `host[:port]`, keeping IPv6 brackets on the host. `None` when nothing sensible splits.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, rest) = authority.split_at(close + 1);
        match rest.strip_prefix(':') {
            Some(port) => Some((host, Some(port))),
            None if rest.is_empty() => Some((host, None)),
            None => None,
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => Some((host, Some(port))),
            None => Some((authority, None)),
        }
    }
}

/// A lowercase DNS-style host (letters, digits, `-`, `_`, non-empty dot-separated labels) or a
/// bracketed IPv6 address in lowercase hex.
fn is_lowercase_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'a'..=b'f' | b':' | b'.'));
    }
    !host.is_empty() && host.len() <= 253 && host.split('.').all(is_lowercase_label)
}

/// One DNS label as browsers serialize it: 1 to 63 of `a-z`, `0-9`, `-`, `_`.
pub(crate) fn is_lowercase_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A port as browsers serialize it: 1 to 65535, decimal, no leading zero.
fn parse_port(port: &str) -> Option<u16> {
    let bytes = port.as_bytes();
    if bytes.is_empty()
        || bytes.len() > 5
        || bytes[0] == b'0'
        || !bytes.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    port.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::SerializedOrigin;

    fn parse(s: &str) -> Option<(String, String, Option<u16>)> {
        SerializedOrigin::parse(s.as_bytes())
            .map(|o| (o.scheme.to_owned(), o.host.to_owned(), o.port))
    }

    #[test]
    fn accepts_what_browsers_send() {
        assert_eq!(
            parse("https://app.example.com"),
            Some(("https".into(), "app.example.com".into(), None))
        );
        assert_eq!(
            parse("http://localhost:3000"),
            Some(("http".into(), "localhost".into(), Some(3000)))
        );
        assert_eq!(
            parse("http://[::1]:8080"),
            Some(("http".into(), "[::1]".into(), Some(8080)))
        );
        assert_eq!(
            parse("chrome-extension://abcdefghijklmnop"),
            Some(("chrome-extension".into(), "abcdefghijklmnop".into(), None))
        );
    }

    #[test]
    fn refuses_what_browsers_never_send() {
        for value in [
            "",
            "null",
            "https://",
            "https://app.example.com/",
            "https://app.example.com:443",
            "http://app.example.com:80",
            "https://App.example.com",
            "HTTPS://app.example.com",
            "https://app.example.com.",
            "https://app..example.com",
            "https://.example.com",
            "https://user@app.example.com",
            "https://app.example.com:0",
            "https://app.example.com:08080",
            "https://app.example.com:65536",
            "https://app.example.com:",
            "https://app.example.com?x",
            "https://app.example.com#x",
            "https://app example.com",
            "https://app.example.com, https://other.example.com",
            "https://[::1",
            "https://[::1]x",
            "//app.example.com",
            "app.example.com",
            "https://xn--bcher-kva.example\u{0}",
        ] {
            assert_eq!(parse(value), None, "{value:?}");
        }
        assert_eq!(SerializedOrigin::parse(b"https://\xff.example"), None);
        let long = format!("https://{}.example", "a".repeat(400));
        assert_eq!(parse(&long), None);
    }
}
