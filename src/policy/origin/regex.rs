//! Regular-expression origins: always anchored to the whole origin and compiled into one set
//! with bounded size, so a pattern can neither match a prefix of an attacker's origin nor cost
//! more than linear time per request.

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

/// Compiled-program size limit for one pattern and for the set, in bytes.
const SIZE_LIMIT: usize = 1 << 20;

/// Anchors a user's pattern so that it must match the whole origin.
pub(crate) fn anchored(pattern: &str) -> String {
    format!("^(?:{pattern})$")
}

/// Compiles one anchored pattern on its own, to report its error against its own index.
///
/// The pattern is first compiled bare: one that only parses once wrapped (an unbalanced
/// `)|(`) would close the anchoring group early and match unanchored alternatives.
pub(crate) fn compile_one(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .size_limit(SIZE_LIMIT)
        .build()
        .map_err(describe)?;
    RegexBuilder::new(&anchored(pattern))
        .size_limit(SIZE_LIMIT)
        .build()
        .map_err(describe)
}

fn describe(error: regex::Error) -> String {
    match error {
        regex::Error::CompiledTooBig(_) => "it compiles to a program larger than 1 MiB".to_owned(),
        other => first_line(&other.to_string()),
    }
}

/// Compiles every (already checked) pattern into one set.
pub(crate) fn compile_set(patterns: &[String]) -> Result<RegexSet, String> {
    RegexSetBuilder::new(patterns.iter().map(|p| anchored(p)))
        .size_limit(SIZE_LIMIT * 4)
        .build()
        .map_err(|e| first_line(&e.to_string()))
}

/// regex's messages draw a caret diagram over several lines; one line reads better in a list.
fn first_line(message: &str) -> String {
    message
        .lines()
        .rev()
        .find(|line| line.starts_with("error:"))
        .map(|line| line.trim_start_matches("error:").trim().to_owned())
        .unwrap_or_else(|| message.lines().next().unwrap_or(message).to_owned())
}

#[cfg(test)]
mod tests {
    use super::compile_one;

    #[test]
    fn a_pattern_that_would_escape_the_anchors_is_refused() {
        for pattern in [r"https://good\.example)|(x", ")|(", r"a)|.*|(b"] {
            assert!(compile_one(pattern).is_err(), "{pattern}");
        }
        let regex = compile_one(r"https://good\.example|https://other\.example").unwrap();
        assert!(regex.is_match("https://other.example"));
        assert!(!regex.is_match("https://good.example.attacker.com"));
    }
}
