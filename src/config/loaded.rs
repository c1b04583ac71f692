//! The result of reading a configuration from a source, before validation.

use super::CorsConfig;
use crate::error::{ConfigError, ConfigErrors};

/// What loading produced: the configuration, the problems found while reading it, and whether
/// one of them leaves the configuration too incomplete to validate.
pub(crate) struct Loaded {
    pub(crate) config: CorsConfig,
    pub(crate) errors: Vec<ConfigError>,
    pub(crate) incomplete: bool,
}

impl Loaded {
    /// A configuration read without problems so far.
    pub(crate) fn new(config: CorsConfig) -> Self {
        Self {
            config,
            errors: Vec::new(),
            incomplete: false,
        }
    }

    /// A source that could not be read at all.
    pub(crate) fn failed(error: ConfigError) -> Self {
        Self {
            config: CorsConfig::default(),
            errors: vec![error],
            incomplete: true,
        }
    }

    /// The configuration, or the reading problems.
    pub(crate) fn into_config(self) -> Result<CorsConfig, ConfigErrors> {
        match ConfigErrors::from_vec(self.errors) {
            Some(errors) => Err(errors),
            None => Ok(self.config),
        }
    }
}
