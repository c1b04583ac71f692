//! Fuzz target: see `tests/fuzz_checks/mod.rs`, where the check lives so that the normal test
//! run replays this target's corpus on stable.

#![no_main]

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::layer(data));
