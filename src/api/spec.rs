//! The OpenAPI document as served and committed: poem-openapi's, finished (`finish`) with
//! what its derives cannot say: optional properties nullable, shared parts written once as
//! components, vocabularies as enums, closed request bodies, `If-Match` required. Each path
//! is served by one API struct (a resource's reads and writes sit in one `#[OpenApi]` impl),
//! so no key appears twice; one that did would be an error here, not a silent merge.

mod enums;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

/// JSON with objects as ordered key lists, so a round trip keeps the generator's order.
enum Ordered {
    Object(Vec<(String, Ordered)>),
    Array(Vec<Ordered>),
    Scalar(serde_json::Value),
}

impl Ordered {}

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

impl Ordered {
    fn set(&mut self, key: &str, value: Ordered) {
        if let Ordered::Object(m) = self {
            match m.iter_mut().find(|(k, _)| k == key) {
                Some((_, slot)) => *slot = value,
                None => m.push((key.to_string(), value)),
            }
        }
    }

    fn members_mut(&mut self) -> Option<&mut Vec<(String, Ordered)>> {
        match self {
            Ordered::Object(m) => Some(m),
            _ => None,
        }
    }

    fn text(s: &str) -> Ordered {
        Ordered::Scalar(serde_json::Value::String(s.into()))
    }

    fn reference(to: String) -> Ordered {
        Ordered::Object(vec![("$ref".into(), Ordered::text(&to))])
    }

    /// The value as canonical JSON text, to tell equal definitions apart from different ones.
    fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A component's key for a header: `X-REQUEST-ID` -> `XRequestId`.
fn camel(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut cs = lower.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Puts `value` into `components.<section>` under `base` (or `base2`, `base3`, … when another
/// definition holds `base`), reusing an equal definition; returns the reference to it.
fn component(
    store: &mut Vec<(String, Ordered)>,
    section: &str,
    base: &str,
    value: Ordered,
) -> Ordered {
    let text = value.canonical();
    let mut n = 1;
    loop {
        let key = if n == 1 {
            base.to_string()
        } else {
            format!("{base}{n}")
        };
        match store.iter().find(|(k, _)| *k == key) {
            Some((_, existing)) if existing.canonical() == text => {
                return Ordered::reference(format!("#/components/{section}/{key}"));
            }
            Some(_) => n += 1,
            None => {
                store.push((key.clone(), value));
                return Ordered::reference(format!("#/components/{section}/{key}"));
            }
        }
    }
}

/// Error statuses the guard around every request can answer on any operation (limits, rate
/// limits, unknown parameters, timeouts), documented on operations whose handler cannot fail.
const GUARD_STATUSES: &[&str] = &["400", "413", "414", "429", "431", "500", "503"];

/// Every response header and error response written once under `components` and referenced
/// from each operation (poem-openapi inlines them in every response: most of the document);
/// every operation documents the guard's errors; public operations say they need no token
/// (`security: []`); `servers` and `info.contact` are set.
fn share_components(doc: &mut Ordered) {
    let mut headers: Vec<(String, Ordered)> = Vec::new();
    let mut responses: Vec<(String, Ordered)> = Vec::new();
    let mut by_status: Vec<(String, Ordered)> = Vec::new();
    let mut parameters: Vec<(String, Ordered)> = Vec::new();
    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    if let Some(paths) = doc.get_mut("paths").and_then(Ordered::members_mut) {
        for (_, item) in paths.iter_mut() {
            let Some(ops) = item.members_mut() else {
                continue;
            };
            for (method, op) in ops.iter_mut() {
                if !methods.contains(&method.as_str()) {
                    continue;
                }
                if !op.has("security") {
                    op.set("security", Ordered::Array(vec![]));
                }
                if let Some(Ordered::Array(ps)) = op.get_mut("parameters") {
                    for param in ps.iter_mut() {
                        let name = param.name_and_place();
                        let value =
                            std::mem::replace(param, Ordered::Scalar(serde_json::Value::Null));
                        *param = component(&mut parameters, "parameters", &camel(&name), value);
                    }
                }
                let Some(rs) = op.get_mut("responses").and_then(Ordered::members_mut) else {
                    continue;
                };
                for (status, response) in rs.iter_mut() {
                    if let Some(hs) = response.get_mut("headers").and_then(Ordered::members_mut) {
                        for (name, h) in hs.iter_mut() {
                            let value =
                                std::mem::replace(h, Ordered::Scalar(serde_json::Value::Null));
                            *h = component(&mut headers, "headers", &camel(name), value);
                        }
                    }
                    if status.starts_with('4') || status.starts_with('5') {
                        let value =
                            std::mem::replace(response, Ordered::Scalar(serde_json::Value::Null));
                        let r = component(
                            &mut responses,
                            "responses",
                            &format!("Error{status}"),
                            value,
                        );
                        if !by_status.iter().any(|(s, _)| s == status) {
                            by_status.push((status.clone(), r.clone_ref()));
                        }
                        *response = r;
                    }
                }
                for status in GUARD_STATUSES {
                    if !rs.iter().any(|(s, _)| s == status)
                        && let Some((_, r)) = by_status.iter().find(|(s, _)| s == status)
                    {
                        rs.push((status.to_string(), r.clone_ref()));
                    }
                }
            }
        }
    }
    // Operations seen before the first one with errors: give them the guard's errors too.
    if let Some(paths) = doc.get_mut("paths").and_then(Ordered::members_mut) {
        for (_, item) in paths.iter_mut() {
            let Some(ops) = item.members_mut() else {
                continue;
            };
            for (method, op) in ops.iter_mut() {
                if !methods.contains(&method.as_str()) {
                    continue;
                }
                let Some(rs) = op.get_mut("responses").and_then(Ordered::members_mut) else {
                    continue;
                };
                for status in GUARD_STATUSES {
                    if !rs.iter().any(|(s, _)| s == status)
                        && let Some((_, r)) = by_status.iter().find(|(s, _)| s == status)
                    {
                        rs.push((status.to_string(), r.clone_ref()));
                    }
                }
            }
        }
    }
    if let Some(components) = doc.get_mut("components") {
        components.set("headers", Ordered::Object(headers));
        components.set("responses", Ordered::Object(responses));
        components.set("parameters", Ordered::Object(parameters));
    }
    let servers_empty = matches!(doc.get_mut("servers"), None | Some(Ordered::Array(_)))
        && !matches!(doc.get_mut("servers"), Some(Ordered::Array(a)) if !a.is_empty());
    if servers_empty {
        doc.set(
            "servers",
            Ordered::Array(vec![Ordered::Object(vec![
                ("url".into(), Ordered::text("/")),
                (
                    "description".into(),
                    Ordered::text("This server: the origin the spec was read from."),
                ),
            ])]),
        );
    }
    if let Some(info) = doc.get_mut("info")
        && !info.has("contact")
    {
        info.set(
            "contact",
            Ordered::Object(vec![
                ("name".into(), Ordered::text(CONTACT_NAME)),
                ("url".into(), Ordered::text(CONTACT_URL)),
            ]),
        );
    }
}

/// Who answers for the API, as `info.contact` says: the maintainers, reached through the
/// server's own documentation (relative, like `servers`: the project has no public home
/// this document could name truthfully).
pub const CONTACT_NAME: &str = "Ring partnerships API maintainers";
pub const CONTACT_URL: &str = "/docs";

/// The `$ref` targets of the members of an object's `allOf`, and whether every member is
/// only a `$ref` or a `description`.
fn allof_refs(m: &[(String, Ordered)]) -> (Vec<String>, bool) {
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
    /// Gives every `nullable` schema without a `type` (a wrapped `$ref`) the type of the
    /// schema it refers to: OpenAPI 3.0 defines `nullable` only beside a `type`.
    fn type_nullable_refs(&mut self, types: &[(String, Ordered)]) {
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
    fn plain_enum_refs(&mut self, enums: &[String]) {
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

    /// A parameter's `name` and `in` (`limit` in `query` -> `limit query`).
    fn name_and_place(&self) -> String {
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
    fn clone_ref(&self) -> Ordered {
        match self {
            Ordered::Object(m) => {
                Ordered::Object(m.iter().map(|(k, v)| (k.clone(), v.clone_ref())).collect())
            }
            Ordered::Array(items) => Ordered::Array(items.iter().map(Ordered::clone_ref).collect()),
            Ordered::Scalar(v) => Ordered::Scalar(v.clone()),
        }
    }
}

impl Ordered {
    /// Every `$ref` target inside this value.
    fn collect_refs(&self, out: &mut Vec<String>) {
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

impl Ordered {
    /// Gives each integer schema of a sized format (`int32`, `uint32`, ...) the bounds the
    /// format implies, where the schema sets none: poem-openapi refuses a value outside them
    /// (a 400), so the spec says so, and generated clients and fuzzers know it.
    fn bound_integer_formats(&mut self) {
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

/// `If-Match` is required wherever it is taken (updates and deletes answer 428
/// `precondition_required` without it); poem-openapi reads it as optional only so that its
/// absence gets that answer rather than a generic 400.
fn require_if_match(doc: &mut Ordered) {
    let Some(Ordered::Object(params)) = doc
        .get_mut("components")
        .and_then(|c| c.get_mut("parameters"))
    else {
        return;
    };
    for (_, p) in params.iter_mut() {
        let named = |p: &Ordered, k: &str, v: &str| match p {
            Ordered::Object(m) => m.iter().any(|(key, val)| {
                key == k && matches!(val, Ordered::Scalar(serde_json::Value::String(s)) if s == v)
            }),
            _ => false,
        };
        if named(p, "name", "If-Match") && named(p, "in", "header") {
            p.set("required", Ordered::Scalar(true.into()));
        }
    }
}

/// Every object schema a request body uses, itself or through its fields, says
/// `additionalProperties: false`: the API refuses a field it does not know (a misspelt
/// field is a 400, never silently ignored), and the spec says so, so clients and fuzzers
/// know it too. (No schema of a request body is also one of a response.)
fn close_request_bodies(doc: &mut Ordered) {
    let mut todo = Vec::new();
    if let Some(Ordered::Object(paths)) = doc.get_mut("paths") {
        for (_, item) in paths.iter() {
            if let Ordered::Object(ops) = item {
                for (_, op) in ops {
                    if let Ordered::Object(fields) = op
                        && let Some((_, body)) = fields.iter().find(|(k, _)| k == "requestBody")
                    {
                        body.collect_refs(&mut todo);
                    }
                }
            }
        }
    }
    let Some(Ordered::Object(schemas)) =
        doc.get_mut("components").and_then(|c| c.get_mut("schemas"))
    else {
        return;
    };
    let mut seen: Vec<String> = Vec::new();
    while let Some(r) = todo.pop() {
        let Some(name) = r.strip_prefix("#/components/schemas/") else {
            continue;
        };
        if seen.iter().any(|s| s == name) {
            continue;
        }
        seen.push(name.to_string());
        if let Some((_, schema)) = schemas.iter().find(|(n, _)| n == name) {
            schema.collect_refs(&mut todo);
        }
    }
    for (name, schema) in schemas.iter_mut() {
        if seen.contains(name) && schema.has("properties") && !schema.has("additionalProperties") {
            schema.set("additionalProperties", Ordered::Scalar(false.into()));
        }
    }
}

/// `spec` finished: optional properties nullable and shared parts written once as components
/// (see `share_components`), and the rest above; pretty-printed as poem-openapi prints it. A
/// key written twice in one object is an error.
pub fn finish(spec: &str) -> Result<String, serde_json::Error> {
    let mut doc: Ordered = serde_json::from_str(spec)?;
    share_components(&mut doc);
    if let Some(schemas) = doc.get_mut("components").and_then(|c| c.get_mut("schemas")) {
        schemas.mark_optional_nullable();
        enums::vocab_enums(schemas);
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
        let types: Vec<(String, Ordered)> = match &*schemas {
            Ordered::Object(m) => m
                .iter()
                .filter_map(|(name, schema)| match schema {
                    Ordered::Object(fields) => {
                        let ty = fields.iter().find(|(k, _)| k == "type").map(|(_, t)| t);
                        let is_enum = fields.iter().any(|(k, _)| k == "enum");
                        let key = format!("#/components/schemas/{name}");
                        match (ty, is_enum) {
                            // An enum's whole schema (its type and values).
                            (Some(_), true) => Some((key, schema.clone_ref())),
                            (Some(t), false) => Some((key, t.clone_ref())),
                            _ => None,
                        }
                    }
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        schemas.type_nullable_refs(&types);
        let enums: Vec<String> = types
            .iter()
            .filter(|(_, t)| t.has("enum"))
            .map(|(name, _)| name.clone())
            .collect();
        doc.plain_enum_refs(&enums);
    }
    close_request_bodies(&mut doc);
    doc.bound_integer_formats();
    require_if_match(&mut doc);
    enums::sort_enums(&mut doc);
    enums::patterns(&mut doc);
    // An enum referred to only where it was inlined (nullable) is left unused: drop it.
    let text = serde_json::to_string(&doc)?;
    if let Some(Ordered::Object(schemas)) =
        doc.get_mut("components").and_then(|c| c.get_mut("schemas"))
    {
        schemas.retain(|(name, schema)| {
            !schema.has("enum") || text.contains(&format!("\"#/components/schemas/{name}\""))
        });
    }
    serde_json::to_string_pretty(&doc)
}

/// `json` without the whitespace between its tokens, keys in the same order: the spec as
/// served (GDAL downloads it on every open), where the committed file is indented for diffs.
pub fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for ch in json.chars() {
        if in_string {
            out.push(ch);
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_string = false;
            }
        } else if ch == '"' {
            in_string = true;
            out.push(ch);
        } else if !ch.is_whitespace() {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minify_keeps_strings_and_order() {
        let text = "{\n  \"b\": \"x y \\\" z\",\n  \"a\": [1, 2]\n}\n";
        assert_eq!(minify(text), "{\"b\":\"x y \\\" z\",\"a\":[1,2]}");
        let v: serde_json::Value = serde_json::from_str(&minify(text)).unwrap();
        assert_eq!(v, serde_json::from_str::<serde_json::Value>(text).unwrap());
    }

    #[test]
    fn a_key_written_twice_is_an_error_and_order_is_kept() {
        let twice = r#"{"paths": {"/a": {"get": 1}, "/b": {"get": 2}, "/a": {"post": 3}}}"#;
        let e = finish(twice).unwrap_err();
        assert!(e.to_string().contains("`/a` appears twice"), "{e}");
        let text = finish(r#"{"paths": {"/b": {"get": 2}, "/a": {"get": 1}}}"#).unwrap();
        assert!(text.find("\"/b\"").unwrap() < text.find("\"/a\"").unwrap());
    }
}
