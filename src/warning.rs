//! Configuration warnings: settings that are valid but probably not what was meant.

use std::fmt;

use crate::error::{escape_controls, write_problem, At, Source};

/// A valid setting that is probably a mistake, found when the layer is built.
///
/// Warnings never stop a layer from being built. Each is logged once at `warn` level when the
/// policy is validated, and [`CorsLayer::warnings`](crate::CorsLayer::warnings) lists them, so
/// that a check in CI (`tower-cors check --deny-warnings`) can refuse them. Its
/// [`Display`](fmt::Display) is one line, like [`ConfigError`](crate::ConfigError)'s, with
/// control characters escaped alike.
///
/// ```
/// use tower_cors::CorsLayer;
///
/// let layer = CorsLayer::builder()
///     .allow_origins(["https://app.example.com"])
///     .max_age(std::time::Duration::from_secs(86400))
///     .build()?;
/// let warnings = layer.warnings();
/// assert_eq!(warnings.len(), 1);
/// assert_eq!(warnings[0].key(), "max_age");
/// assert!(warnings[0].to_string().starts_with("max_age: \"86400\": Chromium caps"));
/// # Ok::<(), tower_cors::ConfigErrors>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigWarning {
    key: &'static str,
    index: Option<usize>,
    location: String,
    value: Option<String>,
    problem: String,
    fix: String,
}

impl ConfigWarning {
    pub(crate) fn new(
        at: impl Into<At>,
        value: Option<&str>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        let at = at.into();
        Self {
            key: at.key,
            index: at.index,
            location: at.to_string(),
            value: value.map(str::to_owned),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// Logs the warning under the stable `tower_cors::config` target, with its key, location
    /// and value as fields for filtering, escaped as the message is ([`escape_controls`]).
    pub(crate) fn log(&self) {
        tracing::warn!(
            target: "tower_cors::config",
            key = self.key(),
            location = &*escape_controls(self.location()),
            value = self.value().map(escape_controls).as_deref(),
            "CORS policy: {self}"
        );
    }

    /// Restates the location for a value that came from an environment variable or a file.
    pub(crate) fn locate(mut self, source: &Source) -> Self {
        self.location = source.locate(self.key, self.index);
        self
    }

    /// The configuration key (`max_age`, `allowed_origins`, ...).
    pub fn key(&self) -> &str {
        self.key
    }

    /// Where the value came from: a key such as `allowed_origins[2]`, an environment variable,
    /// or a file and key.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The value the warning is about, when it is about one value.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// What is probably wrong.
    pub fn problem(&self) -> &str {
        &self.problem
    }

    /// What to do about it; empty when the setting may well be deliberate.
    pub fn fix(&self) -> &str {
        &self.fix
    }
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_problem(
            f,
            &self.location,
            self.value.as_deref(),
            &self.problem,
            &self.fix,
        )
    }
}
