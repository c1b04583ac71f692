//! How many single-character edits turn one string into another: behind the suggestions for
//! misspelt configuration keys and the hints for misspelt origins.

/// The Levenshtein distance between `a` and `b`, in characters.
#[cfg(any(test, feature = "serde", feature = "env"))]
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// The Levenshtein distance between `a` and `b` in bytes when it is at most `max`, else `None`.
/// Only the diagonal band of width `2 * max + 1` is computed, and the search stops as soon as
/// every cell of a row exceeds `max`: `O(max * len)` time, one allocation.
pub(crate) fn edit_distance_within(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let over = max + 1;
    // `row[j]`: the distance between the first `i` bytes of `a` and the first `j` of `b`,
    // capped at `over`; cells outside the band stay `over`.
    let mut row: Vec<usize> = (0..=b.len()).map(|j| j.min(over)).collect();
    for (i, &ca) in a.iter().enumerate() {
        let i = i + 1;
        let low = i.saturating_sub(max).max(1);
        let high = (i + max).min(b.len());
        // The cell left of the band, and the diagonal one from the previous row.
        let mut diagonal = row[low - 1];
        row[low - 1] = if low == 1 { i.min(over) } else { over };
        let mut best = row[low - 1];
        for j in low..=high {
            let substitution = diagonal + usize::from(ca != b[j - 1]);
            diagonal = row[j];
            let cell = substitution.min(row[j] + 1).min(row[j - 1] + 1).min(over);
            row[j] = cell;
            best = best.min(cell);
        }
        if high < b.len() {
            row[high + 1] = over;
        }
        if best > max {
            return None;
        }
    }
    let distance = row[b.len()];
    (distance <= max).then_some(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banded_distance_agrees_with_the_full_one_within_its_bound() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "https://app.example.com",
            "https://app.exmaple.com",
            "https://ap.example.com",
            "https://appp.example.com",
            "http://app.example.com",
            "https://app.example.org",
            "https://www.example.com",
        ];
        for a in words {
            for b in words {
                let full = edit_distance(a, b);
                for max in 0..4 {
                    let expected = (full <= max).then_some(full);
                    assert_eq!(
                        edit_distance_within(a.as_bytes(), b.as_bytes(), max),
                        expected,
                        "{a:?} {b:?} within {max}"
                    );
                }
            }
        }
    }
}
