//! A literal test run before the regular expressions: every origin a pattern can match starts
//! with one of its required prefixes (the scheme and whatever literal follows it) and ends with
//! one of its required suffixes, so an origin that fits no pattern's pair is refused without
//! running the automaton. The literals come from regex-syntax's own extraction, which is exact
//! about what every match must begin and end with, so the test never refuses a match.

use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::Hir;

/// What one pattern's matches must start and end with; `None` when anything may match.
#[derive(Debug, Default)]
pub(crate) struct Prefilter {
    /// One entry per pattern. `None` as a whole when some pattern has no usable literal, since
    /// that pattern could match anything the others refuse.
    patterns: Option<Vec<Affixes>>,
}

#[derive(Debug)]
struct Affixes {
    prefixes: Vec<Box<[u8]>>,
    suffixes: Vec<Box<[u8]>>,
}

impl Affixes {
    fn admits(&self, origin: &[u8]) -> bool {
        self.prefixes.iter().any(|p| origin.starts_with(p))
            && self.suffixes.iter().any(|s| origin.ends_with(s))
    }
}

impl Prefilter {
    /// The prefilter of the set of `patterns`, each as the set compiles it (anchored).
    pub(crate) fn new(patterns: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        let patterns = patterns
            .into_iter()
            .map(|pattern| {
                let hir = regex_syntax::parse(pattern.as_ref()).ok()?;
                Some(Affixes {
                    prefixes: literals(&hir, ExtractKind::Prefix)?,
                    suffixes: literals(&hir, ExtractKind::Suffix)?,
                })
            })
            .collect();
        Self { patterns }
    }

    /// Whether some pattern may match `origin`; `false` means none can.
    #[inline]
    pub(crate) fn admits(&self, origin: &[u8]) -> bool {
        match &self.patterns {
            None => true,
            Some(patterns) => patterns.iter().any(|affixes| affixes.admits(origin)),
        }
    }
}

/// More literals than this are checked as their longest common affix instead.
const MAX_LITERALS: usize = 8;

/// The literals every match of `hir` starts (or ends) with; `None` when they are unknown or
/// when one is empty, which every origin would pass.
fn literals(hir: &Hir, kind: ExtractKind) -> Option<Vec<Box<[u8]>>> {
    let prefix = kind.is_prefix();
    let seq: Seq = Extractor::new().kind(kind).extract(hir);
    let literals = seq.literals()?;
    let mut kept: Vec<Box<[u8]>> = if literals.len() <= MAX_LITERALS {
        literals
            .iter()
            .map(|literal| literal.as_bytes().into())
            .collect()
    } else {
        // Every literal starts (or ends) with the common part, so testing it alone stays sound.
        let common = match prefix {
            true => seq.longest_common_prefix(),
            false => seq.longest_common_suffix(),
        };
        vec![common?.into()]
    };
    if kept.iter().any(|literal| literal.is_empty()) {
        return None;
    }
    kept.dedup();
    Some(kept)
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::string::string_regex;
    use regex::RegexSet;

    use super::Prefilter;
    use crate::policy::origin::regex::anchored;
    use crate::policy::origin::serialized::SerializedOrigin;
    use crate::policy::origin::{OriginMatch, OriginMatcher};

    fn prefilter(patterns: &[&str]) -> Prefilter {
        Prefilter::new(patterns.iter().map(|p| anchored(p)))
    }

    #[test]
    fn an_origin_without_a_patterns_literals_is_refused_before_the_set() {
        let filter = prefilter(&[r"https://(app|admin|pr-[0-9]+)\.example\.com"]);
        for allowed in ["https://app.example.com", "https://pr-12.example.com"] {
            assert!(filter.admits(allowed.as_bytes()), "{allowed}");
        }
        for refused in [
            "https://evil.example",
            "http://app.example.com",
            "https://app.example.com.evil.net",
        ] {
            assert!(!filter.admits(refused.as_bytes()), "{refused}");
        }
        // Each pattern's own literals: one pattern's prefix with another's suffix is refused.
        let filter = prefilter(&[r"https://a\.one\.com", r"wss://b\.two\.org"]);
        assert!(filter.admits(b"wss://b.two.org"));
        assert!(!filter.admits(b"https://b.two.org"));
    }

    #[test]
    fn a_pattern_without_required_literals_turns_the_prefilter_off() {
        for open in [".*", "[a-z]+://[a-z.]+", "(?i)x|.+"] {
            let filter = prefilter(&[open, r"https://a\.example"]);
            assert!(filter.admits(b"anything at all"), "{open}");
        }
    }

    /// Regular expressions built from the pieces origin patterns are made of.
    fn pattern() -> impl Strategy<Value = String> {
        let scheme = prop::sample::select(vec![
            "https://",
            "http://",
            "https?://",
            "(https|wss)://",
            "[a-z]+://",
            "(?i:HTTPS)://",
        ]);
        let label = prop::sample::select(vec![
            "app",
            "[a-z]+",
            "[a-z0-9-]{1,20}",
            "(app|admin)",
            "pr-[0-9]+",
            "(?i:app)",
            ".*",
            "x?",
            "[^.]+",
            "",
        ]);
        let domain = prop::sample::select(vec![
            r"\.example\.com",
            r"\.example\.(com|org)",
            r"(\.[a-z]+)*",
            r"\.com",
            "",
        ]);
        let port = prop::sample::select(vec!["", ":[0-9]+", "(:8080)?", ":3000"]);
        let one = (scheme, vec(label, 1..3), domain, port)
            .prop_map(|(s, labels, d, p)| format!("{s}{}{d}{p}", labels.join(r"\.")));
        prop_oneof![
            3 => one.clone(),
            1 => (one.clone(), one).prop_map(|(a, b)| format!("{a}|{b}")),
        ]
    }

    /// Patterns, origins each one matches, and origins from the same pieces that may not.
    fn case() -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
        vec(pattern(), 1..4).prop_flat_map(|patterns| {
            let matching: Vec<_> = patterns
                .iter()
                .filter_map(|p| string_regex(p).ok())
                .collect();
            let noise = string_regex(
                r"(https?|wss?|ftp)://(app|admin|pr-[0-9]{1,3}|[a-z.-]{0,12})(\.example)?(\.(com|org))?(:[0-9]{1,4})?",
            )
            .expect("a valid generator");
            (Just(patterns), matching, vec(noise, 0..8))
                .prop_map(|(patterns, mut origins, noise)| {
                    origins.extend(noise);
                    (patterns, origins)
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The matcher, prefilter included, allows exactly what the plain `RegexSet` matches
        /// among serialized origins.
        #[test]
        fn the_prefilter_never_changes_a_decision((patterns, origins) in case()) {
            let anchored: Vec<String> = patterns.iter().map(|p| anchored(p)).collect();
            let Ok(set) = RegexSet::new(&anchored) else {
                return Ok(());
            };
            let mut matcher = OriginMatcher::default();
            matcher.set_regexes(set.clone(), &patterns);
            for origin in &origins {
                let Ok(value) = HeaderValue::from_str(origin) else {
                    continue;
                };
                let expected = SerializedOrigin::parse(origin.as_bytes()).is_some()
                    && set.is_match(origin);
                let allowed = matches!(matcher.find(&value), OriginMatch::Pattern);
                prop_assert_eq!(allowed, expected, "{:?} against {:?}", origin, patterns);
            }
        }
    }
}
