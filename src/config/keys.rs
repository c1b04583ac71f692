//! The one table of configuration keys. `CorsConfig`'s fields are declared through
//! [`config_keys!`], once each, with how a key's value is written in an environment variable and
//! whether the TOML form of a configuration always shows it; the struct, the table [`KEYS`], the
//! names in [`key`], the environment loader's setter, the TOML printer and the `Deserialize`
//! visitor are generated from that one declaration, so a key cannot be spelled two ways.

// Each loader (features `serde`, `toml`, `env`) reads its part of the table; with some of them
// off, parts are unread.
#![cfg_attr(not(all(feature = "serde", feature = "env")), allow(dead_code))]

/// The prefix of the environment variables when a loader is given none.
pub(crate) const DEFAULT_PREFIX: &str = "CORS_";

/// `name (CORS_NAME)`: a key as a TOML file and the environment name it, for fix texts.
pub(crate) fn named(name: &str) -> String {
    format!("{name} ({DEFAULT_PREFIX}{})", name.to_ascii_uppercase())
}

/// `name = value (CORS_NAME=value)`: a setting as a TOML file and the environment write it, for
/// fix texts.
pub(crate) fn setting(name: &str, value: &str) -> String {
    format!(
        "{name} = {value} ({DEFAULT_PREFIX}{}={value})",
        name.to_ascii_uppercase()
    )
}

/// How a key's value is written in an environment variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Comma-separated.
    List,
    /// Separated by whitespace: regular expressions may contain commas.
    Regexes,
    Bool,
    Seconds,
}

/// When the TOML form of a configuration shows a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shown {
    /// Always: the contract's keys.
    Always,
    /// Only when it differs from its default: the opt-ins and extras.
    WhenSet,
}

/// One configuration key.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Key {
    /// The TOML key and the field's name; the environment variable is the prefix and this in
    /// upper case.
    pub(crate) name: &'static str,
    pub(crate) shape: Shape,
    #[cfg_attr(not(test), allow(dead_code))] // the TOML printer reads it through the macro
    pub(crate) shown: Shown,
}

impl Key {
    /// The environment variable that sets this key under `prefix` (`CORS_MAX_AGE`).
    pub(crate) fn variable(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.name.to_ascii_uppercase())
    }
}

/// The key named `name`, if there is one.
pub(crate) fn find(name: &str) -> Option<&'static Key> {
    super::KEYS.iter().find(|key| key.name == name)
}

/// Every key's name, in the table's order.
pub(crate) fn names() -> impl Iterator<Item = &'static str> + Clone {
    super::KEYS.iter().map(|key| key.name)
}

/// A value of one key's type, as each way in reads it and the TOML printer writes it.
pub(crate) trait KeyValue: Sized {
    /// The value written as TOML, or `None` when `shown` leaves it out.
    fn to_toml(&self, shown: Shown) -> Option<String>;
}

impl KeyValue for Vec<String> {
    fn to_toml(&self, shown: Shown) -> Option<String> {
        if shown == Shown::WhenSet && self.is_empty() {
            return None;
        }
        let quoted: Vec<String> = self.iter().map(|item| crate::error::quoted(item)).collect();
        Some(format!("[{}]", quoted.join(", ")))
    }
}

impl KeyValue for bool {
    fn to_toml(&self, shown: Shown) -> Option<String> {
        (shown == Shown::Always || *self).then(|| self.to_string())
    }
}

impl KeyValue for Option<i64> {
    fn to_toml(&self, _: Shown) -> Option<String> {
        self.map(|seconds| seconds.to_string())
    }
}

/// A value read from an environment variable, in its key's shape.
#[cfg(feature = "env")]
pub(crate) enum Value {
    List(Vec<String>),
    Bool(bool),
    Seconds(i64),
}

/// Storing an environment variable's value in a field of the key's type.
#[cfg(feature = "env")]
pub(crate) trait SetFrom {
    fn set_from(&mut self, value: Value);
}

#[cfg(feature = "env")]
impl SetFrom for Vec<String> {
    fn set_from(&mut self, value: Value) {
        if let Value::List(list) = value {
            *self = list;
        }
    }
}

#[cfg(feature = "env")]
impl SetFrom for bool {
    fn set_from(&mut self, value: Value) {
        if let Value::Bool(value) = value {
            *self = value;
        }
    }
}

#[cfg(feature = "env")]
impl SetFrom for Option<i64> {
    fn set_from(&mut self, value: Value) {
        if let Value::Seconds(seconds) = value {
            *self = Some(seconds);
        }
    }
}

/// Declares `CorsConfig` and everything read from its keys. Each field is written
/// `name: Type = Shape, Shown;` under its doc comment.
macro_rules! config_keys {
    (
        $(#[$meta:meta])*
        pub struct $config:ident {
            $(
                $(#[doc = $doc:literal])*
                $field:ident: $ty:ty = $shape:ident, $shown:ident;
            )*
        }
    ) => {
        $(#[$meta])*
        pub struct $config {
            $(
                $(#[doc = $doc])*
                pub $field: $ty,
            )*
            /// Where each value came from, so that errors name the variable or file; not part
            /// of the configuration's value.
            pub(crate) sources: Sources,
        }

        /// Every key, in the order of the fields and of the TOML form.
        #[cfg_attr(not(all(feature = "serde", feature = "env")), allow(dead_code))]
        pub(crate) const KEYS: &[keys::Key] = &[
            $(keys::Key {
                name: stringify!($field),
                shape: keys::Shape::$shape,
                shown: keys::Shown::$shown,
            },)*
        ];

        /// Each key's name, for code that names one key: a misspelt name does not compile.
        #[allow(non_upper_case_globals, dead_code)]
        pub(crate) mod key {
            $(pub(crate) const $field: &str = stringify!($field);)*
        }

        impl $config {
            /// Every key with its value written as TOML, in the table's order; `None` for a key
            /// the TOML form leaves out, unless `every_key` asks for all of them (an unset
            /// `max_age` stays `None`).
            pub(crate) fn toml_entries(&self, every_key: bool) -> Vec<(&'static str, Option<String>)> {
                vec![$((
                    stringify!($field),
                    keys::KeyValue::to_toml(
                        &self.$field,
                        if every_key { keys::Shown::Always } else { keys::Shown::$shown },
                    ),
                ),)*]
            }

            /// Sets the key named `name` from an environment variable's value, read in that
            /// key's shape.
            #[cfg(feature = "env")]
            pub(crate) fn set(&mut self, name: &str, value: keys::Value) {
                match name {
                    $(stringify!($field) => keys::SetFrom::set_from(&mut self.$field, value),)*
                    _ => {}
                }
            }

            /// Reads the value of the key named `name` from a map being deserialized.
            #[cfg(feature = "serde")]
            fn read_value<'de, A: serde::de::MapAccess<'de>>(
                &mut self,
                name: &str,
                map: &mut A,
            ) -> Result<(), A::Error> {
                match name {
                    $(stringify!($field) => self.$field = de::next_value(map)?,)*
                    _ => {}
                }
                Ok(())
            }
        }
    };
}

pub(crate) use config_keys;

/// The known name closest to `name`, if it is close enough to be a likely typo.
#[cfg(any(feature = "serde", feature = "env"))]
pub(crate) fn closest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|candidate| {
            (
                crate::edit_distance::edit_distance(name, candidate),
                candidate,
            )
        })
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CorsConfig;

    #[test]
    #[cfg(any(feature = "serde", feature = "env"))]
    fn closest_suggests_likely_typos_only() {
        assert_eq!(closest("allowed_origin", names()), Some("allowed_origins"));
        assert_eq!(
            closest("allow_credential", names()),
            Some("allow_credentials")
        );
        assert_eq!(closest("maxage", names()), Some("max_age"));
        assert_eq!(closest("port", names()), None);
    }

    #[test]
    fn fix_texts_name_a_key_as_the_file_and_the_environment_write_it() {
        assert_eq!(
            named(crate::config::key::allowed_methods),
            "allowed_methods (CORS_ALLOWED_METHODS)"
        );
        assert_eq!(
            setting(crate::config::key::cross_origin_protection, "true"),
            "cross_origin_protection = true (CORS_CROSS_ORIGIN_PROTECTION=true)"
        );
    }

    #[test]
    fn every_key_is_printed_in_the_table_order_and_shown_as_declared() {
        let printed: Vec<&str> = CorsConfig::default()
            .toml_entries(false)
            .iter()
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(printed, names().collect::<Vec<_>>());
        let always: Vec<&str> = CorsConfig::default()
            .toml_entries(false)
            .iter()
            .filter(|(_, value)| value.is_some())
            .map(|(name, _)| *name)
            .collect();
        let declared: Vec<&str> = super::super::KEYS
            .iter()
            .filter(|key| key.shown == Shown::Always)
            .map(|key| key.name)
            .collect();
        assert_eq!(always, declared);
    }
}
