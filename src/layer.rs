//! The layer: a validated policy, cheap to clone, that wraps services in [`Cors`].

use std::sync::Arc;

use http::Request;
use tower_layer::Layer;

use crate::builder::CorsBuilder;
use crate::config::CorsConfig;
use crate::decision::{CorsDecision, CorsRequestKind, Refusal};
use crate::error::ConfigErrors;
use crate::policy::{Policy, PreflightAnswer};
use crate::request::{classify, Classified};
use crate::service::Cors;

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
    policy: Arc<Policy>,
}

impl CorsLayer {
    /// Starts a builder; [`CorsBuilder::build`] validates the result.
    pub fn builder() -> CorsBuilder {
        CorsBuilder::default()
    }

    /// What this layer decides for `request`, without calling anything: whether it is a CORS
    /// request, and whether the policy allows it or why not.
    ///
    /// ```
    /// use http::Request;
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
    pub fn decide<B>(&self, request: &Request<B>) -> CorsDecision {
        decide(&self.policy, request)
    }
}

pub(crate) fn decide<B>(policy: &Policy, request: &Request<B>) -> CorsDecision {
    match classify(request.method(), request.headers()) {
        Classified::NotCors => CorsDecision::NotCors,
        Classified::Preflight { origin, method } => {
            match policy.decide_preflight(origin, method, request.headers()) {
                PreflightAnswer::Allowed { .. } => {
                    CorsDecision::Allowed(CorsRequestKind::Preflight)
                }
                PreflightAnswer::Refused { reason, .. } => {
                    CorsDecision::Refused(Refusal::new(CorsRequestKind::Preflight, reason))
                }
            }
        }
        Classified::Actual { origin } => match policy.decide_actual(Some(origin)) {
            Ok(_) => CorsDecision::Allowed(CorsRequestKind::Actual),
            Err(reason) => CorsDecision::Refused(Refusal::new(CorsRequestKind::Actual, reason)),
        },
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
        crate::validate::validate(config).map(|policy| Self {
            policy: Arc::new(policy),
        })
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Cors::new(inner, Arc::clone(&self.policy))
    }
}
