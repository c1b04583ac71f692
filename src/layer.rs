//! The layer: a validated policy, cheap to clone, that wraps services in [`Cors`].

use std::sync::Arc;

use http::{Request, Response};
use tower_layer::Layer;

use crate::config::CorsConfig;
use crate::decide::{actual_after_asking, preflight_after_asking, Asking, Outcome};
use crate::decision::{CorsDecision, CorsRequestKind, Refusal};
use crate::error::ConfigErrors;
use crate::policy::{Decoration, Policy};
use crate::predicate::{parts_of, OriginPredicates};
use crate::record;
use crate::reload::{ReloadHandle, SharedPolicy};
use crate::render;
use crate::request::host_of;
use crate::service::Cors;
use crate::warning::ConfigWarning;

/// Applies a validated CORS policy to every request of the services it wraps.
///
/// Built only through validation, so a `CorsLayer` always holds a policy that browsers can
/// follow: from a [`CorsConfig`] with [`CorsLayer::try_from`], or with [`CorsLayer::builder`].
/// Cloning it clones an [`Arc`].
///
/// Put it outermost, so that preflights are answered before routing, authentication or rate
/// limits see them, and so that the error responses of those layers get CORS headers too.
///
/// ```
/// use axum::{routing::get, Router};
/// use tower_cors::CorsLayer;
///
/// let cors = CorsLayer::builder()
///     .allow_origins(["https://app.example.com"])
///     .allow_methods(["GET", "PUT"])
///     .build()?;
/// let app: Router = Router::new().route("/", get(|| async { "ok" })).layer(cors);
/// # let _ = app;
/// # Ok::<(), tower_cors::ConfigErrors>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct CorsLayer {
    policy: SharedPolicy,
    predicates: OriginPredicates,
}

impl CorsLayer {
    /// What this layer decides for `request`, without calling anything: whether it is a CORS
    /// request, and whether the policy allows it or why not.
    ///
    /// ```
    /// use http::{Request, Response};
    /// use tower_cors::{CorsDecision, CorsLayer, CorsRequestKind};
    ///
    /// let layer = CorsLayer::builder().allow_origins(["https://*.example.com"]).build()?;
    /// let preflight = Request::options("/items")
    ///     .header("origin", "https://app.example.com")
    ///     .header("access-control-request-method", "GET")
    ///     .body(())?;
    /// assert_eq!(layer.decide(&preflight), CorsDecision::Allowed(CorsRequestKind::Preflight));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// An [origin predicate](crate::CorsBuilder::allow_origin_predicate) is consulted as the service
    /// consults it. An [asynchronous one](crate::CorsBuilder::allow_origin_async_predicate) is not: this
    /// method cannot wait, so an origin only it could allow is reported refused. Send the request
    /// through the service to see its verdict.
    pub fn decide<B>(&self, request: &Request<B>) -> CorsDecision {
        self.policy
            .with(|policy| decide(policy, &self.predicates, request))
    }

    /// Whether origins are also decided in code, by a predicate given to
    /// [`CorsBuilder::allow_origin_predicate`](crate::CorsBuilder::allow_origin_predicate) or
    /// [`CorsBuilder::allow_origin_async_predicate`](crate::CorsBuilder::allow_origin_async_predicate): then the configuration alone does not
    /// tell which origins are allowed.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let listed = CorsLayer::builder().allow_origins(["https://app.example.com"]).build()?;
    /// assert!(!listed.has_origin_predicate());
    /// let dynamic = CorsLayer::builder()
    ///     .allow_origin_predicate(|origin, _| origin.as_bytes().ends_with(b".example.net"))
    ///     .build()?;
    /// assert!(dynamic.has_origin_predicate());
    /// # Ok::<(), tower_cors::ConfigErrors>(())
    /// ```
    pub fn has_origin_predicate(&self) -> bool {
        !self.predicates.is_empty()
    }

    /// Whether some origins are decided by an asynchronous predicate, given to
    /// [`CorsBuilder::allow_origin_async_predicate`](crate::CorsBuilder::allow_origin_async_predicate): [`decide`](Self::decide) cannot wait for
    /// it, so an origin only it could allow is reported refused there.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .allow_origin_async_predicate(|origin, _| async move {
    ///         origin.as_bytes().ends_with(b".example.net")
    ///     })
    ///     .build()?;
    /// assert!(layer.has_async_origin_predicate());
    /// # Ok::<(), tower_cors::ConfigErrors>(())
    /// ```
    pub fn has_async_origin_predicate(&self) -> bool {
        self.predicates.has_async()
    }

    /// The layer's whole answer to `request`, without a server or an executor: what a browser
    /// would receive. A preflight is answered by the layer itself, and cross-origin protection
    /// may refuse a request before it goes further; any other request gets `response()`,
    /// standing for the inner service's answer, with the policy's headers added. As for
    /// [`decide`](Self::decide), the asynchronous origin predicate is not asked, so an origin
    /// only it could allow is refused. Bodies are text, as a test or a tool prints them.
    ///
    /// ```
    /// use http::{Request, Response, StatusCode};
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder().allow_origins(["https://app.example.com"]).build()?;
    /// let preflight = Request::options("/items")
    ///     .header("origin", "https://evil.example")
    ///     .header("access-control-request-method", "PUT")
    ///     .body(())?;
    /// let answer = layer.answer(&preflight, || unreachable!("a preflight is answered here"));
    /// assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    /// assert_eq!(answer.body(), "origin \"https://evil.example\" is not allowed\n");
    ///
    /// let get = Request::get("/items").header("origin", "https://app.example.com").body(())?;
    /// let answer = layer.answer(&get, || Response::new("[]".to_owned()));
    /// assert_eq!(answer.headers()["access-control-allow-origin"], "https://app.example.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn answer<B>(
        &self,
        request: &Request<B>,
        response: impl FnOnce() -> Response<String>,
    ) -> Response<String> {
        self.policy.with(|policy| {
            let text = |answer: Response<bytes::Bytes>| {
                answer.map(|body| String::from_utf8_lossy(&body).into_owned())
            };
            let refuse = |kind, reason| record::refuse(policy, kind, reason, request);
            match settled(policy, &self.predicates, request) {
                Outcome::Preflight(answer) => {
                    let refusal = answer
                        .refusal()
                        .map(|reason| refuse(CorsRequestKind::Preflight, reason.clone()));
                    text(render::preflight(policy, &answer, refusal))
                }
                Outcome::Forbidden(reason) => text(render::forbidden(
                    policy,
                    refuse(CorsRequestKind::Actual, reason),
                )),
                outcome => {
                    let decoration = match &outcome {
                        Outcome::Actual { decoration, .. } => decoration.clone(),
                        _ => Decoration::Refused,
                    };
                    let host = host_of(request.headers(), request.uri());
                    let decision = outcome.into_decision(refuse);
                    let mut answer = response();
                    render::decorate(policy, answer.headers_mut(), decoration, host.as_ref());
                    if let Some(decision) = policy.recorded(decision) {
                        answer.extensions_mut().insert(decision);
                    }
                    answer
                }
            }
        })
    }

    /// A layer applying `policy`, and `predicates` for the origins it does not list.
    pub(crate) fn new(policy: Policy, predicates: OriginPredicates) -> Self {
        let policy = Arc::new(policy);
        crate::stack::register(&policy);
        Self {
            policy: SharedPolicy::Fixed(policy),
            predicates,
        }
    }

    /// This layer, made reloadable, and the [`ReloadHandle`] that swaps its policy.
    ///
    /// The services the returned layer wraps read the policy from a slot that the handle
    /// replaces atomically, so a running server changes its allowlist without a restart and
    /// without dropping a request. Reading the slot costs each request a few atomic operations;
    /// a layer that never reloads should stay as it is. Calling this on a layer that is already
    /// reloadable returns another handle to the same slot.
    pub fn reloadable(mut self) -> (Self, ReloadHandle) {
        let handle = ReloadHandle::new(self.policy.slot(), self.predicates.clone());
        (self, handle)
    }

    /// What validation found valid but probably wrong in the policy in force: loopback origins
    /// with credentials, a `max_age` above Chromium's 7200-second cap, exposed headers that
    /// scripts can read anyway, and so on. Each was also logged at `warn` when the layer was
    /// built.
    pub fn warnings(&self) -> Vec<ConfigWarning> {
        self.policy.with(|policy| policy.warnings.clone())
    }

    /// The configuration of the policy in force: the one this layer was built from, or the last
    /// one its [`ReloadHandle`] swapped in.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder().allow_origins(["https://app.example.com"]).build()?;
    /// assert_eq!(layer.config().allowed_origins, ["https://app.example.com"]);
    /// # Ok::<(), tower_cors::ConfigErrors>(())
    /// ```
    pub fn config(&self) -> CorsConfig {
        self.policy.with(|policy| policy.config.clone())
    }
}

/// The service's decision for `request`, with the refusal's hint always looked for.
fn decide<B>(policy: &Policy, predicates: &OriginPredicates, request: &Request<B>) -> CorsDecision {
    settled(policy, predicates, request).into_decision(|kind, reason| {
        let hint = policy.hint(&reason);
        Refusal::new(kind, reason).with_hint(hint)
    })
}

/// The core's outcome for `request`, an origin the predicates must judge put to the
/// synchronous one: the asynchronous one's answer cannot be waited for here.
fn settled<B>(policy: &Policy, predicates: &OriginPredicates, request: &Request<B>) -> Outcome {
    match crate::decide::decide(policy, predicates, request) {
        Outcome::Ask { origin, asking } => {
            let answer = predicates.ask_now(&origin, &parts_of(request));
            match asking {
                Asking::Preflight => Outcome::Preflight(preflight_after_asking(
                    policy,
                    answer,
                    origin,
                    request.headers(),
                )),
                Asking::Actual { credentialed } => {
                    let (decoration, verdict) = actual_after_asking(answer, origin, credentialed);
                    Outcome::Actual {
                        decoration,
                        verdict,
                    }
                }
            }
        }
        outcome => outcome,
    }
}

impl TryFrom<CorsConfig> for CorsLayer {
    type Error = ConfigErrors;

    /// Validates `config`, returning every problem at once.
    fn try_from(config: CorsConfig) -> Result<Self, Self::Error> {
        Self::try_from(&config)
    }
}

impl TryFrom<&CorsConfig> for CorsLayer {
    type Error = ConfigErrors;

    /// Validates `config`, returning every problem at once.
    fn try_from(config: &CorsConfig) -> Result<Self, Self::Error> {
        crate::validate::validate(config)
            .map(|policy| Self::new(policy, OriginPredicates::default()))
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Cors::new(inner, self.policy.clone(), self.predicates.clone())
    }
}
