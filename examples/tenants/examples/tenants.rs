//! Tenants' own domains as CORS origins, from an embedded SQLite store.
//!
//! ```not_rust
//! cargo run -p tower-cors-example-tenants --example tenants
//! ```
//!
//! Listens on `127.0.0.1:$PORT` (default 3000) and prints `listening on http://127.0.0.1:PORT`.
//! The store is created and seeded on start: in memory, or in the SQLite file `TENANTS_DB`
//! names. `https://app.example.com` is listed; tenants' domains are looked up per origin through
//! the layer's asynchronous predicate, with a 30-second cache; a lookup that takes over a second
//! refuses the origin. Add one while it runs:
//!
//! ```not_rust
//! curl -X POST -H 'authorization: Bearer admin-token' \
//!      --data 'initech https://www.initech.example' http://127.0.0.1:3000/admin/tenants
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tower_cors_example_tenants::{app, Tenants};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::var("TENANTS_DB").unwrap_or_else(|_| ":memory:".into());
    let tenants = Arc::new(Tenants::open(&path)?);
    let app = app(Arc::clone(&tenants))?;
    let port = match std::env::var("PORT") {
        Ok(port) => port
            .parse::<u16>()
            .map_err(|_| format!("PORT must be a port number from 0 to 65535, not {port:?}"))?,
        Err(_) => 3000,
    };
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    let address = listener.local_addr()?;
    eprintln!("tenant domains ({path}): {}", tenants.origins()?.join(", "));
    println!("listening on http://{address}");
    axum::serve(listener, app).await?;
    Ok(())
}
