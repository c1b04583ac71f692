//! Capturing what `tracing` emits while a closure runs, as text lines.
//!
//! One global subscriber at `TRACE` writes each thread's events to that thread's capture buffer,
//! if it has one. Scoped subscribers (`with_default`) of different levels on parallel test
//! threads race in tracing's per-callsite interest cache, which made events vanish now and then;
//! with one global subscriber every callsite is always enabled, and each capture filters by level.

use std::cell::RefCell;
use std::sync::Once;

thread_local! {
    static CAPTURE: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

/// Writes to the current thread's capture buffer, or nowhere.
struct ThreadCapture;

impl std::io::Write for ThreadCapture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        CAPTURE.with(|capture| {
            if let Some(buffer) = capture.borrow_mut().as_mut() {
                buffer.extend_from_slice(bytes);
            }
        });
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The level word a formatted line starts with, and its rank (ERROR lowest).
fn rank(line: &str) -> Option<u8> {
    match line.split_whitespace().next()? {
        "ERROR" => Some(0),
        "WARN" => Some(1),
        "INFO" => Some(2),
        "DEBUG" => Some(3),
        "TRACE" => Some(4),
        _ => None,
    }
}

/// Runs `f` and returns the lines it logged on this thread at `level` or above.
pub(crate) fn log_lines(level: tracing::Level, f: impl FnOnce()) -> Vec<String> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .without_time()
            .with_writer(|| ThreadCapture)
            .try_init();
    });
    let limit = rank(level.as_str()).unwrap_or(4);
    CAPTURE.with(|capture| *capture.borrow_mut() = Some(Vec::new()));
    f();
    let bytes = CAPTURE
        .with(|capture| capture.borrow_mut().take())
        .unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|line| rank(line).is_some_and(|rank| rank <= limit))
        .map(str::to_owned)
        .collect()
}
