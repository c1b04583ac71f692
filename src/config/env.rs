//! Loading a configuration from environment variables: `CORS_ALLOWED_ORIGINS` and friends, or the
//! same names under another prefix, optionally on top of a TOML file named by `CORS_CONFIG`.

use std::ffi::OsString;

use super::fields::{closest, Shape, Value, KEYS};
use super::loaded::Loaded;
use super::CorsConfig;
use crate::error::{ConfigError, ConfigErrorKind as Kind, ConfigErrors, Source};
use crate::layer::CorsLayer;
use crate::warning::ConfigWarning;

/// The prefix of the variables [`CorsConfig::from_env`] reads: `CORS_`.
pub const DEFAULT_ENV_PREFIX: &str = "CORS_";

impl CorsConfig {
    /// Reads the `CORS_*` environment variables (see the crate's README for the table), on top of
    /// the TOML file named by `CORS_CONFIG` if it is set.
    ///
    /// Errors name the variable (`CORS_MAX_AGE: "1h": ...`). An unknown `CORS_*` variable is not
    /// an error, since a platform or another program may have set it: it is ignored, and the
    /// layer built from this configuration lists it among its
    /// [`warnings`](crate::CorsLayer::warnings), with the closest known name suggested.
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
    /// warnings.
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

impl CorsLayer {
    /// Reads and validates the `CORS_*` environment variables, reporting reading and validation
    /// problems together. See [`CorsConfig::from_env`]. Unknown `CORS_*` variables do not stop
    /// the layer from being built: [`warnings`](Self::warnings) lists them.
    pub fn from_env() -> Result<Self, ConfigErrors> {
        Self::from_env_prefixed(DEFAULT_ENV_PREFIX)
    }

    /// Like [`from_env`](Self::from_env), with another prefix.
    pub fn from_env_prefixed(prefix: &str) -> Result<Self, ConfigErrors> {
        load_env(prefix).into_layer()
    }

    /// Like [`from_env_prefixed`](Self::from_env_prefixed), reading the given (name, value) pairs.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// // A platform's own variable under the same prefix.
    /// let layer = CorsLayer::from_vars("CORS_", [
    ///     ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
    ///     ("CORS_ORIGIN", "*"),
    /// ])?;
    /// let warnings: Vec<String> = layer.warnings().iter().map(|w| w.to_string()).collect();
    /// assert_eq!(warnings, [
    ///     "CORS_ORIGIN: unknown variable, ignored; did you mean CORS_ALLOWED_ORIGINS?",
    /// ]);
    /// # Ok::<(), tower_cors::ConfigErrors>(())
    /// ```
    pub fn from_vars<I, K, V>(prefix: &str, vars: I) -> Result<Self, ConfigErrors>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        load_vars(prefix, strings(vars)).into_layer()
    }
}

type Var = (String, Result<String, OsString>);

fn strings<I, K, V>(vars: I) -> impl Iterator<Item = Var>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    vars.into_iter()
        .map(|(k, v)| (k.as_ref().to_owned(), Ok(v.as_ref().to_owned())))
}

/// Reads the process environment without panicking on values that are not Unicode.
fn load_env(prefix: &str) -> Loaded {
    let vars = std::env::vars_os().filter_map(|(name, value)| {
        let name = name.into_string().ok()?;
        Some((name, value.into_string()))
    });
    load_vars(prefix, vars)
}

fn load_vars(prefix: &str, vars: impl Iterator<Item = Var>) -> Loaded {
    let mut vars: Vec<(String, Result<String, OsString>)> = vars
        .filter(|(name, _)| name.starts_with(prefix) && name.len() > prefix.len())
        .collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    let config_var = format!("{prefix}CONFIG");
    let mut loaded = match vars.iter().find(|(name, _)| *name == config_var) {
        Some((_, Ok(path))) => load_file(&config_var, path),
        Some((_, Err(value))) => Loaded::failed(not_unicode(&config_var, value)),
        None => Loaded::new(CorsConfig::default()),
    };
    for (key, _) in KEYS {
        if loaded.config.sources.get(key).is_none() {
            let name = variable(prefix, key);
            loaded.config.sources.set(key, Source::Env(name));
        }
    }
    for (name, value) in &vars {
        if *name == config_var {
            continue;
        }
        let suffix = &name[prefix.len()..];
        let Some(&(key, shape)) = KEYS
            .iter()
            .find(|(key, _)| suffix == key.to_ascii_uppercase())
        else {
            loaded.config.sources.warn(unknown_variable(prefix, name));
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

fn variable(prefix: &str, key: &str) -> String {
    format!("{prefix}{}", key.to_ascii_uppercase())
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

/// A variable under the prefix that names no key: a warning, not an error, because the prefix is
/// not ours alone (a platform may set `CORS_ORIGIN` for its own proxy).
fn unknown_variable(prefix: &str, name: &str) -> ConfigWarning {
    let known: Vec<String> = KEYS
        .iter()
        .map(|(key, _)| variable(prefix, key))
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
