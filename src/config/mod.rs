//! The plain-data configuration. Deserializing it only checks types; every semantic check happens
//! in one place, when a [`CorsLayer`](crate::CorsLayer) is built from it.

#[cfg(feature = "serde")]
mod de;
#[cfg(feature = "env")]
mod env;
#[cfg(any(feature = "serde", feature = "env"))]
mod fields;
#[cfg(any(feature = "env", feature = "toml"))]
mod loaded;
mod sources;
#[cfg(feature = "toml")]
mod toml;

#[cfg(feature = "env")]
pub use self::env::DEFAULT_ENV_PREFIX;
pub(crate) use self::sources::Sources;
use crate::error::quoted;

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
    pub allowed_origins: Vec<String>,
    /// Regular expressions, each of which must match the whole origin (anchoring is implicit).
    pub allowed_origin_regexes: Vec<String>,
    /// Whether credentialed requests (cookies, HTTP authentication) may read responses.
    pub allow_credentials: bool,
    /// Allowed methods beyond the always-allowed GET, HEAD and POST, or `*`.
    pub allowed_methods: Vec<String>,
    /// Allowed request headers, or `*` (which never covers `authorization`; list it beside `*`).
    pub allowed_headers: Vec<String>,
    /// Response headers scripts may read, or `*`.
    pub expose_headers: Vec<String>,
    /// Preflight cache lifetime in seconds, 0 to 86400; `None` sends no `Access-Control-Max-Age`.
    pub max_age: Option<i64>,
    /// Whether to answer private network access preflights
    /// (`Access-Control-Request-Private-Network: true`).
    pub allow_private_network: bool,
    /// Refuse what CORS cannot stop: unsafe-method requests (not GET, HEAD or OPTIONS) and
    /// WebSocket handshakes that a browser sends cross-origin from an origin this policy does
    /// not allow get 403 before the inner service runs. Refused with `*` origins, which would
    /// leave nothing to protect. See the crate docs, "Cross-origin protection".
    pub cross_origin_protection: bool,
    /// Path prefixes that accept cross-origin requests despite
    /// [`cross_origin_protection`](Self::cross_origin_protection): webhooks, SSO and payment
    /// callbacks. Each starts with `/` and matches whole path segments (`/hooks` covers
    /// `/hooks` and `/hooks/stripe`, not `/hooksmith`).
    pub cross_origin_exempt_paths: Vec<String>,
    /// Answer every refused preflight with 403 and no CORS headers. By default a preflight from
    /// an allowed origin that asks for a method or header not allowed gets a 204 with the
    /// allowed lists, so that the browser's console names the exact method or header.
    pub strict: bool,
    /// For development: log refusals at `info` with a hint (the nearest allowed origin and how
    /// this one differs) and put the hint in refused preflights' bodies as well. Without it the
    /// body names only the refused value and the reason, never the allowlist.
    pub debug: bool,
    /// Record every decision in the response's extensions, allowed and not-CORS ones too. A
    /// refused request's response always carries its [`CorsDecision`](crate::CorsDecision);
    /// recording the others costs every request three allocations, so it is off by default.
    pub record_all_decisions: bool,
    /// Presets (`grpc-web`, `connect`) whose methods, request headers and exposed headers are
    /// added to the lists above before validation; see [`Preset`](crate::Preset).
    pub presets: Vec<String>,
    /// Allow `null` in `allowed_origins`. Any page can make its origin `null` with a sandboxed
    /// iframe, so allowing it is close to allowing every origin.
    pub dangerously_allow_null_origin: bool,
    /// With credentials, allow plain `http://` origins other than loopback, whose pages any
    /// network attacker can rewrite.
    pub dangerously_allow_insecure_origins: bool,
    /// With credentials, allow subdomain wildcards over a public suffix
    /// (`https://*.github.io`), under which anyone can register a name.
    pub dangerously_allow_public_suffix_wildcards: bool,
    /// Where each value came from, so that errors name the variable or file; not part of the
    /// configuration's value.
    pub(crate) sources: Sources,
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
        for (key, value) in self.toml_entries() {
            if let Some(value) = value {
                writeln!(f, "{key} = {value}")?;
            }
        }
        Ok(())
    }
}

impl CorsConfig {
    /// Every key with its value written as TOML, in the order of a `cors.toml` file; `None` for
    /// a key left at a default that the file would not mention (`max_age` unset, opt-ins off).
    pub(crate) fn toml_entries(&self) -> [(&'static str, Option<String>); 17] {
        fn list(items: &[String]) -> Option<String> {
            let quoted: Vec<String> = items.iter().map(|item| quoted(item)).collect();
            Some(format!("[{}]", quoted.join(", ")))
        }
        fn opt_in(set: bool) -> Option<String> {
            set.then(|| "true".to_owned())
        }
        [
            ("allowed_origins", list(&self.allowed_origins)),
            ("allowed_origin_regexes", list(&self.allowed_origin_regexes)),
            (
                "allow_credentials",
                Some(self.allow_credentials.to_string()),
            ),
            ("allowed_methods", list(&self.allowed_methods)),
            ("allowed_headers", list(&self.allowed_headers)),
            ("expose_headers", list(&self.expose_headers)),
            ("max_age", self.max_age.map(|max_age| max_age.to_string())),
            (
                "allow_private_network",
                Some(self.allow_private_network.to_string()),
            ),
            (
                "presets",
                (!self.presets.is_empty())
                    .then(|| list(&self.presets))
                    .flatten(),
            ),
            (
                "cross_origin_protection",
                opt_in(self.cross_origin_protection),
            ),
            (
                "cross_origin_exempt_paths",
                (!self.cross_origin_exempt_paths.is_empty())
                    .then(|| list(&self.cross_origin_exempt_paths))
                    .flatten(),
            ),
            ("strict", opt_in(self.strict)),
            ("debug", opt_in(self.debug)),
            ("record_all_decisions", opt_in(self.record_all_decisions)),
            (
                "dangerously_allow_null_origin",
                opt_in(self.dangerously_allow_null_origin),
            ),
            (
                "dangerously_allow_insecure_origins",
                opt_in(self.dangerously_allow_insecure_origins),
            ),
            (
                "dangerously_allow_public_suffix_wildcards",
                opt_in(self.dangerously_allow_public_suffix_wildcards),
            ),
        ]
    }
}
