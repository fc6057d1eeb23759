//! Identifiers of a record in other datasets (`aos` for the Atlas of Surveillance row): a
//! map from a dataset's name to the record's id there, a JSON object in every form.
//!
//! Held as a list sorted by name, not a `BTreeMap`: a record has one or two, and a B-tree
//! map's first node is larger than the rest of the record (eleven keys and values, about
//! 540 bytes), so at a million records the map alone held a third of the catalog's memory.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExternalIds(Vec<(String, String)>);

impl ExternalIds {
    pub fn new() -> Self {
        Self::default()
    }

    /// The id in the named dataset.
    pub fn get(&self, name: &str) -> Option<&String> {
        self.find(name).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Sets the id in the named dataset, returning the one it replaces.
    pub fn insert(&mut self, name: String, id: String) -> Option<String> {
        match self.find(&name) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, id)),
            Err(i) => {
                self.0.insert(i, (name, id));
                None
            }
        }
    }

    /// By name.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As a map (what the API's types hold).
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.0.iter().cloned().collect()
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }
}

/// A later id for the same name replaces an earlier one, as in a map.
impl Extend<(String, String)> for ExternalIds {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, ids: I) {
        for (k, v) in ids {
            self.insert(k, v);
        }
        self.0.shrink_to_fit();
    }
}

impl FromIterator<(String, String)> for ExternalIds {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(ids: I) -> Self {
        let mut out = Self::new();
        out.extend(ids);
        out
    }
}

impl IntoIterator for ExternalIds {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<const N: usize> From<[(String, String); N]> for ExternalIds {
    fn from(ids: [(String, String); N]) -> Self {
        ids.into_iter().collect()
    }
}

impl From<BTreeMap<String, String>> for ExternalIds {
    fn from(ids: BTreeMap<String, String>) -> Self {
        // Already in order and without repeats.
        let mut list: Vec<_> = ids.into_iter().collect();
        list.shrink_to_fit();
        Self(list)
    }
}

impl std::ops::Index<&str> for ExternalIds {
    type Output = String;

    fn index(&self, name: &str) -> &String {
        self.get(name)
            .unwrap_or_else(|| panic!("no external id named {name:?}"))
    }
}

impl Serialize for ExternalIds {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ExternalIds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Ids;
        impl<'de> Visitor<'de> for Ids {
            type Value = ExternalIds;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of ids by dataset")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ExternalIds, A::Error> {
                let mut ids = ExternalIds::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    ids.insert(k, v);
                }
                ids.0.shrink_to_fit();
                Ok(ids)
            }
        }
        d.deserialize_map(Ids)
    }
}

#[cfg(test)]
mod tests {
    use super::ExternalIds;
    use std::collections::BTreeMap;

    #[test]
    fn reads_and_writes_as_the_map_did() {
        let text = r#"{"sample":"S1","aos":"AOS1","aos":"AOS2","b":"x"}"#;
        let ids: ExternalIds = serde_json::from_str(text).unwrap();
        let map: BTreeMap<String, String> = serde_json::from_str(text).unwrap();
        assert_eq!(ids.to_map(), map);
        assert_eq!(
            serde_json::to_string(&ids).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        assert_eq!(ids.get("aos").map(String::as_str), Some("AOS2"));
        assert_eq!(ids["sample"], "S1");
        assert!(!ids.contains_key("c") && ids.len() == 3);
        assert_eq!(ExternalIds::from(map.clone()), ids);
    }

    #[test]
    fn extending_replaces_by_name_and_keeps_the_order() {
        let mut ids: ExternalIds = [("z".into(), "1".into()), ("a".into(), "2".into())].into();
        ids.extend([("m".to_string(), "3".to_string()), ("z".into(), "4".into())]);
        let names: Vec<_> = ids.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(names, ["a=2", "m=3", "z=4"]);
        assert!(serde_json::from_str::<ExternalIds>("[1]").is_err());
        assert!(serde_json::from_str::<ExternalIds>(r#"{"a":1}"#).is_err());
    }
}
