//! Hints for refusals: the near miss a developer is looking for when a browser blocks a request.
//! Only refusals pay for them, and only when someone will read them (a log event that is enabled,
//! debug mode, or [`CorsLayer::decide`](crate::CorsLayer::decide)). What hints compare against
//! is parsed and compiled once per policy, on the first hint, and the search for a misspelling
//! is bounded, so that refused requests stay cheap whatever the allowlist's size.

mod index;

pub(crate) use index::HintIndex;

use crate::config::CorsConfig;
use crate::config::{key, keys};
use crate::decision::RefusalReason;
use crate::headers::is_token;
use crate::policy::origin::entry::{HostPattern, PortPattern};
use crate::policy::origin::serialized::{default_port, SerializedOrigin};

/// The hint for `reason` under the policy configured by `config`, when there is one.
pub(crate) fn hint(
    config: &CorsConfig,
    index: &HintIndex,
    reason: &RefusalReason,
) -> Option<String> {
    match reason {
        RefusalReason::OriginNotAllowed { origin } => origin_hint(index, origin.as_bytes()),
        RefusalReason::MethodNotAllowed { method } => Some(method_hint(
            config,
            &String::from_utf8_lossy(method.as_bytes()),
        )),
        RefusalReason::HeaderNotAllowed { header } => Some(header_hint(config, header)),
        RefusalReason::PrivateNetworkNotAllowed => Some(format!(
            "the page asks to reach this server on a more private network (a public site \
             calling localhost or a LAN address); if that is intended, set {}",
            keys::setting(key::allow_private_network, "true")
        )),
        RefusalReason::CredentialsNotAllowed => Some(
            "the request carries cookies, so the page fetched with credentials: 'include', but \
             allow_credentials is false, so the browser will hide the response; set \
             allow_credentials = true (with origins listed, not `*`), or fetch without \
             credentials"
                .to_owned(),
        ),
        RefusalReason::CrossOriginRequestForbidden { origin }
        | RefusalReason::CrossOriginWebSocketForbidden { origin } => {
            let near = origin
                .as_ref()
                .and_then(|o| origin_hint(index, o.as_bytes()));
            Some(protection_hint(near))
        }
        RefusalReason::PredicateFailed { .. } => Some(
            "the origin predicate panicked on this origin (the panic hook reported its message), \
             so the request was refused; make the predicate return false when it cannot decide, \
             a failing lookup included"
                .to_owned(),
        ),
        RefusalReason::MultipleOrigins | RefusalReason::RequestHeadersTooLong { .. } => Some(
            "no browser sends this: a proxy in front of the server may merge or duplicate \
                 headers, or the client is not a browser"
                .to_owned(),
        ),
    }
}

/// One way a refused origin differs from an allowlist entry.
enum Difference {
    Scheme {
        sent: String,
        allowed: String,
    },
    Port {
        sent: Option<u16>,
        allowed: PortPattern,
    },
    Www,
    Loopback {
        sent: String,
        allowed: String,
    },
    OneLabelTooDeep {
        domain: String,
    },
    Apex {
        domain: String,
    },
}

impl Difference {
    fn describe(&self, scheme: &str) -> String {
        let port = |port: Option<u16>| match (port, default_port(scheme)) {
            (Some(port), _) => port.to_string(),
            (None, Some(default)) => format!("the default {default}"),
            (None, None) => "no port".to_owned(),
        };
        match self {
            Difference::Scheme { sent, allowed } => format!(
                "the scheme differs: the page is served over {sent}, the entry allows {allowed}"
            ),
            Difference::Port { sent, allowed } => match allowed {
                PortPattern::Port(allowed) => format!(
                    "the port differs: the page runs on {}, the entry allows {allowed} (write \
                     `:*` to allow any port)",
                    port(*sent)
                ),
                _ => format!(
                    "the port differs: the page runs on {}, the entry allows only the default \
                     port (write `:*` to allow any port)",
                    port(*sent)
                ),
            },
            Difference::Www => {
                "`www.` differs: with and without `www.` are different origins; list both"
                    .to_owned()
            }
            Difference::Loopback { sent, allowed } => format!(
                "{sent} and {allowed} are different origins to a browser, though both are this \
                 machine; list both, or open the page as {allowed}"
            ),
            Difference::OneLabelTooDeep { domain } => format!(
                "`*.{domain}` matches exactly one label below {domain}; this host is deeper: \
                 write `**.{domain}` to allow any depth"
            ),
            Difference::Apex { domain } => format!(
                "a wildcard matches subdomains of {domain}, never {domain} itself; list it too"
            ),
        }
    }
}

/// How `host` relates to the entry's host pattern: `Some(None)` when it matches, `Some(Some(d))`
/// when it is a recognisable near miss, `None` when it is unrelated.
fn host_difference(host: &str, pattern: &HostPattern) -> Option<Option<Difference>> {
    const LOOPBACK: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];
    match pattern {
        HostPattern::Exact(allowed) if allowed == host => Some(None),
        HostPattern::Exact(allowed) => {
            if host.strip_prefix("www.") == Some(allowed.as_str())
                || allowed.strip_prefix("www.") == Some(host)
            {
                Some(Some(Difference::Www))
            } else if LOOPBACK.contains(&host) && LOOPBACK.contains(&allowed.as_str()) {
                Some(Some(Difference::Loopback {
                    sent: host.to_owned(),
                    allowed: allowed.clone(),
                }))
            } else {
                None
            }
        }
        HostPattern::OneLabel(domain) | HostPattern::AnyDepth(domain) => {
            if host == domain {
                return Some(Some(Difference::Apex {
                    domain: domain.clone(),
                }));
            }
            let below = host.strip_suffix(domain.as_str())?.strip_suffix('.')?;
            match pattern {
                HostPattern::OneLabel(_) if below.contains('.') => {
                    Some(Some(Difference::OneLabelTooDeep {
                        domain: domain.clone(),
                    }))
                }
                _ => Some(None),
            }
        }
    }
}

/// The closest `allowed_origins` entry and how the origin differs from it, or what a regex
/// almost matched.
fn origin_hint(index: &HintIndex, origin: &[u8]) -> Option<String> {
    if origin == b"null" {
        return Some(
            "the page has an opaque origin, which browsers send as `null`: a file:// page, a \
             sandboxed iframe, a data: URL or a redirect across origins; serve the page over \
             http(s) from an allowed origin (allowing `null` would allow any page that makes \
             itself opaque; dangerously_allow_null_origin exists for those who accept that)"
                .to_owned(),
        );
    }
    let Some(sent) = SerializedOrigin::parse(origin) else {
        return Some(
            "this is not an origin as browsers write it (scheme://host[:port], lowercase, no \
             path, no default port); the client is not a browser, or a proxy rewrote the header"
                .to_owned(),
        );
    };
    let mut best: Option<(&str, Vec<Difference>)> = None;
    for (raw, pattern) in index
        .related(sent.host)
        .into_iter()
        .map(|i| &index.patterns[i])
    {
        let Some(host) = host_difference(sent.host, &pattern.host) else {
            continue;
        };
        let mut differences: Vec<Difference> = host.into_iter().collect();
        if pattern.scheme != sent.scheme {
            differences.insert(
                0,
                Difference::Scheme {
                    sent: sent.scheme.to_owned(),
                    allowed: pattern.scheme.clone(),
                },
            );
        }
        let port_matches = match pattern.port {
            PortPattern::Any => true,
            PortPattern::Default => sent.port.is_none(),
            PortPattern::Port(port) => sent.port == Some(port),
        };
        // Between default ports, a scheme change says it all (http and https differ in their
        // default ports anyway); an explicit port on either side is worth naming.
        let explicit = sent.port.is_some() || !matches!(pattern.port, PortPattern::Default);
        if !port_matches && (pattern.scheme == sent.scheme || explicit) {
            differences.push(Difference::Port {
                sent: sent.port,
                allowed: pattern.port,
            });
        }
        if differences.is_empty() {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|(_, fewest)| differences.len() < fewest.len())
        {
            best = Some((raw, differences));
        }
    }
    if let Some((entry, differences)) = best {
        let described: Vec<String> = differences
            .iter()
            .map(|difference| difference.describe(sent.scheme))
            .collect();
        return Some(format!(
            "closest allowed origin {entry:?}: {}",
            described.join("; ")
        ));
    }
    if sent.port.is_some() {
        if let Some(hint) = regex_hint(index, origin) {
            return Some(hint);
        }
    }
    spelling_hint(index, origin)
}

/// The listed origin spelled almost like this one: a typo in the configuration or the page.
/// The index compares only a few entries, those sharing the most rare substrings with it.
fn spelling_hint(index: &HintIndex, origin: &[u8]) -> Option<String> {
    let (distance, entry) = index.misspelt(origin)?;
    Some(format!(
        "closest allowed origin {entry:?} is spelled differently ({distance} characters \
         differ): check both for a typo"
    ))
}

/// Most regexes tried for a hint, each in time linear in the origin's length.
#[cfg(feature = "regex")]
const MAX_REGEX_HINTS: usize = 32;

/// A regex that matches the origin but for its port: the implicit anchors refused it. Any
/// other partial match (`example\.com` inside `notexample.com`, or a prefix of
/// `app.example.com.evil.example`) gets no hint, since widening the regex would let it in.
#[cfg(feature = "regex")]
fn regex_hint(index: &HintIndex, origin: &[u8]) -> Option<String> {
    let origin = std::str::from_utf8(origin).ok()?;
    index
        .regexes
        .iter()
        .take(MAX_REGEX_HINTS)
        .find_map(|(pattern, regex)| {
            let found = regex.find(origin).filter(|found| found.start() == 0)?;
            let port = origin[found.end()..].strip_prefix(':')?;
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(format!(
                "regex {pattern:?} matches {:?}, the origin without its port :{port}; a regex \
                 must match the whole origin: add the port, or `(:[0-9]+)?` for any",
                found.as_str()
            ))
        })
}

#[cfg(not(feature = "regex"))]
fn regex_hint(_: &HintIndex, _: &[u8]) -> Option<String> {
    None
}

fn method_hint(config: &CorsConfig, method: &str) -> String {
    if !is_token(method.as_bytes()) {
        return format!(
            "{method:?} is not a method name, so no browser sends it: the client is not a \
             browser, or a proxy rewrote Access-Control-Request-Method"
        );
    }
    let upper = method.to_ascii_uppercase();
    if upper != method && config.allowed_methods.contains(&upper) {
        return format!(
            "methods are case-sensitive: allowed_methods has {upper} but the page sent \
             {method}; browsers uppercase only DELETE, GET, HEAD, OPTIONS, POST and PUT, so \
             write method: '{upper}' in the page"
        );
    }
    format!("add {method} to {}", keys::named(key::allowed_methods))
}

fn header_hint(config: &CorsConfig, header: &str) -> String {
    let star = config.allowed_headers.iter().any(|name| name == "*");
    if star && header.eq_ignore_ascii_case("authorization") {
        return "`*` never covers authorization in browsers: list it by name beside `*` \
                (allowed_headers = [\"*\", \"authorization\"])"
            .to_owned();
    }
    format!("add {header} to {}", keys::named(key::allowed_headers))
}

/// The hint for a request the protection refused, around the origin's near miss if any.
fn protection_hint(near: Option<String>) -> String {
    let mut hint = String::from(
        "cross-origin protection refuses unsafe-method requests and WebSocket handshakes that \
         a browser sends from an origin the policy does not allow; if this page is your own \
         frontend, allow its origin",
    );
    if let Some(near) = near {
        hint.push_str(" (");
        hint.push_str(&near);
        hint.push(')');
    }
    hint.push_str(
        "; if this path must accept posts from other sites (a webhook, an SSO callback), add \
         it to cross_origin_exempt_paths",
    );
    hint
}
