//! Byte-slice comparison for the hot paths.

/// Byte equality compared a word at a time, inline: the values compared (allowed origins, header
/// names) are short, and a call to `memcmp` per candidate would cost more than the comparison.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |bytes: &[u8], at: usize| {
        bytes[at..]
            .first_chunk::<8>()
            .map_or(0, |chunk| u64::from_le_bytes(*chunk))
    };
    match a.len() {
        0..8 => a.iter().zip(b).all(|(x, y)| x == y),
        len => {
            // Words from the start, then the last word (overlapping the one before it).
            (0..len - 8).step_by(8).all(|at| word(a, at) == word(b, at))
                && word(a, len - 8) == word(b, len - 8)
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::same_bytes;

    proptest! {
        /// Comparing a word at a time agrees with comparing bytes.
        #[test]
        fn word_comparison_agrees_with_byte_comparison(a in vec(0u8..3, 0..30), b in vec(0u8..3, 0..30)) {
            prop_assert_eq!(same_bytes(&a, &b), a == b);
            prop_assert!(same_bytes(&a, &a.clone()));
        }
    }
}
