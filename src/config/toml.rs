//! Loading a configuration from TOML. Every key is checked on its own, so that every unknown key
//! and every value of the wrong type is reported at once, not just the first.

use std::path::Path;

use super::keys::{self, closest, Shape};
use super::loaded::Loaded;
use super::CorsConfig;
use crate::error::{ConfigError, ConfigErrorKind as Kind, ConfigErrors, Source};

impl CorsConfig {
    /// Reads a configuration from TOML text, with the keys listed in the crate's README.
    ///
    /// Unknown keys and values of the wrong type are all reported, each with its key; an unknown
    /// key gets the closest known one suggested.
    ///
    /// ```
    /// use tower_cors::CorsConfig;
    ///
    /// let config = CorsConfig::from_toml_str(r#"
    ///     allowed_origins = ["https://app.example.com", "http://localhost:*"]
    ///     allowed_methods = "*"
    ///     max_age = 600
    /// "#)?;
    /// assert_eq!(config.allowed_methods, ["*"]);
    ///
    /// let errors = CorsConfig::from_toml_str("allowed_origin = []\nmax_age = \"1h\"").unwrap_err();
    /// let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    /// assert_eq!(messages, [
    ///     "allowed_origin: unknown key; did you mean allowed_origins?",
    ///     "max_age: invalid type: string \"1h\", expected i64; write a whole number of \
    ///      seconds from 0 to 86400, such as 600",
    /// ]);
    /// # Ok::<(), tower_cors::ConfigErrors>(())
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigErrors> {
        load_str(text, None).into_config()
    }

    /// Reads a configuration from a TOML file. Errors name the file and the key
    /// (`cors.toml: allowed_origins[1]: ...`).
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Self, ConfigErrors> {
        load_file(path.as_ref(), None).into_config()
    }
}

/// Reads `path`. `named_by` is the variable that named the file, if any, which is where a
/// problem reading it is reported.
pub(crate) fn load_file(path: &Path, named_by: Option<&str>) -> Loaded {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => load_str(&text, Some(&shown)),
        Err(error) => {
            let (at, value) = match named_by {
                Some(variable) => (Source::Env(variable.to_owned()), Some(shown.as_str())),
                None => (Source::File(shown.clone()), None),
            };
            Loaded::failed(
                ConfigError::new(
                    Kind::Source,
                    "",
                    value,
                    format!("cannot read the file: {error}"),
                    "check the path and the file's permissions",
                )
                .locate(&at),
            )
        }
    }
}

pub(crate) fn load_str(text: &str, path: Option<&str>) -> Loaded {
    let locate = |error: ConfigError| match path {
        Some(path) => error.locate(&Source::File(path.to_owned())),
        None => error,
    };
    let table: toml::Table = match text.parse() {
        Ok(table) => table,
        Err(error) => {
            let position = error
                .span()
                .map(|span| line_and_column(text, span.start))
                .unwrap_or_default();
            return Loaded::failed(locate(ConfigError::new(
                Kind::Source,
                "",
                None,
                format!("{position}not valid TOML: {}", error.message()),
                "fix the syntax",
            )));
        }
    };
    let mut errors = Vec::new();
    let mut known = toml::Table::new();
    for (key, value) in table {
        let Some(&keys::Key {
            name: static_key,
            shape,
            ..
        }) = keys::find(&key)
        else {
            errors.push(locate(unknown_key(&key)));
            continue;
        };
        let mut single = toml::Table::new();
        single.insert(key.clone(), value.clone());
        if let Err(error) = toml::Value::Table(single).try_into::<CorsConfig>() {
            errors.push(locate(ConfigError::new(
                Kind::InvalidValue,
                static_key,
                None,
                error.message().trim().to_owned(),
                expected(shape),
            )));
            continue;
        }
        known.insert(key, value);
    }
    let mut config = toml::Value::Table(known)
        .try_into::<CorsConfig>()
        .unwrap_or_default();
    if let Some(path) = path {
        for key in keys::names() {
            config.sources.set(key, Source::File(path.to_owned()));
        }
    }
    Loaded {
        errors,
        ..Loaded::new(config)
    }
}

fn unknown_key(key: &str) -> ConfigError {
    let fix = match closest(key, keys::names()) {
        Some(suggestion) => format!("did you mean {suggestion}?"),
        None => format!(
            "the keys are {}",
            keys::names().collect::<Vec<_>>().join(", ")
        ),
    };
    ConfigError::unknown(key, "unknown key", fix)
}

fn expected(shape: Shape) -> &'static str {
    match shape {
        Shape::List | Shape::Regexes => {
            "write an array of strings, such as [\"https://app.example.com\"], or \"*\""
        }
        Shape::Bool => "write true or false",
        Shape::Seconds => "write a whole number of seconds from 0 to 86400, such as 600",
    }
}

fn line_and_column(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {column}: ")
}
