//! JSON types of request bodies, checked against the served spec before the handlers see
//! them. poem-openapi reads a JSON number or boolean sent for a `string` field as its text
//! (`{"name": 5}` would store the name "5", `{"q": false}` search for "false"): a silent
//! wrong answer. Here every value of a body is checked against the type its schema names
//! (through `$ref`, `allOf`, arrays, objects and maps; `null` only where `nullable`), and a
//! mismatch is a 400 `invalid_body` naming the field. Values, formats and ranges stay the
//! handlers' to judge; schemas this checker does not model (`oneOf`, `anyOf`, free-form
//! objects) pass.

use serde_json::Value;

/// Where a body's value does not have its schema's type: the field's path
/// (`record.name`, `state[1]`), what the schema says, and what was sent.
#[derive(Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub path: String,
    pub expected: String,
    pub found: &'static str,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `schema` with a `$ref` to `#/components/schemas/...` followed (once per level).
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..8 {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => match r
                .strip_prefix("#/")
                .and_then(|p| p.split('/').try_fold(spec, |v, key| v.get(key)))
            {
                Some(target) => s = target,
                None => return s,
            },
            None => return s,
        }
    }
    s
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// Checks `value` against `schema` (a schema of `spec`, possibly a `$ref`).
pub fn check(spec: &Value, schema: &Value, value: &Value, path: &str) -> Result<(), Mismatch> {
    let schema = resolve(spec, schema);
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        if value.is_null() && schema.get("nullable") == Some(&Value::Bool(true)) {
            return Ok(());
        }
        for part in parts {
            check(spec, part, value, path)?;
        }
    }
    let Some(ty) = schema.get("type").and_then(Value::as_str) else {
        return Ok(());
    };
    let nullable = schema.get("nullable") == Some(&Value::Bool(true))
        || schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.contains(&Value::Null));
    let mismatch = |expected: &str| Mismatch {
        path: path.to_string(),
        expected: expected.to_string(),
        found: kind(value),
    };
    match (ty, value) {
        (_, Value::Null) if nullable => Ok(()),
        // A shaped value (a point, a box, a date, a sort key) given as "" is not "no
        // filter": leave the field out (or null) for that, as with an empty query parameter.
        ("string", Value::String(s))
            if s.is_empty()
                && (schema.get("pattern").is_some()
                    || schema
                        .get("enum")
                        .and_then(Value::as_array)
                        .is_some_and(|e| !e.contains(&Value::String(String::new())))) =>
        {
            Err(Mismatch {
                path: path.to_string(),
                expected: "a value (leave the field out for none)".into(),
                found: "an empty string",
            })
        }
        ("string", Value::String(_)) | ("boolean", Value::Bool(_)) => Ok(()),
        ("number", Value::Number(_)) => Ok(()),
        ("integer", Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(()),
        // 3.0 integers written as 2.0 are integers too.
        ("integer", Value::Number(n)) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => Ok(()),
        ("array", Value::Array(items)) => {
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    check(spec, item, v, &format!("{path}[{i}]"))?;
                }
            }
            Ok(())
        }
        ("object", Value::Object(fields)) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties").filter(|a| a.is_object());
            for (k, v) in fields {
                match (props.and_then(|p| p.get(k)), extra) {
                    (Some(s), _) | (None, Some(s)) => check(spec, s, v, &join(path, k))?,
                    // Unknown fields are the handlers' to refuse, naming them.
                    (None, None) => {}
                }
            }
            Ok(())
        }
        ("string", _) => Err(mismatch("a string")),
        ("boolean", _) => Err(mismatch("a boolean")),
        ("number", _) => Err(mismatch("a number")),
        ("integer", _) => Err(mismatch("an integer")),
        ("array", _) => Err(mismatch("an array")),
        ("object", _) => Err(mismatch("an object")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({"components": {"schemas": {
            "Kind": {"type": "string", "enum": ["a", "b"]},
            "Fields": {"type": "object", "properties": {
                "name": {"type": "string"},
                "count": {"type": "integer", "nullable": true},
                "kind": {"$ref": "#/components/schemas/Kind"},
                "ids": {"type": "object", "additionalProperties": {"type": "string"}},
                "near": {"type": "string", "nullable": true, "pattern": "^x$"},
            }},
            "Edit": {"type": "object", "properties": {
                "record": {"$ref": "#/components/schemas/Fields"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "within": {},
            }},
        }}})
    }

    fn run(body: Value) -> Result<(), Mismatch> {
        let spec = spec();
        check(
            &spec,
            &json!({"$ref": "#/components/schemas/Edit"}),
            &body,
            "",
        )
    }

    #[test]
    fn a_value_of_another_type_is_named_by_its_path() {
        assert_eq!(
            run(json!({"record": {"name": 5}})),
            Err(Mismatch {
                path: "record.name".into(),
                expected: "a string".into(),
                found: "an integer"
            })
        );
        assert_eq!(
            run(json!({"tags": ["x", false]})).unwrap_err().path,
            "tags[1]"
        );
        assert_eq!(
            run(json!({"record": {"kind": 1}})).unwrap_err().path,
            "record.kind"
        );
        assert_eq!(
            run(json!({"record": {"ids": {"aos": 7}}}))
                .unwrap_err()
                .path,
            "record.ids.aos"
        );
        assert_eq!(
            run(json!({"record": {"count": 1.5}})).unwrap_err().found,
            "a number"
        );
        assert_eq!(
            run(json!({"record": {"name": null}})).unwrap_err().found,
            "null"
        );
        assert_eq!(
            run(json!({"record": "x"})).unwrap_err().expected,
            "an object"
        );
    }

    #[test]
    fn values_of_their_type_nulls_where_nullable_and_free_form_pass() {
        assert_eq!(
            run(json!({"record": {"name": "x", "count": null, "kind": "a",
                "ids": {"aos": "AOS1"}, "near": null}, "tags": [],
                "within": {"type": "Polygon", "coordinates": 5}, "unknown": 1})),
            Ok(())
        );
        assert_eq!(run(json!({"record": {"count": 3}})), Ok(()));
        assert_eq!(run(json!({"record": {"count": 3.0}})), Ok(()));
    }
}
