//! Building a policy in code. The builder only fills a [`CorsConfig`]; [`CorsBuilder::build`]
//! runs the same validation as every other way in.

use std::time::Duration;

use crate::config::CorsConfig;
use crate::error::ConfigErrors;
use crate::layer::CorsLayer;
use crate::preset::Preset;

/// Builds a [`CorsLayer`] in code; from [`CorsLayer::builder`].
///
/// Methods take anything that turns into strings and may be called in any order; nothing is
/// checked until [`build`](CorsBuilder::build), which reports every problem at once.
///
/// ```
/// use std::time::Duration;
/// use tower_cors::CorsLayer;
///
/// let layer = CorsLayer::builder()
///     .allow_origins(["https://app.example.com", "https://*.preview.example.com"])
///     .allow_credentials(true)
///     .allow_methods(["GET", "POST", "PUT", "DELETE"])
///     .allow_headers(["content-type", "authorization"])
///     .expose_headers(["x-request-id"])
///     .max_age(Duration::from_secs(3600))
///     .build();
/// assert!(layer.is_ok());
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct CorsBuilder {
    config: CorsConfig,
}

impl CorsBuilder {
    /// Adds allowed origins: exact origins (`https://app.example.com`), one-label subdomain
    /// patterns (`https://*.example.com`), any-depth subdomain patterns
    /// (`https://**.example.com`), port patterns (`http://localhost:*`).
    pub fn allow_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.config.sources.forget("allowed_origins");
        self.config
            .allowed_origins
            .extend(origins.into_iter().map(Into::into));
        self
    }

    /// Allows every origin, answering `Access-Control-Allow-Origin: *`. Refused together with
    /// credentials.
    pub fn allow_any_origin(self) -> Self {
        self.allow_origins(["*"])
    }

    /// Adds regular expressions, each of which must match the whole origin (anchoring is
    /// implicit).
    pub fn allow_origin_regexes<I>(mut self, regexes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.config.sources.forget("allowed_origin_regexes");
        self.config
            .allowed_origin_regexes
            .extend(regexes.into_iter().map(Into::into));
        self
    }

    /// Lets credentialed requests (cookies, HTTP authentication) read responses.
    /// Default: `false`.
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.config.sources.forget("allow_credentials");
        self.config.allow_credentials = allow;
        self
    }

    /// Adds allowed methods; GET, HEAD and POST are always allowed.
    pub fn allow_methods<I>(mut self, methods: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.config.sources.forget("allowed_methods");
        self.config
            .allowed_methods
            .extend(methods.into_iter().map(Into::into));
        self
    }

    /// Allows every method. With credentials, the requested method is echoed, because browsers
    /// read `*` literally then.
    pub fn allow_any_method(self) -> Self {
        self.allow_methods(["*"])
    }

    /// Adds allowed request headers.
    pub fn allow_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.config.sources.forget("allowed_headers");
        self.config
            .allowed_headers
            .extend(headers.into_iter().map(Into::into));
        self
    }

    /// Allows every request header except `authorization`, which browsers never let a wildcard
    /// cover: add it with [`allow_headers`](Self::allow_headers) if needed.
    pub fn allow_any_header(self) -> Self {
        self.allow_headers(["*"])
    }

    /// Adds response headers that scripts may read.
    pub fn expose_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.config.sources.forget("expose_headers");
        self.config
            .expose_headers
            .extend(headers.into_iter().map(Into::into));
        self
    }

    /// Exposes every response header. Refused together with credentials.
    pub fn expose_any_header(self) -> Self {
        self.expose_headers(["*"])
    }

    /// How long browsers may cache a preflight answer, in whole seconds (fractions are dropped),
    /// up to one day. `Duration::ZERO` sends `0`, which turns caching off. Default: no header,
    /// which browsers read as 5 seconds.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.config.sources.forget("max_age");
        self.config.max_age = Some(i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX));
        self
    }

    /// Adds a preset's methods, request headers and exposed headers; see [`Preset`].
    pub fn preset(mut self, preset: Preset) -> Self {
        self.config.sources.forget("presets");
        self.config.presets.push(preset.name().to_owned());
        self
    }

    /// Answers private network access preflights. Default: `false`.
    pub fn allow_private_network(mut self, allow: bool) -> Self {
        self.config.sources.forget("allow_private_network");
        self.config.allow_private_network = allow;
        self
    }

    /// Answers every refused preflight with 403 and no CORS headers, even when only a method or
    /// header was refused. Default: `false`, which lets the browser's console name the culprit.
    pub fn strict(mut self, strict: bool) -> Self {
        self.config.sources.forget("strict");
        self.config.strict = strict;
        self
    }

    /// Development mode: refusals are logged at `info` with a hint naming the nearest allowed
    /// origin and how the refused one differs, and the hint goes into refused preflights'
    /// bodies too. Default: `false` (hints are logged at `debug` only, never sent).
    pub fn debug(mut self, debug: bool) -> Self {
        self.config.sources.forget("debug");
        self.config.debug = debug;
        self
    }

    /// Accepts `null` in the allowed origins. Any page can make its origin `null` with a
    /// sandboxed iframe, so this is close to allowing every origin.
    pub fn dangerously_allow_null_origin(mut self, allow: bool) -> Self {
        self.config.sources.forget("dangerously_allow_null_origin");
        self.config.dangerously_allow_null_origin = allow;
        self
    }

    /// With credentials, accepts plain `http://` origins other than loopback.
    pub fn dangerously_allow_insecure_origins(mut self, allow: bool) -> Self {
        self.config
            .sources
            .forget("dangerously_allow_insecure_origins");
        self.config.dangerously_allow_insecure_origins = allow;
        self
    }

    /// With credentials, accepts subdomain wildcards over public suffixes (`https://*.github.io`).
    pub fn dangerously_allow_public_suffix_wildcards(mut self, allow: bool) -> Self {
        self.config
            .sources
            .forget("dangerously_allow_public_suffix_wildcards");
        self.config.dangerously_allow_public_suffix_wildcards = allow;
        self
    }

    /// The configuration built so far.
    pub fn config(&self) -> &CorsConfig {
        &self.config
    }

    /// Validates the configuration, returning the layer or every problem found.
    pub fn build(self) -> Result<CorsLayer, ConfigErrors> {
        CorsLayer::try_from(self.config)
    }
}

impl From<CorsConfig> for CorsBuilder {
    /// Starts from an existing configuration, to adjust it in code.
    fn from(config: CorsConfig) -> Self {
        Self { config }
    }
}
