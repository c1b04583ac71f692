//! The configuration's keys and their shapes. The TOML and environment loaders share this table,
//! so a key can never be spelled two ways.

#[cfg(feature = "env")]
use super::CorsConfig;

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

/// Every key, in the order of [`CorsConfig`]'s fields and of validation's error list.
pub(crate) const KEYS: [(&str, Shape); 17] = [
    ("allowed_origins", Shape::List),
    ("allowed_origin_regexes", Shape::Regexes),
    ("allow_credentials", Shape::Bool),
    ("allowed_methods", Shape::List),
    ("allowed_headers", Shape::List),
    ("expose_headers", Shape::List),
    ("max_age", Shape::Seconds),
    ("allow_private_network", Shape::Bool),
    ("cross_origin_protection", Shape::Bool),
    ("cross_origin_exempt_paths", Shape::List),
    ("strict", Shape::Bool),
    ("debug", Shape::Bool),
    ("record_all_decisions", Shape::Bool),
    ("presets", Shape::List),
    ("dangerously_allow_null_origin", Shape::Bool),
    ("dangerously_allow_insecure_origins", Shape::Bool),
    ("dangerously_allow_public_suffix_wildcards", Shape::Bool),
];

/// A parsed value for one key.
#[cfg(feature = "env")]
pub(crate) enum Value {
    List(Vec<String>),
    Bool(bool),
    Seconds(i64),
}

#[cfg(feature = "env")]
impl CorsConfig {
    /// Sets one key; `key` comes from [`KEYS`] and `value` has its shape.
    pub(crate) fn set(&mut self, key: &str, value: Value) {
        match (key, value) {
            ("allowed_origins", Value::List(list)) => self.allowed_origins = list,
            ("allowed_origin_regexes", Value::List(list)) => self.allowed_origin_regexes = list,
            ("allowed_methods", Value::List(list)) => self.allowed_methods = list,
            ("allowed_headers", Value::List(list)) => self.allowed_headers = list,
            ("expose_headers", Value::List(list)) => self.expose_headers = list,
            ("presets", Value::List(list)) => self.presets = list,
            ("cross_origin_exempt_paths", Value::List(list)) => {
                self.cross_origin_exempt_paths = list;
            }
            ("max_age", Value::Seconds(seconds)) => self.max_age = Some(seconds),
            ("allow_credentials", Value::Bool(b)) => self.allow_credentials = b,
            ("allow_private_network", Value::Bool(b)) => self.allow_private_network = b,
            ("cross_origin_protection", Value::Bool(b)) => self.cross_origin_protection = b,
            ("strict", Value::Bool(b)) => self.strict = b,
            ("debug", Value::Bool(b)) => self.debug = b,
            ("record_all_decisions", Value::Bool(b)) => self.record_all_decisions = b,
            ("dangerously_allow_null_origin", Value::Bool(b)) => {
                self.dangerously_allow_null_origin = b;
            }
            ("dangerously_allow_insecure_origins", Value::Bool(b)) => {
                self.dangerously_allow_insecure_origins = b;
            }
            ("dangerously_allow_public_suffix_wildcards", Value::Bool(b)) => {
                self.dangerously_allow_public_suffix_wildcards = b;
            }
            _ => {}
        }
    }
}

/// The known name closest to `name`, if it is close enough to be a likely typo.
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

    #[test]
    fn closest_suggests_likely_typos_only() {
        let keys = KEYS.iter().map(|(key, _)| *key);
        assert_eq!(
            closest("allowed_origin", keys.clone()),
            Some("allowed_origins")
        );
        assert_eq!(
            closest("allow_credential", keys.clone()),
            Some("allow_credentials")
        );
        assert_eq!(closest("maxage", keys.clone()), Some("max_age"));
        assert_eq!(closest("port", keys), None);
    }
}
