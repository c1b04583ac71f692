//! Tenants who bring their own domains: a CORS policy whose extra origins live in a database.
//!
//! The static allowlist names the application's own frontends; every other origin is looked up
//! in an embedded SQLite store of tenants' custom domains through tower-cors's asynchronous
//! origin predicate, with a small cache in front of it and a time limit on each lookup (the
//! layer waits for the predicate with no deadline of its own). A tenant added at runtime (through
//! [`Tenants::add`] or the admin route) is allowed from its next preflight on, without a restart.
//!
//! `cargo run -p tower-cors-example-tenants --example tenants` starts the server.

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use rusqlite::{params, Connection, OptionalExtension};
use tower_cors::{ConfigErrors, CorsLayer};

/// The application's own frontends, always allowed.
pub const OWN_ORIGINS: [&str; 1] = ["https://app.example.com"];

/// The tenants' domains the store starts with.
pub const SEEDED: [(&str, &str); 2] = [
    ("acme", "https://shop.acme.example"),
    ("globex", "https://portal.globex.example"),
];

/// The token the admin routes want, as `Authorization: Bearer admin-token`.
pub const ADMIN_TOKEN: &str = "admin-token";

/// How long a looked-up answer is reused. A domain added through [`Tenants::add`] is seen at
/// once (its cached answer is dropped); one written to the database by another process is seen
/// within this time.
pub const CACHE_TTL: Duration = Duration::from_secs(30);

/// Longest a lookup may take; past that the origin is refused (and the answer not cached). The
/// CORS layer sets no deadline on its asynchronous predicate, so a store that hangs (a locked
/// database, a lost connection) would otherwise hold every request from an origin it has not
/// cached until the client gives up.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(1);

/// Most answers kept; past that the cache starts over, so hostile origins cannot grow it.
const CACHE_LIMIT: usize = 10_000;

/// A problem with the tenant store.
#[derive(Debug)]
pub enum TenantError {
    /// SQLite failed.
    Database(rusqlite::Error),
    /// The domain is not an origin such as `https://shop.example.net`.
    NotAnOrigin(String),
}

impl fmt::Display for TenantError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TenantError::Database(error) => write!(f, "tenant store: {error}"),
            TenantError::NotAnOrigin(value) => write!(
                f,
                "{value:?} is not an origin; write the scheme and host, such as \
                 \"https://shop.example.net\", with no path or trailing slash"
            ),
        }
    }
}

impl std::error::Error for TenantError {}

impl From<rusqlite::Error> for TenantError {
    fn from(error: rusqlite::Error) -> Self {
        TenantError::Database(error)
    }
}

/// The store of tenants' custom domains, with a cache of recent answers.
#[derive(Debug)]
pub struct Tenants {
    db: Mutex<Connection>,
    cache: Mutex<HashMap<String, (bool, Instant)>>,
    ttl: Duration,
    lookup_timeout: Duration,
    lookups: AtomicU64,
    /// Bumped by every add, so that a lookup that raced with one does not cache a stale answer.
    generation: AtomicU64,
}

impl Tenants {
    /// Opens (creating it if needed) the SQLite database at `path`, or an in-memory one for
    /// `:memory:`, and seeds it with [`SEEDED`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, TenantError> {
        Self::with_ttl(path, CACHE_TTL)
    }

    /// [`open`](Self::open), reusing looked-up answers for `ttl`.
    pub fn with_ttl(path: impl AsRef<Path>, ttl: Duration) -> Result<Self, TenantError> {
        let db = Connection::open(path)?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS tenant_domains (
                 origin TEXT PRIMARY KEY,
                 tenant TEXT NOT NULL
             );",
        )?;
        for (tenant, origin) in SEEDED {
            db.execute(
                "INSERT OR IGNORE INTO tenant_domains (origin, tenant) VALUES (?1, ?2)",
                params![origin, tenant],
            )?;
        }
        Ok(Self {
            db: Mutex::new(db),
            cache: Mutex::new(HashMap::new()),
            ttl,
            lookup_timeout: LOOKUP_TIMEOUT,
            lookups: AtomicU64::new(0),
            generation: AtomicU64::new(0),
        })
    }

    /// This store, with lookups bounded by `limit` instead of [`LOOKUP_TIMEOUT`].
    pub fn with_lookup_timeout(mut self, limit: Duration) -> Self {
        self.lookup_timeout = limit;
        self
    }

    /// Adds `origin` as `tenant`'s domain; its next request is allowed.
    pub fn add(&self, tenant: &str, origin: &str) -> Result<(), TenantError> {
        let origin = origin.trim();
        if !is_origin(origin) {
            return Err(TenantError::NotAnOrigin(origin.to_owned()));
        }
        self.db
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .execute(
                "INSERT OR REPLACE INTO tenant_domains (origin, tenant) VALUES (?1, ?2)",
                params![origin, tenant],
            )?;
        // A refusal cached before the domain was added must not outlive it.
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::SeqCst);
        cache.remove(origin);
        Ok(())
    }

    /// Every tenant domain, sorted.
    pub fn origins(&self) -> Result<Vec<String>, TenantError> {
        let db = self.db.lock().unwrap_or_else(PoisonError::into_inner);
        let mut statement = db.prepare("SELECT origin FROM tenant_domains ORDER BY origin")?;
        let origins = statement
            .query_map([], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(origins)
    }

    /// Whether `origin` is a tenant's domain: from the cache when it answered within the TTL,
    /// else from the database, off the async threads. A failing database allows nothing.
    pub async fn allows(self: Arc<Self>, origin: String) -> bool {
        if let Some(allowed) = self.cached(&origin) {
            return allowed;
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let store = Arc::clone(&self);
        let key = origin.clone();
        let found = tokio::task::spawn_blocking(move || store.look_up(&key)).await;
        let allowed = matches!(found, Ok(Ok(true)));
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if matches!(found, Ok(Ok(_))) && self.generation.load(Ordering::SeqCst) == generation {
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(origin, (allowed, Instant::now()));
        }
        allowed
    }

    /// How many lookups reached the database.
    pub fn lookups(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }

    fn cached(&self, origin: &str) -> Option<bool> {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let (allowed, at) = cache.get(origin)?;
        (at.elapsed() < self.ttl).then_some(*allowed)
    }

    fn look_up(&self, origin: &str) -> Result<bool, rusqlite::Error> {
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let db = self.db.lock().unwrap_or_else(PoisonError::into_inner);
        let found: Option<String> = db
            .query_row(
                "SELECT tenant FROM tenant_domains WHERE origin = ?1",
                params![origin],
                |row| row.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }
}

/// A rough check that keeps typing mistakes out of the store; the CORS layer applies the exact
/// rules to every request's origin before it asks the store.
fn is_origin(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once("://") else {
        return false;
    };
    matches!(scheme, "https" | "http")
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.:".contains(&b))
}

/// The CORS layer: the own frontends listed, tenants' domains asked of `tenants`.
pub fn cors(tenants: &Arc<Tenants>) -> Result<CorsLayer, ConfigErrors> {
    let tenants = Arc::clone(tenants);
    CorsLayer::builder()
        .allow_origins(OWN_ORIGINS)
        .allow_credentials(true)
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .max_age(Duration::from_secs(600))
        .allow_origin_async_predicate(move |origin, _parts| {
            // The future owns what it needs: the lookup outlives the borrowed request head.
            let tenants = Arc::clone(&tenants);
            let origin = origin.to_str().map(str::to_owned);
            async move {
                let Ok(origin) = origin else {
                    return false;
                };
                // The layer waits for this future with no deadline of its own: a store that
                // hangs would hang the request with it. So the lookup bounds itself, and an
                // origin it could not look up in time is refused.
                let limit = tenants.lookup_timeout;
                tokio::time::timeout(limit, tenants.allows(origin))
                    .await
                    .unwrap_or(false)
            }
        })
        .build()
}

/// The application: `/` answers `ok`; `/admin/tenants` lists the tenants' domains (GET) or adds
/// one (POST, body `TENANT ORIGIN`), both with `Authorization: Bearer admin-token`. The CORS
/// layer is outermost.
pub fn app(tenants: Arc<Tenants>) -> Result<Router, ConfigErrors> {
    let cors = cors(&tenants)?;
    Ok(Router::new()
        .route("/", get(|| async { "ok" }))
        .route("/admin/tenants", get(list_tenants).post(add_tenant))
        .with_state(tenants)
        .layer(cors))
}

fn is_admin(headers: &HeaderMap) -> bool {
    let expected = format!("Bearer {ADMIN_TOKEN}");
    headers
        .get(header::AUTHORIZATION)
        .is_some_and(|value| value.as_bytes() == expected.as_bytes())
}

async fn list_tenants(
    State(tenants): State<Arc<Tenants>>,
    headers: HeaderMap,
) -> (StatusCode, String) {
    if !is_admin(&headers) {
        return (StatusCode::UNAUTHORIZED, "admin token required\n".into());
    }
    match tenants.origins() {
        Ok(origins) => (StatusCode::OK, origins.join("\n") + "\n"),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n")),
    }
}

async fn add_tenant(
    State(tenants): State<Arc<Tenants>>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    if !is_admin(&headers) {
        return (StatusCode::UNAUTHORIZED, "admin token required\n".into());
    }
    let Some((tenant, origin)) = body.trim().split_once(char::is_whitespace) else {
        return (
            StatusCode::BAD_REQUEST,
            "send the tenant's name and origin: \"acme https://shop.acme.example\"\n".into(),
        );
    };
    let added = tokio::task::spawn_blocking({
        let (tenant, origin) = (tenant.to_owned(), origin.to_owned());
        move || tenants.add(&tenant, &origin)
    })
    .await;
    match added {
        Ok(Ok(())) => (StatusCode::CREATED, format!("added {}\n", origin.trim())),
        Ok(Err(error @ TenantError::NotAnOrigin(_))) => {
            (StatusCode::BAD_REQUEST, format!("{error}\n"))
        }
        Ok(Err(error)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n")),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the store failed\n".into(),
        ),
    }
}
