//! A `CorsConfig` nested in an application's own configuration, loaded with figment from a TOML
//! file and `APP_*` environment variables, then validated into a layer. Every error names the
//! key and where its value came from: the file, or the variable that overrides it.
//!
//! Run with
//!
//! ```not_rust
//! cargo run -p tower-cors-example-app-config --example app_config
//! APP_CORS__MAX_AGE=60 cargo run -p tower-cors-example-app-config --example app_config
//! APP_CONFIG=path/to/app.toml cargo run -p tower-cors-example-app-config --example app_config
//! ```
//!
//! `APP_CONFIG` names the file (default `app.toml` beside this example); `APP_DATABASE_URL`,
//! `APP_CORS__ALLOWED_ORIGINS='["https://app.example.com"]'` and the like override its keys,
//! `__` separating the levels.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use figment::error::{Kind, OneOf};
use figment::providers::{Env, Format, Toml};
use figment::{Figment, Metadata, Profile};
use serde::Deserialize;
use tower_cors::{ConfigError, CorsConfig, CorsLayer};

/// The application's configuration: its own keys, and the CORS policy under `[cors]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppConfig {
    database_url: String,
    #[serde(default)]
    cors: CorsConfig,
}

const ENV_PREFIX: &str = "APP_";
/// Beside this file, wherever cargo runs the example from.
const DEFAULT_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/app.toml");

fn main() {
    let path = std::env::var("APP_CONFIG").unwrap_or_else(|_| DEFAULT_PATH.into());
    // Merged last, the variables override the file. `file_exact`, because a file that is named
    // but missing must be an error, not an empty configuration.
    let figment = Figment::new()
        .merge(Toml::file_exact(&path))
        .merge(Env::prefixed(ENV_PREFIX).split("__").ignore(&["config"]));

    // Types and unknown keys: figment's errors carry the key path and the source of the value.
    let config: AppConfig = match figment.extract() {
        Ok(config) => config,
        Err(errors) => {
            eprintln!("invalid configuration:");
            for error in errors {
                eprintln!("{}", figment_error(&figment, &error));
            }
            std::process::exit(1);
        }
    };

    // Everything else: tower_cors's validation, every problem at once, each traced back to the
    // file or variable it came from.
    match CorsLayer::try_from(config.cors) {
        Ok(layer) => println!(
            "database at {}; CORS policy valid for origins {:?}, ready to wrap the router",
            config.database_url,
            layer.config().allowed_origins
        ),
        Err(errors) => {
            eprintln!("invalid CORS policy:");
            for error in &errors {
                eprintln!("{}", cors_error(&figment, error));
            }
            std::process::exit(1);
        }
    }
}

/// One figment error: `cors.max_age (environment variable APP_CORS__MAX_AGE): invalid type: ...`.
fn figment_error(figment: &Figment, error: &figment::Error) -> String {
    let mut path = error.path.clone();
    let mut metadata = error.metadata.as_ref();
    // tower_cors rejects an unknown key after reading it, so figment reports the error at the
    // enclosing table, with the source of that table, which may be the other provider (both
    // the file and the variables can add keys to `[cors]`): name the key, find its own source.
    if let Some(unknown) = cors_unknown_key(&error.kind) {
        if path.last().map(String::as_str) != Some(unknown) {
            path.push(unknown.to_owned());
        }
        metadata = figment.find_metadata(&path.join(".")).or(metadata);
    }
    let message = match &error.kind {
        Kind::UnknownField(field, expected) => {
            format!("unknown key `{field}`; expected {}", OneOf(expected))
        }
        kind => kind.to_string().trim_end().to_owned(),
    };
    match (
        metadata.map(|metadata| source(metadata, &path)),
        path.is_empty(),
    ) {
        (Some(source), true) => format!("{source}: {message}"),
        (Some(source), false) => format!("{} ({source}): {message}", key(&path)),
        (None, _) => format!("{}: {message}", key(&path)),
    }
}

/// The key of tower_cors's unknown-key error, which suggests the closest known key.
fn cors_unknown_key(kind: &Kind) -> Option<&str> {
    match kind {
        Kind::Message(message) => message.strip_prefix("unknown key `")?.split('`').next(),
        _ => None,
    }
}

/// One validation error, traced back to its source:
/// `cors.allowed_origins[0] (environment variable APP_CORS__ALLOWED_ORIGINS): "...": problem; fix`.
fn cors_error(figment: &Figment, error: &ConfigError) -> String {
    let key = error.key().split('[').next().unwrap_or_default();
    let path = ["cors".to_owned(), key.to_owned()];
    let mut line = format!("cors.{}", error.location());
    if let Some(metadata) = figment.find_metadata(&path.join(".")) {
        line.push_str(&format!(" ({})", source(metadata, &path)));
    }
    if let Some(value) = error.value() {
        line.push_str(&format!(": {value:?}"));
    }
    line.push_str(&format!(": {}", error.problem()));
    if !error.fix().is_empty() {
        line.push_str(&format!("; {}", error.fix()));
    }
    line
}

/// A figment key path as written in TOML: `cors.allowed_origins[0]`.
fn key(path: &[String]) -> String {
    let mut key = String::new();
    for segment in path {
        if is_index(segment) {
            key.push_str(&format!("[{segment}]"));
        } else {
            if !key.is_empty() {
                key.push('.');
            }
            key.push_str(segment);
        }
    }
    key
}

fn is_index(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit())
}

/// Where figment found the value at `path`: the file, or the variable's name.
fn source(metadata: &Metadata, path: &[String]) -> String {
    if let Some(source) = &metadata.source {
        return format!("{} {source}", metadata.name);
    }
    // Of the two providers, only the variables have no source. figment's `Env` interpolates
    // `CORS.MAX_AGE`; the variable is `APP_CORS__MAX_AGE`, and a list comes whole from one.
    let keys: Vec<&str> = path
        .iter()
        .map(String::as_str)
        .take_while(|segment| !is_index(segment))
        .collect();
    let key = metadata.interpolate(&Profile::Default, &keys);
    format!(
        "environment variable {ENV_PREFIX}{}",
        key.replace('.', "__")
    )
}
