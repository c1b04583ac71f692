//! A fast, unkeyed hasher for the origin tables (the multiply-rotate scheme of rustc's FxHasher).
//!
//! SipHash's keying protects a table whose keys an attacker chooses. Here the tables' keys come
//! from the configuration; a request only looks one up. A crafted `Origin` can land in the
//! longest probe sequence the configured keys formed, but cannot lengthen it, so lookups stay
//! bounded, and hashing costs a few instructions per 8 bytes instead of SipHash's setup and
//! rounds.

use std::hash::{BuildHasherDefault, Hasher};

/// Builds [`FastHasher`]s.
pub(crate) type BuildFastHasher = BuildHasherDefault<FastHasher>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher {
    hash: u64,
}

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn equal_keys_hash_equal_and_nearby_keys_differ() {
        let build = BuildFastHasher::default();
        let a = build.hash_one(b"https://foo.com".as_slice());
        assert_eq!(a, build.hash_one(b"https://foo.com".as_slice()));
        for other in [
            "https://bar.com",
            "https://foo.co",
            "https://foo.comm",
            "https://barfoo.com",
        ] {
            assert_ne!(a, build.hash_one(other.as_bytes()), "{other}");
        }
    }
}
