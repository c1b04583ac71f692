//! Validation: plain configuration in, a ready policy or every problem out. The
//! builder, TOML and environment loaders all end here.

#[cfg(feature = "regex")]
pub(crate) mod regex_audit;
#[cfg(feature = "regex")]
pub(crate) mod regex_structure;

use http::HeaderValue;

use crate::config::key;
use crate::config::CorsConfig;
use crate::error::{At, ConfigError, ConfigErrorKind as Kind, ConfigErrors};
use crate::headers::{is_forbidden_request_header, is_token, join};
use crate::policy::origin::entry::{parse_entry, Entry, EntryError, Pattern};
use crate::policy::origin::{is_loopback, OriginMatcher};
use crate::policy::request_headers::NameTrie;
use crate::policy::{HeaderRule, MethodRule, Policy};
use crate::predicate::{OriginPredicates, CANARY_ORIGIN};
use crate::preset::Preset;
use crate::warning::ConfigWarning;

/// Longest accepted `max_age`: one day, Firefox's cap (Chromium caps at two hours).
const MAX_AGE_LIMIT: i64 = 86_400;

/// Validates `config`, returning the policy or every problem found.
pub(crate) fn validate(config: &CorsConfig) -> Result<Policy, ConfigErrors> {
    validate_with(config, &OriginPredicates::default())
}

/// Validates `config` for a layer that may also allow origins through a predicate, which makes
/// an empty allowlist workable.
pub(crate) fn validate_with(
    config: &CorsConfig,
    predicates: &OriginPredicates,
) -> Result<Policy, ConfigErrors> {
    checked(config, predicates, true)
        .map(|policy| policy.expect("a valid configuration gives a policy when it is advised on"))
}

/// The problems validation finds in `config`, and nothing else: no warning is computed or
/// logged. For a configuration read with problems, whose unreadable values were left at their
/// defaults: a warning would speak of a default as if it had been given (`"false"` for a
/// `cross_origin_protection` given as `"yes"`), and no layer is built to carry it.
#[cfg(any(feature = "env", feature = "toml"))]
pub(crate) fn errors(config: &CorsConfig) -> Option<ConfigErrors> {
    checked(config, &OriginPredicates::default(), false).err()
}

/// Validation: every error, or the policy, with its warnings computed and logged; or, when
/// `advise_and_build` is false, only the errors, and `None` for a configuration without any.
fn checked(
    config: &CorsConfig,
    predicates: &OriginPredicates,
    advise_and_build: bool,
) -> Result<Option<Policy>, ConfigErrors> {
    let given = config;
    let mut errors = Vec::new();
    let merged;
    let config = if config.presets.is_empty() {
        config
    } else {
        merged = with_presets(config, &mut errors);
        &merged
    };
    let mut origins = OriginMatcher::default();
    if config.allow_credentials && !config.dangerously_allow_public_suffix_wildcards {
        origins.guard_public_suffixes();
    }
    if config.allow_credentials && !config.dangerously_allow_insecure_origins {
        origins.guard_insecure_regex_matches();
    }
    // What reading the sources noticed (unknown variables) comes first, as it was found first.
    let mut warnings = config.sources.warnings().to_vec();
    check_origins(config, predicates, &mut origins, &mut errors, &mut warnings);
    check_regexes(config, &mut origins, &mut errors, &mut warnings);
    let (methods, methods_list) = check_methods(config, &mut errors);
    let (headers, headers_list) = check_request_headers(config, &mut errors);
    let expose = check_expose_headers(config, &mut errors);
    let max_age = check_max_age(config, &mut errors);
    let protection = crate::cross_origin::check_config(config, &mut errors);
    let errors = errors
        .into_iter()
        .map(|error| match config.sources.get(error.key()) {
            Some(source) => error.locate(source),
            None => error,
        })
        .collect();
    if let Some(errors) = ConfigErrors::from_vec(errors) {
        return Err(errors);
    }
    if !advise_and_build {
        return Ok(None);
    }
    advise(config, &mut warnings);
    let warnings: Vec<ConfigWarning> = warnings
        .into_iter()
        .map(|warning| match config.sources.get(warning.key()) {
            Some(source) => warning.locate(source),
            None => warning,
        })
        .collect();
    for warning in &warnings {
        warning.log();
    }
    // A `*` policy's preflight answer does not depend on the origin (Fetch, "CORS protocol and
    // HTTP caches").
    let vary_preflight =
        HeaderValue::from_static(match (origins.allows_any(), config.allow_private_network) {
            (false, false) => {
                "origin, access-control-request-method, access-control-request-headers"
            }
            (false, true) => {
                "origin, access-control-request-method, access-control-request-headers, \
                 access-control-request-private-network"
            }
            (true, false) => "access-control-request-method, access-control-request-headers",
            (true, true) => {
                "access-control-request-method, access-control-request-headers, \
                 access-control-request-private-network"
            }
        });
    let mut policy = Policy {
        config: given.clone(),
        origins,
        credentials: config.allow_credentials,
        methods,
        headers,
        private_network: config.allow_private_network,
        strict: config.strict,
        protection,
        debug: config.debug,
        record_all_decisions: config.record_all_decisions,
        warnings,
        said: Default::default(),
        hints: std::sync::OnceLock::new(),
        expose,
        max_age,
        methods_list,
        headers_list,
        vary_preflight,
        blocks: Default::default(),
    };
    policy.blocks = crate::render::blocks(&policy);
    Ok(Some(policy))
}

/// The configuration with its presets' lists appended. Names browsers never let scripts send
/// (`accept-encoding` in `connect`) are left out, since they would only be refused.
fn with_presets(config: &CorsConfig, errors: &mut Vec<ConfigError>) -> CorsConfig {
    let mut merged = config.clone();
    for (i, name) in config.presets.iter().enumerate() {
        let preset = match name.parse::<Preset>() {
            Ok(preset) => preset,
            Err(_) => {
                errors.push(ConfigError::new(
                    Kind::InvalidValue,
                    at(key::presets, i),
                    Some(name),
                    "it is not a preset",
                    "the presets are \"grpc-web\" and \"connect\"",
                ));
                continue;
            }
        };
        let owned = |names: &[&str]| names.iter().map(|&n| n.to_owned()).collect::<Vec<_>>();
        merged.allowed_methods.extend(owned(preset.methods()));
        merged.allowed_headers.extend(
            preset
                .request_headers()
                .iter()
                .filter(|name| !is_forbidden_request_header(name))
                .map(|&name| name.to_owned()),
        );
        merged
            .expose_headers
            .extend(owned(preset.exposed_headers()));
    }
    merged
}

fn at(key: &'static str, index: usize) -> At {
    At::entry(key, index)
}

fn check_origins(
    config: &CorsConfig,
    predicates: &OriginPredicates,
    origins: &mut OriginMatcher,
    errors: &mut Vec<ConfigError>,
    warnings: &mut Vec<ConfigWarning>,
) {
    const KEY: &str = key::allowed_origins;
    let list = &config.allowed_origins;
    if config.allow_credentials && predicates.allows_anyone() {
        errors.push(ConfigError::new(
            Kind::AnyOriginWithCredentials,
            "allow_origin_predicate",
            Some(CANARY_ORIGIN),
            "the origin predicate allows this origin, which nobody can own, so it allows every \
             origin, and credentials are allowed: any website could read your users' data with \
             their cookies",
            "make the predicate allow only origins you serve (look the origin up in your list of \
             tenants, and say no to the rest), or set allow_credentials to false",
        ));
    }
    if list.is_empty() && config.allowed_origin_regexes.is_empty() {
        if !predicates.is_empty() {
            return;
        }
        errors.push(ConfigError::new(
            Kind::NoOrigins,
            KEY,
            None,
            "no origin is allowed",
            "list the origins of your frontends, such as \"https://app.example.com\"; to turn \
             CORS off, leave the layer out",
        ));
        return;
    }
    for (i, raw) in list.iter().enumerate() {
        let location = at(KEY, i);
        let entry = match parse_entry(raw) {
            Ok(entry) => entry,
            Err(error) => {
                errors.push(entry_error(location, raw, error));
                continue;
            }
        };
        match &entry {
            Entry::Any => {
                if !predicates.is_empty() {
                    errors.push(ConfigError::new(
                        Kind::PredicateWithAnyOrigin,
                        location,
                        Some(raw),
                        "every origin is allowed, so the origin predicate would never be consulted",
                        "list the origins you know instead of \"*\", or remove the predicate",
                    ));
                }
                if list.len() > 1 {
                    errors.push(ConfigError::new(
                        Kind::WildcardInList,
                        location,
                        Some(raw),
                        "\"*\" allows every origin, so it cannot stand in a list of origins",
                        "use \"*\" alone to allow every origin, or remove it to allow only the \
                         listed ones",
                    ));
                }
                if config.allow_credentials {
                    errors.push(ConfigError::new(
                        Kind::AnyOriginWithCredentials,
                        location,
                        Some(raw),
                        "allowing every origin with credentials would let any website read \
                         your users' private data (browsers also refuse \"*\" with credentials)",
                        "list the trusted origins, or set allow_credentials to false",
                    ));
                }
                origins.allow_any();
            }
            Entry::Null => {
                if config.dangerously_allow_null_origin {
                    warnings.push(opted_in(location, raw, key::dangerously_allow_null_origin));
                } else {
                    errors.push(ConfigError::new(
                        Kind::NullOrigin,
                        location,
                        Some(raw),
                        "any page can send \"Origin: null\" from a sandboxed iframe, so allowing \
                         it is close to allowing every origin",
                        "remove it; if you accept the risk, set dangerously_allow_null_origin",
                    ));
                }
                origins.add_exact("null");
            }
            Entry::Exact(origin) => {
                check_credentials(config, location, raw, &entry, errors, warnings);
                origins.add_exact(origin);
            }
            Entry::Pattern(pattern) => {
                check_credentials(config, location, raw, &entry, errors, warnings);
                origins.add_pattern(pattern.clone());
            }
        }
    }
}

fn entry_error(location: At, raw: &str, error: EntryError) -> ConfigError {
    match error {
        EntryError::Invalid { problem, fix } => {
            ConfigError::new(Kind::InvalidOrigin, location, Some(raw), problem, fix)
        }
        EntryError::NonCanonical {
            problems,
            canonical,
        } => ConfigError::new(
            Kind::NonCanonicalOrigin,
            location,
            Some(raw),
            problems.join(", and "),
            format!("write {canonical:?}"),
        ),
        EntryError::File => ConfigError::new(
            Kind::FileOrigin,
            location,
            Some(raw),
            "browsers send the origin of file:// pages as \"null\", never as a file:// origin",
            "serve the page over http://localhost instead",
        ),
    }
}

/// The checks that apply only with credentials: insecure origins and public-suffix wildcards.
fn check_credentials(
    config: &CorsConfig,
    location: At,
    raw: &str,
    entry: &Entry,
    errors: &mut Vec<ConfigError>,
    warnings: &mut Vec<ConfigWarning>,
) {
    if !config.allow_credentials {
        return;
    }
    let Some((scheme, host)) = entry.scheme_and_host() else {
        return;
    };
    let insecure = matches!(scheme, "http" | "ws") && !is_loopback(host);
    if insecure && config.dangerously_allow_insecure_origins {
        warnings.push(opted_in(
            location,
            raw,
            key::dangerously_allow_insecure_origins,
        ));
    } else if insecure {
        errors.push(ConfigError::new(
            Kind::InsecureOriginWithCredentials,
            location,
            Some(raw),
            "with credentials, a plain-http origin lets anyone on the network path rewrite its \
             page and read your users' data",
            "use its https:// origin; if you accept the risk, set \
             dangerously_allow_insecure_origins",
        ));
    }
    if let Entry::Pattern(pattern) = entry {
        if !covers_public_suffix(pattern) {
            return;
        }
        if config.dangerously_allow_public_suffix_wildcards {
            warnings.push(opted_in(
                location,
                raw,
                key::dangerously_allow_public_suffix_wildcards,
            ));
        } else {
            let domain = pattern.wildcard_domain().unwrap_or_default();
            errors.push(ConfigError::new(
                Kind::PublicSuffixWildcardWithCredentials,
                location,
                Some(raw),
                format!(
                    "{domain:?} is a public suffix: anyone can register a name under it and \
                     read your users' data with credentials"
                ),
                "list your own subdomains of it one by one; if you accept the risk, set \
                 dangerously_allow_public_suffix_wildcards",
            ));
        }
    }
}

/// The warning logged when an opt-in lets an entry through.
fn opted_in(location: At, raw: &str, opt_in: &str) -> ConfigWarning {
    ConfigWarning::new(
        location,
        Some(raw),
        format!("allowed only because {opt_in} is set"),
        "",
    )
}

/// Response headers scripts can always read (Fetch, "CORS-safelisted response-header name").
const SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Settings that are valid but probably not what was meant; checked on a valid configuration.
fn advise(config: &CorsConfig, warnings: &mut Vec<ConfigWarning>) {
    // Debug mode says the configuration is for development, where loopback origins belong.
    if config.allow_credentials && !config.debug {
        for (i, raw) in config.allowed_origins.iter().enumerate() {
            let loopback = parse_entry(raw)
                .ok()
                .is_some_and(|entry| entry.scheme_and_host().is_some_and(|(_, h)| is_loopback(h)));
            if loopback {
                warnings.push(ConfigWarning::new(
                    at(key::allowed_origins, i),
                    Some(raw),
                    "a loopback origin with credentials: any program serving it on a user's \
                     machine (another dev server, a local app) can read their credentialed \
                     responses",
                    "keep loopback origins in development configurations",
                ));
            }
        }
    }
    if config.allow_private_network && config.allowed_origins.iter().any(|o| o.trim() == "*") {
        warnings.push(ConfigWarning::new(
            key::allow_private_network,
            Some("true"),
            "with \"*\" origins, any public website can reach this private-network server \
             through its visitors' browsers",
            "list the origins that need private network access",
        ));
    }
    if let Some(seconds) = config.max_age.filter(|seconds| *seconds > 7200) {
        warnings.push(ConfigWarning::new(
            key::max_age,
            Some(&seconds.to_string()),
            "Chromium caps the preflight cache at 7200 seconds, so Chromium browsers preflight \
             again after 2 hours",
            "use 7200 or less, unless the longer lifetime is for Firefox",
        ));
    }
    for (i, raw) in config.expose_headers.iter().enumerate() {
        let name = raw.trim().to_ascii_lowercase();
        if SAFELISTED_RESPONSE_HEADERS.contains(&name.as_str()) {
            warnings.push(ConfigWarning::new(
                at(key::expose_headers, i),
                Some(raw),
                "scripts can always read this response header, so exposing it changes nothing",
                "remove it",
            ));
        }
    }
    for (i, raw) in config.allowed_headers.iter().enumerate() {
        let name = raw.trim().to_ascii_lowercase();
        if matches!(
            name.as_str(),
            "accept" | "accept-language" | "content-language"
        ) {
            warnings.push(ConfigWarning::new(
                at(key::allowed_headers, i),
                Some(raw),
                "browsers send this request header without asking (for the short, plain values \
                 they use), so allowing it usually changes nothing",
                "remove it",
            ));
        }
    }
    crate::cross_origin::advise(config, warnings);
}

/// Whether the wildcard's domain is a public suffix, or has a wildcard public-suffix rule right
/// below it (`*.kawasaki.jp`). Named suffixes deeper down (`s3.amazonaws.com` below
/// `amazonaws.com`) cannot be listed from the suffix list; matching guards against those.
fn covers_public_suffix(pattern: &Pattern) -> bool {
    let Some(domain) = pattern.wildcard_domain() else {
        return false;
    };
    let is_suffix = |name: &[u8]| {
        psl::suffix(name).is_some_and(|suffix| suffix.is_known() && suffix.as_bytes() == name)
    };
    is_suffix(domain.as_bytes()) || is_suffix(format!("tower-cors-probe.{domain}").as_bytes())
}

fn check_regexes(
    config: &CorsConfig,
    origins: &mut OriginMatcher,
    errors: &mut Vec<ConfigError>,
    warnings: &mut Vec<ConfigWarning>,
) {
    const KEY: &str = key::allowed_origin_regexes;
    if config.allowed_origin_regexes.is_empty() {
        return;
    }
    #[cfg(not(feature = "regex"))]
    {
        let _ = (origins, warnings);
        errors.push(ConfigError::new(
            Kind::RegexDisabled,
            KEY,
            None,
            "regular-expression origins need the `regex` feature, which is disabled",
            "enable the `regex` feature of tower-cors, or use origin patterns instead",
        ));
    }
    #[cfg(feature = "regex")]
    {
        use crate::policy::origin::regex::{compile_one, compile_set};
        let mut all_compile = true;
        for (i, pattern) in config.allowed_origin_regexes.iter().enumerate() {
            let location = at(KEY, i);
            let regex = match compile_one(pattern) {
                Ok(regex) => regex,
                Err(problem) => {
                    all_compile = false;
                    errors.push(ConfigError::new(
                        Kind::InvalidRegex,
                        location,
                        Some(pattern),
                        problem,
                        "fix the expression; it must match a whole origin, such as \
                         https://pr-[0-9]+\\.preview\\.example\\.com",
                    ));
                    continue;
                }
            };
            if regex.is_match("null") {
                if config.dangerously_allow_null_origin {
                    // Regexes only see valid scheme://host origins, so `null` is allowed by
                    // listing it.
                    warnings.push(opted_in(
                        location,
                        pattern,
                        key::dangerously_allow_null_origin,
                    ));
                    origins.add_exact("null");
                } else {
                    errors.push(ConfigError::new(
                        Kind::NullOrigin,
                        location,
                        Some(pattern),
                        "it matches \"null\", which any page can send from a sandboxed iframe",
                        "make it match only scheme://host origins",
                    ));
                }
            }
            check_regex_findings(config, location, pattern, &regex, errors, warnings);
        }
        if all_compile {
            match compile_set(&config.allowed_origin_regexes) {
                Ok(set) => origins.set_regexes(set, &config.allowed_origin_regexes),
                Err(problem) => errors.push(ConfigError::new(
                    Kind::InvalidRegex,
                    KEY,
                    None,
                    problem,
                    "use fewer or simpler expressions, or origin patterns",
                )),
            }
        }
    }
}

/// Refuses or warns about what a regex lets in that its owner does not control; see
/// `regex_audit.rs`. An alternative whose host is not pinned to a domain is refused with
/// credentials (browsers would send them to any site that registers a matching name) and with
/// cross-origin protection (such sites could post to the server, as with `*`), and is a warning
/// otherwise. Plain-http matches count only with credentials, as for exact entries; each opt-in
/// that covers exact entries and patterns covers regexes too.
#[cfg(feature = "regex")]
fn check_regex_findings(
    config: &CorsConfig,
    location: At,
    pattern: &str,
    regex: &regex::Regex,
    errors: &mut Vec<ConfigError>,
    warnings: &mut Vec<ConfigWarning>,
) {
    use crate::validate::regex_audit::{audit, Finding, UnpinnedFinding};
    use crate::validate::regex_structure::MAX_ALTERNATIVES;
    let credentials = config.allow_credentials;
    let protection = config.cross_origin_protection;
    let error = |kind, problem: String, fix: String| {
        ConfigError::new(kind, location, Some(pattern), problem, fix)
    };
    let warning =
        |problem: String, fix: String| ConfigWarning::new(location, Some(pattern), problem, fix);
    for finding in audit(pattern, regex) {
        match finding {
            Finding::Insecure { .. } if !credentials => {}
            Finding::Insecure { .. } if config.dangerously_allow_insecure_origins => {
                warnings.push(opted_in(
                    location,
                    pattern,
                    key::dangerously_allow_insecure_origins,
                ));
            }
            Finding::Insecure {
                alternative,
                origin,
                fix,
            } => errors.push(error(
                Kind::InsecureOriginWithCredentials,
                format!(
                    "{} the plain-http origin {origin:?}; with credentials, a plain-http origin \
                     lets anyone on the network path rewrite its page and read your users' data",
                    subject(alternative.as_deref(), 0, "matches")
                ),
                format!(
                    "match https only, such as {fix}; if you accept the risk, set \
                     dangerously_allow_insecure_origins"
                ),
            )),
            Finding::TooManyAlternatives => {
                let problem = format!(
                    "it has more than {MAX_ALTERNATIVES} alternatives once its groups and \
                     optional parts are expanded, too many to check that each keeps to your own \
                     domain"
                );
                let fix = "split it into several expressions, or use origin patterns such as \
                           https://**.example.com"
                    .to_owned();
                if credentials || protection {
                    errors.push(error(Kind::InvalidRegex, problem, fix));
                } else {
                    warnings.push(warning(problem, fix));
                }
            }
            Finding::Unpinned(finding) => {
                let UnpinnedFinding { suffix, .. } = &finding;
                let opted_in_suffix =
                    suffix.is_some() && config.dangerously_allow_public_suffix_wildcards;
                let example = if finding.fix.contains(r"example\.") {
                    " with your own domain in place of example"
                } else {
                    ""
                };
                let pin = format!(
                    "keep every alternative to your own domain: end the host with it right after \
                     a dot or after ://, escape each dot, and let only a port follow, such as {}{example}",
                    finding.fix
                );
                if credentials && opted_in_suffix {
                    warnings.push(opted_in(
                        location,
                        pattern,
                        key::dangerously_allow_public_suffix_wildcards,
                    ));
                } else if credentials {
                    let kind = if suffix.is_some() {
                        Kind::PublicSuffixWildcardWithCredentials
                    } else {
                        Kind::AnyOriginWithCredentials
                    };
                    let opt_in = if suffix.is_some() {
                        "; if you accept the risk, set dangerously_allow_public_suffix_wildcards"
                    } else {
                        ""
                    };
                    errors.push(error(
                        kind,
                        unpinned_problem(&finding, "read your users' data with credentials"),
                        format!("{pin}{opt_in}"),
                    ));
                }
                if protection && !opted_in_suffix {
                    errors.push(error(
                        Kind::CrossOriginProtectionWithAnyOrigin,
                        unpinned_problem(
                            &finding,
                            "send this server cross-origin posts and WebSocket handshakes, \
                             which cross_origin_protection is on to refuse",
                        ),
                        format!("{pin}; or turn cross_origin_protection off"),
                    ));
                } else if !credentials {
                    warnings.push(warning(
                        unpinned_problem(&finding, "read your responses"),
                        pin,
                    ));
                }
            }
        }
    }
}

/// What an unpinned alternative lets in, and what the site that registers it can then do.
#[cfg(feature = "regex")]
fn unpinned_problem(finding: &crate::validate::regex_audit::UnpinnedFinding, then: &str) -> String {
    let alternative = finding.alternative.as_deref();
    match (&finding.origin, &finding.suffix) {
        (Some(origin), _) if finding.any_domain => format!(
            "{} origins on any domain, such as {origin:?}, whose pages could {then}",
            subject(alternative, finding.others, "matches")
        ),
        (Some(origin), Some(suffix)) => format!(
            "{} {origin:?}: {suffix:?} is a public suffix, so anyone can register a name under \
             it and {then}",
            subject(alternative, finding.others, "lets in")
        ),
        (Some(origin), None) => format!(
            "{} {origin:?}, {}, whose pages could {then}",
            subject(alternative, finding.others, "lets in"),
            if crate::validate::regex_audit::under_known_suffix(origin) {
                "a domain anyone can register"
            } else {
                "a host outside your domain"
            }
        ),
        (None, _) => format!(
            "{} keep its host to a domain you own, so it lets in hosts elsewhere, whose pages \
             could {then}",
            subject(alternative, finding.others, "does not")
        ),
    }
}

/// `it VERB`, or `its alternative A (and N more like it) VERB` when the expression has several.
#[cfg(feature = "regex")]
fn subject(alternative: Option<&str>, others: usize, verb: &str) -> String {
    match (alternative, others) {
        (None, _) => format!("it {verb}"),
        (Some(alternative), 0) => format!("its alternative {alternative} {verb}"),
        (Some(alternative), others) => {
            format!("its alternative {alternative} (and {others} more like it) {verb}")
        }
    }
}

/// `(rule, list sent when a preflight asks for a method not allowed)`.
fn check_methods(
    config: &CorsConfig,
    errors: &mut Vec<ConfigError>,
) -> (MethodRule, Option<HeaderValue>) {
    const KEY: &str = key::allowed_methods;
    let mut rule = MethodRule::default();
    let mut names: Vec<String> = Vec::new();
    for (i, raw) in config.allowed_methods.iter().enumerate() {
        let method = raw.trim();
        if method == "*" {
            rule.any = true;
            continue;
        }
        if !is_token(method.as_bytes()) {
            errors.push(ConfigError::new(
                Kind::InvalidMethod,
                at(KEY, i),
                Some(raw),
                "it is not a valid method name",
                "write a method such as \"PUT\", with letters, digits and no spaces",
            ));
            continue;
        }
        if ["CONNECT", "TRACE", "TRACK"]
            .iter()
            .any(|forbidden| method.eq_ignore_ascii_case(forbidden))
        {
            errors.push(ConfigError::new(
                Kind::ForbiddenMethod,
                at(KEY, i),
                Some(raw),
                "browsers never let scripts send it",
                "remove it",
            ));
            continue;
        }
        // Fetch uppercases these six when a script names them in any case; every other method
        // keeps its case and is compared byte for byte.
        let normalized = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]
            .iter()
            .find(|m| method.eq_ignore_ascii_case(m))
            .map_or_else(|| method.to_owned(), |m| (*m).to_owned());
        if !names.contains(&normalized) {
            names.push(normalized);
        }
    }
    rule.listed = names.iter().map(|m| m.as_bytes().into()).collect();
    let list = if rule.any && !config.allow_credentials {
        Some(HeaderValue::from_static("*"))
    } else {
        join(names.iter().map(String::as_str))
    };
    (rule, list)
}

/// `(rule, value sent for a `*` policy and when a preflight asks for a header not allowed)`.
fn check_request_headers(
    config: &CorsConfig,
    errors: &mut Vec<ConfigError>,
) -> (HeaderRule, Option<HeaderValue>) {
    const KEY: &str = key::allowed_headers;
    let mut rule = HeaderRule::default();
    let mut names = Vec::new();
    for (i, raw) in config.allowed_headers.iter().enumerate() {
        let name = raw.trim().to_ascii_lowercase();
        if name == "*" {
            rule.any = true;
            continue;
        }
        if !is_token(name.as_bytes()) {
            errors.push(invalid_header_name(at(KEY, i), raw));
            continue;
        }
        if is_forbidden_request_header(&name) {
            errors.push(ConfigError::new(
                Kind::ForbiddenRequestHeader,
                at(KEY, i),
                Some(raw),
                "browsers never let scripts set it, so allowing it has no effect",
                "remove it",
            ));
            continue;
        }
        if name.starts_with("access-control-") {
            errors.push(ConfigError::new(
                Kind::MisplacedHeader,
                at(KEY, i),
                Some(raw),
                "it is a response header the server sends, not a header requests carry",
                "remove it: the layer sends the Access-Control-* response headers itself",
            ));
            continue;
        }
        names.push(name);
    }
    names.sort();
    names.dedup();
    let list = if rule.any && !config.allow_credentials {
        join(std::iter::once("*").chain(names.iter().map(String::as_str)))
    } else {
        join(names.iter().map(String::as_str))
    };
    rule.listed = names.into_iter().map(String::into_boxed_str).collect();
    rule.trie = NameTrie::new(rule.listed.iter().map(|name| &**name));
    (rule, list)
}

fn invalid_header_name(location: At, raw: &str) -> ConfigError {
    ConfigError::new(
        Kind::InvalidHeaderName,
        location,
        Some(raw),
        "it is not a valid header name",
        "write a name such as \"x-request-id\": letters, digits and '-', no spaces or colons",
    )
}

fn check_expose_headers(config: &CorsConfig, errors: &mut Vec<ConfigError>) -> Option<HeaderValue> {
    const KEY: &str = key::expose_headers;
    let mut any = false;
    let mut names = Vec::new();
    for (i, raw) in config.expose_headers.iter().enumerate() {
        let name = raw.trim().to_ascii_lowercase();
        if name == "*" {
            if config.allow_credentials {
                errors.push(ConfigError::new(
                    Kind::AnyExposedHeaderWithCredentials,
                    at(KEY, i),
                    Some(raw),
                    "with credentials, browsers read \"*\" as a header literally named \"*\", \
                     so it exposes nothing",
                    "list the response headers scripts need, such as \"x-request-id\"",
                ));
            }
            any = true;
            continue;
        }
        if !is_token(name.as_bytes()) {
            errors.push(invalid_header_name(at(KEY, i), raw));
            continue;
        }
        if name == "set-cookie" || name == "set-cookie2" {
            errors.push(ConfigError::new(
                Kind::ForbiddenExposedHeader,
                at(KEY, i),
                Some(raw),
                "browsers never let scripts read it, whatever the server says",
                "remove it",
            ));
            continue;
        }
        if name.starts_with("access-control-request-") || name == "origin" {
            errors.push(ConfigError::new(
                Kind::MisplacedHeader,
                at(KEY, i),
                Some(raw),
                "it is a request header, never part of a response",
                "remove it",
            ));
            continue;
        }
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let star = any.then_some("*");
    join(star.into_iter().chain(names.iter().map(String::as_str)))
}

fn check_max_age(config: &CorsConfig, errors: &mut Vec<ConfigError>) -> Option<HeaderValue> {
    let seconds = config.max_age?;
    if !(0..=MAX_AGE_LIMIT).contains(&seconds) {
        errors.push(ConfigError::new(
            Kind::MaxAgeOutOfRange,
            key::max_age,
            Some(&seconds.to_string()),
            "it is not a number of seconds from 0 to 86400",
            "browsers cap it anyway (Chromium at 7200, Firefox at 86400): use a value such as \
             7200, or 0 to turn preflight caching off",
        ));
        return None;
    }
    Some(HeaderValue::from(seconds))
}
