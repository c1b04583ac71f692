//! What to change, by cause: for a tower-cors policy (`explain`), or for a server the doctor only
//! sees from outside (`probe`), where the tower-cors setting is named in passing.

use tower_cors::{CorsConfig, CorsLayer};

use crate::judge::Cause;
use crate::request::{normalize_method, PageRequest};

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
        Cause::HeaderNotAllowed { header } if header.starts_with("access-control-") => {
            response_header_sent_by_page(header).unwrap_or_default()
        }
        Cause::HeaderNotAllowed { header } => format!(
            "add {header} to {}",
            setting(
                "the allowed request headers",
                "allowed_headers",
                "CORS_ALLOWED_HEADERS"
            )
        ),
        Cause::MixedContent { .. } => mixed_content_fix(request),
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

/// The first problem the library's validation finds in `config` once `change` is applied, as
/// `check` prints it; `None` when the changed policy is valid. Every fix that is a change to a
/// tower-cors policy goes through this before it is printed.
pub(crate) fn refused_change(
    config: &CorsConfig,
    change: impl FnOnce(&mut CorsConfig),
) -> Option<String> {
    let mut changed = config.clone();
    change(&mut changed);
    match CorsLayer::try_from(changed) {
        Ok(_) => None,
        Err(errors) => errors.iter().next().map(ToString::to_string),
    }
}

/// A policy standing for a server seen from outside (`probe`), to validate the changes the
/// doctor suggests for it: no origin yet (the fix adds one), credentials as the request has
/// them.
pub(crate) fn outside_policy(request: &PageRequest) -> CorsConfig {
    let mut config = CorsConfig::default();
    config.allow_credentials = request.credentials();
    config
}

/// How to allow the page's origin: `direct` (the fix as worded for the policy or the server),
/// when validation accepts the origin in `config`; otherwise why not, and the safe fix.
pub(crate) fn allow_origin_fix(
    request: &PageRequest,
    config: &CorsConfig,
    direct: String,
    policy: bool,
) -> String {
    let origin = request.origin();
    let Some(refusal) = refused_change(config, |config| {
        config.allowed_origins.retain(|entry| entry != "*");
        config.allowed_origins.push(origin.to_owned());
    }) else {
        return direct;
    };
    let key = if policy {
        "allowed_origins"
    } else {
        "the server's allowed origins"
    };
    if origin == "null" {
        return format!(
            "do not allow `null`: the page's origin is null (a sandboxed iframe, a file:// page, \
             a data: URL, or a redirect across origins), and every such page anywhere shares \
             it, so allowing it allows anyone ({refusal}); serve the page from a real origin \
             (https://host) and add that origin to {key}"
        );
    }
    if let Some(rest) = origin.strip_prefix("http://") {
        let https = format!("https://{}", rest.rsplit_once(':').map_or(rest, |(h, _)| h));
        let https_refused = refused_change(config, |config| {
            config.allowed_origins.retain(|entry| entry != "*");
            config.allowed_origins.push(https.clone());
        });
        if https_refused.is_none() {
            if policy && allows_origin(config, &https) {
                return format!(
                    "serve the page over https, as {https:?}, which {key} already allows: \
                     adding {origin:?} as it is would be refused ({refusal})"
                );
            }
            return format!(
                "serve the page over https and add {https:?} to {key}: adding {origin:?} as it \
                 is would be refused ({refusal})"
            );
        }
    }
    format!(
        "adding {origin:?} to {key} would be refused ({refusal}): change the page's origin to \
         one that is accepted, or the policy as that message says"
    )
}

/// Whether the policy `config` already allows a simple request from `origin`.
fn allows_origin(config: &CorsConfig, origin: &str) -> bool {
    let Ok(layer) = CorsLayer::try_from(config.clone()) else {
        return false;
    };
    http::Request::get("/")
        .header(http::header::ORIGIN, origin)
        .body(())
        .is_ok_and(|request| !layer.decide(&request).is_refused())
}

/// The fix for a request header the page should not send at all: an `access-control-*`
/// header is a response header, which no policy may allow as a request header.
pub(crate) fn response_header_sent_by_page(header: &str) -> Option<String> {
    header.starts_with("access-control-").then(|| {
        format!(
            "remove {header} from the page's request: it is a response header, which the server \
             sends and the browser reads; a page cannot grant itself access by sending it, and \
             sending it only makes the browser preflight the request (tower-cors refuses it in \
             allowed_headers, as every policy should)"
        )
    })
}

/// What to do about mixed content: nothing on the server's CORS side helps.
pub(crate) fn mixed_content_fix(request: &PageRequest) -> String {
    let https = request.url().replacen("http://", "https://", 1);
    format!(
        "the page is served over https and the URL is plain http on a host that is not \
         loopback, so the browser blocks the request as mixed content before sending it, \
         whatever CORS headers the server would send: serve the API over https and fetch \
         {https:?} (only localhost, *.localhost, 127.0.0.0/8 and [::1] may be called over http \
         from an https page)"
    )
}
