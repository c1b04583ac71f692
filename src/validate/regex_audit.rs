//! What a regular-expression origin lets in that its owner does not control.
//!
//! Whether it does is decided on the expression's structure (`regex_structure`): every
//! alternative must pin its host to a domain, and one that does not is a finding, however many
//! harmless alternatives stand beside it. Strings are only derived to make a finding concrete:
//! from the alternative's own syntax tree, a few origins it matches (its literals, with each
//! class and repetition filled in), and from those the origins an attacker would register: the
//! host with a name glued in front of it without a dot (`attackerexample.com` for
//! `https://.*example\.com`), the host followed by another domain
//! (`app.example.com.attacker.net`), a dot replaced by another character (`appxexample.com`
//! for an unescaped `.`), a fresh name under each public suffix the host lies under
//! (`attacker.com` for `https://.*\.com`), and the varying parts filled with a name
//! (`acme-attacker.com` for `https://acme-[a-z]+\.com`). A name under a suffix from the list's
//! private section (`appspot.com`) counts as a name under a public suffix, since its operator
//! hands such names out. The number of samples and candidates is bounded, so validation stays
//! fast whatever the expression.

use regex::Regex;
use regex_syntax::hir::{Class, Hir, HirKind};

use super::regex_structure::{
    alternatives, holds_registrable_domain, judge, print, Alternative, Atom, Host, Judged, Unpinned,
};
use crate::policy::origin::serialized::{is_lowercase_label, SerializedOrigin};

/// Most sample origins drawn from one alternative.
const MAX_SAMPLES: usize = 16;
/// Longest sample kept; no origin is longer.
const MAX_SAMPLE_LEN: usize = crate::policy::origin::serialized::MAX_ORIGIN_LEN;
/// Most repetitions written out for a counted repetition (`a{1000}`).
const MAX_REPEAT: u32 = 64;
/// Most dots of one host tried as places to glue a name or replace a dot.
const MAX_DOTS: usize = 8;
/// The label attacker-shaped hosts are made of.
const ATTACKER: &str = "attacker";
/// A top-level domain where anyone can register a name.
const OTHER_TLD: &str = "xyz";
/// The domain put after a host, as an attacker's own domain.
const ANOTHER_DOMAIN: &str = "attacker.net";
/// Class members preferred as a sample's characters, in order: what hosts are made of, with
/// `0` late so that a sampled port does not start with it.
const PREFERRED: &str = "abcdefghijklmnopqrstuvwxyz123456789-0.";
/// The expression every unpinned alternative can be rewritten to, with the owner's domain in
/// place of `example.com`.
pub(crate) const PINNED_EXAMPLE: &str = r"https://([a-z0-9-]+\.)*example\.com";

/// What an expression lets in that its owner does not control.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Finding {
    /// An alternative matches a plain-http (or `ws`) origin other than loopback.
    Insecure {
        /// The alternative, when the expression has several.
        alternative: Option<String>,
        /// An origin it matches.
        origin: String,
        /// The alternative restricted to https.
        fix: String,
    },
    /// Alternatives whose host is not pinned to a domain.
    Unpinned(UnpinnedFinding),
    /// More alternatives than can be judged.
    TooManyAlternatives,
}

/// The first alternative whose host is not pinned, and what it lets in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UnpinnedFinding {
    /// The alternative, when the expression has several.
    pub(crate) alternative: Option<String>,
    /// How many other alternatives are not pinned either.
    pub(crate) others: usize,
    /// An origin it lets in that its owner does not control, when one was found.
    pub(crate) origin: Option<String>,
    /// The public suffix that origin lies under (`com`, `github.io`), when the finding is a
    /// fresh name under one: the case the public-suffix opt-in covers.
    pub(crate) suffix: Option<String>,
    /// An expression that pins the host, which passes this audit.
    pub(crate) fix: String,
    /// Whether it lets in names on any domain (`https://.+`), not only look-alikes of its own.
    pub(crate) any_domain: bool,
}

/// What `regex` (compiled, anchored, from `pattern`) lets in besides its own origins: at most
/// one insecure alternative, then the unpinned ones.
pub(crate) fn audit(pattern: &str, regex: &Regex) -> Vec<Finding> {
    let Ok(hir) = regex_syntax::Parser::new().parse(pattern) else {
        return Vec::new();
    };
    let Some(alternatives) = alternatives(&hir) else {
        return vec![Finding::TooManyAlternatives];
    };
    let several = alternatives.len() > 1;
    let judged: Vec<(&Alternative, Judged)> = alternatives
        .iter()
        .map(|alternative| (alternative, judge(alternative)))
        .collect();
    // The registrable domains the pinned alternatives keep to: an origin under one of them is
    // the owner's, whichever alternative lets it in.
    let own: Vec<String> = judged
        .iter()
        .filter_map(|(_, judged)| match &judged.host {
            Host::Literal(host) | Host::UnderDomain(host) => registrable(host),
            Host::Unpinned(_) => None,
        })
        .collect();
    let mut findings = Vec::new();
    let mut schemes = SchemeCache::default();
    findings.extend(judged.iter().find_map(|(alternative, judged)| {
        insecure(alternative, judged, regex, &mut schemes).map(|(origin, fix)| Finding::Insecure {
            alternative: several.then(|| print(alternative)),
            origin,
            fix,
        })
    }));
    let mut unpinned = judged.iter().filter(|(_, judged)| !judged.is_pinned());
    if let Some((alternative, judged)) = unpinned.next() {
        findings.push(Finding::Unpinned(UnpinnedFinding {
            alternative: several.then(|| print(alternative)),
            others: unpinned.count(),
            ..describe_unpinned(alternative, judged, regex, &alternatives, &own)
        }));
    }
    findings
}

/// Whether `pattern` pins every host it matches; `false` for one too large to judge.
#[cfg(test)]
pub(crate) fn is_pinned(pattern: &str) -> bool {
    regex_syntax::Parser::new()
        .parse(pattern)
        .ok()
        .and_then(|hir| alternatives(&hir))
        .is_some_and(|alternatives| alternatives.iter().all(|a| judge(a).is_pinned()))
}

/// The insecure scheme each scheme expression matches, so that alternatives sharing a scheme
/// part (`[a-z]+://` before each of many hosts) compile it once.
#[derive(Default)]
struct SchemeCache(std::collections::HashMap<String, Option<&'static str>>);

impl SchemeCache {
    /// `http` or `ws` when the expression `scheme` matches it.
    fn insecure(&mut self, scheme: &str) -> Option<&'static str> {
        *self.0.entry(scheme.to_owned()).or_insert_with(|| {
            let scheme = Regex::new(&format!("^(?:{scheme})$")).ok()?;
            ["http", "ws"].into_iter().find(|s| scheme.is_match(s))
        })
    }
}

/// A plain-http (or `ws`) origin other than loopback that `alternative` matches, and the
/// alternative restricted to https.
fn insecure(
    alternative: &Alternative,
    judged: &Judged,
    regex: &Regex,
    schemes: &mut SchemeCache,
) -> Option<(String, String)> {
    if judged.is_loopback() || judged.scheme.is_empty() {
        return None;
    }
    let insecure_scheme = match judged.literal_scheme.as_deref() {
        Some(scheme @ ("http" | "ws")) => scheme,
        Some(_) => return None,
        None => schemes.insecure(&judged.scheme)?,
    };
    let secure = if insecure_scheme == "ws" {
        "wss"
    } else {
        "https"
    };
    let origin = samples(&as_hir(alternative), Fill::First)
        .into_iter()
        .filter_map(|sample| {
            let parsed = SerializedOrigin::parse(sample.as_bytes())?;
            let port = parsed.port.map(|p| format!(":{p}")).unwrap_or_default();
            Some(format!("{insecure_scheme}://{}{port}", parsed.host))
        })
        .find(|origin| regex.is_match(origin))?;
    let rewritten = format!("{secure}://{}", judged.host_and_port);
    let fix = if judge_pattern(&rewritten).is_some_and(|judged| judged.is_pinned()) {
        rewritten
    } else {
        regex::escape(&format!("{secure}{}", &origin[insecure_scheme.len()..]))
    };
    Some((origin, fix))
}

/// The one alternative of `pattern`, judged; `None` when it has several.
fn judge_pattern(pattern: &str) -> Option<Judged> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    match alternatives(&hir)?.as_slice() {
        [alternative] => Some(judge(alternative)),
        _ => None,
    }
}

/// An origin an unpinned alternative lets in, the public suffix it lies under when it is a
/// fresh name under one, and a rewrite that pins the host.
fn describe_unpinned(
    alternative: &Alternative,
    judged: &Judged,
    regex: &Regex,
    others: &[Alternative],
    own: &[String],
) -> UnpinnedFinding {
    // The alternative alone, so that what a message names is let in by what it quotes.
    let this = Regex::new(&format!("^(?:{})$", print(alternative))).ok();
    let (origin, suffix, fix) =
        example_and_fix(alternative, this.as_ref(), judged, regex, others, own);
    let scheme = judged
        .literal_scheme
        .as_deref()
        .unwrap_or_else(|| secure_scheme(judged));
    let any_domain = ["com", "example"].iter().all(|tld| {
        let origin = format!("{scheme}://{ATTACKER}.{tld}");
        regex.is_match(&origin) && this.as_ref().is_some_and(|this| this.is_match(&origin))
    });
    UnpinnedFinding {
        alternative: None,
        others: 0,
        origin,
        suffix,
        fix,
        any_domain,
    }
}

/// An origin an unpinned alternative lets in, the public suffix it lies under when it is a
/// fresh name under one, and a rewrite that pins the host.
fn example_and_fix(
    alternative: &Alternative,
    this: Option<&Regex>,
    judged: &Judged,
    regex: &Regex,
    others: &[Alternative],
    own: &[String],
) -> (Option<String>, Option<String>, String) {
    // The registrable domains the alternative was written for: those that stay the same
    // whichever members its classes match (`example.com` in `[a-z]+example\.com`).
    let hir = as_hir(alternative);
    let mut own = own.to_vec();
    let first = samples(&hir, Fill::First);
    let second = samples(&hir, Fill::Second);
    own.extend(first.iter().zip(&second).filter_map(|(a, b)| {
        let a = registrable(&Sample::parse(a, None)?.host)?;
        (Some(&a) == registrable(&Sample::parse(b, None)?.host).as_ref()).then_some(a)
    }));
    // Candidates must be let in by this alternative itself, so that the message can quote it;
    // the other alternatives' literals are worth deriving candidates from too
    // (`app.example.com.attacker.net` from `app\.example\.com` for `app\.example\.com\..+`).
    let lets_in = |host: &str, origin: &str| {
        regex.is_match(origin)
            && this.is_none_or(|this| this.is_match(origin))
            && !host.starts_with('[')
            && !is_ipv4(host)
            && !crate::policy::origin::is_loopback(host)
            && !registrable(host).is_some_and(|domain| own.contains(&domain))
    };
    let sources = std::iter::once(hir.clone()).chain(
        others
            .iter()
            .filter(|other| *other != alternative)
            .map(as_hir),
    );
    for source in sources {
        let first = samples(&source, Fill::First);
        let mut second = samples(&source, Fill::Second);
        if second.len() != first.len() {
            second.clone_from(&first);
        }
        let parsed: Vec<Sample> = first
            .iter()
            .zip(&second)
            .filter(|(sample, _)| regex.is_match(sample))
            .filter_map(|(a, b)| Sample::parse(a, Some(b)))
            .collect();
        for sample in &parsed {
            for candidate in sample.candidates() {
                if !lets_in(&candidate.host, &candidate.origin) {
                    continue;
                }
                let private = private_suffix_of(&candidate.host);
                return match candidate.kind {
                    Kind::UnderSuffix(suffix) => (
                        Some(candidate.origin),
                        Some(suffix.clone()),
                        suffix_fix(&sample.scheme, &suffix),
                    ),
                    // A name under a private suffix (`appspot.com`, `github.io`) is one its
                    // operator hands out to anyone: the public-suffix rule, with its opt-in.
                    Kind::Lookalike(_) if private.is_some() => {
                        let suffix = private.unwrap_or_default();
                        let fix = suffix_fix(&sample.scheme, &suffix);
                        (Some(candidate.origin), Some(suffix), fix)
                    }
                    Kind::Lookalike(fix) => (Some(candidate.origin), None, fix),
                };
            }
        }
    }
    // The varying parts filled with a name, and plain names on any domain.
    let scheme = secure_scheme(judged);
    let own_scheme = judged.literal_scheme.as_deref().unwrap_or(scheme);
    let generic = [
        format!("{own_scheme}://{ATTACKER}.com"),
        format!("{own_scheme}://{ATTACKER}.example"),
    ];
    let let_in = |origin: &String| {
        SerializedOrigin::parse(origin.as_bytes())
            .is_some_and(|parsed| lets_in(parsed.host, origin))
    };
    // A sample's top-level domain swapped for another anyone can register under
    // (`example.xyz` for `example\.[a-z]+`).
    let other_tld = samples(&hir, Fill::First).into_iter().filter_map(|sample| {
        let parsed = SerializedOrigin::parse(sample.as_bytes())?;
        let (head, _) = parsed.host.rsplit_once('.')?;
        let port = parsed.port.map(|p| format!(":{p}")).unwrap_or_default();
        Some(format!("{}://{head}.{OTHER_TLD}{port}", parsed.scheme))
    });
    // Names on a domain under a listed suffix first: they are the ones anyone can register.
    let filled: Vec<String> = samples(&hir, Fill::Attacker)
        .into_iter()
        .chain(generic)
        .chain(other_tld)
        .collect();
    let origin = filled
        .iter()
        .find(|origin| let_in(origin) && under_known_suffix(origin))
        .or_else(|| filled.iter().find(|origin| let_in(origin)))
        .cloned();
    let suffix = origin
        .as_deref()
        .and_then(|origin| SerializedOrigin::parse(origin.as_bytes()))
        .and_then(|parsed| registrable(parsed.host))
        .is_none()
        .then(|| match &judged.host {
            Host::Unpinned(Unpinned::Tail(tail)) => {
                let suffix = tail.trim_start_matches('.');
                is_public_suffix(suffix).then(|| suffix.to_owned())
            }
            _ => None,
        })
        .flatten();
    let domain = match &judged.host {
        Host::Unpinned(Unpinned::Tail(tail)) => {
            let tail = tail.trim_start_matches(|c: char| !c.is_ascii_alphanumeric());
            if holds_registrable_domain(tail) {
                tail.to_owned()
            } else if tail.is_empty() {
                "example.com".to_owned()
            } else {
                format!("example.{tail}")
            }
        }
        _ => "example.com".to_owned(),
    };
    let port = match &judged.host {
        Host::Unpinned(Unpinned::Port) => "",
        _ => judged.port.as_str(),
    };
    let fix = format!(
        r"{scheme}://([a-z0-9-]+\.)*{}{port}",
        regex::escape(&domain)
    );
    let fix = if judge_pattern(&fix).is_some_and(|judged| judged.is_pinned()) {
        fix
    } else {
        PINNED_EXAMPLE.to_owned()
    };
    (origin, suffix, fix)
}

/// The scheme of an alternative's rewrite: its own when written out and secure, else https.
fn secure_scheme(judged: &Judged) -> &str {
    match judged.literal_scheme.as_deref() {
        Some("ws" | "wss") => "wss",
        Some(scheme) if scheme != "http" && !scheme.is_empty() => scheme,
        _ => "https",
    }
}

fn as_hir(alternative: &Alternative) -> Hir {
    Hir::concat(
        alternative
            .iter()
            .map(|atom| match atom {
                Atom::Text(text) => Hir::literal(text.as_bytes()),
                Atom::Var(hir) => hir.clone(),
            })
            .collect(),
    )
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

/// Whether `origin`'s host lies under a suffix the public suffix list names, where anyone can
/// register a name.
pub(crate) fn under_known_suffix(origin: &str) -> bool {
    SerializedOrigin::parse(origin.as_bytes())
        .and_then(|parsed| psl::suffix(parsed.host.as_bytes()))
        .is_some_and(|suffix| suffix.is_known())
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

/// How a sample fills the classes of an expression.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// With each class's first preferred member.
    First,
    /// With each class's second, so that comparing with [`Fill::First`] shows what a class
    /// lets vary.
    Second,
    /// With the first, but a repetition of a class of letters with a name an attacker would
    /// register (`acme-attacker.com` for `acme-[a-z]+\.com`).
    Attacker,
}

/// Up to [`MAX_SAMPLES`] strings `hir` matches: each class filled as `fill` says, each
/// repetition at its minimum and once more.
fn samples(hir: &Hir, fill: Fill) -> Vec<String> {
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
                representative(class, fill)
                    .filter(|&c| c != '.')
                    .map(String::from),
            );
            members
        }
        HirKind::Capture(capture) => samples(&capture.sub, fill),
        HirKind::Repetition(repetition) if fill == Fill::Attacker && names_fit(repetition) => {
            vec![ATTACKER.to_owned()]
        }
        HirKind::Repetition(repetition) => {
            let inner = samples(&repetition.sub, fill);
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
                let tails = samples(part, fill);
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
            .flat_map(|branch| samples(branch, fill))
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
fn representative(class: &Class, fill: Fill) -> Option<char> {
    let mut preferred = PREFERRED.chars().filter(|&c| contains(class, c));
    let first = preferred.next();
    let chosen = if fill == Fill::Second {
        preferred.next().or(first)
    } else {
        first
    };
    chosen.or_else(|| match class {
        Class::Unicode(class) => class.ranges().first().map(|range| range.start()),
        Class::Bytes(class) => class
            .ranges()
            .first()
            .map(|range| char::from(range.start())),
    })
}

/// Whether `repetition` is of a class holding every letter of [`ATTACKER`], as many times as
/// it has letters.
fn names_fit(repetition: &regex_syntax::hir::Repetition) -> bool {
    let HirKind::Class(class) = repetition.sub.kind() else {
        return false;
    };
    let len = u32::try_from(ATTACKER.len()).unwrap_or(u32::MAX);
    ATTACKER.chars().all(|c| contains(class, c))
        && repetition.min <= len
        && repetition.max.is_none_or(|max| max >= len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::origin::regex::compile_one;

    fn findings(pattern: &str) -> Vec<Finding> {
        audit(pattern, &compile_one(pattern).unwrap())
    }

    fn unpinned(pattern: &str) -> UnpinnedFinding {
        findings(pattern)
            .into_iter()
            .find_map(|finding| match finding {
                Finding::Unpinned(unpinned) => Some(unpinned),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{pattern}: no unpinned alternative"))
    }

    fn lets_in(pattern: &str) -> Option<String> {
        unpinned(pattern).origin
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
            r"https://[a-z0-9-]+\.example\.github\.io",
            r"https://([a-z]+-dot-)?app\.example\.com",
            r"https://[a-z]+\.corp\.internal",
            r"(?i)https://APP\.example\.com",
        ] {
            assert_eq!(findings(pattern), Vec::new(), "{pattern}");
        }
    }

    #[test]
    fn a_name_glued_in_front_of_the_domain_is_let_in_without_a_dot() {
        let finding = unpinned(r"https://.*example\.com");
        assert_eq!(
            finding.origin.as_deref(),
            Some("https://attackerexample.com")
        );
        assert_eq!(finding.suffix, None);
        assert_eq!(finding.fix, PINNED_EXAMPLE);
        assert_eq!(
            lets_in(r"https://[a-z]+example\.com").as_deref(),
            Some("https://attackerexample.com")
        );
        assert_eq!(
            lets_in(r"https://[a-z]+-dot-app\.appspot\.com").as_deref(),
            Some("https://attacker-dot-app.appspot.com")
        );
    }

    #[test]
    fn another_domain_after_the_host_and_replaced_dots_are_let_in() {
        assert_eq!(
            lets_in(r"https://.*example\.com:[0-9]+").as_deref(),
            Some("https://attackerexample.com:1")
        );
        assert_eq!(
            lets_in(r"https://app\.example\.com.*").as_deref(),
            Some("https://app.example.com.attacker.net")
        );
        let dot = unpinned(r"https://app.example.com");
        assert_eq!(dot.origin.as_deref(), Some("https://appxexample.com"));
        assert_eq!(dot.fix, r"https://app\.example\.com");
    }

    #[test]
    fn every_name_under_a_public_suffix_is_found() {
        let finding = unpinned(r"https://.*\.com");
        assert_eq!(finding.origin.as_deref(), Some("https://attacker.com"));
        assert_eq!(finding.suffix.as_deref(), Some("com"));
        assert_eq!(finding.fix, PINNED_EXAMPLE);
        assert_eq!(
            lets_in(r"https://[a-z]+\.github\.io").as_deref(),
            Some("https://attacker.github.io")
        );
        assert_eq!(
            lets_in(r"https://[a-z]+\.[a-z]+\.github\.io").as_deref(),
            Some("https://a.attacker.github.io")
        );
    }

    /// The review's examples: each alternative is judged, wherever it stands.
    #[test]
    fn an_unpinned_alternative_behind_sixteen_pinned_ones_is_found() {
        let pinned: Vec<String> = ('a'..='p')
            .map(|c| format!(r"https://{c}x\.example\.net"))
            .collect();
        let pattern = format!(r"{}|https://[a-z0-9-]+\.com", pinned.join("|"));
        let finding = unpinned(&pattern);
        assert_eq!(
            finding.alternative.as_deref(),
            Some(r"https://[\-0-9a-z]+\.com")
        );
        assert_eq!(finding.others, 0);
        assert_eq!(finding.origin.as_deref(), Some("https://attacker.com"));
    }

    #[test]
    fn a_varying_name_before_a_public_suffix_is_found() {
        for (pattern, origin) in [
            (r"https://acme-[a-z]+\.com", "https://acme-attacker.com"),
            (r"https://[a-z]+[0-9]\.com", "https://attacker1.com"),
            (
                r"https://acme-[a-z]+\.github\.io",
                "https://acme-attacker.github.io",
            ),
            (r"https://(www\.)?acme[0-9]*\.com", "https://acme1.com"),
            (r"https://example\.[a-z]+", "https://example.xyz"),
        ] {
            assert_eq!(lets_in(pattern).as_deref(), Some(origin), "{pattern}");
            let fix = unpinned(pattern).fix;
            assert!(is_pinned(&fix), "{pattern}: {fix}");
        }
    }

    #[test]
    fn expressions_on_any_domain_are_found() {
        for pattern in [
            r"https?://.*",
            r"https://.+",
            r"https://[^/]+",
            r"[a-z]+://.+",
        ] {
            let finding = unpinned(pattern);
            assert!(finding.origin.is_some(), "{pattern}");
            assert!(is_pinned(&finding.fix), "{pattern}: {}", finding.fix);
        }
    }

    #[test]
    fn plain_http_is_found_but_loopback_is_not() {
        assert_eq!(
            findings(r"https?://app\.example\.com"),
            vec![Finding::Insecure {
                alternative: Some(r"http://app\.example\.com".into()),
                origin: "http://app.example.com".into(),
                fix: r"https://app\.example\.com".into(),
            }]
        );
        assert_eq!(
            findings(r"http://[a-z]+\.example\.com"),
            vec![Finding::Insecure {
                alternative: None,
                origin: "http://a.example.com".into(),
                fix: r"https://[a-z]+\.example\.com".into(),
            }]
        );
        assert_eq!(findings(r"https?://localhost(:[0-9]+)?"), Vec::new());
        assert_eq!(
            findings(r"http://(127\.0\.0\.1|\[::1\]):[0-9]+"),
            Vec::new()
        );
    }

    #[test]
    fn too_many_alternatives_are_a_finding() {
        let pattern = format!("https://{}", "(ab|cd)".repeat(11));
        assert_eq!(findings(&pattern), vec![Finding::TooManyAlternatives]);
    }

    #[test]
    fn sampling_is_bounded() {
        let pattern = format!("https://{}", "(a|b|c|d)".repeat(40));
        let samples = samples(
            &regex_syntax::Parser::new().parse(&pattern).unwrap(),
            Fill::First,
        );
        assert!(samples.len() <= MAX_SAMPLES);
        assert!(samples.iter().all(|s| s.len() <= MAX_SAMPLE_LEN));
        let samples = samples_of("a{100000}");
        assert!(samples.iter().all(|s| s.len() <= MAX_SAMPLE_LEN));
    }

    fn samples_of(pattern: &str) -> Vec<String> {
        samples(
            &regex_syntax::Parser::new().parse(pattern).unwrap(),
            Fill::First,
        )
    }
}
