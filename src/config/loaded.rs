//! The result of reading a configuration from a source, before and after validation.

use super::CorsConfig;
use crate::error::{ConfigError, ConfigErrors};
use crate::layer::CorsLayer;

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

    /// The validated layer, or every problem: reading problems first, then those validation
    /// finds in the rest of the configuration.
    pub(crate) fn into_layer(self) -> Result<CorsLayer, ConfigErrors> {
        let mut errors = self.errors;
        if errors.is_empty() {
            match CorsLayer::try_from(&self.config) {
                // Validation logs the reading's warnings with its own.
                Ok(layer) => return Ok(layer),
                Err(validation) => errors.extend(validation),
            }
        } else if !self.incomplete {
            // Only the errors: a key that could not be read was left at its default, and a
            // warning computed from the configuration would speak of that default as if it had
            // been given (`cross_origin_protection: "false"` for a `"yes"` refused).
            if let Some(validation) = crate::validate::errors(&self.config) {
                // What validation says of such a default ("no origin is allowed") would only
                // repeat the reading's error.
                let unread: Vec<String> = errors.iter().map(|e| e.key().to_owned()).collect();
                errors.extend(
                    validation
                        .into_iter()
                        .filter(|error| !unread.iter().any(|key| key == error.key())),
                );
            }
        }
        // When no layer is built, the reading's warnings (about names, not values) are still
        // worth seeing: `CORS_ORIGIN`'s "did you mean" explains why no origin is allowed.
        for warning in self.config.sources.warnings() {
            warning.log();
        }
        Err(ConfigErrors::from_vec(errors).expect("a failed load has at least one error"))
    }
}
