//! Loading a configuration from environment variables: `CORS_ALLOWED_ORIGINS` and friends, or the
//! same names under another prefix, optionally on top of a TOML file named by `CORS_CONFIG`.

use std::ffi::OsString;

use super::keys::{self, closest, Shape, Value};
use super::loaded::Loaded;
use super::CorsConfig;
use crate::error::{ConfigError, ConfigErrorKind as Kind, ConfigErrors, Source};
use crate::warning::ConfigWarning;

/// The prefix of the variables [`CorsConfig::from_env`] reads: `CORS_`.
pub const DEFAULT_ENV_PREFIX: &str = super::keys::DEFAULT_PREFIX;

impl CorsConfig {
    /// Reads the `CORS_*` environment variables (see the crate's README for the table), on top of
    /// the TOML file named by `CORS_CONFIG` if it is set.
    ///
    /// Errors name the variable (`CORS_MAX_AGE: "1h": ...`). An unknown `CORS_*` variable is not
    /// an error, since a platform or another program may have set it: it is ignored, and the
    /// layer built from this configuration lists it among its
    /// [`warnings`](crate::CorsLayer::warnings), with the closest known name suggested.
    ///
    /// Unless it is a likely typo of a known one: a name equal to a known variable but for case
    /// (`CORS_Max_Age`, `cors_max_age`), or within two single-character edits of one, compared
    /// after the prefix (`CORS_MAXAGE`, `CORS_CROSS_ORIGIN_PROTECTON`), is an error of kind
    /// [`UnknownKey`](crate::ConfigErrorKind::UnknownKey) that names the variable meant. Ignoring
    /// it would leave that setting at its default: a misspelt
    /// `CORS_CROSS_ORIGIN_PROTECTION=true` would run the server unprotected. The same holds
    /// under another prefix.
    pub fn from_env() -> Result<Self, ConfigErrors> {
        Self::from_env_prefixed(DEFAULT_ENV_PREFIX)
    }

    /// Like [`from_env`](Self::from_env), with another prefix: `MYAPP_CORS_` reads
    /// `MYAPP_CORS_ALLOWED_ORIGINS`, `MYAPP_CORS_CONFIG` and so on.
    pub fn from_env_prefixed(prefix: &str) -> Result<Self, ConfigErrors> {
        load_env(prefix).into_config()
    }

    /// Like [`from_env_prefixed`](Self::from_env_prefixed), reading the given (name, value) pairs
    /// instead of the process environment: for tests, and for configuration kept elsewhere.
    /// Pairs whose name lacks the prefix are ignored; unknown names under the prefix are
    /// warnings, or errors when they are likely typos of known ones (see
    /// [`from_env`](Self::from_env)).
    ///
    /// ```
    /// use tower_cors::{CorsConfig, CorsLayer};
    ///
    /// let config = CorsConfig::from_vars("CORS_", [
    ///     ("CORS_ALLOWED_ORIGINS", "https://app.example.com, http://localhost:*"),
    ///     ("CORS_ALLOW_CREDENTIALS", "true"),
    ///     ("PATH", "/usr/bin"),
    /// ])?;
    /// assert_eq!(config.allowed_origins, ["https://app.example.com", "http://localhost:*"]);
    /// assert!(config.allow_credentials);
    ///
    /// let errors = CorsLayer::from_vars("CORS_", [("CORS_MAX_AGE", "1h")]).unwrap_err();
    /// let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    /// assert_eq!(messages, [
    ///     "CORS_MAX_AGE: \"1h\": not a whole number of seconds; write a number from 0 to 86400, \
    ///      such as 600",
    ///     "CORS_ALLOWED_ORIGINS: no origin is allowed; list the origins of your frontends, such \
    ///      as \"https://app.example.com\"; to turn CORS off, leave the layer out",
    /// ]);
    ///
    /// let errors = CorsConfig::from_vars("CORS_", [
    ///     ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
    ///     ("CORS_CROSS_ORIGIN_PROTECTON", "true"),
    ///     ("CORS_Strict", "true"),
    /// ]).unwrap_err();
    /// let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    /// assert_eq!(messages, [
    ///     "CORS_CROSS_ORIGIN_PROTECTON: unknown variable, too close to a known name to be \
    ///      ignored; did you mean CORS_CROSS_ORIGIN_PROTECTION?",
    ///     "CORS_Strict: unknown variable: names are case-sensitive; write CORS_STRICT",
    /// ]);
    /// # Ok::<(), tower_cors::ConfigErrors>(())
    /// ```
    pub fn from_vars<I, K, V>(prefix: &str, vars: I) -> Result<Self, ConfigErrors>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        load_vars(prefix, strings(vars)).into_config()
    }
}

pub(crate) type Var = (String, Result<String, OsString>);

pub(crate) fn strings<I, K, V>(vars: I) -> impl Iterator<Item = Var>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    vars.into_iter()
        .map(|(k, v)| (k.as_ref().to_owned(), Ok(v.as_ref().to_owned())))
}

/// Reads the process environment without panicking on values that are not Unicode.
pub(crate) fn load_env(prefix: &str) -> Loaded {
    let vars = std::env::vars_os().filter_map(|(name, value)| {
        let name = name.into_string().ok()?;
        Some((name, value.into_string()))
    });
    load_vars(prefix, vars)
}

pub(crate) fn load_vars(prefix: &str, vars: impl Iterator<Item = Var>) -> Loaded {
    // Names under the prefix in another case are kept too, to be refused if they spell a known
    // variable (`cors_max_age`); otherwise they are another program's, and ignored.
    let mut vars: Vec<(String, Result<String, OsString>)> = vars
        .filter(|(name, _)| under_prefix(prefix, name, true))
        .collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    let config_var = format!("{prefix}CONFIG");
    let mut loaded = match vars.iter().find(|(name, _)| *name == config_var) {
        Some((_, Ok(path))) => load_file(&config_var, path),
        Some((_, Err(value))) => Loaded::failed(not_unicode(&config_var, value)),
        None => Loaded::new(CorsConfig::default()),
    };
    for key in super::KEYS {
        if loaded.config.sources.get(key.name).is_none() {
            let name = key.variable(prefix);
            loaded.config.sources.set(key.name, Source::Env(name));
        }
    }
    for (name, value) in &vars {
        if *name == config_var {
            continue;
        }
        let ours = under_prefix(prefix, name, false);
        let known = ours
            .then(|| {
                let suffix = &name[prefix.len()..];
                super::KEYS
                    .iter()
                    .find(|key| suffix == key.name.to_ascii_uppercase())
            })
            .flatten();
        let Some(&keys::Key {
            name: key, shape, ..
        }) = known
        else {
            match misspelt(prefix, name) {
                Some(error) => loaded.errors.push(error),
                None if ours => loaded.config.sources.warn(unknown_variable(prefix, name)),
                // Under the prefix in another case, and not close to a name of ours.
                None => {}
            }
            continue;
        };
        let value = match value {
            Ok(value) => value,
            Err(value) => {
                loaded.errors.push(not_unicode(name, value));
                continue;
            }
        };
        match parse(shape, value) {
            Ok(parsed) => {
                loaded.config.set(key, parsed);
                loaded.config.sources.set(key, Source::Env(name.clone()));
            }
            Err((problem, fix)) => loaded.errors.push(
                ConfigError::new(Kind::InvalidValue, key, Some(value), problem, fix)
                    .locate(&Source::Env(name.clone())),
            ),
        }
    }
    loaded
}

#[cfg(feature = "toml")]
fn load_file(variable: &str, path: &str) -> Loaded {
    super::toml::load_file(std::path::Path::new(path), Some(variable))
}

#[cfg(not(feature = "toml"))]
fn load_file(variable: &str, path: &str) -> Loaded {
    Loaded::failed(
        ConfigError::new(
            Kind::Source,
            "",
            Some(path),
            "reading a TOML file needs the `toml` feature, which is disabled",
            "enable the `toml` feature of tower-cors, or set the CORS_* variables instead",
        )
        .locate(&Source::Env(variable.to_owned())),
    )
}

fn parse(shape: Shape, value: &str) -> Result<Value, (&'static str, &'static str)> {
    match shape {
        Shape::List => Ok(Value::List(
            value
                .split(',')
                .map(str::trim)
                .filter(|entry| !entry.is_empty())
                .map(str::to_owned)
                .collect(),
        )),
        Shape::Regexes => Ok(Value::List(
            value.split_whitespace().map(str::to_owned).collect(),
        )),
        Shape::Bool => match value.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(("not a boolean", "write true or false (or 1 or 0)")),
        },
        Shape::Seconds => value.trim().parse().map(Value::Seconds).map_err(|_| {
            (
                "not a whole number of seconds",
                "write a number from 0 to 86400, such as 600",
            )
        }),
    }
}

/// Whether `name` is longer than `prefix` and starts with it, in any ASCII case when
/// `any_case` says so.
fn under_prefix(prefix: &str, name: &str, any_case: bool) -> bool {
    name.len() > prefix.len()
        && name.get(..prefix.len()).is_some_and(|start| {
            start == prefix || (any_case && start.eq_ignore_ascii_case(prefix))
        })
}

/// How many edits away from a known variable a name is taken for a misspelling of it.
const TYPO_DISTANCE: usize = 2;

/// A name under the prefix (in any case) that is not one of ours but is so close to one that it
/// is taken for a typo of it, and refused: left to be a warning, a misspelt
/// `CORS_CROSS_ORIGIN_PROTECTION=true` would run the server unprotected.
///
/// Close means equal but for ASCII case (`CORS_Max_Age`, `cors_max_age`), or within two
/// single-character edits of it (`CORS_MAXAGE`, `CORS_CROSS_ORIGIN_PROTECTON`). Names are
/// compared without the prefix, which they share (so a long prefix does not make every name
/// close), and after uppercasing. The shortest names of ours (`DEBUG`, `STRICT`, `CONFIG`) are
/// five letters or more, so two edits still leave most of a name in place, and another
/// program's name (`CORS_PROXY_URL`, `CORS_ORIGIN`, `CORS_ENABLED`) stays a warning. A name in
/// another case that is not close to ours is another program's, and is ignored.
fn misspelt(prefix: &str, name: &str) -> Option<ConfigError> {
    let suffix = name.get(prefix.len()..)?.to_ascii_uppercase();
    let (distance, meant) = known_suffixes()
        .filter_map(|known| {
            crate::edit_distance::edit_distance_within(
                suffix.as_bytes(),
                known.as_bytes(),
                TYPO_DISTANCE,
            )
            .map(|distance| (distance, known))
        })
        .min_by_key(|(distance, _)| *distance)?;
    let meant = format!("{prefix}{meant}");
    let (problem, fix) = if distance == 0 {
        (
            "unknown variable: names are case-sensitive",
            format!("write {meant}"),
        )
    } else {
        (
            "unknown variable, too close to a known name to be ignored",
            format!("did you mean {meant}?"),
        )
    };
    Some(ConfigError::unknown(name, problem, fix).locate(&Source::Env(name.to_owned())))
}

/// The names of our variables without the prefix, uppercase: the keys', then `CONFIG`.
fn known_suffixes() -> impl Iterator<Item = String> {
    keys::names()
        .map(str::to_ascii_uppercase)
        .chain(["CONFIG".to_owned()])
}

/// A variable under the prefix that names no key and is not close to one: a warning, not an
/// error, because the prefix is not ours alone (a platform may set `CORS_ORIGIN` for its own
/// proxy).
fn unknown_variable(prefix: &str, name: &str) -> ConfigWarning {
    let known: Vec<String> = super::KEYS
        .iter()
        .map(|key| key.variable(prefix))
        .chain([format!("{prefix}CONFIG")])
        .collect();
    let suggestion = closest(name, known.iter().map(String::as_str))
        .or_else(|| containing(&name[prefix.len()..], prefix, &known));
    let fix = match suggestion {
        Some(suggestion) => format!("did you mean {suggestion}?"),
        None => format!("the variables are {}", known.join(", ")),
    };
    ConfigWarning::new("", None, "unknown variable, ignored", fix)
        .locate(&Source::Env(name.to_owned()))
}

/// The first known variable (in the order of the keys, most used first) whose name contains
/// `word`, singular: other CORS libraries' names (`CORS_ORIGIN`, `CORS_HEADERS`, `CORS_METHODS`)
/// are too far from ours for a typo, but clearly mean one of them.
fn containing<'a>(word: &str, prefix: &str, known: &'a [String]) -> Option<&'a str> {
    let word = word.trim_end_matches(['S', 's']).to_ascii_uppercase();
    if word.len() < 3 {
        return None;
    }
    known
        .iter()
        .find(|name| name[prefix.len()..].contains(&word))
        .map(String::as_str)
}

fn not_unicode(name: &str, value: &OsString) -> ConfigError {
    ConfigError::new(
        Kind::InvalidValue,
        "",
        Some(&value.to_string_lossy()),
        "the value is not valid Unicode",
        "write it in UTF-8",
    )
    .locate(&Source::Env(name.to_owned()))
}
