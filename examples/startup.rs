//! The shortest way to start with a policy: build it in `main` and let `?` report it.
//!
//! ```not_rust
//! cargo run --example startup -- https://app.example.com http://localhost:5173
//! ```
//!
//! Each argument is an allowed origin, with credentials allowed. A policy that cannot work makes
//! `main` return the errors, and Rust prints them on stderr as `Error: ` followed by one line per
//! problem, each with its fix, because `ConfigErrors`' `Debug` is its `Display`:
//!
//! ```not_rust
//! $ cargo run --example startup -- https://app.example.com/ '*'
//! Error: allowed_origins[0]: "https://app.example.com/": an origin has no path; write "https://app.example.com"
//! allowed_origins[1]: "*": "*" allows every origin, so it cannot stand in a list of origins; use "*" alone to allow every origin, or remove it to allow only the listed ones
//! allowed_origins[1]: "*": allowing every origin with credentials would let any website read your users' private data (browsers also refuse "*" with credentials); list the trusted origins, or set allow_credentials to false
//! ```

#![allow(clippy::print_stdout)]

use tower_cors::CorsLayer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let layer = CorsLayer::builder()
        .allow_origins(std::env::args().skip(1))
        .allow_credentials(true)
        .build()?;
    print!("{}", layer.config());
    Ok(())
}
