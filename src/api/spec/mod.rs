//! The OpenAPI document as served and committed: poem-openapi's, finished (`finish`) with
//! what its derives cannot say: optional properties nullable, shared parts written once as
//! components, vocabularies as enums, closed request bodies, `If-Match` required. Each path
//! is served by one API struct (a resource's reads and writes sit in one `#[OpenApi]` impl),
//! so no key appears twice; one that did would be an error here, not a silent merge.
//!
//! The passes are in `components` (shared parts, `If-Match`, closed request bodies),
//! `schemas` (nullable properties, typed nullable references, plain enum references,
//! integer bounds) and `enums` (vocabularies); `ordered` is the JSON they work on.

mod components;
mod enums;
mod ordered;
mod schemas;

pub use components::{CONTACT_NAME, CONTACT_URL};

use components::{close_request_bodies, require_if_match, share_components};
use ordered::Ordered;

/// `spec` finished: optional properties nullable and shared parts written once as components
/// (see `share_components`), and the other passes; pretty-printed as poem-openapi prints it. A
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
