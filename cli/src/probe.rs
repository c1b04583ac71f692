//! `probe`'s HTTP client: sends the requests the doctor's browser model makes, as a browser
//! would send them (no redirects followed, no cookies, no body), and reads each response.

use std::io::Read;
use std::time::Duration;

use http::{Request, Response};
use tower_cors_doctor::{probe_with, PageRequest, ProbeError, Report};

/// How long `probe` waits for each request by default, from connecting to the end of the
/// response.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of a response body a report keeps.
const BODY_LIMIT: u64 = 4096;

/// Sends `request` to its server as a browser would, waiting at most `timeout` for each
/// response, and judges the responses with the library's browser model.
pub(crate) fn probe(request: &PageRequest, timeout: Duration) -> Result<Report, ProbeError> {
    let agent = agent(timeout);
    probe_with(request, |request| send(&agent, request))
}

fn agent(timeout: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(timeout))
        .allow_non_standard_methods(true)
        .user_agent(concat!("tower-cors-doctor/", env!("CARGO_PKG_VERSION")))
        .build();
    ureq::Agent::new_with_config(config)
}

/// Sends `request` without a body and reads the response, keeping the first 4 KiB of the body.
fn send(agent: &ureq::Agent, request: Request<()>) -> Result<Response<String>, ProbeError> {
    let url = request.uri().to_string();
    let (parts, ()) = request.into_parts();
    let request = Request::from_parts(parts, ureq::SendBody::none());
    let response = agent.run(request).map_err(|error| {
        let reason = error.to_string();
        match error {
            ureq::Error::Io(_)
            | ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed
            | ureq::Error::Timeout(_) => ProbeError::Unreachable { url, reason },
            _ => ProbeError::Failed { url, reason },
        }
    })?;
    let (parts, mut body) = response.into_parts();
    let mut bytes = Vec::new();
    // A body cut short still shows what the server meant to say.
    let _ = body.as_reader().take(BODY_LIMIT).read_to_end(&mut bytes);
    Ok(Response::from_parts(
        parts,
        String::from_utf8_lossy(&bytes).into_owned(),
    ))
}
