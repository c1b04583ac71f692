//! The structure of a regular-expression origin: every alternative it can take, each a sequence
//! of literal text and variable parts, and whether that alternative pins its host to a domain.
//!
//! An expression is judged by all of its alternatives, never by a few strings it matches, so no
//! arrangement of harmless alternatives can hide one that lets any site in. Alternations, groups
//! and optional parts (`?`) are expanded into alternatives (alternations in sequence as their
//! cross product), up to [`MAX_ALTERNATIVES`]; every other repetition stays one variable part.
//!
//! Only valid serialized origins ever reach an expression (`scheme://host[:port]`, ASCII, with
//! the lowercase host the URL Standard's host serializer writes), so only the ASCII members of a
//! class matter, and a class of one letter in both cases (`[Ee]`, from `(?i)`) is that letter.
//!
//! An alternative pins its host when the host, after the scheme's `://`, is literal text (one
//! host), or ends in literal text that holds a whole registrable domain (by the public suffix
//! list, <https://publicsuffix.org/list/>) right after a `.` or after the `://`; followed only
//! by a port of digits. Every host such an alternative matches is that domain or a subdomain of
//! it, which only the domain's owner can serve.

use regex_syntax::hir::{Class, Hir, HirKind};

use crate::policy::origin::is_loopback;

/// Most alternatives an expression is expanded into; one with more is not judged, and is treated
/// as one that lets any site in.
pub(crate) const MAX_ALTERNATIVES: usize = 1024;
/// Longest counted repetition (`/{2}`) written out as that many copies.
const MAX_COPIES: u32 = 8;

/// A set of ASCII characters, one bit each.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Ascii(u128);

impl Ascii {
    const DIGITS: Self = Self(0x3ff << b'0');

    fn of_class(class: &Class) -> Self {
        let mut bits = 0u128;
        let mut add = |start: u32, end: u32| {
            for c in start..=end.min(127) {
                bits |= 1 << c;
            }
        };
        match class {
            Class::Unicode(class) => {
                for range in class.ranges() {
                    add(u32::from(range.start()), u32::from(range.end()));
                }
            }
            Class::Bytes(class) => {
                for range in class.ranges() {
                    add(u32::from(range.start()), u32::from(range.end()));
                }
            }
        }
        Self(bits)
    }

    fn of_text(text: &[u8]) -> Self {
        Self(
            text.iter()
                .filter(|b| b.is_ascii())
                .fold(0, |bits, &b| bits | 1 << b),
        )
    }

    fn is_empty(self) -> bool {
        self.0 == 0
    }

    fn is_subset_of(self, other: Self) -> bool {
        self.0 & !other.0 == 0
    }

    /// The one character of the set, or the lowercase letter of a set holding just its two
    /// cases.
    fn one_char(self) -> Option<u8> {
        let first = u8::try_from(self.0.trailing_zeros()).ok()?;
        match self.0.count_ones() {
            1 => Some(first),
            2 if first.is_ascii_uppercase()
                && self.0 == 1 << first | 1 << first.to_ascii_lowercase() =>
            {
                Some(first.to_ascii_lowercase())
            }
            _ => None,
        }
    }

    fn members(self) -> impl Iterator<Item = u8> {
        (0..128u8).filter(move |&c| self.0 & 1 << c != 0)
    }
}

/// A part of one alternative.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Atom {
    /// Text matched as written.
    Text(String),
    /// A class or a repetition: text that varies.
    Var(Hir),
}

/// One alternative of an expression: the parts it is a sequence of, adjacent texts joined.
pub(crate) type Alternative = Vec<Atom>;

/// Every alternative of `hir`, or `None` when there are more than [`MAX_ALTERNATIVES`].
/// Alternatives that can match no origin (a class without ASCII members) are left out.
pub(crate) fn alternatives(hir: &Hir) -> Option<Vec<Alternative>> {
    let mut alternatives = expand(hir)?;
    for alternative in &mut alternatives {
        join_texts(alternative);
    }
    Some(alternatives)
}

fn expand(hir: &Hir) -> Option<Vec<Alternative>> {
    let one = |atom| Some(vec![vec![atom]]);
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(vec![Vec::new()]),
        HirKind::Literal(literal) => {
            one(Atom::Text(String::from_utf8_lossy(&literal.0).into_owned()))
        }
        HirKind::Class(class) => {
            let members = Ascii::of_class(class);
            if members.is_empty() {
                Some(Vec::new())
            } else if let Some(c) = members.one_char() {
                one(Atom::Text(char::from(c).to_string()))
            } else {
                one(Atom::Var(hir.clone()))
            }
        }
        HirKind::Capture(capture) => expand(&capture.sub),
        HirKind::Alternation(branches) => {
            let mut out = Vec::new();
            for branch in branches {
                out.extend(expand(branch)?);
                if out.len() > MAX_ALTERNATIVES {
                    return None;
                }
            }
            Some(out)
        }
        HirKind::Concat(parts) => {
            let mut out = vec![Vec::new()];
            for part in parts {
                out = product(&out, &expand(part)?)?;
            }
            Some(out)
        }
        HirKind::Repetition(repetition) => {
            let sub = expand(&repetition.sub)?;
            let (min, max) = (repetition.min, repetition.max);
            if min == 0 && max == Some(1) {
                let mut out = vec![Vec::new()];
                out.extend(sub);
                return (out.len() <= MAX_ALTERNATIVES).then_some(out);
            }
            if max == Some(min) && min <= MAX_COPIES {
                let mut out = vec![Vec::new()];
                for _ in 0..min {
                    out = product(&out, &sub)?;
                }
                return Some(out);
            }
            match (sub.is_empty(), min) {
                // Only the empty string, or nothing, can match.
                (true, 0) => Some(vec![Vec::new()]),
                (true, _) => Some(Vec::new()),
                _ => one(Atom::Var(hir.clone())),
            }
        }
    }
}

/// Each of `heads` followed by each of `tails`.
fn product(heads: &[Alternative], tails: &[Alternative]) -> Option<Vec<Alternative>> {
    if heads.len().saturating_mul(tails.len()) > MAX_ALTERNATIVES {
        return None;
    }
    Some(
        heads
            .iter()
            .flat_map(|head| {
                tails.iter().map(move |tail| {
                    let mut joined = head.clone();
                    joined.extend(tail.iter().cloned());
                    joined
                })
            })
            .collect(),
    )
}

fn join_texts(alternative: &mut Alternative) {
    let mut joined: Alternative = Vec::with_capacity(alternative.len());
    for atom in alternative.drain(..) {
        match (joined.last_mut(), atom) {
            (_, Atom::Text(text)) if text.is_empty() => {}
            (Some(Atom::Text(before)), Atom::Text(text)) => before.push_str(&text),
            (_, atom) => joined.push(atom),
        }
    }
    *alternative = joined;
}

/// What one alternative's host is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Host {
    /// Written out in full: this one host.
    Literal(String),
    /// This domain (which holds a registrable domain, or is loopback) and its subdomains.
    UnderDomain(String),
    /// Not pinned to a domain.
    Unpinned(Unpinned),
}

/// Why an alternative's host is not pinned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Unpinned {
    /// There is no literal `://` for a host to follow.
    NoScheme,
    /// The host ends in a part that varies (`https://.*`, `https://example\.[a-z]+`).
    VariableEnd,
    /// The host ends in this literal text (lowercase), which does not hold a registrable domain
    /// where the varying part before it ends (`.com` in `https://[a-z]+\.com`, `example.com` in
    /// `https://.*example\.com`).
    Tail(String),
    /// After the host's `:` comes something other than a port of digits.
    Port,
}

/// One alternative, taken apart.
#[derive(Clone, Debug)]
pub(crate) struct Judged {
    /// The part before `://`, as a regex (empty when there is no literal `://`).
    pub(crate) scheme: String,
    /// The part after `://` (host and port), as a regex.
    pub(crate) host_and_port: String,
    /// The scheme when written out in full.
    pub(crate) literal_scheme: Option<String>,
    pub(crate) host: Host,
    /// The port part after the host, as a regex (`:8080`, `:[0-9]+`), or empty.
    pub(crate) port: String,
}

impl Judged {
    pub(crate) fn is_pinned(&self) -> bool {
        !matches!(self.host, Host::Unpinned(_))
    }

    /// Whether every host it matches is a loopback host (or it matches none).
    pub(crate) fn is_loopback(&self) -> bool {
        match &self.host {
            Host::Literal(host) | Host::UnderDomain(host) => is_loopback(host),
            Host::Unpinned(_) => false,
        }
    }
}

/// Takes `alternative` apart into scheme, host and port, and judges its host.
pub(crate) fn judge(alternative: &[Atom]) -> Judged {
    let delimiter = alternative
        .iter()
        .enumerate()
        .find_map(|(i, atom)| match atom {
            Atom::Text(text) => text.find("://").map(|at| (i, text, at)),
            Atom::Var(_) => None,
        });
    let Some((index, text, at)) = delimiter else {
        return Judged {
            scheme: String::new(),
            host_and_port: String::new(),
            literal_scheme: None,
            host: Host::Unpinned(Unpinned::NoScheme),
            port: String::new(),
        };
    };
    let mut scheme_atoms: Alternative = alternative[..index].to_vec();
    scheme_atoms.push(Atom::Text(text[..at].to_owned()));
    join_texts(&mut scheme_atoms);
    let literal_scheme = match scheme_atoms.as_slice() {
        [Atom::Text(scheme)] => Some(scheme.to_ascii_lowercase()),
        _ => None,
    };
    let mut rest: Alternative = vec![Atom::Text(text[at + 3..].to_owned())];
    rest.extend(alternative[index + 1..].iter().cloned());
    join_texts(&mut rest);
    let host_and_port = print(&rest);
    let (host_atoms, port_atoms) = split_port(rest);
    let port = print(&port_atoms);
    let host = if port_atoms.is_empty() || is_port(&port_atoms) {
        judge_host(&host_atoms)
    } else {
        Host::Unpinned(Unpinned::Port)
    };
    Judged {
        scheme: print(&scheme_atoms),
        host_and_port,
        literal_scheme,
        host,
        port,
    }
}

/// The host's parts and the port's (from its `:`): the first literal `:` outside an IPv6
/// address's brackets starts the port, since a host holds no `:` (RFC 3986, section 3.2.2).
fn split_port(mut rest: Alternative) -> (Alternative, Alternative) {
    let mut in_brackets = false;
    for i in 0..rest.len() {
        let Atom::Text(text) = &rest[i] else {
            continue;
        };
        let colon = text.char_indices().find_map(|(at, c)| {
            match c {
                '[' => in_brackets = true,
                ']' => in_brackets = false,
                ':' if !in_brackets => return Some(at),
                _ => {}
            }
            None
        });
        if let Some(at) = colon {
            let (host, port) = (text[..at].to_owned(), text[at..].to_owned());
            let mut port_atoms = vec![Atom::Text(port)];
            port_atoms.extend(rest.drain(i + 1..));
            rest[i] = Atom::Text(host);
            join_texts(&mut rest);
            return (rest, port_atoms);
        }
    }
    (rest, Vec::new())
}

/// Whether `atoms` (starting with `:`) can only be a port: digits, as written or from classes
/// of digits.
fn is_port(atoms: &[Atom]) -> bool {
    atoms.iter().enumerate().all(|(i, atom)| match atom {
        Atom::Text(text) => {
            let digits = if i == 0 { &text[1..] } else { text.as_str() };
            digits.bytes().all(|b| b.is_ascii_digit())
        }
        Atom::Var(hir) => chars(hir).is_subset_of(Ascii::DIGITS),
    })
}

fn judge_host(atoms: &[Atom]) -> Host {
    let Some(Atom::Text(tail)) = atoms.last() else {
        return Host::Unpinned(Unpinned::VariableEnd);
    };
    let tail = tail.to_ascii_lowercase();
    let before = &atoms[..atoms.len() - 1];
    if before.is_empty() {
        return Host::Literal(tail);
    }
    // What stays of the host whatever the varying parts match: the whole tail when a `.` ends
    // what comes before it, else the labels after the tail's first dot.
    let after_dot = ends_in_dot(before)
        .then_some(tail.as_str())
        .or_else(|| tail.split_once('.').map(|(_, rest)| rest));
    let domain = after_dot.map(|domain| domain.trim_start_matches('.'));
    match domain {
        Some(domain) if holds_registrable_domain(domain) || is_loopback(domain) => {
            Host::UnderDomain(domain.to_owned())
        }
        _ => Host::Unpinned(Unpinned::Tail(tail)),
    }
}

/// Whether `domain` is a registrable domain or a name under one: a public suffix alone is not,
/// nor is an IPv4 address's tail (a last label of digits makes a host an IPv4 address, by the
/// URL Standard's "ends in a number checker").
pub(crate) fn holds_registrable_domain(domain: &str) -> bool {
    let last = domain.rsplit('.').next().unwrap_or_default();
    !last.is_empty()
        && !last.bytes().all(|b| b.is_ascii_digit())
        && domain.split('.').all(|label| !label.is_empty())
        && psl::domain(domain.as_bytes()).is_some()
}

/// Whether every match of `atoms` that is not empty ends in `.`, so that the text after it
/// starts a label (an empty match leaves the text right after `://`).
fn ends_in_dot(atoms: &[Atom]) -> bool {
    let mut all_dot = true;
    for atom in atoms.iter().rev() {
        let (dot, empty) = match atom {
            Atom::Text(text) => (text.ends_with('.'), text.is_empty()),
            Atom::Var(hir) => tail(hir),
        };
        all_dot &= dot;
        if !empty {
            break;
        }
    }
    all_dot
}

/// `(every non-empty match ends in '.', some match is empty)`.
fn tail(hir: &Hir) -> (bool, bool) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => (true, true),
        HirKind::Literal(literal) => (literal.0.last() == Some(&b'.'), literal.0.is_empty()),
        HirKind::Class(class) => (
            Ascii::of_class(class).is_subset_of(Ascii::of_text(b".")),
            false,
        ),
        HirKind::Capture(capture) => tail(&capture.sub),
        HirKind::Repetition(repetition) => {
            let (dot, empty) = tail(&repetition.sub);
            (dot, empty || repetition.min == 0)
        }
        HirKind::Concat(parts) => {
            let mut all_dot = true;
            for part in parts.iter().rev() {
                let (dot, empty) = tail(part);
                all_dot &= dot;
                if !empty {
                    return (all_dot, false);
                }
            }
            (all_dot, true)
        }
        HirKind::Alternation(branches) => branches
            .iter()
            .map(tail)
            .fold((true, false), |(all_dot, any_empty), (dot, empty)| {
                (all_dot && dot, any_empty || empty)
            }),
    }
}

/// The ASCII characters `hir` can match.
fn chars(hir: &Hir) -> Ascii {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Ascii(0),
        HirKind::Literal(literal) => Ascii::of_text(&literal.0),
        HirKind::Class(class) => Ascii::of_class(class),
        HirKind::Capture(capture) => chars(&capture.sub),
        HirKind::Repetition(repetition) => chars(&repetition.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            Ascii(parts.iter().fold(0, |bits, part| bits | chars(part).0))
        }
    }
}

/// `atoms` as a regular expression that matches the same origins.
pub(crate) fn print(atoms: &[Atom]) -> String {
    let mut out = String::new();
    for atom in atoms {
        match atom {
            Atom::Text(text) => push_text(&mut out, text),
            Atom::Var(hir) => print_hir(&mut out, hir),
        }
    }
    out
}

fn push_text(out: &mut String, text: &str) {
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#".contains(c) {
            out.push('\\');
            out.push(c);
        } else if c.is_ascii_graphic() {
            out.push(c);
        } else {
            out.push_str(&format!("\\x{{{:X}}}", u32::from(c)));
        }
    }
}

fn print_hir(out: &mut String, hir: &Hir) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => push_text(out, &String::from_utf8_lossy(&literal.0)),
        HirKind::Class(class) => push_class(out, Ascii::of_class(class)),
        HirKind::Capture(capture) => {
            out.push('(');
            print_hir(out, &capture.sub);
            out.push(')');
        }
        HirKind::Concat(parts) => parts.iter().for_each(|part| print_hir(out, part)),
        HirKind::Alternation(branches) => {
            out.push_str("(?:");
            for (i, branch) in branches.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                print_hir(out, branch);
            }
            out.push(')');
        }
        HirKind::Repetition(repetition) => {
            let atomic = match repetition.sub.kind() {
                HirKind::Class(_) | HirKind::Capture(_) | HirKind::Alternation(_) => true,
                HirKind::Literal(literal) => literal.0.len() == 1,
                _ => false,
            };
            if atomic {
                print_hir(out, &repetition.sub);
            } else {
                out.push_str("(?:");
                print_hir(out, &repetition.sub);
                out.push(')');
            }
            match (repetition.min, repetition.max) {
                (0, None) => out.push('*'),
                (1, None) => out.push('+'),
                (0, Some(1)) => out.push('?'),
                (min, None) => out.push_str(&format!("{{{min},}}")),
                (min, Some(max)) if min == max => out.push_str(&format!("{{{min}}}")),
                (min, Some(max)) => out.push_str(&format!("{{{min},{max}}}")),
            }
            if !repetition.greedy {
                out.push('?');
            }
        }
    }
}

/// A class by its ASCII members, the way a person would write it: `.` for every character but
/// a line feed, `[^/]` when fewer characters are left out than kept.
fn push_class(out: &mut String, members: Ascii) {
    const ALL_BUT_LINE_FEED: u128 = !(1 << b'\n');
    if members.0 == ALL_BUT_LINE_FEED || members.0 == !0 {
        out.push('.');
        return;
    }
    let (negated, shown) = if members.0.count_ones() > 64 {
        (true, Ascii(!members.0))
    } else {
        (false, members)
    };
    out.push('[');
    if negated {
        out.push('^');
    }
    let chars: Vec<u8> = shown.members().collect();
    let mut i = 0;
    while i < chars.len() {
        let mut end = i;
        while end + 1 < chars.len() && chars[end + 1] == chars[end] + 1 {
            end += 1;
        }
        push_class_char(out, chars[i]);
        if end > i + 1 {
            out.push('-');
            push_class_char(out, chars[end]);
        } else if end == i + 1 {
            push_class_char(out, chars[end]);
        }
        i = end + 1;
    }
    out.push(']');
}

fn push_class_char(out: &mut String, c: u8) {
    // What has a meaning inside brackets (ranges, negation, nesting and the set operators
    // `&&`, `--`, `~~`) is escaped; other punctuation reads as itself.
    if c.is_ascii_graphic() && !b"\\[]^-&~".contains(&c) {
        out.push(char::from(c));
    } else if c.is_ascii_graphic() {
        out.push('\\');
        out.push(char::from(c));
    } else {
        out.push_str(&format!("\\x{{{c:X}}}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alternatives_of(pattern: &str) -> Vec<Alternative> {
        alternatives(&regex_syntax::Parser::new().parse(pattern).unwrap()).unwrap()
    }

    fn hosts(pattern: &str) -> Vec<Host> {
        alternatives_of(pattern)
            .iter()
            .map(|alternative| judge(alternative).host)
            .collect()
    }

    #[test]
    fn optional_parts_and_alternations_are_expanded_into_alternatives() {
        let printed: Vec<String> = alternatives_of(r"https://(www\.)?(a|bc)\.example\.com")
            .iter()
            .map(|a| print(a))
            .collect();
        assert_eq!(
            printed,
            [
                r"https://a\.example\.com",
                r"https://bc\.example\.com",
                r"https://www\.a\.example\.com",
                r"https://www\.bc\.example\.com",
            ]
        );
    }

    #[test]
    fn case_insensitive_letters_read_as_lowercase_text() {
        assert_eq!(
            hosts(r"(?i)https://App\.Example\.com"),
            [Host::Literal("app.example.com".into())]
        );
    }

    #[test]
    fn a_domain_after_a_dot_or_after_the_scheme_pins_the_host() {
        for pattern in [
            r"https://[a-z0-9-]+\.example\.com",
            r"https://([a-z0-9-]+\.)*example\.com",
            r"https://.*\.example\.com(:[0-9]+)?",
            r"https://[a-z]+-dot-app\.example\.com",
            r"http://[a-z]+\.localhost:[0-9]{2,5}",
        ] {
            for host in hosts(pattern) {
                assert!(matches!(host, Host::UnderDomain(_)), "{pattern}: {host:?}");
            }
        }
    }

    #[test]
    fn a_host_that_ends_in_a_public_suffix_or_a_varying_part_is_not_pinned() {
        for (pattern, why) in [
            (r"https://[a-z]+\.com", Unpinned::Tail(".com".into())),
            (
                r"https://.*example\.com",
                Unpinned::Tail("example.com".into()),
            ),
            (r"https://example\.[a-z]+", Unpinned::VariableEnd),
            (r"https://.+", Unpinned::VariableEnd),
            (r".*", Unpinned::NoScheme),
            (r"https://example\.com:.*", Unpinned::Port),
            (r"https://10\.0\.[0-9]+\.1", Unpinned::Tail(".1".into())),
        ] {
            assert_eq!(hosts(pattern), [Host::Unpinned(why)], "{pattern}");
        }
    }

    #[test]
    fn printed_alternatives_are_expressions_for_the_same_origins() {
        for (pattern, printed) in [
            (r"https://[^/]+", r"https://[^/]+"),
            (r"https?://.*", r"https://.*"),
            (
                r"https://([a-z0-9-]+\.)*x\.com",
                r"https://([\-0-9a-z]+\.)*x\.com",
            ),
            (
                r"https://pr-\d{1,5}\.x\.com",
                r"https://pr-[0-9]{1,5}\.x\.com",
            ),
        ] {
            let alternatives = alternatives_of(pattern);
            let last = alternatives.last().unwrap();
            assert_eq!(print(last), printed, "{pattern}");
            assert!(regex::Regex::new(&print(last)).is_ok(), "{pattern}");
        }
    }

    #[test]
    fn expansion_is_bounded() {
        let pattern = format!("https://{}", "(ab|cd)".repeat(11));
        let hir = regex_syntax::Parser::new().parse(&pattern).unwrap();
        assert_eq!(alternatives(&hir), None);
        let pattern = format!("https://{}x\\.com", "(ab|cd)".repeat(10));
        let hir = regex_syntax::Parser::new().parse(&pattern).unwrap();
        assert_eq!(alternatives(&hir).map(|a| a.len()), Some(1024));
    }
}
