//! Vocabularies in the spec: poem-openapi writes a field the code holds as a `String` as a
//! plain string, though the API takes (and answers) only a closed set of values there.
//! This pass gives each such field its set: a `$ref` to the vocabulary's component where
//! one exists, else the values inline (with `null` where the field is nullable); sort keys
//! get each field name and its `-` (descending) form. The values come from the code's own
//! vocabularies and sort tables, so spec and code cannot disagree.

use super::Ordered;
use crate::domain::LocationPrecision;
use crate::service::listing::{AGENCY_SORTS, PARTNERSHIP_SORTS};

enum Vocab {
    /// A component of `#/components/schemas`.
    Component(&'static str),
    Values(Vec<String>),
}

fn sorts<F>(fields: &[(&str, F)]) -> Vec<String> {
    fields
        .iter()
        .flat_map(|(n, _)| [n.to_string(), format!("-{n}")])
        .collect()
}

fn texts<T: Copy>(all: &[T], text: fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|v| text(*v).to_string()).collect()
}

/// (schema, property, vocabulary). Request schemas take `state` case-insensitively, so only
/// answers reference `StateCode` there.
fn rules() -> Vec<(&'static str, &'static str, Vocab)> {
    use Vocab::*;
    let certainty = || Values(vec!["certain".into(), "possible".into()]);
    let mut r = vec![
        ("AgencyBrief", "agency_type", Component("AgencyType")),
        ("AgencyFields", "agency_type", Component("AgencyType")),
        ("AgencySearch", "agency_type", Component("AgencyType")),
        ("PartnershipSearch", "agency_type", Component("AgencyType")),
        ("QueryEcho", "agency_type", Component("AgencyType")),
        (
            "AgencyFields",
            "jurisdiction_type",
            Component("JurisdictionType"),
        ),
        (
            "AgencySearch",
            "jurisdiction_type",
            Component("JurisdictionType"),
        ),
        (
            "QueryEcho",
            "jurisdiction_type",
            Component("JurisdictionType"),
        ),
        ("AgencySearch", "quality_flag", Component("QualityFlag")),
        (
            "PartnershipSearch",
            "quality_flag",
            Component("QualityFlag"),
        ),
        ("AgencyFields", "quality_flags", Component("QualityFlag")),
        ("AgencyFields", "location_basis", Component("LocationBasis")),
        ("QueryEcho", "quality_flag", Component("QualityFlag")),
        ("Agency", "state", Component("StateCode")),
        ("AgencyBrief", "state", Component("StateCode")),
        ("AgencyDetail", "state", Component("StateCode")),
        ("QueryEcho", "state", Component("StateCode")),
        ("PartnershipFields", "status", Component("Status")),
        ("PhaseFields", "status", Component("Status")),
        ("PartnershipSearch", "status", Component("Status")),
        ("QueryEcho", "status", Component("Status")),
        ("SourceFields", "kind", Component("SourceKind")),
        ("QueryEcho", "kind", Component("SourceKind")),
        ("EditResult", "kind", Component("RecordKind")),
        ("CitationFields", "entity_kind", Component("RecordKind")),
        ("Partnership", "active_on_certainty", certainty()),
        ("PartnershipDetail", "active_on_certainty", certainty()),
        ("Partnership", "footage_requests", certainty()),
        ("PartnershipDetail", "footage_requests", certainty()),
        ("AgencySearch", "sort", Values(sorts(AGENCY_SORTS))),
        (
            "PartnershipSearch",
            "sort",
            Values(sorts(PARTNERSHIP_SORTS)),
        ),
    ];
    for schema in ["Agency", "AgencyDetail", "AgencyFields"] {
        r.push((
            schema,
            "location_precision",
            Values(texts(LocationPrecision::ALL, LocationPrecision::as_str)),
        ));
    }
    r
}

fn text(s: &str) -> Ordered {
    Ordered::Scalar(serde_json::Value::String(s.into()))
}

fn is_str(m: &[(String, Ordered)], key: &str, value: &str) -> bool {
    m.iter().any(|(k, v)| {
        k == key && matches!(v, Ordered::Scalar(serde_json::Value::String(s)) if s == value)
    })
}

/// `schema` (a plain string schema, or an array of them) given its vocabulary: the
/// component's `$ref` when there is one and the field is not nullable, else the values.
fn apply(schema: &mut Ordered, component: Option<&str>, values: &[String]) {
    let Ordered::Object(m) = schema else { return };
    if m.iter().any(|(k, _)| k == "enum" || k == "$ref") {
        return;
    }
    if is_str(m, "type", "array") {
        if let Some((_, items)) = m.iter_mut().find(|(k, _)| k == "items") {
            apply(items, component, values);
        }
        return;
    }
    if !is_str(m, "type", "string") {
        return;
    }
    let nullable = m.iter().any(|(k, v)| {
        k == "nullable" && matches!(v, Ordered::Scalar(serde_json::Value::Bool(true)))
    });
    match component {
        Some(name) if !nullable => {
            *m = vec![("$ref".into(), text(&format!("#/components/schemas/{name}")))];
        }
        _ => {
            let mut values: Vec<Ordered> = values.iter().map(|v| text(v)).collect();
            if nullable {
                values.push(Ordered::Scalar(serde_json::Value::Null));
            }
            m.push(("enum".into(), Ordered::Array(values)));
        }
    }
}

/// The enum values of component `name`.
fn component_values(schemas: &[(String, Ordered)], name: &str) -> Vec<String> {
    let Some((_, Ordered::Object(m))) = schemas.iter().find(|(n, _)| n == name) else {
        return Vec::new();
    };
    let Some((_, Ordered::Array(values))) = m.iter().find(|(k, _)| k == "enum") else {
        return Vec::new();
    };
    values
        .iter()
        .filter_map(|v| match v {
            Ordered::Scalar(serde_json::Value::String(s)) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// Gives each vocabulary field of `#/components/schemas` its closed set.
pub(super) fn vocab_enums(schemas: &mut Ordered) {
    let Ordered::Object(all) = schemas else {
        return;
    };
    let resolved: Vec<(&str, &str, Option<&str>, Vec<String>)> = rules()
        .into_iter()
        .map(|(s, p, v)| match v {
            Vocab::Component(c) => (s, p, Some(c), component_values(all, c)),
            Vocab::Values(values) => (s, p, None, values),
        })
        .collect();
    for (schema, prop, component, values) in &resolved {
        let Some((_, Ordered::Object(fields))) = all.iter_mut().find(|(n, _)| n == schema) else {
            continue;
        };
        let Some((_, Ordered::Object(props))) = fields.iter_mut().find(|(k, _)| k == "properties")
        else {
            continue;
        };
        if let Some((_, p)) = props.iter_mut().find(|(k, _)| k == prop) {
            apply(p, *component, values);
        }
    }
}

/// Each list operation's `sort` parameter gets the keys that list sorts by; the reports
/// list's `status` the statuses a report can have.
pub(super) fn sort_enums(doc: &mut Ordered) {
    use crate::service::listing::{PHASE_SORTS, SOURCE_SORTS};
    let reports = crate::service::reports::ReportStatus::ALL
        .iter()
        .map(|s| s.as_str().to_string())
        .collect::<Vec<_>>();
    let lists: [(&str, &str, Vec<String>); 6] = [
        ("list_agencies", "Sort", sorts(AGENCY_SORTS)),
        ("list_partnerships", "Sort", sorts(PARTNERSHIP_SORTS)),
        ("list_sources", "Sort", sorts(SOURCE_SORTS)),
        ("list_phases", "Sort", sorts(PHASE_SORTS)),
        (
            "list_citations",
            "Sort",
            sorts(crate::api::citations::CITATION_SORTS),
        ),
        ("list_reports", "Status", reports),
    ];
    // Which parameter component each list's `sort` is.
    let mut targets: Vec<(String, Vec<String>)> = Vec::new();
    if let Some(Ordered::Object(paths)) = doc.get_mut("paths") {
        for (_, item) in paths.iter() {
            let Ordered::Object(ops) = item else { continue };
            for (_, op) in ops {
                let Ordered::Object(fields) = op else {
                    continue;
                };
                let Some((_, prefix, values)) = lists
                    .iter()
                    .find(|(id, _, _)| is_str(fields, "operationId", id))
                else {
                    continue;
                };
                let Some((_, Ordered::Array(params))) =
                    fields.iter().find(|(k, _)| k == "parameters")
                else {
                    continue;
                };
                for p in params {
                    let Ordered::Object(pm) = p else { continue };
                    for (k, v) in pm {
                        if let (true, Ordered::Scalar(serde_json::Value::String(r))) =
                            (k == "$ref", v)
                            && let Some(name) = r.strip_prefix("#/components/parameters/")
                            && name.starts_with(&format!("{prefix}Query"))
                        {
                            targets.push((name.to_string(), values.clone()));
                        }
                    }
                }
            }
        }
    }
    let Some(Ordered::Object(params)) = doc
        .get_mut("components")
        .and_then(|c| c.get_mut("parameters"))
    else {
        return;
    };
    for (name, values) in targets {
        if let Some((_, p)) = params.iter_mut().find(|(n, _)| *n == name)
            && let Some(schema) = p.get_mut("schema")
        {
            apply(schema, None, &values);
        }
    }
}

/// A decimal number as the API reads one (Rust's `f64` syntax, finite values).
const NUMBER: &str = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?";

/// The shapes of the parameters the server parses from text: `near` (`lat,lon`), `bbox`
/// (four numbers) and the dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`), as `pattern`s, in query
/// parameters and search bodies alike; and the OGC collections as an enum.
pub(super) fn patterns(doc: &mut Ordered) {
    let n = NUMBER;
    let date = r"^\d{4}(-\d{2}(-\d{2})?)?$".to_string();
    let shapes: Vec<(&str, String)> = vec![
        ("near", format!(r"^\s*{n}\s*,\s*{n}\s*$")),
        (
            "bbox",
            format!(r"^\s*{n}\s*,\s*{n}\s*,\s*{n}\s*,\s*{n}\s*$"),
        ),
        ("started_after", date.clone()),
        ("started_before", date.clone()),
        ("active_on", date),
    ];
    let set_pattern = |schema: &mut Ordered, pattern: &str| {
        if let Ordered::Object(m) = schema
            && is_str(m, "type", "string")
            && !m.iter().any(|(k, _)| k == "pattern")
        {
            m.push(("pattern".into(), text(pattern)));
        }
    };
    let Some(components) = doc.get_mut("components") else {
        return;
    };
    if let Some(Ordered::Object(params)) = components.get_mut("parameters") {
        for (_, p) in params.iter_mut() {
            let Ordered::Object(pm) = p else { continue };
            let query = is_str(pm, "in", "query");
            let collection = is_str(pm, "in", "path") && is_str(pm, "name", "collection_id");
            let shape = shapes
                .iter()
                .find(|(name, _)| query && is_str(pm, "name", name))
                .map(|(_, pat)| pat.clone());
            if let Some((_, schema)) = pm.iter_mut().find(|(k, _)| k == "schema") {
                if let Some(pat) = shape {
                    set_pattern(schema, &pat);
                }
                if collection {
                    apply(
                        schema,
                        None,
                        &["agencies".to_string(), "partnerships".to_string()],
                    );
                }
            }
        }
    }
    // A state is read case-insensitively and trimmed; in a search's list, each item may
    // hold several, comma-separated (as `state=WI,MN` does in a query).
    let state = r"^\s*[A-Za-z]{2}\s*$";
    let states = r"^\s*([A-Za-z]{2})?\s*(,\s*([A-Za-z]{2})?\s*)*$";
    if let Some(Ordered::Object(schemas)) = components.get_mut("schemas") {
        for (name, schema) in schemas.iter_mut() {
            let search = matches!(name.as_str(), "AgencySearch" | "PartnershipSearch");
            if name == "AgencyFields"
                && let Some(Ordered::Object(props)) = schema.get_mut("properties")
                && let Some((_, s)) = props.iter_mut().find(|(k, _)| k == "state")
            {
                set_pattern(s, state);
            }
            if !search {
                continue;
            }
            if let Some(Ordered::Object(props)) = schema.get_mut("properties")
                && let Some((_, Ordered::Object(s))) = props.iter_mut().find(|(k, _)| k == "state")
                && let Some((_, items)) = s.iter_mut().find(|(k, _)| k == "items")
            {
                set_pattern(items, states);
            }
            let Some(Ordered::Object(props)) = schema.get_mut("properties") else {
                continue;
            };
            for (prop, s) in props.iter_mut() {
                if let Some((_, pat)) = shapes.iter().find(|(n, _)| n == prop) {
                    set_pattern(s, pat);
                }
            }
        }
    }
}
