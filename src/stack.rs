//! Two tower-cors layers on one request: the outer one answers every preflight and replaces the
//! inner one's headers, so the inner policy never applies, silently. While an outer layer polls
//! its inner service's future, it marks the thread with its policy's address (a request
//! extension would cost every request an allocation); the inner layer's future is polled inside
//! that poll (axum even calls a route's service only then), finds the mark, and says so, once
//! per policy, naming both policies from a registry kept for that warning alone.

use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, Weak};

use crate::policy::{Policy, RuntimeWarnings};

thread_local! {
    /// The address of the policy of the tower-cors layer whose inner service is being called
    /// or polled on this thread; 0 for none.
    static OUTER: Cell<usize> = const { Cell::new(0) };
}

/// Every policy in use, by address, so that a warning can name the outer one.
static POLICIES: Mutex<Vec<(usize, Weak<Policy>)>> = Mutex::new(Vec::new());

fn address(policy: &Policy) -> usize {
    std::ptr::from_ref(policy) as usize
}

/// Makes `policy` known to the warning; called when a policy starts serving.
pub(crate) fn register(policy: &Arc<Policy>) {
    if let Ok(mut policies) = POLICIES.lock() {
        policies.retain(|(_, weak)| weak.strong_count() > 0);
        policies.push((address(policy), Arc::downgrade(policy)));
    }
}

/// Runs `inner` (a poll of the inner service's future) with `policy` marked as
/// the outer layer's, and puts back the mark found before, even if `inner` panics. A mark
/// already there is an outer layer's: then [`warn`] says so.
#[inline]
pub(crate) fn calling_inner<T>(policy: &Policy, inner: impl FnOnce() -> T) -> T {
    struct Restore(usize);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = OUTER.try_with(|outer| outer.set(self.0));
        }
    }
    let previous = OUTER
        .try_with(|outer| outer.replace(address(policy)))
        .unwrap_or(0);
    if previous != 0 && previous != address(policy) {
        warn(policy, previous);
    }
    let _restore = Restore(previous);
    inner()
}

/// Warns, once per policy, that the layer of the policy at address `outer` is calling the
/// layer of `policy`.
#[cold]
fn warn(policy: &Policy, outer: usize) {
    if policy.said.stacked.load(Ordering::Relaxed) {
        return;
    }
    if !RuntimeWarnings::first(&policy.said.stacked) {
        return;
    }
    let outer = POLICIES.lock().ok().and_then(|policies| {
        policies
            .iter()
            .find(|(at, _)| *at == outer)
            .and_then(|(_, weak)| weak.upgrade())
    });
    let outer = outer.map_or_else(|| "another policy".to_owned(), |outer| describe(&outer));
    let inner = describe(policy);
    tracing::warn!(
        target: "tower_cors::runtime",
        outer = &*outer,
        inner = &*inner,
        "CORS: a request passed through two tower-cors layers, an outer one ({outer}) and an inner \
         one ({inner}): the outer one answers every preflight and its headers replace the inner \
         one's, so the inner policy never applies. Use one tower-cors layer, outermost (this \
         warning is given once)"
    );
}

/// A policy in a few words, to tell two apart: its origins and whether it allows credentials.
fn describe(policy: &Policy) -> String {
    let config = &policy.config;
    let mut origins: Vec<String> = config
        .allowed_origins
        .iter()
        .map(|origin| crate::error::quoted(origin))
        .collect();
    origins.extend(
        config
            .allowed_origin_regexes
            .iter()
            .map(|regex| format!("regex {}", crate::error::quoted(regex))),
    );
    let credentials = if policy.credentials {
        "with credentials"
    } else {
        "without credentials"
    };
    format!("origins [{}], {credentials}", origins.join(", "))
}
