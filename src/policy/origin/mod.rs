//! Origin matching: which request `Origin` values a policy allows.
//!
//! Exact origins sit in a hash set keyed by their bytes, so a lookup costs the same whatever the
//! list's length. Patterns are grouped by scheme and looked up by host or parent domain, one hash
//! lookup per label of the request's host. Regular expressions are compiled into one set. The
//! request's value is compared byte for byte: it is never lowercased or otherwise repaired.

pub(crate) mod entry;
pub(crate) mod hash;
#[cfg(feature = "regex")]
mod prefilter;
mod punycode;
#[cfg(feature = "regex")]
pub(crate) mod regex;
pub(crate) mod serialized;

use std::collections::HashMap;

use http::HeaderValue;

use self::entry::{HostPattern, Pattern, PortPattern};
use self::hash::BuildFastHasher;
use self::serialized::SerializedOrigin;
use crate::bytes_eq::same_bytes;

/// Up to this many exact origins are compared one by one rather than hashed.
const FEW_EXACT: usize = 8;

/// The exact origins, each stored as the value echoed in `Access-Control-Allow-Origin`, which
/// is byte-equal to the request's and saves copying it. While there are few, comparing a
/// handful of lengths, and the bytes of the one that fits, costs less than hashing the origin.
#[derive(Debug)]
enum ExactOrigins {
    Few(Vec<HeaderValue>),
    Many(HashMap<Box<[u8]>, HeaderValue, BuildFastHasher>),
}

impl Default for ExactOrigins {
    fn default() -> Self {
        Self::Few(Vec::new())
    }
}

impl ExactOrigins {
    fn add(&mut self, value: HeaderValue) {
        match self {
            Self::Few(few) if few.contains(&value) => {}
            Self::Few(few) if few.len() < FEW_EXACT => few.push(value),
            Self::Few(few) => {
                let mut many: HashMap<_, _, _> = few
                    .drain(..)
                    .map(|listed| (listed.as_bytes().into(), listed))
                    .collect();
                many.insert(value.as_bytes().into(), value);
                *self = Self::Many(many);
            }
            Self::Many(many) => {
                many.insert(value.as_bytes().into(), value);
            }
        }
    }

    #[inline]
    fn find(&self, origin: &[u8]) -> Option<&HeaderValue> {
        match self {
            Self::Few(few) => few
                .iter()
                .find(|value| same_bytes(value.as_bytes(), origin)),
            Self::Many(many) => many.get(origin),
        }
    }
}

/// The origins a policy allows.
#[derive(Debug, Default)]
pub(crate) struct OriginMatcher {
    any: bool,
    exact: ExactOrigins,
    /// The longest exact origin, the most any origin can be when nothing else can match;
    /// longer values are refused before they are hashed.
    longest_exact: usize,
    patterns: Vec<SchemePatterns>,
    /// Keep wildcards from matching hosts under a public suffix that lies below the wildcard's
    /// domain (`attacker.s3.amazonaws.com` for `**.amazonaws.com`), which anyone can register.
    guard_public_suffixes: bool,
    /// Keep regular expressions from allowing plain-http origins other than loopback, as exact
    /// entries are refused with credentials: a regex is too opaque to check when built.
    #[cfg_attr(not(feature = "regex"), allow(dead_code))]
    guard_insecure_regex_matches: bool,
    #[cfg(feature = "regex")]
    regexes: Option<::regex::RegexSet>,
    /// What an origin must start and end with for some regex to match it, tested first.
    #[cfg(feature = "regex")]
    prefilter: prefilter::Prefilter,
}

/// The result of matching a request's `Origin`.
#[derive(Debug)]
pub(crate) enum OriginMatch<'p> {
    /// The policy allows every origin; answer `*`.
    Any,
    /// Listed exactly; echo this value (equal to the request's).
    Listed(&'p HeaderValue),
    /// Allowed by a pattern or regular expression; echo the request's value.
    Pattern,
    /// Not allowed.
    None,
}

impl OriginMatcher {
    pub(crate) fn allow_any(&mut self) {
        self.any = true;
    }

    pub(crate) fn guard_public_suffixes(&mut self) {
        self.guard_public_suffixes = true;
    }

    pub(crate) fn guard_insecure_regex_matches(&mut self) {
        self.guard_insecure_regex_matches = true;
    }

    pub(crate) fn allows_any(&self) -> bool {
        self.any
    }

    /// Adds a canonical origin (or `null`).
    pub(crate) fn add_exact(&mut self, origin: &str) {
        if let Ok(value) = HeaderValue::from_str(origin) {
            self.longest_exact = self.longest_exact.max(origin.len());
            self.exact.add(value);
        }
    }

    pub(crate) fn add_pattern(&mut self, pattern: Pattern) {
        let index = match self
            .patterns
            .iter()
            .position(|p| *p.scheme == pattern.scheme)
        {
            Some(index) => index,
            None => {
                self.patterns.push(SchemePatterns::new(&pattern.scheme));
                self.patterns.len() - 1
            }
        };
        self.patterns[index].add(pattern.host, pattern.port);
    }

    /// Sets the compiled set of `patterns` (as the user wrote them, unanchored).
    #[cfg(feature = "regex")]
    pub(crate) fn set_regexes(&mut self, regexes: ::regex::RegexSet, patterns: &[String]) {
        self.regexes = Some(regexes);
        self.prefilter =
            prefilter::Prefilter::new(patterns.iter().map(|p| self::regex::anchored(p)));
    }

    /// The longest value this matcher can allow: anything longer is refused by its length.
    fn longest(&self) -> usize {
        if self.patterns.is_empty() && !self.has_regexes() {
            self.longest_exact
        } else {
            serialized::MAX_ORIGIN_LEN
        }
    }

    /// Matches a request's `Origin` value.
    pub(crate) fn find(&self, origin: &HeaderValue) -> OriginMatch<'_> {
        if self.any {
            return OriginMatch::Any;
        }
        // Nothing longer can be an origin, or be allowed; refusing it here keeps hostile values
        // from being hashed or scanned.
        if origin.len() > self.longest() {
            return OriginMatch::None;
        }
        if let Some(value) = self.exact.find(origin.as_bytes()) {
            return OriginMatch::Listed(value);
        }
        // Most origins no regex allows lack the literals every match has: they are refused
        // here, without being parsed or run through the automaton.
        #[cfg(feature = "regex")]
        let regexes = self
            .regexes
            .as_ref()
            .filter(|_| self.prefilter.admits(origin.as_bytes()));
        #[cfg(not(feature = "regex"))]
        let regexes: Option<()> = None;
        if self.patterns.is_empty() && regexes.is_none() {
            return OriginMatch::None;
        }
        let Some(parsed) = SerializedOrigin::parse(origin.as_bytes()) else {
            return OriginMatch::None;
        };
        let guard = self.guard_public_suffixes;
        if self.patterns.iter().any(|p| p.matches(&parsed, guard)) {
            return OriginMatch::Pattern;
        }
        #[cfg(feature = "regex")]
        if let Some(regexes) = regexes {
            let insecure = matches!(parsed.scheme, "http" | "ws") && !is_loopback(parsed.host);
            if insecure && self.guard_insecure_regex_matches {
                return OriginMatch::None;
            }
            if regexes.is_match(parsed.text) {
                return OriginMatch::Pattern;
            }
        }
        OriginMatch::None
    }

    fn has_regexes(&self) -> bool {
        #[cfg(feature = "regex")]
        return self.regexes.is_some();
        #[cfg(not(feature = "regex"))]
        return false;
    }
}

/// Hosts or domains to the ports allowed for them.
type Table = HashMap<Box<str>, Ports, BuildFastHasher>;

/// The patterns of one scheme.
#[derive(Debug)]
struct SchemePatterns {
    scheme: Box<str>,
    /// `scheme://host:*` and `scheme://host:PORT` written with a port pattern.
    hosts: Table,
    /// `scheme://*.domain`: keyed by `domain`.
    one_label: Table,
    /// `scheme://**.domain`: keyed by `domain`.
    any_depth: Table,
    /// How many labels the `any_depth` domains have, so that matching looks up only suffixes
    /// of those lengths: a host of many labels costs one scan, not a lookup per label.
    any_depth_labels: Vec<usize>,
}

impl SchemePatterns {
    fn new(scheme: &str) -> Self {
        Self {
            scheme: scheme.into(),
            hosts: Table::default(),
            one_label: Table::default(),
            any_depth: Table::default(),
            any_depth_labels: Vec::new(),
        }
    }

    fn add(&mut self, host: HostPattern, port: PortPattern) {
        let (map, key) = match host {
            HostPattern::Exact(host) => (&mut self.hosts, host),
            HostPattern::OneLabel(domain) => (&mut self.one_label, domain),
            HostPattern::AnyDepth(domain) => {
                let labels = domain.split('.').count();
                // Sorted, so that the deepest is last.
                if let Err(at) = self.any_depth_labels.binary_search(&labels) {
                    self.any_depth_labels.insert(at, labels);
                }
                (&mut self.any_depth, domain)
            }
        };
        map.entry(key.into_boxed_str()).or_default().add(port);
    }

    fn matches(&self, origin: &SerializedOrigin<'_>, guard_public_suffixes: bool) -> bool {
        if *self.scheme != *origin.scheme {
            return false;
        }
        let host = origin.host;
        let allows =
            |map: &Table, key: &str| map.get(key).is_some_and(|ports| ports.allow(origin.port));
        let wildcard_allows = |map: &Table, domain: &str| {
            allows(map, domain) && !(guard_public_suffixes && under_nested_suffix(host, domain))
        };
        if allows(&self.hosts, host) {
            return true;
        }
        // Bracketed IPv6 hosts have no labels; dotted IPv4 hosts never match a domain pattern
        // because patterns over IP addresses are refused when the policy is built.
        if host.starts_with('[') {
            return false;
        }
        if let Some((_, parent)) = host.split_once('.') {
            if wildcard_allows(&self.one_label, parent) {
                return true;
            }
        }
        any_suffix_at_depths(host, &self.any_depth_labels, |domain| {
            wildcard_allows(&self.any_depth, domain)
        })
    }
}

/// Whether `found` holds for a suffix of `host` that is `depths` labels long (`depths` sorted,
/// ascending), asking shortest first, each suffix with at least one label standing before it:
/// the domains an any-depth wildcard of that depth would have to name. Walks the host from its
/// end once, no further than the deepest depth, and stops at the first `true`.
#[inline]
pub(crate) fn any_suffix_at_depths(
    host: &str,
    depths: &[usize],
    mut found: impl FnMut(&str) -> bool,
) -> bool {
    let deepest = depths.last().copied().unwrap_or(0);
    let mut labels = 0;
    for (i, byte) in host.bytes().enumerate().rev() {
        if labels >= deepest {
            break;
        }
        if byte == b'.' {
            // `host[i + 1..]` has `labels` labels, and at least one more stands before it.
            labels += 1;
            if depths.contains(&labels) && found(&host[i + 1..]) {
                return true;
            }
        }
    }
    false
}

/// `localhost`, `*.localhost` (RFC 6761), 127.0.0.0/8 and `[::1]`: hosts no network attacker
/// can stand in for.
pub(crate) fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `host`'s public suffix lies strictly below `domain`, so that the name just above it
/// is one anyone can register, not a subdomain its owner controls.
fn under_nested_suffix(host: &str, domain: &str) -> bool {
    psl::suffix(host.as_bytes())
        .is_some_and(|suffix| suffix.is_known() && suffix.as_bytes().len() > domain.len())
}

/// The ports a pattern allows.
#[derive(Debug, Default)]
struct Ports {
    any: bool,
    default: bool,
    listed: Vec<u16>,
}

impl Ports {
    fn add(&mut self, port: PortPattern) {
        match port {
            PortPattern::Any => self.any = true,
            PortPattern::Default => self.default = true,
            PortPattern::Port(port) => self.listed.push(port),
        }
    }

    fn allow(&self, port: Option<u16>) -> bool {
        self.any
            || match port {
                None => self.default,
                Some(port) => self.listed.contains(&port),
            }
    }
}

#[cfg(test)]
mod tests {
    use super::entry::{parse_entry, Entry};
    use super::*;

    fn matcher(entries: &[&str]) -> OriginMatcher {
        let mut matcher = OriginMatcher::default();
        for entry in entries {
            match parse_entry(entry).unwrap() {
                Entry::Any => matcher.allow_any(),
                Entry::Null => matcher.add_exact("null"),
                Entry::Exact(origin) => matcher.add_exact(&origin),
                Entry::Pattern(pattern) => matcher.add_pattern(pattern),
            }
        }
        matcher
    }

    fn allowed(matcher: &OriginMatcher, origin: &[u8]) -> bool {
        let value = HeaderValue::from_bytes(origin).unwrap();
        !matches!(matcher.find(&value), OriginMatch::None)
    }

    #[test]
    fn one_label_wildcard_matches_exactly_one_label() {
        let m = matcher(&["https://*.example.com"]);
        assert!(allowed(&m, b"https://a.example.com"));
        assert!(!allowed(&m, b"https://a.b.example.com"));
        assert!(!allowed(&m, b"https://example.com"));
        assert!(!allowed(&m, b"http://a.example.com"));
        assert!(!allowed(&m, b"https://a.example.com:8443"));
        assert!(!allowed(&m, b"https://aexample.com"));
    }

    #[test]
    fn any_depth_wildcard_matches_one_or_more_labels() {
        let m = matcher(&["https://**.example.com"]);
        assert!(allowed(&m, b"https://a.example.com"));
        assert!(allowed(&m, b"https://a.b.c.example.com"));
        assert!(!allowed(&m, b"https://example.com"));
        assert!(!allowed(&m, b"https://a.example.com.evil.net"));
        assert!(!allowed(&m, b"https://evilexample.com"));
    }

    #[test]
    fn any_depth_wildcards_of_several_depths_match_only_their_own_subdomains() {
        let m = matcher(&["https://**.example.com", "https://**.a.example.org"]);
        assert!(allowed(&m, b"https://x.y.a.example.org"));
        assert!(allowed(&m, b"https://x.example.com"));
        assert!(!allowed(&m, b"https://x.example.org"));
        assert!(!allowed(&m, b"https://a.example.org"));
        let deep = format!("https://{}example.net", "a.".repeat(100));
        assert!(!allowed(&m, deep.as_bytes()));
        let deep = format!("https://{}example.com", "a.".repeat(100));
        assert!(allowed(&m, deep.as_bytes()));
    }

    #[test]
    fn port_wildcard_matches_every_port_of_one_host() {
        let m = matcher(&["http://localhost:*"]);
        assert!(allowed(&m, b"http://localhost"));
        assert!(allowed(&m, b"http://localhost:3000"));
        assert!(!allowed(&m, b"https://localhost:3000"));
        assert!(!allowed(&m, b"http://localhost.evil.net:3000"));
        assert!(!allowed(&m, b"http://a.localhost:3000"));
    }
}
