//! Building a policy in code. The builder fills a [`CorsConfig`] and holds the origin
//! predicates, which are code and so have no place in configuration; [`CorsBuilder::build`] runs
//! the same validation as every other way in.

use std::future::Future;
use std::time::Duration;

use http::request::Parts;
use http::HeaderValue;

use crate::config::key;
use crate::config::CorsConfig;
use crate::error::{At, ConfigError, ConfigErrorKind, ConfigErrors};
use crate::layer::CorsLayer;
use crate::policy::Policy;
use crate::predicate::OriginPredicates;
use crate::preset::Preset;
use crate::value::{into_text, ConfigValue};

/// Builds a [`CorsLayer`] in code; from [`CorsLayer::builder`].
///
/// **Every list method adds to its list**: `.allow_methods([Method::PUT]).allow_methods(["PATCH"])`
/// allows both. (tower-http's `CorsLayer` methods replace what an earlier call set.) Methods may
/// be called in any order; nothing is checked until [`build`](CorsBuilder::build), which reports
/// every problem at once.
///
/// List methods take strings and the `http` crate's typed values alike (see [`ConfigValue`]):
///
/// ```
/// use std::time::Duration;
/// use http::{header, HeaderValue, Method};
/// use tower_cors::CorsLayer;
///
/// let layer = CorsLayer::builder()
///     .allow_origins(["https://app.example.com", "https://*.preview.example.com"])
///     .allow_origins([HeaderValue::from_static("https://admin.example.com")])
///     .allow_credentials(true)
///     .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
///     .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
///     .expose_headers(["x-request-id"])
///     .max_age(Duration::from_secs(3600))
///     .build()?;
/// assert_eq!(layer.config().allowed_origins.len(), 3);
/// assert_eq!(layer.config().allowed_methods, ["GET", "POST", "PUT", "DELETE"]);
/// # Ok::<(), tower_cors::ConfigErrors>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct CorsBuilder {
    config: CorsConfig,
    predicates: OriginPredicates,
    /// Values that could not become text, reported by `build` with the rest.
    rejected: Vec<ConfigError>,
    /// Where those values were passed: their lists, and their positions in them.
    holes: Holes,
}

impl CorsLayer {
    /// Starts a builder; [`CorsBuilder::build`] validates the result.
    pub fn builder() -> CorsBuilder {
        CorsBuilder::default()
    }
}

impl CorsBuilder {
    /// Adds allowed origins: exact origins (`https://app.example.com`), one-label subdomain
    /// patterns (`https://*.example.com`), any-depth subdomain patterns
    /// (`https://**.example.com`), port patterns (`http://localhost:*`).
    ///
    /// [`build`](Self::build) refuses an entry not spelled as browsers send it (a path, a
    /// trailing slash, upper case, a default port: the error gives the spelling that works),
    /// `null` and `file://` origins, and `*` in a list; with credentials, also plain-`http://`
    /// origins other than loopback and wildcards over a public suffix (`https://*.github.io`),
    /// unless the `dangerously_*` opt-in for each says otherwise.
    pub fn allow_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: ConfigValue,
    {
        self.extend(
            key::allowed_origins,
            |config| &mut config.allowed_origins,
            origins,
        );
        self
    }

    /// Allows every origin, answering `Access-Control-Allow-Origin: *`. Refused together with
    /// credentials, with cross-origin protection, with an origin predicate and beside other
    /// origins.
    pub fn allow_any_origin(self) -> Self {
        self.allow_origins(["*"])
    }

    /// Adds regular expressions, each of which must match the whole origin (anchoring is
    /// implicit).
    ///
    /// [`build`](Self::build) refuses an expression that does not compile or is too large, one
    /// that matches `null`, and, with credentials or cross-origin protection, one with an
    /// alternative that does not pin its host to a domain (`https://[a-z]+\.com`,
    /// `https://.*example\.com`); see the crate docs, "Origins".
    pub fn allow_origin_regexes<I>(mut self, regexes: I) -> Self
    where
        I: IntoIterator,
        I::Item: ConfigValue,
    {
        self.extend(
            key::allowed_origin_regexes,
            |config| &mut config.allowed_origin_regexes,
            regexes,
        );
        self
    }

    /// Lets credentialed requests (cookies, HTTP authentication) read responses.
    /// Default: `false`.
    ///
    /// Refused together with `*` origins or `*` exposed headers; with it, plain-`http://`
    /// origins, public-suffix wildcards and regular expressions that do not pin their hosts are
    /// refused too (see [`allow_origins`](Self::allow_origins)).
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.config.sources.forget(key::allow_credentials);
        self.config.allow_credentials = allow;
        self
    }

    /// Adds allowed methods; GET, HEAD and POST are always allowed. Refused: a value that is not
    /// a method token, and `CONNECT`, `TRACE` and `TRACK`, which browsers never send.
    pub fn allow_methods<I>(mut self, methods: I) -> Self
    where
        I: IntoIterator,
        I::Item: ConfigValue,
    {
        self.extend(
            key::allowed_methods,
            |config| &mut config.allowed_methods,
            methods,
        );
        self
    }

    /// Allows every method. With credentials, the requested method is echoed, because browsers
    /// read `*` literally then.
    pub fn allow_any_method(self) -> Self {
        self.allow_methods(["*"])
    }

    /// Adds allowed request headers. Refused: a value that is not a header name, a name browsers
    /// never let scripts set (`cookie`, `host`, `sec-*`, ...), and `access-control-*` names.
    pub fn allow_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: ConfigValue,
    {
        self.extend(
            key::allowed_headers,
            |config| &mut config.allowed_headers,
            headers,
        );
        self
    }

    /// Allows every request header except `authorization`, which browsers never let a wildcard
    /// cover: add it with [`allow_headers`](Self::allow_headers) if needed.
    pub fn allow_any_header(self) -> Self {
        self.allow_headers(["*"])
    }

    /// Adds response headers that scripts may read. Refused: a value that is not a header name,
    /// `set-cookie`, and request-only names (`origin`, `access-control-request-*`).
    pub fn expose_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: ConfigValue,
    {
        self.extend(
            key::expose_headers,
            |config| &mut config.expose_headers,
            headers,
        );
        self
    }

    /// Exposes every response header. Refused together with credentials.
    pub fn expose_any_header(self) -> Self {
        self.expose_headers(["*"])
    }

    /// How long browsers may cache a preflight answer, in whole seconds (fractions are dropped),
    /// up to one day; longer is refused. `Duration::ZERO` sends `0`, which turns caching off. Default: no header,
    /// which browsers read as 5 seconds.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.config.sources.forget(key::max_age);
        self.config.max_age = Some(i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX));
        self
    }

    /// Adds a preset's methods, request headers and exposed headers; see [`Preset`].
    pub fn preset(mut self, preset: Preset) -> Self {
        self.config.sources.forget(key::presets);
        self.config.presets.push(preset.name().to_owned());
        self
    }

    /// Answers private network access preflights. Default: `false`.
    pub fn allow_private_network(mut self, allow: bool) -> Self {
        self.config.sources.forget(key::allow_private_network);
        self.config.allow_private_network = allow;
        self
    }

    /// Refuses what CORS cannot stop: unsafe-method requests (not GET, HEAD or OPTIONS) and
    /// WebSocket handshakes that a browser sends cross-origin from an origin this policy does
    /// not allow get 403 before the inner service runs. Requests without `Origin` and
    /// `Sec-Fetch-Site` (curl, server to server) pass. Default: `false`. Refused together with
    /// every origin allowed (`*`), which would leave nothing to protect.
    ///
    /// ```
    /// use http::{Request, StatusCode};
    /// use tower::{service_fn, ServiceExt};
    /// use tower_cors::CorsLayer;
    /// use tower_layer::Layer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .allow_credentials(true)
    ///     .cross_origin_protection(true)
    ///     .build()?;
    /// let service = layer.layer(service_fn(|_| async {
    ///     Ok::<_, std::convert::Infallible>(http::Response::new(String::from("changed")))
    /// }));
    /// let form_post = Request::post("https://api.example.com/transfer")
    ///     .header("origin", "https://evil.example")
    ///     .header("sec-fetch-site", "cross-site")
    ///     .body(())?;
    /// # futures::executor::block_on(async {
    /// let response = service.oneshot(form_post).await?;
    /// assert_eq!(response.status(), StatusCode::FORBIDDEN);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cross_origin_protection(mut self, protect: bool) -> Self {
        self.config.sources.forget(key::cross_origin_protection);
        self.config.cross_origin_protection = protect;
        self
    }

    /// Path prefixes that accept cross-origin requests despite
    /// [`cross_origin_protection`](Self::cross_origin_protection): a webhook, an SSO or payment
    /// provider's callback. Each must start with `/`, without query, fragment or `*`; it
    /// covers whole path segments (`/hooks` covers `/hooks` and `/hooks/stripe`, not
    /// `/hooksmith`).
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let errors = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .cross_origin_protection(true)
    ///     .cross_origin_exempt_paths(["/hooks", "sso/callback"])
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(
    ///     errors.to_string(),
    ///     "cross_origin_exempt_paths[1]: \"sso/callback\": a path prefix must start with /; \
    ///      write it as \"/sso/callback\""
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cross_origin_exempt_paths<I>(mut self, paths: I) -> Self
    where
        I: IntoIterator,
        I::Item: ConfigValue,
    {
        self.extend(
            key::cross_origin_exempt_paths,
            |config| &mut config.cross_origin_exempt_paths,
            paths,
        );
        self
    }

    /// Answers every refused preflight with 403 and no CORS headers, even when only a method or
    /// header was refused. Default: `false`, which lets the browser's console name the culprit.
    pub fn strict(mut self, strict: bool) -> Self {
        self.config.sources.forget(key::strict);
        self.config.strict = strict;
        self
    }

    /// Development mode: refusals are logged at `info` with a hint naming the nearest allowed
    /// origin and how the refused one differs, and the hint goes into refused preflights'
    /// bodies too. Default: `false` (hints are logged at `debug` only, never sent).
    pub fn debug(mut self, debug: bool) -> Self {
        self.config.sources.forget(key::debug);
        self.config.debug = debug;
        self
    }

    /// Records every decision in the response's extensions: allowed and not-CORS decisions
    /// too, not only refusals. Default: `false`. A refused request's response always carries
    /// its [`CorsDecision`](crate::CorsDecision), which is what metrics count; the others cost
    /// every request three allocations (`http::Extensions` allocates its map, its table and
    /// the boxed value on the first insert), so they are recorded only when asked for.
    ///
    /// ```
    /// use http::Request;
    /// use tower::{service_fn, Layer, ServiceExt};
    /// use tower_cors::{CorsDecision, CorsLayer, CorsRequestKind};
    ///
    /// # futures::executor::block_on(async {
    /// let inner = service_fn(|_: Request<()>| async {
    ///     Ok::<_, std::convert::Infallible>(http::Response::new(()))
    /// });
    /// let allowed = || Request::get("/").header("origin", "https://app.example.com").body(());
    /// let builder = CorsLayer::builder().allow_origins(["https://app.example.com"]);
    ///
    /// let quiet = builder.clone().build()?.layer(inner.clone());
    /// let response = quiet.oneshot(allowed()?).await?;
    /// assert_eq!(response.extensions().get::<CorsDecision>(), None);
    ///
    /// let recording = builder.record_all_decisions(true).build()?.layer(inner);
    /// let response = recording.oneshot(allowed()?).await?;
    /// assert_eq!(
    ///     response.extensions().get::<CorsDecision>(),
    ///     Some(&CorsDecision::Allowed(CorsRequestKind::Actual))
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn record_all_decisions(mut self, record: bool) -> Self {
        self.config.sources.forget(key::record_all_decisions);
        self.config.record_all_decisions = record;
        self
    }

    /// Accepts `null` in the allowed origins. Any page can make its origin `null` with a
    /// sandboxed iframe, so this is close to allowing every origin.
    pub fn dangerously_allow_null_origin(mut self, allow: bool) -> Self {
        self.config
            .sources
            .forget(key::dangerously_allow_null_origin);
        self.config.dangerously_allow_null_origin = allow;
        self
    }

    /// With credentials, accepts plain `http://` origins other than loopback.
    pub fn dangerously_allow_insecure_origins(mut self, allow: bool) -> Self {
        self.config
            .sources
            .forget(key::dangerously_allow_insecure_origins);
        self.config.dangerously_allow_insecure_origins = allow;
        self
    }

    /// With credentials, accepts subdomain wildcards over public suffixes (`https://*.github.io`).
    pub fn dangerously_allow_public_suffix_wildcards(mut self, allow: bool) -> Self {
        self.config
            .sources
            .forget(key::dangerously_allow_public_suffix_wildcards);
        self.config.dangerously_allow_public_suffix_wildcards = allow;
        self
    }

    /// Also allows the origins `predicate` accepts, given the request's `Origin` and head
    /// (method, URI, headers such as `Host`, extensions), for origins not known when the layer
    /// is built. Calling it again replaces the previous predicate.
    ///
    /// The predicate is consulted only when the listed origins do not match, and only for a
    /// well-formed `http` or `https` origin as browsers write it: `null`, other schemes
    /// (`file://x`, `chrome-extension://...`), several `Origin` headers and malformed values
    /// (`https://[.]`, `https://-`, `https://999`: a host that is neither an IP address nor a
    /// host name whose labels start and end with a letter or digit) never reach it, and with
    /// credentials neither does a plain-http origin other than loopback, unless
    /// [`dangerously_allow_insecure_origins`](Self::dangerously_allow_insecure_origins) is
    /// set. Its refusal is like any other: reason `origin_not_allowed`, the same log event, the
    /// same decision in the response's extensions. It survives
    /// [reloads](crate::ReloadHandle::reload), and makes an empty list of origins valid; with
    /// `*` it would never be consulted, so that is an error.
    ///
    /// A predicate that says yes to every origin reflects the request's origin, which with
    /// credentials is `*` with credentials: any website could read your users' data with their
    /// cookies. So, with credentials, [`build`](Self::build) asks it once about an origin
    /// nobody can own (`https://tower-cors-canary.invalid`, on a bare `GET /`) and refuses a
    /// predicate that says yes, as it refuses `*`; a reload that turns credentials on asks it
    /// too. Rules per route (an open `/health` beside a credentialed API) belong in the
    /// allowlist of each route's policy, not in a predicate that reads the path.
    ///
    /// A panic in the predicate does not leave the layer (where it would pass by any
    /// panic-catching layer inside it): the origin is refused with reason
    /// [`predicate_failed`](crate::RefusalReason::PredicateFailed), logged at `error` with the
    /// origin under the `tower_cors::refusal` target, and the layer goes on serving. A
    /// preflight gets 403; an actual request still reaches the inner service, as with any
    /// refused origin, and its response gets no CORS headers; with
    /// [`cross_origin_protection`](Self::cross_origin_protection) an unsafe request gets 403.
    /// The panic's message goes to the panic hook, never to the client.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     // Each customer's site under its own subdomain of the host it calls.
    ///     .allow_origin_predicate(|origin, parts| {
    ///         let host = parts.headers.get(http::header::HOST).and_then(|h| h.to_str().ok());
    ///         host.is_some_and(|host| origin.as_bytes() == format!("https://www.{host}").as_bytes())
    ///     })
    ///     .build()?;
    /// let request = http::Request::get("/")
    ///     .header("host", "shop.example.net")
    ///     .header("origin", "https://www.shop.example.net")
    ///     .body(())?;
    /// assert!(!layer.decide(&request).is_refused());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow_origin_predicate<F>(mut self, predicate: F) -> Self
    where
        F: Fn(&HeaderValue, &Parts) -> bool + Send + Sync + 'static,
    {
        self.predicates = self.predicates.with_sync(predicate);
        self
    }

    /// Also allows the origins for which the future `predicate` returns resolves to `true`: a
    /// database or cache lookup. The future must own what it needs (it is `'static`): take from
    /// the origin (given by value) and the request's head what the lookup needs before
    /// `async move`. The predicate is cloned for each call, as tower-http's
    /// `AllowOrigin::async_predicate` does, so a closure that moves its captures into the future
    /// works unchanged. Calling it again replaces the previous asynchronous predicate.
    ///
    /// Consulted as [`allow_origin_predicate`](Self::allow_origin_predicate) says, and after it
    /// when both are set. A preflight is answered when the future resolves; an actual request
    /// goes to the inner service at once (CORS never holds a request back) and its response is
    /// decorated when both are done. Only layers with an asynchronous predicate box a future;
    /// others allocate nothing for it.
    ///
    /// A panic, whether in the predicate or while its future is polled, refuses the origin as
    /// [`allow_origin_predicate`](Self::allow_origin_predicate) says. A future that never
    /// resolves holds the request until the client gives up: the layer sets no deadline, so
    /// **the lookup must bound itself**, with `tokio::time::timeout` for example, and answer
    /// `false` when time is up (the `tenants` example does, and so does the one below).
    /// Cross-origin protection never waits for it: it consults the synchronous predicate only.
    ///
    /// ```
    /// use std::collections::HashSet;
    /// use std::sync::{Arc, RwLock};
    /// use std::time::Duration;
    /// use tower::ServiceExt;
    /// use tower_cors::CorsLayer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// // Stands in for a database of tenants' own domains.
    /// let tenants = Arc::new(RwLock::new(HashSet::from(["https://shop.example.net".to_owned()])));
    /// let store = Arc::clone(&tenants);
    /// let layer = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .allow_origin_async_predicate(move |origin, _parts| {
    ///         let store = Arc::clone(&store);
    ///         let lookup = async move {
    ///             let origin = origin.to_str().unwrap_or_default();
    ///             store.read().map_or(false, |tenants| tenants.contains(origin))
    ///         };
    ///         // The layer sets no deadline: a lookup bounds itself, and refuses when late.
    ///         async move {
    ///             tokio::time::timeout(Duration::from_millis(250), lookup)
    ///                 .await
    ///                 .unwrap_or(false)
    ///         }
    ///     })
    ///     .build()?;
    /// let service = tower::layer::Layer::layer(&layer, tower::service_fn(|_| async {
    ///     Ok::<_, std::convert::Infallible>(http::Response::new(String::from("ok")))
    /// }));
    /// let preflight = http::Request::options("/")
    ///     .header("origin", "https://shop.example.net")
    ///     .header("access-control-request-method", "GET")
    ///     .body(())?;
    /// let response = service.oneshot(preflight).await?;
    /// assert_eq!(response.status(), 204);
    /// assert_eq!(response.headers()["access-control-allow-origin"], "https://shop.example.net");
    /// # Ok(())
    /// # }
    /// ```
    pub fn allow_origin_async_predicate<F, Fut>(mut self, predicate: F) -> Self
    where
        F: FnOnce(HeaderValue, &Parts) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        self.predicates = self.predicates.with_async(predicate);
        self
    }

    /// The configuration built so far. Origin predicates are not part of it.
    pub fn config(&self) -> &CorsConfig {
        &self.config
    }

    /// Validates the configuration, returning the layer or every problem found.
    pub fn build(self) -> Result<CorsLayer, ConfigErrors> {
        let policy =
            validate_with_holes(&self.config, &self.predicates, self.rejected, &self.holes)?;
        Ok(CorsLayer::new(policy, self.predicates))
    }

    /// Adds `values` to the list at `key`, setting aside those that cannot become text. Each is
    /// reported at its position in the list the caller built, set-aside values counted, so that
    /// every error points at the value the caller passed there.
    fn extend<I>(
        &mut self,
        key: &'static str,
        list: fn(&mut CorsConfig) -> &mut Vec<String>,
        values: I,
    ) where
        I: IntoIterator,
        I::Item: ConfigValue,
    {
        self.config.sources.forget(key);
        for value in values {
            match into_text(value) {
                Ok(text) => list(&mut self.config).push(text),
                Err(shown) => {
                    let position = list(&mut self.config).len() + self.holes.count(key);
                    self.rejected.push(not_utf8(key, position, &shown));
                    self.holes.0.push((key, position));
                }
            }
        }
    }
}

/// The values the builder set aside, as (list, position in the caller's list). The lists that
/// are validated lack them, so the index of an error in one of these lists is shifted by those
/// set aside before it.
#[derive(Clone, Debug, Default)]
struct Holes(Vec<(&'static str, usize)>);

impl Holes {
    fn count(&self, key: &str) -> usize {
        self.0.iter().filter(|(list, _)| *list == key).count()
    }

    /// `error`, located at the caller's position of the value it is about.
    fn restore(&self, error: ConfigError) -> ConfigError {
        let Some(index) = error.index().filter(|_| !self.0.is_empty()) else {
            return error;
        };
        // Positions of one list were recorded in increasing order.
        let mut position = index;
        for &(_, hole) in self.0.iter().filter(|(list, _)| *list == error.key()) {
            if hole <= position {
                position += 1;
            }
        }
        error.at_index(position)
    }
}

/// The error for a `HeaderValue` that is not UTF-8, given for the list at `key`.
fn not_utf8(key: &'static str, index: usize, shown: &str) -> ConfigError {
    let (kind, what, fix) = match key {
        key::allowed_origins => (ConfigErrorKind::InvalidOrigin, "an origin", "as ASCII text"),
        key::allowed_methods => (ConfigErrorKind::InvalidMethod, "a method", "as ASCII text"),
        key::allowed_origin_regexes => (
            ConfigErrorKind::InvalidRegex,
            "a regular expression",
            "as ASCII text",
        ),
        key::cross_origin_exempt_paths => (
            ConfigErrorKind::InvalidExemptPath,
            "a path prefix",
            "as ASCII text, percent-encoded as browsers send it",
        ),
        // `allowed_headers` and `expose_headers`.
        _ => (
            ConfigErrorKind::InvalidHeaderName,
            "a header name",
            "as ASCII text",
        ),
    };
    ConfigError::new(
        kind,
        At::entry(key, index),
        Some(shown),
        format!(
            "a header value that is not UTF-8 (shown with U+FFFD for its invalid bytes) cannot \
             be {what}"
        ),
        format!("pass the value {fix}"),
    )
}

/// Validates `config` into a policy, with the errors found before validation (`errors`)
/// first: one list of every problem, each at the position the caller passed its value, for
/// lists that lack the values set aside at `holes`.
fn validate_with_holes(
    config: &CorsConfig,
    predicates: &OriginPredicates,
    errors: Vec<ConfigError>,
    holes: &Holes,
) -> Result<Policy, ConfigErrors> {
    match crate::validate::validate_with(config, predicates) {
        Ok(policy) => match ConfigErrors::from_vec(errors) {
            Some(errors) => Err(errors),
            None => Ok(policy),
        },
        Err(found) => Err(found.map(|error| holes.restore(error)).after(errors)),
    }
}

impl From<CorsConfig> for CorsBuilder {
    /// Starts from an existing configuration, to adjust it in code.
    fn from(config: CorsConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }
}
