//! A `CorsConfig` nested in an application's own configuration, read from one TOML file with
//! serde, then validated into a layer.
//!
//! Run with
//!
//! ```not_rust
//! cargo run --example app_config
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use serde::Deserialize;
use tower_cors::{CorsConfig, CorsLayer};

/// The application's configuration: its own keys, and the CORS policy under `[cors]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppConfig {
    database_url: String,
    #[serde(default)]
    cors: CorsConfig,
}

const APP_TOML: &str = r#"
database_url = "postgres://localhost/app"

[cors]
allowed_origins = ["https://app.example.com", "https://*.example.com"]
allow_credentials = true
allowed_methods = ["GET", "POST", "PUT", "DELETE"]
allowed_headers = ["content-type", "authorization"]
max_age = 600
"#;

fn main() {
    let config: AppConfig = match toml::from_str(APP_TOML) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("invalid configuration: {error}");
            std::process::exit(1);
        }
    };
    // The same validation as every other way in: every problem at once, or a ready layer.
    match CorsLayer::try_from(config.cors) {
        Ok(_layer) => println!(
            "database at {}; CORS policy valid, ready to wrap the router",
            config.database_url
        ),
        Err(errors) => {
            eprintln!("invalid CORS policy:");
            for error in &errors {
                eprintln!("  cors.{error}");
            }
            std::process::exit(1);
        }
    }
}
