#![doc = include_str!("../docs/crate.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod body;
mod builder;
mod bytes_eq;
mod config;
pub mod cookie;
mod cross_origin;
mod decide;
mod decision;
mod edit_distance;
mod error;
mod future;
mod headers;
mod hint;
mod layer;
#[cfg(any(feature = "env", feature = "toml"))]
mod load;
#[doc = include_str!("../docs/migration.md")]
pub mod migration {}
mod origin;
mod policy;
mod predicate;
mod preset;
mod record;
mod reload;
mod render;
mod request;
mod request_headers;
mod service;
mod validate;
mod value;
mod warning;

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
