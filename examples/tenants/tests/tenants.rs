//! The tenants example on a real loopback server: a tenant's domain added at runtime is allowed
//! from its next preflight on, without a restart.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower_cors_example_tenants::{app, Tenants, ADMIN_TOKEN, SEEDED};

/// Bounds every network step, so that a hang fails the test instead of stalling it; a loaded
/// 2-core machine answers a loopback request in far less.
const STEP: Duration = Duration::from_secs(20);

const NEW_TENANT: &str = "https://www.initech.example";

/// A parsed HTTP/1.1 response: status, lowercase header lines, body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request (`Connection: close`) and reads the whole response.
async fn send(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let exchange = async {
        let mut stream = TcpStream::connect(address).await.expect("connect");
        let mut request =
            format!("{method} {path} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n");
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
        stream.write_all(request.as_bytes()).await.expect("write");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read");
        raw
    };
    let raw = tokio::time::timeout(STEP, exchange)
        .await
        .expect("an answer in time");
    let text = String::from_utf8(raw).expect("UTF-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete response");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_owned(),
    }
}

async fn preflight(address: SocketAddr, origin: &str) -> Answer {
    let headers = [
        ("origin", origin),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "content-type"),
    ];
    send(address, "OPTIONS", "/", &headers, "").await
}

async fn add_tenant(address: SocketAddr, tenant: &str, origin: &str) -> Answer {
    let bearer = format!("Bearer {ADMIN_TOKEN}");
    let headers = [("authorization", bearer.as_str())];
    send(
        address,
        "POST",
        "/admin/tenants",
        &headers,
        &format!("{tenant} {origin}"),
    )
    .await
}

/// Serves the example's app on a free loopback port, in this process.
async fn serve(tenants: Arc<Tenants>) -> SocketAddr {
    let app = app(tenants).expect("a valid policy");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

#[tokio::test]
async fn a_tenant_added_at_runtime_is_allowed_on_its_next_preflight_without_a_restart() {
    let tenants = Arc::new(Tenants::open(":memory:").expect("store"));
    let address = serve(Arc::clone(&tenants)).await;

    let before = preflight(address, NEW_TENANT).await;
    assert_eq!(before.status, 403);
    assert_eq!(before.header("access-control-allow-origin"), None);

    let added = add_tenant(address, "initech", NEW_TENANT).await;
    assert_eq!(added.status, 201, "{}", added.body);

    // The refusal cached a moment ago is dropped with the add: the very next preflight passes.
    let after = preflight(address, NEW_TENANT).await;
    assert_eq!(after.status, 204);
    assert_eq!(
        after.header("access-control-allow-origin"),
        Some(NEW_TENANT)
    );
    assert_eq!(
        after.header("access-control-allow-credentials"),
        Some("true")
    );
    let actual = send(address, "GET", "/", &[("origin", NEW_TENANT)], "").await;
    assert_eq!(actual.body, "ok");
    assert_eq!(
        actual.header("access-control-allow-origin"),
        Some(NEW_TENANT)
    );
}

#[tokio::test]
async fn seeded_tenants_and_listed_origins_are_allowed_and_others_refused() {
    let tenants = Arc::new(Tenants::open(":memory:").expect("store"));
    let address = serve(Arc::clone(&tenants)).await;
    for (_, origin) in SEEDED {
        let answer = preflight(address, origin).await;
        assert_eq!(answer.status, 204, "{origin}");
        assert_eq!(answer.header("access-control-allow-origin"), Some(origin));
    }
    let listed = preflight(address, "https://app.example.com").await;
    assert_eq!(listed.status, 204);
    let stranger = preflight(address, "https://evil.example").await;
    assert_eq!(stranger.status, 403);
    assert_eq!(
        stranger.body,
        "origin \"https://evil.example\" is not allowed\n"
    );
    // With credentials, a plain-http origin never reaches the store.
    let lookups = tenants.lookups();
    let insecure = preflight(address, "http://shop.acme.example").await;
    assert_eq!(insecure.status, 403);
    assert_eq!(tenants.lookups(), lookups);
}

#[tokio::test]
async fn answers_are_cached_so_repeated_origins_reach_the_database_once() {
    let tenants = Arc::new(Tenants::open(":memory:").expect("store"));
    let address = serve(Arc::clone(&tenants)).await;
    let (_, seeded) = SEEDED[0];
    for _ in 0..3 {
        assert_eq!(preflight(address, seeded).await.status, 204);
        assert_eq!(preflight(address, "https://evil.example").await.status, 403);
    }
    assert_eq!(tenants.lookups(), 2);
}

#[tokio::test]
async fn a_domain_written_by_another_process_is_seen_once_the_cache_expires() {
    let path = std::env::temp_dir().join(format!("tenants-{}.sqlite3", std::process::id()));
    let _ = std::fs::remove_file(&path);
    // A zero TTL: every answer has expired by the next request.
    let tenants = Arc::new(Tenants::with_ttl(&path, Duration::ZERO).expect("store"));
    let address = serve(Arc::clone(&tenants)).await;
    assert_eq!(preflight(address, NEW_TENANT).await.status, 403);

    let other = rusqlite::Connection::open(&path).expect("a second connection");
    other
        .execute(
            "INSERT INTO tenant_domains (origin, tenant) VALUES (?1, 'initech')",
            [NEW_TENANT],
        )
        .expect("insert");
    assert_eq!(preflight(address, NEW_TENANT).await.status, 204);
    drop(other);
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_lookup_that_hangs_is_refused_when_its_time_is_up() {
    let path = std::env::temp_dir().join(format!("tenants-hang-{}.sqlite3", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let limit = Duration::from_millis(200);
    let tenants = Tenants::open(&path)
        .expect("store")
        .with_lookup_timeout(limit);
    let address = serve(Arc::new(tenants)).await;
    let (_, seeded) = SEEDED[0];

    // Another process holds the database (a migration, say): the lookup waits for it, up to
    // SQLite's busy timeout, seconds away.
    let other = rusqlite::Connection::open(&path).expect("a second connection");
    other.execute_batch("BEGIN EXCLUSIVE").expect("a lock");
    let started = std::time::Instant::now();
    let answer = preflight(address, seeded).await;
    let waited = started.elapsed();
    assert_eq!(answer.status, 403);
    assert!(waited >= limit, "answered after {waited:?}");
    assert!(waited < Duration::from_secs(3), "answered after {waited:?}");

    // The refusal was not cached: once the database is free, the tenant is allowed again.
    other.execute_batch("ROLLBACK").expect("the lock released");
    let answer = preflight(address, seeded).await;
    assert_eq!(answer.status, 204);
    drop(other);
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn the_admin_routes_want_the_token_and_an_origin() {
    let tenants = Arc::new(Tenants::open(":memory:").expect("store"));
    let address = serve(tenants).await;
    let anonymous = send(
        address,
        "POST",
        "/admin/tenants",
        &[],
        "x https://x.example",
    )
    .await;
    assert_eq!(anonymous.status, 401);
    let path = add_tenant(address, "initech", "https://www.initech.example/").await;
    assert_eq!(path.status, 400);
    assert!(
        path.body.contains("no path or trailing slash"),
        "{}",
        path.body
    );
}

/// The example binary, built now (never a leftover), started with `PORT=0`; killed on drop.
struct Example(Child);

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_example_binary_serves_the_same_and_takes_tenants_at_runtime() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--example",
            "tenants",
            "--manifest-path",
            manifest,
        ])
        .status()
        .expect("run cargo build");
    assert!(status.success());
    let exe = std::env::current_exe().expect("test binary path");
    let profile = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("profile dir");
    let mut child = Command::new(profile.join("examples").join("tenants"))
        .env("PORT", "0")
        .env_remove("TENANTS_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the example");
    let stdout = child.stdout.take().expect("stdout");
    let example = Example(child);
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    });
    let line = tokio::time::timeout(STEP, line)
        .await
        .expect("started in time")
        .expect("read stdout")
        .expect("a line");
    let address: SocketAddr = line
        .trim()
        .strip_prefix("listening on http://")
        .expect("the listening line")
        .parse()
        .expect("an address");

    assert_eq!(preflight(address, NEW_TENANT).await.status, 403);
    assert_eq!(add_tenant(address, "initech", NEW_TENANT).await.status, 201);
    let after = preflight(address, NEW_TENANT).await;
    assert_eq!(after.status, 204);
    assert_eq!(
        after.header("access-control-allow-origin"),
        Some(NEW_TENANT)
    );
    drop(example);
}
