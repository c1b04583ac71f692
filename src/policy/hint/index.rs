//! The allowlist as hints read it, indexed once per policy (on the first hint) so that looking
//! for a refused origin's near miss costs a few hash lookups and a bounded number of
//! comparisons, whatever the allowlist's size: entries are found by host (and by the domain of
//! a wildcard), and misspellings by the rare substrings they share with the origin, so that
//! only a few entries are compared with it edit by edit.

use std::collections::HashMap;

use crate::config::CorsConfig;
use crate::edit_distance::edit_distance_within;
use crate::policy::origin::any_suffix_at_depths;
use crate::policy::origin::entry::{parse_entry, Entry, HostPattern, Pattern, PortPattern};
use crate::policy::origin::hash::BuildFastHasher;
use crate::policy::origin::serialized::SerializedOrigin;

/// Most edits between a refused origin and an entry for the entry to be a misspelling of it.
const MAX_TYPOS: usize = 2;
/// Most entries whose host relates to the origin's that are compared with it.
const MAX_RELATED: usize = 64;
/// Most entries compared with the origin, edit by edit, as possible misspellings.
const MAX_SPELLING_CANDIDATES: usize = 8;

/// Host or domain to the entries (indexes into `patterns`) with it.
type Table = HashMap<Box<str>, Vec<u32>, BuildFastHasher>;

/// The allowlist as hints read it: every origin entry as a pattern, indexed by host and by
/// spelling, and the regexes compiled without the implicit anchors.
#[derive(Debug)]
pub(crate) struct HintIndex {
    pub(super) patterns: Vec<(String, Pattern)>,
    /// Entries with an exact host (`https://app.example.com`, `http://localhost:*`).
    by_host: Table,
    /// Wildcard entries, by the domain under the wildcard.
    by_domain: Table,
    /// How many labels the wildcard domains have, sorted: only parents of the origin's host
    /// with one of these counts are looked up.
    domain_labels: Vec<usize>,
    spelling: Spelling,
    #[cfg(feature = "regex")]
    pub(super) regexes: Vec<(String, regex::Regex)>,
}

impl HintIndex {
    pub(crate) fn new(config: &CorsConfig) -> Self {
        let patterns: Vec<(String, Pattern)> = config
            .allowed_origins
            .iter()
            .filter_map(|raw| Some((raw.clone(), as_pattern(parse_entry(raw).ok()?)?)))
            .collect();
        let mut by_host = Table::default();
        let mut by_domain = Table::default();
        let mut domain_labels = Vec::new();
        for (i, (_, pattern)) in patterns.iter().enumerate() {
            let (table, key) = match &pattern.host {
                HostPattern::Exact(host) => (&mut by_host, host),
                HostPattern::OneLabel(domain) | HostPattern::AnyDepth(domain) => {
                    domain_labels.push(domain.split('.').count());
                    (&mut by_domain, domain)
                }
            };
            table
                .entry(key.as_str().into())
                .or_insert_with(Vec::new)
                .push(i as u32);
        }
        domain_labels.sort_unstable();
        domain_labels.dedup();
        let spelling = Spelling::new(patterns.iter().map(|(raw, _)| raw.as_bytes()));
        Self {
            patterns,
            by_host,
            by_domain,
            domain_labels,
            spelling,
            #[cfg(feature = "regex")]
            regexes: config
                .allowed_origin_regexes
                .iter()
                .filter_map(|raw| Some((raw.clone(), regex::Regex::new(raw).ok()?)))
                .collect(),
        }
    }

    /// The entries whose host relates to `host`, in list order: the same host (another scheme
    /// or port), the host with or without `www.`, another name of this machine, a wildcard
    /// over the host or over its apex.
    pub(super) fn related(&self, host: &str) -> Vec<usize> {
        const LOOPBACK: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];
        let mut found: Vec<usize> = Vec::new();
        let mut add = |table: &Table, key: &str| {
            if let Some(entries) = table.get(key) {
                found.extend(entries.iter().map(|&i| i as usize));
            }
        };
        add(&self.by_host, host);
        match host.strip_prefix("www.") {
            Some(apex) => add(&self.by_host, apex),
            None => add(&self.by_host, &format!("www.{host}")),
        }
        if LOOPBACK.contains(&host) {
            for other in LOOPBACK.iter().filter(|&&other| other != host) {
                add(&self.by_host, other);
            }
        }
        if !self.by_domain.is_empty() && !host.starts_with('[') {
            add(&self.by_domain, host);
            any_suffix_at_depths(host, &self.domain_labels, |domain| {
                add(&self.by_domain, domain);
                false
            });
        }
        found.sort_unstable();
        found.dedup();
        found.truncate(MAX_RELATED);
        found
    }

    /// The entry spelled most like `origin`, within [`MAX_TYPOS`] edits, and the number of
    /// edits; the first listed among equally close ones.
    pub(super) fn misspelt(&self, origin: &[u8]) -> Option<(usize, &str)> {
        let mut candidates = self.spelling.candidates(origin);
        candidates.sort_unstable();
        candidates
            .into_iter()
            .filter_map(|i| {
                let raw = self.patterns[i].0.as_str();
                let distance = edit_distance_within(origin, raw.as_bytes(), MAX_TYPOS)?;
                Some((distance, raw))
            })
            .filter(|(distance, _)| *distance > 0)
            .min_by_key(|(distance, _)| *distance)
    }
}

/// Entries by the three-byte substrings they contain, for [`HintIndex::misspelt`]. An entry
/// a few edits from the origin shares most of its substrings; the rare ones (in few entries)
/// tell entries apart, while the common ones (`htt`, `.co`) are skipped.
#[derive(Debug, Default)]
struct Spelling {
    /// Every substring of every entry, as [`pack`] packs it.
    grams: HashMap<u32, Vec<u32>, BuildFastHasher>,
    lengths: Vec<usize>,
}

/// The substring length of the misspelling index.
const GRAM: usize = 3;
/// Substrings found in more entries than this are too common to tell entries apart.
const MAX_GRAM_ENTRIES: usize = 32;
/// Most entry hits counted for one origin.
const MAX_HITS: usize = 1024;

impl Spelling {
    fn new<'a>(entries: impl Iterator<Item = &'a [u8]>) -> Self {
        let mut spelling = Spelling::default();
        for (i, entry) in entries.enumerate() {
            for gram in entry.windows(GRAM) {
                let list = spelling.grams.entry(pack(gram)).or_default();
                // Each entry once per substring, however often it occurs.
                if list.last() != Some(&(i as u32)) {
                    list.push(i as u32);
                }
            }
            spelling.lengths.push(entry.len());
        }
        spelling
    }

    /// The entries that share the most rare substrings with `origin`, among those whose
    /// length is within [`MAX_TYPOS`] of its: at most [`MAX_SPELLING_CANDIDATES`], in list
    /// order.
    fn candidates(&self, origin: &[u8]) -> Vec<usize> {
        let mut hits: HashMap<u32, usize, BuildFastHasher> = HashMap::default();
        let mut counted = 0;
        // The origin's substrings side by side, not overlapping: the entries' are indexed at
        // every offset, so each still meets its match, and a near miss keeps most of them.
        for gram in origin.chunks_exact(GRAM) {
            let Some(entries) = self.grams.get(&pack(gram)) else {
                continue;
            };
            if entries.len() > MAX_GRAM_ENTRIES {
                continue;
            }
            for &i in entries {
                if self.lengths[i as usize].abs_diff(origin.len()) <= MAX_TYPOS {
                    *hits.entry(i).or_default() += 1;
                }
            }
            counted += entries.len();
            if counted >= MAX_HITS {
                break;
            }
        }
        let mut ranked: Vec<(usize, u32)> = hits.into_iter().map(|(i, n)| (n, i)).collect();
        // Most hits first, then list order.
        ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut found: Vec<usize> = ranked
            .into_iter()
            .take(MAX_SPELLING_CANDIDATES)
            .map(|(_, i)| i as usize)
            .collect();
        found.sort_unstable();
        found
    }
}

/// A substring of [`GRAM`] bytes as one key.
fn pack(gram: &[u8]) -> u32 {
    gram.iter().fold(0, |key, &b| key << 8 | u32::from(b))
}

/// The entry as a pattern, exact origins included.
fn as_pattern(entry: Entry) -> Option<Pattern> {
    match entry {
        Entry::Pattern(pattern) => Some(pattern),
        Entry::Exact(origin) => {
            let parsed = SerializedOrigin::parse(origin.as_bytes())?;
            Some(Pattern {
                scheme: parsed.scheme.to_owned(),
                host: HostPattern::Exact(parsed.host.to_owned()),
                port: parsed.port.map_or(PortPattern::Default, PortPattern::Port),
            })
        }
        Entry::Any | Entry::Null => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(origins: &[&str]) -> HintIndex {
        HintIndex::new(&CorsConfig {
            allowed_origins: origins.iter().map(|&o| o.to_owned()).collect(),
            ..CorsConfig::default()
        })
    }

    #[test]
    fn misspellings_are_found_by_their_rare_substrings() {
        let origins: Vec<String> = (0..300)
            .map(|i| format!("https://service-{i}.example.com"))
            .collect();
        let refs: Vec<&str> = origins.iter().map(String::as_str).collect();
        let index = index(&refs);
        assert_eq!(index.patterns.len(), 300);
        for (sent, expected) in [
            (
                "https://service-17.exmaple.com",
                "https://service-17.example.com",
            ),
            (
                "https://srvice-250.example.com",
                "https://service-250.example.com",
            ),
            (
                "https://service-2999.example.com",
                "https://service-299.example.com",
            ),
            (
                "ttps://service-0.example.com",
                "https://service-0.example.com",
            ),
            (
                "https://service-0.example.co",
                "https://service-0.example.com",
            ),
        ] {
            assert_eq!(
                index.misspelt(sent.as_bytes()).map(|(_, entry)| entry),
                Some(expected),
                "{sent}"
            );
        }
        assert_eq!(index.misspelt(b"https://unrelated.example.org"), None);
    }

    #[test]
    fn the_comparisons_per_refusal_are_capped_whatever_the_allowlist() {
        let long = format!("{a}.{a}.{}", "a".repeat(57), a = "a".repeat(60));
        let origins: Vec<String> = (0..300)
            .map(|i| format!("https://{long}{i:03}.example.com"))
            .collect();
        let refs: Vec<&str> = origins.iter().map(String::as_str).collect();
        let index = index(&refs);
        assert_eq!(index.patterns.len(), 300);
        let sent = format!("https://{long}xyz.example.com");
        assert!(index.spelling.candidates(sent.as_bytes()).len() <= MAX_SPELLING_CANDIDATES);
        assert_eq!(index.misspelt(sent.as_bytes()), None);
    }

    #[test]
    fn related_entries_are_found_by_host_and_domain() {
        let index = index(&[
            "https://a.example.org",
            "http://app.example.com",
            "https://*.example.com",
            "https://example.net",
            "http://localhost:3000",
        ]);
        assert_eq!(index.related("app.example.com"), [1, 2]);
        assert_eq!(index.related("www.example.net"), [3]);
        assert_eq!(index.related("127.0.0.1"), [4]);
        assert_eq!(index.related("example.com"), [2]);
        assert_eq!(index.related("b.example.org"), Vec::<usize>::new());
    }
}
