//! The JSON the passes work on: objects as ordered key lists, so a round trip keeps the
//! generator's order, and a key written twice in one object is an error.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// JSON with objects as ordered key lists, so a round trip keeps the generator's order.
pub(super) enum Ordered {
    Object(Vec<(String, Ordered)>),
    Array(Vec<Ordered>),
    Scalar(serde_json::Value),
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
                let mut members: Vec<(String, Ordered)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Ordered>()? {
                    if members.iter().any(|(m, _)| *m == k) {
                        return Err(de::Error::custom(format!(
                            "`{k}` appears twice in one object (two API structs serving one path?)"
                        )));
                    }
                    members.push((k, v));
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
    pub(super) fn get_mut(&mut self, key: &str) -> Option<&mut Ordered> {
        match self {
            Ordered::Object(m) => m.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(super) fn has(&self, key: &str) -> bool {
        matches!(self, Ordered::Object(m) if m.iter().any(|(k, _)| k == key))
    }

    pub(super) fn set(&mut self, key: &str, value: Ordered) {
        if let Ordered::Object(m) = self {
            match m.iter_mut().find(|(k, _)| k == key) {
                Some((_, slot)) => *slot = value,
                None => m.push((key.to_string(), value)),
            }
        }
    }

    pub(super) fn members_mut(&mut self) -> Option<&mut Vec<(String, Ordered)>> {
        match self {
            Ordered::Object(m) => Some(m),
            _ => None,
        }
    }

    pub(super) fn text(s: &str) -> Ordered {
        Ordered::Scalar(serde_json::Value::String(s.into()))
    }

    pub(super) fn reference(to: String) -> Ordered {
        Ordered::Object(vec![("$ref".into(), Ordered::text(&to))])
    }

    /// The value as canonical JSON text, to tell equal definitions apart from different ones.
    pub(super) fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A parameter's `name` and `in` (`limit` in `query` -> `limit query`).
    pub(super) fn name_and_place(&self) -> String {
        let field = |k: &str| match self {
            Ordered::Object(m) => m.iter().find(|(n, _)| n == k).and_then(|(_, v)| match v {
                Ordered::Scalar(serde_json::Value::String(s)) => Some(s.clone()),
                _ => None,
            }),
            _ => None,
        };
        format!(
            "{} {}",
            field("name").unwrap_or_default(),
            field("in").unwrap_or_default()
        )
    }

    /// A copy of a `$ref` object (the only values copied).
    pub(super) fn clone_ref(&self) -> Ordered {
        match self {
            Ordered::Object(m) => {
                Ordered::Object(m.iter().map(|(k, v)| (k.clone(), v.clone_ref())).collect())
            }
            Ordered::Array(items) => Ordered::Array(items.iter().map(Ordered::clone_ref).collect()),
            Ordered::Scalar(v) => Ordered::Scalar(v.clone()),
        }
    }

    /// Every `$ref` target inside this value.
    pub(super) fn collect_refs(&self, out: &mut Vec<String>) {
        match self {
            Ordered::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("$ref", Ordered::Scalar(serde_json::Value::String(r))) => {
                            out.push(r.clone())
                        }
                        _ => v.collect_refs(out),
                    }
                }
            }
            Ordered::Array(items) => items.iter().for_each(|i| i.collect_refs(out)),
            Ordered::Scalar(_) => {}
        }
    }
}
