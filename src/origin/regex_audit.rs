//! What a regular-expression origin lets in besides the origins it was written for.
//!
//! A regex cannot be read like a pattern, so it is tried instead: its own syntax tree yields a
//! few origins it matches (its literals, with each class and repetition filled in), and from
//! each of those the origins an attacker would register: the host with a name glued in front
//! of it without a dot (`attackerexample.com` for `https://.*example\.com`), the host followed
//! by another domain (`app.example.com.attacker.net`), a dot replaced by another character
//! (`appxexample.com` for an unescaped `.`), and a fresh name under each public suffix the host
//! lies under (`attacker.com` for `https://.*\.com`); and, where a class stands right before
//! the part of the host that never changes, a name in its place (`attackerexample.com` for
//! `[a-z]+example\.com`). A regex that matches any of them lets in an origin its owner does not
//! control; one under a suffix from the list's private section (`appspot.com`) counts as a name
//! under a public suffix, since its operator hands such names out. The number of samples and candidates is bounded, so
//! validation stays fast whatever the expression.

use regex::Regex;
use regex_syntax::hir::{Class, Hir, HirKind};

use super::is_loopback;
use super::serialized::{is_lowercase_label, SerializedOrigin};

/// Most sample origins drawn from one expression.
const MAX_SAMPLES: usize = 16;
/// Longest sample kept; no origin is longer.
const MAX_SAMPLE_LEN: usize = super::serialized::MAX_ORIGIN_LEN;
/// Most repetitions written out for a counted repetition (`a{1000}`).
const MAX_REPEAT: u32 = 64;
/// Most dots of one host tried as places to glue a name or replace a dot.
const MAX_DOTS: usize = 8;
/// The label attacker-shaped hosts are made of.
const ATTACKER: &str = "attacker";
/// The domain put after a host, as an attacker's own domain.
const ANOTHER_DOMAIN: &str = "attacker.net";
/// Class members preferred as a sample's characters, in order: what hosts are made of, with
/// `0` late so that a sampled port does not start with it.
const PREFERRED: &str = "abcdefghijklmnopqrstuvwxyz123456789-0.";

/// An origin the expression lets in that its owner does not control.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Finding {
    /// A plain-http (or `ws`) origin other than loopback.
    Insecure {
        /// The origin it matches.
        origin: String,
        /// The expression restricted to https.
        fix: String,
    },
    /// A fresh registrable name under a public suffix.
    PublicSuffix {
        origin: String,
        /// The public suffix (`com`, `github.io`).
        suffix: String,
        /// An expression anchored to one name under the suffix.
        fix: String,
    },
    /// A host under another registrable domain than the expression's own.
    Lookalike {
        origin: String,
        /// An expression that keeps to the expression's own domain.
        fix: String,
    },
}

#[cfg(test)]
impl Finding {
    pub(crate) fn origin(&self) -> &str {
        match self {
            Finding::Insecure { origin, .. }
            | Finding::PublicSuffix { origin, .. }
            | Finding::Lookalike { origin, .. } => origin,
        }
    }
}

/// What `regex` (compiled, anchored, from `pattern`) lets in besides its own origins: at most
/// one finding of each kind, the insecure one first.
pub(crate) fn audit(pattern: &str, regex: &Regex) -> Vec<Finding> {
    let Ok(hir) = regex_syntax::Parser::new().parse(pattern) else {
        return Vec::new();
    };
    let first = samples(&hir, 0);
    let mut second = samples(&hir, 1);
    if second.len() != first.len() {
        second.clone_from(&first);
    }
    let origins: Vec<Sample> = first
        .iter()
        .zip(&second)
        .filter(|(sample, _)| regex.is_match(sample))
        .filter_map(|(a, b)| Sample::parse(a, Some(b)))
        .collect();
    // The registrable domains the expression was written for: those that stay the same
    // whichever members its classes match (`example.com` in `[a-z]+\.example\.com`, not
    // `aexample.com` in `.*example\.com`).
    let own: Vec<String> = first
        .iter()
        .zip(&second)
        .filter_map(|(a, b)| {
            let a = registrable(&Sample::parse(a, None)?.host)?;
            (Some(&a) == registrable(&Sample::parse(b, None)?.host).as_ref()).then_some(a)
        })
        .collect();

    let mut insecure = None;
    let mut public_suffix: Option<Finding> = None;
    let mut lookalikes: Vec<(Finding, String)> = Vec::new();
    for sample in &origins {
        if insecure.is_none() {
            insecure = sample.insecure(regex);
        }
        for candidate in sample.candidates() {
            if !regex.is_match(&candidate.origin) {
                continue;
            }
            let Some(domain) = registrable(&candidate.host) else {
                continue;
            };
            if own.contains(&domain) {
                continue;
            }
            match candidate.kind {
                Kind::UnderSuffix(suffix) => {
                    if public_suffix.is_none() {
                        public_suffix = Some(Finding::PublicSuffix {
                            fix: suffix_fix(&sample.scheme, &suffix),
                            origin: candidate.origin,
                            suffix,
                        });
                    }
                }
                // A name under a private suffix (`appspot.com`, `github.io`) is one its
                // operator hands out to anyone: the public-suffix rule, with its opt-in.
                Kind::Lookalike(_) if private_suffix_of(&candidate.host).is_some() => {
                    if public_suffix.is_none() {
                        let suffix = private_suffix_of(&candidate.host).unwrap_or_default();
                        public_suffix = Some(Finding::PublicSuffix {
                            fix: suffix_fix(&sample.scheme, &suffix),
                            origin: candidate.origin,
                            suffix,
                        });
                    }
                }
                Kind::Lookalike(fix) => {
                    let suffix = public_suffix_of(&candidate.host).unwrap_or_default();
                    lookalikes.push((
                        Finding::Lookalike {
                            origin: candidate.origin,
                            fix,
                        },
                        suffix,
                    ));
                }
            }
        }
    }
    let mut findings: Vec<Finding> = insecure.into_iter().collect();
    // A lookalike under the suffix already named is that finding again.
    let named = match &public_suffix {
        Some(Finding::PublicSuffix { suffix, .. }) => Some(suffix.clone()),
        _ => None,
    };
    findings.extend(public_suffix);
    findings.extend(
        lookalikes
            .into_iter()
            .find(|(_, suffix)| named.as_ref() != Some(suffix))
            .map(|(finding, _)| finding),
    );
    findings
}

/// One origin the expression matches, parsed.
struct Sample {
    origin: String,
    scheme: String,
    host: String,
    /// `:PORT`, or empty.
    port: String,
    /// Whether the sample's host is the same whichever members the classes match: only then is
    /// it one host the expression was written for, whose every look-alike is worth trying.
    literal: bool,
    /// Where the end of the host that stays the same whichever members the classes match
    /// begins (`example.com` in `aexample.com` from `[a-z]+example\.com`): a name glued to it
    /// is worth trying too.
    stable_from: usize,
}

enum Kind {
    /// Under this public suffix.
    UnderSuffix(String),
    /// Under another registrable domain; the fix for it.
    Lookalike(String),
}

struct Candidate {
    origin: String,
    host: String,
    kind: Kind,
}

impl Sample {
    /// `twin` is the same sample with each class's second member.
    fn parse(origin: &str, twin: Option<&str>) -> Option<Self> {
        let parsed = SerializedOrigin::parse(origin.as_bytes())?;
        let twin_host = twin
            .and_then(|twin| SerializedOrigin::parse(twin.as_bytes()))
            .map_or("", |twin| twin.host);
        // Only the host counts: a port class (`:[0-9]+`) leaves the host the one intended.
        let literal = twin_host == parsed.host;
        let common = parsed
            .host
            .bytes()
            .rev()
            .zip(twin_host.bytes().rev())
            .take_while(|(a, b)| a == b)
            .count();
        Some(Self {
            stable_from: if literal {
                0
            } else {
                parsed.host.len() - common
            },
            origin: origin.to_owned(),
            scheme: parsed.scheme.to_owned(),
            host: parsed.host.to_owned(),
            port: parsed.port.map(|p| format!(":{p}")).unwrap_or_default(),
            literal,
        })
    }

    fn with_host(&self, host: &str) -> String {
        format!("{}://{host}{}", self.scheme, self.port)
    }

    /// The sample itself when it is plain http, or its https origin's http twin when the
    /// expression matches that too.
    fn insecure(&self, regex: &Regex) -> Option<Finding> {
        if is_loopback(&self.host) {
            return None;
        }
        let fix = https_only(&self.origin);
        if matches!(self.scheme.as_str(), "http" | "ws") {
            return Some(Finding::Insecure {
                origin: self.origin.clone(),
                fix,
            });
        }
        let twin = match self.scheme.as_str() {
            "https" => "http",
            "wss" => "ws",
            _ => return None,
        };
        let origin = format!("{twin}://{}{}", self.host, self.port);
        regex
            .is_match(&origin)
            .then_some(Finding::Insecure { origin, fix })
    }

    /// The attacker-shaped origins derived from this one, the likeliest first: none for an IP
    /// address, which nobody registers.
    fn candidates(&self) -> Vec<Candidate> {
        let host = self.host.as_str();
        if host.starts_with('[') || is_ipv4(host) {
            return Vec::new();
        }
        let dots: Vec<usize> = host
            .match_indices('.')
            .map(|(i, _)| i)
            .take(MAX_DOTS)
            .collect();
        let mut out = Vec::new();
        let mut push = |host: String, kind: Kind| {
            if host.len() <= 253 && host.split('.').all(is_lowercase_label) {
                out.push(Candidate {
                    origin: self.with_host(&host),
                    host,
                    kind,
                });
            }
        };
        if self.literal {
            // The domain with a name glued to its front: the expression does not require a
            // dot before it.
            for parent in std::iter::once(host).chain(dots.iter().map(|&i| &host[i + 1..])) {
                push(
                    format!("{ATTACKER}{parent}"),
                    Kind::Lookalike(self.subdomains_fix(parent)),
                );
            }
            // The host followed by another domain: the expression does not end where the host
            // does.
            push(
                format!("{host}.{ANOTHER_DOMAIN}"),
                Kind::Lookalike(regex::escape(&self.origin)),
            );
            // A dot matched by something that matches other characters too (an unescaped `.`).
            for &i in &dots {
                for replacement in ['x', '-'] {
                    let mut replaced = host.to_owned();
                    replaced.replace_range(i..=i, replacement.encode_utf8(&mut [0; 4]));
                    push(replaced, Kind::Lookalike(regex::escape(&self.origin)));
                }
            }
        } else if self.stable_from > 0 && self.stable_from < host.len() {
            // A class glued to the stable end without a dot (`[a-z]+example\.com`): a name in
            // its place.
            let stable = &host[self.stable_from..];
            if !stable.starts_with('.') {
                let fix = stable.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
                push(
                    format!("{ATTACKER}{stable}"),
                    Kind::Lookalike(self.subdomains_fix(fix)),
                );
            }
        }
        // A fresh name under each public suffix the host lies under, keeping the labels in
        // front of the registrable name when there are some.
        let registrable_start = registrable(host).map(|domain| host.len() - domain.len());
        for &i in &dots {
            let suffix = &host[i + 1..];
            if !is_public_suffix(suffix) {
                continue;
            }
            push(
                format!("{ATTACKER}.{suffix}"),
                Kind::UnderSuffix(suffix.to_owned()),
            );
            if let Some(start) = registrable_start.filter(|&start| start > 0 && start < i) {
                push(
                    format!("{}{ATTACKER}.{suffix}", &host[..start]),
                    Kind::UnderSuffix(suffix.to_owned()),
                );
            }
        }
        out
    }

    /// An expression for `domain` and its subdomains, on this sample's scheme and port.
    fn subdomains_fix(&self, domain: &str) -> String {
        format!(
            r"{}://([a-z0-9-]+\.)*{}{}",
            self.scheme,
            regex::escape(domain),
            self.port
        )
    }
}

fn suffix_fix(scheme: &str, suffix: &str) -> String {
    format!(
        r"{scheme}://([a-z0-9-]+\.)*example\.{}",
        regex::escape(suffix)
    )
}

/// `origin` as an https expression.
fn https_only(origin: &str) -> String {
    let https = origin
        .strip_prefix("http://")
        .map(|rest| format!("https://{rest}"))
        .or_else(|| {
            origin
                .strip_prefix("ws://")
                .map(|rest| format!("wss://{rest}"))
        })
        .unwrap_or_else(|| origin.to_owned());
    regex::escape(&https)
}

fn is_ipv4(host: &str) -> bool {
    host.parse::<std::net::Ipv4Addr>().is_ok()
}

/// The registrable domain of `host` under a known public suffix.
fn registrable(host: &str) -> Option<String> {
    let domain = psl::domain(host.as_bytes())?;
    if !domain.suffix().is_known() {
        return None;
    }
    std::str::from_utf8(domain.as_bytes())
        .ok()
        .map(str::to_owned)
}

fn public_suffix_of(host: &str) -> Option<String> {
    let suffix = psl::suffix(host.as_bytes()).filter(|suffix| suffix.is_known())?;
    std::str::from_utf8(suffix.as_bytes())
        .ok()
        .map(str::to_owned)
}

/// The public suffix of `host` when it is one from the list's private section, which a company
/// registered to hand out names under it.
fn private_suffix_of(host: &str) -> Option<String> {
    let suffix =
        psl::suffix(host.as_bytes()).filter(|suffix| suffix.typ() == Some(psl::Type::Private))?;
    std::str::from_utf8(suffix.as_bytes())
        .ok()
        .map(str::to_owned)
}

fn is_public_suffix(name: &str) -> bool {
    psl::suffix(name.as_bytes())
        .is_some_and(|suffix| suffix.is_known() && suffix.as_bytes() == name.as_bytes())
}

/// Up to [`MAX_SAMPLES`] strings `hir` matches: each class filled with a preferred member
/// (the first, or for `variant` 1 the second, so that comparing the two shows what a class
/// lets vary), each repetition at its minimum and once more.
fn samples(hir: &Hir, variant: usize) -> Vec<String> {
    let mut out = match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => vec![String::new()],
        HirKind::Literal(literal) => vec![String::from_utf8_lossy(&literal.0).into_owned()],
        // A class with `.` and more (an unescaped `.`) is tried as both: as the dot it was
        // probably meant to be, and as what else it matches.
        HirKind::Class(class) => {
            let mut members: Vec<String> = Vec::new();
            if contains(class, '.') {
                members.push(".".to_owned());
            }
            members.extend(
                representative(class, variant)
                    .filter(|&c| c != '.')
                    .map(String::from),
            );
            members
        }
        HirKind::Capture(capture) => samples(&capture.sub, variant),
        HirKind::Repetition(repetition) => {
            let inner = samples(&repetition.sub, variant);
            let min = repetition.min.min(MAX_REPEAT);
            let mut counts = vec![min];
            if repetition.max.is_none_or(|max| max > repetition.min) {
                counts.push(min + 1);
            }
            counts
                .into_iter()
                .flat_map(|count| {
                    inner
                        .iter()
                        .filter(move |s| s.len() * count as usize <= MAX_SAMPLE_LEN)
                        .map(move |s| s.repeat(count as usize))
                })
                .collect()
        }
        HirKind::Concat(parts) => {
            let mut acc = vec![String::new()];
            for part in parts {
                let tails = samples(part, variant);
                acc = acc
                    .iter()
                    .flat_map(|head| tails.iter().map(move |tail| format!("{head}{tail}")))
                    .filter(|s| s.len() <= MAX_SAMPLE_LEN)
                    .take(MAX_SAMPLES)
                    .collect();
                if acc.is_empty() {
                    break;
                }
            }
            acc
        }
        HirKind::Alternation(branches) => branches
            .iter()
            .flat_map(|branch| samples(branch, variant))
            .take(MAX_SAMPLES)
            .collect(),
    };
    out.truncate(MAX_SAMPLES);
    out
}

fn contains(class: &Class, c: char) -> bool {
    match class {
        Class::Unicode(class) => class
            .ranges()
            .iter()
            .any(|range| range.start() <= c && c <= range.end()),
        Class::Bytes(class) => u8::try_from(c).is_ok_and(|b| {
            class
                .ranges()
                .iter()
                .any(|range| range.start() <= b && b <= range.end())
        }),
    }
}

/// The member of `class` a sample uses.
fn representative(class: &Class, variant: usize) -> Option<char> {
    let mut preferred = PREFERRED.chars().filter(|&c| contains(class, c));
    let first = preferred.next();
    let chosen = if variant == 0 {
        first
    } else {
        preferred.next().or(first)
    };
    chosen.or_else(|| match class {
        Class::Unicode(class) => class.ranges().first().map(|range| range.start()),
        Class::Bytes(class) => class
            .ranges()
            .first()
            .map(|range| char::from(range.start())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::regex::compile_one;

    fn findings(pattern: &str) -> Vec<Finding> {
        audit(pattern, &compile_one(pattern).unwrap())
    }

    fn lets_in(pattern: &str) -> Vec<String> {
        findings(pattern)
            .iter()
            .map(|f| f.origin().to_owned())
            .collect()
    }

    #[test]
    fn expressions_kept_to_their_own_domain_let_no_attacker_in() {
        for pattern in [
            r"https://[a-z0-9-]+\.example\.com",
            r"https://([a-z0-9-]+\.)*example\.com",
            r"https://.*\.example\.com",
            r"https://pr-[0-9]+\.preview\.example\.com",
            r"https://(www\.)?example\.(com|org)",
            r"https://app\.example\.com(:[0-9]+)?",
            r"http://localhost:[0-9]+",
            r"https://[a-z]+\.internal",
            r"https://[a-z0-9-]+\.example\.github\.io",
            r"https://([a-z]+-dot-)?app\.example\.com",
        ] {
            assert_eq!(findings(pattern), Vec::new(), "{pattern}");
        }
    }

    #[test]
    fn a_name_glued_in_front_of_the_domain_is_let_in_without_a_dot() {
        assert_eq!(
            findings(r"https://.*example\.com"),
            vec![Finding::Lookalike {
                origin: "https://attackerexample.com".into(),
                fix: r"https://([a-z0-9-]+\.)*example\.com".into(),
            }]
        );
    }

    #[test]
    fn a_class_glued_to_the_domain_lets_in_a_name_in_its_place() {
        assert_eq!(
            findings(r"https://[a-z]+example\.com"),
            vec![Finding::Lookalike {
                origin: "https://attackerexample.com".into(),
                fix: r"https://([a-z0-9-]+\.)*example\.com".into(),
            }]
        );
        assert_eq!(
            lets_in(r"https://[a-z]+-dot-app\.appspot\.com"),
            ["https://attacker-dot-app.appspot.com"]
        );
    }

    #[test]
    fn another_domain_after_the_host_and_replaced_dots_are_let_in() {
        assert_eq!(
            lets_in(r"https://.*example\.com:[0-9]+"),
            ["https://attackerexample.com:1"]
        );
        assert_eq!(
            lets_in(r"https://app\.example\.com.*"),
            ["https://app.example.com.attacker.net"]
        );
        assert_eq!(
            findings(r"https://app.example.com"),
            vec![Finding::Lookalike {
                origin: "https://appxexample.com".into(),
                fix: r"https://app\.example\.com".into(),
            }]
        );
        assert_eq!(
            lets_in(r"http://localhost.*"),
            ["http://localhosta", "http://localhost.attacker.net"]
        );
    }

    #[test]
    fn every_name_under_a_public_suffix_is_found() {
        assert_eq!(
            findings(r"https://.*\.com"),
            vec![Finding::PublicSuffix {
                origin: "https://attacker.com".into(),
                suffix: "com".into(),
                fix: r"https://([a-z0-9-]+\.)*example\.com".into(),
            }]
        );
        assert_eq!(
            lets_in(r"https://[a-z]+\.github\.io"),
            ["https://attacker.github.io"]
        );
        assert_eq!(
            lets_in(r"https://[a-z]+\.[a-z]+\.github\.io"),
            ["https://a.attacker.github.io"]
        );
    }

    #[test]
    fn plain_http_is_found_but_loopback_is_not() {
        assert_eq!(
            findings(r"https?://app\.example\.com"),
            vec![Finding::Insecure {
                origin: "http://app.example.com".into(),
                fix: r"https://app\.example\.com".into(),
            }]
        );
        assert_eq!(
            lets_in(r"http://app\.example\.com"),
            ["http://app.example.com"]
        );
        assert_eq!(findings(r"https?://localhost(:[0-9]+)?"), Vec::new());
        assert_eq!(
            findings(r"http://(127\.0\.0\.1|\[::1\]):[0-9]+"),
            Vec::new()
        );
        assert_eq!(
            lets_in(r"http://192\.168\.1\.[0-9]+"),
            ["http://192.168.1.1"]
        );
    }

    #[test]
    fn sampling_is_bounded() {
        let pattern = format!("https://{}", "(a|b|c|d)".repeat(40));
        let samples = samples(&regex_syntax::Parser::new().parse(&pattern).unwrap(), 0);
        assert!(samples.len() <= MAX_SAMPLES);
        assert!(samples.iter().all(|s| s.len() <= MAX_SAMPLE_LEN));
        let samples = samples_of("a{100000}");
        assert!(samples.iter().all(|s| s.len() <= MAX_SAMPLE_LEN));
    }

    fn samples_of(pattern: &str) -> Vec<String> {
        samples(&regex_syntax::Parser::new().parse(pattern).unwrap(), 0)
    }
}
