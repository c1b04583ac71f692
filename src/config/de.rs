//! `Deserialize` for [`CorsConfig`], written out rather than derived so that an unknown key gets
//! the closest known one suggested, wherever the configuration is nested.

use std::fmt;

use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};

use super::fields::{closest, KEYS};
use super::CorsConfig;

impl<'de> Deserialize<'de> for CorsConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ConfigVisitor)
    }
}

struct ConfigVisitor;

impl<'de> Visitor<'de> for ConfigVisitor {
    type Value = CorsConfig;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table of CORS settings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CorsConfig, A::Error> {
        let mut config = CorsConfig::default();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            match key {
                "allowed_origins" => config.allowed_origins = map.next_value::<List>()?.0,
                "allowed_origin_regexes" => {
                    config.allowed_origin_regexes = map.next_value::<List>()?.0;
                }
                "allowed_methods" => config.allowed_methods = map.next_value::<List>()?.0,
                "allowed_headers" => config.allowed_headers = map.next_value::<List>()?.0,
                "expose_headers" => config.expose_headers = map.next_value::<List>()?.0,
                "presets" => config.presets = map.next_value::<List>()?.0,
                "cross_origin_exempt_paths" => {
                    config.cross_origin_exempt_paths = map.next_value::<List>()?.0;
                }
                "max_age" => config.max_age = map.next_value()?,
                "allow_credentials" => config.allow_credentials = map.next_value()?,
                "allow_private_network" => config.allow_private_network = map.next_value()?,
                "cross_origin_protection" => config.cross_origin_protection = map.next_value()?,
                "strict" => config.strict = map.next_value()?,
                "debug" => config.debug = map.next_value()?,
                "record_all_decisions" => config.record_all_decisions = map.next_value()?,
                "dangerously_allow_null_origin" => {
                    config.dangerously_allow_null_origin = map.next_value()?;
                }
                "dangerously_allow_insecure_origins" => {
                    config.dangerously_allow_insecure_origins = map.next_value()?;
                }
                "dangerously_allow_public_suffix_wildcards" => {
                    config.dangerously_allow_public_suffix_wildcards = map.next_value()?;
                }
                other => return Err(A::Error::custom(unknown_key(other))),
            }
        }
        Ok(config)
    }
}

/// A known key. An unknown one is refused while the key itself is read, so that loaders which
/// track paths (figment, toml) place the error at the key and its source, not at the table.
struct Key(&'static str);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CORS setting's key")
    }

    fn visit_bytes<E: Error>(self, key: &[u8]) -> Result<Key, E> {
        self.visit_str(&String::from_utf8_lossy(key))
    }

    fn visit_str<E: Error>(self, key: &str) -> Result<Key, E> {
        KEYS.iter()
            .find(|(known, _)| *known == key)
            .map(|(known, _)| Key(known))
            .ok_or_else(|| E::custom(unknown_key(key)))
    }
}

fn unknown_key(key: &str) -> String {
    match closest(key, KEYS.iter().map(|(k, _)| *k)) {
        Some(suggestion) => format!("unknown key `{key}`; did you mean `{suggestion}`?"),
        None => {
            let keys: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
            format!("unknown key `{key}`; the keys are {}", keys.join(", "))
        }
    }
}

/// A list of strings, or one string standing for a one-element list (`"*"`).
struct List(Vec<String>);

impl<'de> Deserialize<'de> for List {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ListVisitor)
    }
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = List;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings, or the string \"*\"")
    }

    fn visit_str<E: Error>(self, s: &str) -> Result<List, E> {
        Ok(List(vec![s.to_owned()]))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element::<String>()? {
            items.push(item);
        }
        Ok(List(items))
    }
}
