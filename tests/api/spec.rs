//! The committed spec is what the code generates, and the server serves the same.

use crate::helpers::{Backend, TestApp};

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[tokio::test]
async fn committed_openapi_spec_is_current() {
    let generated = ring_partnerships::api::offline_spec().await.unwrap();
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is stale: run `cargo run -- openapi --write openapi/openapi.json`"
    );
}

#[tokio::test]
async fn served_spec_equals_the_committed_one() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let served: serde_json::Value = app.get_json("/openapi.json").await;
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(served, committed);
}

#[tokio::test]
async fn every_operation_has_summary_operation_id_and_tag() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut seen = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            seen += 1;
            let at = format!("{method} {path}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{at}: summary"
            );
            assert!(
                op["operationId"].as_str().is_some_and(|s| !s.is_empty()),
                "{at}: operationId"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{at}: tag"
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.contains_key("200") || responses.contains_key("201"),
                "{at}: 200 or 201"
            );
        }
    }
    assert!(seen >= 12);
}

/// Follows a `$ref` within the spec.
fn resolve<'a>(spec: &'a serde_json::Value, v: &'a serde_json::Value) -> &'a serde_json::Value {
    match v["$ref"].as_str() {
        Some(r) => spec
            .pointer(r.trim_start_matches('#'))
            .expect("a $ref resolves"),
        None => v,
    }
}

#[tokio::test]
async fn the_spec_is_small_and_shares_headers_parameters_and_error_responses() {
    // GDAL downloads the spec on every open: it is served without indentation.
    let app = TestApp::spawn(Backend::Sqlite).await;
    let served = app.get("/openapi.json").await.text().await.unwrap();
    assert!(served.len() < 300_000, "{} bytes served", served.len());
    assert!(!served.contains("\n  "), "the served spec is not indented");
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(spec["servers"][0]["url"], "/");
    assert!(spec["info"]["contact"]["name"].is_string());
    assert_eq!(
        spec["components"]["securitySchemes"]["BearerAuth"]["scheme"],
        "bearer"
    );
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            for p in op["parameters"].as_array().into_iter().flatten() {
                assert!(p["$ref"].is_string(), "{at}: parameter inline: {p}");
            }
            let responses = op["responses"].as_object().unwrap();
            for (status, r) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        r["$ref"].is_string(),
                        "{at} {status}: inline error response"
                    );
                }
                for (name, h) in resolve(&spec, r)["headers"]
                    .as_object()
                    .into_iter()
                    .flatten()
                {
                    assert!(h["$ref"].is_string(), "{at} {status} {name}: inline header");
                }
            }
            for status in ["400", "429"] {
                assert!(responses.contains_key(status), "{at}: documents {status}");
            }
            // Reads are public and say so; writes name the bearer scheme. The one read that
            // needs a token is the editors' list of correction reports (it holds contacts).
            let security = op["security"]
                .as_array()
                .unwrap_or_else(|| panic!("{at}: security"));
            if at == "get /reports" {
                assert!(!security.is_empty(), "{at}: editors only, with contacts");
            } else if method == "get" {
                assert!(security.is_empty(), "{at}: a read needs no token");
            } else if ["patch", "delete"].contains(&method.as_str()) {
                assert!(!security.is_empty(), "{at}: a write names its scheme");
            }
        }
    }
}

#[test]
fn vocabularies_are_enums_in_responses_and_parameters() {
    use ring_partnerships::domain::{AgencyType, SourceKind, Status};
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let schemas = &spec["components"]["schemas"];
    let values = |name: &str| -> Vec<String> {
        schemas[name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is an enum"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let all = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        values("AgencyType"),
        all(&AgencyType::ALL
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>())
    );
    assert_eq!(
        values("Status"),
        all(&Status::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>())
    );
    assert_eq!(
        values("SourceKind"),
        all(&SourceKind::ALL
            .iter()
            .map(|v| v.as_str())
            .collect::<Vec<_>>())
    );
    for name in ["JurisdictionType", "ChangeKind", "RecordKind", "StateCode"] {
        assert!(!values(name).is_empty(), "{name}");
    }
    // Responses carry them by reference ...
    let refers = |schema: &str, field: &str, to: &str| {
        let text = schemas[schema]["properties"][field].to_string();
        assert!(
            text.contains(&format!("#/components/schemas/{to}")),
            "{schema}.{field}: {text}"
        );
    };
    refers("Partnership", "status", "Status");
    // A nullable one is the enum inline, with null among its values (OpenAPI 3.0.3).
    let start = &schemas["Partnership"]["properties"]["start_precision"];
    assert_eq!(start["type"], "string");
    let mut precisions: Vec<serde_json::Value> = ring_partnerships::domain::DatePrecision::ALL
        .iter()
        .map(|p| p.as_str().into())
        .collect();
    precisions.push(serde_json::Value::Null);
    assert_eq!(start["enum"], serde_json::Value::Array(precisions));
    refers("Agency", "agency_type", "AgencyType");
    refers("Source", "kind", "SourceKind");
    refers("CitationRecord", "record_kind", "RecordKind");
    // ... and so do the parameters.
    let params = spec["components"]["parameters"].as_object().unwrap();
    for (name, to) in [
        ("state", "StateCode"),
        ("agency_type", "AgencyType"),
        ("status", "Status"),
        ("kind", "SourceKind"),
    ] {
        assert!(
            params.values().any(|p| p["name"] == name
                && p["schema"]
                    .to_string()
                    .contains(&format!("#/components/schemas/{to}"))),
            "parameter {name} is a {to}"
        );
    }
    // `nullable` stands beside a `type` (OpenAPI 3.0).
    fn walk(v: &serde_json::Value, at: &str, bad: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if m.contains_key("nullable") && !m.contains_key("type") {
                    bad.push(at.to_string());
                }
                for (k, x) in m {
                    walk(x, &format!("{at}/{k}"), bad);
                }
            }
            serde_json::Value::Array(xs) => xs.iter().for_each(|x| walk(x, at, bad)),
            _ => {}
        }
    }
    let mut bad = Vec::new();
    walk(&spec, "", &mut bad);
    assert!(bad.is_empty(), "nullable without type: {bad:?}");
}

/// An enum is referred to plainly, never through `allOf`: code generators cannot take
/// `allOf` of a non-object (openapi-python-client drops the whole schema, and with `Problem`
/// every typed error), and OpenAPI 3.0 allows nothing beside a `$ref`.
#[test]
fn enums_are_referenced_plainly_never_through_all_of() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let is_enum = |r: &str| {
        r.strip_prefix("#/components/schemas/")
            .and_then(|n| schemas.get(n))
            .is_some_and(|s| s.get("enum").is_some())
    };
    let mut bad = Vec::new();
    fn walk(
        v: &serde_json::Value,
        at: String,
        is_enum: &dyn Fn(&str) -> bool,
        bad: &mut Vec<String>,
    ) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::Array(items)) = m.get("allOf")
                    && items
                        .iter()
                        .any(|i| i["$ref"].as_str().is_some_and(is_enum))
                {
                    bad.push(at.clone());
                }
                if m.contains_key("$ref") && m.len() > 1 {
                    bad.push(format!("{at} (siblings beside $ref)"));
                }
                for (k, v) in m {
                    walk(v, format!("{at}/{k}"), is_enum, bad);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, format!("{at}/{i}"), is_enum, bad);
                }
            }
            _ => {}
        }
    }
    walk(&spec, String::new(), &is_enum, &mut bad);
    assert!(bad.is_empty(), "{bad:#?}");
    // And the problem type's code is one of them.
    assert_eq!(
        schemas["Problem"]["properties"]["code"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
}

/// The API refuses a body field it does not know, and the spec says so: every object schema
/// a request body uses (itself or through its fields) has `additionalProperties: false`.
#[test]
fn request_bodies_say_they_take_no_unknown_field() {
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v.as_str()) {
                        ("$ref", Some(r)) => out.push(r.rsplit('/').next().unwrap().to_string()),
                        _ => refs(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| refs(i, out)),
            _ => {}
        }
    }
    let mut todo = Vec::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if let Some(body) = op.get("requestBody") {
                refs(body, &mut todo);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone())
            && let Some(s) = schemas.get(&name)
        {
            refs(s, &mut todo);
        }
    }
    let with_fields: Vec<&String> = seen
        .iter()
        .filter(|n| {
            schemas
                .get(*n)
                .is_some_and(|s| s.get("properties").is_some())
        })
        .collect();
    assert!(with_fields.len() >= 10, "{with_fields:?}");
    for name in with_fields {
        assert_eq!(
            schemas[name]["additionalProperties"],
            serde_json::Value::Bool(false),
            "{name}"
        );
    }
}

/// Sort keys, certainty and the vocabularies the code holds as strings are closed sets in
/// the spec too, taken from the code's own tables.
#[test]
fn sort_keys_certainty_and_string_held_vocabularies_are_enums() {
    use ring_partnerships::service::listing::AGENCY_SORTS;
    let spec: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let params = &spec["components"]["parameters"];
    let op_sort = |op_id: &str| -> Vec<String> {
        for item in spec["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                if op["operationId"] == op_id {
                    for p in op["parameters"].as_array().unwrap() {
                        let name = p["$ref"].as_str().unwrap_or("").rsplit('/').next().unwrap();
                        if params[name]["name"] == "sort" {
                            return params[name]["schema"]["enum"]
                                .as_array()
                                .unwrap_or_else(|| panic!("{op_id}: sort is an enum"))
                                .iter()
                                .map(|v| v.as_str().unwrap().to_string())
                                .collect();
                        }
                    }
                }
            }
        }
        panic!("{op_id} has no sort")
    };
    let want: Vec<String> = AGENCY_SORTS
        .iter()
        .flat_map(|(n, _)| [n.to_string(), format!("-{n}")])
        .collect();
    assert_eq!(op_sort("list_agencies"), want);
    for op in [
        "list_partnerships",
        "list_sources",
        "list_phases",
        "list_citations",
    ] {
        assert!(op_sort(op).contains(&"-id".to_string()), "{op}");
    }
    let schemas = &spec["components"]["schemas"];
    assert_eq!(
        schemas["AgencyBrief"]["properties"]["agency_type"]["$ref"],
        "#/components/schemas/AgencyType"
    );
    assert_eq!(
        schemas["Agency"]["properties"]["state"]["$ref"],
        "#/components/schemas/StateCode"
    );
    assert_eq!(
        schemas["Partnership"]["properties"]["active_on_certainty"]["enum"],
        serde_json::json!(["certain", "possible", null])
    );
    assert_eq!(
        schemas["AgencySearch"]["properties"]["agency_type"]["items"]["$ref"],
        "#/components/schemas/AgencyType"
    );
}
