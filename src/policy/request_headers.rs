//! Reading `Access-Control-Request-Headers`. Browsers write the list one way: lowercase names
//! joined by bare commas (`authorization,content-type,x-request-id`). An element spelled like
//! that is found by a word-at-a-time search for its comma and one comparison with the allowed
//! names of its length. Any other element (other case, whitespace, a name not allowed, a
//! value that is not a name) is read the thorough way, in one pass: every byte is looked up
//! once in a class table and moves one step through a case-insensitive trie of the allowed
//! names, so splitting, trimming, checking the token syntax and matching happen together.

use std::collections::HashSet;

use http::HeaderValue;

use crate::bytes_eq::same_bytes;
use crate::policy::origin::hash::BuildFastHasher;

/// Columns of the transition table: 0 for a byte that cannot be in a name, then one per
/// `tchar` (RFC 9110 §5.6.2) with letters folded to lowercase.
const COLUMNS: usize = 52;
/// A comma: the end of an element.
const COMMA: u8 = 0xfe;
/// Optional whitespace (space or tab) around an element.
const OWS: u8 = 0xfd;
/// States are rows of the transition table, named by their offset in it, so that a step is
/// one addition and one load. A byte no name can have leads to `INVALID`, which no step
/// leaves: the element is not a token.
const INVALID: u32 = 0;
/// A token that no allowed name starts with; only an invalid byte leads out of it.
const DEAD: u32 = COLUMNS as u32;
const ROOT: u32 = 2 * COLUMNS as u32;
/// Beyond this many states the trie is not built and names are matched one by one: a policy
/// that long is rare, and the table would cost more memory than it saves time.
const MAX_STATES: usize = 4096;

/// Each byte's class: a column of the transition table, [`COMMA`] or [`OWS`].
static CLASS: [u8; 256] = {
    const TCHAR: &[u8] = b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz";
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < TCHAR.len() {
        table[TCHAR[i] as usize] = i as u8 + 1;
        if TCHAR[i].is_ascii_lowercase() {
            table[TCHAR[i].to_ascii_uppercase() as usize] = i as u8 + 1;
        }
        i += 1;
    }
    table[b',' as usize] = COMMA;
    table[b' ' as usize] = OWS;
    table[b'\t' as usize] = OWS;
    table
};

/// The allowed request header names as a trie over byte classes, matched case-insensitively.
#[derive(Debug)]
pub(crate) struct NameTrie {
    /// `next[state + class]`: the next state, for each state and byte class.
    next: Vec<u32>,
    /// Whether the name read so far is allowed, per state (its row number).
    accepts: Vec<bool>,
    /// The allowed names as browsers write them, for the fast path.
    lowercase: LowercaseNames,
}

/// The allowed names in lowercase. A short list is compared name by name (lengths first, which
/// rules most out at once); a long one is hashed.
#[derive(Debug)]
enum LowercaseNames {
    Few(Vec<Box<[u8]>>),
    Many(HashSet<Box<[u8]>, BuildFastHasher>),
}

/// Beyond this many names a hash lookup costs less than comparing lengths one by one.
const FEW_NAMES: usize = 8;

impl LowercaseNames {
    fn new<'a>(names: impl Iterator<Item = &'a str>) -> Self {
        let mut names: Vec<Box<[u8]>> = names
            .map(|name| name.to_ascii_lowercase().into_bytes().into_boxed_slice())
            .collect();
        names.sort_unstable();
        names.dedup();
        if names.len() <= FEW_NAMES {
            Self::Few(names)
        } else {
            Self::Many(names.into_iter().collect())
        }
    }

    /// Where the element starting at `at` ends (its comma, or the end of the line) when it is
    /// one of the names, spelled as browsers spell them.
    #[inline]
    fn element_at(&self, bytes: &[u8], at: usize) -> Option<usize> {
        match self {
            // Whether a comma (or the end) follows is one load per name and rules most out;
            // the bytes are compared only then, and no search for the comma is needed.
            Self::Few(names) => names.iter().find_map(|name| {
                let end = at + name.len();
                let delimited = bytes.get(end).map_or(end == bytes.len(), |&b| b == b',');
                (delimited && same_bytes(bytes.get(at..end)?, name)).then_some(end)
            }),
            Self::Many(names) => {
                let end = find_comma(bytes, at);
                names.contains(&bytes[at..end]).then_some(end)
            }
        }
    }
}

impl NameTrie {
    /// The trie of `names` (valid tokens), or `None` when it would be too large.
    pub(crate) fn new<'a>(names: impl IntoIterator<Item = &'a str> + Clone) -> Option<Self> {
        // A fresh row: an invalid byte leads to `INVALID`, any other to `DEAD` until a name
        // gives it a state of its own.
        let mut row = [DEAD; COLUMNS];
        row[0] = INVALID;
        let mut trie = Self {
            next: Vec::with_capacity(3 * COLUMNS),
            accepts: vec![false; 3],
            lowercase: LowercaseNames::new(names.clone().into_iter()),
        };
        trie.next.extend_from_slice(&[INVALID; COLUMNS]);
        trie.next.extend_from_slice(&row);
        trie.next.extend_from_slice(&row);
        for name in names {
            let mut state = ROOT;
            for &byte in name.as_bytes() {
                let column = usize::from(CLASS[usize::from(byte)]);
                if column == 0 || column >= COLUMNS {
                    return None;
                }
                let at = state as usize + column;
                if trie.next[at] == DEAD {
                    if trie.accepts.len() >= MAX_STATES {
                        return None;
                    }
                    trie.next[at] = trie.next.len() as u32;
                    trie.next.extend_from_slice(&row);
                    trie.accepts.push(false);
                }
                state = trie.next[at];
            }
            trie.accepts[state as usize / COLUMNS] = true;
        }
        Some(trie)
    }
}

/// What a policy accepts in `Access-Control-Request-Headers`.
pub(crate) struct Rule<'a> {
    pub(crate) trie: &'a NameTrie,
    /// `*`: every name but `authorization` (Fetch never lets a wildcard cover it), which only
    /// the trie can allow.
    pub(crate) any: bool,
}

/// Reads every element of every line, in order. `Ok(true)` when all are allowed and there is
/// at least one, `Ok(false)` when there is none, and `Err` with the first element (trimmed)
/// that is not allowed, whether because the rule does not name it or because it is not a
/// header name at all.
pub(crate) fn read<'v>(
    lines: impl Iterator<Item = &'v HeaderValue>,
    rule: &Rule<'_>,
) -> Result<bool, &'v [u8]> {
    let mut requested = false;
    for line in lines {
        let bytes = line.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            if matches!(CLASS[usize::from(bytes[at])], COMMA | OWS) {
                at += 1;
                continue;
            }
            // The element as browsers write it: an allowed name, lowercase, then a comma or the
            // end. Matched byte for byte it is a token, so nothing else needs checking.
            if let Some(end) = rule.trie.lowercase.element_at(bytes, at) {
                requested = true;
                at = end + 1;
                continue;
            }
            let (name, state, next) = element(bytes, at, rule.trie);
            if !allowed(rule, state, name) {
                return Err(name);
            }
            requested = true;
            at = next;
        }
    }
    Ok(requested)
}

/// The index of the first comma at or after `from`, or the length: eight bytes at a time, with
/// the bit trick that flags a zero byte in a word (the word is XORed with commas first).
#[inline]
fn find_comma(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const COMMAS: u64 = u64::from_le_bytes([b','; 8]);
    let mut at = from;
    while let Some(&word) = bytes.get(at..).and_then(|rest| rest.first_chunk::<8>()) {
        let word = u64::from_le_bytes(word) ^ COMMAS;
        // The lowest flagged byte is always a zero byte (a borrow only flags bytes above one).
        let zeros = word.wrapping_sub(ONES) & !word & HIGHS;
        if zeros != 0 {
            return at + (zeros.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| b == b',')
        .map_or(bytes.len(), |i| at + i)
}

/// The element starting at `start` (not whitespace, not a comma): its trimmed bytes, the trie
/// state they lead to, and where reading goes on.
#[inline]
fn element<'v>(bytes: &'v [u8], start: usize, trie: &NameTrie) -> (&'v [u8], u32, usize) {
    let mut state = ROOT;
    let mut end = bytes.len();
    // The name: one table lookup and one step per byte.
    for (offset, &byte) in bytes[start..].iter().enumerate() {
        let class = CLASS[usize::from(byte)];
        if class >= OWS {
            end = start + offset;
            break;
        }
        state = trie.next[state as usize + usize::from(class)];
    }
    // Whitespace, then the comma or the end of the line; anything else means the element has
    // whitespace inside, so it is not a token: it runs to the next comma, trimmed.
    let rest = &bytes[end..];
    let spaces = rest
        .iter()
        .take_while(|&&b| CLASS[usize::from(b)] == OWS)
        .count();
    match rest.get(spaces) {
        None => (&bytes[start..end], state, bytes.len()),
        Some(&b',') => (&bytes[start..end], state, end + spaces + 1),
        Some(_) => {
            let comma = rest
                .iter()
                .position(|&b| b == b',')
                .map_or(bytes.len(), |i| end + i);
            let name = &bytes[start..comma];
            let trimmed = name.len()
                - name
                    .iter()
                    .rev()
                    .take_while(|&&b| CLASS[usize::from(b)] == OWS)
                    .count();
            (&name[..trimmed], INVALID, comma + 1)
        }
    }
}

#[inline]
fn allowed(rule: &Rule<'_>, state: u32, name: &[u8]) -> bool {
    state != INVALID
        && (rule.trie.accepts[state as usize / COLUMNS]
            || (rule.any && !name.eq_ignore_ascii_case(b"authorization")))
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::{find_comma, read, NameTrie, Rule, FEW_NAMES};
    use crate::headers::{is_token, list_elements};

    const LISTED: [&str; 4] = ["authorization", "content-type", "x-request-id", "x-a"];

    /// The rule read the slow way: split, trim, check the syntax, look the name up.
    fn reference(lines: &[HeaderValue], any: bool) -> Result<bool, &[u8]> {
        let mut requested = false;
        for name in list_elements(lines.iter()) {
            let listed = LISTED
                .iter()
                .any(|l| l.as_bytes().eq_ignore_ascii_case(name));
            let allowed =
                is_token(name) && (listed || (any && !name.eq_ignore_ascii_case(b"authorization")));
            if !allowed {
                return Err(name);
            }
            requested = true;
        }
        Ok(requested)
    }

    fn values(lines: &[&'static str]) -> Vec<HeaderValue> {
        lines.iter().map(|l| HeaderValue::from_static(l)).collect()
    }

    #[test]
    fn names_are_split_trimmed_and_matched_in_any_case() {
        let trie = NameTrie::new(LISTED).unwrap();
        let rule = Rule {
            trie: &trie,
            any: false,
        };
        let ok = values(&[" Content-Type ,\tauthorization,, ", "", "X-Request-ID"]);
        assert_eq!(read(ok.iter(), &rule), Ok(true));
        assert_eq!(read(values(&[" , ,"]).iter(), &rule), Ok(false));
        let bad = values(&["content-type, x-other ,x-a"]);
        assert_eq!(read(bad.iter(), &rule), Err(&b"x-other"[..]));
        let spaced = values(&["content type"]);
        assert_eq!(read(spaced.iter(), &rule), Err(&b"content type"[..]));
        let prefix = values(&["x-"]);
        assert_eq!(read(prefix.iter(), &rule), Err(&b"x-"[..]));
        let longer = values(&["x-ab"]);
        assert_eq!(read(longer.iter(), &rule), Err(&b"x-ab"[..]));
    }

    #[test]
    fn a_wildcard_covers_every_name_but_authorization() {
        let trie = NameTrie::new(["content-type"]).unwrap();
        let rule = Rule {
            trie: &trie,
            any: true,
        };
        assert_eq!(
            read(values(&["x-anything, content-type"]).iter(), &rule),
            Ok(true)
        );
        let auth = values(&["x-a, Authorization"]);
        assert_eq!(read(auth.iter(), &rule), Err(&b"Authorization"[..]));
        assert_eq!(read(values(&["x(y)"]).iter(), &rule), Err(&b"x(y)"[..]));
    }

    #[test]
    fn a_long_list_of_allowed_names_is_matched_like_a_short_one() {
        let names: Vec<String> = (0..3 * FEW_NAMES).map(|i| format!("x-name-{i}")).collect();
        let trie = NameTrie::new(names.iter().map(String::as_str)).unwrap();
        let rule = Rule {
            trie: &trie,
            any: false,
        };
        let line = HeaderValue::from_str(&names.join(",")).unwrap();
        assert_eq!(read([&line].into_iter(), &rule), Ok(true));
        let cased = values(&["X-Name-3, x-name-20"]);
        assert_eq!(read(cased.iter(), &rule), Ok(true));
        let other = values(&["x-name-3,x-name-99"]);
        assert_eq!(read(other.iter(), &rule), Err(&b"x-name-99"[..]));
    }

    proptest! {
        /// The word-at-a-time search finds the comma a byte-by-byte search finds.
        #[test]
        fn the_comma_search_finds_the_first_comma(bytes in vec(prop::sample::select(b",a\x80\xff\x2b\x2d".to_vec()), 0..40), from in 0usize..40) {
            let from = from.min(bytes.len());
            let expected = bytes[from..].iter().position(|&b| b == b',').map_or(bytes.len(), |i| from + i);
            prop_assert_eq!(find_comma(&bytes, from), expected);
        }

        /// One pass gives what splitting, trimming, checking and looking up give.
        #[test]
        fn one_pass_reads_what_the_list_syntax_says(
            lines in vec(
                vec(
                    prop_oneof![
                        prop::sample::select(vec![
                            "authorization", "Content-Type", "x-request-id", "x-a", "x-",
                            "x-ab", "content-typ", "a b", "x(y)", "", " ", "\t", ",", " , ",
                        ]).prop_map(str::to_owned),
                        "[ -~\t]{0,6}",
                    ],
                    0..6,
                ).prop_map(|parts| parts.concat()),
                0..4,
            ),
            any in any::<bool>(),
        ) {
            let lines: Vec<HeaderValue> = lines
                .iter()
                .filter_map(|line| HeaderValue::from_str(line).ok())
                .collect();
            let trie = NameTrie::new(LISTED).unwrap();
            let rule = Rule { trie: &trie, any };
            prop_assert_eq!(read(lines.iter(), &rule), reference(&lines, any));
        }
    }
}
