//! The app_config example of tower-cors lives in `examples/app_config.rs` and its tests in
//! `tests/`; this package exists so that figment is compiled for them alone. Run it with
//!
//! ```not_rust
//! cargo run -p tower-cors-example-app-config --example app_config
//! ```
