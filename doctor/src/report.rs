//! The doctor's report: each request the browser sends, what came back, how the browser judges
//! it, the verdict and the fix. Its `Display` is the plain text the command-line tool prints.

use std::fmt;

use http::{HeaderMap, Request, Response, StatusCode};
use tower_cors::{escape_controls, CorsDecision};

use crate::browser::Browser;
use crate::judge::{Blocked, PreflightCache};
use crate::request::PageRequest;

/// The browser's verdict on a request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// The page can read the response.
    Allowed(Allowed),
    /// The browser blocked it.
    Blocked(Blocked),
    /// The response is a redirect that passed its CORS check: the browser follows it, and the
    /// page gets what the redirect's target answers, which decides the outcome. Only
    /// [`probe_with`](crate::probe_with) gives this verdict.
    Redirected(Redirected),
}

impl Verdict {
    /// Whether the page can read the response.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Verdict::Allowed(_))
    }

    /// The block, when the request was blocked.
    pub fn blocked(&self) -> Option<&Blocked> {
        match self {
            Verdict::Blocked(blocked) => Some(blocked),
            Verdict::Allowed(_) | Verdict::Redirected(_) => None,
        }
    }
}

/// A redirect the browser follows: its status and where it leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirected {
    pub(crate) status: StatusCode,
    pub(crate) location: String,
}

impl Redirected {
    /// The redirect's status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `Location` it leads to, as sent.
    pub fn location(&self) -> &str {
        &self.location
    }
}

/// An allowed request: the response's status, what the preflight cache holds (when there was a
/// preflight), and the response headers script can read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowed {
    pub(crate) status: StatusCode,
    pub(crate) preflight: Option<PreflightCache>,
    pub(crate) readable_headers: Vec<String>,
}

impl Allowed {
    /// The status of the actual response, which the page sees.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What the browser caches from the preflight; `None` when there was none.
    pub fn preflight_cache(&self) -> Option<&PreflightCache> {
        self.preflight.as_ref()
    }

    /// The response headers script can read, lowercase and sorted.
    pub fn readable_headers(&self) -> &[String] {
        &self.readable_headers
    }
}

/// What one step of a report is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StepKind {
    /// The browser's preflight.
    Preflight,
    /// The actual request.
    Actual,
    /// A preflight the browser would not send, sent by `probe` only to find out why a request
    /// was blocked.
    Diagnostic,
}

/// How a step turned out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StepOutcome {
    /// The browser's check passed.
    Passed,
    /// The browser's check failed: the report's verdict says why.
    Blocked,
    /// Not sent, because an earlier step failed.
    NotSent,
    /// Sent for diagnosis only; no browser check applies.
    Diagnostic,
}

/// One request and its response.
#[derive(Debug)]
pub struct Step {
    pub(crate) kind: StepKind,
    pub(crate) request: Request<()>,
    pub(crate) response: Option<Response<String>>,
    pub(crate) decision: Option<CorsDecision>,
    pub(crate) outcome: StepOutcome,
    pub(crate) blocked: Option<Blocked>,
}

impl Step {
    pub(crate) fn new(kind: StepKind, request: Request<()>) -> Self {
        Self {
            kind,
            request,
            response: None,
            decision: None,
            outcome: StepOutcome::NotSent,
            blocked: None,
        }
    }

    /// Records the browser's judgement of this step's response, `response` itself, and hands
    /// the judgement on: passed, or blocked and why.
    pub(crate) fn judged<T>(
        &mut self,
        response: Response<String>,
        judged: Result<T, Blocked>,
    ) -> Result<T, Blocked> {
        self.response = Some(response);
        match &judged {
            Ok(_) => self.outcome = StepOutcome::Passed,
            Err(blocked) => {
                self.outcome = StepOutcome::Blocked;
                self.blocked = Some(blocked.clone());
            }
        }
        judged
    }

    /// What the step is.
    pub fn kind(&self) -> StepKind {
        self.kind
    }

    /// The request sent (or that would have been sent).
    pub fn request(&self) -> &Request<()> {
        &self.request
    }

    /// The response; its body is at most the first 4 KiB, as text. `None` when not sent.
    pub fn response(&self) -> Option<&Response<String>> {
        self.response.as_ref()
    }

    /// The layer's decision for the request (`explain` only).
    pub fn decision(&self) -> Option<&CorsDecision> {
        self.decision.as_ref()
    }

    /// How the step turned out.
    pub fn outcome(&self) -> StepOutcome {
        self.outcome
    }
}

/// What the doctor found: the page's request, each step, the browser's verdict, and the fix.
///
/// Its [`Display`](fmt::Display) is plain text, one block per step, stable enough to compare in
/// tests and read in CI logs: `>` lines are sent, `<` lines received (the status, every
/// `access-control-*` header, `vary` and `location`, and the first line of the body of a response
/// that is not 2xx). See [`explain`](crate::explain) and [`probe_with`](crate::probe_with).
///
/// ```
/// use tower_cors_doctor::{explain, PageRequest, StepKind, Verdict};
/// use tower_cors::CorsLayer;
///
/// let layer = CorsLayer::builder().allow_origins(["https://app.example.com"]).build()?;
/// let request = PageRequest::new("https://app.example.com", "https://api.example.com/")?;
/// let report = explain(&layer, &request);
/// assert_eq!(report.steps().len(), 1);
/// assert_eq!(report.steps()[0].kind(), StepKind::Actual);
/// let Verdict::Allowed(allowed) = report.verdict() else { panic!("{report}") };
/// assert_eq!(allowed.readable_headers(), ["content-type"]);
/// assert_eq!(
///     report.to_string(),
///     "request: GET https://api.example.com/ from a page at https://app.example.com, without \
///      credentials\n\
///      preflight: none, a simple request\n\
///      \n\
///      1. actual request\n   \
///         > GET https://api.example.com/\n   \
///         > origin: https://app.example.com\n   \
///         < 200 OK\n   \
///         < access-control-allow-origin: https://app.example.com\n   \
///         < vary: origin\n   \
///         layer: allowed\n   \
///         browser: passed\n\
///      \n\
///      verdict: allowed: the page reads the 200 OK response\n\
///      readable headers: content-type\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Report {
    pub(crate) request: PageRequest,
    pub(crate) steps: Vec<Step>,
    pub(crate) verdict: Verdict,
    pub(crate) notes: Vec<String>,
    pub(crate) warnings: Vec<String>,
    pub(crate) fix: Option<String>,
    pub(crate) browser: Browser,
}

impl Report {
    /// A report with no notes or warnings, for Chromium.
    pub(crate) fn new(
        request: &PageRequest,
        steps: Vec<Step>,
        verdict: Verdict,
        fix: Option<String>,
    ) -> Self {
        Self {
            request: request.clone(),
            steps,
            verdict,
            notes: Vec::new(),
            warnings: Vec::new(),
            fix,
            browser: Browser::Chromium,
        }
    }

    /// The report as `browser` shows the failure: its console message in the text
    /// ([`Display`](fmt::Display)). Chromium unless set.
    pub fn for_browser(mut self, browser: Browser) -> Self {
        self.browser = browser;
        self
    }

    /// The browser whose console message the text shows.
    pub fn browser(&self) -> Browser {
        self.browser
    }

    /// The message `browser` prints in its console, when the request is blocked: Chromium's
    /// is [`console_message`](Self::console_message); Firefox's names the reason with the
    /// code MDN documents (`CORSMissingAllowOrigin`, ...).
    pub fn console_message_in(&self, browser: Browser) -> Option<String> {
        let blocked = self.verdict.blocked()?;
        Some(match browser {
            Browser::Chromium => blocked.console_message().to_owned(),
            Browser::Firefox => crate::browser::firefox_message(&self.request, blocked, self),
        })
    }

    /// Warnings about a request the browser allows, or about what comes with it: an echoed
    /// origin without `Vary: Origin`, a header the page reads but cannot, a cookie that will
    /// not come back.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The headers the page reads ([`PageRequest::with_read_header`]) that the browser does not
    /// let it read; empty when the request is blocked.
    pub fn unreadable_headers(&self) -> Vec<String> {
        let Verdict::Allowed(allowed) = &self.verdict else {
            return Vec::new();
        };
        self.request
            .read_headers()
            .iter()
            .filter(|name| !allowed.readable_headers.contains(name))
            .cloned()
            .collect()
    }

    /// The page's request.
    pub fn request(&self) -> &PageRequest {
        &self.request
    }

    /// The steps, in the order they were sent.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The browser's verdict.
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }

    /// Whether the page can read the response.
    pub fn is_allowed(&self) -> bool {
        self.verdict.is_allowed()
    }

    /// The message Chromium prints in the console, when the request is blocked.
    pub fn console_message(&self) -> Option<&str> {
        self.verdict.blocked().map(Blocked::console_message)
    }

    /// The layer's decision for the step that failed, or for the last step sent (`explain`
    /// only).
    pub fn decision(&self) -> Option<&CorsDecision> {
        let failed = self
            .steps
            .iter()
            .rev()
            .find(|step| step.outcome == StepOutcome::Blocked);
        let last = self.steps.iter().rev().find(|step| step.decision.is_some());
        failed.or(last).and_then(Step::decision)
    }

    /// Remarks on the steps: a stand-in cookie `explain` sent, a redirect `probe` did not
    /// follow.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// What to change, when the request is blocked.
    pub fn fix(&self) -> Option<&str> {
        self.fix.as_deref()
    }
}

/// Everything a server sent, and everything derived from it (the console message, the fix),
/// is escaped as a whole, line by line ([`escape_controls`]): no control character, and no
/// bidirectional control, reaches the terminal, whatever line it is on.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = Text(self).to_string();
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&escape_controls(line))?;
        }
        Ok(())
    }
}

/// The report's text before escaping.
struct Text<'a>(&'a Report);

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let report = self.0;
        let request = &report.request;
        write!(
            f,
            "request: {} {} from a page at {}, {} credentials",
            request.method(),
            request.url(),
            request.origin(),
            if request.credentials() {
                "with"
            } else {
                "without"
            },
        )?;
        if !request.read_headers().is_empty() {
            write!(f, ", reading {}", request.read_headers().join(", "))?;
        }
        if request.private_network() {
            write!(
                f,
                ", to a more private network (`{}`)",
                request.address_space()
            )?;
        }
        writeln!(f)?;
        let reasons = request.preflight_reasons();
        if reasons.is_empty() {
            writeln!(f, "preflight: none, a simple request")?;
        } else {
            writeln!(f, "preflight: yes: {}", reasons.join("; "))?;
        }
        if report.steps.is_empty() {
            writeln!(f)?;
            writeln!(
                f,
                "nothing sent: the browser blocks the request before sending it"
            )?;
        }
        for (i, step) in report.steps.iter().enumerate() {
            writeln!(f)?;
            write_step(f, i + 1, step)?;
        }
        writeln!(f)?;
        match &report.verdict {
            Verdict::Allowed(allowed) => {
                writeln!(
                    f,
                    "verdict: allowed: the page reads the {} response",
                    status_line(allowed.status)
                )?;
                writeln!(
                    f,
                    "readable headers: {}",
                    list_or_none(&allowed.readable_headers)
                )?;
                let unreadable = report.unreadable_headers();
                if !unreadable.is_empty() {
                    writeln!(
                        f,
                        "unreadable headers the page reads: {}",
                        unreadable.join(", ")
                    )?;
                }
                if let Some(cache) = &allowed.preflight {
                    writeln!(
                        f,
                        "preflight cache: {} s; methods: {}; headers: {}{}",
                        cache.max_age().as_secs(),
                        list_or_none(cache.methods()),
                        list_or_none(cache.headers()),
                        if cache.credentials() {
                            "; with credentials"
                        } else {
                            ""
                        },
                    )?;
                }
            }
            Verdict::Blocked(blocked) => {
                writeln!(
                    f,
                    "verdict: blocked at the {} ({})",
                    blocked.step(),
                    blocked.cause().code()
                )?;
                let console = report
                    .console_message_in(report.browser)
                    .unwrap_or_else(|| blocked.console_message().to_owned());
                writeln!(f, "console: {console}")?;
            }
            Verdict::Redirected(redirected) => {
                writeln!(
                    f,
                    "verdict: not settled: the server redirects ({}) to {}; the redirect passed \
                     its CORS check, so a browser follows it, and the page gets what that URL \
                     answers: probe it too (with --origin null when it is on another origin than \
                     this URL, since the browser then sends `Origin: null`)",
                    status_line(redirected.status),
                    escape_controls(&redirected.location)
                )?;
            }
        }
        for note in &report.notes {
            writeln!(f, "note: {note}")?;
        }
        for warning in &report.warnings {
            writeln!(f, "warning: {warning}")?;
        }
        if let Some(fix) = &report.fix {
            writeln!(f, "fix: {fix}")?;
        }
        Ok(())
    }
}

fn write_step(f: &mut fmt::Formatter<'_>, number: usize, step: &Step) -> fmt::Result {
    let title = match step.kind {
        StepKind::Preflight => "preflight",
        StepKind::Actual => "actual request",
        StepKind::Diagnostic => {
            "diagnostic preflight (a browser would not send it; sent to find the cause)"
        }
    };
    writeln!(f, "{number}. {title}")?;
    let request = &step.request;
    writeln!(f, "   > {} {}", request.method(), request.uri())?;
    for (name, value) in request.headers() {
        writeln!(
            f,
            "   > {name}: {}",
            String::from_utf8_lossy(value.as_bytes())
        )?;
    }
    let Some(response) = &step.response else {
        return writeln!(f, "   not sent: the preflight failed");
    };
    writeln!(f, "   < {}", status_line(response.status()))?;
    write_key_headers(f, response.headers())?;
    if !response.status().is_success() {
        for line in body_lines(response.body()) {
            writeln!(f, "   < body: {}", escape_controls(&line))?;
        }
    }
    if let Some(decision) = &step.decision {
        match decision {
            CorsDecision::Refused(refusal) => writeln!(
                f,
                "   layer: refused ({}): {refusal}",
                refusal.reason().code()
            )?,
            CorsDecision::Allowed(_) => writeln!(f, "   layer: allowed")?,
            _ => writeln!(f, "   layer: not a CORS request")?,
        }
    }
    match (&step.outcome, &step.blocked) {
        (StepOutcome::Blocked, Some(blocked)) => {
            writeln!(f, "   browser: blocked: {}", blocked.reason())
        }
        (StepOutcome::Passed, _) => writeln!(f, "   browser: passed"),
        _ => Ok(()),
    }
}

/// The response headers that matter to CORS: every `access-control-*`, `vary` and `location`.
fn write_key_headers(f: &mut fmt::Formatter<'_>, headers: &HeaderMap) -> fmt::Result {
    let mut any_cors = false;
    for (name, value) in headers {
        let name = name.as_str();
        let cors = name.starts_with("access-control-");
        any_cors |= cors;
        if cors || name == "vary" || name == "location" {
            writeln!(
                f,
                "   < {name}: {}",
                escape_controls(&String::from_utf8_lossy(value.as_bytes()))
            )?;
        }
    }
    if !any_cors {
        writeln!(f, "   < (no access-control-* headers)")?;
    }
    Ok(())
}

/// The first lines of a body worth showing: a refusal's reason and the hint after it (at most
/// four non-empty lines of at most 400 characters, enough for a hint).
pub(crate) fn body_lines(body: &str) -> Vec<String> {
    body.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(4)
        .map(|line| line.chars().take(400).collect())
        .collect()
}

pub(crate) fn status_line(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_owned()
    } else {
        items.join(", ")
    }
}
