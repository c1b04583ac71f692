//! The configuration side: reading one `allowed_origins` entry. Entries must already be spelled
//! the way browsers serialize origins, because matching is byte-exact; an entry that is an origin
//! spelled differently is refused with the spelling that would work.

use std::fmt::Write as _;
use std::net::Ipv6Addr;

use super::punycode::{self, AsciiHost};
use super::serialized::{default_port, is_lowercase_label, is_lowercase_scheme, SerializedOrigin};

/// Longest entry worth reading: a 64-byte scheme, `://`, `**.`, a 253-byte host and `:65535`.
const MAX_ENTRY_LEN: usize = 64 + 3 + 3 + 255 + 6;

/// One parsed, canonical `allowed_origins` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    /// `*`: every origin.
    Any,
    /// `null`: the opaque origin.
    Null,
    /// One origin, canonical (`https://app.example.com:8443`).
    Exact(String),
    /// A subdomain or port pattern.
    Pattern(Pattern),
}

/// `scheme://[*. | **.]host[:port | :*]` with at least one wildcard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pattern {
    pub(crate) scheme: String,
    pub(crate) host: HostPattern,
    pub(crate) port: PortPattern,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HostPattern {
    /// This host only.
    Exact(String),
    /// Exactly one label below this domain (`*.`).
    OneLabel(String),
    /// One or more labels below this domain (`**.`).
    AnyDepth(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PortPattern {
    /// The scheme's default port (no port in the origin).
    Default,
    /// Any port, the default one included.
    Any,
    Port(u16),
}

impl Pattern {
    /// The host's domain when the pattern covers subdomains.
    pub(crate) fn wildcard_domain(&self) -> Option<&str> {
        match &self.host {
            HostPattern::Exact(_) => None,
            HostPattern::OneLabel(domain) | HostPattern::AnyDepth(domain) => Some(domain),
        }
    }

    pub(crate) fn host_name(&self) -> &str {
        match &self.host {
            HostPattern::Exact(host)
            | HostPattern::OneLabel(host)
            | HostPattern::AnyDepth(host) => host,
        }
    }
}

impl Entry {
    /// The entry's scheme and host (or wildcard domain), for the security checks.
    pub(crate) fn scheme_and_host(&self) -> Option<(&str, &str)> {
        match self {
            Entry::Any | Entry::Null => None,
            Entry::Exact(origin) => SerializedOrigin::parse(origin.as_bytes())
                .map(|origin| (origin.scheme, origin.host)),
            Entry::Pattern(pattern) => Some((&pattern.scheme, pattern.host_name())),
        }
    }
}

/// Why an entry was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EntryError {
    /// Not an origin or pattern at all.
    Invalid { problem: String, fix: String },
    /// An origin, but not spelled as browsers send it; `canonical` is the spelling that works.
    NonCanonical {
        problems: Vec<String>,
        canonical: String,
    },
    /// A `file://` origin.
    File,
}

fn invalid(problem: impl Into<String>, fix: impl Into<String>) -> EntryError {
    EntryError::Invalid {
        problem: problem.into(),
        fix: fix.into(),
    }
}

const WILDCARD_FIX: &str = "a wildcard is a whole leftmost label: \"https://*.example.com\" for one \
                            label, \"https://**.example.com\" for any depth, \"http://localhost:*\" \
                            for any port";

/// Parses one entry, refusing anything that is not canonical.
pub(crate) fn parse_entry(raw: &str) -> Result<Entry, EntryError> {
    let mut problems = Vec::new();
    let entry = parse_lenient(raw, &mut problems)?;
    if problems.is_empty() {
        return Ok(entry);
    }
    let canonical = match &entry {
        Entry::Any => "*".to_owned(),
        Entry::Null => "null".to_owned(),
        Entry::Exact(origin) => origin.clone(),
        Entry::Pattern(pattern) => pattern_to_string(pattern),
    };
    Err(EntryError::NonCanonical {
        problems,
        canonical,
    })
}

fn pattern_to_string(pattern: &Pattern) -> String {
    let mut out = format!("{}://", pattern.scheme);
    match &pattern.host {
        HostPattern::Exact(host) => out.push_str(host),
        HostPattern::OneLabel(domain) => {
            let _ = write!(out, "*.{domain}");
        }
        HostPattern::AnyDepth(domain) => {
            let _ = write!(out, "**.{domain}");
        }
    }
    match pattern.port {
        PortPattern::Default => {}
        PortPattern::Any => out.push_str(":*"),
        PortPattern::Port(port) => {
            let _ = write!(out, ":{port}");
        }
    }
    out
}

/// Reads the entry as leniently as is safe, noting every way it differs from the canonical
/// spelling in `problems`.
fn parse_lenient(raw: &str, problems: &mut Vec<String>) -> Result<Entry, EntryError> {
    let s = raw.trim();
    if s.len() != raw.len() {
        problems.push("it has surrounding whitespace".to_owned());
    }
    if s.is_empty() {
        return Err(invalid(
            "an empty entry is not an origin",
            "remove it, or write an origin such as \"https://app.example.com\"",
        ));
    }
    if s == "*" {
        return Ok(Entry::Any);
    }
    if s.eq_ignore_ascii_case("null") {
        if s != "null" {
            problems.push("browsers send the opaque origin as lowercase \"null\"".to_owned());
        }
        return Ok(Entry::Null);
    }
    if s.len() > MAX_ENTRY_LEN {
        return Err(invalid(
            format!("it is {} bytes long, longer than any origin", s.len()),
            "write an origin: scheme://host[:port]",
        ));
    }
    let Some((scheme_raw, rest)) = s.split_once("://") else {
        let host = s.trim_start_matches(['/', ':']);
        let fix = if host.is_empty() || host.contains(['/', ':', ' ']) {
            "write an origin: scheme://host[:port], such as \"https://app.example.com\"".to_owned()
        } else {
            format!("an origin starts with its scheme; write \"https://{host}\"")
        };
        return Err(invalid("it has no scheme followed by \"://\"", fix));
    };
    let scheme = scheme_raw.to_ascii_lowercase();
    if !is_lowercase_scheme(&scheme) {
        return Err(invalid(
            format!("{scheme_raw:?} is not a URL scheme"),
            "write an origin: scheme://host[:port], such as \"https://app.example.com\"",
        ));
    }
    if scheme != scheme_raw {
        problems.push("browsers send the scheme in lowercase".to_owned());
    }
    if scheme == "file" {
        return Err(EntryError::File);
    }

    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match tail.as_bytes().first() {
        None => {}
        Some(b'/') => problems.push("an origin has no path".to_owned()),
        Some(b'?') => problems.push("an origin has no query".to_owned()),
        Some(_) => problems.push("an origin has no fragment".to_owned()),
    }
    let authority = match authority.rsplit_once('@') {
        Some((_, host_port)) => {
            problems.push("an origin has no user information".to_owned());
            host_port
        }
        None => authority,
    };

    let (host_raw, port_raw) = split_host_port(authority)?;
    let port = parse_port(&scheme, port_raw, problems)?;
    let host = parse_host(host_raw, problems)?;

    Ok(match (host, port) {
        (HostPattern::Exact(host), PortPattern::Default) => {
            Entry::Exact(format!("{scheme}://{host}"))
        }
        (HostPattern::Exact(host), PortPattern::Port(port)) => {
            Entry::Exact(format!("{scheme}://{host}:{port}"))
        }
        (host, port) => Entry::Pattern(Pattern { scheme, host, port }),
    })
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), EntryError> {
    if authority.starts_with('[') {
        let Some(close) = authority.find(']') else {
            return Err(invalid(
                "the IPv6 address has no closing \"]\"",
                "write an IPv6 origin as \"http://[::1]:8080\"",
            ));
        };
        let (host, rest) = authority.split_at(close + 1);
        return match rest.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if rest.is_empty() => Ok((host, None)),
            None => Err(invalid(
                format!("{rest:?} follows the IPv6 address"),
                "write an IPv6 origin as \"http://[::1]:8080\"",
            )),
        };
    }
    Ok(match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

fn parse_port(
    scheme: &str,
    port: Option<&str>,
    problems: &mut Vec<String>,
) -> Result<PortPattern, EntryError> {
    let Some(port) = port else {
        return Ok(PortPattern::Default);
    };
    if port == "*" {
        return Ok(PortPattern::Any);
    }
    if port.is_empty() {
        problems.push("an empty port is left out".to_owned());
        return Ok(PortPattern::Default);
    }
    let number = port
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| port.parse::<u32>().ok())
        .flatten()
        .filter(|n| (1..=65535).contains(n));
    let Some(number) = number else {
        return Err(invalid(
            format!("port {port:?} is not a number from 1 to 65535"),
            "write a port from 1 to 65535, or \":*\" for any port",
        ));
    };
    let number = number as u16;
    if port.starts_with('0') {
        problems.push("browsers write the port without leading zeros".to_owned());
    }
    if default_port(scheme) == Some(number) {
        problems.push(format!(
            "browsers leave out the default port {number} of {scheme}"
        ));
        return Ok(PortPattern::Default);
    }
    Ok(PortPattern::Port(number))
}

fn parse_host(raw: &str, problems: &mut Vec<String>) -> Result<HostPattern, EntryError> {
    if raw.is_empty() {
        return Err(invalid(
            "it has no host",
            "write an origin: scheme://host[:port], such as \"https://app.example.com\"",
        ));
    }
    if let Some(inner) = raw.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return parse_ipv6(inner, problems).map(HostPattern::Exact);
    }
    let (wrap, domain_raw): (fn(String) -> HostPattern, &str) =
        if let Some(domain) = raw.strip_prefix("**.") {
            (HostPattern::AnyDepth, domain)
        } else if let Some(domain) = raw.strip_prefix("*.") {
            (HostPattern::OneLabel, domain)
        } else {
            (HostPattern::Exact, raw)
        };
    let wildcard = domain_raw.len() != raw.len();
    if domain_raw.contains('*') || raw == "*" || raw == "**" {
        return Err(invalid(
            format!("{raw:?} has a wildcard that is not a whole leftmost label"),
            WILDCARD_FIX,
        ));
    }

    let mut domain = if domain_raw.is_ascii() {
        if domain_raw.bytes().any(|b| b.is_ascii_uppercase()) {
            problems.push("browsers send the host in lowercase".to_owned());
        }
        domain_raw.to_ascii_lowercase()
    } else {
        match punycode::to_ascii_host(domain_raw) {
            AsciiHost::Mapped(ascii) => {
                problems.push(
                    "browsers map full-width characters and capitals to plain lowercase \
                     ASCII (UTS #46)"
                        .to_owned(),
                );
                ascii
            }
            AsciiHost::Punycode(ascii) => {
                problems.push(
                    "browsers send internationalized hosts in punycode (check the spelling \
                     below against the Origin your browser sends)"
                        .to_owned(),
                );
                ascii
            }
            AsciiHost::Unknown => {
                return Err(invalid(
                    format!(
                        "host {domain_raw:?} has characters that browsers map or reject \
                         before sending it (UTS #46), so its ASCII spelling is not known here"
                    ),
                    "write the host in the ASCII (xn--) form the browser sends: copy it from \
                     the Origin request header in the browser's network panel",
                ))
            }
        }
    };
    if domain.len() > 1 && domain.ends_with('.') {
        problems.push(
            "a trailing dot makes another origin than the one browsers send for the usual spelling"
                .to_owned(),
        );
        domain.pop();
    }
    if domain.len() > 253 || !domain.split('.').all(is_lowercase_label) {
        return Err(invalid(
            format!("{domain_raw:?} is not a valid host name"),
            "a host is dot-separated labels of letters, digits, '-' and '_', each 1 to 63 long",
        ));
    }
    if ends_in_number(&domain) {
        if wildcard {
            return Err(invalid(
                format!("{raw:?} puts a wildcard before an IP address"),
                "wildcards cover subdomains of a domain name; list each address instead",
            ));
        }
        // Leading zeros are refused without a suggestion: browsers read such numbers as octal.
        domain = canonical_ipv4(&domain).ok_or_else(|| {
            invalid(
                format!("{domain:?} is not an IPv4 address in the dotted form browsers send"),
                "write the address as four decimal numbers from 0 to 255 without leading \
                 zeros, like \"127.0.0.1\"",
            )
        })?;
    }
    Ok(wrap(domain))
}

/// The URL standard parses a host whose last label is numeric as an IPv4 address.
fn ends_in_number(domain: &str) -> bool {
    let last = domain.rsplit('.').next().unwrap_or(domain);
    !last.is_empty()
        && (last.bytes().all(|b| b.is_ascii_digit())
            || last
                .strip_prefix("0x")
                .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit())))
}

fn canonical_ipv4(domain: &str) -> Option<String> {
    let parts: Vec<&str> = domain.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (octet, part) in octets.iter_mut().zip(&parts) {
        let leading_zero = part.len() > 1 && part.starts_with('0');
        if part.is_empty() || leading_zero || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *octet = part.parse().ok()?;
    }
    Some(std::net::Ipv4Addr::from(octets).to_string())
}

fn parse_ipv6(inner: &str, problems: &mut Vec<String>) -> Result<String, EntryError> {
    if inner.contains('%') {
        return Err(invalid(
            format!("[{inner}] has a zone identifier, which origins never carry"),
            "remove the \"%zone\" part",
        ));
    }
    let address: Ipv6Addr = inner.parse().map_err(|_| {
        invalid(
            format!("[{inner}] is not an IPv6 address"),
            "write an IPv6 origin as \"http://[::1]:8080\"",
        )
    })?;
    let canonical = format!("[{}]", serialize_ipv6(address));
    if canonical[1..canonical.len() - 1] != *inner {
        problems.push("browsers write IPv6 addresses in their shortest lowercase form".to_owned());
    }
    Ok(canonical)
}

/// The URL standard's IPv6 serializer: lowercase hex pieces, the first longest run of two or
/// more zero pieces written as `::`. Unlike `Ipv6Addr`'s `Display`, it never writes an embedded
/// IPv4 address.
fn serialize_ipv6(address: Ipv6Addr) -> String {
    let pieces = address.segments();
    let (mut best_start, mut best_len) = (usize::MAX, 1);
    let mut i = 0;
    while i < 8 {
        let start = i;
        while i < 8 && pieces[i] == 0 {
            i += 1;
        }
        if i - start > best_len {
            (best_start, best_len) = (start, i - start);
        }
        i += 1;
    }
    let mut out = String::with_capacity(39);
    let mut i = 0;
    while i < 8 {
        if i == best_start {
            out.push_str(if i == 0 { "::" } else { ":" });
            i += best_len;
            continue;
        }
        let _ = write!(out, "{:x}", pieces[i]);
        if i < 7 {
            out.push(':');
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical_of(raw: &str) -> String {
        match parse_entry(raw) {
            Err(EntryError::NonCanonical { canonical, .. }) => canonical,
            other => panic!("{raw:?}: expected a non-canonical error, got {other:?}"),
        }
    }

    #[test]
    fn canonical_entries_parse() {
        assert_eq!(
            parse_entry("https://app.example.com"),
            Ok(Entry::Exact("https://app.example.com".into()))
        );
        assert_eq!(
            parse_entry("http://[::1]:8080"),
            Ok(Entry::Exact("http://[::1]:8080".into()))
        );
        assert_eq!(
            parse_entry("https://*.example.com"),
            Ok(Entry::Pattern(Pattern {
                scheme: "https".into(),
                host: HostPattern::OneLabel("example.com".into()),
                port: PortPattern::Default,
            }))
        );
        assert_eq!(
            parse_entry("https://**.example.com:*"),
            Ok(Entry::Pattern(Pattern {
                scheme: "https".into(),
                host: HostPattern::AnyDepth("example.com".into()),
                port: PortPattern::Any,
            }))
        );
        assert_eq!(
            parse_entry("http://localhost:*"),
            Ok(Entry::Pattern(Pattern {
                scheme: "http".into(),
                host: HostPattern::Exact("localhost".into()),
                port: PortPattern::Any,
            }))
        );
    }

    #[test]
    fn non_canonical_entries_show_the_canonical_spelling() {
        let cases = [
            ("https://app.example.com/", "https://app.example.com"),
            ("HTTPS://App.Example.COM", "https://app.example.com"),
            ("https://app.example.com:443", "https://app.example.com"),
            (
                "http://app.example.com:80/path?q#f",
                "http://app.example.com",
            ),
            ("https://user:pw@app.example.com", "https://app.example.com"),
            (" https://app.example.com ", "https://app.example.com"),
            ("https://app.example.com.", "https://app.example.com"),
            (
                "https://app.example.com:08080",
                "https://app.example.com:8080",
            ),
            ("https://bücher.example", "https://xn--bcher-kva.example"),
            ("http://[0:0:0:0:0:0:0:1]:8080", "http://[::1]:8080"),
            ("http://[::ffff:1.2.3.4]", "http://[::ffff:102:304]"),
            ("HTTP://*.Example.com:*", "http://*.example.com:*"),
        ];
        for (raw, canonical) in cases {
            assert_eq!(canonical_of(raw), canonical, "{raw:?}");
        }
    }

    #[test]
    fn invalid_entries_are_refused() {
        for raw in [
            "",
            "app.example.com",
            "https//app.example.com",
            "https://",
            "https://*",
            "https://*example.com",
            "https://app.*.example.com",
            "https://***.example.com",
            "https://*.127.0.0.1",
            "https://0x7f.1",
            "http://010.0.0.1",
            "http://127.000.0.1:3000",
            "https://app.example.com:0",
            "https://app.example.com:65536",
            "https://app.example.com:port",
            "https://app_example com",
            "https://app..example.com",
            "http://[::1",
            "http://[fe80::1%eth0]",
            "ht tp://app.example.com",
        ] {
            assert!(
                matches!(parse_entry(raw), Err(EntryError::Invalid { .. })),
                "{raw:?}: {:?}",
                parse_entry(raw)
            );
        }
        assert_eq!(parse_entry("file:///home/me"), Err(EntryError::File));
    }

    #[test]
    fn ipv6_serializer_follows_the_url_standard() {
        let cases = [
            ("::1", "::1"),
            ("::", "::"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
            ("fe80::", "fe80::"),
        ];
        for (input, expected) in cases {
            assert_eq!(serialize_ipv6(input.parse().unwrap()), expected);
        }
    }
}
