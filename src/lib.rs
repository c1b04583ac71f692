#![doc = include_str!("../docs/crate.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Read top-down, as a request's policy is made and then applied:
//
// Configuration: the keys, and loading them from code, the environment or TOML.
mod builder;
mod config;
mod preset;
mod value;

// Validation: every check, reporting every problem at once, into a compiled policy.
mod error;
mod validate;
mod warning;

// The compiled policy: origin matching, request-header reading, hints for refusals.
mod cross_origin;
mod policy;
mod predicate;

// The core: one function decides each request.
mod decide;
mod decision;
mod request;

// Rendering: an outcome as headers or a response, and the refusals it records.
pub mod cookie;
mod record;
mod render;

// The layer, its service and response future, reloading.
mod body;
mod future;
mod layer;
#[cfg(any(feature = "env", feature = "toml"))]
mod load;
mod reload;
mod service;
mod stack;

// Small shared helpers.
mod bytes_eq;
mod edit_distance;
mod headers;

#[doc = include_str!("../docs/migration.md")]
pub mod migration {}

pub use self::body::ResponseBody;
pub use self::builder::CorsBuilder;
pub use self::config::CorsConfig;
#[cfg(feature = "env")]
pub use self::config::DEFAULT_ENV_PREFIX;
pub use self::decision::{CorsDecision, CorsRequestKind, Refusal, RefusalReason};
pub use self::error::{escape_controls, needs_escape, ConfigError, ConfigErrorKind, ConfigErrors};
pub use self::future::ResponseFuture;
pub use self::layer::CorsLayer;
pub use self::preset::{Preset, UnknownPreset};
pub use self::reload::{ConfigChange, ReloadHandle};
pub use self::service::Cors;
pub use self::value::ConfigValue;
pub use self::warning::ConfigWarning;

/// The README's Rust examples, compiled as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
