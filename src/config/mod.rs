//! The plain-data configuration. Deserializing it only checks types; every semantic check happens
//! in one place, when a [`CorsLayer`](crate::CorsLayer) is built from it.

#[cfg(feature = "serde")]
mod de;
#[cfg(feature = "env")]
pub(crate) mod env;
pub(crate) mod keys;
#[cfg(any(feature = "env", feature = "toml"))]
pub(crate) mod loaded;
mod sources;
#[cfg(feature = "toml")]
pub(crate) mod toml;

#[cfg(feature = "env")]
pub use self::env::DEFAULT_ENV_PREFIX;
use self::keys::config_keys;
pub(crate) use self::sources::Sources;

config_keys! {
    /// A CORS policy as plain data: what a TOML file, environment variables or a builder say.
    ///
    /// Nothing is checked until a [`CorsLayer`](crate::CorsLayer) is built from it with
    /// [`CorsLayer::try_from`](crate::CorsLayer#impl-TryFrom<CorsConfig>-for-CorsLayer), which
    /// reports every problem at once.
    ///
    /// With the `serde` feature (on through the default `toml` feature) it implements
    /// `Deserialize`, refusing unknown keys, so it can be read on its own or nested in an
    /// application's configuration. List keys take an array of strings or a single string (`"*"`).
    /// An unknown key is an error that suggests the closest known one:
    ///
    /// ```
    /// # #[cfg(feature = "toml")] {
    /// use tower_cors::CorsConfig;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct App {
    ///     cors: CorsConfig,
    /// }
    ///
    /// let error = toml::from_str::<App>("[cors]\nallowed_origin = []").err().unwrap();
    /// assert!(error.message().contains("unknown key `allowed_origin`; did you mean `allowed_origins`?"));
    /// # }
    /// ```
    ///
    /// ```
    /// use tower_cors::{CorsConfig, CorsLayer};
    ///
    /// let mut config = CorsConfig::default();
    /// config.allowed_origins = vec!["https://app.example.com".into(), "https://*.example.com".into()];
    /// config.allow_credentials = true;
    /// config.allowed_methods = vec!["GET".into(), "PUT".into()];
    /// config.max_age = Some(600);
    /// let layer = CorsLayer::try_from(config)?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigErrors>(())
    /// ```
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    #[non_exhaustive]
    pub struct CorsConfig {
        /// Allowed origins: exact origins (`https://app.example.com`), one-label subdomain patterns
        /// (`https://*.example.com`), any-depth subdomain patterns (`https://**.example.com`), port
        /// patterns (`http://localhost:*`), or `*` alone for every origin.
        allowed_origins: Vec<String> = List, Always;
        /// Regular expressions, each of which must match the whole origin (anchoring is implicit).
        allowed_origin_regexes: Vec<String> = Regexes, Always;
        /// Whether credentialed requests (cookies, HTTP authentication) may read responses.
        allow_credentials: bool = Bool, Always;
        /// Allowed methods beyond the always-allowed GET, HEAD and POST, or `*`.
        allowed_methods: Vec<String> = List, Always;
        /// Allowed request headers, or `*` (which never covers `authorization`; list it beside `*`).
        allowed_headers: Vec<String> = List, Always;
        /// Response headers scripts may read, or `*`.
        expose_headers: Vec<String> = List, Always;
        /// Preflight cache lifetime in seconds, 0 to 86400; `None` sends no `Access-Control-Max-Age`.
        max_age: Option<i64> = Seconds, WhenSet;
        /// Whether to answer private network access preflights
        /// (`Access-Control-Request-Private-Network: true`).
        allow_private_network: bool = Bool, Always;
        /// Presets (`grpc-web`, `connect`) whose methods, request headers and exposed headers are
        /// added to the lists above before validation; see [`Preset`](crate::Preset).
        presets: Vec<String> = List, WhenSet;
        /// Refuse what CORS cannot stop: unsafe-method requests (not GET, HEAD or OPTIONS) and
        /// WebSocket handshakes that a browser sends cross-origin from an origin this policy does
        /// not allow get 403 before the inner service runs. Refused with `*` origins, which would
        /// leave nothing to protect. See the crate docs, "Cross-origin protection".
        cross_origin_protection: bool = Bool, WhenSet;
        /// Path prefixes that accept cross-origin requests despite
        /// [`cross_origin_protection`](Self::cross_origin_protection): webhooks, SSO and payment
        /// callbacks. Each starts with `/` and matches whole path segments (`/hooks` covers
        /// `/hooks` and `/hooks/stripe`, not `/hooksmith`).
        cross_origin_exempt_paths: Vec<String> = List, WhenSet;
        /// Answer every refused preflight with 403 and no CORS headers. By default a preflight from
        /// an allowed origin that asks for a method or header not allowed gets a 204 with the
        /// allowed lists, so that the browser's console names the exact method or header.
        strict: bool = Bool, WhenSet;
        /// For development: log refusals at `info` with a hint (the nearest allowed origin and how
        /// this one differs) and put the hint in refused preflights' bodies as well. Without it the
        /// body names only the refused value and the reason, never the allowlist.
        debug: bool = Bool, WhenSet;
        /// Record every decision in the response's extensions, allowed and not-CORS ones too. A
        /// refused request's response always carries its [`CorsDecision`](crate::CorsDecision);
        /// recording the others costs every request three allocations, so it is off by default.
        record_all_decisions: bool = Bool, WhenSet;
        /// Allow `null` in `allowed_origins`. Any page can make its origin `null` with a sandboxed
        /// iframe, so allowing it is close to allowing every origin.
        dangerously_allow_null_origin: bool = Bool, WhenSet;
        /// With credentials, allow plain `http://` origins other than loopback, whose pages any
        /// network attacker can rewrite.
        dangerously_allow_insecure_origins: bool = Bool, WhenSet;
        /// With credentials, allow subdomain wildcards over a public suffix
        /// (`https://*.github.io`), under which anyone can register a name.
        dangerously_allow_public_suffix_wildcards: bool = Bool, WhenSet;
    }
}

/// Shows the configuration as TOML, in the keys a `cors.toml` file takes: the contract's keys
/// always, the opt-ins only when set.
///
/// ```
/// use tower_cors::CorsLayer;
///
/// let builder = CorsLayer::builder()
///     .allow_origins(["http://localhost:*"])
///     .allow_methods(["GET", "PUT"]);
/// assert_eq!(
///     builder.config().to_string(),
///     "allowed_origins = [\"http://localhost:*\"]\n\
///      allowed_origin_regexes = []\n\
///      allow_credentials = false\n\
///      allowed_methods = [\"GET\", \"PUT\"]\n\
///      allowed_headers = []\n\
///      expose_headers = []\n\
///      allow_private_network = false\n"
/// );
/// ```
impl std::fmt::Display for CorsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (key, value) in self.toml_entries(false) {
            if let Some(value) = value {
                writeln!(f, "{key} = {value}")?;
            }
        }
        Ok(())
    }
}

impl CorsConfig {
    /// The environment variable that sets `key` under the default prefix (`CORS_MAX_AGE` for
    /// `max_age`), or `None` when `key` is not one of this configuration's keys: for tools
    /// that name a setting both ways.
    ///
    /// ```
    /// use tower_cors::CorsConfig;
    ///
    /// assert_eq!(CorsConfig::variable("max_age").as_deref(), Some("CORS_MAX_AGE"));
    /// assert_eq!(CorsConfig::variable("maxage"), None);
    /// ```
    pub fn variable(key: &str) -> Option<String> {
        keys::find(key).map(|key| key.variable(keys::DEFAULT_PREFIX))
    }
}
