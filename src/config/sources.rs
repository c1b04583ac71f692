//! Where each configuration value came from, so that errors can name the variable or file.

use crate::error::Source;

/// Where each key's value came from, when not from code.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sources(Vec<(&'static str, Source)>);

impl Sources {
    #[cfg(any(feature = "env", feature = "toml"))]
    pub(crate) fn set(&mut self, key: &'static str, source: Source) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => *existing = source,
            None => self.0.push((key, source)),
        }
    }

    /// Forgets where `key`'s value came from, once code has changed it.
    pub(crate) fn forget(&mut self, key: &str) {
        self.0.retain(|(k, _)| *k != key);
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Source> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, source)| source)
    }
}

/// Provenance is bookkeeping for messages, not part of a configuration's value.
impl PartialEq for Sources {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Sources {}
