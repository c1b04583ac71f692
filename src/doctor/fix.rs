//! What to change, by cause: for a tower-cors policy (`explain`), or for a server the doctor only
//! sees from outside (`probe`), where the tower-cors setting is named in passing.

use super::judge::Cause;
use super::request::{normalize_method, PageRequest};

/// The fix for `cause`. `policy` says whether the server is a tower-cors policy the doctor has
/// (`explain`) rather than a server seen from outside (`probe`).
pub(crate) fn fix_for_cause(cause: &Cause, request: &PageRequest, policy: bool) -> String {
    // Names a tower-cors setting: with its variable for a policy, in passing for a server.
    let setting = |what: &str, key: &str, variable: &str| {
        if policy {
            format!("{key} ({variable})")
        } else {
            format!("{what} (tower-cors: {key})")
        }
    };
    let origin = request.origin();
    match cause {
        Cause::NoAllowOrigin => format!(
            "allow {origin:?}: add it to {}, and keep the CORS layer outermost so that every \
             response, errors included, gets its headers",
            setting(
                "the server's allowed origins",
                "allowed_origins",
                "CORS_ALLOWED_ORIGINS"
            )
        ),
        Cause::MultipleAllowOrigins { value } => format!(
            "Access-Control-Allow-Origin must hold exactly one value, the request's origin, but \
             it holds {value:?}: two layers (or a proxy and the application) both add CORS \
             headers, or the server lists its allowlist in the header; let one CORS layer \
             answer, echoing the request's Origin"
        ),
        Cause::InvalidAllowOrigin { value } => format!(
            "Access-Control-Allow-Origin must be the request's origin exactly \
             (scheme://host[:port]) or *, not {value:?}; {}",
            setting(
                "list the origin in the server's allowed origins",
                "allowed_origins",
                "CORS_ALLOWED_ORIGINS"
            )
        ),
        Cause::OriginMismatch { value } => format!(
            "the server answered for {value:?}, not for {origin:?}: it must echo the request's \
             Origin byte for byte (a fixed origin, a trailing slash, another scheme or port never \
             match), and send Vary: Origin so that caches keep the answers apart; {}",
            setting(
                "allow the origin",
                "add it to allowed_origins",
                "CORS_ALLOWED_ORIGINS"
            )
        ),
        Cause::WildcardWithCredentials if policy => format!(
            "the policy allows every origin (`*`), and browsers refuse `*` for requests with \
             credentials: list the page's origins in allowed_origins (such as {origin:?}) and set \
             allow_credentials = true, or fetch without credentials"
        ),
        Cause::WildcardWithCredentials => format!(
            "browsers refuse Access-Control-Allow-Origin: * for requests with credentials: the \
             server must echo the origin and send Access-Control-Allow-Credentials: true \
             (tower-cors: list {origin:?} in allowed_origins and set allow_credentials = true; \
             it never sends `*` with credentials), or the page must fetch without credentials"
        ),
        Cause::CredentialsNotTrue { .. } => format!(
            "the request has credentials, so the response needs \
             Access-Control-Allow-Credentials: true: {}, with the origins listed (not `*`), or \
             fetch without credentials",
            setting(
                "have the server send it",
                "set allow_credentials = true",
                "CORS_ALLOW_CREDENTIALS=true"
            )
        ),
        Cause::PreflightStatusNotOk { status } => format!(
            "the preflight got {}: something answered the OPTIONS request before the CORS layer \
             (routing, authentication, rate limiting, a gateway); put the CORS layer outermost \
             so that it answers preflights itself",
            status.as_u16()
        ),
        Cause::PreflightRedirect { status, location } => format!(
            "the server redirected the preflight ({} to {location}), and browsers never follow \
             a redirect for a preflight: call the final URL from the page (watch for a trailing \
             slash, http to https, or www), or stop redirecting OPTIONS requests",
            status.as_u16()
        ),
        Cause::PrivateNetworkNotAllowed { .. } => format!(
            "the preflight needs Access-Control-Allow-Private-Network: true: {}",
            setting(
                "have the server send it",
                "set allow_private_network = true",
                "CORS_ALLOW_PRIVATE_NETWORK=true"
            )
        ),
        Cause::InvalidAllowMethods { value } => format!(
            "Access-Control-Allow-Methods must be a comma-separated list of method tokens, not \
             {value:?}"
        ),
        Cause::InvalidAllowHeaders { value } => format!(
            "Access-Control-Allow-Headers must be a comma-separated list of header names, not \
             {value:?}"
        ),
        Cause::MethodNotAllowed { method } => {
            let mut fix = format!(
                "add {method} to {}",
                setting(
                    "the allowed methods",
                    "allowed_methods",
                    "CORS_ALLOWED_METHODS"
                )
            );
            if let Some(note) = lowercase_method_note(method) {
                fix.push_str("; ");
                fix.push_str(&note);
            }
            fix
        }
        Cause::HeaderNotAllowed { header } => format!(
            "add {header} to {}",
            setting(
                "the allowed request headers",
                "allowed_headers",
                "CORS_ALLOWED_HEADERS"
            )
        ),
        Cause::AuthorizationNotCoveredByWildcard => format!(
            "`*` never covers authorization: list it by name beside `*` ({})",
            if policy {
                "allowed_headers = [\"*\", \"authorization\"]".to_owned()
            } else {
                "Access-Control-Allow-Headers: *, authorization".to_owned()
            }
        ),
    }
}

/// For a lowercase method that browsers do not uppercase (`patch`), why `PATCH` does not match.
pub(crate) fn lowercase_method_note(method: &str) -> Option<String> {
    let upper = method.to_ascii_uppercase();
    (upper != method && normalize_method(method) == method).then(|| {
        format!(
            "browsers send {method} exactly as written (they uppercase only DELETE, GET, HEAD, \
             OPTIONS, POST and PUT) and methods are case-sensitive: if the page means {upper}, \
             write '{upper}' in its code"
        )
    })
}
