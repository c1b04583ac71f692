//! Replays every committed fuzzing corpus (`fuzz/corpus/<target>/`) through the same checks the
//! fuzz targets run, so that the normal test run, on stable, keeps every input the fuzzer ever
//! kept and every crash it ever found fixed.

#![allow(clippy::print_stderr)] // the replay counts are worth seeing with --nocapture

mod fuzz_checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{} fails its check", path.display());
        count += 1;
    }
    assert!(count > 0, "the {target} corpus is empty");
    eprintln!("{target}: {count} inputs replayed");
}

#[test]
fn origin_patterns_corpus_replays() {
    replay("origin_patterns", fuzz_checks::origin_patterns);
}

#[test]
fn request_headers_corpus_replays() {
    replay("request_headers", fuzz_checks::request_headers);
}

#[test]
fn layer_corpus_replays() {
    replay("layer", fuzz_checks::layer);
}
