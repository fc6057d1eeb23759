//! Passes over the schemas: optional properties nullable, nullable references typed,
//! described enum references plain, integer formats bounded.

use super::Ordered;

/// The `$ref` targets of the members of an object's `allOf`, and whether every member is
/// only a `$ref` or a `description`.
pub(super) fn allof_refs(m: &[(String, Ordered)]) -> (Vec<String>, bool) {
    let Some((_, Ordered::Array(items))) = m.iter().find(|(k, _)| k == "allOf") else {
        return (Vec::new(), false);
    };
    let refs = items
        .iter()
        .filter_map(|i| match i {
            Ordered::Object(r) => r
                .iter()
                .find(|(k, _)| k == "$ref")
                .and_then(|(_, v)| match v {
                    Ordered::Scalar(serde_json::Value::String(s)) => Some(s.clone()),
                    _ => None,
                }),
            _ => None,
        })
        .collect();
    let described = items.iter().all(|i| match i {
        Ordered::Object(r) => r.iter().all(|(k, _)| k == "$ref" || k == "description"),
        _ => false,
    });
    (refs, described)
}

impl Ordered {
    /// Marks a schema as admitting `null` (OpenAPI 3.0 `nullable`). A bare `$ref` ignores
    /// its siblings, so it is wrapped in `allOf` first.
    pub(super) fn make_nullable(&mut self) {
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
    pub(super) fn mark_optional_nullable(&mut self) {
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

    /// Gives every `nullable` schema without a `type` (a wrapped `$ref`) the type of the
    /// schema it refers to: OpenAPI 3.0 defines `nullable` only beside a `type`.
    pub(super) fn type_nullable_refs(&mut self, types: &[(String, Ordered)]) {
        match self {
            Ordered::Object(m) => {
                let nullable_untyped =
                    m.iter().any(|(k, _)| k == "nullable") && !m.iter().any(|(k, _)| k == "type");
                if nullable_untyped {
                    let target = allof_refs(m).0.into_iter().next();
                    if let Some((_, t)) =
                        target.and_then(|t| types.iter().find(|(name, _)| *name == t))
                    {
                        match t {
                            // An enum: inline with `null` among its values, which is how
                            // OpenAPI 3.0.3 lets a nullable enum hold null.
                            Ordered::Object(target) => {
                                m.retain(|(k, _)| k != "allOf");
                                for (k, v) in target {
                                    if k == "enum"
                                        && let Ordered::Array(values) = v
                                    {
                                        let mut values: Vec<Ordered> =
                                            values.iter().map(Ordered::clone_ref).collect();
                                        values.push(Ordered::Scalar(serde_json::Value::Null));
                                        m.insert(0, ("enum".into(), Ordered::Array(values)));
                                    } else if k == "type" {
                                        m.insert(0, ("type".into(), v.clone_ref()));
                                    }
                                }
                            }
                            t => m.insert(0, ("type".into(), t.clone_ref())),
                        }
                    } else if !m.iter().any(|(k, _)| k == "allOf") {
                        // Free-form JSON (a GeoJSON body member): an object when present.
                        m.insert(0, ("type".into(), Ordered::text("object")));
                    }
                }
                for (_, v) in m.iter_mut() {
                    v.type_nullable_refs(types);
                }
            }
            Ordered::Array(items) => items.iter_mut().for_each(|i| i.type_nullable_refs(types)),
            Ordered::Scalar(_) => {}
        }
    }

    /// Turns a described reference to an enum (`allOf: [{$ref}, {description}]`, which is
    /// how poem-openapi documents a field of an enum type) into the plain `$ref`: code
    /// generators (openapi-python-client) cannot take `allOf` of a non-object and drop the
    /// whole schema, and OpenAPI 3.0 allows no siblings beside `$ref`. The enum's own schema
    /// keeps its description.
    pub(super) fn plain_enum_refs(&mut self, enums: &[String]) {
        match self {
            Ordered::Object(m) => {
                let only_described_allof =
                    m.iter().all(|(k, _)| k == "allOf" || k == "description")
                        && m.iter().any(|(k, _)| k == "allOf");
                let (refs, described) = allof_refs(m);
                let target = (only_described_allof && described && refs.len() == 1)
                    .then(|| refs[0].clone())
                    .filter(|t| enums.contains(t));
                if let Some(t) = target {
                    *m = vec![("$ref".into(), Ordered::text(&t))];
                    return;
                }
                for (_, v) in m.iter_mut() {
                    v.plain_enum_refs(enums);
                }
            }
            Ordered::Array(items) => items.iter_mut().for_each(|i| i.plain_enum_refs(enums)),
            Ordered::Scalar(_) => {}
        }
    }

    /// Gives each integer schema of a sized format (`int32`, `uint32`, ...) the bounds the
    /// format implies, where the schema sets none: poem-openapi refuses a value outside them
    /// (a 400), so the spec says so, and generated clients and fuzzers know it.
    pub(super) fn bound_integer_formats(&mut self) {
        match self {
            Ordered::Object(m) => {
                let is = |k: &str, v: &str| {
                    m.iter().any(|(key, val)| {
                        key == k
                            && matches!(val, Ordered::Scalar(serde_json::Value::String(s)) if s == v)
                    })
                };
                if is("type", "integer") {
                    let bounds: Option<(i64, Option<i64>)> = if is("format", "int32") {
                        Some((i32::MIN.into(), Some(i32::MAX.into())))
                    } else if is("format", "uint8") {
                        Some((0, Some(u8::MAX.into())))
                    } else if is("format", "uint16") {
                        Some((0, Some(u16::MAX.into())))
                    } else if is("format", "uint32") {
                        Some((0, Some(u32::MAX.into())))
                    } else if is("format", "uint64") {
                        Some((0, None))
                    } else {
                        None
                    };
                    if let Some((min, max)) = bounds {
                        if !m.iter().any(|(k, _)| k == "minimum") {
                            m.push(("minimum".into(), Ordered::Scalar(min.into())));
                        }
                        if let Some(max) = max
                            && !m.iter().any(|(k, _)| k == "maximum")
                        {
                            m.push(("maximum".into(), Ordered::Scalar(max.into())));
                        }
                    }
                }
                for (_, v) in m.iter_mut() {
                    v.bound_integer_formats();
                }
            }
            Ordered::Array(items) => items.iter_mut().for_each(Ordered::bound_integer_formats),
            Ordered::Scalar(_) => {}
        }
    }
}
