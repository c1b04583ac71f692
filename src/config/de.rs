//! `Deserialize` for [`CorsConfig`], written out rather than derived so that an unknown key gets
//! the closest known one suggested, wherever the configuration is nested.

use std::fmt;

use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};

use super::keys::{self, closest};
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
            config.read_value(key, &mut map)?;
        }
        Ok(config)
    }
}

/// A value of one key's type, read from a map being deserialized.
pub(super) trait ReadValue: Sized {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error>;
}

impl ReadValue for Vec<String> {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error> {
        map.next_value::<List>().map(|list| list.0)
    }
}

impl ReadValue for bool {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error> {
        map.next_value()
    }
}

impl ReadValue for Option<i64> {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error> {
        map.next_value()
    }
}

/// The next value of `map`, read as the type of the key it belongs to.
pub(super) fn next_value<'de, A: MapAccess<'de>, T: ReadValue>(map: &mut A) -> Result<T, A::Error> {
    T::read(map)
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
        keys::find(key)
            .map(|known| Key(known.name))
            .ok_or_else(|| E::custom(unknown_key(key)))
    }
}

fn unknown_key(key: &str) -> String {
    match closest(key, keys::names()) {
        Some(suggestion) => format!("unknown key `{key}`; did you mean `{suggestion}`?"),
        None => {
            let names: Vec<&str> = keys::names().collect();
            format!("unknown key `{key}`; the keys are {}", names.join(", "))
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
