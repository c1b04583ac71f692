//! The browser's CORS rules, to tell why a browser blocks a request and what to change: the
//! doctor for [tower-cors](https://docs.rs/tower-cors) policies and for any server. The
//! `tower-cors` command-line tool (`check`, `explain`, `probe`; package `tower-cors-cli`) is
//! built on it, and a project's own tests can take it as a dev-dependency to assert what a
//! browser will do with its policy. It depends only on `tower-cors` (the layer it explains,
//! without its optional features, reached through its public API) and `http`.
//!
//! A browser enforces CORS; the server only states a policy. So the doctor models the browser:
//!
//! - [`PageRequest`]: what a page asks for (its origin, the URL, the method, the headers its
//!   script sets, credentials, private network), checked and normalized as `fetch()` does;
//!   whether the browser preflights it ([`PageRequest::needs_preflight`]), the preflight it sends
//!   and the actual request.
//! - [`Blocked::before_sending`]: what the browser refuses to send at all (mixed content: an
//!   `https` page and an `http` URL that is not loopback).
//! - [`judge_preflight`] and [`judge_actual`]: Chromium's checks of a preflight response and of
//!   the actual response, in Chromium's order, failing with a [`Blocked`]: the step, the
//!   [`Cause`], and the exact message Chromium prints in the console for a `fetch()`
//!   (Firefox's, for a [`Browser`], through [`Report::console_message_in`]).
//! - [`explain`]: offline, through a [`CorsLayer`](tower_cors::CorsLayer), which it reaches
//!   only through the layer's public API: every step, the layer's own
//!   [`CorsDecision`](tower_cors::CorsDecision), the verdict, the console message and the fix.
//! - [`probe_with`]: online, against a live server (the caller sends the requests), with the
//!   likely fix inferred from the responses, and warnings on an allowed one.
//!
//! Every fix that changes a tower-cors policy passes the layer's validation first; where it
//! would not, the fix is the safe alternative.
//!
//! Both produce a [`Report`], whose `Display` is the plain text the command-line tool prints,
//! escaped as the layer escapes its errors ([`tower_cors::escape_controls`]).
//!
//! The console messages are Chromium's for `fetch()` (`XMLHttpRequest` says `Access to
//! XMLHttpRequest at` instead, and adds a sentence about `withCredentials` to the credentials
//! messages). Methods are compared case-sensitively, as Fetch says and current Chromium does.
//!
//! ```
//! use tower_cors::CorsLayer;
//! use tower_cors_doctor::{explain, PageRequest};
//!
//! let layer = CorsLayer::builder()
//!     .allow_origins(["https://app.example.com"])
//!     .allow_credentials(true)
//!     .allow_methods(["GET", "PUT"])
//!     .allow_headers(["content-type"])
//!     .build()?;
//! let request = PageRequest::new("https://app.example.com", "https://api.example.com/items")?
//!     .with_method("PUT")?
//!     .with_header("content-type", "application/json")?
//!     .with_credentials(true);
//! let report = explain(&layer, &request);
//! assert!(report.is_allowed());
//! assert!(report.to_string().contains("verdict: allowed"));
//!
//! let evil = PageRequest::new("https://evil.example", "https://api.example.com/items")?;
//! let report = explain(&layer, &evil);
//! assert_eq!(
//!     report.console_message(),
//!     Some("Access to fetch at 'https://api.example.com/items' from origin \
//!           'https://evil.example' has been blocked by CORS policy: No \
//!           'Access-Control-Allow-Origin' header is present on the requested resource.")
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

mod browser;
mod explain;
mod fix;
mod judge;
mod probe;
mod report;
mod request;

pub use self::browser::Browser;
pub use self::explain::explain;
pub use self::judge::{judge_actual, judge_preflight, Blocked, Cause, CheckStep, PreflightCache};
pub use self::probe::{probe_with, ProbeError};
pub use self::report::{Allowed, Redirected, Report, Step, StepKind, StepOutcome, Verdict};
pub use self::request::{
    is_cors_safelisted_method, is_cors_safelisted_request_header, normalize_method, AddressSpace,
    PageRequest, RequestError,
};

/// The README's Rust example, compiled as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
