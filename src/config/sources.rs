//! Where each configuration value came from, so that errors can name the variable or file, and
//! what reading the sources noticed that is not an error.

use crate::error::Source;
use crate::warning::ConfigWarning;

/// Where each key's value came from, when not from code, and the warnings of the reading.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sources {
    keys: Vec<(&'static str, Source)>,
    /// What the loader found suspicious but not wrong (an unknown `CORS_*` variable, which may
    /// belong to another program); carried to validation, which reports it with its own.
    warnings: Vec<ConfigWarning>,
}

impl Sources {
    #[cfg(any(feature = "env", feature = "toml"))]
    pub(crate) fn set(&mut self, key: &'static str, source: Source) {
        match self.keys.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => *existing = source,
            None => self.keys.push((key, source)),
        }
    }

    /// Forgets where `key`'s value came from, once code has changed it.
    pub(crate) fn forget(&mut self, key: &str) {
        self.keys.retain(|(k, _)| *k != key);
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Source> {
        self.keys
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, source)| source)
    }

    #[cfg(feature = "env")]
    pub(crate) fn warn(&mut self, warning: ConfigWarning) {
        self.warnings.push(warning);
    }

    /// The warnings of the reading, in the order found.
    pub(crate) fn warnings(&self) -> &[ConfigWarning] {
        &self.warnings
    }
}

/// Provenance is bookkeeping for messages, not part of a configuration's value.
impl PartialEq for Sources {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Sources {}
