//! Every fix the doctor gives for a browser failure, the one home of their texts: for a
//! tower-cors policy ([`for_policy`], `explain`), from the layer's own decision, each change
//! checked by the layer's validation; for a server the doctor only sees from outside
//! ([`for_server`], `probe`), from what its responses show, with the tower-cors setting named in
//! passing.

use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ALLOW,
    LOCATION, VARY,
};
use http::{Request, Response, StatusCode};
use tower_cors::{CorsConfig, CorsDecision, CorsLayer, Refusal, RefusalReason};

use crate::judge::{get, Blocked, Cause, CheckStep};
use crate::probe::{near_misses, ProbeError};
use crate::report::{body_lines, status_line, Step, StepKind};
use crate::request::{normalize_method, PageRequest};

// --- For a tower-cors policy (`explain`) ---

/// The fix for a policy (`explain`), from the layer's refusal when there is one (its hint names
/// the near miss), else from what the browser found; a change to the policy only when
/// validation accepts it, else the safe alternative.
pub(crate) fn for_policy(
    layer: &CorsLayer,
    decision: Option<&CorsDecision>,
    blocked: &Blocked,
    request: &PageRequest,
) -> String {
    let config = layer.config();
    if let Cause::HeaderNotAllowed { header } = blocked.cause() {
        if let Some(fix) = response_header_sent_by_page(header) {
            return fix;
        }
    }
    let Some(refusal) = decision.and_then(CorsDecision::refusal) else {
        let direct = fix_for_cause(blocked.cause(), request, true);
        return validated(&config, blocked.cause(), request, direct);
    };
    let hint = refusal.hint();
    let fix = match refusal.reason() {
        RefusalReason::OriginNotAllowed { .. } => {
            let direct = fix_for_refusal(refusal, hint, blocked, request);
            let fix = allow_origin_fix(request, &config, direct.clone(), true);
            match hint {
                // The safe fix replaced the direct one: the near miss still says what differs
                // (for `null`, the safe fix already says all there is).
                Some(hint) if fix != direct && request.origin() != "null" => {
                    format!("{fix}; {hint}")
                }
                _ => fix,
            }
        }
        _ => {
            let direct = fix_for_refusal(refusal, hint, blocked, request);
            validated(&config, blocked.cause(), request, direct)
        }
    };
    let hidden = matches!(
        refusal.reason(),
        RefusalReason::MethodNotAllowed { .. } | RefusalReason::HeaderNotAllowed { .. }
    ) && blocked.cause() == &Cause::NoAllowOrigin;
    if hidden {
        // Only `strict` answers these with 403 and no headers.
        format!(
            "{fix}; the policy is strict, so the layer answers such a preflight with 403 and no \
             CORS headers, and the console names only the missing Access-Control-Allow-Origin"
        )
    } else {
        fix
    }
}

/// The fix for the layer's refusal: the layer's hint (the hints' texts live in the layer, which
/// gives them in debug mode too), with what the browser adds to it.
fn fix_for_refusal(
    refusal: &Refusal,
    hint: Option<&str>,
    blocked: &Blocked,
    request: &PageRequest,
) -> String {
    match (refusal.reason(), hint) {
        (RefusalReason::OriginNotAllowed { origin }, _) => {
            let origin = String::from_utf8_lossy(origin.as_bytes());
            let mut fix = format!(
                "add {origin:?} to allowed_origins ({}), or a pattern that covers it",
                CorsConfig::variable("allowed_origins").unwrap_or_default()
            );
            if let Some(hint) = hint {
                fix.push_str("; ");
                fix.push_str(hint);
            }
            fix
        }
        (RefusalReason::MethodNotAllowed { method }, Some(hint)) => {
            let method = String::from_utf8_lossy(method.as_bytes()).into_owned();
            let mut fix = hint.to_owned();
            if !fix.contains("case-sensitive") {
                if let Some(note) = lowercase_method_note(&method) {
                    fix.push_str("; ");
                    fix.push_str(&note);
                }
            }
            fix
        }
        (_, Some(hint)) => hint.to_owned(),
        (_, None) => format!(
            "{}; {}",
            refusal,
            fix_for_cause(blocked.cause(), request, true)
        ),
    }
}

/// `direct`, the fix for `cause`, checked against the policy: a change that validation refuses
/// is replaced by the safe one.
fn validated(config: &CorsConfig, cause: &Cause, request: &PageRequest, direct: String) -> String {
    let origin = request.origin().to_owned();
    let refused = match cause {
        Cause::CredentialsNotTrue { .. } => {
            refused_change(config, |config| config.allow_credentials = true)
        }
        Cause::WildcardWithCredentials => refused_change(config, |config| {
            config.allowed_origins = vec![origin];
            config.allow_credentials = true;
        }),
        Cause::PrivateNetworkNotAllowed { .. } => {
            refused_change(config, |config| config.allow_private_network = true)
        }
        _ => None,
    };
    let Some(refusal) = refused else {
        return direct;
    };
    if matches!(
        cause,
        Cause::CredentialsNotTrue { .. } | Cause::WildcardWithCredentials
    ) {
        let mut listed = config.clone();
        listed.allowed_origins.retain(|entry| entry != "*");
        listed.allow_credentials = true;
        return allow_origin_fix(
            request,
            &listed,
            format!(
                "list the page's origins in allowed_origins instead of `*` (such as {:?}) and \
                 set allow_credentials = true, or fetch without credentials; setting \
                 allow_credentials alone is refused ({refusal})",
                request.origin()
            ),
            true,
        );
    }
    format!("{direct}; but the policy's validation refuses that change as it stands: {refusal}")
}

// --- For both: by cause, and each change checked by validation ---

/// The fix for `cause`. `policy` says whether the server is a tower-cors policy the doctor has
/// (`explain`) rather than a server seen from outside (`probe`).
fn fix_for_cause(cause: &Cause, request: &PageRequest, policy: bool) -> String {
    // Names a tower-cors setting: with its variable for a policy, in passing for a server.
    // `change` names the key in words (`add it to allowed_origins`); its variable, with
    // `value` when the change sets one, comes from the layer's table of keys.
    let setting = |what: &str, change: &str, key: &str, value: Option<&str>| {
        if policy {
            let variable = CorsConfig::variable(key).unwrap_or_default();
            match value {
                Some(value) => format!("{change} ({variable}={value})"),
                None => format!("{change} ({variable})"),
            }
        } else {
            format!("{what} (tower-cors: {change})")
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
                "allowed_origins",
                None
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
                "allowed_origins",
                None
            )
        ),
        Cause::OriginMismatch { value } => format!(
            "the server answered for {value:?}, not for {origin:?}: it must echo the request's \
             Origin byte for byte (a fixed origin, a trailing slash, another scheme or port never \
             match), and send Vary: Origin so that caches keep the answers apart; {}",
            setting(
                "allow the origin",
                "add it to allowed_origins",
                "allowed_origins",
                None
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
                "allow_credentials",
                Some("true")
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
                "allow_private_network",
                Some("true")
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
                    "allowed_methods",
                    None
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
                "allowed_headers",
                None
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
fn lowercase_method_note(method: &str) -> Option<String> {
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
fn refused_change(config: &CorsConfig, change: impl FnOnce(&mut CorsConfig)) -> Option<String> {
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
fn outside_policy(request: &PageRequest) -> CorsConfig {
    let mut config = CorsConfig::default();
    config.allow_credentials = request.credentials();
    config
}

/// How to allow the page's origin: `direct` (the fix as worded for the policy or the server),
/// when validation accepts the origin in `config`; otherwise why not, and the safe fix.
fn allow_origin_fix(
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
fn response_header_sent_by_page(header: &str) -> Option<String> {
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

// --- For a server seen from outside (`probe`) ---

/// The likely fix for a server seen from outside (`probe`), from the cause and what the
/// responses show; notes what the extra preflights sent to find it showed.
pub(crate) fn for_server<F>(
    request: &PageRequest,
    blocked: &Blocked,
    steps: &[Step],
    notes: &mut Vec<String>,
    send: &mut F,
) -> String
where
    F: FnMut(Request<()>) -> Result<Response<String>, ProbeError>,
{
    let evidence = Evidence::new(steps);
    match blocked.cause() {
        Cause::NoAllowOrigin => no_allow_origin_fix(request, blocked, &evidence, notes, send),
        Cause::HeaderNotAllowed { header } if header.starts_with("access-control-") => {
            fix_for_cause(blocked.cause(), request, false)
        }
        cause @ Cause::PreflightStatusNotOk { status } => {
            let preflight = evidence.preflight;
            if !evidence.any_cors_header() && !evidence.any_cors_vary() {
                return no_cors_fix(request, preflight);
            }
            let said = preflight.map(said).unwrap_or_default();
            let _ = status;
            format!("{}{said}", fix_for_cause(cause, request, false))
        }
        cause @ (Cause::MethodNotAllowed { .. } | Cause::HeaderNotAllowed { .. }) => {
            let mut fix = fix_for_cause(cause, request, false);
            let (header, what) = match cause {
                Cause::MethodNotAllowed { .. } => (ACCESS_CONTROL_ALLOW_METHODS, "method"),
                _ => (ACCESS_CONTROL_ALLOW_HEADERS, "header"),
            };
            let star = evidence
                .preflight
                .and_then(|preflight| get(preflight.headers(), header.as_str()))
                .is_some_and(|list| list.split(',').any(|item| item.trim() == "*"));
            if star && request.credentials() {
                fix.push_str(&format!(
                    "; with credentials, the `*` in {header} is just a name: the server must \
                     list the {what} (tower-cors does so itself)"
                ));
            }
            fix
        }
        cause @ (Cause::WildcardWithCredentials | Cause::CredentialsNotTrue { .. }) => {
            // The fix lists the page's origin with credentials on.
            let direct = fix_for_cause(cause, request, false);
            let mut config = outside_policy(request);
            config.allow_credentials = true;
            allow_origin_fix(request, &config, direct, false)
        }
        cause => fix_for_cause(cause, request, false),
    }
}

/// What the responses show about the server's CORS support.
struct Evidence<'a> {
    /// The actual response, when it was sent.
    actual: Option<&'a Response<String>>,
    /// The preflight's response, or the diagnostic preflight's.
    preflight: Option<&'a Response<String>>,
}

impl<'a> Evidence<'a> {
    fn new(steps: &'a [Step]) -> Self {
        let response = |kind| {
            steps
                .iter()
                .find(|step| step.kind == kind)
                .and_then(|step| step.response.as_ref())
        };
        Self {
            actual: response(StepKind::Actual),
            preflight: response(StepKind::Preflight).or_else(|| response(StepKind::Diagnostic)),
        }
    }

    fn responses(&self) -> impl Iterator<Item = &'a Response<String>> {
        self.actual.into_iter().chain(self.preflight)
    }

    /// Whether any response carries an `access-control-*` header.
    fn any_cors_header(&self) -> bool {
        self.responses()
            .any(|response| cors_header_names(response).next().is_some())
    }

    /// Whether any response says it varies with the request's `Origin` or its CORS request
    /// headers: the mark of a CORS layer, which a proxy stripping `access-control-*` keeps.
    fn any_cors_vary(&self) -> bool {
        self.responses().any(|response| {
            get(response.headers(), VARY.as_str()).is_some_and(|vary| {
                vary.split(',').map(str::trim).any(|name| {
                    name.eq_ignore_ascii_case("origin")
                        || name
                            .to_ascii_lowercase()
                            .starts_with("access-control-request-")
                })
            })
        })
    }
}

fn cors_header_names(response: &Response<String>) -> impl Iterator<Item = &str> {
    response
        .headers()
        .keys()
        .map(|name| name.as_str())
        .filter(|name| name.starts_with("access-control-"))
}

/// No `Access-Control-Allow-Origin` where the browser needed one: a redirect, a server without
/// CORS, headers lost on the way or set only on some responses, or an origin the server refuses
/// (with the near miss it allows, when there is one).
fn no_allow_origin_fix<F>(
    request: &PageRequest,
    blocked: &Blocked,
    evidence: &Evidence<'_>,
    notes: &mut Vec<String>,
    send: &mut F,
) -> String
where
    F: FnMut(Request<()>) -> Result<Response<String>, ProbeError>,
{
    let origin = request.origin();
    let actual_status = evidence.actual.map(Response::status);
    if blocked.step() == CheckStep::Actual {
        if let Some(actual) = evidence.actual {
            if let Some(location) = actual
                .headers()
                .get(LOCATION)
                .filter(|_| actual.status().is_redirection())
            {
                let location = String::from_utf8_lossy(location.as_bytes());
                return format!(
                    "the server redirects this URL ({} to {location}) and the redirect carries \
                     no Access-Control-Allow-Origin: the browser checks CORS on the redirect \
                     itself, before following it; call the final URL from the page (watch for \
                     a trailing slash, http to https, or www), or have the server answer the \
                     redirect with the CORS headers too",
                    status_line(actual.status())
                );
            }
        }
    }
    if let Some(actual) = evidence
        .actual
        .filter(|actual| is_cross_origin_protection_refusal(actual))
    {
        return format!(
            "the server's cross-origin protection refused this request with {} before its \
             handler ran ({}): it trusts the same origins as the CORS policy, and {origin:?} is \
             not among them; add the page's origin to the server's allowed origins (tower-cors: \
             allowed_origins), or, for a path that must take cross-origin posts from anywhere \
             (a webhook, an SSO or payment callback), add its prefix to \
             cross_origin_exempt_paths",
            status_line(actual.status()),
            actual.body().lines().next().unwrap_or_default().trim()
        );
    }
    let preflight = evidence.preflight;
    if let Some(preflight) = preflight {
        let has_allow_origin = preflight
            .headers()
            .contains_key(ACCESS_CONTROL_ALLOW_ORIGIN);
        if has_allow_origin && blocked.step() == CheckStep::Actual {
            let status = actual_status.unwrap_or(StatusCode::OK);
            if status.as_u16() >= 400 {
                return format!(
                    "Access-Control-Allow-Origin is present on the preflight but missing on the \
                     {} response: a layer in front of the CORS layer (authentication, rate \
                     limiting, error handling) or a gateway answered; put the CORS layer \
                     outermost so that it decorates every response, errors included",
                    status.as_u16()
                );
            }
            return "Access-Control-Allow-Origin is present on the preflight but missing on the \
                    actual response: most likely the route or handler that serves it is not \
                    behind the CORS layer (a route added outside the router the layer wraps, a \
                    nested or fallback service, or a layer in front of it that answers), so \
                    wrap every route with the CORS layer, outermost; less likely, a proxy, CDN \
                    or gateway drops CORS headers on actual responses only (compare with a \
                    request sent to the application directly)"
                .to_owned();
        }
        let names: Vec<&str> = cors_header_names(preflight).collect();
        if !has_allow_origin && !names.is_empty() {
            return format!(
                "the preflight's response carries some CORS headers ({}) but not \
                 Access-Control-Allow-Origin: the server's configuration sets them separately \
                 and drops that one for this request (nginx, for one, discards every outer \
                 add_header in a block that has its own, such as one inside `if`: repeat all \
                 the CORS headers there, with `always`); it is not a proxy stripping CORS \
                 headers, which would strip them all",
                names.join(", ")
            );
        }
    }
    if !evidence.any_cors_header() && !evidence.any_cors_vary() {
        return no_cors_fix(request, preflight);
    }
    if !evidence.any_cors_header() {
        if let Some(preflight) = preflight.filter(|p| p.status().is_success()) {
            return format!(
                "the server answered the preflight with {} and says it varies with the origin \
                 (Vary), so a CORS layer handled it, but no access-control-* header came \
                 through: a proxy, CDN or gateway in front of it likely strips access-control-* \
                 headers (compare with a request sent to the application directly)",
                preflight.status().as_u16()
            );
        }
    }
    // A server with CORS that refuses this origin.
    let addable = refused_change(&outside_policy(request), |config| {
        config.allowed_origins.push(origin.to_owned());
    })
    .is_none();
    let near_miss = near_misses(request, notes, send)
        .map(|(variant, how)| near_miss_fix(origin, &variant, &how, addable));
    let said = preflight.map(said).unwrap_or_default();
    let direct = match preflight {
        Some(preflight) => format!(
            "the server does not allow {origin:?}: it answered a preflight with {} and no \
             Access-Control-Allow-Origin{said}; add the origin to the server's allowed origins \
             (tower-cors: allowed_origins), with the exact scheme, host and port",
            preflight.status().as_u16(),
        ),
        None => format!(
            "the server does not allow {origin:?}: add it to the server's allowed origins \
             (tower-cors: allowed_origins), with the exact scheme, host and port"
        ),
    };
    let mut fix = allow_origin_fix(request, &outside_policy(request), direct, false);
    if let Some(near_miss) = near_miss {
        fix = format!("{near_miss}; otherwise {fix}");
    }
    if let Some(status) = actual_status.filter(|status| status.as_u16() >= 400) {
        fix.push_str(&format!(
            "; if it is allowed, the {} response came from a layer in front of the CORS layer: \
             put the CORS layer outermost",
            status.as_u16()
        ));
    }
    fix
}

/// The fix's lead when the server allows `variant`, a near miss of the page's `origin` that
/// differs by `how`; `addable` says whether validation would accept the page's own origin.
fn near_miss_fix(origin: &str, variant: &str, how: &str, addable: bool) -> String {
    if variant.ends_with('/') {
        format!(
            "the server allows {variant:?}, with a trailing slash, which no browser sends: an \
             origin never ends with `/`; write {origin:?} in its allowed origins"
        )
    } else if addable {
        format!(
            "the server allows {variant:?} but not the page's origin {origin:?} (it differs: \
             {how}): load the page from {variant:?}, or add {origin:?} to the server's allowed \
             origins"
        )
    } else {
        format!(
            "the server allows {variant:?} but not the page's origin {origin:?} (it differs: \
             {how}): load the page from {variant:?}"
        )
    }
}

/// Whether `response` is tower-cors's cross-origin protection refusing the request: a 403
/// whose one-line body says so.
fn is_cross_origin_protection_refusal(response: &Response<String>) -> bool {
    response.status() == StatusCode::FORBIDDEN
        && [
            "cross-origin request from origin ",
            "cross-origin WebSocket handshake from origin ",
        ]
        .iter()
        .any(|start| response.body().starts_with(start))
}

/// A server with no CORS support at all: no `access-control-*` header and no `Vary` on the
/// origin anywhere, and a preflight answered like any other request.
fn no_cors_fix(request: &PageRequest, preflight: Option<&Response<String>>) -> String {
    // Authentication, rate limiting and errors answer before any CORS layer can; a server
    // without CORS answers OPTIONS as an unknown method or route instead.
    if let Some(preflight) = preflight.filter(|p| {
        matches!(p.status().as_u16(), 401 | 403 | 407 | 429)
            || (p.status().is_server_error() && p.status() != StatusCode::NOT_IMPLEMENTED)
    }) {
        return format!(
            "no response carries an access-control-* header, and the preflight (OPTIONS) got \
             {}{}: an authentication, rate-limiting or error-handling layer answered before any \
             CORS layer could (browsers send preflights without cookies or Authorization, so \
             they never pass authentication); put the CORS layer outermost so that it answers \
             preflights itself and decorates every response, errors included (tower-cors: \
             `.layer(cors)` as the last layer of the whole router), and allow {:?}; if the \
             server has no CORS layer at all, add one",
            status_line(preflight.status()),
            said(preflight),
            request.origin()
        );
    }
    let answered = match preflight {
        Some(preflight) if preflight.headers().contains_key(ALLOW) => format!(
            "answered the preflight (OPTIONS) with {} and an Allow header, as a framework \
             answers OPTIONS on its own",
            status_line(preflight.status())
        ),
        Some(preflight) if preflight.status() == StatusCode::NOT_IMPLEMENTED => {
            "answered the preflight (OPTIONS) with 501 Not Implemented: it does not implement \
             the OPTIONS method at all"
                .to_owned()
        }
        Some(preflight) if preflight.status().is_success() => format!(
            "answered the preflight (OPTIONS) with {} like an ordinary request (a route or a \
             catch-all handler answered it, not a CORS layer)",
            status_line(preflight.status())
        ),
        Some(preflight) => format!(
            "answered the preflight (OPTIONS) with {}, as it answers any request it has no \
             route for",
            status_line(preflight.status())
        ),
        None => "did not answer a preflight".to_owned(),
    };
    format!(
        "the server has no CORS support: no response carries an access-control-* header, and \
         it {answered}; if it is your server, add a CORS layer in front of every route, \
         outermost, so that it answers preflights itself and decorates every response, errors \
         included (tower-cors: `.layer(cors)` as the last layer of the whole router), and allow \
         {:?}; if it is a third-party API you cannot change, call it through the page's own \
         origin instead (a same-origin route on your server that forwards to it), since a \
         browser will not let the page read it cross-origin; if the application does send CORS \
         headers when called directly, a proxy in front of it strips them",
        request.origin()
    )
}

/// ` (it said: "..." / "...")` with the first lines of a response's body (the reason, and the
/// hint a server in debug mode adds), when there is one.
fn said(response: &Response<String>) -> String {
    let lines = body_lines(response.body());
    if lines.is_empty() {
        return String::new();
    }
    let quoted: Vec<String> = lines.iter().map(|line| format!("{line:?}")).collect();
    format!(" (it said: {})", quoted.join(" / "))
}
