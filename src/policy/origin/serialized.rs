//! The request side: reading an `Origin` header value as a serialized origin, exactly as browsers
//! write one (Fetch, "serializing a request origin"). Anything else is not an origin and matches no
//! pattern; the value is never lowercased or otherwise repaired.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Longest accepted `Origin`: a 64-byte scheme, `://`, a 253-byte host and `:65535`, with room for
/// IPv6 brackets. Longer values cannot be origins and are refused without being scanned.
pub(crate) const MAX_ORIGIN_LEN: usize = 64 + 3 + 255 + 6;

/// A serialized origin's parts, borrowed from the header value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SerializedOrigin<'a> {
    /// The whole value.
    pub(crate) text: &'a str,
    pub(crate) scheme: &'a str,
    pub(crate) host: &'a str,
    pub(crate) port: Option<u16>,
}

impl SerializedOrigin<'_> {
    /// Whether this is an origin of the web a server may be asked to trust: scheme `http` or
    /// `https`, and a host that is an IP address or a host name whose labels start and end with
    /// a letter or digit (RFC 1123, section 2.1). Stricter than [`parse`](Self::parse), which
    /// takes what browsers send for any URL: they send `https://-x.example.com` too, since the
    /// URL standard checks hyphens only when asked to be strict.
    pub(crate) fn is_web_origin(&self) -> bool {
        matches!(self.scheme, "http" | "https")
            && (self.host.starts_with('[')
                || self.host.split('.').all(|label| {
                    let bytes = label.as_bytes();
                    let edge = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
                    edge(bytes.first()) && edge(bytes.last())
                }))
    }
}

impl<'a> SerializedOrigin<'a> {
    /// Parses `scheme "://" host [ ":" port ]` with a lowercase scheme and host, no default port
    /// and nothing after the port. Returns `None` for anything a conforming browser would not send.
    ///
    /// One pass over the bytes: this runs for every request a pattern or regex has to judge.
    pub(crate) fn parse(value: &'a [u8]) -> Option<Self> {
        if value.len() > MAX_ORIGIN_LEN || !value.is_ascii() {
            return None;
        }
        // ASCII, so one conversion serves every part; `get` keeps slicing panic-free.
        let text = std::str::from_utf8(value).ok()?;
        // Nearly every origin is https or http: known schemes skip the scan for the scheme's end.
        let scheme_len = if value.starts_with(b"https://") {
            5
        } else if value.starts_with(b"http://") {
            4
        } else {
            let len = value
                .iter()
                .position(|&b| !is_scheme_byte(b))
                .unwrap_or(value.len());
            if len == 0 || len > 64 || !value[0].is_ascii_lowercase() {
                return None;
            }
            len
        };
        let scheme = text.get(..scheme_len)?;
        let rest = text.get(scheme_len..)?.strip_prefix("://")?;
        let bytes = rest.as_bytes();
        let host_len = if bytes.first() == Some(&b'[') {
            let close = bytes.iter().position(|&b| b == b']')?;
            // Browsers write an IPv6 address in lowercase hex pieces, never with an embedded
            // IPv4 part (URL standard, "IPv6 serializer"); `[.]` or `[:]` is no address at all.
            let inner = rest.get(1..close)?;
            let hex = |b: u8| b.is_ascii_digit() || matches!(b, b'a'..=b'f' | b':');
            if !inner.bytes().all(hex) || inner.parse::<Ipv6Addr>().is_err() {
                return None;
            }
            close + 1
        } else {
            let (len, last_label) = dns_host_len(bytes)?;
            // A host whose last label is a number is an IPv4 address to the URL standard
            // ("ends in a number checker"), which browsers send as four decimal numbers:
            // `https://999` or `https://1.2.3.256` is never an origin.
            if ends_in_number(&bytes[last_label..len]) && rest[..len].parse::<Ipv4Addr>().is_err() {
                return None;
            }
            len
        };
        let port = match &bytes[host_len..] {
            [] => None,
            [b':', digits @ ..] => {
                let port = parse_port(digits)?;
                if default_port(scheme) == Some(port) {
                    return None;
                }
                Some(port)
            }
            _ => return None,
        };
        Some(Self {
            text,
            scheme,
            host: rest.get(..host_len)?,
            port,
        })
    }
}

fn is_scheme_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.')
}

/// The length of the lowercase DNS-style host at the start of `rest` (up to a `:` or the end):
/// non-empty labels of `a-z`, `0-9`, `-`, `_`, each at most 63 long, 253 in all. With it, where
/// its last label starts.
fn dns_host_len(rest: &[u8]) -> Option<(usize, usize)> {
    let mut label = 0;
    let mut last_label = 0;
    for (i, &b) in rest.iter().enumerate() {
        if HOST_BYTE[usize::from(b)] && label < 63 {
            label += 1;
        } else if b == b'.' && label > 0 {
            label = 0;
            last_label = i + 1;
        } else if b == b':' {
            return (label > 0 && i <= 253).then_some((i, last_label));
        } else {
            return None;
        }
    }
    (label > 0 && rest.len() <= 253).then_some((rest.len(), last_label))
}

/// Whether a host's last label makes it an IPv4 address to the URL standard: digits, or `0x`
/// and hex digits (lowercase here, as the host is).
fn ends_in_number(label: &[u8]) -> bool {
    match label {
        [b'0', b'x', hex @ ..] => hex.iter().all(u8::is_ascii_hexdigit),
        _ => label.iter().all(u8::is_ascii_digit),
    }
}

/// The bytes of a label, as a table: most of an origin is host, one load per byte.
static HOST_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_');
        b += 1;
    }
    table
};

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

/// One DNS label as browsers serialize it: 1 to 63 of `a-z`, `0-9`, `-`, `_`.
pub(crate) fn is_lowercase_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A port as browsers serialize it: 1 to 65535, decimal, no leading zero.
fn parse_port(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() || digits.len() > 5 || digits[0] == b'0' {
        return None;
    }
    let mut port: u32 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        port = port * 10 + u32::from(b - b'0');
    }
    u16::try_from(port).ok()
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
    fn accepts_ip_addresses_as_browsers_write_them() {
        for (value, host) in [
            ("https://1.2.3.4", "1.2.3.4"),
            ("http://127.0.0.1:8080", "127.0.0.1"),
            ("https://[2001:db8::1]", "[2001:db8::1]"),
            ("https://[::]:8443", "[::]"),
            // Not an IPv4 address: the last label is not a number.
            ("https://1.2.3.4x", "1.2.3.4x"),
            ("https://app.0x1g", "app.0x1g"),
        ] {
            let parsed = SerializedOrigin::parse(value.as_bytes());
            assert_eq!(parsed.map(|o| o.host), Some(host), "{value:?}");
        }
    }

    #[test]
    fn web_origins_are_http_or_https_with_a_valid_host() {
        let web = |value: &str| {
            SerializedOrigin::parse(value.as_bytes()).map(|origin| origin.is_web_origin())
        };
        for value in [
            "https://app.example.com",
            "http://localhost:3000",
            "https://a-b.example.com",
            "https://my_shop.example.com",
            "https://xn--bcher-kva.example",
            "https://1.2.3.4",
            "http://[::1]:8080",
        ] {
            assert_eq!(web(value), Some(true), "{value:?}");
        }
        for value in [
            "file://x",
            "ws://app.example.com",
            "chrome-extension://abcdefghijklmnop",
            "https://-",
            "https://-app.example.com",
            "https://app-.example.com",
            "https://app.-.com",
            "https://_",
            "https://_app.example.com",
        ] {
            assert_eq!(web(value), Some(false), "{value:?}");
        }
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
            "https://[]",
            "https://[.]",
            "https://[:]",
            "https://[::1::]",
            "https://[1:2:3:4:5:6:7:8:9]",
            "https://[::ffff:1.2.3.4]",
            "https://[::1%25eth0]",
            "https://999",
            "https://999:8080",
            "https://app.example.42",
            "https://1.2.3.256",
            "https://1.2.3",
            "https://01.2.3.4",
            "https://0x7f.0.0.1",
            "https://app.0x",
            "https://app.0x1f",
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
