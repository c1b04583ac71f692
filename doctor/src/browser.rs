//! Which browser's console the doctor speaks for: Chromium's messages are the [`Cause`]s' own
//! words; Firefox's are its `Cross-Origin Request Blocked: ...` family, whose reasons MDN
//! documents under their codes (`CORSMissingAllowOrigin`, ...).

use std::fmt;
use std::str::FromStr;

use http::StatusCode;

use crate::judge::{Blocked, Cause, CheckStep};
use crate::report::{Report, StepKind};
use crate::request::{is_token, PageRequest};

/// A browser whose console messages the doctor predicts. Both enforce the same Fetch rules;
/// their messages differ.
///
/// ```
/// use tower_cors_doctor::Browser;
///
/// assert_eq!("firefox".parse::<Browser>(), Ok(Browser::Firefox));
/// assert_eq!(Browser::default(), Browser::Chromium);
/// assert!("safari".parse::<Browser>().unwrap_err().contains("chromium or firefox"));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Browser {
    /// Chromium, Chrome, Edge and the other Blink browsers: `Access to fetch at ... has been
    /// blocked by CORS policy: ...`.
    #[default]
    Chromium,
    /// Firefox: `Cross-Origin Request Blocked: The Same Origin Policy disallows reading the
    /// remote resource at URL. (Reason: ...)`.
    Firefox,
}

impl fmt::Display for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Browser::Chromium => "chromium",
            Browser::Firefox => "firefox",
        })
    }
}

impl FromStr for Browser {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.to_ascii_lowercase().as_str() {
            "chromium" | "chrome" | "edge" => Ok(Browser::Chromium),
            "firefox" => Ok(Browser::Firefox),
            _ => Err(format!(
                "browser {name:?} is not one the doctor knows: write chromium or firefox"
            )),
        }
    }
}

/// MDN's code for the reason Firefox gives for `cause` (the page under
/// `https://developer.mozilla.org/docs/Web/HTTP/Guides/CORS/Errors/`); `None` for a block
/// Firefox does not report as CORS.
pub(crate) fn firefox_code(cause: &Cause) -> Option<&'static str> {
    Some(match cause {
        Cause::NoAllowOrigin => "CORSMissingAllowOrigin",
        Cause::MultipleAllowOrigins { .. } => "CORSMultipleAllowOriginNotAllowed",
        Cause::InvalidAllowOrigin { .. } | Cause::OriginMismatch { .. } => {
            "CORSAllowOriginNotMatchingOrigin"
        }
        Cause::WildcardWithCredentials => "CORSNotSupportingCredentials",
        // MDN's page name keeps its typo.
        Cause::CredentialsNotTrue { .. } => "CORSMIssingAllowCredentials",
        Cause::PreflightStatusNotOk { .. } => "CORSPreflightDidNotSucceed",
        Cause::PreflightRedirect { .. } => "CORSExternalRedirectNotAllowed",
        Cause::InvalidAllowMethods { .. } => "CORSInvalidAllowMethod",
        Cause::InvalidAllowHeaders { .. } => "CORSInvalidAllowHeader",
        Cause::MethodNotAllowed { .. } => "CORSMethodNotFound",
        Cause::HeaderNotAllowed { .. } | Cause::AuthorizationNotCoveredByWildcard => {
            "CORSMissingAllowHeaderFromPreflight"
        }
        Cause::PrivateNetworkNotAllowed { .. } | Cause::MixedContent { .. } => return None,
    })
}

/// The message Firefox prints for `blocked`, in the words of its `security.properties`
/// (typographic quotes included), with the status code of the response that failed where
/// Firefox gives one.
pub(crate) fn firefox_message(request: &PageRequest, blocked: &Blocked, report: &Report) -> String {
    let url = request.url();
    let kind = match blocked.step() {
        CheckStep::Preflight => StepKind::Preflight,
        _ => StepKind::Actual,
    };
    let response = report
        .steps()
        .iter()
        .find(|step| step.kind() == kind)
        .and_then(|step| step.response());
    let status = || response.map_or_else(|| "(null)".to_owned(), |r| code(r.status()));
    let reason = match blocked.cause() {
        Cause::MixedContent { .. } => {
            return format!("Blocked loading mixed active content “{url}”");
        }
        Cause::PrivateNetworkNotAllowed { .. } => {
            return "(none: Firefox does not implement Private Network Access, so it sends no \
                    such preflight; Chromium blocks the request)"
                .to_owned();
        }
        Cause::NoAllowOrigin => {
            return format!(
                "{} (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: {}.",
                prefix(url),
                status()
            );
        }
        Cause::PreflightStatusNotOk { status } => {
            return format!(
                "{} (Reason: CORS preflight response did not succeed). Status code: {}.",
                prefix(url),
                code(*status)
            );
        }
        Cause::WildcardWithCredentials => {
            // Firefox quotes the URL in this one message.
            return format!(
                "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the \
                 remote resource at ‘{url}’. (Reason: Credential is not supported if the CORS \
                 header ‘Access-Control-Allow-Origin’ is ‘*’)."
            );
        }
        // Firefox reads several header lines as "multiple", and one line holding a list as a
        // value that does not match.
        Cause::MultipleAllowOrigins { value }
            if response.is_some_and(|r| {
                r.headers()
                    .get_all(http::header::ACCESS_CONTROL_ALLOW_ORIGIN)
                    .iter()
                    .count()
                    < 2
            }) =>
        {
            format!("CORS header ‘Access-Control-Allow-Origin’ does not match ‘{value}’")
        }
        Cause::MultipleAllowOrigins { .. } => {
            "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed".to_owned()
        }
        Cause::InvalidAllowOrigin { value } | Cause::OriginMismatch { value } => {
            format!("CORS header ‘Access-Control-Allow-Origin’ does not match ‘{value}’")
        }
        Cause::CredentialsNotTrue { .. } => {
            "expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’".to_owned()
        }
        Cause::PreflightRedirect { .. } => "CORS request external redirect not allowed".to_owned(),
        Cause::InvalidAllowMethods { value } => format!(
            "invalid token ‘{}’ in CORS header ‘Access-Control-Allow-Methods’",
            first_invalid_token(value)
        ),
        Cause::InvalidAllowHeaders { value } => format!(
            "invalid token ‘{}’ in CORS header ‘Access-Control-Allow-Headers’",
            first_invalid_token(value)
        ),
        Cause::MethodNotAllowed { .. } => {
            "Did not find method in CORS header ‘Access-Control-Allow-Methods’".to_owned()
        }
        Cause::HeaderNotAllowed { header } => missing_header(header),
        Cause::AuthorizationNotCoveredByWildcard => missing_header("authorization"),
    };
    format!("{} (Reason: {reason}).", prefix(url))
}

fn prefix(url: &str) -> String {
    format!(
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote \
         resource at {url}."
    )
}

fn missing_header(header: &str) -> String {
    format!(
        "header ‘{header}’ is not allowed according to header ‘Access-Control-Allow-Headers’ \
         from CORS preflight response"
    )
}

fn code(status: StatusCode) -> String {
    status.as_u16().to_string()
}

/// The first element of a list that is not a token, as Firefox quotes it.
fn first_invalid_token(value: &str) -> String {
    value
        .split(',')
        .map(|item| item.trim_matches([' ', '\t']))
        .find(|item| !item.is_empty() && !is_token(item.as_bytes()))
        .unwrap_or(value)
        .to_owned()
}
