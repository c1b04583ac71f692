//! Swapping the policy of running services: a reloadable layer shares one slot with its
//! [`ReloadHandle`], and each request reads the slot once, so it sees one policy from start to
//! end.

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::config::CorsConfig;
use crate::error::ConfigErrors;
use crate::policy::Policy;
use crate::predicate::OriginPredicates;

/// Where a layer's services find the policy: fixed when built, or in a slot a
/// [`ReloadHandle`] can swap.
#[derive(Clone, Debug)]
pub(crate) enum SharedPolicy {
    Fixed(Arc<Policy>),
    Reloadable(Arc<ArcSwap<Policy>>),
}

/// The policy a request sees, read once from a reloadable slot, so that a reload in the middle
/// of a request cannot mix two policies in one response.
pub(crate) enum Current<'a> {
    Fixed(&'a Arc<Policy>),
    Loaded(arc_swap::Guard<Arc<Policy>>),
}

impl std::ops::Deref for Current<'_> {
    type Target = Arc<Policy>;

    #[inline]
    fn deref(&self) -> &Arc<Policy> {
        match self {
            Current::Fixed(policy) => policy,
            Current::Loaded(guard) => guard,
        }
    }
}

impl SharedPolicy {
    /// The policy a request should see. A guard rather than a closure, so that the request
    /// is not moved into one on its way to the inner service.
    #[inline]
    pub(crate) fn current(&self) -> Current<'_> {
        match self {
            Self::Fixed(policy) => Current::Fixed(policy),
            Self::Reloadable(slot) => Current::Loaded(slot.load()),
        }
    }

    /// Runs `f` with the policy a request should see (see [`current`](Self::current)).
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&Arc<Policy>) -> R) -> R {
        f(&self.current())
    }

    /// The slot, created from the fixed policy the first time.
    pub(crate) fn slot(&mut self) -> Arc<ArcSwap<Policy>> {
        let slot = match self {
            Self::Reloadable(slot) => return Arc::clone(slot),
            Self::Fixed(policy) => Arc::new(ArcSwap::new(Arc::clone(policy))),
        };
        *self = Self::Reloadable(Arc::clone(&slot));
        slot
    }
}

/// Replaces the policy of a reloadable [`CorsLayer`](crate::CorsLayer) and of every service it
/// has wrapped, while they serve; made by [`CorsLayer::reloadable`](crate::CorsLayer::reloadable).
///
/// [`reload`](Self::reload) validates the new configuration exactly as building a layer does.
/// A valid one is swapped in atomically: requests that already started finish with the policy
/// they began with, and every later request sees the new one. An invalid one is refused with
/// every problem, and the running policy stays in place.
///
/// A reload replaces the static lists and settings, never the origin predicates
/// ([`CorsBuilder::allow_origin_predicate`](crate::CorsBuilder::allow_origin_predicate) and
/// [`CorsBuilder::allow_origin_async_predicate`](crate::CorsBuilder::allow_origin_async_predicate)):
/// they are code, not configuration, and keep deciding the origins the new lists do not name.
/// With a predicate, a configuration that lists no origin at all is valid.
///
/// ```
/// use tower_cors::{CorsConfig, CorsLayer};
///
/// let (layer, handle) = CorsLayer::builder()
///     .allow_origins(["https://app.example.com"])
///     .build()?
///     .reloadable();
///
/// let mut config = handle.config();
/// config.allowed_origins.push("https://admin.example.com".into());
/// let changes = handle.reload(config)?;
/// assert_eq!(
///     changes[0].to_string(),
///     "allowed_origins: [\"https://app.example.com\"] -> \
///      [\"https://app.example.com\", \"https://admin.example.com\"]"
/// );
///
/// // An invalid configuration changes nothing.
/// let mut broken = handle.config();
/// broken.max_age = Some(-1);
/// assert!(handle.reload(broken).is_err());
/// assert_eq!(handle.config().allowed_origins.len(), 2);
/// # let _ = layer;
/// # Ok::<(), tower_cors::ConfigErrors>(())
/// ```
#[derive(Clone)]
pub struct ReloadHandle {
    slot: Arc<ArcSwap<Policy>>,
    /// What validation knows of the layer's origin predicates, which survive every reload.
    predicates: OriginPredicates,
}

impl ReloadHandle {
    pub(crate) fn new(slot: Arc<ArcSwap<Policy>>, predicates: OriginPredicates) -> Self {
        Self { slot, predicates }
    }

    /// Validates `config` and, when it is valid, makes it the policy of every request that
    /// starts from now on. Returns what changed (nothing, for the same configuration), or every
    /// problem with `config`, in which case the running policy is kept. Origin predicates are
    /// kept either way.
    pub fn reload(&self, config: CorsConfig) -> Result<Vec<ConfigChange>, ConfigErrors> {
        let policy = crate::validate::validate_with(&config, &self.predicates)?;
        let policy = Arc::new(policy);
        crate::stack::register(&policy);
        let previous = self.slot.swap(policy);
        Ok(ConfigChange::between(&previous.config, &config))
    }

    /// The configuration of the running policy.
    pub fn config(&self) -> CorsConfig {
        self.slot.load().config.clone()
    }

    /// What validation found valid but probably wrong in the running policy, as
    /// [`CorsLayer::warnings`](crate::CorsLayer::warnings) says.
    pub fn warnings(&self) -> Vec<crate::ConfigWarning> {
        self.slot.load().warnings.clone()
    }
}

impl fmt::Debug for ReloadHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReloadHandle").finish_non_exhaustive()
    }
}

/// One key whose value a [`ReloadHandle::reload`] changed, with both values written as TOML.
///
/// Its `Display` is `key: OLD -> NEW`, where an unset `max_age` shows as `unset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigChange {
    key: &'static str,
    old: Option<String>,
    new: Option<String>,
}

impl ConfigChange {
    fn between(old: &CorsConfig, new: &CorsConfig) -> Vec<Self> {
        // Every key, opt-ins that are off and empty lists included (a TOML file leaves those
        // out); only `max_age` can be truly unset.
        old.toml_entries(true)
            .into_iter()
            .zip(new.toml_entries(true))
            .filter(|((_, old), (_, new))| old != new)
            .map(|((key, old), (_, new))| Self { key, old, new })
            .collect()
    }

    /// The configuration key, as in a TOML file (`allowed_origins`).
    pub fn key(&self) -> &str {
        self.key
    }

    /// The previous value as TOML, `None` when it was unset.
    pub fn old(&self) -> Option<&str> {
        self.old.as_deref()
    }

    /// The new value as TOML, `None` when it is unset.
    pub fn new_value(&self) -> Option<&str> {
        self.new.as_deref()
    }
}

impl fmt::Display for ConfigChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} -> {}",
            self.key,
            self.old.as_deref().unwrap_or("unset"),
            self.new.as_deref().unwrap_or("unset")
        )
    }
}
