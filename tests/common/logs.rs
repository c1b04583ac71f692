//! Capturing what `tracing` emits while a closure runs, as text lines or as structured events.
//!
//! One global subscriber at `TRACE` writes each thread's events to that thread's capture buffer,
//! if it has one. Scoped subscribers (`with_default`) of different levels on parallel test
//! threads race in tracing's per-callsite interest cache, which made events vanish now and then;
//! with one global subscriber every callsite is always enabled, and each capture filters by level.

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Once;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

thread_local! {
    static CAPTURE: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
    static EVENTS: RefCell<Option<Vec<Captured>>> = const { RefCell::new(None) };
}

/// One event as a subscriber receives it.
#[derive(Clone, Debug)]
pub(crate) struct Captured {
    pub(crate) level: tracing::Level,
    pub(crate) target: String,
    /// Each field's value as the subscriber reads it: a string field as the string itself, any
    /// other value as its `Debug` text. The message is the field `message`.
    pub(crate) fields: BTreeMap<String, String>,
}

impl Captured {
    /// One field's value; `None` when the event does not carry it.
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

/// Records each event of the current thread into its capture list, if it has one.
struct EventCapture;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for EventCapture {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        EVENTS.with(|events| {
            if let Some(events) = events.borrow_mut().as_mut() {
                let mut fields = BTreeMap::new();
                event.record(&mut Fields(&mut fields));
                events.push(Captured {
                    level: *event.metadata().level(),
                    target: event.metadata().target().to_owned(),
                    fields,
                });
            }
        });
    }
}

/// The one global subscriber, at `TRACE`: formatted lines for [`log_lines`], structured events
/// for [`events`].
fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_ansi(false)
                    .without_time()
                    .with_writer(|| ThreadCapture),
            )
            .with(EventCapture)
            .try_init();
    });
}

/// Runs `f` and returns every event it emitted on this thread, at any level.
pub(crate) fn events(f: impl FnOnce()) -> Vec<Captured> {
    install();
    EVENTS.with(|events| *events.borrow_mut() = Some(Vec::new()));
    f();
    EVENTS
        .with(|events| events.borrow_mut().take())
        .unwrap_or_default()
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
    install();
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
