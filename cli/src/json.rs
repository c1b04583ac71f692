//! `--format json`: one JSON object per run, for CI pipelines. Its fields are documented in
//! the README's doctor section; what a server sent is escaped as in the text (no control
//! character, C1 included, and no bidirectional control reaches the output raw).

use http::HeaderMap;
use serde_json::{json, Value};
use tower_cors::{needs_escape, CorsDecision};
use tower_cors_doctor::{CheckStep, Report, StepKind, StepOutcome, Verdict};

/// The object `check` prints.
pub(crate) fn check(
    source: &str,
    summary: &str,
    errors: &[String],
    warnings: &[String],
    policy: Option<&str>,
    note: Option<&str>,
) -> String {
    let valid = summary == "valid";
    render(&json!({
        "command": "check",
        "source": source,
        "verdict": if valid { "valid" } else { "invalid" },
        "summary": summary,
        "errors": errors,
        "warnings": warnings,
        "policy": policy,
        "note": note,
    }))
}

/// The object `explain` or `probe` prints when the run cannot go on: bad arguments, an invalid
/// policy, an unreachable server.
pub(crate) fn error(command: &str, message: &str) -> String {
    render(&json!({
        "command": command,
        "verdict": "error",
        "error": message,
    }))
}

/// The object `explain` or `probe` prints for a report.
pub(crate) fn report(command: &str, report: &Report) -> String {
    let request = report.request();
    let verdict = report.verdict();
    let (name, status, readable, redirect) = match verdict {
        Verdict::Allowed(allowed) => (
            "allowed",
            Some(allowed.status().as_u16()),
            allowed.readable_headers().to_vec(),
            Value::Null,
        ),
        Verdict::Redirected(redirected) => (
            "not_settled",
            Some(redirected.status().as_u16()),
            Vec::new(),
            json!({
                "status": redirected.status().as_u16(),
                "location": redirected.location(),
            }),
        ),
        Verdict::Blocked(_) => ("blocked", None, Vec::new(), Value::Null),
        _ => ("unknown", None, Vec::new(), Value::Null),
    };
    let blocked = verdict.blocked().map(|blocked| {
        json!({
            "step": match blocked.step() {
                CheckStep::Request => "request",
                CheckStep::Preflight => "preflight",
                CheckStep::Actual => "actual",
                _ => "other",
            },
            "cause": blocked.cause().code(),
            "firefox_code": blocked.cause().firefox_code(),
        })
    });
    let steps: Vec<Value> = report
        .steps()
        .iter()
        .map(|step| {
            let sent = step.request();
            let response = step.response().map(|response| {
                json!({
                    "status": response.status().as_u16(),
                    "headers": headers(response.headers()),
                    "body": response.body().chars().take(1024).collect::<String>(),
                })
            });
            json!({
                "kind": match step.kind() {
                    StepKind::Preflight => "preflight",
                    StepKind::Actual => "actual",
                    StepKind::Diagnostic => "diagnostic",
                    _ => "other",
                },
                "outcome": match step.outcome() {
                    StepOutcome::Passed => "passed",
                    StepOutcome::Blocked => "blocked",
                    StepOutcome::NotSent => "not_sent",
                    StepOutcome::Diagnostic => "diagnostic",
                    _ => "other",
                },
                "request": {
                    "method": sent.method().as_str(),
                    "url": sent.uri().to_string(),
                    "headers": headers(sent.headers()),
                },
                "response": response,
                "layer": step.decision().map(decision),
            })
        })
        .collect();
    render(&json!({
        "command": command,
        "browser": report.browser().to_string(),
        "request": {
            "origin": request.origin(),
            "url": request.url(),
            "method": request.method(),
            "headers": request.headers(),
            "credentials": request.credentials(),
            "private_network": request.private_network(),
            "read_headers": request.read_headers(),
            "preflight_reasons": request.preflight_reasons(),
        },
        "verdict": name,
        "allowed": report.is_allowed(),
        "status": status,
        "blocked": blocked,
        "redirect": redirect,
        "console": report.console_message_in(report.browser()),
        "fix": report.fix(),
        "readable_headers": readable,
        "unreadable_headers": report.unreadable_headers(),
        "steps": steps,
        "notes": report.notes(),
        "warnings": report.warnings(),
    }))
}

fn decision(decision: &CorsDecision) -> Value {
    match decision {
        CorsDecision::Refused(refusal) => json!({
            "decision": "refused",
            "reason": refusal.reason().code(),
            "message": refusal.to_string(),
        }),
        CorsDecision::Allowed(_) => json!({ "decision": "allowed" }),
        _ => json!({ "decision": "not_cors" }),
    }
}

/// Header lines as `[name, value]` pairs, in order, repeated names kept.
fn headers(headers: &HeaderMap) -> Vec<[String; 2]> {
    headers
        .iter()
        .map(|(name, value)| {
            [
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            ]
        })
        .collect()
}

/// Compact JSON on one line, with DEL, the C1 controls (U+0080 to U+009F) and the
/// bidirectional controls escaped too, as JSON escapes (`\u009b`): JSON escapes only C0 itself,
/// a terminal reads U+009B as a control sequence introducer, and U+202E reverses the rest of a
/// line. The characters are those every text output escapes
/// ([`needs_escape`](tower_cors::needs_escape)).
fn render(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}
