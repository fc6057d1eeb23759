//! JSON Schemas (draft 2020-12) of the GeoJSON features, built from the same column lists as
//! the CSV tables and the datapackage, so every tool that reads a schema types each property
//! the same way: the OGC collections' `describedby` schema (a whole Feature, which is what
//! GDAL's OAPIF driver reads) and their queryables (OGC API - Features, Part 3).
//!
//! Every property has one `type` (and a `format` for days and date-times): a property whose
//! value is unknown is left out of the feature rather than given as `null`, so only the
//! always-present ones are `required`.

use super::{Column, ColumnType};
use serde_json::{Map, Value, json};

pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// One property's schema.
pub fn property(c: &Column) -> Value {
    let mut p = match c.kind {
        ColumnType::String => json!({"type": "string"}),
        ColumnType::Integer => json!({"type": "integer"}),
        ColumnType::Number => json!({"type": "number"}),
        ColumnType::Boolean => json!({"type": "boolean"}),
        ColumnType::Date => json!({"type": "string", "format": "date"}),
        ColumnType::Datetime => json!({"type": "string", "format": "date-time"}),
    };
    p["title"] = json!(c.name);
    p["description"] = json!(c.description);
    if !c.values.is_empty() {
        p["enum"] = json!(c.values);
    }
    p
}

fn properties<'a>(columns: impl IntoIterator<Item = &'a Column>) -> Map<String, Value> {
    columns
        .into_iter()
        .map(|c| (c.name.to_string(), property(c)))
        .collect()
}

/// The schema of a whole GeoJSON Feature whose `properties` are `columns` (`required`: those
/// always present). `id_type` is the JSON type of the feature's `id`.
pub fn feature(
    id: &str,
    title: &str,
    columns: &[Column],
    required: &[&str],
    id_type: &str,
) -> Value {
    json!({
        "$schema": DIALECT,
        "$id": id,
        "title": title,
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": id_type},
            "geometry": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["type", "coordinates"],
                        "properties": {
                            "type": {"type": "string", "enum": ["Point"]},
                            "coordinates": {
                                "type": "array",
                                "items": {"type": "number"},
                                "minItems": 2,
                                "maxItems": 2
                            }
                        }
                    }
                ]
            },
            "properties": {
                "type": "object",
                "required": required,
                "properties": properties(columns),
                "additionalProperties": false
            }
        }
    })
}

/// The queryables of a collection: the properties its items can be filtered by, as
/// `property=value` parameters.
pub fn queryables(id: &str, title: &str, columns: &[Column], names: &[&str]) -> Value {
    let picked = names
        .iter()
        .filter_map(|n| columns.iter().find(|c| c.name == *n));
    json!({
        "$schema": DIALECT,
        "$id": id,
        "title": title,
        "type": "object",
        "properties": properties(picked),
        "additionalProperties": false
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::col;

    #[test]
    fn each_column_type_has_one_json_type_and_its_format() {
        let cols = [
            col("a", ColumnType::Date, "a day"),
            col("b", ColumnType::Integer, "n"),
            col("c", ColumnType::String, "v").one_of(&["x", "y"]),
        ];
        let f = feature("u", "T", &cols, &["b"], "integer");
        let props = &f["properties"]["properties"]["properties"];
        assert_eq!(
            props["a"],
            json!({"type": "string", "format": "date", "title": "a", "description": "a day"})
        );
        assert_eq!(props["b"]["type"], "integer");
        assert_eq!(props["c"]["enum"], json!(["x", "y"]));
        let q = queryables("q", "T", &cols, &["c"]);
        assert_eq!(q["properties"].as_object().unwrap().len(), 1);
    }
}
