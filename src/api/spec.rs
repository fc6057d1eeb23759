//! The OpenAPI document as served and committed. poem-openapi writes one `paths` entry per
//! API struct, so a path served by two of them (reads in `agencies.rs`, writes in
//! `edits.rs`) appears twice in the JSON object: invalid, and most parsers keep only the
//! last. This merges duplicate keys, keeping the order of the document.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// JSON with objects as ordered key lists, so a round trip keeps the generator's order.
enum Ordered {
    Object(Vec<(String, Ordered)>),
    Array(Vec<Ordered>),
    Scalar(serde_json::Value),
}

impl Ordered {
    /// Adds `value` under `key`, merging two objects under one key member by member.
    fn insert(members: &mut Vec<(String, Ordered)>, key: String, value: Ordered) {
        match members.iter_mut().find(|(k, _)| *k == key) {
            Some((_, Ordered::Object(existing))) => match value {
                Ordered::Object(more) => {
                    for (k, v) in more {
                        Self::insert(existing, k, v);
                    }
                }
                other => *existing = vec![(key, other)],
            },
            Some((_, slot)) => *slot = value,
            None => members.push((key, value)),
        }
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut members = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Ordered>()? {
                    Ordered::insert(&mut members, k, v);
                }
                Ok(Ordered::Object(members))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = seq.next_element()? {
                    items.push(v);
                }
                Ok(Ordered::Array(items))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.into()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.into()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.into()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(serde_json::Value::Null))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Ordered::Object(members) => {
                let mut m = s.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            Ordered::Array(items) => items.serialize(s),
            Ordered::Scalar(v) => v.serialize(s),
        }
    }
}

impl Ordered {
    fn get_mut(&mut self, key: &str) -> Option<&mut Ordered> {
        match self {
            Ordered::Object(m) => m.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn has(&self, key: &str) -> bool {
        matches!(self, Ordered::Object(m) if m.iter().any(|(k, _)| k == key))
    }

    /// Marks a schema as admitting `null` (OpenAPI 3.0 `nullable`). A bare `$ref` ignores
    /// its siblings, so it is wrapped in `allOf` first.
    fn make_nullable(&mut self) {
        let Ordered::Object(m) = self else { return };
        if m.iter().any(|(k, _)| k == "nullable") {
            return;
        }
        if let Some(i) = m.iter().position(|(k, _)| k == "$ref") {
            let r = m.remove(i);
            m.insert(
                0,
                (
                    "allOf".into(),
                    Ordered::Array(vec![Ordered::Object(vec![r])]),
                ),
            );
        }
        m.push(("nullable".into(), Ordered::Scalar(true.into())));
    }

    /// poem-openapi writes an `Option<T>` field as a property left out of `required`, and
    /// answers `null` for `None` (unless the field skips it); OpenAPI 3.0 needs `nullable`
    /// for that. Every optional property of every object schema is marked so.
    fn mark_optional_nullable(&mut self) {
        match self {
            Ordered::Object(members) => {
                let required: Vec<String> = members
                    .iter()
                    .find(|(k, _)| k == "required")
                    .and_then(|(_, v)| match v {
                        Ordered::Array(items) => Some(
                            items
                                .iter()
                                .filter_map(|i| match i {
                                    Ordered::Scalar(serde_json::Value::String(s)) => {
                                        Some(s.clone())
                                    }
                                    _ => None,
                                })
                                .collect(),
                        ),
                        _ => None,
                    })
                    .unwrap_or_default();
                let is_object = members.iter().any(|(k, v)| {
                    k == "type" && matches!(v, Ordered::Scalar(serde_json::Value::String(t)) if t == "object")
                });
                for (k, v) in members.iter_mut() {
                    if k == "properties"
                        && is_object
                        && let Ordered::Object(props) = v
                    {
                        for (name, prop) in props.iter_mut() {
                            prop.mark_optional_nullable();
                            if !required.contains(name) {
                                prop.make_nullable();
                            }
                        }
                    } else {
                        v.mark_optional_nullable();
                    }
                }
            }
            Ordered::Array(items) => items.iter_mut().for_each(Ordered::mark_optional_nullable),
            Ordered::Scalar(_) => {}
        }
    }
}

/// `spec` with duplicate object keys merged and optional properties nullable, pretty-printed
/// as poem-openapi prints it.
pub fn merge_duplicate_keys(spec: &str) -> Result<String, serde_json::Error> {
    let mut doc: Ordered = serde_json::from_str(spec)?;
    if let Some(schemas) = doc.get_mut("components").and_then(|c| c.get_mut("schemas")) {
        schemas.mark_optional_nullable();
        // An OGC temporal interval is `[start, end]` with `null` for an open end.
        if let Some(items) = schemas
            .get_mut("TemporalExtent")
            .and_then(|t| t.get_mut("properties"))
            .and_then(|p| p.get_mut("interval"))
            .and_then(|i| i.get_mut("items"))
            .and_then(|i| i.get_mut("items"))
            && !items.has("$ref")
        {
            items.make_nullable();
        }
    }
    serde_json::to_string_pretty(&doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_written_twice_keeps_every_method_in_order() {
        let spec = r#"{"paths": {"/a": {"get": 1}, "/b": {"get": 2}, "/a": {"post": 3}}}"#;
        let merged: serde_json::Value =
            serde_json::from_str(&merge_duplicate_keys(spec).unwrap()).unwrap();
        assert_eq!(
            merged,
            serde_json::json!({"paths": {"/a": {"get": 1, "post": 3}, "/b": {"get": 2}}})
        );
        let text = merge_duplicate_keys(spec).unwrap();
        assert!(text.find("\"/a\"").unwrap() < text.find("\"/b\"").unwrap());
    }
}
