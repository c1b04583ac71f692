//! Layers straight from a source: the environment or a TOML file, read (`config/`) and then
//! validated, with the reading's and validation's problems reported together.

#[cfg(feature = "toml")]
use std::path::Path;

#[cfg(feature = "env")]
use crate::config::env;
use crate::config::loaded::Loaded;
#[cfg(feature = "toml")]
use crate::config::toml;
#[cfg(feature = "env")]
use crate::config::DEFAULT_ENV_PREFIX;
use crate::error::ConfigErrors;
use crate::layer::CorsLayer;

#[cfg(feature = "env")]
impl CorsLayer {
    /// Reads and validates the `CORS_*` environment variables, reporting reading and validation
    /// problems together. See [`CorsConfig::from_env`](crate::CorsConfig::from_env). Unknown `CORS_*` variables do not stop
    /// the layer from being built: [`warnings`](Self::warnings) lists them. Those that are
    /// likely typos of known ones (`CORS_MAXAGE`, `CORS_Max_Age`) do: they are errors.
    pub fn from_env() -> Result<Self, ConfigErrors> {
        Self::from_env_prefixed(DEFAULT_ENV_PREFIX)
    }

    /// Like [`from_env`](Self::from_env), with another prefix.
    pub fn from_env_prefixed(prefix: &str) -> Result<Self, ConfigErrors> {
        into_layer(env::load_env(prefix))
    }

    /// Like [`from_env_prefixed`](Self::from_env_prefixed), reading the given (name, value) pairs.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// // A platform's own variable under the same prefix.
    /// let layer = CorsLayer::from_vars("CORS_", [
    ///     ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
    ///     ("CORS_ORIGIN", "*"),
    /// ])?;
    /// let warnings: Vec<String> = layer.warnings().iter().map(|w| w.to_string()).collect();
    /// assert_eq!(warnings, [
    ///     "CORS_ORIGIN: unknown variable, ignored; did you mean CORS_ALLOWED_ORIGINS?",
    /// ]);
    /// # Ok::<(), tower_cors::ConfigErrors>(())
    /// ```
    pub fn from_vars<I, K, V>(prefix: &str, vars: I) -> Result<Self, ConfigErrors>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        into_layer(env::load_vars(prefix, env::strings(vars)))
    }
}

#[cfg(feature = "toml")]
impl CorsLayer {
    /// Reads and validates a configuration from TOML text. See [`CorsConfig::from_toml_str`](crate::CorsConfig::from_toml_str).
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigErrors> {
        into_layer(toml::load_str(text, None))
    }

    /// Reads and validates a configuration from a TOML file, reporting reading and validation
    /// problems together, each naming the file and the key.
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Self, ConfigErrors> {
        into_layer(toml::load_file(path.as_ref(), None))
    }
}

/// The validated layer, or every problem: reading problems first, then those validation finds
/// in the rest of the configuration.
fn into_layer(loaded: Loaded) -> Result<CorsLayer, ConfigErrors> {
    let mut errors = loaded.errors;
    if errors.is_empty() {
        match CorsLayer::try_from(&loaded.config) {
            // Validation logs the reading's warnings with its own.
            Ok(layer) => return Ok(layer),
            Err(validation) => errors.extend(validation),
        }
    } else if !loaded.incomplete {
        // Only the errors: a key that could not be read was left at its default, and a
        // warning computed from the configuration would speak of that default as if it had
        // been given (`cross_origin_protection: "false"` for a `"yes"` refused).
        if let Some(validation) = crate::validate::errors(&loaded.config) {
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
    for warning in loaded.config.sources.warnings() {
        warning.log();
    }
    Err(ConfigErrors::from_vec(errors).expect("a failed load has at least one error"))
}
